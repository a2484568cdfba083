/*
 * ua_digest.h: GBA HTTP Digest on Ua as the NAF runs it (TS 33.222 5.3,
 * 24.109 5.2; gba.md 2.3, 4.4; profile P-1, P-6, P-27):
 *
 *  - the bootstrapping-required challenge: `Digest realm="3GPP-bootstrapping@
 *    <naf fqdn>", nonce="...", qop="auth", algorithm=MD5` (P-27);
 *  - the check of an Authorization header: username = B-TID, password =
 *    base64(Ks_NAF) as ASCII text, realm as above, qop auth or auth-int,
 *    algorithm MD5 (or absent), uri equal to the request target.
 *
 * Nonces are stateless: base64(t || r || tag), t = issue time (8 octets,
 * seconds, big-endian), r = 8 random octets, tag = the first 16 octets of
 * HMAC-SHA-256(nonce key, "tkms-nonce" || t || r || realm).  A nonce is
 * ours when its tag verifies (constant time) and fresh while t is within
 * the nonce lifetime (config nonce_ttl_s, default 300 s); an old one gets a
 * new challenge with stale=true, so the client retries without the user.
 * Several KMS instances that share the nonce secret accept each other's
 * nonces.
 *
 * Replay: without a nonce table, nc is not tracked, so a captured request
 * could be replayed while its nonce is fresh.  This is acceptable here
 * because Digest on Ua runs inside server-authenticated TLS (P-1, the lab
 * plain-HTTP listener being off by default) where nothing can be captured,
 * and every MIKEY message carries its own timestamp, MAC and replay check
 * (P-2, P-9), which is what authorises anything at the KMS.
 */
#ifndef NAF_UA_DIGEST_H
#define NAF_UA_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naf/naf.h"

#define NAF_REALM_PREFIX "3GPP-bootstrapping@"
#define NAF_NONCE_LEN 44 /* base64 of 32 octets, without NUL */

enum naf_digest_result {
	NAF_DIGEST_OK = 0,
	NAF_DIGEST_MALFORMED,   /* not parseable, wrong algorithm/qop, uri mismatch -> 400/401 */
	NAF_DIGEST_WRONG_REALM, /* not our bootstrapping realm -> 401 */
	NAF_DIGEST_BAD_NONCE,   /* not a nonce this NAF (or its cluster) issued -> 401 */
	NAF_DIGEST_STALE,       /* our nonce, too old -> 401 with stale=true */
	NAF_DIGEST_NO_KEY,      /* B-TID malformed, unknown or expired -> 401 (bootstrap again) */
	NAF_DIGEST_FORBIDDEN,   /* the BSF does not authorise this NAF for the user -> 403 */
	NAF_DIGEST_MISMATCH,    /* wrong response (wrong key) -> 401 */
	NAF_DIGEST_UNAVAILABLE, /* Zn failed -> 503 */
};

const char *naf_digest_result_str(int r);

/* A fresh nonce (NAF_NONCE_LEN chars + NUL) issued now. */
int naf_digest_nonce(const struct naf *naf, char out[NAF_NONCE_LEN + 1]);

/* Is nonce ours (NAF_DIGEST_OK), forged (BAD_NONCE) or too old (STALE)? */
int naf_digest_nonce_check(const struct naf *naf, const char *nonce, size_t len);

/* The WWW-Authenticate value of a 401 (P-27), with stale=true on request. */
int naf_digest_challenge(const struct naf *naf, bool stale, char *out, size_t cap);

/* Check the Authorization value hdr[0..len) of a request (method, request
 * target uri, body for auth-int) whose NAF key uses Ua id `ua` (0100000002
 * on plain HTTP, 010001yyzz inside TLS, P-1).  On NAF_DIGEST_OK, *key holds
 * the key and identities (release with naf_key_clear) and btid the
 * authenticated B-TID (P-2 compares it with IDRpsk).  On any other result
 * *key holds nothing; key->detail says why. */
int naf_digest_check(struct naf *naf, const char *hdr, size_t len, const char *method,
		     const char *uri, const uint8_t *body, size_t body_len, tk_ua_id ua,
		     struct naf_key *key, char btid[NAF_BTID_MAX + 1]);

#endif
