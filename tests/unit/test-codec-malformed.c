/*
 * test-codec-malformed.c: the codec refuses malformed MIKEY-TICKET input
 * with a specific error (mikey.md 3, 4, 3.6 flag rules) and never reads out
 * of bounds: truncation at every offset of every sample message, mutated
 * fields, spliced payloads, nested structures, and builder misuse.
 */
#include <stdio.h>
#include <string.h>

#include "mikey/mikey.h"
#include "tk_test.h"
#include "codec-samples.h"

static uint8_t buf[4096], out[4096];
static unsigned ncases;

static size_t sample(uint8_t dt, bool big, struct mk_msg *m)
{
	size_t n = 0;

	smp_msg(m, dt, big);
	CU_ASSERT_EQUAL_FATAL(mk_build(m, buf, sizeof(buf), &n), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_parse(buf, n, m), MK_OK);
	return n;
}

static void expect(const uint8_t *p, size_t n, int want, const char *what)
{
	struct mk_msg m;
	int e = mk_parse(p, n, &m);

	ncases++;
	if (e != want)
		fprintf(stderr, "%s: got %d (%s) at %zu, want %d (%s)\n", what, e,
			mk_strerror(e), m.err_off, want, mk_strerror(want));
	CU_ASSERT_EQUAL(e, want);
	if (e)
		CU_ASSERT(m.err_off <= n);
}

/* ---- truncation at every offset ---- */

static void test_truncated_everywhere(void)
{
	struct mk_msg m;
	unsigned i, before = ncases;
	size_t n, k;
	char what[64];

	for (i = 0; i < sizeof(smp_types); i++) {
		n = sample(smp_types[i], i & 1, &m);
		memcpy(out, buf, n);
		for (k = 0; k < n; k++) {
			snprintf(what, sizeof(what), "dt %u cut %zu", smp_types[i], k);
			expect(out, k, MK_ERR_TRUNCATED, what);
		}
	}
	printf("\n  truncations: %u cases\n", ncases - before);
}

/* ---- field mutations ---- */

enum where {
	W_HDR, W_T, W_RANDRI, W_IDRI, W_IDRKMS, W_TICKET, W_V, W_SP0, W_KEMAC,
	W_TPIDRR0, W_TPIDRR1, W_TPKEMAC, W_INIT, W_SIGN, W_RANDRR, W_GEN0, W_ERR0,
};

struct mut {
	uint8_t dt;
	enum where w;
	unsigned off;
	int width;     /* 1, 2: set; -1: xor byte */
	unsigned val;
	int want;
	const char *name;
};

#define RI MK_DT_REQUEST_INIT_PSK
#define RIPK MK_DT_REQUEST_INIT_PK
#define RR MK_DT_REQUEST_RESP
#define TI MK_DT_TRANSFER_INIT
#define TR MK_DT_TRANSFER_RESP
#define SI MK_DT_RESOLVE_INIT_PSK
#define SR MK_DT_RESOLVE_RESP
#define ER MK_DT_ERROR

static const struct mut muts[] = {
	{ RI, W_HDR, 0, 1, 2, MK_ERR_UNSUPPORTED_VERSION, "version 2" },
	{ RI, W_HDR, 0, 1, 0, MK_ERR_UNSUPPORTED_VERSION, "version 0" },
	{ RI, W_HDR, 1, 1, 99, MK_ERR_BAD_DATA_TYPE, "data type 99" },
	{ RI, W_HDR, 1, 1, 0, MK_ERR_BAD_DATA_TYPE, "data type 0 (RFC 3830 PSK)" },
	{ RI, W_HDR, 1, 1, 19, MK_ERR_BAD_DATA_TYPE, "data type 19 (IBAKE)" },
	{ RI, W_HDR, 2, 1, 22, MK_ERR_BAD_NEXT_PAYLOAD, "first payload 22" },
	{ RI, W_HDR, 2, 1, 20, MK_ERR_BAD_NEXT_PAYLOAD, "first payload Key data" },
	{ RI, W_HDR, 2, 1, 200, MK_ERR_BAD_NEXT_PAYLOAD, "first payload 200" },
	{ RI, W_HDR, 2, 1, 0, MK_ERR_MISSING_PAYLOAD, "first payload Last" },
	{ RI, W_HDR, 8, 1, 1, MK_ERR_BAD_HDR, "REQUEST_INIT #CS 1" },
	{ RI, W_HDR, 9, 1, 0, MK_ERR_BAD_HDR, "REQUEST_INIT SRTP-ID map" },
	{ RI, W_HDR, 9, 1, 2, MK_ERR_BAD_HDR, "REQUEST_INIT GENERIC-ID map" },
	{ SI, W_HDR, 8, 1, 3, MK_ERR_BAD_HDR, "RESOLVE_INIT #CS 3" },
	{ RR, W_HDR, 9, 1, 0, MK_ERR_BAD_HDR, "REQUEST_RESP SRTP-ID map" },
	{ SR, W_HDR, 8, 1, 1, MK_ERR_BAD_HDR, "RESOLVE_RESP #CS 1" },
	{ TI, W_HDR, 9, 1, 0, MK_ERR_BAD_HDR, "TRANSFER_INIT SRTP-ID map" },
	{ TI, W_HDR, 9, 1, 7, MK_ERR_BAD_MAP, "map type 7" },
	{ TR, W_HDR, 9, 1, 99, MK_ERR_BAD_MAP, "map type 99" },
	{ TI, W_HDR, 8, 1, 17, MK_ERR_TOO_MANY, "GENERIC-ID #CS 17" },
	{ TR, W_GEN0, 2, 1, 0x89, MK_ERR_TOO_MANY, "GENERIC-ID #P 9" },
	{ TR, W_GEN0, 2, 1, 0x7f, MK_ERR_TOO_MANY, "GENERIC-ID #P 127" },
	{ TR, W_GEN0, 4, 2, 0xffff, MK_ERR_TRUNCATED, "session data len 65535" },
	{ RI, W_T, 1, 1, 4, MK_ERR_BAD_ALG, "TS type 4" },
	{ RI, W_T, 1, 1, 255, MK_ERR_BAD_ALG, "TS type 255" },
	{ RI, W_V, 1, 1, 3, MK_ERR_BAD_ALG, "V alg 3" },
	{ RI, W_V, 1, 1, 0, MK_ERR_TRAILING, "V alg NULL leaves the MAC as trailing bytes" },
	{ RR, W_KEMAC, 4 + 44, 1, 7, MK_ERR_BAD_ALG, "KEMAC MAC alg 7" },
	{ RR, W_KEMAC, 2, 2, 0xffff, MK_ERR_TRUNCATED, "KEMAC encr len 65535" },
	{ TR, W_RANDRR, 2, 1, 0xff, MK_ERR_TRUNCATED, "RANDR len 255" },
	{ RI, W_IDRI, 3, 2, 0xffff, MK_ERR_TRUNCATED, "IDR len 65535" },
	{ RI, W_RANDRI, 1, 1, MK_RANDR_R, MK_ERR_MISSING_PAYLOAD, "RANDRi becomes RANDRr (skipped)" },
	{ RI, W_IDRKMS, 1, 1, MK_IDR_I, MK_ERR_DUPLICATE, "two IDRi" },
	{ RI, W_IDRI, 1, 1, MK_IDR_KMS, MK_ERR_DUPLICATE, "two IDRkms" },
	{ RI, W_IDRI, 1, 1, MK_IDR_PSK, MK_ERR_ORDER, "IDRpsk before TP" },
	{ RI, W_IDRKMS, 1, 1, MK_IDR_PSK, MK_ERR_ORDER, "IDRpsk before TP (2)" },
	{ RI, W_V, 0, 1, MK_PT_T, MK_ERR_ORDER, "payload after V" },
	{ RI, W_V, 0, 1, 99, MK_ERR_ORDER, "unknown payload after V" },
	/* Ticket Policy flags (3.6), byte 5 = PRF|D, 6 = E..L, 7 = M N O */
	{ RI, W_TICKET, 5, 1, 0x00, MK_ERR_BAD_FLAGS, "not D and not L" },
	{ RI, W_TICKET, 6, 1, 0xbc, MK_ERR_BAD_FLAGS, "G without F" },
	{ RI, W_TICKET, 6, 1, 0xcc, MK_ERR_BAD_FLAGS, "neither G nor H" },
	{ RI, W_TICKET, 6, 1, 0x7c, MK_ERR_BAD_FLAGS, "I without E" },
	{ RI, W_TICKET, 5, 2, 0x00ff, MK_ERR_BAD_FLAGS, "K without D" },
	{ RI, W_TICKET, 6, 2, 0x9ce0, MK_ERR_BAD_FLAGS, "M without F" },
	{ RI, W_TICKET, 7, 1, 0xe0, MK_OK, "M with F is fine" },
	{ RR, W_TICKET, 6, 1, 0xbc, MK_ERR_BAD_FLAGS, "ticket: G without F" },
	{ RR, W_TICKET, 6, 1, 0x7c, MK_ERR_BAD_FLAGS, "ticket: I without E" },
	{ TI, W_TICKET, 6, 1, 0x5c, MK_ERR_BAD_FLAGS, "transfer: F G H I J, no E" },
	{ TI, W_TICKET, 6, 1, 0xf4, MK_ERR_POLICY, "Initiator Data without I flag" },
	{ RI, W_TICKET, 8, 2, 0, MK_ERR_BAD_LENGTH, "TP Data length 0" },
	{ RI, W_TICKET, 9, -1, 1, MK_ERR_BAD_LENGTH, "TP Data length -1/+1" },
	{ RI, W_TPIDRR0, 1, 1, MK_IDR_I, MK_ERR_ORDER, "TP Data IDRi after IDRr" },
	{ RI, W_TPIDRR1, 1, 1, MK_IDR_APP, MK_ERR_ORDER, "TP Data IDRapp after IDRr" },
	{ RI, W_TPKEMAC, 1, 1, MK_ENCR_AES_CM_128, MK_ERR_BAD_VALUE, "desired KEMAC encrypted" },
	{ RI, W_TPKEMAC, 4, 1, MK_PT_GENEXT, MK_ERR_BAD_NEXT_PAYLOAD, "desired KEMAC: bad key chain" },
	{ RI, W_TPKEMAC, 5, 1, 0x13, MK_ERR_BAD_ALG, "desired KEMAC: KV type 3" },
	{ RI, W_TPKEMAC, 6, 1, 0x01, MK_ERR_BAD_LENGTH, "desired KEMAC: key length 272" },
	{ RI, W_TPIDRR0, 0, 1, MK_PT_TICKET, MK_ERR_BAD_NEXT_PAYLOAD, "TICKET nested in TP Data" },
	{ RI, W_TPIDRR0, 0, 1, MK_PT_KEYDATA, MK_ERR_BAD_NEXT_PAYLOAD, "Key data in TP Data" },
	{ TI, W_INIT, 0, 1, MK_PT_T, MK_ERR_BAD_NEXT_PAYLOAD, "Initiator Data not starting with V" },
	{ TI, W_INIT, 1, 1, MK_PT_LAST, MK_ERR_BAD_NEXT_PAYLOAD, "Vi not followed by Vr" },
	{ TI, W_INIT, 2, 1, 7, MK_ERR_BAD_ALG, "Vi alg 7" },
	{ TI, W_SP0, 3, 2, 0xffff, MK_ERR_TRUNCATED, "SP param length 65535" },
	{ TI, W_SP0, 6, 1, 0x20, MK_ERR_BAD_LENGTH, "SP TLV runs past its parameters" },
	{ ER, W_ERR0, 0, 1, 77, MK_ERR_BAD_NEXT_PAYLOAD, "Error: unknown payload 77" },
	{ RIPK, W_SIGN, 0, 2, 0x0fff, MK_ERR_TRUNCATED, "SIGN length 4095" },
	{ RIPK, W_SIGN, 0, 2, 0x002f, MK_ERR_TRAILING, "SIGN length -1" },
	{ RIPK, W_SIGN, 0, 2, 0x1030, MK_OK, "SIGN type RSA-PSS" },
};

static size_t where(const struct mk_msg *m, enum where w)
{
	switch (w) {
	case W_HDR: return 0;
	case W_T: return m->t.pl.off;
	case W_RANDRI: return m->randr[MK_RANDR_I].pl.off;
	case W_RANDRR: return m->randr[MK_RANDR_R].pl.off;
	case W_IDRI: return m->idr[MK_IDR_I].pl.off;
	case W_IDRKMS: return m->idr[MK_IDR_KMS].pl.off;
	case W_TICKET: return m->ticket.pl.off;
	case W_V: return m->v.pl.off;
	case W_SP0: return m->sp[0].pl.off;
	case W_KEMAC: return m->kemac.pl.off;
	case W_TPIDRR0: return m->ticket.tp.idrr[0].pl.off;
	case W_TPIDRR1: return m->ticket.tp.idrr[1].pl.off;
	case W_TPKEMAC: return m->ticket.tp.kemac.pl.off;
	case W_INIT: return (size_t)(m->ticket.init_data.p - m->buf);
	case W_SIGN: return m->sign.pl.off;
	case W_GEN0: return 10;
	case W_ERR0: return m->err[0].pl.off;
	}
	return 0;
}

static void test_mutations(void)
{
	struct mk_msg m;
	unsigned i, big, before = ncases;
	size_t n, at;
	char what[128];

	for (i = 0; i < sizeof(muts) / sizeof(muts[0]); i++)
		for (big = 0; big < 2; big++) {
			const struct mut *u = &muts[i];

			n = sample(u->dt, big, &m);
			at = where(&m, u->w) + u->off;
			CU_ASSERT_FATAL(at + 1 < n);
			if (u->width == 1)
				buf[at] = (uint8_t)u->val;
			else if (u->width == 2) {
				buf[at] = (uint8_t)(u->val >> 8);
				buf[at + 1] = (uint8_t)u->val;
			} else {
				buf[at] ^= (uint8_t)u->val;
			}
			snprintf(what, sizeof(what), "%s (set %u)", u->name, big);
			expect(buf, n, u->want, what);
		}
	printf("\n  mutations: %u cases\n", ncases - before);
}

/* ---- spliced payloads ---- */

/* Insert `len` bytes copied from buf[from..] at buf[at], giving the copy
 * Next Payload `np`. */
static size_t splice(size_t n, size_t at, size_t from, size_t len, uint8_t np)
{
	uint8_t tmp[512];

	memcpy(tmp, buf + from, len);
	tmp[0] = np;
	memmove(buf + at + len, buf + at, n - at);
	memcpy(buf + at, tmp, len);
	return n + len;
}

static void test_splices(void)
{
	struct mk_msg m, p;
	unsigned i, big, before = ncases;
	size_t n;

	for (big = 0; big < 2; big++) {
		/* a second T right after T */
		n = sample(RI, big, &m);
		n = splice(n, m.t.pl.off + m.t.pl.len, m.t.pl.off, m.t.pl.len,
			   buf[m.t.pl.off]);
		buf[m.t.pl.off] = MK_PT_T;
		expect(buf, n, MK_ERR_DUPLICATE, "two T");

		/* 9 SPs (limit 8) */
		n = sample(TI, big, &m);
		for (i = 0; i < MK_MAX_SP; i++)
			n = splice(n, m.sp[0].pl.off, m.sp[0].pl.off, m.sp[0].pl.len, MK_PT_SP);
		expect(buf, n, MK_ERR_TOO_MANY, "9 SP");
		n = sample(TI, big, &m);
		for (i = 0; i < MK_MAX_SP - 1; i++)
			n = splice(n, m.sp[0].pl.off, m.sp[0].pl.off, m.sp[0].pl.len, MK_PT_SP);
		expect(buf, n, MK_OK, "8 SP");
		CU_ASSERT_EQUAL(mk_parse(buf, n, &p), MK_OK);
		CU_ASSERT_EQUAL(p.nsp, MK_MAX_SP);

		/* 9 ERR (limit 8) */
		n = sample(ER, big, &m);
		for (i = 0; i < MK_MAX_ERR - 1; i++)
			n = splice(n, m.err[0].pl.off, m.err[0].pl.off, m.err[0].pl.len, MK_PT_ERR);
		expect(buf, n, MK_ERR_TOO_MANY, "9 ERR");

		/* 5 General Extensions (limit 4) */
		n = sample(ER, big, &m);
		for (i = 0; i < MK_MAX_EXT - 1; i++)
			n = splice(n, m.ext[0].pl.off, m.ext[0].pl.off, m.ext[0].pl.len, MK_PT_GENEXT);
		expect(buf, n, MK_OK, "4 General Ext");
		n = splice(n, m.ext[0].pl.off, m.ext[0].pl.off, m.ext[0].pl.len, MK_PT_GENEXT);
		expect(buf, n, MK_ERR_TOO_MANY, "5 General Ext");

		/* an unexpected but known payload (RAND) before V is skipped */
		n = sample(RI, big, &m);
		n = splice(n, m.v.pl.off, m.randr[MK_RANDR_I].pl.off + 1,
			   m.randr[MK_RANDR_I].pl.len - 1, MK_PT_V);
		buf[m.idr[MK_IDR_PSK].pl.off] = MK_PT_RAND;
		expect(buf, n, MK_OK, "RAND skipped");
		CU_ASSERT_EQUAL(mk_parse(buf, n, &p), MK_OK);
		CU_ASSERT_EQUAL(p.nskipped, 1);

		/* a trailing byte */
		n = sample(SR, big, &m);
		buf[n++] = 0;
		expect(buf, n, MK_ERR_TRAILING, "trailing byte");

		/* V then SIGN in an Error message */
		n = sample(ER, big, &m);
		buf[n] = 0x00;
		buf[n + 1] = 0x01;
		buf[n + 2] = 0xaa;
		buf[m.v.pl.off] = MK_PT_SIGN;
		expect(buf, n + 3, MK_ERR_ORDER, "V then SIGN");
	}
	printf("\n  splices: %u cases\n", ncases - before);
}

/* ---- nested structures ---- */

static void test_nested(void)
{
	static uint8_t kb[512];
	struct mk_keylist kl, got;
	struct mk_ticket_data td, tdp;
	struct mk_init_data id, idp;
	size_t n, k, eoff;
	unsigned i;
	uint8_t thdr[5] = { 1, 0, 0, 0, 7 };

	memset(&kl, 0, sizeof(kl));
	kl.n = 3;
	for (i = 0; i < 3; i++) {
		kl.k[i].type = i == 0 ? MK_KEY_MPK : MK_KEY_TEK_SALT;
		kl.k[i].key = (struct mk_bytes){ smp_rand32, 16 };
		if (i)
			kl.k[i].salt = (struct mk_bytes){ smp_rand32, 14 };
		kl.k[i].kv.type = i == 2 ? MK_KV_INTERVAL : MK_KV_SPI;
		kl.k[i].kv.spi = (struct mk_bytes){ smp_spi, 4 };
		kl.k[i].kv.valid_from = (struct mk_bytes){ smp_spi, 4 };
		kl.k[i].kv.valid_to = (struct mk_bytes){ smp_rand32, 6 };
	}
	CU_ASSERT_EQUAL_FATAL(mk_keylist_build(&kl, kb, sizeof(kb), &n), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_keylist_parse(kb, n, &got, &eoff), MK_OK);
	CU_ASSERT_EQUAL(got.n, 3);
	CU_ASSERT_EQUAL(got.k[2].kv.valid_to.n, 6);
	CU_ASSERT_EQUAL(got.k[1].salt.n, 14);
	CU_ASSERT_EQUAL(got.k[0].salt.n, 0);
	for (k = 0; k < n; k++) {
		ncases++;
		CU_ASSERT_EQUAL(mk_keylist_parse(kb, k, &got, &eoff), MK_ERR_TRUNCATED);
	}
	kb[0] = MK_PT_GENEXT;
	ncases++;
	CU_ASSERT_EQUAL(mk_keylist_parse(kb, n, &got, &eoff), MK_ERR_BAD_NEXT_PAYLOAD);
	kb[0] = MK_PT_KEYDATA;
	kb[1] = (uint8_t)(MK_KEY_MPK << 4 | 3);
	ncases++;
	CU_ASSERT_EQUAL(mk_keylist_parse(kb, n, &got, &eoff), MK_ERR_BAD_ALG);
	CU_ASSERT_EQUAL(eoff, 1);
	kb[1] = (uint8_t)(MK_KEY_MPK << 4 | 1);
	ncases++;
	CU_ASSERT_EQUAL(mk_keylist_parse(kb, n + 1, &got, &eoff), MK_ERR_TRAILING);
	kl.n = MK_MAX_KEYS + 1;
	ncases++;
	CU_ASSERT_EQUAL(mk_keylist_build(&kl, kb, sizeof(kb), &n), MK_ERR_BAD_ARG);
	/* 17 keys on the wire */
	kl.n = 1;
	CU_ASSERT_EQUAL_FATAL(mk_keylist_build(&kl, kb, sizeof(kb), &k), MK_OK);
	for (i = 1; i <= MK_MAX_KEYS; i++) {
		memcpy(kb + i * k, kb, k);
		kb[(i - 1) * k] = MK_PT_KEYDATA;
	}
	ncases++;
	CU_ASSERT_EQUAL(mk_keylist_parse(kb, (MK_MAX_KEYS + 1) * k, &got, &eoff), MK_ERR_TOO_MANY);
	ncases++; /* the 17th key is announced: the limit is hit first */
	CU_ASSERT_EQUAL(mk_keylist_parse(kb, MK_MAX_KEYS * k, &got, &eoff), MK_ERR_TOO_MANY);
	kb[(MK_MAX_KEYS - 1) * k] = MK_PT_LAST;
	CU_ASSERT_EQUAL(mk_keylist_parse(kb, MK_MAX_KEYS * k, &got, &eoff), MK_OK);
	kl.n = 1;
	kl.k[0].salt.n = 14; /* salt on a key type without salt */
	ncases++;
	CU_ASSERT_EQUAL(mk_keylist_build(&kl, kb, sizeof(kb), &n), MK_ERR_BAD_ARG);

	/* Ticket Data */
	memset(&td, 0, sizeof(td));
	td.thdr.data = (struct mk_bytes){ thdr, 5 };
	td.t.pl.present = td.rand.pl.present = td.kemac.pl.present = td.v.pl.present = true;
	td.t.ts_type = MK_TS_NTP_UTC;
	td.rand.rand = (struct mk_bytes){ smp_rand32, 32 };
	td.kemac.encr_alg = MK_ENCR_AES_CM_256;
	td.kemac.encr = (struct mk_bytes){ smp_opaque, 30 };
	td.v.alg = MK_MAC_HMAC_SHA256_256;
	CU_ASSERT_EQUAL_FATAL(mk_ticket_data_build(&td, kb, sizeof(kb), &n), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_ticket_data_parse(kb, n, &tdp, &eoff), MK_OK);
	CU_ASSERT_EQUAL(tdp.v.mac_off + 32, n);
	CU_ASSERT_EQUAL(tdp.thdr.data.n, 5);
	for (k = 0; k < n; k++) {
		ncases++;
		CU_ASSERT_EQUAL(mk_ticket_data_parse(kb, k, &tdp, &eoff), MK_ERR_TRUNCATED);
	}
	kb[td.rand.pl.off] = MK_PT_V; /* RAND names V: KEMAC missing */
	ncases++;
	CU_ASSERT_EQUAL(mk_ticket_data_parse(kb, n, &tdp, &eoff), MK_ERR_BAD_ALG);
	kb[td.rand.pl.off] = MK_PT_TICKET;
	ncases++;
	CU_ASSERT_EQUAL(mk_ticket_data_parse(kb, n, &tdp, &eoff), MK_ERR_BAD_NEXT_PAYLOAD);
	kb[td.rand.pl.off] = MK_PT_KEMAC;
	/* THDR names RAND: T (np 11, type 0) reads as an empty RAND naming
	 * another RAND */
	kb[td.thdr.pl.off] = MK_PT_RAND;
	ncases++;
	CU_ASSERT_EQUAL(mk_ticket_data_parse(kb, n, &tdp, &eoff), MK_ERR_DUPLICATE);

	/* Initiator Data */
	memset(&id, 0, sizeof(id));
	id.vi.alg = id.vr.alg = MK_MAC_HMAC_SHA1_160;
	CU_ASSERT_EQUAL_FATAL(mk_init_data_build(&id, kb, sizeof(kb), &n), MK_OK);
	CU_ASSERT_EQUAL(n, 1 + 22 + 22);
	CU_ASSERT_EQUAL_FATAL(mk_init_data_parse(kb, n, &idp, &eoff), MK_OK);
	for (k = 0; k < n; k++) {
		ncases++;
		CU_ASSERT_EQUAL(mk_init_data_parse(kb, k, &idp, &eoff), MK_ERR_BAD_LENGTH);
	}
	ncases++;
	CU_ASSERT_EQUAL(mk_init_data_parse(kb, n + 1, &idp, &eoff), MK_ERR_BAD_LENGTH);
	id.vr.alg = MK_MAC_HMAC_SHA256_256;
	id.vr.mac = (struct mk_bytes){ NULL, 0 };
	CU_ASSERT_EQUAL_FATAL(mk_init_data_build(&id, kb, sizeof(kb), &n), MK_OK);
	ncases++;
	CU_ASSERT_EQUAL(mk_init_data_parse(kb, n, &idp, &eoff), MK_ERR_BAD_VALUE);
}

/* ---- the builder refuses what the parser would refuse ---- */

static void test_builder_refuses(void)
{
	struct mk_msg m;
	size_t n;

	smp_msg(&m, MK_DT_TRANSFER_INIT, false);
	m.kemac.pl.present = true; /* L = 0 */
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_POLICY);
	CU_ASSERT_EQUAL(n, 0);
	smp_msg(&m, MK_DT_TRANSFER_INIT, false);
	m.ticket.flags |= MK_TF_L;
	m.kemac.pl.present = true;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_OK);

	smp_msg(&m, MK_DT_RESOLVE_INIT_PSK, false);
	m.ticket.init_data = (struct mk_bytes){ NULL, 0 };
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_MISSING_PAYLOAD);

	smp_msg(&m, MK_DT_REQUEST_RESP, false);
	m.ticket.tp.kemac.pl.present = true; /* only the desired policy has one */
	m.ticket.tp.kemac.encr = (struct mk_bytes){ smp_wanted, sizeof(smp_wanted) };
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_POLICY);

	smp_msg(&m, MK_DT_REQUEST_RESP, false);
	m.ticket.flags &= ~(uint32_t)MK_TF_F;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_BAD_FLAGS);

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.ticket.tp.trr.pl.present = true;
	m.ticket.tp.trr.ts_type = MK_TS_NTP_UTC;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_BAD_VALUE);
	m.ticket.tp.trr.ts_type = MK_TS_NTP_UTC_32;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_OK);

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.randr[MK_RANDR_I].pl.present = false;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_MISSING_PAYLOAD);

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.ticket.tp.nr = 0;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_BAD_ARG);

	smp_msg(&m, MK_DT_TRANSFER_INIT, false);
	m.nsp = MK_MAX_SP + 1;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_TOO_MANY);

	smp_msg(&m, MK_DT_TRANSFER_INIT, false);
	m.hdr.map_type = MK_MAP_SRTP_ID;
	m.hdr.ncs = 0;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_BAD_HDR);

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.idr[MK_IDR_I].data.n = 70000;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, out, 100000 > sizeof(out) ? sizeof(out) : 100000, &n),
			MK_ERR_NOSPACE);

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, 40, &n), MK_ERR_NOSPACE);

	smp_msg(&m, 0, false);
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_BAD_DATA_TYPE);

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.v.alg = 9;
	ncases++;
	CU_ASSERT_EQUAL(mk_build(&m, buf, sizeof(buf), &n), MK_ERR_BAD_ARG);
}

static void test_count(void)
{
	printf("\n  malformed inputs refused with a specific error: %u\n", ncases);
	CU_ASSERT(ncases >= 150);
}

static void test_strerror(void)
{
	int e;

	for (e = MK_ERR_AUTH; e < MK_ERR_CODEC_END; e++)
		CU_ASSERT(strcmp(mk_strerror(e), "unknown error") != 0);
	CU_ASSERT_STRING_EQUAL(mk_strerror(1000), "unknown error");
}

static const struct tk_test tests[] = {
	TK_TEST(test_truncated_everywhere),
	TK_TEST(test_mutations),
	TK_TEST(test_splices),
	TK_TEST(test_nested),
	TK_TEST(test_builder_refuses),
	TK_TEST(test_count),
	TK_TEST(test_strerror),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("codec-malformed", tests);
}
