/*
 * test-engine-creds.c: credentials without GBA (issue 6 item 7) through the
 * real ticket engine with the UE library: certificate users with the PK
 * variants (REQUEST_INIT_PK / RESOLVE_INIT_PK, RSA PKCS#1 v1.5 and PSS),
 * password users (IDRpsk of type Byte string, PSK from HA1), and GBA users,
 * all under the same authorization: tickets cross credential kinds (a GBA
 * user's ticket resolved by a certificate user and the reverse, a password
 * user's by both), SRTP keys agree; refusals: altered signature, PKE the
 * KMS cannot open, certificate of an unknown CA, certificate not mapped,
 * CHASH of another certificate, a TLS client certificate or a Digest
 * username that is not the MIKEY sender, an IDRi not the user's, a replay,
 * a wrong password, an unknown user, and PK variants switched off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gba/userpsk.h"
#include "kms/engine.h"
#include "kms/keyring.h"
#include "kms/pkauth.h"
#include "kms/replay.h"
#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "pk_testcerts.h"
#include "tk_test.h"
#include "ue/call.h"
#include "ue/call_creds.h"
#include "util/secret.h"

#define FQDN "kms.home1.net"
#define ALICE_BTID "YWxpY2UxMjM0NTY3ODkwMQ==@bsf.home1.net"
#define ALICE_DN "CN=alice,O=home1"
#define BOB_DN "CN=bob,O=home1"
#define MALLORY_DN "CN=mallory,O=home1"

/* ---- GBA user: Alice (also has a certificate) --------------------------- */

static const char *const alice_impus[] = { "sip:alice@home1.net" };
static const uint8_t alice_ks[32] = { 0xa1, 0xa1, 0xa1 };

static enum kms_key_status gba_lookup(void *ctx, const char *btid, size_t len, tk_ua_id ua,
				      struct kms_subscriber *out)
{
	(void)ctx;
	(void)ua;
	if (len != strlen(ALICE_BTID) || memcmp(btid, ALICE_BTID, len))
		return KMS_KEY_NOT_FOUND;
	memcpy(out->ks_naf, alice_ks, 32);
	out->expiry = (int64_t)time(NULL) + 3600;
	out->impi = "alice@home1.net";
	out->impus = alice_impus;
	out->n_impus = 1;
	out->handle = (void *)1;
	return KMS_KEY_OK;
}

/* ---- password users: carol, dave ----------------------------------------- */

static const char *const carol_impus[] = { "sip:carol@home1.net", "tel:+15551003" };
static const char *const dave_impus[] = { "sip:dave@home1.net" };
static int user_releases;

static const struct { const char *user, *password; const char *const *impus; } users[] = {
	{ "carol", "carol-secret", carol_impus },
	{ "dave", "dave-secret", dave_impus },
};

static enum kms_key_status user_lookup(void *ctx, const char *name, size_t len, tk_ua_id ua,
				       struct kms_subscriber *out)
{
	char realm[128];
	uint8_t ha1[TK_HA1_LEN];
	size_t i;

	(void)ctx;
	(void)ua;
	tk_users_realm(FQDN, realm, sizeof realm);
	for (i = 0; i < 2; i++) {
		if (len != strlen(users[i].user) || memcmp(name, users[i].user, len))
			continue;
		/* the KMS stores only HA1 */
		tk_user_ha1(users[i].user, realm, users[i].password, ha1);
		tk_user_psk(ha1, FQDN, out->ks_naf);
		out->expiry = INT64_MAX;
		out->impi = users[i].user;
		out->impus = users[i].impus;
		out->n_impus = i == 0 ? 2 : 1;
		out->handle = (void *)users[i].user;
		return KMS_KEY_OK;
	}
	return KMS_KEY_NOT_FOUND;
}

static void any_release(void *ctx, struct kms_subscriber *s)
{
	(void)ctx;
	CU_ASSERT_PTR_NOT_NULL(s->handle);
	user_releases++;
}

/* ---- certificate users and the KMS ---------------------------------------- */

static struct tc_cred ca, other_ca, kms_c, alice_c, bob_c, mallory_c, bob_rogue, alice_self, erin_c;
static gnutls_x509_trust_list_t cas;
static const char *const bob_impus[] = { "sip:bob@home1.net" };
static const struct kms_cert_user cert_users[] = {
	{ ALICE_DN, alice_impus, 1, "alice-cert" },
	{ BOB_DN, bob_impus, 1, "bob-cert" },
};
static struct kms_pk_config pkc;

static struct kms_keyring *kr;
static struct kms_replay *rp;
static struct kms_engine *eng, *eng_nopk;
static struct ue_call *A, *B;
static uint8_t buf[UE_MAX_MSG], resp[4096], tinit[UE_MAX_MSG], tresp[UE_MAX_MSG];
static size_t tinit_len, tresp_len;

static void setup(void)
{
	struct kms_engine_config c;
	struct kms_tpk_set *set;
	char err[128];

	if (eng)
		return;
	CU_ASSERT_FATAL(tc_make(&ca, "CN=tkms test CA,O=home1", NULL, true, 1) == 0);
	CU_ASSERT_FATAL(tc_make(&other_ca, "CN=other CA,O=elsewhere", NULL, true, 2) == 0);
	CU_ASSERT_FATAL(tc_make(&kms_c, "CN=kms.home1.net,O=home1", &ca, false, 3) == 0);
	CU_ASSERT_FATAL(tc_make(&alice_c, ALICE_DN, &ca, false, 4) == 0);
	CU_ASSERT_FATAL(tc_make(&bob_c, BOB_DN, &ca, false, 5) == 0);
	CU_ASSERT_FATAL(tc_make(&mallory_c, MALLORY_DN, &ca, false, 6) == 0);
	CU_ASSERT_FATAL(tc_make(&bob_rogue, BOB_DN, &other_ca, false, 7) == 0);
	CU_ASSERT_FATAL(tc_make(&alice_self, ALICE_DN, NULL, false, 8) == 0);
	CU_ASSERT_FATAL(tc_make_san(&erin_c, "CN=erin,O=home1", &ca, false, 9,
				    "sip:erin@home1.net") == 0);
	cas = tc_trust(&ca);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cas);
	pkc.key = kms_c.key;
	pkc.cert_der = kms_c.der;
	pkc.cert_len = kms_c.der_len;
	pkc.cas = cas;
	pkc.users = cert_users;
	pkc.n_users = 2;

	set = kms_tpk_set_generate((int64_t)time(NULL), err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	kr = kms_keyring_new(set);
	rp = kms_replay_new(4096, 0);
	CU_ASSERT_FATAL(kr && rp);
	memset(&c, 0, sizeof c);
	c.fqdn = FQDN;
	c.keys.lookup = gba_lookup;
	c.keys.release = any_release;
	c.users.lookup = user_lookup;
	c.users.release = any_release;
	c.keyring = kr;
	c.replay = rp;
	eng_nopk = kms_engine_new(&c, err, sizeof err);
	c.pk = &pkc;
	eng = kms_engine_new(&c, err, sizeof err);
	CU_ASSERT_FATAL(eng && eng_nopk);
	A = calloc(1, sizeof *A);
	B = calloc(1, sizeof *B);
	CU_ASSERT_FATAL(A && B);
}

/* ---- one UE's credential ---------------------------------------------------- */

enum kind { GBA, PASSWORD, CERT };

struct who {
	enum kind kind;
	const char *impu;
	const char *user, *password;    /* PASSWORD */
	const struct tc_cred *cert;     /* CERT */
	uint8_t s_type;
	const struct tc_cred *pke_to;   /* CERT: whose key PKE uses (default the KMS) */
	const struct tc_cred *chash_of; /* CERT: CHASH of (default the KMS cert) */
};

static struct ue_cred cred;
static struct ue_pk_cred pkcred;

static void cred_begin(const struct who *w)
{
	char realm[128];
	uint8_t ha1[TK_HA1_LEN];
	struct ue_err e;

	memset(&cred, 0, sizeof cred);
	switch (w->kind) {
	case GBA:
		strcpy(cred.btid, ALICE_BTID);
		memcpy(cred.psk, alice_ks, 32);
		break;
	case PASSWORD:
		strcpy(cred.btid, w->user);
		tk_users_realm(FQDN, realm, sizeof realm);
		tk_user_ha1(w->user, realm, w->password, ha1);
		tk_user_psk(ha1, FQDN, cred.psk);
		break;
	case CERT:
		CU_ASSERT_FATAL(ue_pk_cred_begin(&cred, &e) == UE_OK);
		memset(&pkcred, 0, sizeof pkcred);
		pkcred.key = w->cert->key;
		pkcred.chain[0] = w->cert->der;
		pkcred.chain_len[0] = w->cert->der_len;
		pkcred.nchain = 1;
		pkcred.kms_pub = (w->pke_to ? w->pke_to : &kms_c)->pub;
		pkcred.kms_cert = (w->chash_of ? w->chash_of : &kms_c)->der;
		pkcred.kms_cert_len = (w->chash_of ? w->chash_of : &kms_c)->der_len;
		pkcred.s_type = w->s_type;
		break;
	}
}

static void convert(struct ue_call *c, const struct who *w, size_t *n)
{
	struct ue_err e;
	int rc = UE_OK;

	if (w->kind == CERT)
		rc = ue_pk_convert(c, &pkcred, &cred, buf, sizeof buf, n, &e);
	else if (w->kind == PASSWORD)
		rc = ue_user_convert(c, &cred, buf, sizeof buf, n, &e);
	if (rc != UE_OK)
		fprintf(stderr, "convert: %s\n", e.msg);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	CU_ASSERT_EQUAL(buf[1], w->kind == CERT ? (c == A ? MK_DT_REQUEST_INIT_PK :
						    MK_DT_RESOLVE_INIT_PK) :
			(c == A ? MK_DT_REQUEST_INIT_PSK : MK_DT_RESOLVE_INIT_PSK));
}

static struct kms_result last;

static enum kms_outcome kms_tid(const struct kms_engine *en, const uint8_t *m, size_t n,
				enum kms_tid_kind kind, const char *value)
{
	struct kms_transport_id tid = { kind, value, value ? strlen(value) : 0 };

	memset(&last, 0, sizeof last);
	last.resp = resp;
	last.resp_cap = sizeof resp;
	return kms_engine_handle(en, m, n, &tid, &last);
}

/* A asks for a ticket to `to`; returns the engine outcome (UE finish
 * asserted for OK). */
static enum kms_outcome request_as(const struct who *w, const char *to, int algset,
				   enum kms_tid_kind kind, const char *tidv)
{
	struct ue_request_opts o;
	struct ue_err e;
	size_t n = 0;
	enum kms_outcome out;
	int rc;

	setup();
	cred_begin(w);
	ue_request_opts_default(&o);
	o.impu = w->impu;
	o.kms = FQDN;
	o.peers[0] = to;
	o.npeers = 1;
	o.algset = algset;
	CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cred, buf, sizeof buf, &n, &e), UE_OK);
	convert(A, w, &n);
	out = kms_tid(eng, buf, n, kind, tidv);
	if (out == KMS_OUT_OK) {
		rc = ue_request_finish(A, &o, &cred, resp, last.resp_len, &e);
		if (rc != UE_OK)
			fprintf(stderr, "request_finish: %s\n", e.msg);
		CU_ASSERT_EQUAL(rc, UE_OK);
		CU_ASSERT_EQUAL_FATAL(ue_transfer_init(A, NULL, tinit, sizeof tinit, &tinit_len, &e),
				      UE_OK);
	}
	return out;
}

static enum kms_outcome resolve_as(const struct who *w, enum kms_tid_kind kind, const char *tidv,
				   int *ue_rc, struct ue_err *e)
{
	size_t n = 0;
	enum kms_outcome out;

	cred_begin(w);
	CU_ASSERT_EQUAL_FATAL(ue_resolve_begin(B, w->impu, FQDN, &cred, tinit, tinit_len, buf,
					       sizeof buf, &n, e), UE_OK);
	convert(B, w, &n);
	out = kms_tid(eng, buf, n, kind, tidv);
	*ue_rc = last.resp_len ? ue_resolve_finish(B, &cred, resp, last.resp_len, e) : -100;
	return out;
}

static void complete_call(void)
{
	struct ue_srtp_cs ka[UE_MAX_CS], kb[UE_MAX_CS];
	struct ue_err e;
	unsigned na = 0, nb = 0, i;

	CU_ASSERT_EQUAL_FATAL(ue_transfer_resp(B, tresp, sizeof tresp, &tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_accept(A, tresp, tresp_len, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(A, ka, UE_MAX_CS, &na, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(ue_srtp_keys(B, kb, UE_MAX_CS, &nb, &e), UE_OK);
	CU_ASSERT_EQUAL_FATAL(na, nb);
	CU_ASSERT(na > 0);
	for (i = 0; i < na; i++) {
		CU_ASSERT_EQUAL(ka[i].key_len, kb[i].key_len);
		CU_ASSERT(memcmp(ka[i].key, kb[i].key, ka[i].key_len) == 0);
		CU_ASSERT(memcmp(ka[i].salt, kb[i].salt, 14) == 0);
	}
}

static const struct who w_alice_gba = { GBA, "sip:alice@home1.net", NULL, NULL, NULL, 0, NULL, NULL };
static const struct who w_alice_cert = { CERT, "sip:alice@home1.net", NULL, NULL, &alice_c, 0, NULL, NULL };
static const struct who w_bob_cert = { CERT, "sip:bob@home1.net", NULL, NULL, &bob_c, 0, NULL, NULL };
static const struct who w_bob_pss = { CERT, "sip:bob@home1.net", NULL, NULL, &bob_c, MK_SIGN_RSA_PSS, NULL, NULL };
static const struct who w_carol = { PASSWORD, "sip:carol@home1.net", "carol", "carol-secret", NULL, 0, NULL, NULL };
static const struct who w_dave = { PASSWORD, "sip:dave@home1.net", "dave", "dave-secret", NULL, 0, NULL, NULL };

static void test_gba_to_cert(void)
{
	struct ue_err e;
	int rc;

	CU_ASSERT_EQUAL_FATAL(request_as(&w_alice_gba, "sip:bob@home1.net", UE_ALGS_128,
					 KMS_TID_NONE, NULL), KMS_OUT_OK);
	CU_ASSERT_EQUAL(resolve_as(&w_bob_cert, KMS_TID_CLIENT_CERT, BOB_DN, &rc, &e), KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	CU_ASSERT_STRING_EQUAL(last.audit.btid, BOB_DN);
	CU_ASSERT_STRING_EQUAL(last.audit.impi, "bob-cert");
	CU_ASSERT_EQUAL(last.audit.authz, KMS_AUTHZ_LISTED);
	complete_call();
}

static void test_cert_to_gba_256(void)
{
	struct ue_err e;
	int rc;
	const struct who bob_gba_as_alice = w_alice_gba;

	/* Alice with her certificate asks for a ticket to herself (any GBA
	 * device of hers resolves it), in the 256-bit set. */
	CU_ASSERT_EQUAL_FATAL(request_as(&w_alice_cert, "sip:alice@home1.net", UE_ALGS_256,
					 KMS_TID_NONE, NULL), KMS_OUT_OK);
	CU_ASSERT_EQUAL(last.audit.op, KMS_OP_REQUEST);
	CU_ASSERT_STRING_EQUAL(last.audit.btid, ALICE_DN);
	CU_ASSERT_EQUAL(resolve_as(&bob_gba_as_alice, KMS_TID_DIGEST_BTID, ALICE_BTID, &rc, &e),
			KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	complete_call();
}

static void test_cert_pss_both(void)
{
	struct ue_err e;
	int rc;

	CU_ASSERT_EQUAL_FATAL(request_as(&w_alice_cert, "sip:bob@home1.net", UE_ALGS_256,
					 KMS_TID_CLIENT_CERT, ALICE_DN), KMS_OUT_OK);
	CU_ASSERT_EQUAL(resolve_as(&w_bob_pss, KMS_TID_NONE, NULL, &rc, &e), KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	complete_call();
}

static void test_password_users(void)
{
	struct ue_err e;
	int rc, before = user_releases;

	/* Carol (password) calls Dave (password) over the users realm. */
	CU_ASSERT_EQUAL_FATAL(request_as(&w_carol, "sip:dave@home1.net", UE_ALGS_128,
					 KMS_TID_USER, "carol"), KMS_OUT_OK);
	CU_ASSERT_STRING_EQUAL(last.audit.btid, "carol");
	CU_ASSERT_EQUAL(resolve_as(&w_dave, KMS_TID_USER, "dave", &rc, &e), KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	complete_call();
	CU_ASSERT_EQUAL(user_releases, before + 2);
	/* Carol's ticket to Bob, resolved by Bob's certificate; Carol's second IMPU. */
	{
		struct who carol_tel = w_carol;

		carol_tel.impu = "tel:+15551003";
		CU_ASSERT_EQUAL_FATAL(request_as(&carol_tel, "sip:bob@home1.net", UE_ALGS_256,
						 KMS_TID_NONE, NULL), KMS_OUT_OK);
	}
	CU_ASSERT_EQUAL(resolve_as(&w_bob_cert, KMS_TID_NONE, NULL, &rc, &e), KMS_OUT_OK);
	CU_ASSERT_EQUAL_FATAL(rc, UE_OK);
	complete_call();
}

static void test_password_refusals(void)
{
	struct who w = w_carol;

	/* Digest username (users realm) not the IDRpsk: 403 before any lookup */
	CU_ASSERT_EQUAL(request_as(&w_carol, "sip:bob@home1.net", UE_ALGS_128, KMS_TID_USER, "dave"),
			KMS_OUT_AUTH_FAILED);
	/* a GBA Digest B-TID cannot speak for a password user, nor the reverse */
	CU_ASSERT_EQUAL(request_as(&w_carol, "sip:bob@home1.net", UE_ALGS_128,
				   KMS_TID_DIGEST_BTID, "carol"), KMS_OUT_AUTH_FAILED);
	CU_ASSERT_EQUAL(request_as(&w_alice_gba, "sip:bob@home1.net", UE_ALGS_128, KMS_TID_USER,
				   ALICE_BTID), KMS_OUT_AUTH_FAILED);
	/* wrong password: MAC wrong */
	w.password = "guess";
	CU_ASSERT_EQUAL(request_as(&w, "sip:bob@home1.net", UE_ALGS_128, KMS_TID_NONE, NULL),
			KMS_OUT_AUTH_FAILED);
	CU_ASSERT_EQUAL(last.mikey_error, MK_E_AUTH_FAILURE);
	CU_ASSERT_FALSE(last.error_maced);
	/* unknown user: no key (401) */
	w.user = "nobody";
	CU_ASSERT_EQUAL(request_as(&w, "sip:bob@home1.net", UE_ALGS_128, KMS_TID_NONE, NULL),
			KMS_OUT_BOOTSTRAP_REQUIRED);
	/* an IMPU that is not Carol's: MACed Error 0 */
	w = w_carol;
	w.impu = "sip:dave@home1.net";
	CU_ASSERT_EQUAL(request_as(&w, "sip:bob@home1.net", UE_ALGS_128, KMS_TID_NONE, NULL),
			KMS_OUT_FORBIDDEN);
	CU_ASSERT_TRUE(last.error_maced);
}

/* Requests as `w` that must be refused with `want` (and Error 0 unMACed
 * unless maced). */
static void refused(const struct who *w, enum kms_tid_kind kind, const char *tidv,
		    enum kms_outcome want, int err, bool maced)
{
	enum kms_outcome o = request_as(w, "sip:bob@home1.net", UE_ALGS_128, kind, tidv);

	CU_ASSERT_EQUAL(o, want);
	if (o != want)
		fprintf(stderr, "got %s (%s), want %s\n", kms_outcome_str(o), last.detail,
			kms_outcome_str(want));
	CU_ASSERT_EQUAL(last.mikey_error, err);
	CU_ASSERT_EQUAL(last.error_maced, maced);
	if (last.error_maced != maced)
		fprintf(stderr, "maced %d for %s\n", last.error_maced, last.detail);
	CU_ASSERT(last.resp_len > 0);
}

static void test_cert_refusals(void)
{
	struct who w;

	/* certificate of another CA with a mapped subject */
	w = w_bob_cert;
	w.cert = &bob_rogue;
	w.impu = "sip:bob@home1.net";
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	CU_ASSERT_STRING_EQUAL(last.detail, "certificate chain not trusted");
	/* self-signed with Alice's subject */
	w = w_alice_cert;
	w.cert = &alice_self;
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	/* trusted but not mapped */
	w = w_alice_cert;
	w.cert = &mallory_c;
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	CU_ASSERT_STRING_EQUAL(last.detail, "certificate subject is no configured user");
	/* PKE under another key: signature fine, env_key unreadable */
	w = w_alice_cert;
	w.pke_to = &mallory_c;
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	CU_ASSERT_STRING_EQUAL(last.detail, "PKE does not decrypt");
	/* CHASH of another certificate */
	w = w_alice_cert;
	w.chash_of = &bob_c;
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	/* TLS client certificate of someone else, or a GBA transport identity */
	refused(&w_alice_cert, KMS_TID_CLIENT_CERT, BOB_DN, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE,
		true);
	refused(&w_alice_cert, KMS_TID_DIGEST_BTID, ALICE_BTID, KMS_OUT_AUTH_FAILED,
		MK_E_AUTH_FAILURE, true);
	/* Alice's certificate claiming Bob's IMPU */
	w = w_alice_cert;
	w.impu = "sip:bob@home1.net";
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_FORBIDDEN, MK_E_AUTH_FAILURE, true);
	/* PK variants not configured: Error 11 */
	{
		size_t n = 0;
		struct ue_request_opts o;
		struct ue_err e;

		cred_begin(&w_alice_cert);
		ue_request_opts_default(&o);
		o.impu = "sip:alice@home1.net";
		o.kms = FQDN;
		o.peers[0] = "sip:bob@home1.net";
		o.npeers = 1;
		CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cred, buf, sizeof buf, &n, &e), UE_OK);
		convert(A, &w_alice_cert, &n);
		CU_ASSERT_EQUAL(kms_tid(eng_nopk, buf, n, KMS_TID_NONE, NULL), KMS_OUT_UNSUPPORTED);
		CU_ASSERT_EQUAL(last.mikey_error, MK_E_INVALID_DT);
	}
}

/* san_impus: a trusted certificate not in the table speaks for the URIs
 * of its subjectAltName, and only for them; off, it is refused. */
static void test_san_impus(void)
{
	struct who w = { CERT, "sip:erin@home1.net", NULL, NULL, &erin_c, 0, NULL, NULL };
	struct ue_err e;
	int rc;

	setup();
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_AUTH_FAILED, MK_E_AUTH_FAILURE, false);
	pkc.san_impus = true;
	CU_ASSERT_EQUAL(request_as(&w, "sip:bob@home1.net", UE_ALGS_128, KMS_TID_NONE, NULL),
			KMS_OUT_OK);
	CU_ASSERT_STRING_EQUAL(last.audit.btid, "CN=erin,O=home1");
	CU_ASSERT_EQUAL(resolve_as(&w_bob_cert, KMS_TID_NONE, NULL, &rc, &e), KMS_OUT_OK);
	CU_ASSERT_EQUAL(rc, UE_OK);
	w.impu = "sip:alice@home1.net";
	refused(&w, KMS_TID_NONE, NULL, KMS_OUT_FORBIDDEN, MK_E_AUTH_FAILURE, true);
	pkc.san_impus = false;
}

/* Every octet of a signed REQUEST_INIT_PK matters; a replay is refused with
 * a MACed Error 1 that the UE reads with its env_key. */
static void test_tamper_and_replay(void)
{
	uint8_t good[UE_MAX_MSG], bad[UE_MAX_MSG];
	struct ue_request_opts o;
	struct ue_err e;
	size_t n = 0, i, refusedn = 0;
	enum kms_outcome out;

	setup();
	cred_begin(&w_alice_cert);
	ue_request_opts_default(&o);
	o.impu = "sip:alice@home1.net";
	o.kms = FQDN;
	o.peers[0] = "sip:bob@home1.net";
	o.npeers = 1;
	CU_ASSERT_EQUAL_FATAL(ue_request_build(A, &o, &cred, buf, sizeof buf, &n, &e), UE_OK);
	convert(A, &w_alice_cert, &n);
	memcpy(good, buf, n);
	for (i = 0; i < n; i += 7) {
		memcpy(bad, good, n);
		bad[i] ^= 0x04;
		out = kms_tid(eng, bad, n, KMS_TID_NONE, NULL);
		CU_ASSERT(out != KMS_OUT_OK);
		refusedn += out != KMS_OUT_OK;
	}
	CU_ASSERT_EQUAL(refusedn, (n + 6) / 7);
	CU_ASSERT_EQUAL(kms_tid(eng, good, n, KMS_TID_NONE, NULL), KMS_OUT_OK);
	CU_ASSERT_EQUAL(kms_tid(eng, good, n, KMS_TID_NONE, NULL), KMS_OUT_REPLAY);
	CU_ASSERT_TRUE(last.error_maced);
	CU_ASSERT_EQUAL(ue_request_finish(A, &o, &cred, resp, last.resp_len, &e), UE_E_PEER);
	CU_ASSERT_EQUAL(e.mikey_error, MK_E_INVALID_TS);
}

static void test_cleanup(void)
{
	kms_engine_free(eng);
	kms_engine_free(eng_nopk);
	kms_replay_free(rp);
	kms_keyring_free(kr);
	gnutls_x509_trust_list_deinit(cas, 1);
	tc_free(&ca);
	tc_free(&other_ca);
	tc_free(&kms_c);
	tc_free(&alice_c);
	tc_free(&bob_c);
	tc_free(&mallory_c);
	tc_free(&bob_rogue);
	tc_free(&alice_self);
	tc_free(&erin_c);
	ue_call_wipe(A);
	ue_call_wipe(B);
	free(A);
	free(B);
	tk_wipe(&cred, sizeof cred);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_gba_to_cert),
		TK_TEST(test_cert_to_gba_256),
		TK_TEST(test_cert_pss_both),
		TK_TEST(test_password_users),
		TK_TEST(test_password_refusals),
		TK_TEST(test_cert_refusals),
		TK_TEST(test_tamper_and_replay),
		TK_TEST(test_san_impus),
		TK_TEST(test_cleanup),
		{ NULL, NULL },
	};
	return tk_test_run("engine-creds", tests);
}
