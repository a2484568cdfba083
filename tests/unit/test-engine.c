/*
 * test-engine.c: the KMS ticket engine driven in-process (profile P-2, P-8,
 * P-9, P-11, P-13, P-14, P-19..P-25; mikey.md 5.6-5.8).  The UE side is
 * written here from mikey.md with the MIKEY library's codec and primitives
 * only (its own MAC coverage and KEMAC handling), so the engine is checked
 * against an independent reading of the spec.  Subscribers come from a
 * fixed in-memory key source (the key-source interface of engine.h; the
 * NAF library is the production one), TPKs from a real keyring, replay from
 * the real replay cache.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "kms/engine.h"
#include "kms/keyring.h"
#include "kms/policy.h"
#include "kms/replay.h"
#include "mikey/mikey.h"
#include "tk_test.h"

#define FQDN "kms.home1.net"

/* ---- subscribers (the key source) ------------------------------------------ */

struct sub {
	const char *btid;
	uint8_t ks;               /* Ks_NAF = 32 times this octet */
	const char *impi;
	const char *impus[3];
	int64_t expiry_delta;     /* relative to the test clock */
};

static const struct sub subs[] = {
	{ "QUFBQUFBQUFBQUFBQUFBQQ==@bsf.home1.net", 0x11, "alice@home1.net",
	  { "sip:alice@home1.net", "tel:+15551001" }, 3600 },
	{ "QkJCQkJCQkJCQkJCQkJCQg==@bsf.home1.net", 0x22, "bob@home1.net",
	  { "sip:bob@home1.net" }, 3600 },
	{ "Q0NDQ0NDQ0NDQ0NDQ0NDQw==@bsf.home1.net", 0x33, "carol@home1.net",
	  { "sip:carol@home1.net" }, 3600 },
	{ "RERERERERERERERERERERA==@bsf.home1.net", 0x44, "dave@home1.net",
	  { "sip:dave@home1.net" }, 3600 },
	{ "TElMSUxJTElMSUxJTElMSQ==@bsf.home1.net", 0x55, "li@home1.net",
	  { "sip:li@home1.net" }, 3600 },
	{ "TUdXTUdXTUdXTUdXTUdXTQ==@bsf.home1.net", 0x66, "mgw@home1.net",
	  { "sip:mgw@home1.net" }, 3600 },
	{ "RVZFRVZFRVZFRVZFRVZFRQ==@bsf.home1.net", 0x77, "eve@home1.net",
	  { "sip:eve@home1.net" }, -10 },
};
enum { ALICE, BOB, CAROL, DAVE, LI, MGW, EVE };
#define BTID_DOWN "RE9XTkRPV05ET1dORE9XTg==@bsf.home1.net"
#define BTID_NOAUTH "Tk9BVVRITk9BVVRITk9BVQ==@bsf.home1.net"
#define BTID_UNKNOWN "VU5LTk9XTlVOS05PV05VTg==@bsf.home1.net"

static uint64_t now_ntp;
static int lookups, releases, bad_calls; /* updated atomically: engines run threaded */

static int64_t now_unix(void)
{
	return (int64_t)(now_ntp >> 32) - MK_NTP_UNIX_DELTA;
}

static uint64_t test_clock(void *ctx)
{
	(void)ctx;
	return now_ntp;
}

static void shift_clock(int64_t s)
{
	now_ntp += (uint64_t)s << 32;
}

static enum kms_key_status ks_lookup(void *ctx, const char *btid, size_t len, tk_ua_id ua,
				     struct kms_subscriber *out)
{
	static const uint8_t want_ua[5] = { 1, 0, 0, 0, 6 };
	size_t i;

	(void)ctx;
	if (memcmp(ua.b, want_ua, 5) != 0) /* P-1 */
		__atomic_add_fetch(&bad_calls, 1, __ATOMIC_RELAXED);
	if (len == strlen(BTID_DOWN) && memcmp(btid, BTID_DOWN, len) == 0)
		return KMS_KEY_UNAVAILABLE;
	if (len == strlen(BTID_NOAUTH) && memcmp(btid, BTID_NOAUTH, len) == 0)
		return KMS_KEY_NOT_AUTHORIZED;
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		const struct sub *s = &subs[i];
		if (len != strlen(s->btid) || memcmp(btid, s->btid, len) != 0)
			continue;
		memset(out->ks_naf, s->ks, sizeof(out->ks_naf));
		out->expiry = now_unix() + s->expiry_delta;
		out->impi = s->impi;
		out->impus = s->impus;
		out->n_impus = s->impus[1] ? 2 : 1;
		out->handle = (void *)s;
		__atomic_add_fetch(&lookups, 1, __ATOMIC_RELAXED);
		return KMS_KEY_OK;
	}
	return KMS_KEY_NOT_FOUND;
}

static void ks_release(void *ctx, struct kms_subscriber *sub)
{
	(void)ctx;
	if (!sub->handle)
		__atomic_add_fetch(&bad_calls, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&releases, 1, __ATOMIC_RELAXED);
}

/* ---- engine fixture ---------------------------------------------------------- */

static const char *const team_members[] = { "sip:carol@home1.net", "sip:bob@home1.net" };
static const struct kms_group groups[] = {
	{ "sip:team@home1.net", team_members, 2 },
};
#define PROBE_DN "CN=li-probe,O=operator"
static const struct kms_nf_principal nfs[] = {
	{ "li@home1.net", NULL, true, "li-1" },
	{ "mgw@home1.net", NULL, false, "mgw-1" },
	{ NULL, PROBE_DN, true, "probe" },
};

struct fx {
	struct kms_keyring *kr;
	struct kms_replay *rp;
	struct kms_engine *e;
};

static void fx_open_set(struct fx *f, struct kms_tpk_set *set, unsigned sets)
{
	struct kms_engine_config c;
	char err[128];

	memset(f, 0, sizeof(*f));
	f->kr = kms_keyring_new(set);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->kr);
	f->rp = kms_replay_new(1024, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->rp);
	memset(&c, 0, sizeof(c));
	c.fqdn = FQDN;
	c.sets = sets;
	c.groups = groups;
	c.n_groups = 1;
	c.nfs = nfs;
	c.n_nfs = 3;
	c.keys.lookup = ks_lookup;
	c.keys.release = ks_release;
	c.keyring = f->kr;
	c.replay = f->rp;
	c.clock = test_clock;
	f->e = kms_engine_new(&c, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->e);
}

static void fx_open(struct fx *f)
{
	char err[128];
	struct kms_tpk_set *set;

	now_ntp = mk_ntp_now();
	set = kms_tpk_set_generate(now_unix(), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	fx_open_set(f, set, 0);
}

static void fx_close(struct fx *f)
{
	kms_engine_free(f->e);
	kms_replay_free(f->rp);
	kms_keyring_free(f->kr);
	CU_ASSERT_EQUAL(lookups, releases);
	CU_ASSERT_EQUAL(bad_calls, 0);
}

/* ---- the UE side, from mikey.md ------------------------------------------------- */

struct ue {
	const struct sub *s;
	uint8_t ks[32];
};

static struct ue ue_of(int i)
{
	struct ue u;

	u.s = &subs[i];
	memset(u.ks, u.s->ks, sizeof(u.ks));
	return u;
}

/* Knobs of one initial message; zero = the normal case. */
struct opt {
	bool big;                 /* 256-bit set */
	int prf, mac;             /* override HDR PRF / V MAC (+1, 0 = by set) */
	int tp_prf;               /* desired TP PRF + 1 (0 = 1) */
	uint32_t flags;           /* desired flags (0 = P-11 defaults) */
	const char *own;          /* IDRi / IDRr value (NULL = first IMPU) */
	bool omit_own;            /* leave IDRi / IDRr out (P-4) */
	const char *idrr[4];      /* desired responders (request) */
	size_t randlen;           /* 0 = 32 */
	int64_t tdelta;           /* T offset */
	const char *btid;         /* IDRpsk override */
	bool omit_btid;
	bool wrong_key;
	const char *idrkms;       /* IDRkms override */
	int64_t trs, tre;         /* desired TRs/TRe relative to now (0 = none) */
	const struct mk_keylist *want; /* desired KEMAC */
	int ticket_type;          /* desired Ticket Type + 1 */
};

static uint8_t kbuf[1024];

static void rand_fill(uint8_t *p, size_t n)
{
	CU_ASSERT_FATAL(gnutls_rnd(GNUTLS_RND_NONCE, p, n) == 0);
}

static void set_idr(struct mk_idr *d, uint8_t role, uint8_t type, const char *v)
{
	d->pl.present = true;
	d->role = role;
	d->id_type = type;
	d->data.p = (const uint8_t *)v;
	d->data.n = strlen(v);
}

static enum mk_mac opt_mac(const struct opt *o)
{
	return o->mac ? (enum mk_mac)(o->mac - 1) : o->big ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160;
}

static enum mk_prf opt_prf(const struct opt *o)
{
	return o->prf ? (enum mk_prf)(o->prf - 1) : o->big ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
}

/* The V MAC of an initial message: bytes up to the MAC, then the two
 * identities (mikey.md 5.6, P-4), row C auth key (label byte 0x01). */
static void mac_initial(uint8_t *msg, size_t mac_off, enum mk_prf prf, enum mk_mac mac,
			const uint8_t *ks, uint32_t csb, const uint8_t *ri, size_t rin,
			const uint8_t *rr, size_t rrn, const char *id1, const char *id2)
{
	struct mk_keyset k;
	struct mk_span sp[3] = {
		{ msg, mac_off },
		{ (const uint8_t *)id1, strlen(id1) },
		{ (const uint8_t *)id2, strlen(id2) },
	};

	CU_ASSERT_FATAL(mk_keyset_6043(&k, prf, prf == MK_PRF_HMAC_SHA256 ? MK_ENCR_AES_CM_256 :
				       MK_ENCR_AES_CM_128, mac, ks, 32, csb, MK_DIR_INITIAL,
				       ri, rin, rr, rrn) == MK_OK);
	CU_ASSERT_FATAL(mk_mac_compute(mac, k.auth_key, k.auth_len, sp, 3, msg + mac_off) == MK_OK);
	mk_keyset_wipe(&k);
}

/* A request / resolve message under construction. */
struct init {
	uint8_t buf[4096];
	size_t len;
	struct mk_msg m;
	uint8_t rand[64];
	size_t randlen;
	const char *own;          /* identity used in the MAC */
	enum mk_prf prf;
	enum mk_mac mac;
};

static void init_common(struct init *q, const struct ue *u, const struct opt *o, uint8_t dt)
{
	struct mk_msg *m = &q->m;

	memset(q, 0, sizeof(*q));
	q->prf = opt_prf(o);
	q->mac = opt_mac(o);
	m->hdr.pl.present = true;
	m->hdr.version = 1;
	m->hdr.data_type = dt;
	m->hdr.v = true;
	m->hdr.prf = (uint8_t)q->prf;
	rand_fill((uint8_t *)&m->hdr.csb_id, 4);
	m->hdr.map_type = MK_MAP_EMPTY;
	m->t.pl.present = true;
	m->t.ts_type = MK_TS_NTP_UTC;
	m->t.ts = now_ntp + ((uint64_t)o->tdelta << 32);
	q->randlen = o->randlen ? o->randlen : 32;
	rand_fill(q->rand, q->randlen);
	m->randr[dt == MK_DT_REQUEST_INIT_PSK ? MK_RANDR_I : MK_RANDR_R].pl.present = true;
	m->randr[dt == MK_DT_REQUEST_INIT_PSK ? MK_RANDR_I : MK_RANDR_R].role =
		dt == MK_DT_REQUEST_INIT_PSK ? MK_RANDR_I : MK_RANDR_R;
	m->randr[dt == MK_DT_REQUEST_INIT_PSK ? MK_RANDR_I : MK_RANDR_R].rand.p = q->rand;
	m->randr[dt == MK_DT_REQUEST_INIT_PSK ? MK_RANDR_I : MK_RANDR_R].rand.n = q->randlen;
	q->own = o->own ? o->own : u->s->impus[0];
	if (!o->omit_own)
		set_idr(&m->idr[dt == MK_DT_REQUEST_INIT_PSK ? MK_IDR_I : MK_IDR_R],
			dt == MK_DT_REQUEST_INIT_PSK ? MK_IDR_I : MK_IDR_R, MK_ID_URI, q->own);
	set_idr(&m->idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, o->idrkms ? o->idrkms : FQDN);
	if (!o->omit_btid)
		set_idr(&m->idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI, o->btid ? o->btid : u->s->btid);
	m->v.pl.present = true;
	m->v.alg = (uint8_t)q->mac;
}

static void init_seal(struct init *q, const struct ue *u, const struct opt *o)
{
	uint8_t wrong[32];
	bool req = q->m.hdr.data_type == MK_DT_REQUEST_INIT_PSK;
	int e;

	e = mk_build(&q->m, q->buf, sizeof(q->buf), &q->len);
	if (e)
		fprintf(stderr, "build: %s\n", mk_strerror(e));
	CU_ASSERT_EQUAL_FATAL(e, MK_OK);
	memset(wrong, 0x99, sizeof(wrong));
	if (q->mac != MK_MAC_NULL && mk_mac_valid(q->mac))
		mac_initial(q->buf, q->m.v.mac_off, q->prf, q->mac, o->wrong_key ? wrong : u->ks,
			    q->m.hdr.csb_id, req ? q->rand : NULL, req ? q->randlen : 0,
			    req ? NULL : q->rand, req ? 0 : q->randlen, q->own,
			    o->idrkms ? o->idrkms : FQDN);
}

static void build_request(struct init *q, const struct ue *u, const struct opt *o)
{
	struct mk_ticket *tp = &q->m.ticket;
	size_t i, n = 0;

	init_common(q, u, o, MK_DT_REQUEST_INIT_PSK);
	tp->pl.present = true;
	tp->ticket_type = o->ticket_type ? (uint16_t)(o->ticket_type - 1) : MK_TICKET_MIKEY_BASE;
	tp->subtype = 1;
	tp->version = 1;
	tp->prf = o->tp_prf ? (uint8_t)(o->tp_prf - 1) : MK_PRF_HMAC_SHA256;
	tp->flags = o->flags ? o->flags : KMS_FLAGS_DEFAULT;
	if (o->trs) {
		tp->tp.trs.pl.present = true;
		tp->tp.trs.role = MK_TR_START;
		tp->tp.trs.ts_type = MK_TS_NTP_UTC_32;
		tp->tp.trs.ts = mk_ntp32_from_unix(now_unix() + o->trs);
	}
	if (o->tre) {
		tp->tp.tre.pl.present = true;
		tp->tp.tre.role = MK_TR_END;
		tp->tp.tre.ts_type = MK_TS_NTP_UTC_32;
		tp->tp.tre.ts = mk_ntp32_from_unix(now_unix() + o->tre);
	}
	if (o->want) {
		CU_ASSERT_FATAL(mk_keylist_build(o->want, kbuf, sizeof(kbuf), &n) == MK_OK);
		tp->tp.kemac.pl.present = true;
		tp->tp.kemac.encr_alg = MK_ENCR_NULL;
		tp->tp.kemac.encr.p = kbuf;
		tp->tp.kemac.encr.n = n;
		tp->tp.kemac.mac_alg = MK_MAC_NULL;
	}
	for (i = 0; i < 4 && (o->idrr[i] || i == 0); i++)
		set_idr(&tp->tp.idrr[tp->tp.nr++], MK_IDR_R, MK_ID_URI,
			o->idrr[i] ? o->idrr[i] : subs[BOB].impus[0]);
	init_seal(q, u, o);
}

/* ---- running the engine and reading its answer ------------------------------------ */

struct answer {
	uint8_t buf[4096];
	struct kms_result res;
	struct mk_msg m;
	struct mk_keylist kl;
	uint8_t plain[2048];
};

static enum kms_outcome run(struct fx *f, const uint8_t *req, size_t len,
			    const struct kms_transport_id *tid, struct answer *a)
{
	memset(&a->res, 0, sizeof(a->res));
	a->res.resp = a->buf;
	a->res.resp_cap = sizeof(a->buf);
	return kms_engine_handle(f->e, req, len, tid, &a->res);
}

/* Check a response: V over response || whole initial message with the row D
 * key, KEMAC decrypted with the row D keys and the response's T (P-12). */
static void open_response(struct answer *a, const struct init *q, const struct ue *u)
{
	bool req = q->m.hdr.data_type == MK_DT_REQUEST_INIT_PSK;
	struct mk_keyset k;
	size_t n = 0, eoff;
	struct mk_span sp[2];

	CU_ASSERT_EQUAL_FATAL(a->res.outcome, KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(mk_parse(a->buf, a->res.resp_len, &a->m), MK_OK);
	CU_ASSERT_EQUAL(a->m.hdr.data_type, req ? MK_DT_REQUEST_RESP : MK_DT_RESOLVE_RESP);
	CU_ASSERT_EQUAL(a->m.hdr.csb_id, q->m.hdr.csb_id);
	CU_ASSERT_EQUAL(a->m.hdr.prf, q->m.hdr.prf);
	CU_ASSERT_FALSE(a->m.hdr.v);
	CU_ASSERT_EQUAL(a->m.t.ts_type, MK_TS_NTP_UTC);
	CU_ASSERT_EQUAL(a->m.v.alg, q->mac);
	CU_ASSERT(a->m.idr[MK_IDR_KMS].pl.present);
	CU_ASSERT_EQUAL_FATAL(mk_keyset_6043(&k, q->prf, q->prf == 1 ? MK_ENCR_AES_CM_256 : MK_ENCR_AES_CM_128,
					     q->mac, u->ks, 32, q->m.hdr.csb_id, MK_DIR_RESPONSE,
					     req ? q->rand : NULL, req ? q->randlen : 0,
					     req ? NULL : q->rand, req ? 0 : q->randlen), MK_OK);
	sp[0] = (struct mk_span){ a->buf, a->m.v.mac_off };
	sp[1] = (struct mk_span){ q->buf, q->len };
	CU_ASSERT_FATAL(mk_mac_verify(q->mac, k.auth_key, k.auth_len, sp, 2, a->m.v.mac.p, a->m.v.mac.n));
	CU_ASSERT_EQUAL(a->m.kemac.encr_alg, k.encr);
	CU_ASSERT_EQUAL(a->m.kemac.mac_alg, MK_MAC_NULL);
	CU_ASSERT_EQUAL_FATAL(mk_kemac_decrypt(&k, a->m.hdr.csb_id, mk_ts_iv_value(a->m.t.ts_type, a->m.t.ts),
					       a->m.kemac.encr.p, a->m.kemac.encr.n, a->plain,
					       sizeof(a->plain), &n), MK_OK);
	mk_keyset_wipe(&k);
	CU_ASSERT_EQUAL_FATAL(mk_keylist_parse(a->plain, n, &a->kl, &eoff), MK_OK);
}

/* An Error answer: code, and its MAC under the row C key exactly when
 * expected (P-6, P-21). */
static void expect_error(const struct answer *a, enum kms_outcome o, int code, bool maced,
			 const struct init *q, const struct ue *u)
{
	struct mk_msg m;

	if (a->res.outcome != o)
		fprintf(stderr, "outcome %s (%s), expected %s\n", kms_outcome_str(a->res.outcome),
			a->res.detail, kms_outcome_str(o));
	CU_ASSERT_EQUAL_FATAL(a->res.outcome, o);
	CU_ASSERT_EQUAL(a->res.mikey_error, code);
	CU_ASSERT_EQUAL(a->res.error_maced, maced);
	CU_ASSERT_FATAL(a->res.resp_len > 0);
	CU_ASSERT_EQUAL_FATAL(mk_parse(a->buf, a->res.resp_len, &m), MK_OK);
	CU_ASSERT_EQUAL(m.hdr.data_type, MK_DT_ERROR);
	CU_ASSERT_EQUAL(m.hdr.csb_id, q->m.hdr.csb_id);
	CU_ASSERT_EQUAL(m.nerr, 1u);
	CU_ASSERT_EQUAL(m.err[0].code, code);
	CU_ASSERT_EQUAL(m.v.pl.present, maced);
	if (maced) {
		bool req = q->m.hdr.data_type == MK_DT_REQUEST_INIT_PSK;
		struct mk_keyset k;
		struct mk_span sp = { a->buf, m.v.mac_off };

		CU_ASSERT_EQUAL_FATAL(mk_keyset_6043(&k, q->prf, q->prf == 1 ? MK_ENCR_AES_CM_256 : MK_ENCR_AES_CM_128,
						     q->mac, u->ks, 32, q->m.hdr.csb_id, MK_DIR_INITIAL,
						     req ? q->rand : NULL, req ? q->randlen : 0,
						     req ? NULL : q->rand, req ? 0 : q->randlen), MK_OK);
		CU_ASSERT(mk_mac_verify(q->mac, k.auth_key, k.auth_len, &sp, 1, m.v.mac.p, m.v.mac.n));
		mk_keyset_wipe(&k);
	}
	/* P-15: never a key in the audit record; identities are there. */
	CU_ASSERT(a->res.audit.btid[0] != 0 || o == KMS_OUT_MALFORMED || o == KMS_OUT_UNSUPPORTED);
}

/* ---- what the initiator keeps ------------------------------------------------------ */

struct alice {
	struct init q;
	struct answer a;
	const struct mk_keydata *mpki, *mpkr, *keys[MK_MAX_KEYS];
	unsigned nkeys;
	uint8_t init_data[256];
	size_t init_len;
};

static void initiator_keys(struct alice *al)
{
	unsigned i = 0;

	al->mpki = &al->a.kl.k[i++];
	CU_ASSERT_EQUAL(al->mpki->type, MK_KEY_MPK);
	al->mpkr = NULL;
	if (al->a.m.ticket.flags & MK_TF_I) {
		al->mpkr = &al->a.kl.k[i++];
		CU_ASSERT_EQUAL(al->mpkr->type, MK_KEY_MPK);
	}
	for (al->nkeys = 0; i < al->a.kl.n; i++)
		al->keys[al->nkeys++] = &al->a.kl.k[i];
	for (i = 0; i < al->a.kl.n; i++) {
		CU_ASSERT_EQUAL(al->a.kl.k[i].kv.type, MK_KV_SPI);
		CU_ASSERT_EQUAL(al->a.kl.k[i].kv.spi.n, 4u); /* P-19 */
	}
}

/* Initiator Data for a forking ticket: Vi (any TRANSFER_INIT MAC; the KMS
 * does not check it) then Vr keyed by row E from MPKr with the TP PRF. */
static void initiator_data(struct alice *al, bool break_vr)
{
	struct mk_init_data id;
	uint8_t vi[32], key[32];
	enum mk_mac mac = al->q.mac;
	struct mk_span sp;

	memset(&id, 0, sizeof(id));
	rand_fill(vi, sizeof(vi));
	id.vi.pl.present = id.vr.pl.present = true;
	id.vi.alg = id.vr.alg = (uint8_t)mac;
	id.vi.mac.p = vi;
	id.vi.mac.n = mk_mac_len(mac);
	CU_ASSERT_EQUAL_FATAL(mk_init_data_build(&id, al->init_data, sizeof(al->init_data), &al->init_len), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_derive_vr_key(al->a.m.ticket.prf, al->mpkr->key.p, al->mpkr->key.n,
					       key, mk_auth_key_len(mac)), MK_OK);
	sp = (struct mk_span){ al->init_data, id.vr.mac_off };
	CU_ASSERT_EQUAL_FATAL(mk_mac_compute(mac, key, mk_auth_key_len(mac), &sp, 1,
					     al->init_data + id.vr.mac_off), MK_OK);
	if (break_vr)
		al->init_data[al->init_len - 1] ^= 1;
}

static void alice_request(struct fx *f, struct alice *al, const struct opt *o)
{
	struct ue u = ue_of(ALICE);

	memset(al, 0, sizeof(*al));
	build_request(&al->q, &u, o);
	run(f, al->q.buf, al->q.len, NULL, &al->a);
	if (al->a.res.outcome != KMS_OUT_OK)
		fprintf(stderr, "request: %s (%s)\n", kms_outcome_str(al->a.res.outcome), al->a.res.detail);
	open_response(&al->a, &al->q, &u);
	initiator_keys(al);
	if (al->mpkr)
		initiator_data(al, false);
}

/* A RESOLVE_INIT carrying Alice's ticket (with her Initiator Data). */
static void build_resolve(struct init *q, const struct alice *al, const struct ue *u,
			  const struct opt *o)
{
	init_common(q, u, o, MK_DT_RESOLVE_INIT_PSK);
	q->m.ticket = al->a.m.ticket;
	q->m.ticket.pl.present = true;
	q->m.ticket.init_data.p = al->init_len ? al->init_data : NULL;
	q->m.ticket.init_data.n = al->init_len;
	init_seal(q, u, o);
}

static void resolve(struct fx *f, const struct alice *al, int who, const struct opt *o,
		    struct init *q, struct answer *a)
{
	struct ue u = ue_of(who);

	build_resolve(q, al, &u, o);
	run(f, q->buf, q->len, NULL, a);
}

/* What the responder learns must be what the initiator can compute: MPKi
 * as is; with forking MPKr' and TGK' by row F from IDRr and RANDRkms
 * (mikey.md 5.8), other keys unchanged; SPIs of the ticket (P-19). */
static void check_resolved(const struct alice *al, struct answer *a, const struct init *q,
			   int who, bool expect_fork)
{
	struct ue u = ue_of(who);
	const struct mk_randr *rk;
	const struct mk_idr *idrr;
	uint8_t d[32];
	unsigned i, j = 0;
	enum mk_prf tprf = al->a.m.ticket.prf;

	open_response(a, q, &u);
	CU_ASSERT_TRUE(a->kl.k[0].type == MK_KEY_MPK);
	CU_ASSERT(a->kl.k[0].key.n == al->mpki->key.n &&
		  memcmp(a->kl.k[0].key.p, al->mpki->key.p, al->mpki->key.n) == 0);
	CU_ASSERT(a->kl.k[0].kv.spi.n == 4 && memcmp(a->kl.k[0].kv.spi.p, al->mpki->kv.spi.p, 4) == 0);
	rk = &a->m.randr[MK_RANDR_KMS];
	idrr = &a->m.idr[MK_IDR_R];
	CU_ASSERT_EQUAL(rk->pl.present, expect_fork);
	CU_ASSERT_EQUAL(idrr->pl.present, expect_fork);
	CU_ASSERT_EQUAL(a->res.audit.forked, expect_fork);
	j = 1;
	if (al->mpkr) {
		const struct mk_keydata *k = &a->kl.k[j++];
		CU_ASSERT_EQUAL(k->type, MK_KEY_MPK);
		if (expect_fork) {
			CU_ASSERT_EQUAL(rk->rand.n, 32u); /* P-20 */
			/* P-25: bound to the resolver's own IMPU */
			CU_ASSERT(idrr->data.n == strlen(q->own) && memcmp(idrr->data.p, q->own, idrr->data.n) == 0);
			CU_ASSERT_EQUAL_FATAL(mk_derive_mpkr_forked(tprf, al->mpkr->key.p, al->mpkr->key.n,
								    idrr->data.p, idrr->data.n, rk->rand.p,
								    rk->rand.n, d), MK_OK);
		} else {
			memcpy(d, al->mpkr->key.p, al->mpkr->key.n);
		}
		CU_ASSERT(k->key.n == al->mpkr->key.n && memcmp(k->key.p, d, k->key.n) == 0);
	}
	CU_ASSERT_EQUAL_FATAL(a->kl.n - j, al->nkeys);
	for (i = 0; i < al->nkeys; i++, j++) {
		const struct mk_keydata *mine = al->keys[i], *k = &a->kl.k[j];

		CU_ASSERT_EQUAL(k->type, mine->type);
		CU_ASSERT_EQUAL_FATAL(k->key.n, mine->key.n);
		if (expect_fork && kms_key_is_tgk(mine->type)) {
			CU_ASSERT_EQUAL_FATAL(mk_derive_tgk_forked(tprf, mine->key.p, mine->key.n,
								   idrr->data.p, idrr->data.n,
								   rk->rand.p, rk->rand.n, d), MK_OK);
			CU_ASSERT(memcmp(k->key.p, d, k->key.n) == 0);
			CU_ASSERT(memcmp(k->key.p, mine->key.p, k->key.n) != 0);
		} else {
			CU_ASSERT(memcmp(k->key.p, mine->key.p, k->key.n) == 0);
		}
		CU_ASSERT(k->salt.n == mine->salt.n &&
			  (k->salt.n == 0 || memcmp(k->salt.p, mine->salt.p, k->salt.n) == 0));
		CU_ASSERT(k->kv.spi.n == 4 && memcmp(k->kv.spi.p, mine->kv.spi.p, 4) == 0);
	}
}

/* ---- tests: the happy paths ---------------------------------------------------------- */

static void flow(bool big, uint32_t flags)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;
	struct opt o = { .big = big, .flags = flags };
	struct mk_ticket *t;

	fx_open(&f);
	alice_request(&f, &al, &o);
	t = &al.a.m.ticket;
	CU_ASSERT(t->is_ticket);
	CU_ASSERT_EQUAL(t->ticket_type, MK_TICKET_MIKEY_BASE);
	CU_ASSERT_EQUAL(t->prf, MK_PRF_HMAC_SHA256);           /* P-10 */
	CU_ASSERT_EQUAL(t->init_data.n, 0u);                    /* no Initiator Data yet */
	CU_ASSERT(t->tp.idri.pl.present && t->tp.idri.data.n == strlen("sip:alice@home1.net"));
	CU_ASSERT(t->tp.trs.pl.present && t->tp.trs.ts_type == MK_TS_NTP_UTC_32); /* P-24 */
	CU_ASSERT(t->tp.tre.pl.present && t->tp.tre.ts_type == MK_TS_NTP_UTC_32);
	CU_ASSERT_EQUAL((int64_t)(mk_ntp32_to_unix((uint32_t)t->tp.tre.ts) - mk_ntp32_to_unix((uint32_t)t->tp.trs.ts)), 86400);
	CU_ASSERT_FALSE(t->tp.kemac.pl.present);
	CU_ASSERT_EQUAL(t->flags & ~(uint32_t)MK_TF_K, flags & ~(uint32_t)MK_TF_K);
	CU_ASSERT_FALSE(t->flags & MK_TF_K);                    /* asked for = granted */
	CU_ASSERT_FALSE(al.a.res.audit.k_flag);
	CU_ASSERT_EQUAL(al.mpki->key.n, big ? 32u : 16u);       /* P-19 */
	CU_ASSERT_EQUAL(al.nkeys, 1u);                          /* P-11 default key */
	CU_ASSERT_EQUAL(al.keys[0]->type, MK_KEY_TGK_SALT);
	CU_ASSERT_EQUAL(al.keys[0]->key.n, 16u);
	CU_ASSERT_EQUAL(al.keys[0]->salt.n, 14u);
	CU_ASSERT_EQUAL(al.a.res.audit.op, KMS_OP_REQUEST);
	CU_ASSERT_STRING_EQUAL(al.a.res.audit.impi, "alice@home1.net");
	CU_ASSERT_STRING_EQUAL(al.a.res.audit.initiator, "sip:alice@home1.net");
	CU_ASSERT_STRING_EQUAL(al.a.res.audit.responders, "sip:bob@home1.net");
	CU_ASSERT_EQUAL(strlen(al.a.res.audit.fingerprint), 16u);
	CU_ASSERT_EQUAL(al.a.res.audit.authz, KMS_AUTHZ_SUBSCRIBER);

	resolve(&f, &al, BOB, &(struct opt){ .big = big }, &q, &a);
	check_resolved(&al, &a, &q, BOB, (flags & MK_TF_I) != 0);
	CU_ASSERT_EQUAL(a.res.audit.op, KMS_OP_RESOLVE);
	CU_ASSERT_EQUAL(a.res.audit.authz, KMS_AUTHZ_LISTED);
	CU_ASSERT_STRING_EQUAL(a.res.audit.resolver, "sip:bob@home1.net");
	CU_ASSERT_STRING_EQUAL(a.res.audit.initiator, "sip:alice@home1.net");
	CU_ASSERT_STRING_EQUAL(a.res.audit.fingerprint, al.a.res.audit.fingerprint);
	CU_ASSERT_EQUAL(a.res.audit.key_id, al.a.res.audit.key_id);
	fx_close(&f);
}

static void test_flow_128_forking(void) { flow(false, KMS_FLAGS_DEFAULT); }
static void test_flow_256_forking(void) { flow(true, KMS_FLAGS_DEFAULT); }
static void test_flow_128_no_forking(void)
{
	flow(false, KMS_FLAGS_DEFAULT & ~(uint32_t)MK_TF_I);
}
static void test_flow_256_no_forking(void)
{
	flow(true, KMS_FLAGS_DEFAULT & ~(uint32_t)MK_TF_I);
}

/* The resolver's set need not be the initiator's: Bob speaks 256, Alice 128. */
static void test_mixed_parties(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ .big = false });
	resolve(&f, &al, BOB, &(struct opt){ .big = true }, &q, &a);
	check_resolved(&al, &a, &q, BOB, true);
	fx_close(&f);
}

/* P-4: IDRi / IDRr / IDRkms left out: the MAC suffix uses the inferred values. */
static void test_omitted_identities(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;
	struct ue u = ue_of(ALICE);

	fx_open(&f);
	memset(&al, 0, sizeof(al));
	build_request(&al.q, &u, &(struct opt){ .omit_own = true });
	run(&f, al.q.buf, al.q.len, NULL, &al.a);
	open_response(&al.a, &al.q, &u);
	initiator_keys(&al);
	initiator_data(&al, false);
	CU_ASSERT_STRING_EQUAL(al.a.res.audit.initiator, "sip:alice@home1.net");
	resolve(&f, &al, BOB, &(struct opt){ .omit_own = true }, &q, &a);
	check_resolved(&al, &a, &q, BOB, true);
	fx_close(&f);
}

/* Alice may speak for her second IMPU; the ticket names it. */
static void test_second_impu(void)
{
	struct fx f;
	struct alice al;

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ .own = "tel:+15551001" });
	CU_ASSERT(al.a.m.ticket.tp.idri.data.n == 13 &&
		  memcmp(al.a.m.ticket.tp.idri.data.p, "tel:+15551001", 13) == 0);
	fx_close(&f);
}

static void test_group_member(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ .idrr = { "sip:team@home1.net" } });
	resolve(&f, &al, CAROL, &(struct opt){ 0 }, &q, &a);
	check_resolved(&al, &a, &q, CAROL, true);
	CU_ASSERT_EQUAL(a.res.audit.authz, KMS_AUTHZ_GROUP);
	CU_ASSERT_STRING_EQUAL(a.res.audit.group, "sip:team@home1.net");
	/* P-25: keys bound to Carol's own IMPU, not the group's */
	CU_ASSERT(a.m.idr[MK_IDR_R].data.n == strlen("sip:carol@home1.net"));
	resolve(&f, &al, DAVE, &(struct opt){ 0 }, &q, &a);
	{
		struct ue u = ue_of(DAVE);
		expect_error(&a, KMS_OUT_FORBIDDEN, MK_E_AUTH_FAILURE, true, &q, &u);
	}
	fx_close(&f);
}

static void test_network_functions(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ 0 });
	/* interception: the unforked keys, audited as such */
	resolve(&f, &al, LI, &(struct opt){ 0 }, &q, &a);
	check_resolved(&al, &a, &q, LI, false);
	CU_ASSERT_EQUAL(a.res.audit.authz, KMS_AUTHZ_NF_INTERCEPT);
	CU_ASSERT_STRING_EQUAL(a.res.audit.impi, "li@home1.net");
	CU_ASSERT_STRING_EQUAL(a.res.audit.nf, "li-1");
	/* a media gateway: forked for its own identity */
	resolve(&f, &al, MGW, &(struct opt){ 0 }, &q, &a);
	check_resolved(&al, &a, &q, MGW, true);
	CU_ASSERT_EQUAL(a.res.audit.authz, KMS_AUTHZ_NF);
	CU_ASSERT_STRING_EQUAL(a.res.audit.nf, "mgw-1");
	/* a principal by client certificate: Dave's B-TID, the probe's
	 * certificate on the transport; without it Dave is refused */
	{
		struct ue d = ue_of(DAVE);
		struct kms_transport_id cert = { KMS_TID_CLIENT_CERT, PROBE_DN, strlen(PROBE_DN) };
		struct kms_transport_id other = { KMS_TID_CLIENT_CERT, "CN=x", 4 };

		build_resolve(&q, &al, &d, &(struct opt){ 0 });
		run(&f, q.buf, q.len, &cert, &a);
		check_resolved(&al, &a, &q, DAVE, false);
		CU_ASSERT_EQUAL(a.res.audit.authz, KMS_AUTHZ_NF_INTERCEPT);
		CU_ASSERT_STRING_EQUAL(a.res.audit.nf, "probe");
		build_resolve(&q, &al, &d, &(struct opt){ 0 });
		run(&f, q.buf, q.len, &other, &a);
		expect_error(&a, KMS_OUT_FORBIDDEN, MK_E_AUTH_FAILURE, true, &q, &d);
	}
	fx_close(&f);
}

/* A ticket may be resolved again (J), each time with a fresh modifier. */
static void test_resolve_twice(void)
{
	struct fx f;
	struct alice al;
	struct init q1, q2;
	struct answer a1, a2;

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ 0 });
	resolve(&f, &al, BOB, &(struct opt){ 0 }, &q1, &a1);
	resolve(&f, &al, BOB, &(struct opt){ 0 }, &q2, &a2);
	check_resolved(&al, &a1, &q1, BOB, true);
	check_resolved(&al, &a2, &q2, BOB, true);
	CU_ASSERT(memcmp(a1.m.randr[MK_RANDR_KMS].rand.p, a2.m.randr[MK_RANDR_KMS].rand.p, 32) != 0);
	fx_close(&f);
}

/* ---- tests: the grant (P-11, P-23) ------------------------------------------------------ */

static void grant_case(const struct opt *o, bool expect_k)
{
	struct fx f;
	struct alice al;

	fx_open(&f);
	alice_request(&f, &al, o);
	CU_ASSERT_EQUAL((al.a.m.ticket.flags & MK_TF_K) != 0, expect_k);
	CU_ASSERT_EQUAL(al.a.res.audit.k_flag, expect_k);
	fx_close(&f);
}

static void test_k_flag(void)
{
	struct mk_keylist want;
	static const uint8_t z[32], spi[4];

	/* as asked: no K; left out TRs/TRe/KEMAC are filled in without K */
	grant_case(&(struct opt){ 0 }, false);
	grant_case(&(struct opt){ .trs = 0, .tre = 3600 }, false);
	grant_case(&(struct opt){ .trs = 60, .tre = 7200 }, false);
	/* a fixed flag asked otherwise (M: responder keys), a PRF not ours,
	 * a lifetime above the maximum: K */
	grant_case(&(struct opt){ .flags = KMS_FLAGS_DEFAULT | MK_TF_M }, true);
	grant_case(&(struct opt){ .tp_prf = 1 }, true);
	grant_case(&(struct opt){ .tre = 30 * 86400 }, true);
	grant_case(&(struct opt){ .trs = -86400 }, true);
	/* keys: two TGKs and a GTGK as asked: no K; a 32-octet TGK in the
	 * 128-bit set or a 2-octet SPI: K */
	memset(&want, 0, sizeof(want));
	want.n = 3;
	want.k[0] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_TGK_SALT, .key = { z, 16 },
					 .salt = { z, 14 }, .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	want.k[1] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_TGK, .key = { z, 16 },
					 .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	want.k[2] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_GTGK, .key = { z, 16 },
					 .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	grant_case(&(struct opt){ .want = &want }, false);
	want.k[1].key.n = 32;
	grant_case(&(struct opt){ .want = &want, .big = true }, false);
	grant_case(&(struct opt){ .want = &want }, true);
	want.k[1].key.n = 16;
	want.k[2].kv.spi.n = 2;
	grant_case(&(struct opt){ .want = &want }, true);
}

static void test_requested_keys_resolve(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;
	struct mk_keylist want;
	static const uint8_t z[32], spi[4];

	memset(&want, 0, sizeof(want));
	want.n = 2;
	want.k[0] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_TGK, .key = { z, 32 },
					 .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	want.k[1] = (struct mk_keydata){ .pl.present = true, .type = MK_KEY_GTGK_SALT, .key = { z, 32 },
					 .salt = { z, 14 }, .kv = { .type = MK_KV_SPI, .spi = { spi, 4 } } };
	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ .big = true, .want = &want });
	CU_ASSERT_EQUAL_FATAL(al.nkeys, 2u);
	CU_ASSERT_EQUAL(al.keys[0]->key.n, 32u);
	CU_ASSERT_EQUAL(al.keys[1]->type, MK_KEY_GTGK_SALT);
	resolve(&f, &al, BOB, &(struct opt){ .big = true }, &q, &a);
	check_resolved(&al, &a, &q, BOB, true); /* the GTGK stays unforked */
	fx_close(&f);
}

/* ---- tests: refusals ------------------------------------------------------------------------ */

static void refuse_request(const struct opt *o, const struct kms_transport_id *tid,
			   enum kms_outcome out, int code, bool maced)
{
	struct fx f;
	struct init q;
	struct answer a;
	struct ue u = ue_of(ALICE);

	fx_open(&f);
	build_request(&q, &u, o);
	run(&f, q.buf, q.len, tid, &a);
	expect_error(&a, out, code, maced, &q, &u);
	fx_close(&f);
}

static void test_refuse_wrong_mac(void)
{
	refuse_request(&(struct opt){ .wrong_key = true }, NULL, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	refuse_request(&(struct opt){ .wrong_key = true, .big = true }, NULL, KMS_OUT_AUTH_FAILED,
		       MK_E_AUTH_FAILURE, false);
}

static void test_refuse_timestamps(void)
{
	refuse_request(&(struct opt){ .tdelta = -301 }, NULL, KMS_OUT_BAD_TIMESTAMP, MK_E_INVALID_TS, false);
	refuse_request(&(struct opt){ .tdelta = 301 }, NULL, KMS_OUT_BAD_TIMESTAMP, MK_E_INVALID_TS, false);
}

static void test_refuse_replay(void)
{
	struct fx f;
	struct init q;
	struct answer a;
	struct ue u = ue_of(ALICE);

	fx_open(&f);
	build_request(&q, &u, &(struct opt){ 0 });
	run(&f, q.buf, q.len, NULL, &a);
	CU_ASSERT_EQUAL(a.res.outcome, KMS_OUT_OK);
	run(&f, q.buf, q.len, NULL, &a);
	expect_error(&a, KMS_OUT_REPLAY, MK_E_INVALID_TS, true, &q, &u); /* P-21: MACed */
	fx_close(&f);
}

static void test_refuse_identity(void)
{
	/* P-13: IDRi of someone else, and no IMPU at all */
	refuse_request(&(struct opt){ .own = "sip:bob@home1.net" }, NULL, KMS_OUT_FORBIDDEN,
		       MK_E_AUTH_FAILURE, true);
	/* P-13: a desired responder that is no identity */
	refuse_request(&(struct opt){ .idrr = { "mailto:bob@home1.net" } }, NULL, KMS_OUT_TP_PARAM,
		       MK_E_INVALID_TPPAR, true);
	/* IDRkms naming another KMS */
	refuse_request(&(struct opt){ .idrkms = "kms.other.net" }, NULL, KMS_OUT_FORBIDDEN,
		       MK_E_AUTH_FAILURE, true);
	/* a policy too large for a 4 KiB response */
	{
		static char big[4][700];
		unsigned i;

		for (i = 0; i < 4; i++) {
			memset(big[i], 'a', sizeof(big[i]) - 1);
			memcpy(big[i], "sip:", 4);
			big[i][5] = (char)('0' + i);
		}
		refuse_request(&(struct opt){ .idrr = { big[0], big[1], big[2], big[3] } }, NULL,
			       KMS_OUT_TP_PARAM, MK_E_INVALID_TPPAR, true);
	}
	/* Ticket Type 2 asked for (P-22) */
	refuse_request(&(struct opt){ .ticket_type = 3 }, NULL, KMS_OUT_TICKET_TYPE,
		       MK_E_INVALID_TICKET, true);
}

static void test_refuse_transport_btid(void)
{
	const char *other = subs[BOB].btid;
	struct kms_transport_id t = { KMS_TID_PSK_BTID, other, strlen(other) };
	struct fx f;
	struct init q;
	struct answer a;
	struct ue u = ue_of(ALICE);

	refuse_request(&(struct opt){ 0 }, &t, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	t.kind = KMS_TID_DIGEST_BTID;
	refuse_request(&(struct opt){ 0 }, &t, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	/* the same B-TID on either transport: accepted; a client certificate
	 * is no B-TID and does not take part */
	fx_open(&f);
	t = (struct kms_transport_id){ KMS_TID_PSK_BTID, subs[ALICE].btid, strlen(subs[ALICE].btid) };
	build_request(&q, &u, &(struct opt){ 0 });
	CU_ASSERT_EQUAL(run(&f, q.buf, q.len, &t, &a), KMS_OUT_OK);
	t = (struct kms_transport_id){ KMS_TID_CLIENT_CERT, "CN=x", 4 };
	build_request(&q, &u, &(struct opt){ 0 });
	CU_ASSERT_EQUAL(run(&f, q.buf, q.len, &t, &a), KMS_OUT_OK);
	t = (struct kms_transport_id){ KMS_TID_DIGEST_BTID, subs[ALICE].btid, strlen(subs[ALICE].btid) };
	build_request(&q, &u, &(struct opt){ 0 });
	CU_ASSERT_EQUAL(run(&f, q.buf, q.len, &t, &a), KMS_OUT_OK);
	fx_close(&f);
}

static void test_refuse_key_source(void)
{
	refuse_request(&(struct opt){ .btid = BTID_UNKNOWN }, NULL, KMS_OUT_BOOTSTRAP_REQUIRED,
		       MK_E_AUTH_FAILURE, false);
	refuse_request(&(struct opt){ .btid = subs[EVE].btid }, NULL, KMS_OUT_BOOTSTRAP_REQUIRED,
		       MK_E_AUTH_FAILURE, false);
	refuse_request(&(struct opt){ .btid = BTID_DOWN }, NULL, KMS_OUT_BSF_UNAVAILABLE,
		       MK_E_UNSPECIFIED, false);
	refuse_request(&(struct opt){ .btid = BTID_NOAUTH }, NULL, KMS_OUT_FORBIDDEN,
		       MK_E_AUTH_FAILURE, false);
	refuse_request(&(struct opt){ .omit_btid = true }, NULL, KMS_OUT_MALFORMED, MK_E_INVALID_ID, false);
}

static void test_refuse_algorithms(void)
{
	/* P-8: NULL MAC, and PRF / MAC from different sets */
	refuse_request(&(struct opt){ .mac = MK_MAC_NULL + 1 }, NULL, KMS_OUT_UNSUPPORTED,
		       MK_E_INVALID_MAC, false);
	refuse_request(&(struct opt){ .mac = MK_MAC_HMAC_SHA256_256 + 1 }, NULL, KMS_OUT_UNSUPPORTED,
		       MK_E_INVALID_MAC, false);
	refuse_request(&(struct opt){ .big = true, .mac = MK_MAC_HMAC_SHA1_160 + 1 }, NULL,
		       KMS_OUT_UNSUPPORTED, MK_E_INVALID_MAC, false);
	/* P-20 */
	refuse_request(&(struct opt){ .randlen = 31 }, NULL, KMS_OUT_MALFORMED, MK_E_UNSPECIFIED, false);
}

static void test_refuse_set_disabled(void)
{
	struct fx f;
	struct init q;
	struct answer a;
	struct ue u = ue_of(ALICE);
	char err[128];

	now_ntp = mk_ntp_now();
	fx_open_set(&f, kms_tpk_set_generate(now_unix(), err, sizeof(err)), KMS_SET_256);
	build_request(&q, &u, &(struct opt){ 0 });
	run(&f, q.buf, q.len, NULL, &a);
	expect_error(&a, KMS_OUT_UNSUPPORTED, MK_E_INVALID_PRF, false, &q, &u);
	fx_close(&f);
}

static void test_refuse_garbage(void)
{
	struct fx f;
	struct answer a;
	static const uint8_t junk[] = { 2, 11, 0, 0, 1, 2, 3, 4, 0, 1 };
	static const uint8_t transfer_hdr[] = { 1, 14, 0, 0, 1, 2, 3, 4, 0, 1 };

	fx_open(&f);
	CU_ASSERT_EQUAL(run(&f, junk, sizeof(junk), NULL, &a), KMS_OUT_UNSUPPORTED);
	CU_ASSERT_EQUAL(a.res.resp_len, 0u);
	CU_ASSERT_EQUAL(run(&f, NULL, 0, NULL, &a), KMS_OUT_MALFORMED);
	CU_ASSERT_EQUAL(a.res.resp_len, 0u);
	CU_ASSERT_EQUAL(run(&f, transfer_hdr, sizeof(transfer_hdr), NULL, &a), KMS_OUT_MALFORMED);
	CU_ASSERT(a.res.resp_len > 0);
	CU_ASSERT_FALSE(a.res.error_maced);
	/* an Error is not answered with an Error (mikey.md 6.4) */
	{
		struct mk_msg em;
		uint8_t buf[128];
		size_t n = 0;

		memset(&em, 0, sizeof(em));
		em.hdr.pl.present = true;
		em.hdr.version = 1;
		em.hdr.data_type = MK_DT_ERROR;
		em.hdr.map_type = MK_MAP_EMPTY;
		em.t.pl.present = true;
		em.t.ts = now_ntp;
		em.nerr = 1;
		em.err[0].pl.present = true;
		em.err[0].code = MK_E_UNSPECIFIED;
		CU_ASSERT_EQUAL_FATAL(mk_build(&em, buf, sizeof(buf), &n), MK_OK);
		CU_ASSERT_EQUAL(run(&f, buf, n, NULL, &a), KMS_OUT_UNSUPPORTED);
		CU_ASSERT_EQUAL(a.res.resp_len, 0u);
		buf[n - 1] ^= 0xff; /* and not when it is malformed either */
		buf[2] = 0x99;
		run(&f, buf, n, NULL, &a);
		CU_ASSERT_NOT_EQUAL(a.res.outcome, KMS_OUT_OK);
		CU_ASSERT_EQUAL(a.res.resp_len, 0u);
	}
	fx_close(&f);
}

/* ---- tests: resolve refusals ------------------------------------------------------------------- */

static void test_refuse_resolver(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;
	struct ue d = ue_of(DAVE), b = ue_of(BOB);

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ 0 });
	/* not in the ticket */
	resolve(&f, &al, DAVE, &(struct opt){ 0 }, &q, &a);
	expect_error(&a, KMS_OUT_FORBIDDEN, MK_E_AUTH_FAILURE, true, &q, &d);
	/* Dave claiming to be Bob */
	resolve(&f, &al, DAVE, &(struct opt){ .own = "sip:bob@home1.net" }, &q, &a);
	expect_error(&a, KMS_OUT_FORBIDDEN, MK_E_AUTH_FAILURE, true, &q, &d);
	/* Bob's own resolve with a wrong MAC */
	resolve(&f, &al, BOB, &(struct opt){ .wrong_key = true }, &q, &a);
	expect_error(&a, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false, &q, &b);
	fx_close(&f);
}

static void test_refuse_expired_ticket(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;
	struct ue b = ue_of(BOB);

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ .tre = 3600 });
	shift_clock(3601);
	resolve(&f, &al, BOB, &(struct opt){ 0 }, &q, &a);
	expect_error(&a, KMS_OUT_TICKET_INVALID, MK_E_AUTH_FAILURE, true, &q, &b);
	/* not yet valid */
	shift_clock(-3601);
	alice_request(&f, &al, &(struct opt){ .trs = 3000, .tre = 7200 });
	resolve(&f, &al, BOB, &(struct opt){ 0 }, &q, &a);
	expect_error(&a, KMS_OUT_TICKET_INVALID, MK_E_AUTH_FAILURE, true, &q, &b);
	shift_clock(3000);
	resolve(&f, &al, BOB, &(struct opt){ 0 }, &q, &a);
	check_resolved(&al, &a, &q, BOB, true);
	fx_close(&f);
}

static void test_refuse_vr(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;
	struct ue b = ue_of(BOB);

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ 0 });
	initiator_data(&al, true);
	resolve(&f, &al, BOB, &(struct opt){ 0 }, &q, &a);
	expect_error(&a, KMS_OUT_TICKET_INVALID, MK_E_AUTH_FAILURE, true, &q, &b);
	/* forking ticket without Initiator Data (the codec will not build
	 * one: cut it out of a built message and MAC it again) */
	initiator_data(&al, false);
	build_resolve(&q, &al, &b, &(struct opt){ 0 });
	{
		size_t at = q.m.ticket.init_len_off, n = q.m.ticket.init_data.n;

		q.buf[at] = q.buf[at + 1] = 0;
		memmove(q.buf + at + 2, q.buf + at + 2 + n, q.len - at - 2 - n);
		q.len -= n;
		mac_initial(q.buf, q.m.v.mac_off - n, q.prf, q.mac, b.ks, q.m.hdr.csb_id, NULL, 0,
			    q.rand, q.randlen, q.own, FQDN);
	}
	run(&f, q.buf, q.len, NULL, &a);
	CU_ASSERT(a.res.outcome == KMS_OUT_TICKET_INVALID || a.res.outcome == KMS_OUT_MALFORMED);
	CU_ASSERT(a.res.resp_len > 0 && a.res.mikey_error >= 0);
	fx_close(&f);
}

/* Every byte of the TICKET payload flipped, Bob's MAC recomputed over the
 * tampered message: never keys. */
static void test_tampered_ticket(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct answer a;
	struct ue b = ue_of(BOB);
	uint8_t orig[4096];
	size_t i, start, end;
	unsigned refused = 0;

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ 0 });
	build_resolve(&q, &al, &b, &(struct opt){ 0 });
	memcpy(orig, q.buf, q.len);
	start = q.m.ticket.pl.off;
	end = start + q.m.ticket.pl.len;
	for (i = start; i < end; i++) {
		memcpy(q.buf, orig, q.len);
		q.buf[i] ^= 0x01;
		mac_initial(q.buf, q.m.v.mac_off, q.prf, q.mac, b.ks, q.m.hdr.csb_id, NULL, 0,
			    q.rand, q.randlen, q.own, FQDN);
		/* each tampered message has its own MAC: no replay */
		run(&f, q.buf, q.len, NULL, &a);
		if (a.res.outcome == KMS_OUT_OK)
			fprintf(stderr, "ticket byte %zu (of %zu..%zu) flipped: accepted\n", i, start, end);
		CU_ASSERT_NOT_EQUAL(a.res.outcome, KMS_OUT_OK);
		refused += a.res.outcome != KMS_OUT_OK;
	}
	CU_ASSERT_EQUAL(refused, end - start);
	fx_close(&f);
}

/* Untrusted bytes: every bit of a request and of a resolve flipped, and
 * every truncation, without re-MACing: never keys (and, under ASan and
 * valgrind, never a bad read). */
static void mutate_all(struct fx *f, struct init *q)
{
	uint8_t orig[4096];
	struct answer a;
	size_t i;
	unsigned bit, accepted = 0;

	memcpy(orig, q->buf, q->len);
	for (i = 0; i < q->len; i++)
		for (bit = 0; bit < 8; bit++) {
			q->buf[i] ^= (uint8_t)(1u << bit);
			accepted += run(f, q->buf, q->len, NULL, &a) == KMS_OUT_OK;
			q->buf[i] = orig[i];
		}
	for (i = 0; i < q->len; i++)
		accepted += run(f, q->buf, i, NULL, &a) == KMS_OUT_OK;
	CU_ASSERT_EQUAL(accepted, 0u);
	/* the original is still fresh: accepted once */
	CU_ASSERT_EQUAL(run(f, q->buf, q->len, NULL, &a), KMS_OUT_OK);
}

static void test_mutations(void)
{
	struct fx f;
	struct alice al;
	struct init q;
	struct ue u = ue_of(ALICE), b = ue_of(BOB);

	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ 0 });
	build_request(&q, &u, &(struct opt){ .big = true });
	mutate_all(&f, &q);
	build_resolve(&q, &al, &b, &(struct opt){ 0 });
	mutate_all(&f, &q);
	fx_close(&f);
}

static void test_unknown_tpk(void)
{
	struct fx f1, f2;
	struct alice al;
	struct init q;
	struct answer a;
	struct ue b = ue_of(BOB);
	char err[128];
	struct kms_tpk_set *s1, *s2;
	uint32_t id2 = 0;

	now_ntp = mk_ntp_now();
	s1 = kms_tpk_set_generate(now_unix(), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	s2 = kms_tpk_set_add(s1, now_unix(), KMS_NO_EXPIRY, true, &id2, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	CU_ASSERT_NOT_EQUAL(id2, 1u);
	fx_open_set(&f2, s2, 0);               /* seals with key id2 */
	fx_open_set(&f1, s1, 0);               /* knows key 1 only */
	alice_request(&f2, &al, &(struct opt){ 0 });
	CU_ASSERT_EQUAL(al.a.res.audit.key_id, id2);
	resolve(&f1, &al, BOB, &(struct opt){ 0 }, &q, &a);
	expect_error(&a, KMS_OUT_TICKET_INVALID, MK_E_AUTH_FAILURE, true, &q, &b);
	CU_ASSERT_EQUAL(a.res.audit.key_id, id2);
	/* the KMS holding both opens it */
	resolve(&f2, &al, BOB, &(struct opt){ 0 }, &q, &a);
	check_resolved(&al, &a, &q, BOB, true);
	fx_close(&f1);
	fx_close(&f2);
}

static void test_replay_full(void)
{
	struct fx f;
	struct init q;
	struct answer a;
	struct ue u = ue_of(ALICE);
	char err[128];
	unsigned i, ok = 0;

	fx_open(&f);
	kms_replay_free(f.rp);
	/* a one-slot cache: the second fresh message finds it full */
	f.rp = kms_replay_new(1, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f.rp);
	kms_engine_free(f.e);
	{
		struct kms_engine_config c;
		memset(&c, 0, sizeof(c));
		c.fqdn = FQDN;
		c.keys.lookup = ks_lookup;
		c.keys.release = ks_release;
		c.keyring = f.kr;
		c.replay = f.rp;
		c.clock = test_clock;
		f.e = kms_engine_new(&c, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(f.e);
	}
	for (i = 0; i < 100000; i++) {
		build_request(&q, &u, &(struct opt){ 0 });
		run(&f, q.buf, q.len, NULL, &a);
		if (a.res.outcome != KMS_OUT_OK)
			break;
		ok++;
	}
	CU_ASSERT(ok >= 1);
	expect_error(&a, KMS_OUT_REPLAY_FULL, MK_E_UNSPECIFIED, true, &q, &u);
	fx_close(&f);
}

/* Configurations the engine refuses, each with a reason. */
static void test_config(void)
{
	struct fx f;
	struct kms_engine_config c;
	struct kms_engine *e;
	static const char *const nomember[] = { NULL };
	const struct kms_group badgroup = { "sip:g@home1.net", nomember, 1 };
	const struct kms_nf_principal nobody = { NULL, NULL, true, "nobody" };
	char err[128];
	unsigned i;

	fx_open(&f);
	for (i = 0; i < 6; i++) {
		memset(&c, 0, sizeof(c));
		c.fqdn = FQDN;
		c.keys.lookup = ks_lookup;
		c.keys.release = ks_release;
		c.keyring = f.kr;
		c.replay = f.rp;
		switch (i) {
		case 0: c.fqdn = ""; break;
		case 1: c.keys.release = NULL; break;
		case 2: c.replay = NULL; break;
		case 3: c.lifetime_default_s = 10; c.lifetime_max_s = 5; break;
		case 4: c.groups = &badgroup; c.n_groups = 1; break;
		case 5: c.nfs = &nobody; c.n_nfs = 1; break;
		}
		err[0] = 0;
		e = kms_engine_new(&c, err, sizeof(err));
		CU_ASSERT_PTR_NULL(e);
		CU_ASSERT(err[0] != 0);
		kms_engine_free(e);
	}
	fx_close(&f);
}

/* One engine, several threads at once (the daemon's thread pool): every
 * answer is right. Messages are built before and checked after. */
#define THREADS 4
#define PER_THREAD 50

struct job {
	struct fx *f;
	struct init *q;
	struct answer *a;
	unsigned n;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	unsigned i;

	for (i = 0; i < j->n; i++)
		run(j->f, j->q[i].buf, j->q[i].len, NULL, &j->a[i]);
	return NULL;
}

static void test_threads(void)
{
	enum { N = THREADS * PER_THREAD };
	struct fx f;
	struct alice al;
	struct init *q = calloc(2 * N, sizeof(*q));
	struct answer *a = calloc(2 * N, sizeof(*a));
	struct job jobs[THREADS];
	pthread_t th[THREADS];
	struct ue u = ue_of(ALICE), b = ue_of(BOB);
	unsigned i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	fx_open(&f);
	alice_request(&f, &al, &(struct opt){ 0 });
	for (i = 0; i < N; i++) {
		build_request(&q[2 * i], &u, &(struct opt){ 0 });
		build_resolve(&q[2 * i + 1], &al, &b, &(struct opt){ 0 });
	}
	for (i = 0; i < THREADS; i++) {
		jobs[i] = (struct job){ &f, q + 2 * PER_THREAD * i, a + 2 * PER_THREAD * i, 2 * PER_THREAD };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < N; i++) {
		open_response(&a[2 * i], &q[2 * i], &u);
		check_resolved(&al, &a[2 * i + 1], &q[2 * i + 1], BOB, true);
	}
	fx_close(&f);
	free(q);
	free(a);
}

static const struct tk_test tests[] = {
	TK_TEST(test_flow_128_forking),
	TK_TEST(test_flow_256_forking),
	TK_TEST(test_flow_128_no_forking),
	TK_TEST(test_flow_256_no_forking),
	TK_TEST(test_mixed_parties),
	TK_TEST(test_omitted_identities),
	TK_TEST(test_second_impu),
	TK_TEST(test_group_member),
	TK_TEST(test_network_functions),
	TK_TEST(test_resolve_twice),
	TK_TEST(test_k_flag),
	TK_TEST(test_requested_keys_resolve),
	TK_TEST(test_refuse_wrong_mac),
	TK_TEST(test_refuse_timestamps),
	TK_TEST(test_refuse_replay),
	TK_TEST(test_refuse_identity),
	TK_TEST(test_refuse_transport_btid),
	TK_TEST(test_refuse_key_source),
	TK_TEST(test_refuse_algorithms),
	TK_TEST(test_refuse_set_disabled),
	TK_TEST(test_refuse_garbage),
	TK_TEST(test_refuse_resolver),
	TK_TEST(test_refuse_expired_ticket),
	TK_TEST(test_refuse_vr),
	TK_TEST(test_tampered_ticket),
	TK_TEST(test_mutations),
	TK_TEST(test_unknown_tpk),
	TK_TEST(test_replay_full),
	TK_TEST(test_threads),
	TK_TEST(test_config),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("engine", tests);
}
