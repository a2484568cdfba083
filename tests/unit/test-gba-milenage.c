/*
 * test-gba-milenage.c: MILENAGE against tests/vectors/gba/milenage-35208.json
 * (TS 35.207/35.208 sets 1-6 and the single-source sets 7-20: OPc, f1, f1*,
 * f2-f5*, AUTN), the AUTS example, AUTN check and AUTS round trips.
 */
#include "gba/milenage.h"
#include "util/hexb64.h"
#include "tk_test.h"

#include <jansson.h>
#include <string.h>

static json_t *load(void)
{
	char path[1024];
	json_error_t err;
	json_t *j = json_load_file(tk_srcpath("tests/vectors/gba/milenage-35208.json",
					      path, sizeof path), 0, &err);

	if (!j)
		fprintf(stderr, "%s: %s\n", path, err.text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	return j;
}

/* Decode member `name` of o, which must be exactly n octets of hex. */
static void hexm(const json_t *o, const char *name, uint8_t *out, size_t n)
{
	const char *s = json_string_value(json_object_get(o, name));

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(strlen(s), 2 * n);
	CU_ASSERT_EQUAL_FATAL(tk_hex_decode(s, out, n), (long)n);
}

static int check_set(const json_t *set)
{
	uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
	uint8_t e_f1[8], e_f1s[8], e_f2[8], e_f3[16], e_f4[16], e_f5[6], e_f5s[6];
	uint8_t opc2[16], f1[8], f1s[8], f2[8], f3[16], f4[16], f5[6], f5s[6];
	struct tk_mil_av av;
	int bad = 0;

	hexm(set, "k", k, 16);
	hexm(set, "rand", rand, 16);
	hexm(set, "sqn", sqn, 6);
	hexm(set, "amf", amf, 2);
	hexm(set, "op", op, 16);
	hexm(set, "opc", opc, 16);
	hexm(set, "f1", e_f1, 8);
	hexm(set, "f1star", e_f1s, 8);
	hexm(set, "f2", e_f2, 8);
	hexm(set, "f3", e_f3, 16);
	hexm(set, "f4", e_f4, 16);
	hexm(set, "f5", e_f5, 6);
	hexm(set, "f5star", e_f5s, 6);

	tk_mil_opc(k, op, opc2);
	bad += memcmp(opc2, opc, 16) != 0;
	tk_mil_f1(k, opc, rand, sqn, amf, f1, f1s);
	bad += memcmp(f1, e_f1, 8) != 0;
	bad += memcmp(f1s, e_f1s, 8) != 0;
	tk_mil_f2345(k, opc, rand, f2, f3, f4, f5, f5s);
	bad += memcmp(f2, e_f2, 8) != 0;
	bad += memcmp(f3, e_f3, 16) != 0;
	bad += memcmp(f4, e_f4, 16) != 0;
	bad += memcmp(f5, e_f5, 6) != 0;
	bad += memcmp(f5s, e_f5s, 6) != 0;

	/* each output alone gives the same value (NULL outputs skipped) */
	memset(f3, 0, sizeof f3);
	tk_mil_f2345(k, opc, rand, NULL, f3, NULL, NULL, NULL);
	bad += memcmp(f3, e_f3, 16) != 0;
	memset(f1s, 0, sizeof f1s);
	tk_mil_f1(k, opc, rand, sqn, amf, NULL, f1s);
	bad += memcmp(f1s, e_f1s, 8) != 0;

	/* the vector: AUTN = (SQN xor AK) || AMF || MAC-A */
	tk_mil_generate(k, opc, sqn, amf, rand, &av);
	for (int i = 0; i < 6; i++)
		bad += av.autn[i] != (sqn[i] ^ e_f5[i]);
	bad += memcmp(av.autn + 6, amf, 2) != 0;
	bad += memcmp(av.autn + 8, e_f1, 8) != 0;
	bad += memcmp(av.xres, e_f2, 8) != 0;
	bad += memcmp(av.ck, e_f3, 16) != 0;
	bad += memcmp(av.ik, e_f4, 16) != 0;
	bad += memcmp(av.rand, rand, 16) != 0;
	if (json_object_get(set, "autn_derived")) {
		uint8_t autn[16];

		hexm(set, "autn_derived", autn, 16);
		bad += memcmp(av.autn, autn, 16) != 0;
	}
	if (bad)
		fprintf(stderr, "test set %lld: %d mismatches\n",
			(long long)json_integer_value(json_object_get(set, "test_set")), bad);
	return bad;
}

/* Every set of JSON array `member`: numbered first, first+1, ... */
static void check_sets(const char *member, size_t count, json_int_t first)
{
	json_t *j = load(), *sets = json_object_get(j, member);
	size_t i;
	json_t *set;

	CU_ASSERT_EQUAL(json_array_size(sets), count);
	json_array_foreach(sets, i, set) {
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(set, "test_set")), first + (json_int_t)i);
		CU_ASSERT_EQUAL(check_set(set), 0);
	}
	json_decref(j);
}

static void test_sets_1_to_6(void)
{
	check_sets("test_sets", 6, 1);
}

static void test_sets_7_to_20(void)
{
	check_sets("additional_sets_single_source", 14, 7);
}

static void test_auts_example(void)
{
	json_t *j = load(), *ex = json_object_get(j, "auts_example");
	uint8_t k[16], opc[16], rand[16], sqn_ms[6], e_f5s[6], e_auts[14], e_mac[8];
	uint8_t f5s[6], mac_s[8], auts[14], got[6];
	static const uint8_t amf0[2] = { 0, 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	hexm(ex, "k", k, 16);
	hexm(ex, "opc", opc, 16);
	hexm(ex, "rand", rand, 16);
	hexm(ex, "sqn_ms", sqn_ms, 6);
	hexm(ex, "f5star", e_f5s, 6);
	hexm(ex, "mac_s", e_mac, 8);
	hexm(ex, "auts", e_auts, 14);

	tk_mil_f2345(k, opc, rand, NULL, NULL, NULL, NULL, f5s);
	CU_ASSERT_EQUAL(memcmp(f5s, e_f5s, 6), 0);
	tk_mil_f1(k, opc, rand, sqn_ms, amf0, NULL, mac_s);
	CU_ASSERT_EQUAL(memcmp(mac_s, e_mac, 8), 0);
	tk_mil_auts_build(k, opc, rand, sqn_ms, auts);
	CU_ASSERT_EQUAL(memcmp(auts, e_auts, 14), 0);

	CU_ASSERT_EQUAL(tk_mil_auts_verify(k, opc, rand, e_auts, got), TK_MIL_OK);
	CU_ASSERT_EQUAL(memcmp(got, sqn_ms, 6), 0);
	CU_ASSERT_EQUAL(tk_mil_sqn_get(got), 0x1f);
	json_decref(j);
}

/* A fixed, arbitrary subscriber for the round trips below. */
static const uint8_t K[16] = { 0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
			       0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc };
static const uint8_t OPC[16] = { 0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
				 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf };

static void test_auts_round_trip(void)
{
	uint8_t rand[16], sqn_ms[6], auts[14], got[6];

	for (int i = 0; i < 16; i++)
		rand[i] = (uint8_t)(0x5a ^ i * 7);
	for (uint64_t v = 1; v < (1ull << 48); v = v * 37 + 11) {
		tk_mil_sqn_put(v, sqn_ms);
		tk_mil_auts_build(K, OPC, rand, sqn_ms, auts);
		CU_ASSERT_EQUAL(tk_mil_auts_verify(K, OPC, rand, auts, got), TK_MIL_OK);
		CU_ASSERT_EQUAL(tk_mil_sqn_get(got), v);
		/* any single flipped bit is refused and yields no SQN */
		for (int bit = 0; bit < 14 * 8; bit += 13) {
			uint8_t t[14];

			memcpy(t, auts, 14);
			t[bit / 8] ^= (uint8_t)(1u << bit % 8);
			memset(got, 0xee, sizeof got);
			CU_ASSERT_EQUAL(tk_mil_auts_verify(K, OPC, rand, t, got), TK_MIL_MAC_FAIL);
			CU_ASSERT_EQUAL(tk_mil_sqn_get(got), 0);
		}
	}
	/* AUTS for another RAND is refused */
	tk_mil_sqn_put(42, sqn_ms);
	tk_mil_auts_build(K, OPC, rand, sqn_ms, auts);
	rand[0] ^= 1;
	CU_ASSERT_EQUAL(tk_mil_auts_verify(K, OPC, rand, auts, got), TK_MIL_MAC_FAIL);
}

static void test_usim_check(void)
{
	uint8_t rand[16], sqn[6], s[6], res[8], ck[16], ik[16], zero[16] = { 0 };
	static const uint8_t amf[2] = { 0x80, 0x00 };
	struct tk_mil_av av;

	memset(rand, 0x3c, sizeof rand);
	tk_mil_sqn_put(0x000000001234, sqn);
	tk_mil_generate(K, OPC, sqn, amf, rand, &av);
	CU_ASSERT_EQUAL(tk_mil_usim_check(K, OPC, rand, av.autn, s, res, ck, ik), TK_MIL_OK);
	CU_ASSERT_EQUAL(memcmp(s, sqn, 6), 0);
	CU_ASSERT_EQUAL(memcmp(res, av.xres, 8), 0);
	CU_ASSERT_EQUAL(memcmp(ck, av.ck, 16), 0);
	CU_ASSERT_EQUAL(memcmp(ik, av.ik, 16), 0);
	/* outputs are optional */
	CU_ASSERT_EQUAL(tk_mil_usim_check(K, OPC, rand, av.autn, NULL, NULL, NULL, NULL), TK_MIL_OK);

	/* tampering with SQN, AMF or MAC-A, or another K, is detected */
	for (int i = 0; i < 16; i++) {
		uint8_t autn[16];

		memcpy(autn, av.autn, 16);
		autn[i] ^= 0x10;
		CU_ASSERT_EQUAL(tk_mil_usim_check(K, OPC, rand, autn, s, res, ck, ik), TK_MIL_MAC_FAIL);
		CU_ASSERT_EQUAL(memcmp(s, zero, 6), 0);
		CU_ASSERT_EQUAL(memcmp(res, zero, 8), 0);
		CU_ASSERT_EQUAL(memcmp(ck, zero, 16), 0);
		CU_ASSERT_EQUAL(memcmp(ik, zero, 16), 0);
	}
	CU_ASSERT_EQUAL(tk_mil_usim_check(OPC, K, rand, av.autn, s, res, ck, ik), TK_MIL_MAC_FAIL);
}

static void test_sqn_helpers(void)
{
	uint8_t sqn[6];

	tk_mil_sqn_put(0xff9bb4d0b607ull, sqn);
	CU_ASSERT_EQUAL(sqn[0], 0xff);
	CU_ASSERT_EQUAL(sqn[5], 0x07);
	CU_ASSERT_EQUAL(tk_mil_sqn_get(sqn), 0xff9bb4d0b607ull);
	tk_mil_sqn_put(0x1ffffffffffffull, sqn); /* only 48 bits kept */
	CU_ASSERT_EQUAL(tk_mil_sqn_get(sqn), 0xffffffffffffull);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_sets_1_to_6),
		TK_TEST(test_sets_7_to_20),
		TK_TEST(test_auts_example),
		TK_TEST(test_auts_round_trip),
		TK_TEST(test_usim_check),
		TK_TEST(test_sqn_helpers),
		{ NULL, NULL },
	};

	return tk_test_run("gba-milenage", tests);
}
