/*
 * timefmt.h: RFC 3339 / xs:dateTime times on the wire and in files (Zn
 * keyExpiryTime, BootstrappingInfo lifetime, gba.md 2.5; key ring created /
 * not_after, profile P-10; UE and BSF state).
 */
#ifndef TK_UTIL_TIMEFMT_H
#define TK_UTIL_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TK_TIME_STR 32 /* buffer size for tk_time_format */

/* "YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)" -> seconds since the
 * epoch. 'T' and 'Z' may be lower case (RFC 3339 5.6); nothing else is
 * accepted: no space separator, no missing zone, no trailing bytes, calendar
 * checked (leap years; a leap second counts as :59). s need not be
 * NUL-terminated. 0, or -1 on malformed text. */
int tk_time_parse(const char *s, size_t len, int64_t *out);

/* UTC, whole seconds: "2026-11-27T23:00:00Z". */
void tk_time_format(int64_t t, char out[TK_TIME_STR]);

#endif
