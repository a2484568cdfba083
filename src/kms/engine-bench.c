/*
 * engine-bench.c: single-threaded rates of the ticket engine for
 * REQUEST_INIT_PSK -> REQUEST_RESP and RESOLVE_INIT_PSK -> RESOLVE_RESP
 * (forking ticket), in both algorithm sets of P-8.  Messages are built and
 * MACed beforehand (each one distinct, so the replay cache accepts them);
 * only kms_engine_handle is timed.  Keys come from an in-memory key source.
 *
 *   engine-bench [messages per case, default 20000]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>

#include "kms/engine.h"
#include "kms/keyring.h"
#include "kms/replay.h"
#include "mikey/mikey.h"
#include "mikey/mprotect.h"

#define FQDN "kms.home1.net"
#define MSG_MAX 512

struct party {
	const char *btid, *impi, *impu;
	uint8_t ks[32];
};

static struct party alice = { "QUFBQUFBQUFBQUFBQUFBQQ==@bsf.home1.net", "alice@home1.net",
			      "sip:alice@home1.net", { 0 } };
static struct party bob = { "QkJCQkJCQkJCQkJCQkJCQg==@bsf.home1.net", "bob@home1.net",
			    "sip:bob@home1.net", { 0 } };

static enum kms_key_status lookup(void *ctx, const char *btid, size_t len, tk_ua_id ua,
				  struct kms_subscriber *out)
{
	struct party *p = strlen(alice.btid) == len && !memcmp(btid, alice.btid, len) ? &alice :
			  strlen(bob.btid) == len && !memcmp(btid, bob.btid, len) ? &bob : NULL;

	(void)ctx;
	(void)ua;
	if (!p)
		return KMS_KEY_NOT_FOUND;
	memcpy(out->ks_naf, p->ks, 32);
	out->expiry = time(NULL) + 3600;
	out->impi = p->impi;
	out->impus = &p->impu;
	out->n_impus = 1;
	out->handle = p;
	return KMS_KEY_OK;
}

static void release(void *ctx, struct kms_subscriber *s)
{
	(void)ctx;
	(void)s;
}

static void die(const char *what)
{
	fprintf(stderr, "engine-bench: %s\n", what);
	exit(1);
}

static void idr(struct mk_idr *d, uint8_t role, uint8_t type, const char *v)
{
	d->pl.present = true;
	d->role = role;
	d->id_type = type;
	d->data = (struct mk_bytes){ (const uint8_t *)v, strlen(v) };
}

/* One initial message from p, MACed with its Ks_NAF (rows C). */
static size_t initial(uint8_t *out, const struct party *p, uint8_t dt, bool big,
		      const struct mk_ticket *ticket)
{
	struct mk_msg m;
	struct mk_keyset ks;
	uint8_t rand[32];
	size_t n = 0;
	bool req = dt == MK_DT_REQUEST_INIT_PSK;

	memset(&m, 0, sizeof(m));
	if (gnutls_rnd(GNUTLS_RND_NONCE, rand, sizeof(rand)) ||
	    gnutls_rnd(GNUTLS_RND_NONCE, &m.hdr.csb_id, 4))
		die("rnd");
	m.hdr.pl.present = true;
	m.hdr.version = 1;
	m.hdr.data_type = dt;
	m.hdr.v = true;
	m.hdr.prf = big ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
	m.hdr.map_type = MK_MAP_EMPTY;
	m.t.pl.present = true;
	m.t.ts_type = MK_TS_NTP_UTC;
	m.t.ts = mk_ntp_now();
	m.randr[req ? MK_RANDR_I : MK_RANDR_R] = (struct mk_randr){
		.pl.present = true, .role = req ? MK_RANDR_I : MK_RANDR_R, .rand = { rand, 32 } };
	idr(&m.idr[req ? MK_IDR_I : MK_IDR_R], req ? MK_IDR_I : MK_IDR_R, MK_ID_URI, p->impu);
	idr(&m.idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, FQDN);
	idr(&m.idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI, p->btid);
	m.ticket = *ticket;
	m.v.pl.present = true;
	m.v.alg = big ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160;
	if (mk_build(&m, out, MSG_MAX, &n) || mk_msg_keyset(&ks, &m, NULL, p->ks, 32) ||
	    mk_msg_protect(out, &m, &ks, NULL, NULL))
		die("building a message");
	mk_keyset_wipe(&ks);
	return n;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static double run_all(struct kms_engine *e, uint8_t *msgs, const size_t *lens, unsigned n)
{
	static uint8_t resp[4096];
	struct kms_result res;
	struct timespec t0, t1;
	unsigned i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		memset(&res, 0, sizeof(res));
		res.resp = resp;
		res.resp_cap = sizeof(resp);
		if (kms_engine_handle(e, msgs + (size_t)i * MSG_MAX, lens[i], NULL, &res) != KMS_OUT_OK) {
			fprintf(stderr, "message %u: %s (%s)\n", i, kms_outcome_str(res.outcome), res.detail);
			die("engine refused a benchmark message");
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return n / seconds(&t0, &t1);
}

static void bench(struct kms_engine *e, bool big, unsigned n)
{
	struct mk_ticket tp;
	struct mk_msg rm;
	struct mk_keyset ks;
	struct mk_keylist kl;
	struct mk_init_data id;
	uint8_t *msgs = malloc((size_t)n * MSG_MAX), resp[4096], plain[1024], idata[256], vrkey[32];
	size_t *lens = malloc(n * sizeof(*lens)), idn = 0;
	struct kms_result res;
	enum mk_mac mac = big ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160;
	struct mk_span sp;
	unsigned i;
	double req_rate, res_rate;

	if (!msgs || !lens)
		die("out of memory");
	memset(&tp, 0, sizeof(tp));
	tp.pl.present = true;
	tp.ticket_type = MK_TICKET_MIKEY_BASE;
	tp.subtype = tp.version = 1;
	tp.prf = MK_PRF_HMAC_SHA256;
	tp.flags = MK_TF_D | MK_TF_E | MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_I | MK_TF_J |
		   MK_TF_N | MK_TF_O;
	tp.tp.nr = 1;
	idr(&tp.tp.idrr[0], MK_IDR_R, MK_ID_URI, bob.impu);
	for (i = 0; i < n; i++)
		lens[i] = initial(msgs + (size_t)i * MSG_MAX, &alice, MK_DT_REQUEST_INIT_PSK, big, &tp);
	req_rate = run_all(e, msgs, lens, n);

	/* One more request gives the ticket Bob resolves, with Alice's
	 * Initiator Data (Vr keyed from MPKr, row E). */
	lens[0] = initial(msgs, &alice, MK_DT_REQUEST_INIT_PSK, big, &tp);
	memset(&res, 0, sizeof(res));
	res.resp = resp;
	res.resp_cap = sizeof(resp);
	if (kms_engine_handle(e, msgs, lens[0], NULL, &res) != KMS_OUT_OK)
		die("request refused");
	{
		struct mk_msg q;
		if (mk_parse(msgs, lens[0], &q) || mk_parse(resp, res.resp_len, &rm) ||
		    mk_msg_keyset(&ks, &rm, &q, alice.ks, 32) ||
		    mk_kemac_open(&rm.kemac, &ks, rm.hdr.csb_id, &rm.t, plain, sizeof(plain), &kl))
			die("reading REQUEST_RESP");
		mk_keyset_wipe(&ks);
	}
	memset(&id, 0, sizeof(id));
	id.vi.pl.present = id.vr.pl.present = true;
	id.vi.alg = id.vr.alg = (uint8_t)mac;
	id.vi.mac = (struct mk_bytes){ plain, mk_mac_len(mac) };
	if (mk_init_data_build(&id, idata, sizeof(idata), &idn) ||
	    mk_derive_vr_key(rm.ticket.prf, kl.k[1].key.p, kl.k[1].key.n, vrkey, mk_auth_key_len(mac)))
		die("Initiator Data");
	sp = (struct mk_span){ idata, id.vr.mac_off };
	if (mk_mac_compute(mac, vrkey, mk_auth_key_len(mac), &sp, 1, idata + id.vr.mac_off))
		die("Vr");
	rm.ticket.init_data = (struct mk_bytes){ idata, idn };
	for (i = 0; i < n; i++)
		lens[i] = initial(msgs + (size_t)i * MSG_MAX, &bob, MK_DT_RESOLVE_INIT_PSK, big, &rm.ticket);
	res_rate = run_all(e, msgs, lens, n);
	printf("%s set: REQUEST_INIT %.0f/s  RESOLVE_INIT (forking) %.0f/s  (%u messages each, 1 thread)\n",
	       big ? "256-bit" : "128-bit", req_rate, res_rate, n);
	free(msgs);
	free(lens);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20000;
	struct kms_engine_config c;
	struct kms_keyring *kr;
	struct kms_replay *rp;
	struct kms_engine *e;
	char err[128];

	if (!n)
		n = 1;
	memset(alice.ks, 0x11, 32);
	memset(bob.ks, 0x22, 32);
	kr = kms_keyring_new(kms_tpk_set_generate(time(NULL), err, sizeof(err)));
	rp = kms_replay_new(8u * n + 64, 0);
	if (!kr || !rp)
		die("keyring / replay cache");
	memset(&c, 0, sizeof(c));
	c.fqdn = FQDN;
	c.keys = (struct kms_key_source){ lookup, release, NULL };
	c.keyring = kr;
	c.replay = rp;
	e = kms_engine_new(&c, err, sizeof(err));
	if (!e)
		die(err);
	bench(e, false, n);
	bench(e, true, n);
	kms_engine_free(e);
	kms_replay_free(rp);
	kms_keyring_free(kr);
	return 0;
}
