/*
 * test-mpk.c: the PK variants of mprotect.h (REQUEST_INIT_PK,
 * RESOLVE_INIT_PK): SIGN over the 5.6 coverage in both S types, PKE of
 * env_key, and refusals of an altered signature, message, identity, PKE
 * or key; rows C/D key sets from env_key.
 */
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "tk_test.h"
#include "codec-samples.h"

static gnutls_privkey_t ue_key, kms_key, other_key;
static gnutls_pubkey_t ue_pub, kms_pub, other_pub;

static void gen(gnutls_privkey_t *k, gnutls_pubkey_t *p, unsigned bits)
{
	CU_ASSERT_FATAL(gnutls_privkey_init(k) == 0);
	CU_ASSERT_FATAL(gnutls_privkey_generate(*k, GNUTLS_PK_RSA, bits, 0) == 0);
	CU_ASSERT_FATAL(gnutls_pubkey_init(p) == 0);
	CU_ASSERT_FATAL(gnutls_pubkey_import_privkey(*p, *k, 0, 0) == 0);
}

static void keys(void)
{
	if (ue_key)
		return;
	gen(&ue_key, &ue_pub, 2048);
	gen(&kms_key, &kms_pub, 2048);
	gen(&other_key, &other_pub, 3072);
}

static const uint8_t env_key[MK_ENV_KEY_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

/* A signed PK message of type dt into buf; *m describes it (parsed). */
static void make(uint8_t dt, uint8_t s_type, gnutls_privkey_t *keyp, uint8_t *buf,
		 size_t cap, size_t *len, struct mk_msg *m)
{
	static uint8_t pke[1024];
	size_t pn = 0;
	gnutls_privkey_t key;

	keys();
	key = *keyp;
	smp_msg(m, dt, true);
	m->pke.cache = MK_PKE_NO_CACHE;
	CU_ASSERT_FATAL(mk_pke_seal(kms_pub, env_key, pke, sizeof(pke), &pn) == MK_OK);
	CU_ASSERT(pn == 256);
	m->pke.data = (struct mk_bytes){ pke, pn };
	m->sign.s_type = s_type;
	m->sign.sig = (struct mk_bytes){ NULL, mk_sign_len(key) };
	CU_ASSERT_FATAL(mk_build(m, buf, cap, len) == MK_OK);
	CU_ASSERT_FATAL(mk_msg_sign(buf, m, key, NULL) == MK_OK);
	CU_ASSERT_FATAL(mk_parse(buf, *len, m) == MK_OK);
}

static void round_trip(uint8_t dt, uint8_t s_type)
{
	uint8_t buf[4096], ek[MK_ENV_KEY_LEN];
	struct mk_msg m;
	size_t len = 0;

	make(dt, s_type, &ue_key, buf, sizeof(buf), &len, &m);
	CU_ASSERT(m.sign.sig.n == 256);
	CU_ASSERT(mk_msg_verify_sign(&m, ue_pub, NULL) == MK_OK);
	CU_ASSERT(mk_msg_verify_sign(&m, other_pub, NULL) == MK_ERR_SIGN);
	CU_ASSERT(mk_msg_verify_sign(&m, kms_pub, NULL) == MK_ERR_SIGN);
	CU_ASSERT(mk_pke_open(kms_key, &m.pke, ek) == MK_OK);
	CU_ASSERT(memcmp(ek, env_key, sizeof(ek)) == 0);
	CU_ASSERT(mk_pke_open(ue_key, &m.pke, ek) == MK_ERR_PKE);
}

static void test_request_pkcs1(void) { round_trip(MK_DT_REQUEST_INIT_PK, MK_SIGN_RSA_PKCS1); }
static void test_request_pss(void) { round_trip(MK_DT_REQUEST_INIT_PK, MK_SIGN_RSA_PSS); }
static void test_resolve_pkcs1(void) { round_trip(MK_DT_RESOLVE_INIT_PK, MK_SIGN_RSA_PKCS1); }
static void test_resolve_pss(void) { round_trip(MK_DT_RESOLVE_INIT_PK, MK_SIGN_RSA_PSS); }

/* Every octet of the message is covered: flipping any one of them (outside
 * the signature itself) makes verification fail, whether it still parses or
 * not; flipping a signature octet fails too. */
static void test_every_octet(void)
{
	uint8_t buf[4096], bad[4096];
	struct mk_msg m, b;
	size_t len = 0, i, checked = 0;

	make(MK_DT_REQUEST_INIT_PK, MK_SIGN_RSA_PKCS1, &ue_key, buf, sizeof(buf), &len, &m);
	for (i = 0; i < len; i += (i < m.sign.sig_off ? 1 : 17)) {
		memcpy(bad, buf, len);
		bad[i] ^= 0x01;
		if (mk_parse(bad, len, &b) != MK_OK)
			continue;
		checked++;
		CU_ASSERT(mk_msg_verify_sign(&b, ue_pub, NULL) == MK_ERR_SIGN);
	}
	CU_ASSERT(checked > len / 2);
}

/* The identity suffix is covered: an implied IDRi that differs fails. */
static void test_identity_suffix(void)
{
	uint8_t buf[4096];
	struct mk_msg m;
	struct mk_ids ids;
	size_t len = 0;

	keys();
	smp_msg(&m, MK_DT_REQUEST_INIT_PK, false);
	m.idr[MK_IDR_I].pl.present = false;
	m.idr[MK_IDR_KMS].pl.present = false;
	m.sign.sig = (struct mk_bytes){ NULL, mk_sign_len(ue_key) };
	CU_ASSERT_FATAL(mk_build(&m, buf, sizeof(buf), &len) == MK_OK);
	/* no identity known: refused */
	CU_ASSERT(mk_msg_sign(buf, &m, ue_key, NULL) == MK_ERR_MISSING_PAYLOAD);
	memset(&ids, 0, sizeof(ids));
	ids.i = (struct mk_bytes){ (const uint8_t *)"sip:alice@home1.net", 19 };
	ids.kms = (struct mk_bytes){ (const uint8_t *)"kms.home1.net", 13 };
	CU_ASSERT_FATAL(mk_msg_sign(buf, &m, ue_key, &ids) == MK_OK);
	CU_ASSERT_FATAL(mk_parse(buf, len, &m) == MK_OK);
	CU_ASSERT(mk_msg_verify_sign(&m, ue_pub, &ids) == MK_OK);
	ids.i = (struct mk_bytes){ (const uint8_t *)"sip:mallory@home1.net", 21 };
	CU_ASSERT(mk_msg_verify_sign(&m, ue_pub, &ids) == MK_ERR_SIGN);
	ids.i = (struct mk_bytes){ (const uint8_t *)"sip:alice@home1.net", 19 };
	ids.kms = (struct mk_bytes){ (const uint8_t *)"kms.other.net", 13 };
	CU_ASSERT(mk_msg_verify_sign(&m, ue_pub, &ids) == MK_ERR_SIGN);
}

static void test_pke_tampered(void)
{
	uint8_t buf[4096], ek[MK_ENV_KEY_LEN];
	struct mk_msg m;
	struct mk_pke p;
	uint8_t ct[512];
	size_t len = 0, i;

	make(MK_DT_RESOLVE_INIT_PK, MK_SIGN_RSA_PKCS1, &ue_key, buf, sizeof(buf), &len, &m);
	for (i = 0; i < m.pke.data.n; i += 37) {
		p = m.pke;
		memcpy(ct, p.data.p, p.data.n);
		ct[i] ^= 0x80;
		p.data.p = ct;
		memset(ek, 0xee, sizeof(ek));
		CU_ASSERT(mk_pke_open(kms_key, &p, ek) == MK_ERR_PKE);
	}
	p = m.pke;
	p.data.n--;
	CU_ASSERT(mk_pke_open(kms_key, &p, ek) == MK_ERR_PKE);
	p.pl.present = false;
	CU_ASSERT(mk_pke_open(kms_key, &p, ek) == MK_ERR_PKE);
}

/* Bad arguments: wrong signature length, unknown S type, PSK message. */
static void test_bad_args(void)
{
	uint8_t buf[4096];
	struct mk_msg m;
	size_t len = 0;

	keys();
	smp_msg(&m, MK_DT_REQUEST_INIT_PK, true);
	m.sign.sig = (struct mk_bytes){ NULL, 255 };
	CU_ASSERT_FATAL(mk_build(&m, buf, sizeof(buf), &len) == MK_OK);
	CU_ASSERT(mk_msg_sign(buf, &m, ue_key, NULL) == MK_ERR_BAD_ARG);
	smp_msg(&m, MK_DT_REQUEST_INIT_PK, true);
	m.sign.s_type = MK_SIGN_ECCSI;
	m.sign.sig = (struct mk_bytes){ NULL, 256 };
	CU_ASSERT_FATAL(mk_build(&m, buf, sizeof(buf), &len) == MK_OK);
	CU_ASSERT(mk_msg_sign(buf, &m, ue_key, NULL) == MK_ERR_BAD_ARG);
	CU_ASSERT(mk_msg_verify_sign(&m, ue_pub, NULL) == MK_ERR_SIGN);
	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, true);
	CU_ASSERT_FATAL(mk_build(&m, buf, sizeof(buf), &len) == MK_OK);
	CU_ASSERT(mk_msg_verify_sign(&m, ue_pub, NULL) == MK_ERR_SIGN);
	CU_ASSERT(mk_sign_len(NULL) == 0);
}

/* Rows C/D from env_key: the KMS's REQUEST_RESP keys equal what the UE
 * derives for it, and the PK message's own (row C) set uses the MAC of its
 * PRF's set. */
static void test_keysets(void)
{
	uint8_t buf[4096], rbuf[2048];
	struct mk_msg m, r;
	struct mk_keyset kin, a, b;
	size_t len = 0, rlen = 0;

	make(MK_DT_REQUEST_INIT_PK, MK_SIGN_RSA_PKCS1, &ue_key, buf, sizeof(buf), &len, &m);
	CU_ASSERT(mk_msg_keyset(&kin, &m, NULL, env_key, sizeof(env_key)) == MK_OK);
	CU_ASSERT(kin.mac == MK_MAC_HMAC_SHA256_256 && kin.encr == MK_ENCR_AES_CM_256);
	smp_msg(&r, MK_DT_REQUEST_RESP, true);
	CU_ASSERT_FATAL(mk_build(&r, rbuf, sizeof(rbuf), &rlen) == MK_OK);
	CU_ASSERT(mk_msg_keyset(&a, &r, &m, env_key, sizeof(env_key)) == MK_OK);
	CU_ASSERT(mk_msg_protect(rbuf, &r, &a, &m, NULL) == MK_OK);
	CU_ASSERT_FATAL(mk_parse(rbuf, rlen, &r) == MK_OK);
	CU_ASSERT(mk_msg_keyset(&b, &r, &m, env_key, sizeof(env_key)) == MK_OK);
	CU_ASSERT(mk_msg_verify(&r, &b, &m, NULL) == MK_OK);
	CU_ASSERT(memcmp(a.auth_key, kin.auth_key, a.auth_len) != 0); /* rows C != D */
	mk_keyset_wipe(&kin);
	mk_keyset_wipe(&a);
	mk_keyset_wipe(&b);
}

static void test_cleanup(void)
{
	gnutls_privkey_deinit(ue_key);
	gnutls_privkey_deinit(kms_key);
	gnutls_privkey_deinit(other_key);
	gnutls_pubkey_deinit(ue_pub);
	gnutls_pubkey_deinit(kms_pub);
	gnutls_pubkey_deinit(other_pub);
	ue_key = NULL;
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_request_pkcs1),
		TK_TEST(test_request_pss),
		TK_TEST(test_resolve_pkcs1),
		TK_TEST(test_resolve_pss),
		TK_TEST(test_every_octet),
		TK_TEST(test_identity_suffix),
		TK_TEST(test_pke_tampered),
		TK_TEST(test_bad_args),
		TK_TEST(test_keysets),
		TK_TEST(test_cleanup),
		{ NULL, NULL },
	};
	return tk_test_run("mprotect-pk", tests);
}
