/*
 * test-ue-engine.c: the UE library (src/ue/call.h) against the real KMS
 * ticket engine (src/kms/engine.h) in-process, with a real TPK key ring and
 * replay cache and an in-test key source (B-TID -> Ks_NAF, IMPUs): the
 * interoperability of the two sides without HTTP.  Flows with and without
 * forking in both algorithm sets ending in an SRTP proof, a group ticket,
 * refusals the engine sends back as MIKEY Errors (unauthorized resolver,
 * replay, wrong PSK), the policy the engine grants (K flag), and one
 * ticket resolved 200 times by two devices of one user (forks all distinct),
 * an unprotected ticket (D = 0) the engine refuses to resolve, and a
 * lawful-interception function following the call with ue_observe.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "kms/engine.h"
#include "kms/keyring.h"
#include "kms/replay.h"
#include "mikey/mikey.h"
#include "tk_test.h"
#include "ue/call.h"
#include "ue/srtpproof.h"
#include "util/secret.h"

#define FQDN "kms.home1.net"

struct sub {
	const char *btid, *impi;
	const char *impus[2];
	uint8_t ks[32];
};

static struct sub subs[] = {
	{ "YWxpY2UxMjM0NTY3ODkwMQ==@bsf.home1.net", "alice@home1.net", { "sip:alice@home1.net", NULL }, { 0 } },
	{ "Ym9iMTIzNDU2Nzg5MDEyMw==@bsf.home1.net", "bob@home1.net", { "sip:bob@home1.net", NULL }, { 0 } },
	{ "Y2Fyb2wxMjM0NTY3ODkwMQ==@bsf.home1.net", "carol@home1.net", { "sip:carol@home1.net", NULL }, { 0 } },
	{ "ZXZlMTIzNDU2Nzg5MDEyMw==@bsf.home1.net", "eve@home1.net", { "sip:eve@home1.net", NULL }, { 0 } },
	/* Bob's second device: its own IMPI and bootstrap, the same IMPU */
	{ "Ym9idGFibGV0MTIzNDU2Nw==@bsf.home1.net", "bob-tablet@home1.net", { "sip:bob@home1.net", NULL }, { 0 } },
	/* a lawful-interception network function (P-14) */
	{ "bGkxMjM0NTY3ODkwMTIzNA==@bsf.home1.net", "li@home1.net", { "sip:li@home1.net", NULL }, { 0 } },
};
enum { ALICE, BOB, CAROL, EVE, BOB_TABLET, LI };

static enum kms_key_status lookup(void *ctx, const char *btid, size_t len, tk_ua_id ua,
				  struct kms_subscriber *out)
{
	size_t i;

	(void)ctx;
	if (ua.b[4] != 6)
		return KMS_KEY_NOT_FOUND;
	for (i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (len != strlen(subs[i].btid) || memcmp(btid, subs[i].btid, len))
			continue;
		memcpy(out->ks_naf, subs[i].ks, 32);
		out->expiry = (int64_t)time(NULL) + 3600;
		out->impi = subs[i].impi;
		out->impus = subs[i].impus;
		out->n_impus = 1;
		out->handle = &subs[i];
		return KMS_KEY_OK;
	}
	return KMS_KEY_NOT_FOUND;
}

static void release(void *ctx, struct kms_subscriber *s)
{
	(void)ctx;
	(void)s;
}

static const char *const team[] = { "sip:carol@home1.net" };
static const struct kms_group groups[] = { { "sip:team@home1.net", team, 1 } };
static const struct kms_nf_principal nfs[] = { { "li@home1.net", NULL, true, "li-1" } };

static struct kms_keyring *kr;
static struct kms_replay *rp;
static struct kms_engine *eng;
static struct ue_call *A, *B;
static uint8_t buf[UE_MAX_MSG], resp[4096], tinit[UE_MAX_MSG], tresp[UE_MAX_MSG];
static size_t tinit_len, tresp_len;

static void cred_of(int who, struct ue_cred *c)
{
	memset(c, 0, sizeof *c);
	strcpy(c->btid, subs[who].btid);
	memcpy(c->psk, subs[who].ks, 32);
}

/* POST to the engine as plain HTTP would (no transport identity). */
static enum kms_outcome kms(const uint8_t *m, size_t n, size_t *rlen, int *mikey_error)
{
	struct kms_transport_id tid = { KMS_TID_NONE, NULL, 0 };
	struct kms_result res;

	memset(&res, 0, sizeof res);
	res.resp = resp;
	res.resp_cap = sizeof resp;
	kms_engine_handle(eng, m, n, &tid, &res);
	*rlen = res.resp_len;
	if (mikey_error)
		*mikey_error = res.mikey_error;
	return res.outcome;
}

static int request(int algset, bool forking, const char *to, unsigned lifetime)
{
	struct ue_request_opts o;
	struct ue_cred cr;
	struct ue_err e;
	size_t n = 0, rn = 0;
	int rc;

	cred_of(ALICE, &cr);
	ue_request_opts_default(&o);
	o.impu = "sip:alice@home1.net";
	o.kms = FQDN;
	o.peers[0] = to;
	o.npeers = 1;
	o.forking = forking;
	o.algset = algset;
	o.lifetime = lifetime;
	CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cr, buf, sizeof buf, &n, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(kms(buf, n, &rn, NULL), KMS_OUT_OK);
	rc = ue_request_finish(A, &o, &cr, resp, rn, &e);
	if (rc != UE_OK)
		fprintf(stderr, "request_finish: %s\n", e.msg);
	return rc;
}

/* Responder `who`: resolve A's TRANSFER_INIT. Returns the UE rc; *out the
 * engine outcome. */
static int resolve(int who, const char *impu, enum kms_outcome *out, struct ue_err *e)
{
	struct ue_cred cr;
	size_t n = 0, rn = 0;
	int rc;

	cred_of(who, &cr);
	rc = ue_resolve_begin(B, impu, FQDN, &cr, tinit, tinit_len, buf, sizeof buf, &n, e);
	if (rc != UE_OK)
		return rc;
	*out = kms(buf, n, &rn, NULL);
	if (rn == 0)
		return -100;
	return ue_resolve_finish(B, &cr, resp, rn, e);
}

static void srtp_both_ways(void)
{
	struct ue_srtp_cs ka[UE_MAX_CS], kb[UE_MAX_CS];
	struct ue_srtp_stream tx, rx;
	struct ue_err e;
	unsigned na = 0, nb = 0, i;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(A, ka, UE_MAX_CS, &na, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(B, kb, UE_MAX_CS, &nb, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(na, nb);
	for (i = 0; i < na; i++) {
		const struct ue_srtp_cs *s = ka[i].initiator_sends ? &ka[i] : &kb[i];
		const struct ue_srtp_cs *d = ka[i].initiator_sends ? &kb[i] : &ka[i];

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
		CU_ASSERT_EQUAL(ue_srtp_proof(&tx, &rx, 20, err, sizeof err), 0);
	}
}

static void flow(int algset, bool forking)
{
	struct ue_err e;
	enum kms_outcome o = KMS_OUT_END;
	int rc;

	CU_ASSERT_EQUAL_FATAL(request(algset, forking, "sip:bob@home1.net", 0), UE_OK);
	CU_ASSERT_EQUAL(!!(A->flags & MK_TF_I), forking);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	rc = resolve(BOB, "sip:bob@home1.net", &o, &e);
	if (rc != UE_OK)
		fprintf(stderr, "resolve: %d (%s) %s\n", rc, kms_outcome_str(o), e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_resp(B, tresp, sizeof tresp, &tresp_len, &e), UE_OK);
	rc = ue_accept(A, tresp, tresp_len, &e);
	if (rc != UE_OK)
		fprintf(stderr, "accept: %s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	srtp_both_ways();
}

static void test_forking_128(void) { flow(UE_ALGS_128, true); }
static void test_forking_256(void) { flow(UE_ALGS_256, true); }
static void test_no_forking(void) { flow(UE_ALGS_128, false); }

static void test_group(void)
{
	struct ue_err e;
	enum kms_outcome o;

	CU_ASSERT_EQUAL_FATAL(request(UE_ALGS_128, true, "sip:team@home1.net", 0), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(resolve(CAROL, "sip:carol@home1.net", &o, &e), UE_OK);
	CU_ASSERT_STRING_EQUAL(B->idrr_bound, "sip:carol@home1.net");
	CU_ASSERT_EQUAL_FATAL(ue_transfer_resp(B, tresp, sizeof tresp, &tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	srtp_both_ways();
	/* Bob is neither listed nor a member: a MACed Error 0 comes back. */
	CU_ASSERT_EQUAL(resolve(BOB, "sip:bob@home1.net", &o, &e), UE_E_PEER);
	CU_ASSERT_EQUAL(o, KMS_OUT_FORBIDDEN);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_AUTH_FAILURE);
}

static void test_refusals(void)
{
	struct ue_err e;
	struct ue_cred cr;
	enum kms_outcome o;
	size_t n = 0, rn = 0;
	int err = -1;

	CU_ASSERT_EQUAL_FATAL(request(UE_ALGS_128, true, "sip:bob@home1.net", 0), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	/* Eve is not in the ticket. */
	CU_ASSERT_EQUAL(resolve(EVE, "sip:eve@home1.net", &o, &e), UE_E_PEER);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_AUTH_FAILURE);
	/* Eve claiming Bob's IMPU: not one of her identities. */
	CU_ASSERT_EQUAL(resolve(EVE, "sip:bob@home1.net", &o, &e), UE_E_PEER);
	/* A replayed RESOLVE_INIT gets Error 1. */
	cred_of(BOB, &cr);
	CU_ASSERT_EQUAL_FATAL(ue_resolve_begin(B, "sip:bob@home1.net", FQDN, &cr, tinit, tinit_len,
					       buf, sizeof buf, &n, &e), UE_OK);
	CU_ASSERT_EQUAL(kms(buf, n, &rn, NULL), KMS_OUT_OK);
	CU_ASSERT_EQUAL(kms(buf, n, &rn, &err), KMS_OUT_REPLAY);
	CU_ASSERT_EQUAL(err, MK_E_INVALID_TS);
	CU_ASSERT_EQUAL(ue_resolve_finish(B, &cr, resp, rn, &e), UE_E_PEER);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_INVALID_TS);
	/* A wrong PSK: the engine refuses with an (unauthenticated) Error 0. */
	cr.psk[3] ^= 1;
	CU_ASSERT_EQUAL_FATAL(ue_resolve_begin(B, "sip:bob@home1.net", FQDN, &cr, tinit, tinit_len,
					       buf, sizeof buf, &n, &e), UE_OK);
	CU_ASSERT_EQUAL(kms(buf, n, &rn, NULL), KMS_OUT_AUTH_FAILED);
	CU_ASSERT_EQUAL(ue_resolve_finish(B, &cr, resp, rn, &e), UE_E_PEER);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_AUTH_FAILURE);
}

static void test_policy_granted(void)
{
	/* A lifetime above the engine's maximum (7 days) is cut: K set. */
	CU_ASSERT_EQUAL_FATAL(request(UE_ALGS_128, true, "sip:bob@home1.net", 30 * 86400), UE_OK);
	CU_ASSERT(A->flags & MK_TF_K);
	CU_ASSERT(A->valid_to > (int64_t)time(NULL));
	CU_ASSERT(A->valid_to <= (int64_t)time(NULL) + 7 * 86400 + 5);
	/* Asked for what the defaults give: K clear. */
	CU_ASSERT_EQUAL_FATAL(request(UE_ALGS_128, true, "sip:bob@home1.net", 3600), UE_OK);
	CU_ASSERT(!(A->flags & MK_TF_K));
}

/* The requester reuses its forking ticket (J = 1) for a second call. */
static void test_reuse(void)
{
	struct ue_err e;
	enum kms_outcome o;
	uint32_t csb1;

	flow(UE_ALGS_128, true);
	csb1 = A->csb_id;
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	CU_ASSERT_NOT_EQUAL(A->csb_id, csb1);
	CU_ASSERT_FALSE(A->forked);
	CU_ASSERT_EQUAL_FATAL(resolve(BOB, "sip:bob@home1.net", &o, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_resp(B, tresp, sizeof tresp, &tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	srtp_both_ways();
	/* The first call's TRANSFER_RESP does not fit the second call. */
	CU_ASSERT_EQUAL(ue_accept(A, tresp, tresp_len, &e), UE_E_STATE);
}

/* Every single altered octet of TRANSFER_INIT is refused by Bob or by the
 * engine (ticket MAC, Vr), and of TRANSFER_RESP by Alice. */
static void test_tamper(void)
{
	static uint8_t orig[UE_MAX_MSG];
	struct ue_call *a2 = calloc(1, sizeof *a2);
	struct ue_err e;
	enum kms_outcome o;
	size_t i, len, refused = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a2);
	CU_ASSERT_EQUAL_FATAL(request(UE_ALGS_128, true, "sip:bob@home1.net", 0), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	len = tinit_len;
	memcpy(orig, tinit, len);
	for (i = 0; i < len; i++) {
		memcpy(tinit, orig, len);
		tinit[i] ^= 0x20;
		if (resolve(BOB, "sip:bob@home1.net", &o, &e) != UE_OK)
			refused++;
		else
			fprintf(stderr, "TRANSFER_INIT octet %zu altered: accepted\n", i);
	}
	CU_ASSERT_EQUAL(refused, len);
	memcpy(tinit, orig, len);
	CU_ASSERT_EQUAL_FATAL(resolve(BOB, "sip:bob@home1.net", &o, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_resp(B, tresp, sizeof tresp, &tresp_len, &e), UE_OK);
	len = tresp_len;
	memcpy(orig, tresp, len);
	for (refused = 0, i = 0; i < len; i++) {
		memcpy(a2, A, sizeof *A);
		memcpy(tresp, orig, len);
		tresp[i] ^= 0x01;
		if (ue_accept(a2, tresp, len, &e) != UE_OK)
			refused++;
	}
	CU_ASSERT_EQUAL(refused, len);
	memcpy(tresp, orig, len);
	CU_ASSERT_EQUAL(ue_accept(A, tresp, len, &e), UE_OK);
	ue_call_wipe(a2);
	free(a2);
}

/*
 * Forking to devices: Bob's phone and tablet (two IMPIs, two bootstraps,
 * one IMPU) resolve the same ticket 200 times between them.  Every
 * RESOLVE_RESP carries a fresh RANDRkms, so no two resolves share a TGK' or
 * an MPKr' (nor equal the unforked TGK); all are bound to Bob's IMPU; Alice
 * completes the call with whichever device answers.
 */
#define NRES 200
static void test_devices(void)
{
	static uint8_t seen[NRES][3][32];
	struct ue_err e;
	enum kms_outcome o;
	size_t i, j, k, dups = 0, same_as_tgk = 0;

	CU_ASSERT_EQUAL_FATAL(request(UE_ALGS_128, true, "sip:bob@home1.net", 0), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	for (i = 0; i < NRES; i++) {
		CU_ASSERT_EQUAL_FATAL(resolve(i % 2 ? BOB_TABLET : BOB, "sip:bob@home1.net", &o, &e),
				      UE_OK);
		CU_ASSERT_STRING_EQUAL(B->idrr_bound, "sip:bob@home1.net");
		CU_ASSERT_EQUAL_FATAL(B->randrkms_len, 32);
		CU_ASSERT_EQUAL_FATAL(B->keys[0].key_len, 16);
		CU_ASSERT_EQUAL_FATAL(B->mpkr.key_len, 16);
		memcpy(seen[i][0], B->randrkms, 32);
		memcpy(seen[i][1], B->keys[0].key, 16);
		memcpy(seen[i][2], B->mpkr.key, 16);
		same_as_tgk += memcmp(B->keys[0].key, A->keys[0].key, 16) == 0;
	}
	for (i = 0; i < NRES; i++)
		for (j = i + 1; j < NRES; j++)
			for (k = 0; k < 3; k++)
				dups += memcmp(seen[i][k], seen[j][k], k ? 16 : 32) == 0;
	CU_ASSERT_EQUAL(dups, 0);
	CU_ASSERT_EQUAL(same_as_tgk, 0);
	/* The tablet resolved last and answers. */
	CU_ASSERT_EQUAL_FATAL(ue_transfer_resp(B, tresp, sizeof tresp, &tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	srtp_both_ways();
	tk_wipe(seen, sizeof seen);
}

/*
 * Unprotected ticket (D = 0): Alice makes it without the KMS; the engine
 * refuses to resolve it (400, MACed Error 15); Bob takes the keys from the
 * ticket; SRTP both ways.  Every single altered octet of the TRANSFER_INIT
 * is refused by Bob.
 */
static void test_unprotected(void)
{
	static uint8_t orig[UE_MAX_MSG];
	struct ue_request_opts o;
	struct ue_cred cr;
	struct ue_err e;
	size_t n = 0, rn = 0, i, refused = 0;
	int err = -1;

	ue_request_opts_default(&o);
	o.impu = "sip:alice@home1.net";
	o.peers[0] = "sip:bob@home1.net";
	o.npeers = 1;
	CU_ASSERT_EQUAL_FATAL(ue_make_ticket(A, &o, &e), UE_OK);
	CU_ASSERT_FALSE(A->flags & MK_TF_D);
	CU_ASSERT(A->flags & MK_TF_L);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	CU_ASSERT(ue_ticket_unprotected(tinit, tinit_len));
	/* The KMS: a policy it does not honour (P-22). */
	cred_of(BOB, &cr);
	CU_ASSERT_EQUAL_FATAL(ue_resolve_begin(B, "sip:bob@home1.net", FQDN, &cr, tinit, tinit_len,
					       buf, sizeof buf, &n, &e), UE_OK);
	CU_ASSERT_EQUAL(kms(buf, n, &rn, &err), KMS_OUT_TP_PARAM);
	CU_ASSERT_EQUAL(err, MK_E_INVALID_TPPAR);
	CU_ASSERT_EQUAL(ue_resolve_finish(B, &cr, resp, rn, &e), UE_E_PEER);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_INVALID_TPPAR);
	/* Not addressed to Carol. */
	CU_ASSERT_EQUAL(ue_resolve_unprotected(B, "sip:carol@home1.net", tinit, tinit_len, &e),
			UE_E_POLICY);
	/* Any altered octet. */
	memcpy(orig, tinit, tinit_len);
	for (i = 0; i < tinit_len; i++) {
		memcpy(tinit, orig, tinit_len);
		tinit[i] ^= 0x04;
		if (ue_resolve_unprotected(B, "sip:bob@home1.net", tinit, tinit_len, &e) != UE_OK)
			refused++;
		else
			fprintf(stderr, "unprotected TRANSFER_INIT octet %zu altered: accepted\n", i);
	}
	CU_ASSERT_EQUAL(refused, tinit_len);
	memcpy(tinit, orig, tinit_len);
	CU_ASSERT_EQUAL_FATAL(ue_resolve_unprotected(B, "sip:bob@home1.net", tinit, tinit_len, &e),
			      UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_resp(B, tresp, sizeof tresp, &tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	srtp_both_ways();
	/* A KMS ticket is not taken as unprotected. */
	CU_ASSERT_EQUAL_FATAL(request(UE_ALGS_128, true, "sip:bob@home1.net", 0), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e), UE_OK);
	CU_ASSERT_FALSE(ue_ticket_unprotected(tinit, tinit_len));
	CU_ASSERT_EQUAL(ue_resolve_unprotected(B, "sip:bob@home1.net", tinit, tinit_len, &e),
			UE_E_POLICY);
}

/*
 * Interception: the LI function resolves Alice's forking ticket for Bob
 * and gets the unforked keys (a UE that did not ask for them refuses);
 * ue_observe with Bob's TRANSFER_RESP gives it the call's SRTP keys; it
 * never answers; an altered TRANSFER_RESP is refused.
 */
static void test_intercept(void)
{
	struct ue_call *L = calloc(1, sizeof *L);
	struct ue_srtp_cs ka[UE_MAX_CS], kl[UE_MAX_CS];
	struct ue_cred cr;
	struct ue_err e;
	size_t n = 0, rn = 0;
	unsigned na = 0, nl = 0, i;
	uint8_t junk[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(L);
	flow(UE_ALGS_128, true);
	cred_of(LI, &cr);
	/* without --intercept: unforked keys refused */
	CU_ASSERT_EQUAL_FATAL(ue_resolve_begin(L, "sip:li@home1.net", FQDN, &cr, tinit, tinit_len,
					       buf, sizeof buf, &n, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(kms(buf, n, &rn, NULL), KMS_OUT_OK);
	CU_ASSERT_EQUAL(ue_resolve_finish(L, &cr, resp, rn, &e), UE_E_POLICY);
	/* as an observer */
	CU_ASSERT_EQUAL_FATAL(ue_resolve_begin(L, "sip:li@home1.net", FQDN, &cr, tinit, tinit_len,
					       buf, sizeof buf, &n, &e), UE_OK);
	L->observer = true;
	CU_ASSERT_EQUAL_FATAL(kms(buf, n, &rn, NULL), KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(ue_resolve_finish(L, &cr, resp, rn, &e), UE_OK);
	CU_ASSERT_EQUAL(L->randrkms_len, 0);
	CU_ASSERT_EQUAL(memcmp(L->keys[0].key, A->keys[0].key, A->keys[0].key_len), 0);
	CU_ASSERT_EQUAL(ue_transfer_resp(L, junk, sizeof junk, &n, &e), UE_E_STATE);
	tresp[tresp_len - 1] ^= 1;
	CU_ASSERT_EQUAL(ue_observe(L, tresp, tresp_len, &e), UE_E_AUTH);
	tresp[tresp_len - 1] ^= 1;
	CU_ASSERT_EQUAL(L->role, UE_ROLE_RESPONDER);
	CU_ASSERT_EQUAL(L->randrkms_len, 0);
	CU_ASSERT_EQUAL_FATAL(ue_observe(L, tresp, tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL(L->stage, UE_ST_ACCEPTED);
	CU_ASSERT_STRING_EQUAL(L->idrr_bound, "sip:bob@home1.net");
	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(A, ka, UE_MAX_CS, &na, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(L, kl, UE_MAX_CS, &nl, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(na, nl);
	for (i = 0; i < na; i++) {
		CU_ASSERT_EQUAL(ka[i].ssrc, kl[i].ssrc);
		CU_ASSERT_EQUAL(memcmp(ka[i].key, kl[i].key, ka[i].key_len), 0);
		CU_ASSERT_EQUAL(memcmp(ka[i].salt, kl[i].salt, sizeof ka[i].salt), 0);
	}
	/* Bob, forked for himself, has nothing to observe. */
	B->observer = true;
	CU_ASSERT_EQUAL(ue_observe(B, tresp, tresp_len, &e), UE_E_STATE);
	tk_wipe(ka, sizeof ka);
	tk_wipe(kl, sizeof kl);
	ue_call_wipe(L);
	free(L);
}

static const struct tk_test tests[] = {
	TK_TEST(test_forking_128),
	TK_TEST(test_forking_256),
	TK_TEST(test_no_forking),
	TK_TEST(test_group),
	TK_TEST(test_refusals),
	TK_TEST(test_policy_granted),
	TK_TEST(test_reuse),
	TK_TEST(test_tamper),
	TK_TEST(test_devices),
	TK_TEST(test_unprotected),
	TK_TEST(test_intercept),
	{ NULL, NULL },
};

int main(void)
{
	struct kms_engine_config c;
	char err[128];
	size_t i;
	int rc;

	for (i = 0; i < sizeof subs / sizeof subs[0]; i++)
		gnutls_rnd(GNUTLS_RND_NONCE, subs[i].ks, 32);
	kr = kms_keyring_new(kms_tpk_set_generate((int64_t)time(NULL), err, sizeof err));
	rp = kms_replay_new(4096, 0);
	memset(&c, 0, sizeof c);
	c.fqdn = FQDN;
	c.groups = groups;
	c.n_groups = 1;
	c.nfs = nfs;
	c.n_nfs = 1;
	c.keys.lookup = lookup;
	c.keys.release = release;
	c.keyring = kr;
	c.replay = rp;
	eng = kr && rp ? kms_engine_new(&c, err, sizeof err) : NULL;
	A = calloc(1, sizeof *A);
	B = calloc(1, sizeof *B);
	if (!eng || !A || !B) {
		fprintf(stderr, "set-up failed: %s\n", err);
		return 2;
	}
	rc = tk_test_run("ue-engine", tests);
	kms_engine_free(eng);
	kms_replay_free(rp);
	kms_keyring_free(kr);
	ue_call_wipe(A);
	ue_call_wipe(B);
	free(A);
	free(B);
	return rc;
}
