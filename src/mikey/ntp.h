/*
 * ntp.h: MIKEY timestamps (mikey.md 2.3 TS types, 3.4). NTP-UTC is a 64-bit
 * NTP timestamp (32 bits seconds since 1900, 32 bits fraction), NTP-UTC-32 its
 * seconds half. Both are read with the RFC 4330 era rule of 3.4 (top bit 1:
 * 1968-2036 counted from 1900; top bit 0: 2036-2104 counted from 2036-02-07
 * 06:28:16 UTC), so every time from 1968 to 2104 has one encoding.
 * Times are Unix seconds (int64_t) plus nanoseconds.
 */
#ifndef MK_NTP_H
#define MK_NTP_H

#include <stdint.h>
#include <time.h>

/* TS type code points (mikey.md 2.3). */
enum mk_ts_type {
	MK_TS_NTP_UTC = 0,	/* 8 octets */
	MK_TS_NTP = 1,		/* 8 octets */
	MK_TS_COUNTER = 2,	/* 4 octets */
	MK_TS_NTP_UTC_32 = 3,	/* 4 octets (RFC 6043) */
};

/* Unix time of NTP second 0 of era 0 (1900-01-01) is -2208988800. */
#define MK_NTP_UNIX_DELTA 2208988800LL

/* Octets of a TS value of that type on the wire: 8, 8, 4, 4; 0 if unknown. */
unsigned mk_ts_len(unsigned ts_type);

/* 64-bit NTP timestamp <-> Unix time (era rule on decoding). Encoding
 * reduces seconds modulo 2^32, valid for 1968-2104. */
uint64_t mk_ntp_from_timespec(const struct timespec *ts);
void mk_ntp_to_timespec(uint64_t ntp, struct timespec *ts);

/* NTP-UTC-32 (seconds only) <-> Unix seconds. */
uint32_t mk_ntp32_from_unix(int64_t unix_sec);
int64_t mk_ntp32_to_unix(uint32_t ntp32);

/* Current time (CLOCK_REALTIME) as a 64-bit NTP timestamp. */
uint64_t mk_ntp_now(void);

/* Unix seconds of a TS value (raw = the 8- or 4-octet value read big
 * endian). COUNTER has no time meaning: returns 0 and sets *ok to 0. */
int64_t mk_ts_to_unix(unsigned ts_type, uint64_t raw, int *ok);

/* The 64-bit T of the AES-CM IV (mikey.md 5.5): NTP-UTC/NTP as is,
 * NTP-UTC-32 with a zero fraction (raw << 32), COUNTER zero-extended. */
uint64_t mk_ts_iv_value(unsigned ts_type, uint64_t raw);

#endif
