/*
 * test-engine-naf.c: the ticket engine with its production key source, the
 * NAF library (kms/naf_keys.h), talking Zn over HTTP to a small real Zn
 * server on 127.0.0.1 (tests/unit/naf_zn_peer.h): a request and a resolve
 * keyed by the Ks_NAF the BSF hands out for Ua id 01 00 00 00 06 (P-1),
 * with the IMPUs of its USS (P-3); and the BSF's refusals turned into the
 * engine's outcomes (P-6).  The UE side uses the MIKEY library's
 * protection functions (mikey/mprotect.h).
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "kms/engine.h"
#include "kms/keyring.h"
#include "kms/naf_keys.h"
#include "kms/replay.h"
#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "naf/naf.h"
#include "naf_zn_peer.h"
#include "tk_test.h"

#define FQDN "kms.home1.net"
#define ALICE "QUxJQ0VBTElDRUFMSUNFQQ==@bsf.home1.net"
#define BOB "Qk9CQk9CQk9CQk9CQk9CQg==@bsf.home1.net"
/* The peer's rules on the B-TID's first two characters (naf_zn_peer.h). */
#define UNKNOWN "NFAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net"
#define REFUSED "FBAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net"
#define BROKEN "E5AAAAAAAAAAAAAAAAAAAA==@bsf.home1.net"
#define GARBLED "BJAAAAAAAAAAAAAAAAAAAA==@bsf.home1.net"
/* The peer's subscriber: impi user@test, IMPUs sip:user@test, tel:+15550100. */
#define IMPU1 "sip:user@test"
#define IMPU2 "tel:+15550100"

struct kms {
	struct zn_peer *peer;
	struct naf *naf;
	struct kms_keyring *kr;
	struct kms_replay *rp;
	struct kms_engine *e;
};

static void kms_up(struct kms *k, const char *zn_url)
{
	struct naf_config nc;
	struct kms_engine_config c;
	char err[256];

	memset(k, 0, sizeof(*k));
	k->peer = zn_peer_start();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k->peer);
	memset(&nc, 0, sizeof(nc));
	nc.fqdn = FQDN;
	nc.zn_url = zn_url ? zn_url : zn_peer_url(k->peer);
	nc.token = "tok";
	nc.timeout_ms = 2000;
	k->naf = naf_new(&nc, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k->naf);
	k->kr = kms_keyring_new(kms_tpk_set_generate(0, err, sizeof(err)));
	k->rp = kms_replay_new(1024, 0);
	CU_ASSERT_FATAL(k->kr && k->rp);
	memset(&c, 0, sizeof(c));
	c.fqdn = FQDN;
	c.keys = kms_naf_key_source(k->naf);
	c.keyring = k->kr;
	c.replay = k->rp;
	k->e = kms_engine_new(&c, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(k->e);
}

static void kms_down(struct kms *k)
{
	kms_engine_free(k->e);
	kms_replay_free(k->rp);
	kms_keyring_free(k->kr);
	naf_free(k->naf);
	zn_peer_stop(k->peer);
}

struct msg {
	uint8_t buf[2048];
	size_t len;
	struct mk_msg m;
	uint8_t rand[32];
	uint8_t ks[32];
};

static void idr(struct mk_idr *d, uint8_t role, uint8_t type, const char *v)
{
	d->pl.present = true;
	d->role = role;
	d->id_type = type;
	d->data = (struct mk_bytes){ (const uint8_t *)v, strlen(v) };
}

/* An initial message of the UE holding btid, MACed with the Ks_NAF the
 * peer derives for it (zn_peer_key). */
static void initial(struct msg *q, const char *btid, uint8_t dt, const char *own,
		    const struct mk_ticket *tk)
{
	struct mk_msg *m = &q->m;
	struct mk_keyset ks;
	bool req = dt == MK_DT_REQUEST_INIT_PSK;

	memset(q, 0, sizeof(*q));
	zn_peer_key(btid, FQDN, "0100000006", q->ks);
	CU_ASSERT_FATAL(gnutls_rnd(GNUTLS_RND_NONCE, q->rand, sizeof(q->rand)) == 0);
	CU_ASSERT_FATAL(gnutls_rnd(GNUTLS_RND_NONCE, &m->hdr.csb_id, 4) == 0);
	m->hdr.pl.present = true;
	m->hdr.version = 1;
	m->hdr.data_type = dt;
	m->hdr.v = true;
	m->hdr.prf = MK_PRF_HMAC_SHA256;
	m->hdr.map_type = MK_MAP_EMPTY;
	m->t.pl.present = true;
	m->t.ts_type = MK_TS_NTP_UTC;
	m->t.ts = mk_ntp_now();
	m->randr[req ? MK_RANDR_I : MK_RANDR_R] = (struct mk_randr){
		.pl.present = true, .role = req ? MK_RANDR_I : MK_RANDR_R, .rand = { q->rand, 32 } };
	idr(&m->idr[req ? MK_IDR_I : MK_IDR_R], req ? MK_IDR_I : MK_IDR_R, MK_ID_URI, own);
	idr(&m->idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI, btid);
	m->ticket = *tk;
	m->v.pl.present = true;
	m->v.alg = MK_MAC_HMAC_SHA256_256;
	CU_ASSERT_EQUAL_FATAL(mk_build(m, q->buf, sizeof(q->buf), &q->len), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, m, NULL, q->ks, 32), MK_OK);
	/* IDRkms left out: the KMS FQDN enters the MAC (P-4) */
	CU_ASSERT_EQUAL_FATAL(mk_msg_protect(q->buf, m, &ks, NULL,
					     &(struct mk_ids){ .kms = { (const uint8_t *)FQDN, strlen(FQDN) } }),
			      MK_OK);
	mk_keyset_wipe(&ks);
}

struct reply {
	uint8_t buf[4096];
	struct kms_result res;
	struct mk_msg m;
	uint8_t plain[1024];
	struct mk_keylist kl;
};

static enum kms_outcome handle(struct kms *k, struct msg *q, struct reply *a)
{
	memset(&a->res, 0, sizeof(a->res));
	a->res.resp = a->buf;
	a->res.resp_cap = sizeof(a->buf);
	return kms_engine_handle(k->e, q->buf, q->len, NULL, &a->res);
}

/* Verify and open a response with the UE's own Ks_NAF (rows D). */
static void open_reply(struct reply *a, struct msg *q)
{
	struct mk_keyset ks;

	CU_ASSERT_EQUAL_FATAL(a->res.outcome, KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(mk_parse(a->buf, a->res.resp_len, &a->m), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_parse(q->buf, q->len, &q->m), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &a->m, &q->m, q->ks, 32), MK_OK);
	CU_ASSERT_EQUAL(mk_msg_verify(&a->m, &ks, &q->m, NULL), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_kemac_open(&a->m.kemac, &ks, a->m.hdr.csb_id, &a->m.t, a->plain,
					    sizeof(a->plain), &a->kl), MK_OK);
	mk_keyset_wipe(&ks);
}

static void desired(struct mk_ticket *tp, const char *responder)
{
	memset(tp, 0, sizeof(*tp));
	tp->pl.present = true;
	tp->ticket_type = MK_TICKET_MIKEY_BASE;
	tp->subtype = tp->version = 1;
	tp->prf = MK_PRF_HMAC_SHA256;
	/* no forking here: test-engine covers it; this checks the key source */
	tp->flags = MK_TF_D | MK_TF_E | MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_J | MK_TF_N | MK_TF_O;
	tp->tp.nr = 1;
	idr(&tp->tp.idrr[0], MK_IDR_R, MK_ID_URI, responder);
}

static void test_request_and_resolve(void)
{
	struct kms k;
	struct mk_ticket tp;
	struct msg q, r;
	struct reply a, b;
	unsigned i;

	kms_up(&k, NULL);
	desired(&tp, IMPU2);
	initial(&q, ALICE, MK_DT_REQUEST_INIT_PSK, IMPU1, &tp);
	CU_ASSERT_EQUAL(handle(&k, &q, &a), KMS_OUT_OK);
	open_reply(&a, &q);
	CU_ASSERT_STRING_EQUAL(a.res.audit.impi, "user@test");
	CU_ASSERT_STRING_EQUAL(a.res.audit.btid, ALICE);

	initial(&r, BOB, MK_DT_RESOLVE_INIT_PSK, IMPU2, &a.m.ticket);
	CU_ASSERT_EQUAL(handle(&k, &r, &b), KMS_OUT_OK);
	open_reply(&b, &r);
	CU_ASSERT_EQUAL_FATAL(b.kl.n, a.kl.n);
	for (i = 0; i < a.kl.n; i++)
		CU_ASSERT(a.kl.k[i].key.n == b.kl.k[i].key.n &&
			  memcmp(a.kl.k[i].key.p, b.kl.k[i].key.p, a.kl.k[i].key.n) == 0);
	CU_ASSERT_EQUAL(b.res.audit.authz, KMS_AUTHZ_LISTED);
	/* the second message of the same UE comes from the NAF cache */
	CU_ASSERT_EQUAL(zn_peer_requests(k.peer), 2u);
	initial(&q, ALICE, MK_DT_REQUEST_INIT_PSK, IMPU2, &tp);
	CU_ASSERT_EQUAL(handle(&k, &q, &a), KMS_OUT_OK);
	CU_ASSERT_EQUAL(zn_peer_requests(k.peer), 2u);
	/* an IMPU the BSF did not list for this subscriber */
	initial(&q, ALICE, MK_DT_REQUEST_INIT_PSK, "sip:other@test", &tp);
	CU_ASSERT_EQUAL(handle(&k, &q, &a), KMS_OUT_FORBIDDEN);
	kms_down(&k);
}

static void refused(const char *btid, const char *zn_url, enum kms_outcome want)
{
	struct kms k;
	struct mk_ticket tp;
	struct msg q;
	struct reply a;

	kms_up(&k, zn_url);
	desired(&tp, IMPU2);
	initial(&q, btid, MK_DT_REQUEST_INIT_PSK, IMPU1, &tp);
	CU_ASSERT_EQUAL(handle(&k, &q, &a), want);
	CU_ASSERT(a.res.resp_len > 0);
	CU_ASSERT_FALSE(a.res.error_maced);
	kms_down(&k);
}

static void test_bsf_refusals(void)
{
	refused(UNKNOWN, NULL, KMS_OUT_BOOTSTRAP_REQUIRED);
	refused(REFUSED, NULL, KMS_OUT_FORBIDDEN);
	refused(BROKEN, NULL, KMS_OUT_BSF_UNAVAILABLE);
	refused(GARBLED, NULL, KMS_OUT_BSF_UNAVAILABLE);
	refused("not a b-tid", NULL, KMS_OUT_BOOTSTRAP_REQUIRED);
	/* nobody listening: port 1 on loopback */
	refused(ALICE, "http://127.0.0.1:1", KMS_OUT_BSF_UNAVAILABLE);
}

static void test_expired_key(void)
{
	struct kms k;
	struct mk_ticket tp;
	struct msg q;
	struct reply a;

	kms_up(&k, NULL);
	zn_peer_set_lifetime(k.peer, -60);
	desired(&tp, IMPU2);
	initial(&q, ALICE, MK_DT_REQUEST_INIT_PSK, IMPU1, &tp);
	CU_ASSERT_EQUAL(handle(&k, &q, &a), KMS_OUT_BOOTSTRAP_REQUIRED);
	kms_down(&k);
}

static const struct tk_test tests[] = {
	TK_TEST(test_request_and_resolve),
	TK_TEST(test_bsf_refusals),
	TK_TEST(test_expired_key),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("engine-naf", tests);
}
