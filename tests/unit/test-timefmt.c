/*
 * test-timefmt.c: the strict RFC 3339 / xs:dateTime parser and the UTC
 * formatter (util/timefmt.h), with good and hostile input. Expected values
 * checked with date(1).
 */
#include <string.h>

#include "tk_test.h"
#include "util/timefmt.h"

static int64_t t(const char *s)
{
	int64_t v = -42;

	if (tk_time_parse(s, strlen(s), &v) < 0)
		return -1;
	return v;
}

static void test_parse_good(void)
{
	CU_ASSERT_EQUAL(t("1970-01-01T00:00:00Z"), 0);
	CU_ASSERT_EQUAL(t("2026-11-27T23:00:00Z"), 1795820400);
	CU_ASSERT_EQUAL(t("2026-11-27t23:00:00z"), 1795820400);
	CU_ASSERT_EQUAL(t("2026-11-27T23:00:00.559Z"), 1795820400);
	CU_ASSERT_EQUAL(t("2026-11-27T23:00:00.123456789012Z"), 1795820400);
	CU_ASSERT_EQUAL(t("2026-11-28T00:30:00+01:30"), 1795820400);
	CU_ASSERT_EQUAL(t("2026-11-27T21:00:00-02:00"), 1795820400);
	CU_ASSERT_EQUAL(t("2026-11-27T20:19:41-02:30"), 1795819781);
	CU_ASSERT_EQUAL(t("2024-02-29T00:00:00Z"), 1709164800);
	CU_ASSERT_EQUAL(t("2000-02-29T00:00:00Z"), 951782400);
	CU_ASSERT_EQUAL(t("2100-06-15T12:00:00Z"), 4116744000LL);
	CU_ASSERT_EQUAL(t("2016-12-31T23:59:60Z"), 1483228799); /* leap second */
}

/* Before the epoch: -1 is a time here, so check the return code apart. */
static void test_parse_before_epoch(void)
{
	int64_t v = 0;

	CU_ASSERT_EQUAL(tk_time_parse("1969-12-31T23:59:59Z", 20, &v), 0);
	CU_ASSERT_EQUAL(v, -1);
	CU_ASSERT_EQUAL(tk_time_parse("1900-01-01T00:00:00Z", 20, &v), 0);
	CU_ASSERT_EQUAL(v, -2208988800LL);
}

static void test_parse_bad(void)
{
	static const char *bad[] = {
		"", "2026-11-27", "2026-11-27T23:00:00", "2026-13-01T00:00:00Z",
		"2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-04-31T00:00:00Z",
		"2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-11-27T24:00:00Z",
		"2026-11-27T23:60:00Z", "2026-11-27T23:00:61Z", "2026-11-27 23:00:00Z",
		"2026-11-27T23:00:00Zjunk", "2026-11-27T23:00:00.Z", "2026-11-27T23:00Z",
		"+026-11-27T23:00:00Z", "2026/11/27T23:00:00Z", "2026-11-27T23:00:0aZ",
		"2026-11-27T23:00:00+0100", "2026-11-27T23:00:00+24:00", "2026-11-27T23:00:00+01:60",
		"2026-11-27T23:00:00+01", "2026-11-27T23:00:00 Z", "2026-11-27T23:00:00UTC",
	};
	int64_t v = 7;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(tk_time_parse(bad[i], strlen(bad[i]), &v), -1);
		CU_ASSERT_EQUAL(v, 7); /* untouched on error */
	}
	CU_ASSERT_EQUAL(tk_time_parse(NULL, 20, &v), -1);
	/* the length bounds the text: no reading past it, no NUL needed */
	CU_ASSERT_EQUAL(tk_time_parse("2026-11-27T23:00:00Zxyz", 20, &v), 0);
	CU_ASSERT_EQUAL(v, 1795820400);
	CU_ASSERT_EQUAL(tk_time_parse("2026-11-27T23:00:00Z", 19, &v), -1);
}

static void test_format(void)
{
	char buf[TK_TIME_STR];
	int64_t back;

	tk_time_format(0, buf);
	CU_ASSERT_STRING_EQUAL(buf, "1970-01-01T00:00:00Z");
	tk_time_format(1795819781LL, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-27T22:49:41Z");
	CU_ASSERT_EQUAL(tk_time_parse(buf, strlen(buf), &back), 0);
	CU_ASSERT_EQUAL(back, 1795819781LL);
	tk_time_format(INT64_MAX, buf); /* beyond struct tm: a marker, not a time */
	CU_ASSERT_EQUAL(buf[0], '@');
	CU_ASSERT_EQUAL(tk_time_parse(buf, strlen(buf), &back), -1);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_parse_good),
		TK_TEST(test_parse_before_epoch),
		TK_TEST(test_parse_bad),
		TK_TEST(test_format),
		{ NULL, NULL },
	};

	return tk_test_run("timefmt", tests);
}
