/*
 * test-engine-policy.c: the policy grant of the ticket engine on its own
 * (profile P-10, P-11, P-19, P-22, P-23, P-24; mikey.md 3.6 flag rules):
 * what is honoured, what is changed (K), what is refused (Error 14 / 15),
 * and which identities count as well-formed (P-3, P-13).
 */
#include <string.h>

#include "kms/policy.h"
#include "tk_test.h"

static const int64_t NOW = 1800000000;

static const struct kms_policy_limits lim = {
	.flags_default = KMS_FLAGS_DEFAULT,
	.flags_choosable = KMS_FLAGS_CHOOSABLE,
	.lifetime_default_s = 86400,
	.lifetime_max_s = 7 * 86400,
	.skew_s = 300,
	.max_keys = 2,
	.max_key_len = 16,
};

static void desired(struct mk_ticket *tk)
{
	memset(tk, 0, sizeof(*tk));
	tk->pl.present = true;
	tk->ticket_type = MK_TICKET_MIKEY_BASE;
	tk->subtype = MK_BASE_TICKET_SUBTYPE;
	tk->version = MK_BASE_TICKET_VERSION;
	tk->prf = MK_PRF_HMAC_SHA256;
	tk->flags = KMS_FLAGS_DEFAULT;
}

static void tr(struct mk_tr *t, uint8_t type, uint64_t v)
{
	t->pl.present = true;
	t->ts_type = type;
	t->ts = v;
}

static enum kms_policy_status grant(const struct mk_ticket *tk, struct kms_grant *g)
{
	const char *why = NULL;
	enum kms_policy_status st = kms_policy_grant(&lim, tk, NOW, g, &why);

	CU_ASSERT((st == KMS_POLICY_OK) == (why == NULL));
	return st;
}

static void test_defaults(void)
{
	struct mk_ticket tk;
	struct kms_grant g;

	desired(&tk);
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL(g.flags, KMS_FLAGS_DEFAULT);
	CU_ASSERT_FALSE(g.changed);
	CU_ASSERT_EQUAL(g.prf, MK_PRF_HMAC_SHA256);
	CU_ASSERT_EQUAL(g.trs, NOW);
	CU_ASSERT_EQUAL(g.tre, NOW + 86400);
	CU_ASSERT_EQUAL(g.nkeys, 1u);
	CU_ASSERT_EQUAL(g.keys[0].type, MK_KEY_TGK_SALT);
	CU_ASSERT_EQUAL(g.keys[0].key_len, 16);
	CU_ASSERT_EQUAL(g.keys[0].salt_len, 14);
	CU_ASSERT_FALSE(g.have_trr);
}

static void test_flags(void)
{
	struct mk_ticket tk;
	struct kms_grant g;

	/* choosable flags as asked: no forking, no reuse */
	desired(&tk);
	tk.flags &= ~(uint32_t)(MK_TF_I | MK_TF_J);
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL(g.flags, tk.flags);
	CU_ASSERT_FALSE(g.changed);
	/* forking with a TGK forces F (mikey.md 3.6): K */
	desired(&tk);
	tk.flags &= ~(uint32_t)(MK_TF_F | MK_TF_G);
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT(g.flags & MK_TF_F);
	CU_ASSERT(g.flags & MK_TF_K);
	CU_ASSERT_TRUE(g.changed);
	CU_ASSERT_EQUAL(mk_tp_flags_check(g.flags), MK_OK);
	/* fixed flags (E, N, O, L) keep their defaults whatever is asked */
	desired(&tk);
	tk.flags &= ~(uint32_t)(MK_TF_N | MK_TF_O);
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL(g.flags & ~(uint32_t)MK_TF_K, KMS_FLAGS_DEFAULT);
	CU_ASSERT(g.flags & MK_TF_K);
	/* a K asked for by the UE is not a wish (it is the KMS's to set) */
	desired(&tk);
	tk.flags |= MK_TF_K;
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_FALSE(g.flags & MK_TF_K);
	/* D = 0 (initiator-made ticket, so L = 1) becomes a KMS ticket */
	desired(&tk);
	tk.flags = (tk.flags & ~(uint32_t)MK_TF_D) | MK_TF_L;
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT(g.flags & MK_TF_D);
	CU_ASSERT_FALSE(g.flags & MK_TF_L);
	CU_ASSERT(g.flags & MK_TF_K);
}

static void test_times(void)
{
	struct mk_ticket tk;
	struct kms_grant g;

	/* an NTP-UTC (64-bit) TRe of a whole second is the same time: no K (P-24) */
	desired(&tk);
	tr(&tk.tp.tre, MK_TS_NTP_UTC, (uint64_t)mk_ntp32_from_unix(NOW + 3600) << 32);
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL(g.tre, NOW + 3600);
	CU_ASSERT_FALSE(g.changed);
	/* deferred delivery up to the maximum */
	desired(&tk);
	tr(&tk.tp.trs, MK_TS_NTP_UTC_32, mk_ntp32_from_unix(NOW + 86400));
	tr(&tk.tp.tre, MK_TS_NTP_UTC_32, mk_ntp32_from_unix(NOW + 8 * 86400));
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL(g.trs, NOW + 86400);
	CU_ASSERT_EQUAL(g.tre, NOW + 8 * 86400);
	CU_ASSERT_FALSE(g.changed);
	/* TRe not after TRs: the default lifetime, K */
	desired(&tk);
	tr(&tk.tp.tre, MK_TS_NTP_UTC_32, mk_ntp32_from_unix(NOW - 10));
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL(g.tre, NOW + 86400);
	CU_ASSERT_TRUE(g.changed);
	/* TRs beyond the maximum: clamped to now, K */
	desired(&tk);
	tr(&tk.tp.trs, MK_TS_NTP_UTC_32, mk_ntp32_from_unix(NOW + 8 * 86400));
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL(g.trs, NOW);
	CU_ASSERT_TRUE(g.changed);
	/* TRr is copied; COUNTER times and a TRr of another type are refused */
	desired(&tk);
	tr(&tk.tp.trr, MK_TS_NTP_UTC_32, 3600);
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT(g.have_trr && g.trr == 3600);
	CU_ASSERT_FALSE(g.changed);
	tr(&tk.tp.trr, MK_TS_COUNTER, 3600);
	CU_ASSERT_EQUAL(grant(&tk, &g), KMS_POLICY_PARAM);
	desired(&tk);
	tr(&tk.tp.trs, MK_TS_COUNTER, 5);
	CU_ASSERT_EQUAL(grant(&tk, &g), KMS_POLICY_PARAM);
}

static void test_keys(void)
{
	static const uint8_t z[32], spi[4];
	struct mk_keylist want;
	uint8_t buf[512];
	size_t n = 0;
	struct mk_ticket tk;
	struct kms_grant g;

	memset(&want, 0, sizeof(want));
	want.n = 4;
	want.k[0] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_MPK, .key = { z, 16 },
					 .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	want.k[1] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_TEK_SALT, .key = { z, 16 },
					 .salt = { z, 14 }, .kv = { .type = MK_KV_NULL } };
	want.k[2] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_GTGK, .key = { z, 16 },
					 .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	want.k[3] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_TGK, .key = { z, 16 },
					 .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	CU_ASSERT_EQUAL_FATAL(mk_keylist_build(&want, buf, sizeof(buf), &n), MK_OK);
	desired(&tk);
	tk.tp.kemac.pl.present = true;
	tk.tp.kemac.encr_alg = MK_ENCR_NULL;
	tk.tp.kemac.mac_alg = MK_MAC_NULL;
	tk.tp.kemac.encr = (struct mk_bytes){ buf, n };
	/* the MPK entry is ignored, a missing SPI filled in, the third
	 * session key is one too many (max_keys 2): K */
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_EQUAL_FATAL(g.nkeys, 2u);
	CU_ASSERT_EQUAL(g.keys[0].type, MK_KEY_TEK_SALT);
	CU_ASSERT_EQUAL(g.keys[0].salt_len, 14);
	CU_ASSERT_EQUAL(g.keys[1].type, MK_KEY_GTGK);
	CU_ASSERT_EQUAL(g.keys[1].salt_len, 0);
	CU_ASSERT_TRUE(g.changed);
	/* without the TGK: as asked. No TGK, so forking does not force F. */
	want.n = 3;
	CU_ASSERT_EQUAL_FATAL(mk_keylist_build(&want, buf, sizeof(buf), &n), MK_OK);
	tk.tp.kemac.encr.n = n;
	CU_ASSERT_EQUAL_FATAL(grant(&tk, &g), KMS_POLICY_OK);
	CU_ASSERT_FALSE(g.changed);
	/* an encrypted desired KEMAC or a broken chain: Error 15 */
	tk.tp.kemac.encr_alg = MK_ENCR_AES_CM_128;
	CU_ASSERT_EQUAL(grant(&tk, &g), KMS_POLICY_PARAM);
	tk.tp.kemac.encr_alg = MK_ENCR_NULL;
	tk.tp.kemac.encr.n = n - 1;
	CU_ASSERT_EQUAL(grant(&tk, &g), KMS_POLICY_PARAM);
}

static void test_ticket_type(void)
{
	struct mk_ticket tk;
	struct kms_grant g;

	desired(&tk);
	tk.ticket_type = MK_TICKET_3GPP_BASE;
	CU_ASSERT_EQUAL(grant(&tk, &g), KMS_POLICY_TYPE);
	desired(&tk);
	tk.version = 2;
	CU_ASSERT_EQUAL(grant(&tk, &g), KMS_POLICY_TYPE);
}

static void test_identities(void)
{
#define ID(s) (const uint8_t *)(s), sizeof(s) - 1
	CU_ASSERT_TRUE(kms_identity_valid(MK_ID_URI, ID("sip:bob@home1.net")));
	CU_ASSERT_TRUE(kms_identity_valid(MK_ID_URI, ID("SIPS:bob@home1.net")));
	CU_ASSERT_TRUE(kms_identity_valid(MK_ID_URI, ID("tel:+15551234")));
	CU_ASSERT_FALSE(kms_identity_valid(MK_ID_NAI, ID("sip:bob@home1.net")));
	CU_ASSERT_FALSE(kms_identity_valid(MK_ID_URI, ID("sip:")));
	CU_ASSERT_FALSE(kms_identity_valid(MK_ID_URI, ID("mailto:bob@home1.net")));
	CU_ASSERT_FALSE(kms_identity_valid(MK_ID_URI, ID("sip:bob @home1.net")));
	CU_ASSERT_FALSE(kms_identity_valid(MK_ID_URI, ID("sip:bob\0@home1.net")));
	CU_ASSERT_FALSE(kms_identity_valid(MK_ID_URI, ID("")));
#undef ID
}

static const struct tk_test tests[] = {
	TK_TEST(test_defaults),
	TK_TEST(test_flags),
	TK_TEST(test_times),
	TK_TEST(test_keys),
	TK_TEST(test_ticket_type),
	TK_TEST(test_identities),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("engine-policy", tests);
}
