/*
 * test-wire.c: the cursor and builder of src/util (bounds, sticky errors,
 * length fields) and the hex/base64 helpers.
 */
#include "util/wire.h"
#include "util/hexb64.h"
#include "util/secret.h"
#include "tk_test.h"

#include <string.h>

static void test_reader_reads_straight_down(void)
{
	static const uint8_t b[] = { 1, 0x02, 0x03, 0, 0, 0, 4, 9, 9 };
	tk_rd rd;

	tk_rd_init(&rd, b, sizeof b);
	CU_ASSERT_EQUAL(tk_rd_u8(&rd), 1);
	CU_ASSERT_EQUAL(tk_rd_u16(&rd), 0x0203);
	CU_ASSERT_EQUAL(tk_rd_u32(&rd), 4);
	CU_ASSERT_EQUAL(tk_rd_offset(&rd), 7);
	CU_ASSERT_PTR_NOT_NULL(tk_rd_bytes(&rd, 2));
	CU_ASSERT_TRUE(tk_rd_end(&rd));
}

static void test_reader_error_is_sticky(void)
{
	static const uint8_t b[] = { 1, 2, 3 };
	tk_rd rd;

	tk_rd_init(&rd, b, sizeof b);
	CU_ASSERT_EQUAL(tk_rd_u32(&rd), 0);
	CU_ASSERT_EQUAL(rd.err, TK_WIRE_TRUNCATED);
	/* later reads that would fit still fail */
	CU_ASSERT_EQUAL(tk_rd_u8(&rd), 0);
	CU_ASSERT_PTR_NULL(tk_rd_bytes(&rd, 1));
	CU_ASSERT_FALSE(tk_rd_ok(&rd));
	tk_rd_fail(&rd, TK_WIRE_INVALID);
	CU_ASSERT_EQUAL(rd.err, TK_WIRE_TRUNCATED);
}

static void test_reader_sub_and_trailing(void)
{
	static const uint8_t b[] = { 2, 0xAA, 0xBB, 0xCC };
	tk_rd rd, sub;

	tk_rd_init(&rd, b, sizeof b);
	CU_ASSERT_TRUE(tk_rd_sub(&rd, tk_rd_u8(&rd), &sub));
	CU_ASSERT_EQUAL(tk_rd_offset(&sub), 1);
	CU_ASSERT_EQUAL(tk_rd_u16(&sub), 0xAABB);
	CU_ASSERT_TRUE(tk_rd_end(&sub));
	CU_ASSERT_FALSE(tk_rd_end(&rd));
	CU_ASSERT_EQUAL(rd.err, TK_WIRE_TRAILING);

	tk_rd_init(&rd, b, 2);
	CU_ASSERT_FALSE(tk_rd_sub(&rd, 5, &sub));
	CU_ASSERT_FALSE(tk_rd_ok(&sub));
	CU_ASSERT_EQUAL(tk_rd_u8(&sub), 0);
}

static void test_builder_lengths(void)
{
	uint8_t buf[16];
	tk_wr wr;
	tk_wr_mark m;

	tk_wr_init(&wr, buf, sizeof buf);
	tk_wr_u8(&wr, 7);
	m = tk_wr_len_begin(&wr, 2);
	tk_wr_bytes(&wr, "abc", 3);
	CU_ASSERT_TRUE(tk_wr_len_end(&wr, m));
	CU_ASSERT_EQUAL(wr.len, 6);
	CU_ASSERT_EQUAL(buf[1], 0);
	CU_ASSERT_EQUAL(buf[2], 3);

	/* PKE-style 2+14 bit field */
	m = tk_wr_len_begin(&wr, 2);
	tk_wr_bytes(&wr, "xy", 2);
	CU_ASSERT_TRUE(tk_wr_len_end_bits(&wr, m, 14, 0x1u << 14));
	CU_ASSERT_EQUAL(buf[6], 0x40);
	CU_ASSERT_EQUAL(buf[7], 2);
}

static void test_builder_full_is_sticky(void)
{
	uint8_t buf[3];
	uint8_t big[300];
	tk_wr wr;
	tk_wr_mark m;

	tk_wr_init(&wr, buf, sizeof buf);
	CU_ASSERT_TRUE(tk_wr_u16(&wr, 1));
	CU_ASSERT_FALSE(tk_wr_u16(&wr, 1));
	CU_ASSERT_EQUAL(wr.err, TK_WIRE_NOSPACE);
	CU_ASSERT_FALSE(tk_wr_u8(&wr, 1));

	memset(big, 0, sizeof big);
	{
		uint8_t b2[400];
		tk_wr_init(&wr, b2, sizeof b2);
		m = tk_wr_len_begin(&wr, 1);
		tk_wr_bytes(&wr, big, sizeof big);
		CU_ASSERT_FALSE(tk_wr_len_end(&wr, m));
		CU_ASSERT_EQUAL(wr.err, TK_WIRE_TOOLONG);
	}
}

static void test_hex_b64(void)
{
	uint8_t out[32];
	char s[64];
	static const uint8_t rnd[16] = { 0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
					 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35 };

	CU_ASSERT_EQUAL(tk_hex_decode("00ffA0", out, sizeof out), 3);
	CU_ASSERT_EQUAL(out[2], 0xA0);
	CU_ASSERT_EQUAL(tk_hex_decode("0", out, sizeof out), -1);
	CU_ASSERT_EQUAL(tk_hex_decode("zz", out, sizeof out), -1);
	CU_ASSERT_EQUAL(tk_hex_decode("0011", out, 1), -1);
	tk_hex_encode(rnd, 2, s);
	CU_ASSERT_STRING_EQUAL(s, "2355");

	/* B-TID local part of gba.md 5.1 */
	tk_b64_encode(rnd, sizeof rnd, s);
	CU_ASSERT_STRING_EQUAL(s, "I1U8vpY3qJ0hiuZNrke/NQ==");
	CU_ASSERT_EQUAL(tk_b64_decode(s, strlen(s), out, sizeof out), 16);
	CU_ASSERT_TRUE(tk_ct_equal(out, rnd, 16));
	CU_ASSERT_EQUAL(tk_b64_decode("I1U8vpY3qJ0hiuZNrke/NQ=", 23, out, sizeof out), -1);
	CU_ASSERT_EQUAL(tk_b64_decode("I1U8!pY3", 8, out, sizeof out), -1);
	CU_ASSERT_EQUAL(tk_b64_decode(s, strlen(s), out, 15), -1);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_reader_reads_straight_down),
		TK_TEST(test_reader_error_is_sticky),
		TK_TEST(test_reader_sub_and_trailing),
		TK_TEST(test_builder_lengths),
		TK_TEST(test_builder_full_is_sticky),
		TK_TEST(test_hex_b64),
		{ NULL, NULL }
	};
	return tk_test_run("wire", tests);
}
