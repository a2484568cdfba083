/*
 * ua_digest.c: stateless Digest nonces, the bootstrapping-required challenge
 * and the check of GBA Digest credentials (see ua_digest.h; TS 33.222 5.3,
 * profile P-1, P-6, P-27).
 */
#include "naf/ua_digest.h"

#include <gnutls/crypto.h>
#include <stdio.h>
#include <string.h>

#include "gba/digest.h"
#include "naf/naf_int.h"
#include "util/hexb64.h"
#include "util/secret.h"

#define NONCE_RAW 32
#define NONCE_TAG 16
#define NONCE_SKEW 60 /* seconds a nonce may seem to come from the future */

const char *naf_digest_result_str(int r)
{
	switch (r) {
	case NAF_DIGEST_OK: return "ok";
	case NAF_DIGEST_MALFORMED: return "malformed credentials";
	case NAF_DIGEST_WRONG_REALM: return "wrong realm";
	case NAF_DIGEST_BAD_NONCE: return "nonce not issued by this NAF";
	case NAF_DIGEST_STALE: return "stale nonce";
	case NAF_DIGEST_NO_KEY: return "no key for this B-TID";
	case NAF_DIGEST_FORBIDDEN: return "NAF not authorized for this subscriber";
	case NAF_DIGEST_MISMATCH: return "wrong digest response";
	case NAF_DIGEST_UNAVAILABLE: return "BSF unavailable";
	default: return "unknown result";
	}
}

static int nonce_tag(const struct naf *naf, const uint8_t tr[16], uint8_t tag[NONCE_TAG])
{
	gnutls_hmac_hd_t h;
	uint8_t mac[32];
	const char *realm = naf_realm(naf);

	if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, naf_nonce_key(naf), NAF_NONCE_KEY_LEN) < 0)
		return -1;
	gnutls_hmac(h, "tkms-nonce", 10);
	gnutls_hmac(h, tr, 16);
	gnutls_hmac(h, realm, strlen(realm));
	gnutls_hmac_deinit(h, mac);
	memcpy(tag, mac, NONCE_TAG);
	return 0;
}

int naf_digest_nonce(const struct naf *naf, char out[NAF_NONCE_LEN + 1])
{
	uint8_t raw[NONCE_RAW];
	uint64_t t = (uint64_t)(naf_now_ms() / 1000);

	for (int i = 0; i < 8; i++)
		raw[i] = (uint8_t)(t >> (56 - 8 * i));
	if (gnutls_rnd(GNUTLS_RND_NONCE, raw + 8, 8) < 0 || nonce_tag(naf, raw, raw + 16) < 0)
		return -1;
	tk_b64_encode(raw, sizeof raw, out);
	return 0;
}

int naf_digest_nonce_check(const struct naf *naf, const char *nonce, size_t len)
{
	uint8_t raw[NONCE_RAW + 1], tag[NONCE_TAG];
	int64_t now = naf_now_ms() / 1000, t = 0;

	if (len != NAF_NONCE_LEN || tk_b64_decode(nonce, len, raw, sizeof raw) != NONCE_RAW ||
	    nonce_tag(naf, raw, tag) < 0 || !tk_ct_equal(tag, raw + 16, NONCE_TAG))
		return NAF_DIGEST_BAD_NONCE;
	for (int i = 0; i < 8; i++)
		t = (t << 8) | raw[i];
	if (t > now + NONCE_SKEW || now - t > (int64_t)naf_nonce_ttl(naf))
		return NAF_DIGEST_STALE;
	return NAF_DIGEST_OK;
}

int naf_digest_challenge(const struct naf *naf, bool stale, char *out, size_t cap)
{
	char nonce[NAF_NONCE_LEN + 1];
	struct tk_digest d;

	if (naf_digest_nonce(naf, nonce) < 0)
		return -1;
	tk_digest_init(&d);
	d.realm = naf_realm(naf);
	d.nonce = nonce;
	d.qop = TK_DIGEST_QOP_AUTH;
	d.alg = TK_DIGEST_ALG_MD5;
	d.stale = stale;
	return tk_digest_build(TK_DIGEST_CHALLENGE, &d, out, cap) == TK_DIGEST_OK ? 0 : -1;
}

static int fail(struct naf_key *key, int r, const char *why)
{
	naf_key_clear(key);
	snprintf(key->detail, sizeof key->detail, "%s", why);
	return r;
}

int naf_digest_check(struct naf *naf, const char *hdr, size_t len, const char *method,
		     const char *uri, const uint8_t *body, size_t body_len, tk_ua_id ua,
		     struct naf_key *key, char btid[NAF_BTID_MAX + 1])
{
	struct tk_digest d;
	char pw[TK_GBA_KEY_LEN * 2];
	size_t ulen;
	int r, st;

	memset(key, 0, sizeof *key);
	btid[0] = '\0';
	if (tk_digest_parse(TK_DIGEST_CREDENTIALS, hdr, len, &d) != TK_DIGEST_OK)
		return fail(key, NAF_DIGEST_MALFORMED, "Authorization is not valid Digest");
	if (d.alg != TK_DIGEST_ALG_ABSENT && d.alg != TK_DIGEST_ALG_MD5)
		return fail(key, NAF_DIGEST_MALFORMED, "algorithm must be MD5");
	if (d.qop != TK_DIGEST_QOP_AUTH && d.qop != TK_DIGEST_QOP_AUTH_INT)
		return fail(key, NAF_DIGEST_MALFORMED, "qop auth or auth-int required");
	if (!uri || strcmp(d.uri, uri) != 0)
		return fail(key, NAF_DIGEST_MALFORMED, "uri differs from the request target");
	if (strcmp(d.realm, naf_realm(naf)) != 0)
		return fail(key, NAF_DIGEST_WRONG_REALM, "not the bootstrapping realm");
	/* our nonce before any Zn traffic: junk never reaches the BSF */
	r = naf_digest_nonce_check(naf, d.nonce, strlen(d.nonce));
	if (r != NAF_DIGEST_OK)
		return fail(key, r, naf_digest_result_str(r));
	ulen = strlen(d.username);
	st = naf_get_key(naf, d.username, ulen, ua, key);
	switch (st) {
	case NAF_OK:
		break;
	case NAF_NOT_FOUND:
	case NAF_BAD_BTID:
		return fail(key, NAF_DIGEST_NO_KEY, naf_status_str(st));
	case NAF_NOT_AUTHORIZED:
		return fail(key, NAF_DIGEST_FORBIDDEN, naf_status_str(st));
	default:
		return fail(key, NAF_DIGEST_UNAVAILABLE, naf_status_str(st));
	}
	tk_b64_encode(key->ks_naf, NAF_KEY_LEN, pw);
	r = tk_digest_verify(&d, method, (const uint8_t *)pw, strlen(pw), body, body_len);
	tk_wipe(pw, sizeof pw);
	if (r != TK_DIGEST_OK)
		return fail(key, NAF_DIGEST_MISMATCH, "wrong digest response");
	memcpy(btid, d.username, ulen + 1);
	return NAF_DIGEST_OK;
}
