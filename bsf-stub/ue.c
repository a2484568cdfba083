/* ue.c: see ue.h. The UE accepts an AUTN whose SQN is above its stored SQN
 * (a simple USIM); otherwise it answers with AUTS (RFC 3310 3.4). */
#include "bsf-stub/ue.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>

#include "gba/digest.h"
#include "util/hexb64.h"
#include "util/secret.h"

struct xfer {
	char www[2048], info[1024], ctype[128];
	char *body;
	size_t len, cap;
};

static size_t on_body(char *p, size_t sz, size_t n, void *cls)
{
	struct xfer *x = cls;
	size_t m = sz * n;

	if (x->len + m >= x->cap)
		return 0;
	memcpy(x->body + x->len, p, m);
	x->len += m;
	x->body[x->len] = 0;
	return m;
}

static void grab(char *dst, size_t cap, const char *name, const char *line, size_t n)
{
	size_t k = strlen(name);

	if (n > k + 1 && strncasecmp(line, name, k) == 0 && line[k] == ':') {
		line += k + 1;
		n -= k + 1;
		while (n && (*line == ' ' || *line == '\t'))
			line++, n--;
		while (n && (line[n - 1] == '\r' || line[n - 1] == '\n' || line[n - 1] == ' '))
			n--;
		if (n < cap) {
			memcpy(dst, line, n);
			dst[n] = 0;
		}
	}
}

static size_t on_header(char *p, size_t sz, size_t n, void *cls)
{
	struct xfer *x = cls;

	grab(x->www, sizeof x->www, "WWW-Authenticate", p, sz * n);
	grab(x->info, sizeof x->info, "Authentication-Info", p, sz * n);
	grab(x->ctype, sizeof x->ctype, "Content-Type", p, sz * n);
	return sz * n;
}

static int fail(struct bsf_ue *ue, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct bsf_ue *ue, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ue->err, sizeof ue->err, fmt, ap);
	va_end(ap);
	return -1;
}

static long get(CURL *c, const char *url, const char *auth, struct xfer *x, struct bsf_ue *ue)
{
	struct curl_slist *h = NULL;
	char line[TK_DIGEST_HDR_MAX + 32];
	long status = 0;
	CURLcode rc;

	x->www[0] = x->info[0] = x->ctype[0] = 0;
	x->len = 0;
	x->body[0] = 0;
	snprintf(line, sizeof line, "Authorization: %s", auth);
	h = curl_slist_append(h, line);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	rc = curl_easy_perform(c);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		fail(ue, "GET %s: %s", url, curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	ue->status = status;
	return status;
}

/* Text between <tag> and </tag> (prefix-free: namespaces are default). */
static int element(const char *xml, const char *tag, char *out, size_t cap)
{
	char open[64], close[64];
	const char *a, *b;

	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	if (!(a = strstr(xml, open)) || !(b = strstr(a, close)))
		return -1;
	a += strlen(open);
	if ((size_t)(b - a) >= cap)
		return -1;
	memcpy(out, a, (size_t)(b - a));
	out[b - a] = 0;
	return 0;
}

int bsf_ue_bootstrap(CURL *c, const char *url, struct bsf_ue *ue)
{
	struct xfer x = { .body = ue->body, .cap = sizeof ue->body };
	struct tk_digest ch, cr, info;
	uint8_t rand[16], autn[16], sqn[6], res[8], ck[16], ik[16], auts[14], cn[8];
	char hdr[TK_DIGEST_HDR_MAX], resp[TK_DIGEST_HEX_LEN + 1], cnonce[17];
	const char *uri = "/", *h0;
	char host[256] = "bsf";
	long st;
	int rc, round;

	ue->resyncs = 0;
	tk_digest_init(&cr);
	cr.username = ue->impi;
	/* 24.109 A.3: the first realm is the BSF host as the UE knows it. */
	if ((h0 = strstr(url, "://"))) {
		size_t n = strcspn(h0 + 3, ":/");

		if (n && n < sizeof host) {
			memcpy(host, h0 + 3, n);
			host[n] = 0;
		}
	}
	cr.realm = host;
	cr.nonce = "";
	cr.uri = uri;
	cr.response = "";
	if (tk_digest_build(TK_DIGEST_CREDENTIALS, &cr, hdr, sizeof hdr) != 0)
		return fail(ue, "cannot build the first Authorization");
	st = get(c, url, hdr, &x, ue);
	for (round = 0;; round++) {
		if (st != 401)
			return st < 0 ? -1 : fail(ue, "expected 401, got %ld: %s", st, x.body);
		rc = tk_digest_parse(TK_DIGEST_CHALLENGE, x.www, strlen(x.www), &ch);
		if (rc != 0)
			return fail(ue, "bad WWW-Authenticate (%s): %s", tk_digest_strerror(rc), x.www);
		if (ch.alg != TK_DIGEST_ALG_AKAV1_MD5 || !(ch.qop & TK_DIGEST_QOP_AUTH_INT))
			return fail(ue, "challenge is not AKAv1-MD5 with qop auth-int: %s", x.www);
		if (tk_digest_aka_nonce_parse(ch.nonce, strlen(ch.nonce), rand, autn) != 0)
			return fail(ue, "nonce is not base64(RAND||AUTN)");
		if (tk_mil_usim_check(ue->k, ue->opc, rand, autn, sqn, res, ck, ik) != TK_MIL_OK)
			return fail(ue, "AUTN does not verify (MAC-A)");
		gnutls_rnd(GNUTLS_RND_NONCE, cn, sizeof cn);
		tk_hex_encode(cn, sizeof cn, cnonce);
		tk_digest_init(&cr);
		cr.username = ue->impi;
		cr.realm = ch.realm;
		cr.nonce = ch.nonce;
		cr.uri = uri;
		cr.opaque = ch.opaque;
		cr.alg = TK_DIGEST_ALG_AKAV1_MD5;
		cr.qop = TK_DIGEST_QOP_AUTH_INT;
		cr.nc = 1;
		cr.cnonce = cnonce;
		if (tk_mil_sqn_get(sqn) <= ue->sqn_ms) {
			if (round >= 2)
				return fail(ue, "SQN still stale after resynchronisation");
			tk_mil_sqn_put(ue->sqn_ms, sqn);
			tk_mil_auts_build(ue->k, ue->opc, rand, sqn, auts);
			cr.has_auts = true;
			memcpy(cr.auts, auts, sizeof auts);
			tk_digest_response(&cr, "GET", (const uint8_t *)"", 0, NULL, 0, resp);
			cr.response = resp;
			tk_digest_build(TK_DIGEST_CREDENTIALS, &cr, hdr, sizeof hdr);
			ue->resyncs++;
			st = get(c, url, hdr, &x, ue);
			continue;
		}
		break;
	}
	ue->sqn_used = tk_mil_sqn_get(sqn);
	ue->sqn_ms = ue->sqn_used;
	if (ue->wrong_res)
		res[0] ^= 0x01;
	tk_digest_response(&cr, "GET", res, sizeof res, NULL, 0, resp);
	if (ue->wrong_res)
		res[0] ^= 0x01;
	cr.response = resp;
	tk_digest_build(TK_DIGEST_CREDENTIALS, &cr, hdr, sizeof hdr);
	st = get(c, url, hdr, &x, ue);
	if (st != 200) {
		tk_wipe(ck, sizeof ck);
		tk_wipe(ik, sizeof ik);
		return st < 0 ? -1 : fail(ue, "expected 200, got %ld: %s", st, x.body);
	}
	ue->body_len = x.len;
	if (strncasecmp(x.ctype, "application/vnd.3gpp.bsf+xml", 28) != 0)
		return fail(ue, "200 OK with Content-Type \"%s\"", x.ctype);
	rc = tk_digest_parse(TK_DIGEST_AUTH_INFO, x.info, strlen(x.info), &info);
	if (rc == 0)
		rc = tk_digest_rspauth_verify(&cr, &info, res, sizeof res, (const uint8_t *)x.body, x.len);
	if (rc != 0)
		return fail(ue, "Authentication-Info does not verify (%s): %s", tk_digest_strerror(rc),
			    x.info);
	if (element(x.body, "btid", ue->btid, sizeof ue->btid) != 0 ||
	    element(x.body, "lifetime", ue->lifetime, sizeof ue->lifetime) != 0)
		return fail(ue, "BootstrappingInfo without btid/lifetime: %s", x.body);
	memcpy(ue->rand, rand, sizeof rand);
	tk_gba_ks(ck, ik, ue->ks);
	tk_wipe(ck, sizeof ck);
	tk_wipe(ik, sizeof ik);
	if (ue->replay) {
		char saved[sizeof ue->body];

		memcpy(saved, x.body, x.len + 1);
		ue->replay_status = get(c, url, hdr, &x, ue);
		memcpy(ue->body, saved, ue->body_len + 1);
		ue->status = 200;
	}
	return 0;
}
