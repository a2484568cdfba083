/*
 * test-gba-kdf.c: the 33.220 Annex B KDF, Ks_NAF / Ks_int_NAF, NAF_Id, Ua
 * security protocol identifiers, B-TID and TMPI against the worked example
 * of gba.md 5.1 (tests/vectors/gba/gba-examples.json), plus argument checks.
 */
#include "gba/kdf.h"
#include "util/hexb64.h"
#include "tk_test.h"

#include <jansson.h>
#include <nettle/hmac.h>
#include <string.h>

static json_t *ex_root;

static const json_t *ex(void)
{
	if (!ex_root) {
		char path[1024];
		json_error_t err;

		ex_root = json_load_file(tk_srcpath("tests/vectors/gba/gba-examples.json",
						    path, sizeof path), 0, &err);
		if (!ex_root)
			fprintf(stderr, "%s: %s\n", path, err.text);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex_root);
	return json_object_get(ex_root, "kdf");
}

static const char *str(const char *name)
{
	const char *s = json_string_value(json_object_get(ex(), name));

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

static size_t hexv(const char *name, uint8_t *out, size_t cap)
{
	long n = tk_hex_decode(str(name), out, cap);

	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

static void ks_of_example(uint8_t ks[32], uint8_t rand[16])
{
	uint8_t ck[16], ik[16];

	CU_ASSERT_EQUAL_FATAL(hexv("ck", ck, 16), 16);
	CU_ASSERT_EQUAL_FATAL(hexv("ik", ik, 16), 16);
	CU_ASSERT_EQUAL_FATAL(hexv("rand", rand, 16), 16);
	tk_gba_ks(ck, ik, ks);
	CU_ASSERT_EQUAL(memcmp(ks, ck, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ks + 16, ik, 16), 0);
}

/* The KDF input S of the example, and HMAC-SHA-256 over it, equal our KDF. */
static void test_kdf_input_layout(void)
{
	uint8_t ks[32], rand[16], s[512], want[32], got[32], naf_id[TK_GBA_NAF_ID_MAX];
	struct hmac_sha256_ctx h;
	size_t slen = hexv("s", s, sizeof s), nlen;
	tk_ua_id ua;

	ks_of_example(ks, rand);
	hmac_sha256_set_key(&h, 32, ks);
	hmac_sha256_update(&h, slen, s);
	hmac_sha256_digest(&h, 32, want);

	CU_ASSERT_EQUAL(tk_ua_id_parse(str("ua_id"), 10, &ua), TK_GBA_OK);
	CU_ASSERT_EQUAL(tk_gba_naf_id(str("naf_fqdn"), ua, naf_id, sizeof naf_id, &nlen), TK_GBA_OK);
	{
		const char *impi = str("impi");
		struct tk_gba_param p[] = {
			{ "gba-me", 6 }, { rand, 16 }, { impi, strlen(impi) }, { naf_id, nlen },
		};

		CU_ASSERT_EQUAL(tk_gba_kdf(ks, 32, TK_GBA_FC_NAF, p, 4, got), TK_GBA_OK);
	}
	CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
	/* S starts with FC 01 and "gba-me" with L0 = 00 06 */
	CU_ASSERT_EQUAL(s[0], 0x01);
	CU_ASSERT_EQUAL(memcmp(s + 1, "gba-me\x00\x06", 8), 0);
}

static void test_ks_naf_example(void)
{
	uint8_t ks[32], rand[16], want[32], got[32], naf_id[TK_GBA_NAF_ID_MAX];
	char b64[64];
	size_t nlen;

	ks_of_example(ks, rand);
	CU_ASSERT_EQUAL(hexv("ks_naf", want, 32), 32);
	CU_ASSERT_EQUAL(tk_gba_naf_id(str("naf_fqdn"), TK_UA_HTTP_DIGEST, naf_id,
				      sizeof naf_id, &nlen), TK_GBA_OK);
	CU_ASSERT_EQUAL(nlen, strlen(str("naf_fqdn")) + 5);
	CU_ASSERT_EQUAL(tk_gba_ks_naf(ks, rand, str("impi"), naf_id, nlen, got), TK_GBA_OK);
	CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
	tk_b64_encode(got, 32, b64);
	CU_ASSERT_STRING_EQUAL(b64, str("ks_naf_b64"));

	memset(got, 0, sizeof got);
	CU_ASSERT_EQUAL(tk_gba_ks_naf_for(ks, rand, str("impi"), str("naf_fqdn"),
					  TK_UA_HTTP_DIGEST, got), TK_GBA_OK);
	CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);

	/* another Ua id gives another key (P-1: one key per protocol) */
	CU_ASSERT_EQUAL(tk_gba_ks_naf_for(ks, rand, str("impi"), str("naf_fqdn"),
					  TK_UA_IMS_KMS, got), TK_GBA_OK);
	CU_ASSERT_NOT_EQUAL(memcmp(got, want, 32), 0);
}

static void test_ks_int_naf_example(void)
{
	uint8_t ks[32], rand[16], want[32], got[32], naf_id[TK_GBA_NAF_ID_MAX];
	size_t nlen;

	ks_of_example(ks, rand);
	CU_ASSERT_EQUAL(hexv("ks_int_naf", want, 32), 32);
	CU_ASSERT_EQUAL(tk_gba_naf_id(str("naf_fqdn"), TK_UA_HTTP_DIGEST, naf_id,
				      sizeof naf_id, &nlen), TK_GBA_OK);
	CU_ASSERT_EQUAL(tk_gba_ks_int_naf(ks, rand, str("impi"), naf_id, nlen, got), TK_GBA_OK);
	CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
}

static void test_btid_example(void)
{
	uint8_t ks[32], rand[16];
	char btid[TK_GBA_BTID_MAX];

	ks_of_example(ks, rand);
	CU_ASSERT_EQUAL(tk_gba_btid(rand, str("bsf_fqdn"), btid, sizeof btid), TK_GBA_OK);
	CU_ASSERT_STRING_EQUAL(btid, str("btid"));
	CU_ASSERT_TRUE(tk_gba_btid_valid(btid, strlen(btid)));
	/* exact fit and one short */
	CU_ASSERT_EQUAL(tk_gba_btid(rand, str("bsf_fqdn"), btid, strlen(str("btid")) + 1), TK_GBA_OK);
	CU_ASSERT_EQUAL(tk_gba_btid(rand, str("bsf_fqdn"), btid, strlen(str("btid"))), TK_GBA_ENOSPACE);
	CU_ASSERT_EQUAL(tk_gba_btid(rand, "", btid, sizeof btid), TK_GBA_EINVAL);
}

static void test_tmpi_example(void)
{
	uint8_t ks[32], rand[16];
	char tmpi[TK_GBA_TMPI_MAX];

	ks_of_example(ks, rand);
	CU_ASSERT_EQUAL(tk_gba_tmpi(ks, rand, str("impi"), str("bsf_fqdn"), tmpi, sizeof tmpi), TK_GBA_OK);
	CU_ASSERT_STRING_EQUAL(tmpi, str("tmpi"));
	CU_ASSERT_EQUAL(strlen(tmpi) + 1, TK_GBA_TMPI_MAX);
	CU_ASSERT_EQUAL(tk_gba_tmpi(ks, rand, str("impi"), str("bsf_fqdn"), tmpi, sizeof tmpi - 1),
			TK_GBA_ENOSPACE);
}

static void test_ua_ids(void)
{
	tk_ua_id id;
	char hex[11];

	tk_ua_id_format(TK_UA_HTTP_DIGEST, hex);
	CU_ASSERT_STRING_EQUAL(hex, "0100000002");
	tk_ua_id_format(TK_UA_IMS_KMS, hex);
	CU_ASSERT_STRING_EQUAL(hex, "0100000006");
	tk_ua_id_format(TK_UA_TLS13_PSK, hex);
	CU_ASSERT_STRING_EQUAL(hex, "0100000007");
	tk_ua_id_format(TK_UA_TMPI, hex);
	CU_ASSERT_STRING_EQUAL(hex, "0100000100");
	tk_ua_id_format(tk_ua_id_tls(0x00aa), hex); /* TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 */
	CU_ASSERT_STRING_EQUAL(hex, "01000100aa");
	tk_ua_id_format(tk_ua_id_tls(0xd001), hex);
	CU_ASSERT_STRING_EQUAL(hex, "010001d001");

	CU_ASSERT_EQUAL(tk_ua_id_parse("0100000006", 10, &id), TK_GBA_OK);
	CU_ASSERT_TRUE(tk_ua_id_equal(id, TK_UA_IMS_KMS));
	CU_ASSERT_EQUAL(tk_ua_id_parse("010001D001", 10, &id), TK_GBA_OK);
	CU_ASSERT_TRUE(tk_ua_id_equal(id, tk_ua_id_tls(0xd001)));
	CU_ASSERT_FALSE(tk_ua_id_equal(id, tk_ua_id_tls(0xd002)));

	/* refused: wrong length, non-hex, embedded NUL, whitespace, prefix */
	id = TK_UA_IMS_KMS;
	CU_ASSERT_EQUAL(tk_ua_id_parse("010000000", 9, &id), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_ua_id_parse("01000000060", 11, &id), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_ua_id_parse("01000000g6", 10, &id), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_ua_id_parse("0100\0" "00006", 10, &id), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_ua_id_parse(" 100000006", 10, &id), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_ua_id_parse("0x01000006", 10, &id), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_ua_id_parse(NULL, 10, &id), TK_GBA_EINVAL);
	CU_ASSERT_TRUE(tk_ua_id_equal(id, TK_UA_IMS_KMS)); /* untouched on error */
}

static void test_argument_limits(void)
{
	static uint8_t big[0x10001];
	uint8_t key[32] = { 1 }, out[32], naf_id[TK_GBA_NAF_ID_MAX + 8];
	char fqdn[TK_GBA_FQDN_MAX + 2];
	size_t n;
	struct tk_gba_param p = { big, 0xffff };

	CU_ASSERT_EQUAL(tk_gba_kdf(key, 32, 1, &p, 1, out), TK_GBA_OK);
	p.len = 0x10000;
	CU_ASSERT_EQUAL(tk_gba_kdf(key, 32, 1, &p, 1, out), TK_GBA_EINVAL);
	p = (struct tk_gba_param){ NULL, 1 };
	CU_ASSERT_EQUAL(tk_gba_kdf(key, 32, 1, &p, 1, out), TK_GBA_EINVAL);
	p = (struct tk_gba_param){ NULL, 0 }; /* an empty parameter is fine */
	CU_ASSERT_EQUAL(tk_gba_kdf(key, 32, 1, &p, 1, out), TK_GBA_OK);

	memset(fqdn, 'a', sizeof fqdn);
	fqdn[TK_GBA_FQDN_MAX] = '\0';
	CU_ASSERT_EQUAL(tk_gba_naf_id(fqdn, TK_UA_IMS_KMS, naf_id, sizeof naf_id, &n), TK_GBA_OK);
	CU_ASSERT_EQUAL(n, TK_GBA_NAF_ID_MAX);
	CU_ASSERT_EQUAL(tk_gba_naf_id(fqdn, TK_UA_IMS_KMS, naf_id, TK_GBA_NAF_ID_MAX - 1, &n),
			TK_GBA_ENOSPACE);
	fqdn[TK_GBA_FQDN_MAX] = 'a';
	fqdn[TK_GBA_FQDN_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(tk_gba_naf_id(fqdn, TK_UA_IMS_KMS, naf_id, sizeof naf_id, &n), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_gba_naf_id("", TK_UA_IMS_KMS, naf_id, sizeof naf_id, &n), TK_GBA_EINVAL);
	CU_ASSERT_EQUAL(tk_gba_ks_naf_for(key, key, "impi", fqdn, TK_UA_IMS_KMS, out), TK_GBA_EINVAL);

	/* IMPI longer than a KDF parameter may be */
	memset(big, 'i', sizeof big - 1);
	big[sizeof big - 1] = 0;
	CU_ASSERT_EQUAL(tk_gba_ks_naf_for(key, key, (const char *)big, "naf", TK_UA_IMS_KMS, out),
			TK_GBA_EINVAL);
}

static void test_btid_valid(void)
{
	static const char *const good[] = {
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net", "a@b",
	};
	static const char *const bad[] = {
		"", "@", "a@", "@b", "a@b@c", "noat", "a b@c", "a@b\"", "a\\@b", "a@b\x7f",
		"a@b\t", "a@\xc3\xa9",
	};
	char longer[TK_GBA_BTID_MAX + 1];

	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		CU_ASSERT_TRUE(tk_gba_btid_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CU_ASSERT_FALSE(tk_gba_btid_valid(bad[i], strlen(bad[i])));
	CU_ASSERT_FALSE(tk_gba_btid_valid("a@b\0c", 5));
	memset(longer, 'x', sizeof longer);
	longer[10] = '@';
	CU_ASSERT_TRUE(tk_gba_btid_valid(longer, TK_GBA_BTID_MAX - 1));
	CU_ASSERT_FALSE(tk_gba_btid_valid(longer, TK_GBA_BTID_MAX));
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_kdf_input_layout),
		TK_TEST(test_ks_naf_example),
		TK_TEST(test_ks_int_naf_example),
		TK_TEST(test_btid_example),
		TK_TEST(test_tmpi_example),
		TK_TEST(test_ua_ids),
		TK_TEST(test_argument_limits),
		TK_TEST(test_btid_valid),
		{ NULL, NULL },
	};
	int rc = tk_test_run("gba-kdf", tests);

	json_decref(ex_root);
	return rc;
}
