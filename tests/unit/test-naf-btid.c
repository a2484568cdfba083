/*
 * test-naf-btid.c: B-TID syntax and PSK-TLS identity parsing (naf/btid.h;
 * gba.md 4.1, 2.4; profile P-7), including hostile inputs.
 */
#include <string.h>

#include "naf/btid.h"
#include "tk_test.h"

static bool v(const char *s) { return naf_btid_valid(s, strlen(s)); }

static void test_valid(void)
{
	CU_ASSERT(v("I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net"));
	CU_ASSERT(v("fve4iTWb1rTb297CzVSrpw==@bsf.ims.mnc045.mcc123.pub.3gppnetwork.org"));
	CU_ASSERT(v("AAAA@localhost"));
	CU_ASSERT(v("ab+/AAA=@b-s-f.x1"));
}

static void test_invalid(void)
{
	static const char *const bad[] = {
		"", "@", "@bsf.home1.net", "I1U8vpY3qJ0hiuZNrke/NQ==@", "I1U8vpY3qJ0hiuZNrke/NQ==",
		"I1U8vpY3qJ0hiuZNrke/NQ=@bsf.home1.net",   /* not a multiple of 4 */
		"I1U8vpY3qJ0hiuZNrke/N===@bsf.home1.net",  /* three '=' */
		"I1U8vpY3qJ0h=uZNrke/NQ==@bsf.home1.net",  /* '=' inside */
		"I1U8vpY3qJ0hiuZNrke-NQ==@bsf.home1.net",  /* '-' not base64 */
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf..home1.net", /* empty label */
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net.", /* trailing dot */
		"I1U8vpY3qJ0hiuZNrke/NQ==@.bsf.home1.net",
		"I1U8vpY3qJ0hiuZNrke/NQ==@-bsf.home1.net",
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf-.home1.net",
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net@x",
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf home1.net",
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net\r\nX: y",
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf\".net",
		"I1U8vpY3qJ0hiuZNrke/NQ==@bsf_x.net",
		" I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net",
		"3GPP-bootstrapping.I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net", /* prefix is not a B-TID */
		NULL,
	};
	char big[600];

	for (int i = 0; bad[i]; i++)
		CU_ASSERT_FALSE(v(bad[i]));
	/* embedded NUL */
	CU_ASSERT_FALSE(naf_btid_valid("AAAA@bsf\0.net", 13));
	CU_ASSERT_FALSE(naf_btid_valid(NULL, 10));
	/* a label of 64 characters, a domain of 254, a local part of 68 */
	memset(big, 'a', sizeof big);
	memcpy(big, "AAAA@", 5);
	CU_ASSERT_FALSE(naf_btid_valid(big, 5 + 64));
	CU_ASSERT(naf_btid_valid(big, 5 + 63));
	for (int i = 5 + 63; i < 5 + 254; i += 64)
		big[i] = '.';
	CU_ASSERT(naf_btid_valid(big, 5 + 253));
	CU_ASSERT_FALSE(naf_btid_valid(big, 5 + 254));
	memset(big, 'A', 68);
	memcpy(big + 68, "@b.c", 4);
	CU_ASSERT_FALSE(naf_btid_valid(big, 72));
	CU_ASSERT(naf_btid_valid(big + 4, 68));
	/* high-bit bytes */
	CU_ASSERT_FALSE(v("AAAA@bs\xc3\xa9.net"));
	CU_ASSERT_FALSE(v("AA\xff" "A@bsf.net"));
}

static void test_fqdn(void)
{
	CU_ASSERT(naf_fqdn_valid("kms.home1.net", 13));
	CU_ASSERT(naf_fqdn_valid("localhost", 9));
	CU_ASSERT_FALSE(naf_fqdn_valid("kms..net", 8));
	CU_ASSERT_FALSE(naf_fqdn_valid("kms.net.", 8));
	CU_ASSERT_FALSE(naf_fqdn_valid("-kms.net", 8));
	CU_ASSERT_FALSE(naf_fqdn_valid("kms net", 7));
	CU_ASSERT_FALSE(naf_fqdn_valid("", 0));
	CU_ASSERT_FALSE(naf_fqdn_valid(NULL, 3));
}

static void test_psk_identity(void)
{
	const char *b;
	size_t n;
	const char *bare = "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net";
	const char *pre = "3GPP-bootstrapping.I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net";

	CU_ASSERT(naf_psk_identity_btid(bare, strlen(bare), &b, &n));
	CU_ASSERT(n == strlen(bare) && b == bare);
	CU_ASSERT(naf_psk_identity_btid(pre, strlen(pre), &b, &n));
	CU_ASSERT(n == strlen(bare) && memcmp(b, bare, n) == 0);
	CU_ASSERT_FALSE(naf_psk_identity_btid("3GPP-bootstrapping.", 19, &b, &n));
	CU_ASSERT_FALSE(naf_psk_identity_btid("3GPP-bootstrapping", 18, &b, &n));
	CU_ASSERT_FALSE(naf_psk_identity_btid("3GPP-bootstrapping.3GPP-bootstrapping.AAAA@b.c",
					      46, &b, &n));
	CU_ASSERT_FALSE(naf_psk_identity_btid("3gpp-bootstrapping.AAAA@b.c", 27, &b, &n));
	CU_ASSERT_FALSE(naf_psk_identity_btid("3GPP-bootstrapping-uicc.AAAA@b.c", 32, &b, &n));
	CU_ASSERT_FALSE(naf_psk_identity_btid("", 0, &b, &n));
	CU_ASSERT_FALSE(naf_psk_identity_btid(NULL, 0, &b, &n));
	CU_ASSERT_FALSE(naf_psk_identity_btid("AAAA@b.c\0", 9, &b, &n));
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_valid), TK_TEST(test_invalid), TK_TEST(test_fqdn), TK_TEST(test_psk_identity), { 0 },
	};
	return tk_test_run("naf-btid", tests);
}
