/*
 * test-ue-call.c: the UE library (src/ue/call.h) end to end without a
 * network: two in-process UEs and a test KMS written here from mikey.md
 * 4/5 directly on the codec and mcrypto (an independent reading of the MAC
 * coverage and the key rows).  Checks the whole flow with and without
 * forking and in both algorithm sets, that every single altered byte of
 * TRANSFER_INIT / TRANSFER_RESP / REQUEST_RESP is refused, the SRTP proof
 * both ways (and its failure with a wrong key), early rejects and the state
 * file round trip.
 *
 * The test KMS treats Ticket Data as an opaque blob and keeps the ticket's
 * keys in memory (UEs never look inside a ticket).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "mikey/mcrypto.h"
#include "mikey/mikey.h"
#include "mikey/ntp.h"
#include "tk_test.h"
#include "ue/call.h"
#include "ue/srtpproof.h"

#define ALICE "sip:alice@home1.net"
#define BOB "sip:bob@home1.net"
#define KMS "kms.home1.net"

/* ---- test KMS ------------------------------------------------------------- */

struct tkms {
	uint8_t psk_a[32], psk_b[32];
	uint8_t prf, tp_prf;
	size_t mpk_len;
	uint8_t mpk[32], rand[32], tgk[32], tgk_salt[14];
	uint8_t spi_mpk[4], spi_tgk[4];
	uint32_t grant_clear;   /* flags the KMS removes from the wish (sets K) */
	uint8_t last_randrkms[32];
};

static struct ue_cred cred_a, cred_b;
static struct tkms K;

static void setup_kms(int algset)
{
	memset(&K, 0, sizeof K);
	gnutls_rnd(GNUTLS_RND_NONCE, K.psk_a, 32);
	gnutls_rnd(GNUTLS_RND_NONCE, K.psk_b, 32);
	K.prf = algset == UE_ALGS_256 ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
	K.mpk_len = algset == UE_ALGS_256 ? 32 : 16;
	gnutls_rnd(GNUTLS_RND_NONCE, K.mpk, sizeof K.mpk);
	gnutls_rnd(GNUTLS_RND_NONCE, K.rand, sizeof K.rand);
	gnutls_rnd(GNUTLS_RND_NONCE, K.tgk, sizeof K.tgk);
	gnutls_rnd(GNUTLS_RND_NONCE, K.tgk_salt, sizeof K.tgk_salt);
	memcpy(K.spi_mpk, "\x00\x00\x00\x01", 4);
	memcpy(K.spi_tgk, "\x00\x00\x00\x02", 4);
	memset(&cred_a, 0, sizeof cred_a);
	memset(&cred_b, 0, sizeof cred_b);
	strcpy(cred_a.btid, "YWxpY2VyYW5kMTIzNDU2Nw==@bsf.home1.net");
	strcpy(cred_b.btid, "Ym9icmFuZDEyMzQ1Njc4OQ==@bsf.home1.net");
	memcpy(cred_a.psk, K.psk_a, 32);
	memcpy(cred_b.psk, K.psk_b, 32);
}

static void algs(uint8_t prf, uint8_t *mac, uint8_t *encr)
{
	*mac = prf ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160;
	*encr = prf ? MK_ENCR_AES_CM_256 : MK_ENCR_AES_CM_128;
}

static void keydata(struct mk_keydata *k, uint8_t type, const uint8_t *key, size_t n,
		    const uint8_t *salt, size_t sn, const uint8_t *spi)
{
	memset(k, 0, sizeof *k);
	k->pl.present = true;
	k->type = type;
	k->key = (struct mk_bytes){ key, n };
	if (sn)
		k->salt = (struct mk_bytes){ salt, sn };
	k->kv.type = MK_KV_SPI;
	k->kv.spi = (struct mk_bytes){ spi, 4 };
}

/* Build a response: KEMAC over kl (row D keys), V over resp || suffix. */
static int kms_respond(struct mk_msg *r, const struct mk_keylist *kl, const uint8_t *psk,
		       const uint8_t *ri, size_t ril, const uint8_t *rr, size_t rrl,
		       const uint8_t *suffix, size_t sl, uint8_t *out, size_t *out_len)
{
	uint8_t plain[1024], enc[1024];
	size_t pl = 0, el = 0, len = 0;
	struct mk_keyset ks;
	struct mk_span sp[2];
	uint8_t mac, encr;

	algs(r->hdr.prf, &mac, &encr);
	if (mk_keyset_6043(&ks, r->hdr.prf, encr, mac, psk, 32, r->hdr.csb_id, MK_DIR_RESPONSE,
			   ri, ril, rr, rrl) != MK_OK)
		return -1;
	if (mk_keylist_build(kl, plain, sizeof plain, &pl) != MK_OK ||
	    mk_kemac_encrypt(&ks, r->hdr.csb_id, mk_ts_iv_value(r->t.ts_type, r->t.ts), plain, pl,
			     enc, sizeof enc, &el) != MK_OK)
		return -1;
	r->kemac.pl.present = true;
	r->kemac.encr_alg = encr;
	r->kemac.encr = (struct mk_bytes){ enc, el };
	r->kemac.mac_alg = MK_MAC_NULL;
	r->v.pl.present = true;
	r->v.alg = mac;
	if (mk_build(r, out, UE_MAX_MSG, &len) != MK_OK)
		return -1;
	sp[0] = (struct mk_span){ out, r->v.mac_off };
	sp[1] = (struct mk_span){ suffix, sl };
	if (mk_mac_compute(ks.mac, ks.auth_key, ks.auth_len, sp, 2, out + r->v.mac_off) != MK_OK)
		return -1;
	*out_len = len;
	mk_keyset_wipe(&ks);
	return 0;
}

static bool verify_init(const struct mk_msg *m, const uint8_t *psk, const uint8_t *ri, size_t ril,
			const uint8_t *rr, size_t rrl, const struct mk_idr *who)
{
	struct mk_keyset ks;
	struct mk_span sp[3];
	uint8_t mac, encr;
	bool ok;

	algs(m->hdr.prf, &mac, &encr);
	if (mk_keyset_6043(&ks, m->hdr.prf, encr, mac, psk, 32, m->hdr.csb_id, MK_DIR_INITIAL,
			   ri, ril, rr, rrl) != MK_OK)
		return false;
	sp[0] = (struct mk_span){ m->buf, m->v.mac_off };
	sp[1] = (struct mk_span){ who->data.p, who->data.n };
	sp[2] = (struct mk_span){ m->idr[MK_IDR_KMS].data.p, m->idr[MK_IDR_KMS].data.n };
	ok = mk_mac_verify(ks.mac, ks.auth_key, ks.auth_len, sp, 3, m->v.mac.p, m->v.mac.n);
	mk_keyset_wipe(&ks);
	return ok;
}

/* REQUEST_INIT -> REQUEST_RESP. */
static int kms_request(const uint8_t *req, size_t len, uint8_t *out, size_t *out_len)
{
	static struct mk_msg m, r;
	static const uint8_t opaque[24] = "opaque-ticket-data-here";
	struct mk_keylist kl;
	uint8_t mpki[32], mpkr[32];
	const struct mk_randr *ri;

	memset(&m, 0, sizeof m);
	memset(&r, 0, sizeof r);
	if (mk_parse(req, len, &m) != MK_OK || m.hdr.data_type != MK_DT_REQUEST_INIT_PSK)
		return -1;
	ri = &m.randr[MK_RANDR_I];
	if (!verify_init(&m, K.psk_a, ri->rand.p, ri->rand.n, NULL, 0, &m.idr[MK_IDR_I]))
		return -2;
	K.tp_prf = m.ticket.prf;
	mk_derive_mpki(K.tp_prf, K.mpk, K.mpk_len, K.rand, sizeof K.rand, mpki);
	mk_derive_mpkr(K.tp_prf, K.mpk, K.mpk_len, K.rand, sizeof K.rand, mpkr);
	r.hdr = m.hdr;
	r.hdr.data_type = MK_DT_REQUEST_RESP;
	r.hdr.v = false;
	r.t.pl.present = true;
	r.t.ts_type = MK_TS_NTP_UTC;
	r.t.ts = mk_ntp_now();
	r.idr[MK_IDR_KMS] = m.idr[MK_IDR_KMS];
	r.ticket = m.ticket;
	r.ticket.is_ticket = true;
	r.ticket.flags &= ~K.grant_clear;
	if (K.grant_clear)
		r.ticket.flags |= MK_TF_K;
	r.ticket.ticket_data = (struct mk_bytes){ opaque, sizeof opaque };
	r.ticket.init_data = (struct mk_bytes){ NULL, 0 };
	memset(&kl, 0, sizeof kl);
	keydata(&kl.k[kl.n++], MK_KEY_MPK, mpki, K.mpk_len, NULL, 0, K.spi_mpk);
	if (r.ticket.flags & MK_TF_I)
		keydata(&kl.k[kl.n++], MK_KEY_MPK, mpkr, K.mpk_len, NULL, 0, K.spi_mpk);
	keydata(&kl.k[kl.n++], MK_KEY_TGK_SALT, K.tgk, K.mpk_len, K.tgk_salt, 14, K.spi_tgk);
	return kms_respond(&r, &kl, K.psk_a, ri->rand.p, ri->rand.n, NULL, 0, req, len, out,
			   out_len);
}

/* RESOLVE_INIT -> RESOLVE_RESP (with Vr check and forking when I). */
static int kms_resolve(const uint8_t *req, size_t len, uint8_t *out, size_t *out_len)
{
	static struct mk_msg m, r;
	struct mk_keylist kl;
	uint8_t mpki[32], mpkr[32], mpkrf[32], tgkf[32], vrkey[32];
	const struct mk_randr *rr;
	const struct mk_idr *idr;
	bool forking;

	memset(&m, 0, sizeof m);
	memset(&r, 0, sizeof r);
	if (mk_parse(req, len, &m) != MK_OK || m.hdr.data_type != MK_DT_RESOLVE_INIT_PSK)
		return -1;
	rr = &m.randr[MK_RANDR_R];
	idr = &m.idr[MK_IDR_R];
	if (!verify_init(&m, K.psk_b, NULL, 0, rr->rand.p, rr->rand.n, idr))
		return -2;
	forking = (m.ticket.flags & MK_TF_I) != 0;
	mk_derive_mpki(K.tp_prf, K.mpk, K.mpk_len, K.rand, sizeof K.rand, mpki);
	mk_derive_mpkr(K.tp_prf, K.mpk, K.mpk_len, K.rand, sizeof K.rand, mpkr);
	memset(&kl, 0, sizeof kl);
	keydata(&kl.k[kl.n++], MK_KEY_MPK, mpki, K.mpk_len, NULL, 0, K.spi_mpk);
	r.hdr = m.hdr;
	r.hdr.data_type = MK_DT_RESOLVE_RESP;
	r.hdr.v = false;
	r.t.pl.present = true;
	r.t.ts_type = MK_TS_NTP_UTC;
	r.t.ts = mk_ntp_now();
	r.idr[MK_IDR_KMS] = m.idr[MK_IDR_KMS];
	if (forking) {
		const struct mk_v *vr = &m.ticket.init.vr;
		struct mk_span s;
		size_t al = mk_auth_key_len(vr->alg);

		/* Vr over the Initiator Data up to its MAC, row E from MPKr. */
		if (!m.ticket.init_data.n || !vr->pl.present || !al)
			return -3;
		mk_derive_vr_key(K.tp_prf, mpkr, K.mpk_len, vrkey, al);
		s = (struct mk_span){ m.ticket.init_data.p, vr->mac_off - (size_t)(m.ticket.init_data.p - req) };
		if (!mk_mac_verify(vr->alg, vrkey, al, &s, 1, vr->mac.p, vr->mac.n))
			return -3;
		gnutls_rnd(GNUTLS_RND_NONCE, K.last_randrkms, 32);
		mk_derive_mpkr_forked(K.tp_prf, mpkr, K.mpk_len, idr->data.p, idr->data.n,
				      K.last_randrkms, 32, mpkrf);
		mk_derive_tgk_forked(K.tp_prf, K.tgk, K.mpk_len, idr->data.p, idr->data.n,
				     K.last_randrkms, 32, tgkf);
		keydata(&kl.k[kl.n++], MK_KEY_MPK, mpkrf, K.mpk_len, NULL, 0, K.spi_mpk);
		keydata(&kl.k[kl.n++], MK_KEY_TGK_SALT, tgkf, K.mpk_len, K.tgk_salt, 14, K.spi_tgk);
		r.idr[MK_IDR_R] = *idr;
		r.randr[MK_RANDR_KMS].pl.present = true;
		r.randr[MK_RANDR_KMS].role = MK_RANDR_KMS;
		r.randr[MK_RANDR_KMS].rand = (struct mk_bytes){ K.last_randrkms, 32 };
	} else {
		keydata(&kl.k[kl.n++], MK_KEY_TGK_SALT, K.tgk, K.mpk_len, K.tgk_salt, 14, K.spi_tgk);
	}
	return kms_respond(&r, &kl, K.psk_b, NULL, 0, rr->rand.p, rr->rand.n, req, len, out,
			   out_len);
}

/* ---- flow helpers ----------------------------------------------------------- */

static struct ue_call *A, *B, *A2, *B2;
static uint8_t tinit[UE_MAX_MSG], tresp[UE_MAX_MSG], buf[UE_MAX_MSG], buf2[UE_MAX_MSG];
static size_t tinit_len, tresp_len;

static void opts(struct ue_request_opts *o, bool forking)
{
	ue_request_opts_default(o);
	o->impu = ALICE;
	o->kms = KMS;
	o->peers[0] = BOB;
	o->npeers = 1;
	o->lifetime = 3600;
	o->forking = forking;
}

static void alice_request(int algset, bool forking)
{
	struct ue_request_opts o;
	struct ue_err e;
	size_t n = 0, rn = 0;

	setup_kms(algset);
	opts(&o, forking);
	o.algset = algset;
	CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cred_a, buf, sizeof buf, &n, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(kms_request(buf, n, buf2, &rn), 0);
	CU_ASSERT_EQUAL_FATAL(ue_request_finish(A, &o, &cred_a, buf2, rn, &e), UE_OK);
	CU_ASSERT_EQUAL(A->stage, UE_ST_REQUESTED);
	CU_ASSERT_EQUAL(A->mpki.key_len, K.mpk_len);
	CU_ASSERT_EQUAL(!!(A->flags & MK_TF_I), forking);
}

static void alice_transfer(void)
{
	struct ue_err e;

	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
}

/* Bob: TRANSFER_INIT -> RESOLVE -> TRANSFER_RESP; returns the first error. */
static int bob_answer(struct ue_call *b, const uint8_t *ti, size_t tl, struct ue_err *e)
{
	size_t n = 0, rn = 0;
	int rc;

	rc = ue_resolve_begin(b, BOB, KMS, &cred_b, ti, tl, buf, sizeof buf, &n, e);
	if (rc != UE_OK)
		return rc;
	if (kms_resolve(buf, n, buf2, &rn) != 0)
		return -100;
	rc = ue_resolve_finish(b, &cred_b, buf2, rn, e);
	if (rc != UE_OK)
		return rc;
	return ue_transfer_resp(b, tresp, sizeof tresp, &tresp_len, e);
}

static void check_srtp(const struct ue_call *a, const struct ue_call *b, bool expect_ok)
{
	struct ue_srtp_cs ka[UE_MAX_CS], kb[UE_MAX_CS];
	struct ue_srtp_stream tx, rx;
	struct ue_err e;
	unsigned na = 0, nb = 0, i;
	char err[256];
	int rc;

	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(a, ka, UE_MAX_CS, &na, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(b, kb, UE_MAX_CS, &nb, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(na, nb);
	CU_ASSERT_EQUAL(na, 2);
	for (i = 0; i < na; i++) {
		const struct ue_srtp_cs *s = ka[i].initiator_sends ? &ka[i] : &kb[i];
		const struct ue_srtp_cs *d = ka[i].initiator_sends ? &kb[i] : &ka[i];

		CU_ASSERT_EQUAL(ka[i].cs_id, kb[i].cs_id);
		CU_ASSERT_EQUAL(ka[i].initiator_sends, kb[i].initiator_sends);
		memset(&tx, 0, sizeof tx);
		memset(&rx, 0, sizeof rx);
		memcpy(tx.key, s->key, s->key_len);
		tx.key_len = s->key_len;
		memcpy(tx.salt, s->salt, 14);
		tx.ssrc = s->ssrc;
		tx.roc = s->roc;
		tx.seq = s->seq;
		memcpy(rx.key, d->key, d->key_len);
		rx.key_len = d->key_len;
		memcpy(rx.salt, d->salt, 14);
		rx.ssrc = d->ssrc;
		rx.roc = d->roc;
		rx.seq = d->seq;
		rc = ue_srtp_proof(&tx, &rx, 50, err, sizeof err);
		if (expect_ok && rc != 0)
			fprintf(stderr, "SRTP proof CS %u: %s\n", ka[i].cs_id, err);
		CU_ASSERT_EQUAL(rc == 0, expect_ok);
	}
	/* The two directions use different keys. */
	CU_ASSERT(memcmp(ka[0].key, ka[1].key, ka[0].key_len) != 0);
}

static void full_flow(int algset, bool forking)
{
	struct ue_err e;
	int rc;

	alice_request(algset, forking);
	alice_transfer();
	rc = bob_answer(B, tinit, tinit_len, &e);
	if (rc != UE_OK)
		fprintf(stderr, "bob: %d %s\n", rc, e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL(A->forked, forking);
	check_srtp(A, B, true);
}

/* ---- tests -------------------------------------------------------------------- */

static void test_flow_forking(void) { full_flow(UE_ALGS_128, true); }
static void test_flow_no_forking(void) { full_flow(UE_ALGS_128, false); }
static void test_flow_256(void) { full_flow(UE_ALGS_256, true); }

static void test_srtp_wrong_key(void)
{
	struct ue_err e;

	full_flow(UE_ALGS_128, true);
	/* Bob with a TGK' that is one bit off must not decrypt Alice's media. */
	B->keys[0].key[5] ^= 0x10;
	check_srtp(A, B, false);
	B->keys[0].key[5] ^= 0x10;
	B->keys[0].salt[0] ^= 0x01;
	check_srtp(A, B, false);
	(void)e;
}

static void test_tamper_transfer_init(void)
{
	struct ue_err e;
	uint8_t t[UE_MAX_MSG];
	size_t i, refused = 0;
	int rc;

	alice_request(UE_ALGS_128, true);
	alice_transfer();
	for (i = 0; i < tinit_len; i++) {
		memcpy(t, tinit, tinit_len);
		t[i] ^= (uint8_t)(1u << (i % 8));
		rc = bob_answer(B2, t, tinit_len, &e);
		if (rc != UE_OK)
			refused++;
		else
			fprintf(stderr, "TRANSFER_INIT byte %zu altered was accepted\n", i);
	}
	CU_ASSERT_EQUAL(refused, tinit_len);
	/* And the untouched message still works. */
	CU_ASSERT_EQUAL(bob_answer(B2, tinit, tinit_len, &e), UE_OK);
}

static void test_tamper_transfer_resp(void)
{
	struct ue_err e;
	uint8_t t[UE_MAX_MSG];
	size_t i, refused = 0;

	alice_request(UE_ALGS_128, true);
	alice_transfer();
	CU_ASSERT_EQUAL_FATAL(bob_answer(B, tinit, tinit_len, &e), UE_OK);
	for (i = 0; i < tresp_len; i++) {
		memcpy(A2, A, sizeof *A);
		memcpy(t, tresp, tresp_len);
		t[i] ^= 0xFF;
		if (ue_accept(A2, t, tresp_len, &e) != UE_OK)
			refused++;
		else
			fprintf(stderr, "TRANSFER_RESP byte %zu altered was accepted\n", i);
	}
	CU_ASSERT_EQUAL(refused, tresp_len);
	CU_ASSERT_EQUAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	/* Truncations are refused too. */
	memcpy(A2, A, sizeof *A);
	A2->stage = UE_ST_TRANSFERRED;
	for (i = 0; i < tresp_len; i++)
		CU_ASSERT_NOT_EQUAL(ue_accept(A2, tresp, i, &e), UE_OK);
}

static void test_tamper_request_resp(void)
{
	struct ue_request_opts o;
	struct ue_err e;
	uint8_t req[UE_MAX_MSG], resp[UE_MAX_MSG], t[UE_MAX_MSG];
	size_t n = 0, rn = 0, i, refused = 0;

	setup_kms(UE_ALGS_128);
	opts(&o, true);
	CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cred_a, req, sizeof req, &n, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(kms_request(req, n, resp, &rn), 0);
	for (i = 0; i < rn; i++) {
		memcpy(A2, A, sizeof *A);
		memcpy(t, resp, rn);
		t[i] ^= 0x40;
		if (ue_request_finish(A2, &o, &cred_a, t, rn, &e) != UE_OK)
			refused++;
	}
	CU_ASSERT_EQUAL(refused, rn);
	/* Wrong PSK: refused as an authentication failure. */
	memcpy(A2, A, sizeof *A);
	cred_a.psk[0] ^= 1;
	CU_ASSERT_EQUAL(ue_request_finish(A2, &o, &cred_a, resp, rn, &e), UE_E_AUTH);
	cred_a.psk[0] ^= 1;
	CU_ASSERT_EQUAL(ue_request_finish(A, &o, &cred_a, resp, rn, &e), UE_OK);
}

static void test_kms_error_and_policy(void)
{
	struct ue_request_opts o;
	struct ue_err e;
	uint8_t req[UE_MAX_MSG], resp[UE_MAX_MSG];
	size_t n = 0, rn = 0;

	/* An (unauthenticated) Error from the KMS is reported with its code. */
	setup_kms(UE_ALGS_128);
	opts(&o, true);
	CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cred_a, req, sizeof req, &n, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_error(req, n, MK_E_INVALID_TS, resp, sizeof resp, &rn), UE_OK);
	CU_ASSERT_EQUAL(ue_request_finish(A, &o, &cred_a, resp, rn, &e), UE_E_PEER);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_INVALID_TS);

	/* The KMS refuses forking (K set): accepted, unless forking is required. */
	setup_kms(UE_ALGS_128);
	K.grant_clear = MK_TF_I;
	CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cred_a, req, sizeof req, &n, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(kms_request(req, n, resp, &rn), 0);
	memcpy(A2, A, sizeof *A);
	CU_ASSERT_EQUAL(ue_request_finish(A2, &o, &cred_a, resp, rn, &e), UE_OK);
	CU_ASSERT(A2->flags & MK_TF_K);
	CU_ASSERT(!(A2->flags & MK_TF_I));
	o.require_forking = true;
	CU_ASSERT_EQUAL(ue_request_finish(A, &o, &cred_a, resp, rn, &e), UE_E_POLICY);
}

static void test_early_reject(void)
{
	struct ue_err e;
	uint8_t t[UE_MAX_MSG], sp[] = { 1, 1, 16 }; /* SP TLV: type 1 (key len), len 1, 16 */
	size_t n = 0, i;
	int rc;

	alice_request(UE_ALGS_128, true);
	alice_transfer();
	/* An SRTP key length of 24 cannot be accepted: Error 10 before the KMS. */
	memcpy(t, tinit, tinit_len);
	for (i = 0; i + 3 <= tinit_len && memcmp(t + i, sp, 3); i++)
		;
	CU_ASSERT_FATAL(i + 3 <= tinit_len);
	t[i + 2] = 24;
	rc = ue_resolve_begin(B2, BOB, KMS, &cred_b, t, tinit_len, buf, sizeof buf, &n, &e);
	CU_ASSERT_EQUAL(rc, UE_E_POLICY);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_INVALID_SPPAR);
	/* The Error sent back names the same CSB. */
	CU_ASSERT_EQUAL(ue_transfer_error(t, tinit_len, (uint8_t)e.mikey_error, buf, sizeof buf, &n),
			UE_OK);
	{
		struct mk_msg *m = calloc(1, sizeof *m);

		CU_ASSERT_EQUAL_FATAL(mk_parse(buf, n, m), MK_OK);
		CU_ASSERT_EQUAL(m->hdr.data_type, MK_DT_ERROR);
		CU_ASSERT_EQUAL(m->hdr.csb_id, A->csb_id);
		CU_ASSERT_EQUAL(m->err[0].code, MK_E_INVALID_SPPAR);
		free(m);
	}
	/* Not a TRANSFER_INIT at all. */
	CU_ASSERT_EQUAL(ue_resolve_begin(B2, BOB, KMS, &cred_b, buf, n, buf2, sizeof buf2, &n, &e),
			UE_E_PARSE);
}

static void test_state_file(void)
{
	struct ue_err e;
	char path[] = "/tmp/test-ue-call.XXXXXX";
	struct stat st;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	alice_request(UE_ALGS_128, true);
	CU_ASSERT_EQUAL_FATAL(ue_call_save(A, path, &e), UE_OK);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL_FATAL(ue_call_load(A2, path, &e), UE_OK);
	CU_ASSERT_EQUAL(memcmp(A2->mpkr.key, A->mpkr.key, A->mpkr.key_len), 0);
	CU_ASSERT_EQUAL(A2->reqresp_len, A->reqresp_len);
	/* Continue the call from the loaded state; reload at every step. */
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A2, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_call_save(A2, path, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(bob_answer(B, tinit, tinit_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_call_save(B, path, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_call_load(B2, path, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_call_save(A2, path, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_call_load(A, path, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_call_save(A, path, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_call_load(A2, path, &e), UE_OK);
	check_srtp(A2, B2, true);
	/* Garbage is refused cleanly. */
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_EQUAL(write(fd, "{\"role\":\"initiator\"}", 20), 20);
	close(fd);
	CU_ASSERT_EQUAL(ue_call_load(A2, path, &e), UE_E_IO);
	unlink(path);
}

/* A call file listing far more crypto sessions than a call holds is refused
 * without writing past c->cs (the ASan build would see it). */
static void test_state_file_too_many_cs(void)
{
	struct ue_err e;
	char path[] = "/tmp/test-ue-call.XXXXXX";
	json_t *j, *cs;
	unsigned i;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	alice_request(UE_ALGS_128, true);
	CU_ASSERT_EQUAL_FATAL(ue_call_save(A, path, &e), UE_OK);
	j = json_load_file(path, 0, NULL);
	CU_ASSERT_FATAL(j != NULL);
	cs = json_array();
	for (i = 0; i < 20000; i++)
		json_array_append_new(cs, json_object());
	json_object_set_new(j, "crypto_sessions", cs);
	CU_ASSERT_EQUAL_FATAL(json_dump_file(j, path, JSON_COMPACT), 0);
	json_decref(j);
	CU_ASSERT_EQUAL(ue_call_load(A2, path, &e), UE_E_IO);
	unlink(path);
}

static void test_sdp(void)
{
	char line[UE_MAX_MSG * 2];
	uint8_t back[UE_MAX_MSG];
	char sdp[UE_MAX_MSG * 2 + 64];
	long n;

	alice_request(UE_ALGS_128, true);
	alice_transfer();
	CU_ASSERT_EQUAL_FATAL(ue_sdp_key_mgmt(tinit, tinit_len, line, sizeof line), UE_OK);
	CU_ASSERT_EQUAL(strncmp(line, "a=key-mgmt:mikey ", 17), 0);
	snprintf(sdp, sizeof sdp, "v=0\r\nm=audio 4000 RTP/SAVP 0\r\n%s\r\nc=IN IP4 127.0.0.1\r\n", line);
	n = ue_sdp_parse(sdp, strlen(sdp), back, sizeof back);
	CU_ASSERT_EQUAL_FATAL(n, (long)tinit_len);
	CU_ASSERT_EQUAL(memcmp(back, tinit, tinit_len), 0);
}

static void test_wrong_stage(void)
{
	struct ue_err e;
	size_t n;

	ue_call_init(A2);
	CU_ASSERT_EQUAL(ue_transfer_init(A2, NULL, buf, sizeof buf, &n, &e), UE_E_STATE);
	CU_ASSERT_EQUAL(ue_accept(A2, tresp, tresp_len, &e), UE_E_STATE);
	CU_ASSERT_EQUAL(ue_transfer_resp(A2, buf, sizeof buf, &n, &e), UE_E_STATE);
}

static const struct tk_test tests[] = {
	TK_TEST(test_flow_forking),
	TK_TEST(test_flow_no_forking),
	TK_TEST(test_flow_256),
	TK_TEST(test_srtp_wrong_key),
	TK_TEST(test_tamper_transfer_init),
	TK_TEST(test_tamper_transfer_resp),
	TK_TEST(test_tamper_request_resp),
	TK_TEST(test_kms_error_and_policy),
	TK_TEST(test_early_reject),
	TK_TEST(test_state_file),
	TK_TEST(test_state_file_too_many_cs),
	TK_TEST(test_sdp),
	TK_TEST(test_wrong_stage),
	{ NULL, NULL },
};

int main(void)
{
	int rc;

	A = calloc(1, sizeof *A);
	B = calloc(1, sizeof *B);
	A2 = calloc(1, sizeof *A2);
	B2 = calloc(1, sizeof *B2);
	if (!A || !B || !A2 || !B2)
		return 2;
	rc = tk_test_run("ue-call", tests);
	ue_call_wipe(A);
	ue_call_wipe(B);
	free(A);
	free(B);
	free(A2);
	free(B2);
	return rc;
}
