/*
 * routes.c: request routing and the P-6 verdict -> HTTP table (see routes.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "naf/btid.h"
#include "naf/naf.h"
#include "naf/ua_digest.h"
#include "gba/userpsk.h"
#include "tkmsd/creds.h"
#include "tkmsd/log.h"
#include "tkmsd/routes.h"
#include "util/secret.h"

#define MIKEY_TYPE "application/mikey"
#define RESP_MAX 4096

/* A MIKEY body when the engine formed one, else the reason as text. */
static void reply_mikey_or_text(struct tk_http_req *req, unsigned status, const uint8_t *resp,
				size_t resp_len, const char *reason)
{
	if (resp_len)
		tk_http_reply(req, status, MIKEY_TYPE, resp, resp_len);
	else
		tk_http_reply_text(req, status, "%s", reason);
}

/* With password users, the GBA realm comes first and the users realm
 * second: a client that takes the first Digest challenge (libcurl ignores
 * the others) keeps speaking GBA; a password user's client picks the users
 * realm by name (RFC 7235 lets a client choose among challenges). */
static bool add_users_challenge(const struct tkmsd_routes *r, struct tk_http_req *req,
				bool stale)
{
	char realm[300], nonce[NAF_NONCE_LEN + 1], ch[512];

	if (!r->users.any || !r->users.any(r->users.ctx))
		return true;
	if (tk_users_realm(naf_fqdn(r->naf), realm, sizeof realm) != 0 ||
	    naf_digest_nonce(r->naf, nonce) != 0)
		return false;
	snprintf(ch, sizeof ch, "Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", "
		 "algorithm=MD5%s", realm, nonce, stale ? ", stale=true" : "");
	return tk_http_add_header(req, "WWW-Authenticate", ch) == 0;
}

static bool add_challenge(const struct tkmsd_routes *r, struct tk_http_req *req, bool stale)
{
	char ch[512];

	if (!r->naf || naf_digest_challenge(r->naf, stale, ch, sizeof ch) != 0 ||
	    tk_http_add_header(req, "WWW-Authenticate", ch) != 0)
		return false;
	return add_users_challenge(r, req, stale);
}

static void add_retry_after(struct tk_http_req *req, unsigned s)
{
	char v[16];

	snprintf(v, sizeof v, "%u", s);
	tk_http_add_header(req, "Retry-After", v);
}

/* 401 with the bootstrapping-required Digest challenge (P-6, P-27). */
static void reply_bootstrap(const struct tkmsd_routes *r, struct tk_http_req *req, bool stale,
			    const char *reason)
{
	if (!add_challenge(r, req, stale)) {
		tk_http_reply_text(req, 500, "cannot build a Digest challenge");
		return;
	}
	tk_http_reply_text(req, 401, "%s", reason);
}

/* 503 with Retry-After (P-6). */
static void reply_unavailable(struct tk_http_req *req, unsigned retry_after_s, const char *reason)
{
	add_retry_after(req, retry_after_s);
	tk_http_reply_text(req, 503, "%s", reason);
}

/* Digest of the users realm (creds.h): 1 = not such a credential, 0 with
 * tid filled, or -1 after replying. */
static int users_digest(const struct tkmsd_routes *r, struct tk_http_req *req, const char *auth,
			char *user, size_t cap, struct tkmsd_tid *tid)
{
	int rc;

	if (!r->users.digest)
		return 1;
	rc = r->users.digest(r->users.ctx, r->naf, auth, tk_http_method(req), tk_http_path(req),
			     user, cap);
	switch (rc) {
	case TKMSD_UD_OK:
		tid->kind = TKMSD_TID_USER;
		tid->value = user;
		tid->len = strlen(user);
		return 0;
	case TKMSD_UD_NOT_USERS:
		return 1;
	case TKMSD_UD_MALFORMED:
		tk_http_reply_text(req, 400, "Digest of the users realm: MD5, qop auth and the "
				   "request target as uri are required");
		break;
	case TKMSD_UD_STALE:
		reply_bootstrap(r, req, true, "stale nonce");
		break;
	default:
		reply_bootstrap(r, req, false, "user unknown or password wrong");
		break;
	}
	tkmsd_log(LOG_INFO, "%s %s: Digest of the users realm refused", tk_http_listener(req),
		  tk_http_peer(req));
	return -1;
}

/* The one table of P-6. Where the engine formed a MIKEY Error it is the
 * body (P-6, P-21); otherwise a short text/plain reason. Returns the status
 * sent, for the log. */
static unsigned reply_verdict(const struct tkmsd_routes *r, struct tk_http_req *req,
			      const struct tkmsd_mikey_out *o)
{
	const char *why = o->reason && o->reason[0] ? o->reason : NULL;

	switch (o->verdict) {
	case TKMSD_V_OK:
		tk_http_reply(req, 200, MIKEY_TYPE, o->resp, o->resp_len);
		return 200;
	case TKMSD_V_BAD_REQUEST:
		reply_mikey_or_text(req, 400, o->resp, o->resp_len, why ? why : "bad request");
		return 400;
	case TKMSD_V_BOOTSTRAP:
		if (!add_challenge(r, req, false)) {
			tk_http_reply_text(req, 500, "cannot build a Digest challenge");
			return 500;
		}
		reply_mikey_or_text(req, 401, o->resp, o->resp_len,
				    why ? why : "bootstrapping required");
		return 401;
	case TKMSD_V_FORBIDDEN:
		reply_mikey_or_text(req, 403, o->resp, o->resp_len, why ? why : "forbidden");
		return 403;
	case TKMSD_V_UNAVAILABLE:
		add_retry_after(req, TKMSD_RETRY_AFTER_S);
		reply_mikey_or_text(req, 503, o->resp, o->resp_len, why ? why : "try again later");
		return 503;
	case TKMSD_V_INTERNAL:
	default:
		reply_mikey_or_text(req, 500, o->resp, o->resp_len, "internal error");
		return 500;
	}
}

/* Media type without parameters, compared case-insensitively. */
static bool is_mikey_type(const char *ct)
{
	size_t n = strlen(MIKEY_TYPE);

	if (!ct || strncasecmp(ct, MIKEY_TYPE, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == 0 || *ct == ';';
}

/* Digest on Ua: 0 with tid filled, or -1 after replying. */
static int digest(const struct tkmsd_routes *r, struct tk_http_req *req, tk_ua_id ua,
		  const char *auth, struct naf_key *key, char btid[NAF_BTID_MAX + 1],
		  struct tkmsd_tid *tid)
{
	size_t blen;
	const uint8_t *body = tk_http_body(req, &blen);
	int rc = naf_digest_check(r->naf, auth, strlen(auth), tk_http_method(req),
				  tk_http_path(req), body, blen, ua, key, btid);

	switch (rc) {
	case NAF_DIGEST_OK:
		tid->kind = TKMSD_TID_DIGEST_BTID;
		tid->value = btid;
		tid->len = strlen(btid);
		naf_key_clear(key); /* the engine fetches its own Ua 0100000006 key */
		return 0;
	case NAF_DIGEST_FORBIDDEN:
		tk_http_reply_text(req, 403, "the BSF does not authorise this KMS for the subscriber");
		break;
	case NAF_DIGEST_UNAVAILABLE:
		reply_unavailable(req, TKMSD_RETRY_AFTER_S, "BSF unavailable");
		break;
	case NAF_DIGEST_STALE:
		reply_bootstrap(r, req, true, "stale nonce");
		break;
	default:
		reply_bootstrap(r, req, false, naf_digest_result_str(rc));
		break;
	}
	tkmsd_log(LOG_INFO, "%s %s: Digest refused: %s (%s)", tk_http_listener(req),
		  tk_http_peer(req), naf_digest_result_str(rc), key->detail);
	return -1;
}

static void route_mikey(const struct tkmsd_routes *r, struct tk_http_req *req)
{
	const struct tk_http_tls *tls = tk_http_tls(req);
	const char *auth = tk_http_header(req, "Authorization");
	struct tkmsd_tid tid = { TKMSD_TID_NONE, NULL, 0 };
	struct tkmsd_mikey_out out;
	struct naf_key key;
	char btid[NAF_BTID_MAX + 1];
	uint8_t resp[RESP_MAX]; /* the adapter copies the reply */
	const uint8_t *body;
	size_t len;
	unsigned status;
	int rc;

	if (strcmp(tk_http_method(req), "POST") != 0) {
		tk_http_add_header(req, "Allow", "POST");
		tk_http_reply_text(req, 405, "use POST with a MIKEY message (P-5)");
		return;
	}
	if (!is_mikey_type(tk_http_header(req, "Content-Type"))) {
		tk_http_reply_text(req, 415, "the body must be " MIKEY_TYPE " (P-5)");
		return;
	}
	memset(&key, 0, sizeof key);
	switch (tls->mode) {
	case TK_HTTP_PSK: {
		const char *b;
		size_t bl;
		if (!tls->psk_identity ||
		    !naf_psk_identity_btid(tls->psk_identity, strlen(tls->psk_identity), &b, &bl) ||
		    bl > NAF_BTID_MAX) {
			tk_http_reply_text(req, 500, "PSK identity missing");
			return;
		}
		memcpy(btid, b, bl);
		btid[bl] = 0;
		tid.kind = TKMSD_TID_PSK_BTID;
		tid.value = btid;
		tid.len = bl;
		break;
	}
	case TK_HTTP_HTTPS:
		if (tls->client_dn && !auth) {
			tid.kind = TKMSD_TID_CLIENT_CERT;
			tid.value = tls->client_dn;
			tid.len = strlen(tls->client_dn);
			break;
		}
		if (!auth) {
			reply_bootstrap(r, req, false, "GBA Digest authentication required");
			return;
		}
		rc = users_digest(r, req, auth, btid, sizeof btid, &tid);
		if (rc < 0)
			return;
		if (rc == 0)
			break;
		if (digest(r, req, tk_ua_id_tls((uint16_t)(tls->suite[0] << 8 | tls->suite[1])),
			   auth, &key, btid, &tid) != 0)
			return;
		break;
	case TK_HTTP_PLAIN:
	default:
		if (auth && digest(r, req, TK_UA_HTTP_DIGEST, auth, &key, btid, &tid) != 0)
			return;
		break;
	}
	memset(&out, 0, sizeof out);
	out.resp = resp;
	out.resp_cap = sizeof resp;
	out.verdict = TKMSD_V_INTERNAL;
	body = tk_http_body(req, &len);
	r->mikey.handle(r->mikey.ctx, body, len, &tid, &out);
	if (out.resp_len > out.resp_cap) {
		out.verdict = TKMSD_V_INTERNAL;
		out.resp_len = 0;
	}
	status = reply_verdict(r, req, &out);
	tkmsd_log(out.verdict == TKMSD_V_OK ? LOG_DEBUG : LOG_INFO,
		  "%s %s POST /mikey (%zu octets, %s%s): %u %s", tk_http_listener(req),
		  tk_http_peer(req), len, tid.kind == TKMSD_TID_NONE ? "no transport identity" :
		  tid.kind == TKMSD_TID_CLIENT_CERT ? "client certificate " :
		  tid.kind == TKMSD_TID_USER ? "user " : "B-TID ",
		  tid.value ? tid.value : "", status,
		  out.reason ? out.reason : "");
	tk_wipe(resp, sizeof resp);
}

void tkmsd_route(void *cls, struct tk_http_req *req)
{
	const struct tkmsd_routes *r = cls;
	const char *path = tk_http_path(req), *m = tk_http_method(req);

	if (strcmp(path, "/mikey") == 0) {
		route_mikey(r, req);
		return;
	}
	if (strcmp(path, "/healthz") == 0) {
		if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
			tk_http_add_header(req, "Allow", "GET, HEAD");
			tk_http_reply_text(req, 405, "use GET");
			return;
		}
		tk_http_reply_text(req, 200, "ok");
		return;
	}
	tk_http_reply_text(req, 404, "no such resource (POST /mikey, GET /healthz)");
}
