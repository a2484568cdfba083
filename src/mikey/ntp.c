/*
 * ntp.c: MIKEY timestamp conversions (mikey.md 3.4, 5.5): NTP-UTC, NTP and
 * NTP-UTC-32 with the RFC 4330 era rule, and the 64-bit T of the AES-CM IV.
 * NTP (TS type 1) is treated as UTC like NTP-UTC.
 */
#include "mikey/ntp.h"

#define ERA_SPAN 4294967296LL	/* 2^32 seconds */
#define NS 1000000000ULL

unsigned mk_ts_len(unsigned ts_type)
{
	switch (ts_type) {
	case MK_TS_NTP_UTC:
	case MK_TS_NTP:
		return 8;
	case MK_TS_COUNTER:
	case MK_TS_NTP_UTC_32:
		return 4;
	default:
		return 0;
	}
}

uint32_t mk_ntp32_from_unix(int64_t unix_sec)
{
	return (uint32_t)(uint64_t)(unix_sec + MK_NTP_UNIX_DELTA);
}

int64_t mk_ntp32_to_unix(uint32_t ntp32)
{
	int64_t s = (int64_t)ntp32 - MK_NTP_UNIX_DELTA;

	/* Top bit clear: era 1, which starts at 2036-02-07 06:28:16 UTC. */
	if (!(ntp32 & 0x80000000u))
		s += ERA_SPAN;
	return s;
}

uint64_t mk_ntp_from_timespec(const struct timespec *ts)
{
	uint64_t ns = (uint64_t)ts->tv_nsec % NS;
	/* Rounded both ways so that a round trip restores the nanoseconds. */
	uint64_t frac = ((ns << 32) + NS / 2) / NS;

	return (uint64_t)mk_ntp32_from_unix((int64_t)ts->tv_sec) << 32 | frac;
}

void mk_ntp_to_timespec(uint64_t ntp, struct timespec *ts)
{
	uint64_t ns = ((ntp & 0xFFFFFFFFu) * NS + (1ULL << 31)) >> 32;
	int64_t s = mk_ntp32_to_unix((uint32_t)(ntp >> 32));

	if (ns >= NS) {
		ns -= NS;
		s++;
	}
	ts->tv_sec = (time_t)s;
	ts->tv_nsec = (long)ns;
}

uint64_t mk_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mk_ntp_from_timespec(&ts);
}

int64_t mk_ts_to_unix(unsigned ts_type, uint64_t raw, int *ok)
{
	*ok = 1;
	switch (ts_type) {
	case MK_TS_NTP_UTC:
	case MK_TS_NTP:
		return mk_ntp32_to_unix((uint32_t)(raw >> 32));
	case MK_TS_NTP_UTC_32:
		return mk_ntp32_to_unix((uint32_t)raw);
	default:
		*ok = 0;
		return 0;
	}
}

uint64_t mk_ts_iv_value(unsigned ts_type, uint64_t raw)
{
	switch (ts_type) {
	case MK_TS_NTP_UTC_32:
		return (raw & 0xFFFFFFFFu) << 32;
	case MK_TS_COUNTER:
		return raw & 0xFFFFFFFFu;
	default:
		return raw;
	}
}
