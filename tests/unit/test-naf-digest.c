/*
 * test-naf-digest.c: GBA HTTP Digest on Ua at the NAF (naf/ua_digest.h;
 * TS 33.222 5.3, profile P-1, P-27): the bootstrapping-required challenge,
 * stateless nonces (ours, forged, another NAF's, a cluster's, stale) and the
 * check of credentials (good, wrong password, wrong realm, wrong uri, wrong
 * algorithm, auth-int body, unknown and unauthorized B-TIDs).  Keys come
 * over HTTP from the in-process Zn peer.
 */
#include <string.h>
#include <unistd.h>

#include "gba/digest.h"
#include "naf/ua_digest.h"
#include "naf_zn_peer.h"
#include "tk_test.h"
#include "util/hexb64.h"

static struct zn_peer *peer;
static const uint8_t secret[32] = "cluster-wide nonce secret 0123";

static struct naf *mk(const char *fqdn, bool shared, unsigned ttl)
{
	struct naf_config c = { .fqdn = fqdn, .zn_url = zn_peer_url(peer), .token = "tok",
				.nonce_ttl_s = ttl };
	char err[128];
	struct naf *n;

	if (shared) {
		c.nonce_secret = secret;
		c.nonce_secret_len = sizeof secret;
	}
	n = naf_new(&c, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	return n;
}

/* What a UE sends: credentials for btid with password base64(Ks_NAF) as the
 * peer derives it for fqdn_for_key. */
static void creds(const char *btid, const char *realm, const char *nonce, const char *uri,
		  unsigned qop, const char *fqdn_for_key, const uint8_t *body, size_t blen,
		  char *out, size_t cap)
{
	struct tk_digest d;
	uint8_t key[32];
	char pw[45], resp[TK_DIGEST_HEX_LEN + 1];

	zn_peer_key(btid, fqdn_for_key, "0100000002", key);
	tk_b64_encode(key, 32, pw);
	tk_digest_init(&d);
	d.username = btid;
	d.realm = realm;
	d.nonce = nonce;
	d.uri = uri;
	d.qop = qop;
	if (qop) {
		d.nc = 1;
		d.cnonce = "0a4f113b";
	}
	d.alg = TK_DIGEST_ALG_MD5;
	CU_ASSERT_EQUAL_FATAL(tk_digest_response(&d, "POST", (uint8_t *)pw, strlen(pw), body, blen,
						 resp), TK_DIGEST_OK);
	d.response = resp;
	CU_ASSERT_EQUAL_FATAL(tk_digest_build(TK_DIGEST_CREDENTIALS, &d, out, cap), TK_DIGEST_OK);
}

static int check(struct naf *n, const char *hdr, const char *uri, const uint8_t *body,
		 size_t blen, struct naf_key *k, char *btid)
{
	return naf_digest_check(n, hdr, strlen(hdr), "POST", uri, body, blen, TK_UA_HTTP_DIGEST,
				k, btid);
}

static const char *B = "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net";
#define REALM "3GPP-bootstrapping@kms.test"

static void test_challenge(void)
{
	struct naf *n = mk("kms.test", false, 0);
	struct tk_digest d;
	char ch[512];

	CU_ASSERT_EQUAL_FATAL(naf_digest_challenge(n, false, ch, sizeof ch), 0);
	CU_ASSERT(strncmp(ch, "Digest ", 7) == 0);
	CU_ASSERT_EQUAL_FATAL(tk_digest_parse(TK_DIGEST_CHALLENGE, ch, strlen(ch), &d), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(d.realm, REALM);
	CU_ASSERT_EQUAL(d.qop, TK_DIGEST_QOP_AUTH);
	CU_ASSERT_FALSE(d.stale);
	CU_ASSERT_EQUAL(strlen(d.nonce), NAF_NONCE_LEN);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(n, d.nonce, strlen(d.nonce)), NAF_DIGEST_OK);
	CU_ASSERT_EQUAL_FATAL(naf_digest_challenge(n, true, ch, sizeof ch), 0);
	CU_ASSERT_EQUAL_FATAL(tk_digest_parse(TK_DIGEST_CHALLENGE, ch, strlen(ch), &d), TK_DIGEST_OK);
	CU_ASSERT(d.stale);
	naf_free(n);
}

static void test_nonce(void)
{
	struct naf *a = mk("kms.test", false, 0), *b = mk("kms.test", false, 0);
	struct naf *c1 = mk("kms.test", true, 0), *c2 = mk("kms.test", true, 0);
	struct naf *other = mk("other.test", true, 0), *quick = mk("kms.test", false, 1);
	char na[NAF_NONCE_LEN + 1], nc[NAF_NONCE_LEN + 1], nq[NAF_NONCE_LEN + 1], bad[NAF_NONCE_LEN + 1];

	naf_digest_nonce(a, na);
	naf_digest_nonce(c1, nc);
	naf_digest_nonce(quick, nq);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(a, na, NAF_NONCE_LEN), NAF_DIGEST_OK);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(b, na, NAF_NONCE_LEN), NAF_DIGEST_BAD_NONCE);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(c2, nc, NAF_NONCE_LEN), NAF_DIGEST_OK);
	/* the realm is inside the tag: same secret, other FQDN */
	CU_ASSERT_EQUAL(naf_digest_nonce_check(other, nc, NAF_NONCE_LEN), NAF_DIGEST_BAD_NONCE);
	/* one flipped character */
	memcpy(bad, na, sizeof bad);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(naf_digest_nonce_check(a, bad, NAF_NONCE_LEN), NAF_DIGEST_BAD_NONCE);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(a, na, NAF_NONCE_LEN - 1), NAF_DIGEST_BAD_NONCE);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(a, "", 0), NAF_DIGEST_BAD_NONCE);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(a, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
					       NAF_NONCE_LEN), NAF_DIGEST_BAD_NONCE);
	sleep(2);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(quick, nq, NAF_NONCE_LEN), NAF_DIGEST_STALE);
	CU_ASSERT_EQUAL(naf_digest_nonce_check(a, na, NAF_NONCE_LEN), NAF_DIGEST_OK);
	naf_free(a);
	naf_free(b);
	naf_free(c1);
	naf_free(c2);
	naf_free(other);
	naf_free(quick);
}

static void test_check(void)
{
	struct naf *n = mk("kms.test", false, 0);
	char nonce[NAF_NONCE_LEN + 1], hdr[1024], btid[NAF_BTID_MAX + 1];
	struct naf_key k;
	const uint8_t body[] = "mikey-bytes";
	uint8_t want[32];

	naf_digest_nonce(n, nonce);
	creds(B, REALM, nonce, "/mikey", TK_DIGEST_QOP_AUTH, "kms.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(btid, B);
	zn_peer_key(B, "kms.test", "0100000002", want);
	CU_ASSERT(memcmp(k.ks_naf, want, 32) == 0);
	CU_ASSERT_STRING_EQUAL(k.ids->impi, "user@test");
	naf_key_clear(&k);

	/* auth-int covers the body */
	creds(B, REALM, nonce, "/mikey", TK_DIGEST_QOP_AUTH_INT, "kms.test", body, sizeof body,
	      hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", body, sizeof body, &k, btid), NAF_DIGEST_OK);
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", body, sizeof body - 1, &k, btid), NAF_DIGEST_MISMATCH);

	/* wrong password: a key for another NAF */
	creds(B, REALM, nonce, "/mikey", TK_DIGEST_QOP_AUTH, "evil.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_MISMATCH);
	CU_ASSERT_PTR_NULL(k.ids);
	CU_ASSERT_EQUAL(k.ks_naf[0] | k.ks_naf[1] | k.ks_naf[31], 0);
	CU_ASSERT_STRING_EQUAL(btid, "");

	/* wrong realm */
	creds(B, "3GPP-bootstrapping@evil.test", nonce, "/mikey", TK_DIGEST_QOP_AUTH, "kms.test",
	      NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_WRONG_REALM);
	creds(B, "3GPP-bootstrapping-uicc@kms.test", nonce, "/mikey", TK_DIGEST_QOP_AUTH,
	      "kms.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_WRONG_REALM);

	/* uri of another request */
	creds(B, REALM, nonce, "/other", TK_DIGEST_QOP_AUTH, "kms.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_MALFORMED);

	/* forged nonce */
	creds(B, REALM, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "/mikey",
	      TK_DIGEST_QOP_AUTH, "kms.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_BAD_NONCE);

	/* unknown / unauthorized B-TIDs, malformed B-TID as username */
	creds("NFAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net", REALM, nonce, "/mikey", TK_DIGEST_QOP_AUTH,
	      "kms.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_NO_KEY);
	creds("FBAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net", REALM, nonce, "/mikey", TK_DIGEST_QOP_AUTH,
	      "kms.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_FORBIDDEN);
	creds("alice@home1.net", REALM, nonce, "/mikey", TK_DIGEST_QOP_AUTH, "kms.test", NULL, 0,
	      hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_NO_KEY);

	/* no qop (RFC 2069 style), AKA algorithm, garbage */
	creds(B, REALM, nonce, "/mikey", 0, "kms.test", NULL, 0, hdr, sizeof hdr);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_MALFORMED);
	snprintf(hdr, sizeof hdr, "Digest username=\"%s\", realm=\"" REALM "\", nonce=\"%s\", "
		 "uri=\"/mikey\", response=\"00000000000000000000000000000000\", qop=auth, "
		 "nc=00000001, cnonce=\"x\", algorithm=AKAv1-MD5", B, nonce);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_MALFORMED);
	CU_ASSERT_EQUAL(check(n, "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "/mikey", NULL, 0, &k, btid),
			NAF_DIGEST_MALFORMED);
	CU_ASSERT_EQUAL(check(n, "Digest username=\"a\r\n\"", "/mikey", NULL, 0, &k, btid),
			NAF_DIGEST_MALFORMED);
	CU_ASSERT_EQUAL(check(n, "", "/mikey", NULL, 0, &k, btid), NAF_DIGEST_MALFORMED);
	naf_free(n);
}

static void test_stale(void)
{
	struct naf *n = mk("kms.test", false, 1);
	char nonce[NAF_NONCE_LEN + 1], hdr[1024], btid[NAF_BTID_MAX + 1];
	struct naf_key k;
	unsigned r0;

	naf_digest_nonce(n, nonce);
	creds(B, REALM, nonce, "/mikey", TK_DIGEST_QOP_AUTH, "kms.test", NULL, 0, hdr, sizeof hdr);
	sleep(2);
	r0 = zn_peer_requests(peer);
	CU_ASSERT_EQUAL(check(n, hdr, "/mikey", NULL, 0, &k, btid), NAF_DIGEST_STALE);
	CU_ASSERT_EQUAL(zn_peer_requests(peer), r0); /* no Zn traffic for it */
	naf_free(n);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_challenge), TK_TEST(test_nonce), TK_TEST(test_check), TK_TEST(test_stale),
		{ 0 },
	};
	int rc;

	peer = zn_peer_start();
	if (!peer)
		return 2;
	rc = tk_test_run("naf-digest", tests);
	zn_peer_stop(peer);
	return rc;
}
