/*
 * fuzz-engine.c: libFuzzer harness for the KMS ticket engine (src/kms).
 * The input is an initial message from an authenticated but hostile UE:
 * when it parses, its T is set to the harness clock and its V MAC is
 * recomputed with the sender's key, so the fuzzer reaches what lies behind
 * the MAC check (replay cache, authorization, the policy grant, ticket
 * sealing).  A ticket the engine issues is resolved at once by its first
 * listed responder (with Initiator Data when forking), so fuzzer-shaped
 * policies reach ticket opening, group authorization and forking too.
 * Seeds: tests/fuzz/corpus/mikey (dt11 / dt16 samples).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "kms/engine.h"
#include "kms/keyring.h"
#include "kms/replay.h"
#include "mikey/mikey.h"
#include "mikey/mprotect.h"

#define FQDN "kms.home1.net"

static const char *const impus[] = { "sip:alice@home1.net", "sip:bob@home1.net", "tel:+15551234" };
static const char *const members[] = { "sip:bob@home1.net" };
static const struct kms_group groups[] = { { "sip:team@home1.net", members, 1 } };
static uint64_t clk;
static struct kms_engine *eng;

/* Every B-TID is a subscriber with Ks_NAF = SHA-256(B-TID). */
static void key_of(const uint8_t *btid, size_t len, uint8_t ks[32])
{
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, len, btid);
	sha256_digest(&h, 32, ks);
}

static enum kms_key_status lookup(void *ctx, const char *btid, size_t len, tk_ua_id ua,
				  struct kms_subscriber *out)
{
	(void)ctx;
	(void)ua;
	key_of((const uint8_t *)btid, len, out->ks_naf);
	out->expiry = (int64_t)(clk >> 32) - MK_NTP_UNIX_DELTA + 3600;
	out->impi = "fuzz@home1.net";
	out->impus = impus;
	out->n_impus = 3;
	out->handle = (void *)impus;
	return KMS_KEY_OK;
}

static void release(void *ctx, struct kms_subscriber *s)
{
	(void)ctx;
	(void)s;
}

static uint64_t fuzz_clock(void *ctx)
{
	(void)ctx;
	return clk;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kms_engine_config c;
	char err[128];

	(void)argc;
	(void)argv;
	clk = mk_ntp_now();
	memset(&c, 0, sizeof(c));
	c.fqdn = FQDN;
	c.keys = (struct kms_key_source){ lookup, release, NULL };
	c.keyring = kms_keyring_new(kms_tpk_set_generate(0, err, sizeof(err)));
	c.replay = kms_replay_new(4096, 0);
	c.groups = groups;
	c.n_groups = 1;
	c.clock = fuzz_clock;
	eng = c.keyring && c.replay ? kms_engine_new(&c, err, sizeof(err)) : NULL;
	if (!eng)
		abort();
	return 0;
}

/* Set T to the clock and V to the right MAC (sender's identity as the
 * engine infers it, P-4); false when the message cannot be re-MACed. */
static bool freshen(uint8_t *buf, size_t len, struct mk_msg *m)
{
	struct mk_keyset ks;
	struct mk_ids ids;
	uint8_t key[32];
	uint8_t *t;
	unsigned i;
	bool ok;

	if (mk_parse(buf, len, m) != MK_OK || !m->idr[MK_IDR_PSK].pl.present ||
	    !m->t.pl.present || m->t.pl.len < 6)
		return false;
	t = buf + m->t.pl.off + 2;
	if (m->t.ts_type == MK_TS_NTP_UTC || m->t.ts_type == MK_TS_NTP)
		for (i = 0; i < 8; i++)
			t[i] = (uint8_t)(clk >> (56 - 8 * i));
	else if (m->t.ts_type == MK_TS_NTP_UTC_32)
		for (i = 0; i < 4; i++)
			t[i] = (uint8_t)(clk >> (56 - 8 * i));
	if (mk_parse(buf, len, m) != MK_OK)
		return false;
	key_of(m->idr[MK_IDR_PSK].data.p, m->idr[MK_IDR_PSK].data.n, key);
	memset(&ids, 0, sizeof(ids));
	ids.i = ids.r = (struct mk_bytes){ (const uint8_t *)impus[0], strlen(impus[0]) };
	ids.kms = (struct mk_bytes){ (const uint8_t *)FQDN, strlen(FQDN) };
	ok = mk_msg_keyset(&ks, m, NULL, key, 32) == MK_OK &&
	     mk_msg_protect(buf, m, &ks, NULL, &ids) == MK_OK;
	mk_keyset_wipe(&ks);
	return ok;
}

static enum kms_outcome handle(const uint8_t *buf, size_t len, uint8_t *resp, size_t cap,
			       size_t *rlen)
{
	struct kms_result res;

	memset(&res, 0, sizeof(res));
	res.resp = resp;
	res.resp_cap = cap;
	kms_engine_handle(eng, buf, len, NULL, &res);
	*rlen = res.resp_len;
	return res.outcome;
}

/* The first responder of an issued ticket resolves it. */
static void resolve(const struct mk_msg *q, const uint8_t *resp, size_t rlen)
{
	static uint8_t out[4096], rbuf[4096];
	static const uint8_t rand[32] = { 7 };
	struct mk_msg rm, m;
	struct mk_keyset ks;
	struct mk_keylist kl;
	struct mk_init_data id;
	uint8_t plain[2048], idata[256], key[32], vrkey[32];
	size_t n = 0, idn = 0;
	const struct mk_idr *r;
	struct mk_span sp;

	if (mk_parse(resp, rlen, &rm) != MK_OK || !rm.ticket.tp.nr)
		return;
	key_of(q->idr[MK_IDR_PSK].data.p, q->idr[MK_IDR_PSK].data.n, key);
	if (mk_msg_keyset(&ks, &rm, q, key, 32) != MK_OK)
		abort(); /* the engine answered with a response it cannot have keyed */
	if (mk_kemac_open(&rm.kemac, &ks, rm.hdr.csb_id, &rm.t, plain, sizeof(plain), &kl) != MK_OK)
		abort();
	mk_keyset_wipe(&ks);
	if (rm.ticket.flags & MK_TF_I) {
		memset(&id, 0, sizeof(id));
		id.vi.pl.present = id.vr.pl.present = true;
		id.vi.alg = id.vr.alg = rm.v.alg;
		id.vi.mac = (struct mk_bytes){ rand, mk_mac_len(rm.v.alg) };
		if (kl.n < 2 || mk_init_data_build(&id, idata, sizeof(idata), &idn) != MK_OK ||
		    mk_derive_vr_key(rm.ticket.prf, kl.k[1].key.p, kl.k[1].key.n, vrkey,
				     mk_auth_key_len(rm.v.alg)) != MK_OK)
			abort();
		sp = (struct mk_span){ idata, id.vr.mac_off };
		mk_mac_compute(rm.v.alg, vrkey, mk_auth_key_len(rm.v.alg), &sp, 1, idata + id.vr.mac_off);
		rm.ticket.init_data = (struct mk_bytes){ idata, idn };
	}
	r = &rm.ticket.tp.idrr[0];
	memset(&m, 0, sizeof(m));
	m.hdr = q->hdr;
	m.hdr.data_type = MK_DT_RESOLVE_INIT_PSK;
	m.t = q->t;
	m.randr[MK_RANDR_R] = (struct mk_randr){ .pl.present = true, .role = MK_RANDR_R,
						  .rand = { rand, sizeof(rand) } };
	m.idr[MK_IDR_R] = *r;
	m.idr[MK_IDR_PSK] = q->idr[MK_IDR_PSK];
	m.ticket = rm.ticket;
	m.v.pl.present = true;
	m.v.alg = q->v.alg;
	if (mk_build(&m, rbuf, sizeof(rbuf), &n) != MK_OK ||
	    mk_msg_keyset(&ks, &m, NULL, key, 32) != MK_OK)
		return;
	if (mk_msg_protect(rbuf, &m, &ks, NULL, &(struct mk_ids){
				   .kms = { (const uint8_t *)FQDN, strlen(FQDN) } }) != MK_OK)
		abort();
	handle(rbuf, n, out, sizeof(out), &n);
	mk_keyset_wipe(&ks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[8192], resp[4096];
	struct mk_msg m;
	size_t rlen = 0;

	if (size > sizeof(buf))
		return 0;
	/* Past both replay windows: every input is new to the cache. */
	clk += (uint64_t)701 << 32;
	memcpy(buf, data, size);
	if (!freshen(buf, size, &m)) {
		handle(data, size, resp, sizeof(resp), &rlen);
		return 0;
	}
	if (handle(buf, size, resp, sizeof(resp), &rlen) == KMS_OUT_OK &&
	    m.hdr.data_type == MK_DT_REQUEST_INIT_PSK)
		resolve(&m, resp, rlen);
	return 0;
}
