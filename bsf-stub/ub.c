/*
 * ub.c: the Ub reference point, HTTP Digest AKA (RFC 3310) exactly as
 * gba.md 2.1/2.2 and profile P-16/P-27 describe it:
 *  - a request with an empty nonce gets 401, realm = BSF FQDN, nonce =
 *    base64(RAND || AUTN), algorithm AKAv1-MD5, qop "auth-int", opaque;
 *  - the answer is verified with XRES as password (constant time); the
 *    challenge is single-use (a second answer with the same nonce is treated
 *    as unknown and gets a fresh challenge);
 *  - an answer with auts (and a response over the empty password) has its
 *    MAC-S checked, the SQN resynchronised and gets a fresh 401;
 *  - success: Ks = CK || IK, B-TID = base64(RAND)@FQDN, 200 with
 *    BootstrappingInfo and Authentication-Info (rspauth over the 200 body).
 * Decisions where the specs are silent (see the report / docs/design.md):
 * wrong RES -> 403; unknown IMPI -> 403; unknown/expired/used nonce -> 401
 * with a fresh challenge; malformed Authorization -> 400 with the reason.
 */
#include "bsf-stub/bsf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/crypto.h>

#include "bsf-stub/log.h"
#include "bsf-stub/xml.h"
#include "gba/digest.h"
#include "http/http.h"
#include "util/hexb64.h"
#include "util/secret.h"

int bsf_init(struct bsf *b, const struct bsf_config *cfg, struct bsf_store *store)
{
	size_t max = (size_t)cfg->max_sessions;

	b->cfg = cfg;
	b->store = store;
	b->challenges = bsf_table_new(max, sizeof(struct bsf_challenge));
	b->sessions = bsf_table_new(max, sizeof(struct bsf_session));
	return b->challenges && b->sessions ? 0 : -1;
}

void bsf_free(struct bsf *b)
{
	bsf_table_free(b->challenges);
	bsf_table_free(b->sessions);
	b->challenges = b->sessions = NULL;
}

static void challenge(struct bsf *b, struct tk_http_req *req, const char *impi, const char *why)
{
	struct bsf_sub *sub = bsf_store_find(b->store, impi);
	struct bsf_challenge ch;
	struct tk_mil_av av;
	struct tk_digest d;
	uint8_t op[16];
	char nonce[64], opaque[32], hdr[512], err[256];
	time_t now = time(NULL);

	if (!sub) {
		bsf_log(BSF_LOG_INFO, "ub %s: unknown IMPI", tk_http_peer(req));
		tk_http_reply_text(req, 403, "unknown subscriber (IMPI)");
		return;
	}
	memset(&ch, 0, sizeof ch);
	if (bsf_store_make_av(b->store, sub, &av, err, sizeof err) != 0) {
		bsf_log(BSF_LOG_ERR, "ub: no authentication vector for %s: %s", impi, err);
		tk_http_reply_text(req, 503, "cannot create an authentication vector");
		return;
	}
	ch.sub = sub;
	memcpy(ch.rand, av.rand, sizeof ch.rand);
	memcpy(ch.xres, av.xres, sizeof ch.xres);
	memcpy(ch.ck, av.ck, sizeof ch.ck);
	memcpy(ch.ik, av.ik, sizeof ch.ik);
	gnutls_rnd(GNUTLS_RND_NONCE, op, sizeof op);
	tk_b64_encode(op, sizeof op, ch.opaque);
	memcpy(opaque, ch.opaque, sizeof opaque);
	tk_digest_aka_nonce(av.rand, av.autn, NULL, 0, nonce, sizeof nonce);
	tk_wipe(&av, sizeof av);
	if (bsf_table_put(b->challenges, nonce, now, now + BSF_CHALLENGE_TTL, &ch) < 0) {
		tk_wipe(&ch, sizeof ch);
		tk_http_reply_text(req, 503, "out of memory");
		return;
	}
	tk_wipe(&ch, sizeof ch);
	tk_digest_init(&d);
	d.realm = b->cfg->fqdn;
	d.nonce = nonce;
	d.opaque = opaque;
	d.alg = TK_DIGEST_ALG_AKAV1_MD5;
	d.qop = TK_DIGEST_QOP_AUTH_INT;
	if (tk_digest_build(TK_DIGEST_CHALLENGE, &d, hdr, sizeof hdr) != 0) {
		tk_http_reply_text(req, 500, "cannot build the challenge");
		return;
	}
	bsf_log(BSF_LOG_DEBUG, "ub %s: challenge for %s (%s)", tk_http_peer(req), impi, why);
	tk_http_add_header(req, "WWW-Authenticate", hdr);
	tk_http_reply_text(req, 401, "authentication required (%s)", why);
}

static void success(struct bsf *b, struct tk_http_req *req, const struct tk_digest *d,
		    struct bsf_challenge *ch)
{
	struct bsf_session s;
	struct tk_digest info;
	char btid[TK_GBA_BTID_MAX], rspauth[TK_DIGEST_HEX_LEN + 1], hdr[512], err[256];
	char *body = NULL;
	size_t len;
	time_t now = time(NULL);
	long life = b->cfg->lifetime;
	int ev;

	/* The GUSS key lifetime, when the HSS gives one, may shorten ours. */
	if (ch->sub->guss.lifetime > 0 && ch->sub->guss.lifetime < life)
		life = ch->sub->guss.lifetime;
	memset(&s, 0, sizeof s);
	s.sub = ch->sub;
	memcpy(s.rand, ch->rand, sizeof s.rand);
	tk_gba_ks(ch->ck, ch->ik, s.ks);
	s.created = now;
	s.expires = now + life;
	if (tk_gba_btid(ch->rand, b->cfg->fqdn, btid, sizeof btid) != 0 ||
	    bsf_bootinfo_render(btid, s.expires, now, &body, &len, err, sizeof err) != 0) {
		bsf_log(BSF_LOG_ERR, "ub: cannot build BootstrappingInfo: %s", err);
		tk_wipe(&s, sizeof s);
		tk_http_reply_text(req, 500, "cannot build BootstrappingInfo");
		return;
	}
	ev = bsf_table_put(b->sessions, btid, now, s.expires, &s);
	tk_wipe(&s, sizeof s);
	if (ev < 0) {
		free(body);
		tk_http_reply_text(req, 503, "out of memory");
		return;
	}
	if (ev > 0)
		bsf_log(BSF_LOG_WARN, "ub: session table full, %d live session(s) evicted", ev);
	tk_digest_rspauth(d, ch->xres, sizeof ch->xres, (const uint8_t *)body, len, rspauth);
	tk_digest_init(&info);
	info.qop = TK_DIGEST_QOP_AUTH_INT;
	info.rspauth = rspauth;
	info.cnonce = d->cnonce;
	info.nc = d->nc;
	if (tk_digest_build(TK_DIGEST_AUTH_INFO, &info, hdr, sizeof hdr) == 0)
		tk_http_add_header(req, "Authentication-Info", hdr);
	bsf_log(BSF_LOG_INFO, "ub %s: %s bootstrapped, B-TID %s, lifetime %ld s", tk_http_peer(req),
		ch->sub->impi, btid, life);
	tk_http_reply(req, 200, "application/vnd.3gpp.bsf+xml", body, len);
	free(body);
}

/* The request URI without its query, compared to the digest uri (which
 * may carry a query; the adapter gives the path without it). */
static bool uri_matches(const char *uri, const char *path)
{
	size_t n = strcspn(uri, "?");

	return strlen(path) == n && strncmp(uri, path, n) == 0;
}

void bsf_ub_handle(void *cls, struct tk_http_req *req)
{
	struct bsf *b = cls;
	const char *method = tk_http_method(req), *path = tk_http_path(req), *auth;
	struct tk_digest d;
	struct bsf_challenge ch;
	const uint8_t *body;
	size_t blen;
	char err[256];
	int rc;

	if (strcmp(path, "/healthz") == 0 && strcmp(method, "GET") == 0) {
		tk_http_reply_text(req, 200, "ok");
		return;
	}
	if (strcmp(method, "GET") != 0) {
		tk_http_add_header(req, "Allow", "GET");
		tk_http_reply_text(req, 405, "Ub bootstrapping uses GET");
		return;
	}
	auth = tk_http_header(req, "Authorization");
	if (!auth) {
		tk_http_reply_text(req, 400, "missing Authorization: Digest header with username = IMPI");
		return;
	}
	rc = tk_digest_parse(TK_DIGEST_CREDENTIALS, auth, strlen(auth), &d);
	if (rc != TK_DIGEST_OK) {
		bsf_log(BSF_LOG_INFO, "ub %s: malformed Authorization: %s", tk_http_peer(req),
			tk_digest_strerror(rc));
		tk_http_reply_text(req, 400, "malformed Authorization header: %s", tk_digest_strerror(rc));
		return;
	}
	if (!uri_matches(d.uri, path)) {
		tk_http_reply_text(req, 400, "digest uri \"%s\" does not match the request path", d.uri);
		return;
	}
	if (d.nonce[0] == 0) {
		challenge(b, req, d.username, "new bootstrap");
		return;
	}
	if (d.alg != TK_DIGEST_ALG_AKAV1_MD5) {
		tk_http_reply_text(req, 400, "algorithm must be AKAv1-MD5");
		return;
	}
	if (d.qop != TK_DIGEST_QOP_AUTH_INT) {
		tk_http_reply_text(req, 400, "qop must be auth-int");
		return;
	}
	if (strcasecmp(d.realm, b->cfg->fqdn) != 0) {
		tk_http_reply_text(req, 400, "realm \"%s\" is not this BSF (%s)", d.realm, b->cfg->fqdn);
		return;
	}
	if (!bsf_table_get(b->challenges, d.nonce, time(NULL), &ch, true)) {
		challenge(b, req, d.username, "unknown, used or expired nonce");
		return;
	}
	body = tk_http_body(req, &blen);
	if (strcmp(ch.sub->impi, d.username) != 0) {
		tk_http_reply_text(req, 403, "username does not match the challenge");
	} else if (d.opaque && strcmp(d.opaque, ch.opaque) != 0) {
		tk_http_reply_text(req, 400, "opaque does not match the challenge");
	} else if (d.has_auts) {
		/* RFC 3310 3.4: the response of a resync request uses "" as password. */
		if (tk_digest_verify(&d, method, (const uint8_t *)"", 0, body, blen) != TK_DIGEST_OK) {
			tk_http_reply_text(req, 403, "digest response of the resynchronisation request does not verify");
		} else if (bsf_store_resync(b->store, ch.sub, ch.rand, d.auts, err, sizeof err) != 0) {
			bsf_log(BSF_LOG_INFO, "ub %s: resync refused: %s", tk_http_peer(req), err);
			tk_http_reply_text(req, 403, "AUTS does not verify");
		} else {
			bsf_log(BSF_LOG_INFO, "ub %s: SQN of %s resynchronised", tk_http_peer(req),
				ch.sub->impi);
			challenge(b, req, d.username, "SQN resynchronised");
		}
	} else if (tk_digest_verify(&d, method, ch.xres, sizeof ch.xres, body, blen) != TK_DIGEST_OK) {
		bsf_log(BSF_LOG_INFO, "ub %s: wrong digest response for %s", tk_http_peer(req),
			ch.sub->impi);
		tk_http_reply_text(req, 403, "digest response does not verify (wrong RES)");
	} else {
		success(b, req, &d, &ch);
	}
	tk_wipe(&ch, sizeof ch);
}
