/*
 * kmsclient.c: POST /mikey to the KMS over plain HTTP, HTTPS + GBA Digest
 * (libcurl) and PSK-TLS (GnuTLS); profile P-1, P-5, P-6, P-7, P-27.
 *
 * HTTPS + Digest: the password depends on the negotiated TLS suite (Ua id
 * 01 00 01 yy zz), which is only known once the connection is up.  So the
 * first POST goes without credentials; the 401 challenge it earns arrives
 * over the established TLS session, whose suite is read in the header
 * callback (CURLINFO_TLS_SSL_PTR); then the POST is repeated with
 * CURLAUTH_DIGEST and that password over the same (kept-alive) connection.
 * If the suite of the authenticated transfer differs (the connection was
 * re-established with another suite), it is retried once with the new one.
 * A 401 after credentials were sent means the KMS does not know the B-TID:
 * the UE must bootstrap again (P-6).
 *
 * PSK-TLS: the PSK depends on the suite too, and must be known before the
 * handshake.  Each connection attempt therefore offers exactly ONE suite,
 * in this order: TLS 1.2 TLS_PSK_WITH_AES_128_GCM_SHA256 (00 A8), TLS 1.3
 * (Ua id 01 00 00 00 07, suite independent), TLS 1.2
 * TLS_PSK_WITH_AES_128_CBC_SHA256 (00 AE); the next one is tried only when
 * the handshake fails.  The PSK identity is the bare B-TID (P-7 allows both
 * forms).  When every attempt fails in the handshake, the reply says
 * bootstrap_required: a KMS that does not know the B-TID cannot answer
 * with a 401 over PSK-TLS, it can only refuse the handshake (P-27).
 * HTTP/1.1 with Connection: close, response framed by
 * Content-Length or connection close (chunked answers are refused).
 */
#include "ue/kmsclient.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "gba/digest.h"
#include "gba/userpsk.h"
#include "util/hexb64.h"
#include "util/secret.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void do_curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int rfail(struct ue_kms_reply *r, int rc, const char *fmt, const char *arg)
	__attribute__((format(printf, 3, 0)));

static int rfail(struct ue_kms_reply *r, int rc, const char *fmt, const char *arg)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(r->err, sizeof r->err, fmt, arg ? arg : "");
#pragma GCC diagnostic pop
	return rc;
}

int ue_tls_suite_of(void *session)
{
	gnutls_session_t s = session;
	gnutls_kx_algorithm_t kx, k;
	gnutls_cipher_algorithm_t c, cc;
	gnutls_mac_algorithm_t m, mm;
	gnutls_protocol_t v, minv;
	unsigned char id[2];
	size_t i;

	if (!s)
		return -1;
	kx = gnutls_kx_get(s);
	c = gnutls_cipher_get(s);
	m = gnutls_mac_get(s);
	v = gnutls_protocol_get_version(s);
	for (i = 0; gnutls_cipher_suite_info(i, id, &k, &cc, &mm, &minv); i++) {
		if (cc != c || mm != m)
			continue;
		/* TLS 1.3 suites carry no key exchange; the cipher and PRF hash
		 * name them alone. */
		if (v == GNUTLS_TLS1_3 ? minv == GNUTLS_TLS1_3 : (k == kx && minv != GNUTLS_TLS1_3))
			return id[0] << 8 | id[1];
	}
	return -1;
}

static void ua_for_suite(int suite, uint8_t ua[5])
{
	ua[0] = 0x01;
	ua[1] = 0x00;
	ua[2] = 0x01;
	ua[3] = (uint8_t)(suite >> 8);
	ua[4] = (uint8_t)suite;
}

/* ---- libcurl: http:// and https:// ------------------------------------------ */

struct cx {
	CURL *h;
	struct ue_kms_reply *r;
	bool overflow;
	int suite;         /* of the TLS session of this transfer, -1 unknown */
	char users_ch[512]; /* WWW-Authenticate of the users realm, "" if none */
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct cx *x = ud;
	size_t len = sz * n;

	if (len > sizeof x->r->body - x->r->body_len) {
		x->overflow = true;
		return 0;
	}
	memcpy(x->r->body + x->r->body_len, p, len);
	x->r->body_len += len;
	return len;
}

static bool hdr_is(const char *p, size_t len, const char *name, const char **val, size_t *vlen)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(p, name, n) || p[n] != ':')
		return false;
	p += n + 1;
	len -= n + 1;
	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' '))
		len--;
	*val = p;
	*vlen = len;
	return true;
}

static bool contains(const char *v, size_t vl, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= vl; i++)
		if (!memcmp(v + i, needle, n))
			return true;
	return false;
}

static void note_header(struct ue_kms_reply *r, const char *p, size_t len)
{
	const char *v;
	size_t vl;
	char tmp[32];

	if (hdr_is(p, len, "Content-Type", &v, &vl)) {
		r->is_mikey = vl >= 17 && !strncasecmp(v, "application/mikey", 17) &&
			      (vl == 17 || v[17] == ';' || v[17] == ' ');
	} else if (hdr_is(p, len, "Retry-After", &v, &vl) && vl < sizeof tmp) {
		memcpy(tmp, v, vl);
		tmp[vl] = '\0';
		r->retry_after = strtol(tmp, NULL, 10);
	}
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct cx *x = ud;
	size_t len = sz * n;
	struct curl_tlssessioninfo *ti = NULL;
	const char *v;
	size_t vl;

	/* A new status line starts a new response (e.g. after a 401). */
	if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
		x->r->body_len = 0;
		x->r->is_mikey = false;
		x->r->retry_after = -1;
		x->users_ch[0] = '\0';
		if (x->suite < 0 &&
		    curl_easy_getinfo(x->h, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK && ti &&
		    ti->backend == CURLSSLBACKEND_GNUTLS && ti->internals)
			x->suite = ue_tls_suite_of(ti->internals);
	}
	note_header(x->r, p, len);
	if (hdr_is(p, len, "WWW-Authenticate", &v, &vl) && vl < sizeof x->users_ch &&
	    contains(v, vl, "realm=\"" TK_USERS_REALM_PREFIX)) {
		memcpy(x->users_ch, v, vl);
		x->users_ch[vl] = '\0';
	}
	return len;
}

static int curl_once_post(struct cx *x, const struct ue_kms_target *t, const char *url,
			  const uint8_t *msg, size_t len, const char *password, const char *authz)
{
	struct curl_slist *hl = NULL;
	char ebuf[CURL_ERROR_SIZE] = "";
	CURLcode cc;
	int rc = UE_KMS_OK;

	x->r->body_len = 0;
	x->r->status = 0;
	x->overflow = false;
	x->suite = -1;
	curl_easy_setopt(x->h, CURLOPT_URL, url);
	curl_easy_setopt(x->h, CURLOPT_POST, 1L);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, (const char *)msg);
	curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE, (long)len);
	hl = curl_slist_append(hl, "Content-Type: application/mikey");
	hl = curl_slist_append(hl, "Accept: application/mikey");
	hl = curl_slist_append(hl, "Expect:");
	if (authz)
		hl = curl_slist_append(hl, authz);
	curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->h, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, t->timeout_ms > 0 ? t->timeout_ms : 10000L);
	curl_easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (t->cacert)
		curl_easy_setopt(x->h, CURLOPT_CAINFO, t->cacert);
	if (t->client_cert) {
		curl_easy_setopt(x->h, CURLOPT_SSLCERT, t->client_cert);
		curl_easy_setopt(x->h, CURLOPT_SSLKEY, t->client_key ? t->client_key : t->client_cert);
	}
	if (password) {
		curl_easy_setopt(x->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
		curl_easy_setopt(x->h, CURLOPT_USERNAME, t->btid);
		curl_easy_setopt(x->h, CURLOPT_PASSWORD, password);
	}
	cc = curl_easy_perform(x->h);
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &x->r->status);
	if (cc != CURLE_OK) {
		if (x->overflow)
			rc = rfail(x->r, UE_KMS_E_PROTO, "KMS answer larger than 64 KiB%s", NULL);
		else if (cc == CURLE_SSL_CONNECT_ERROR || cc == CURLE_PEER_FAILED_VERIFICATION ||
			 cc == CURLE_SSL_CACERT_BADFILE)
			rc = rfail(x->r, UE_KMS_E_TLS, "TLS: %.200s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
		else if (cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL)
			rc = rfail(x->r, UE_KMS_E_URL, "URL: %.200s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
		else
			rc = rfail(x->r, UE_KMS_E_CONNECT, "%s", ebuf[0] ? ebuf : curl_easy_strerror(cc));
	}
	curl_slist_free_all(hl);
	return rc;
}

/* A password user answers the challenge of the users realm (RFC 2617,
 * MD5, qop auth) itself: libcurl answers only the first Digest challenge,
 * and the KMS sends the GBA one first. */
static int users_digest(struct cx *x, const struct ue_kms_target *t, const char *url,
			const uint8_t *msg, size_t len, int rc)
{
	struct tk_digest ch, cr;
	uint8_t rb[8];
	char cnonce[17], resp[TK_DIGEST_HEX_LEN + 1], hdr[1200];
	const char *path = strchr(strstr(url, "://") + 3, '/');
	struct ue_kms_reply *r = x->r;

	if (rc != UE_KMS_OK || r->status != 401)
		return rc;
	if (!x->users_ch[0] || !t->password ||
	    tk_digest_parse(TK_DIGEST_CHALLENGE, x->users_ch, strlen(x->users_ch), &ch) != 0)
		return rfail(r, UE_KMS_E_KEY, "the KMS offers no password users realm%s", NULL);
	if (gnutls_rnd(GNUTLS_RND_NONCE, rb, sizeof rb) != 0)
		return rfail(r, UE_KMS_E_KEY, "random generator failed%s", NULL);
	tk_hex_encode(rb, sizeof rb, cnonce);
	cnonce[16] = '\0';
	tk_digest_init(&cr);
	cr.username = t->user;
	cr.realm = ch.realm;
	cr.nonce = ch.nonce;
	cr.opaque = ch.opaque;
	cr.uri = path ? path : "/";
	cr.alg = TK_DIGEST_ALG_MD5;
	cr.qop = TK_DIGEST_QOP_AUTH;
	cr.nc = 1;
	cr.cnonce = cnonce;
	if (tk_digest_response(&cr, "POST", (const uint8_t *)t->password, strlen(t->password),
			       NULL, 0, resp) != 0)
		return rfail(r, UE_KMS_E_KEY, "cannot answer the Digest challenge%s", NULL);
	cr.response = resp;
	memcpy(hdr, "Authorization: ", 15);
	if (tk_digest_build(TK_DIGEST_CREDENTIALS, &cr, hdr + 15, sizeof hdr - 15) != 0)
		return rfail(r, UE_KMS_E_KEY, "cannot answer the Digest challenge%s", NULL);
	rc = curl_once_post(x, t, url, msg, len, NULL, hdr);
	snprintf(r->transport, sizeof r->transport, "HTTPS+Digest (user %.60s)", t->user);
	if (rc == UE_KMS_OK && r->status == 401)
		r->bootstrap_required = true; /* password refused */
	return rc;
}

static int post_curl(const struct ue_kms_target *t, const char *url, bool https,
		     const uint8_t *msg, size_t len, struct ue_kms_reply *r)
{
	struct cx x = { .r = r, .suite = -1 };
	uint8_t ua[5], key[32];
	char pw[64];
	int rc, attempt, used_suite = -1;

	pthread_once(&curl_once, do_curl_init);
	x.h = curl_easy_init();
	if (!x.h)
		return rfail(r, UE_KMS_E_CONNECT, "curl_easy_init failed%s", NULL);
	rc = curl_once_post(&x, t, url, msg, len, NULL, NULL);
	snprintf(r->transport, sizeof r->transport, "%s%s", https ? "HTTPS" : "HTTP",
		 t->client_cert ? " (client certificate)" : "");
	if (t->user || (t->client_cert && !t->naf_key)) {
		/* without GBA: a password user answers the users realm; for a
		 * certificate user a 401 means its certificate was not verified */
		if (t->user)
			rc = users_digest(&x, t, url, msg, len, rc);
		curl_easy_cleanup(x.h);
		return rc;
	}
	/* Answer a Digest challenge once (twice if the suite changed). */
	for (attempt = 0; rc == UE_KMS_OK && r->status == 401 && attempt < 2; attempt++) {
		if (https && x.suite < 0) {
			rc = rfail(r, UE_KMS_E_TLS, "cannot tell the negotiated TLS suite%s", NULL);
			break;
		}
		if (used_suite >= 0 && x.suite == used_suite) {
			r->bootstrap_required = true; /* credentials refused: B-TID unknown */
			break;
		}
		if (https) {
			ua_for_suite(x.suite, ua);
		} else {
			static const uint8_t plain_digest[5] = { 1, 0, 0, 0, 2 }; /* P-1 lab */

			memcpy(ua, plain_digest, 5);
		}
		if (!t->naf_key || t->naf_key(t->naf_key_ctx, ua, key) != 0) {
			rc = rfail(r, UE_KMS_E_KEY, "no NAF key: bootstrap first%s", NULL);
			break;
		}
		tk_b64_encode(key, sizeof key, pw);
		tk_wipe(key, sizeof key);
		used_suite = https ? x.suite : 0;
		rc = curl_once_post(&x, t, url, msg, len, pw, NULL);
		tk_wipe(pw, sizeof pw);
		if (https)
			snprintf(r->transport, sizeof r->transport, "HTTPS+Digest (Ua 010001%02x%02x)",
				 ua[3], ua[4]);
		else
			snprintf(r->transport, sizeof r->transport, "HTTP+Digest (Ua 0100000002)");
		if (!https)
			x.suite = 0;
	}
	if (rc == UE_KMS_OK && r->status == 401 && attempt == 2)
		r->bootstrap_required = true;
	curl_easy_cleanup(x.h);
	return rc;
}

/* ---- PSK-TLS with GnuTLS --------------------------------------------------------- */

struct psk_try {
	const char *name;
	const char *prio;
	int suite;          /* TLS 1.2 suite; -1 for TLS 1.3 */
};

static const struct psk_try psk_tries[] = {
	{ "PSK-TLS1.2 TLS_PSK_WITH_AES_128_GCM_SHA256",
	  "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-GCM:-MAC-ALL:+AEAD",
	  0x00A8 },
	{ "PSK-TLS1.3", "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK", -1 },
	{ "PSK-TLS1.2 TLS_PSK_WITH_AES_128_CBC_SHA256",
	  "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA256",
	  0x00AE },
};

static int tcp_connect(const char *host, const char *port, long timeout_ms, struct ue_kms_reply *r)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd = -1, e;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	e = getaddrinfo(host, port, &hints, &res);
	if (e) {
		rfail(r, UE_KMS_E_CONNECT, "%s", gai_strerror(e));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		rfail(r, UE_KMS_E_CONNECT, "connect: %s", strerror(errno));
	return fd;
}

static int write_all(gnutls_session_t s, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n) {
		w = gnutls_record_send(s, c, n);
		if (w == GNUTLS_E_AGAIN || w == GNUTLS_E_INTERRUPTED)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Parse an HTTP/1.1 response held whole in buf. */
static int parse_http(const char *buf, size_t n, struct ue_kms_reply *r)
{
	const char *p = buf, *end = buf + n, *eol, *hend = NULL;
	long clen = -1;
	size_t i, blen;

	for (i = 0; i + 4 <= n; i++)
		if (!memcmp(buf + i, "\r\n\r\n", 4)) {
			hend = buf + i;
			break;
		}
	if (!hend || n < 12 || memcmp(buf, "HTTP/1.", 7))
		return rfail(r, UE_KMS_E_PROTO, "malformed HTTP response%s", NULL);
	r->status = strtol(buf + 9, NULL, 10);
	p = memchr(buf, '\n', (size_t)(hend - buf));
	while (p && p < hend) {
		p++;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol || eol > hend + 2)
			break;
		note_header(r, p, (size_t)(eol - p));
		{
			const char *v;
			size_t vl;
			char tmp[24];

			if (hdr_is(p, (size_t)(eol - p), "Content-Length", &v, &vl) && vl < sizeof tmp) {
				memcpy(tmp, v, vl);
				tmp[vl] = '\0';
				clen = strtol(tmp, NULL, 10);
			}
			if (hdr_is(p, (size_t)(eol - p), "Transfer-Encoding", &v, &vl))
				return rfail(r, UE_KMS_E_PROTO, "chunked HTTP answers not supported%s",
					     NULL);
		}
		p = eol;
	}
	blen = (size_t)(end - (hend + 4));
	if (clen >= 0) {
		if ((size_t)clen > blen)
			return rfail(r, UE_KMS_E_PROTO, "HTTP body shorter than Content-Length%s", NULL);
		blen = (size_t)clen;
	}
	if (blen > sizeof r->body)
		return rfail(r, UE_KMS_E_PROTO, "KMS answer larger than 64 KiB%s", NULL);
	memcpy(r->body, hend + 4, blen);
	r->body_len = blen;
	if (r->status == 401)
		r->bootstrap_required = true; /* the PSK identity (B-TID) was not usable */
	return UE_KMS_OK;
}

static int psk_once(const struct ue_kms_target *t, const struct psk_try *try,
		    const char *host, const char *port, const char *path,
		    const uint8_t *msg, size_t len, struct ue_kms_reply *r, bool *hs_failed)
{
	static const uint8_t ua13[5] = { 1, 0, 0, 0, 7 };
	gnutls_psk_client_credentials_t cred = NULL;
	gnutls_session_t s = NULL;
	gnutls_datum_t key;
	uint8_t ua[5], k[32];
	char head[512];
	char *in = NULL;
	size_t cap = UE_KMS_BODY_MAX + 8192, got = 0;
	long tmo = t->timeout_ms > 0 ? t->timeout_ms : 10000L;
	ssize_t n;
	int fd = -1, rc = UE_KMS_E_TLS, e, suite;

	*hs_failed = false;
	if (try->suite < 0)
		memcpy(ua, ua13, 5);
	else
		ua_for_suite(try->suite, ua);
	if (!t->naf_key || t->naf_key(t->naf_key_ctx, ua, k) != 0)
		return rfail(r, UE_KMS_E_KEY, "no NAF key: bootstrap first%s", NULL);
	key.data = k;
	key.size = sizeof k;
	if (gnutls_psk_allocate_client_credentials(&cred) < 0 ||
	    gnutls_psk_set_client_credentials(cred, t->btid, &key, GNUTLS_PSK_KEY_RAW) < 0) {
		rc = rfail(r, UE_KMS_E_TLS, "PSK credentials%s", NULL);
		goto out;
	}
	fd = tcp_connect(host, port, tmo, r);
	if (fd < 0) {
		rc = UE_KMS_E_CONNECT;
		goto out;
	}
	if (gnutls_init(&s, GNUTLS_CLIENT) < 0 ||
	    gnutls_priority_set_direct(s, try->prio, NULL) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_PSK, cred) < 0) {
		rc = rfail(r, UE_KMS_E_TLS, "GnuTLS session set-up failed%s", NULL);
		goto out;
	}
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, (unsigned)tmo);
	do
		e = gnutls_handshake(s);
	while (e < 0 && !gnutls_error_is_fatal(e));
	if (e < 0) {
		*hs_failed = true;
		rc = rfail(r, UE_KMS_E_TLS, "PSK-TLS handshake: %.200s", gnutls_strerror(e));
		goto out;
	}
	/* The suite we derived the key for must be the one negotiated. */
	suite = ue_tls_suite_of(s);
	if (try->suite >= 0 && suite != try->suite) {
		rc = rfail(r, UE_KMS_E_TLS, "server negotiated an unexpected suite%s", NULL);
		goto out;
	}
	snprintf(r->transport, sizeof r->transport, "%s (%04x)", try->name, suite < 0 ? 0 : suite);
	n = snprintf(head, sizeof head,
		     "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/mikey\r\n"
		     "Accept: application/mikey\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		     path, host, port, len);
	if (n < 0 || (size_t)n >= sizeof head || write_all(s, head, (size_t)n) ||
	    write_all(s, msg, len)) {
		rc = rfail(r, UE_KMS_E_CONNECT, "sending the request failed%s", NULL);
		goto out;
	}
	in = malloc(cap);
	if (!in) {
		rc = rfail(r, UE_KMS_E_PROTO, "out of memory%s", NULL);
		goto out;
	}
	for (;;) {
		if (got == cap) {
			rc = rfail(r, UE_KMS_E_PROTO, "KMS answer larger than 64 KiB%s", NULL);
			goto out;
		}
		n = gnutls_record_recv(s, in + got, cap - got);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n == 0 || n == GNUTLS_E_PREMATURE_TERMINATION)
			break;
		if (n < 0) {
			rc = rfail(r, UE_KMS_E_CONNECT, "receiving: %.200s", gnutls_strerror((int)n));
			goto out;
		}
		got += (size_t)n;
	}
	rc = parse_http(in, got, r);
	if (rc == UE_KMS_OK)
		gnutls_bye(s, GNUTLS_SHUT_WR);
out:
	tk_wipe(k, sizeof k);
	free(in);
	if (s)
		gnutls_deinit(s);
	if (fd >= 0)
		close(fd);
	if (cred)
		gnutls_psk_free_client_credentials(cred);
	return rc;
}

static int post_psk(const struct ue_kms_target *t, const char *hostport, const uint8_t *msg,
		    size_t len, struct ue_kms_reply *r)
{
	char host[256], port[16], path[256] = "/mikey";
	const char *slash = strchr(hostport, '/'), *colon;
	size_t hl = slash ? (size_t)(slash - hostport) : strlen(hostport);
	bool hs_failed = false;
	size_t i;
	int rc = UE_KMS_E_TLS;

	if (slash && slash[1]) {
		if (strlen(slash) >= sizeof path)
			return rfail(r, UE_KMS_E_URL, "path too long%s", NULL);
		strcpy(path, slash);
	}
	colon = memchr(hostport, ':', hl);
	if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host ||
	    hl - (size_t)(colon - hostport) - 1 >= sizeof port || hl - (size_t)(colon - hostport) < 2)
		return rfail(r, UE_KMS_E_URL, "psk:// URL needs host:port (%s)", hostport);
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	memcpy(port, colon + 1, hl - (size_t)(colon - hostport) - 1);
	port[hl - (size_t)(colon - hostport) - 1] = '\0';
	if (!t->btid || !t->btid[0])
		return rfail(r, UE_KMS_E_KEY, "no B-TID: bootstrap first%s", NULL);
	for (i = 0; i < sizeof psk_tries / sizeof psk_tries[0]; i++) {
		memset(r, 0, offsetof(struct ue_kms_reply, body));
		r->retry_after = -1;
		r->body_len = 0;
		rc = psk_once(t, &psk_tries[i], host, port, path, msg, len, r, &hs_failed);
		if (!hs_failed)
			break;
	}
	/* Every handshake failed: the usual reason is a B-TID the KMS does not
	 * know (its PSK callback has no key), P-27: bootstrap again. */
	if (hs_failed)
		r->bootstrap_required = true;
	return rc;
}

int ue_kms_post(const struct ue_kms_target *t, const uint8_t *msg, size_t len,
		struct ue_kms_reply *r)
{
	char url[1024];
	const char *rest;
	bool https;

	memset(r, 0, offsetof(struct ue_kms_reply, body));
	r->body_len = 0;
	r->retry_after = -1;
	if (!t->url)
		return rfail(r, UE_KMS_E_URL, "no KMS URL%s", NULL);
	if (!strncmp(t->url, "psk://", 6))
		return post_psk(t, t->url + 6, msg, len, r);
	https = !strncmp(t->url, "https://", 8);
	if (!https && strncmp(t->url, "http://", 7))
		return rfail(r, UE_KMS_E_URL, "unsupported KMS URL %s (http://, https://, psk://)",
			     t->url);
	/* P-5: the endpoint is /mikey when the URL names no path. */
	rest = t->url + (https ? 8 : 7);
	if (snprintf(url, sizeof url, "%s%s", t->url, strchr(rest, '/') ? "" : "/mikey") >=
	    (int)sizeof url)
		return rfail(r, UE_KMS_E_URL, "URL too long%s", NULL);
	return post_curl(t, url, https, msg, len, r);
}
