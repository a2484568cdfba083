/*
 * mikey-bench.c: speed of the MIKEY library (src/mikey) on typical
 * messages, in both algorithm sets of P-8: parse and build of a
 * REQUEST_INIT_PSK, the receiver's full check of a RESOLVE_RESP (mk_parse +
 * mk_msg_keyset + mk_msg_verify + mk_kemac_open, mikey.md 5.6, 5.5) and the
 * base ticket's seal and open (P-10, mikey.md 5.7, 5.8).  Prints ns/op and
 * ops/s per case (about one second each, CLOCK_MONOTONIC).  Targets of the
 * issue: parse REQUEST_INIT < 1 us, RESOLVE_RESP verify+decrypt < 10 us.
 *
 * Usage: mikey-bench [SECONDS_PER_CASE [CASE-SUBSTRING]] (the filter is for
 * profiling one case with perf or callgrind).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"

#define BS(s) ((struct mk_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

static double secs_per_case = 1.0;
static const char *only; /* run only cases whose name contains this */
static volatile unsigned sink;

static const uint8_t psk_i[32] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
static const uint8_t psk_r[32] = { 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27 };
static const uint8_t tpk_key[32] = { 0x40, 0x41, 0x42, 0x43 };
static const uint8_t mpk[32] = { 0x4d, 0x50, 0x4b };
static const uint8_t tgk[16] = { 0x54, 0x47, 0x4b };
static const uint8_t salt[14] = { 0x53, 0x41, 0x4c, 0x54 };
static const uint8_t spi[4] = { 0, 0, 0x20, 0x01 };
static const uint8_t rnd[32] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
				 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
				 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27,
				 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f };
#define T0 0xeeb3ef4000000000ull /* 2026-11-27T12:00:00Z */

static void die(const char *what, int e)
{
	fprintf(stderr, "mikey-bench: %s: %s\n", what, mk_strerror(e));
	exit(1);
}

#define CK(x) do { int e_ = (x); if (e_) die(#x, e_); } while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Runs fn(ctx) n times per round: grows n until a round takes 1/20 of the
 * budget, then runs rounds for the whole budget.  Prints the mean and the
 * best round: other processes sharing the CPU only ever slow a round down,
 * so the best round is the figure that survives a busy machine.
 */
static void bench(const char *name, void (*fn)(void *), void *ctx)
{
	unsigned long n = 16, i, total = 0;
	double t0, dt, start, best = 1e30;

	if (only && !strstr(name, only))
		return;
	for (;;) {
		t0 = now();
		for (i = 0; i < n; i++)
			fn(ctx);
		dt = now() - t0;
		if (dt > secs_per_case / 20)
			break;
		n *= 2;
	}
	start = now();
	do {
		t0 = now();
		for (i = 0; i < n; i++)
			fn(ctx);
		dt = now() - t0;
		if (dt < best)
			best = dt;
		total += n;
	} while (now() - start < secs_per_case);
	dt = now() - start;
	printf("%-42s %9.1f ns/op (best %9.1f) %10.0f ops/s\n", name,
	       dt * 1e9 / (double)total, best * 1e9 / (double)n, (double)total / dt);
}

static void idr(struct mk_idr *d, uint8_t role, uint8_t type, struct mk_bytes v)
{
	d->pl.present = true;
	d->role = role;
	d->id_type = type;
	d->data = v;
}

static void keydata(struct mk_keydata *k, uint8_t type, const uint8_t *key, size_t n,
		    const uint8_t *s, size_t sn)
{
	memset(k, 0, sizeof(*k));
	k->pl.present = true;
	k->type = type;
	k->key = (struct mk_bytes){ key, n };
	k->salt = (struct mk_bytes){ s, sn };
	k->kv.type = MK_KV_SPI;
	k->kv.spi = (struct mk_bytes){ spi, 4 };
}

static void hdr(struct mk_msg *m, uint8_t dt, bool big)
{
	memset(m, 0, sizeof(*m));
	m->hdr.version = MK_VERSION;
	m->hdr.data_type = dt;
	m->hdr.prf = big ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
	m->hdr.csb_id = 0x3a5b7c9d;
	m->hdr.map_type = MK_MAP_EMPTY;
	m->t.pl.present = true;
	m->t.ts_type = MK_TS_NTP_UTC;
	m->t.ts = T0;
	m->v.pl.present = true;
	m->v.alg = big ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160;
}

/* The policy P-11 grants, without forking so that no Initiator Data is needed. */
static void policy(struct mk_ticket *tk)
{
	tk->pl.present = true;
	tk->ticket_type = MK_TICKET_MIKEY_BASE;
	tk->subtype = MK_BASE_TICKET_SUBTYPE;
	tk->version = MK_BASE_TICKET_VERSION;
	tk->prf = MK_PRF_HMAC_SHA256;
	tk->flags = MK_TF_D | MK_TF_E | MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_J | MK_TF_N |
		    MK_TF_O;
	idr(&tk->tp.idrkms, MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
	idr(&tk->tp.idri, MK_IDR_I, MK_ID_URI, BS("sip:alice@home1.net"));
	tk->tp.trs = (struct mk_tr){ { true, 0, 0, 0 }, MK_TR_START, MK_TS_NTP_UTC_32, T0 >> 32 };
	tk->tp.tre = (struct mk_tr){ { true, 0, 0, 0 }, MK_TR_END, MK_TS_NTP_UTC_32,
				     (T0 >> 32) + 86400 };
	tk->tp.nr = 1;
	idr(&tk->tp.idrr[0], MK_IDR_R, MK_ID_URI, BS("sip:bob@home1.net"));
}

/* A REQUEST_INIT_PSK as a UE sends it (P-2: IDRpsk = B-TID). */
static void request_init(struct mk_msg *m, bool big)
{
	hdr(m, MK_DT_REQUEST_INIT_PSK, big);
	m->hdr.v = true;
	m->randr[MK_RANDR_I].pl.present = true;
	m->randr[MK_RANDR_I].rand = (struct mk_bytes){ rnd, 32 };
	idr(&m->idr[MK_IDR_I], MK_IDR_I, MK_ID_URI, BS("sip:alice@home1.net"));
	idr(&m->idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
	policy(&m->ticket);
	idr(&m->idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI,
	    BS("nxx6Lls9TG+KDh0sO0pZaA==@bsf.home1.net"));
}

/* ---- cases ---- */

struct msgbuf {
	uint8_t b[2048];
	size_t n;
};

struct parse_ctx {
	const struct msgbuf *mb;
	struct mk_msg m;
};

static void do_parse(void *c)
{
	struct parse_ctx *p = c;

	sink += (unsigned)mk_parse(p->mb->b, p->mb->n, &p->m);
}

struct build_ctx {
	struct mk_msg desc;
	struct msgbuf out;
};

static void do_build(void *c)
{
	struct build_ctx *b = c;

	sink += (unsigned)mk_build(&b->desc, b->out.b, sizeof(b->out.b), &b->out.n);
}

/* build as a sender does: key set, build, MAC */
static void do_build_protect(void *c)
{
	struct build_ctx *b = c;
	struct mk_keyset ks;

	sink += (unsigned)mk_msg_keyset(&ks, &b->desc, NULL, psk_i, 32);
	sink += (unsigned)mk_build(&b->desc, b->out.b, sizeof(b->out.b), &b->out.n);
	sink += (unsigned)mk_msg_protect(b->out.b, &b->desc, &ks, NULL, NULL);
	mk_keyset_wipe(&ks);
}

struct resolve_ctx {
	struct msgbuf rinit, rresp;
	struct mk_msg init, m;
	uint8_t plain[512];
};

/* R receives RESOLVE_RESP: parse, key set, MAC, KEMAC */
static void do_resolve_resp(void *c)
{
	struct resolve_ctx *r = c;
	struct mk_keylist kl;
	struct mk_keyset ks;
	int e;

	e = mk_parse(r->rresp.b, r->rresp.n, &r->m);
	if (!e)
		e = mk_msg_keyset(&ks, &r->m, &r->init, psk_r, 32);
	if (!e)
		e = mk_msg_verify(&r->m, &ks, &r->init, NULL);
	if (!e)
		e = mk_kemac_open(&r->m.kemac, &ks, r->m.hdr.csb_id, &r->m.t, r->plain,
				  sizeof(r->plain), &kl);
	if (e)
		die("RESOLVE_RESP check", e);
	mk_keyset_wipe(&ks);
	sink += kl.n;
}

struct ticket_ctx {
	struct mk_ticket tk;
	struct mk_keylist kl;
	struct mk_tpk tpk;
	uint8_t out[1024], plain[512];
	struct msgbuf msg;
	struct mk_msg parsed;
};

static void do_seal(void *c)
{
	struct ticket_ctx *t = c;
	struct mk_seal_in si = { &t->tpk, T0, { rnd, 32 }, &t->kl, NULL };
	size_t n;

	sink += (unsigned)mk_ticket_seal(&t->tk, &si, t->out, sizeof(t->out), &n);
}

static void do_open(void *c)
{
	struct ticket_ctx *t = c;
	struct mk_ticket_keys k;

	if (mk_ticket_open(&t->parsed.ticket, &t->tpk, 1, t->plain, sizeof(t->plain), &k))
		die("ticket open", MK_ERR_MAC);
	sink += k.keys.n;
	mk_ticket_keys_wipe(&k);
}

/* RESOLVE_INIT (with a sealed ticket) and the KMS's RESOLVE_RESP. */
static void make_resolve(struct resolve_ctx *r, bool big)
{
	static uint8_t tdbuf[1024], kem[512];
	size_t mpk_len = big ? 32 : 16, n;
	struct mk_tpk tpk = { 1, tpk_key, 32 };
	struct mk_msg rinit, rresp;
	struct mk_keylist kl;
	struct mk_seal_in si;
	struct mk_keyset ks;

	hdr(&rinit, MK_DT_RESOLVE_INIT_PSK, big);
	rinit.hdr.v = true;
	rinit.randr[MK_RANDR_R].pl.present = true;
	rinit.randr[MK_RANDR_R].rand = (struct mk_bytes){ rnd, 32 };
	idr(&rinit.idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, BS("sip:bob@home1.net"));
	idr(&rinit.idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
	idr(&rinit.idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI, BS("3vJ0o+Q1k8yXcW2bLh9sEg==@bsf.home1.net"));
	policy(&rinit.ticket);
	kl.n = 2;
	keydata(&kl.k[0], MK_KEY_MPK, mpk, mpk_len, NULL, 0);
	keydata(&kl.k[1], MK_KEY_TGK_SALT, tgk, 16, salt, 14);
	si = (struct mk_seal_in){ &tpk, T0, { rnd, 32 }, &kl, NULL };
	CK(mk_ticket_seal(&rinit.ticket, &si, tdbuf, sizeof(tdbuf), &n));
	CK(mk_msg_keyset(&ks, &rinit, NULL, psk_r, 32));
	CK(mk_build(&rinit, r->rinit.b, sizeof(r->rinit.b), &r->rinit.n));
	CK(mk_msg_protect(r->rinit.b, &rinit, &ks, NULL, NULL));
	mk_keyset_wipe(&ks);
	CK(mk_parse(r->rinit.b, r->rinit.n, &r->init));

	hdr(&rresp, MK_DT_RESOLVE_RESP, big);
	idr(&rresp.idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
	kl.n = 2;
	keydata(&kl.k[0], MK_KEY_MPK, mpk, mpk_len, NULL, 0); /* stands in for MPKi */
	keydata(&kl.k[1], MK_KEY_TGK_SALT, tgk, 16, salt, 14);
	rresp.kemac.pl.present = true;
	rresp.kemac.encr_alg = big ? MK_ENCR_AES_CM_256 : MK_ENCR_AES_CM_128;
	CK(mk_msg_keyset(&ks, &rresp, &r->init, psk_r, 32));
	CK(mk_kemac_seal(&kl, &ks, rresp.hdr.csb_id, &rresp.t, kem, sizeof(kem), &n));
	rresp.kemac.encr = (struct mk_bytes){ kem, n };
	CK(mk_build(&rresp, r->rresp.b, sizeof(r->rresp.b), &r->rresp.n));
	CK(mk_msg_protect(r->rresp.b, &rresp, &ks, &r->init, NULL));
	mk_keyset_wipe(&ks);
}

int main(int argc, char **argv)
{
	static struct parse_ctx pc;
	static struct build_ctx bc;
	static struct resolve_ctx rc;
	static struct ticket_ctx tc;
	static struct msgbuf mb;
	char name[80];
	int big;

	if (argc > 1) {
		secs_per_case = atof(argv[1]);
		if (secs_per_case <= 0 || secs_per_case > 60) {
			fprintf(stderr, "usage: mikey-bench [SECONDS_PER_CASE (0-60, default 1) "
				"[CASE-SUBSTRING]]\n");
			return 64;
		}
		only = argc > 2 ? argv[2] : NULL;
	}
	printf("mikey-bench: %.1f s per case; targets: parse REQUEST_INIT < 1000 ns, "
	       "RESOLVE_RESP verify+decrypt < 10000 ns\n", secs_per_case);
	for (big = 0; big <= 1; big++) {
		const char *set = big ? "256" : "128";
		struct mk_keyset ks;

		/* REQUEST_INIT_PSK */
		request_init(&bc.desc, big);
		CK(mk_msg_keyset(&ks, &bc.desc, NULL, psk_i, 32));
		CK(mk_build(&bc.desc, mb.b, sizeof(mb.b), &mb.n));
		CK(mk_msg_protect(mb.b, &bc.desc, &ks, NULL, NULL));
		mk_keyset_wipe(&ks);
		pc.mb = &mb;
		snprintf(name, sizeof(name), "parse REQUEST_INIT_PSK (%s, %zu B)", set, mb.n);
		bench(name, do_parse, &pc);
		snprintf(name, sizeof(name), "build REQUEST_INIT_PSK (%s)", set);
		bench(name, do_build, &bc);
		snprintf(name, sizeof(name), "build+MAC REQUEST_INIT_PSK (%s)", set);
		bench(name, do_build_protect, &bc);

		/* RESOLVE_RESP, receiver side */
		make_resolve(&rc, big);
		snprintf(name, sizeof(name), "verify+decrypt RESOLVE_RESP (%s, %zu B)", set,
			 rc.rresp.n);
		bench(name, do_resolve_resp, &rc);
	}

	/* base ticket (always the 256-bit algorithms, P-10) */
	policy(&tc.tk);
	tc.tpk = (struct mk_tpk){ 1, tpk_key, 32 };
	tc.kl.n = 2;
	keydata(&tc.kl.k[0], MK_KEY_MPK, mpk, 32, NULL, 0);
	keydata(&tc.kl.k[1], MK_KEY_TGK_SALT, tgk, 16, salt, 14);
	bench("ticket seal (MPK 32 + TGK+SALT)", do_seal, &tc);
	make_resolve(&rc, true);
	tc.parsed = rc.init;
	bench("ticket open (MAC, decrypt, MPKi/MPKr)", do_open, &tc);
	return 0;
}
