/*
 * timefmt.c: strict RFC 3339 parser on the tk_rd cursor and the UTC
 * formatter (see timefmt.h).
 */
#include "util/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "util/wire.h"

static int rd_digits(tk_rd *rd, int n)
{
	int v = 0;

	while (n--) {
		unsigned c = tk_rd_u8(rd);

		if (c < '0' || c > '9') {
			tk_rd_fail(rd, TK_WIRE_INVALID);
			return -1;
		}
		v = v * 10 + (int)(c - '0');
	}
	return v;
}

static void rd_char(tk_rd *rd, char c)
{
	if (tk_rd_u8(rd) != (uint8_t)c)
		tk_rd_fail(rd, TK_WIRE_INVALID);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no time zone or time_t range is involved. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int tk_time_parse(const char *s, size_t len, int64_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	tk_rd rd;
	int y, mo, d, h, mi, sec, off = 0;
	unsigned c;

	tk_rd_init(&rd, (const uint8_t *)s, s ? len : 0);
	y = rd_digits(&rd, 4);
	rd_char(&rd, '-');
	mo = rd_digits(&rd, 2);
	rd_char(&rd, '-');
	d = rd_digits(&rd, 2);
	c = tk_rd_u8(&rd);
	if (c != 'T' && c != 't')
		return -1;
	h = rd_digits(&rd, 2);
	rd_char(&rd, ':');
	mi = rd_digits(&rd, 2);
	rd_char(&rd, ':');
	sec = rd_digits(&rd, 2);
	c = tk_rd_u8(&rd);
	if (c == '.') {
		size_t nfrac = 0;

		while (tk_rd_left(&rd) && tk_rd_peek_u8(&rd) >= '0' && tk_rd_peek_u8(&rd) <= '9') {
			tk_rd_skip(&rd, 1);
			nfrac++;
		}
		if (nfrac == 0)
			return -1;
		c = tk_rd_u8(&rd);
	}
	if (c == '+' || c == '-') {
		int oh = rd_digits(&rd, 2), om;

		rd_char(&rd, ':');
		om = rd_digits(&rd, 2);
		if (oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (c == '+' ? 1 : -1);
	} else if (c != 'Z' && c != 'z') {
		return -1;
	}
	if (!tk_rd_end(&rd) || !tk_rd_ok(&rd))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
	       (sec == 60 ? 59 : sec) - off;
	return 0;
}

void tk_time_format(int64_t t, char out[TK_TIME_STR])
{
	time_t tt = (time_t)t;
	struct tm tm;

	/* Beyond what struct tm holds: a marker no parser takes for a time. */
	if (!gmtime_r(&tt, &tm) || !strftime(out, TK_TIME_STR, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, TK_TIME_STR, "@%lld", (long long)t);
}
