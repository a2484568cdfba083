/*
 * call.c: UE side of the MIKEY-TICKET exchanges (RFC 6043 mode 1; mikey.md
 * 4, 5.3 rows C/D/E/F/I, 5.6, 6.2; profile P-2, P-4, P-11, P-12, P-19,
 * P-20, P-25, P-26).  Messages are built and parsed with the codec
 * (mikey.h) and protected / verified with its mprotect.h (rows C/D key
 * sets, V coverage, Vi/Vr, KEMAC); the UE's own derivations (row F forking,
 * row I TEK/salt) come from mcrypto.h.  See call.h for the flow.
 */
#include "ue/call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "mikey/mcrypto.h"
#include "mikey/mprotect.h"
#include "mikey/ntp.h"
#include "mikey/payload.h"
#include "util/fileio.h"
#include "util/hexb64.h"
#include "util/secret.h"

/* ---- small helpers ------------------------------------------------------- */

const char *ue_rc_name(int rc)
{
	switch (rc) {
	case UE_OK: return "ok";
	case UE_E_ARG: return "bad argument";
	case UE_E_PARSE: return "malformed message";
	case UE_E_AUTH: return "authentication failure";
	case UE_E_POLICY: return "policy not acceptable";
	case UE_E_PEER: return "peer sent a MIKEY Error";
	case UE_E_STATE: return "wrong call state";
	case UE_E_CRYPTO: return "crypto failure";
	case UE_E_IO: return "state file error";
	case UE_E_TS: return "timestamp outside the window";
	}
	return "unknown";
}

static int fail(struct ue_err *e, int rc, int mikey_error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct ue_err *e, int rc, int mikey_error, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		e->mikey_error = mikey_error;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static void err_clear(struct ue_err *e)
{
	if (e) {
		e->mikey_error = -1;
		e->msg[0] = '\0';
	}
}

static int rnd(void *p, size_t n)
{
	return gnutls_rnd(GNUTLS_RND_RANDOM, p, n) == 0 ? 0 : -1;
}

static size_t cpystr(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return 0;
	memcpy(dst, src, n + 1);
	return n;
}

/* Identity of an IDR payload as a C string (P-4: raw ID Data). */
static bool idr_str(const struct mk_idr *id, char *out, size_t cap)
{
	if (!id->pl.present || id->data.n == 0 || id->data.n >= cap ||
	    memchr(id->data.p, '\0', id->data.n))
		return false;
	memcpy(out, id->data.p, id->data.n);
	out[id->data.n] = '\0';
	return true;
}

static void set_idr(struct mk_idr *id, uint8_t role, uint8_t type, const char *s)
{
	id->pl.present = true;
	id->role = role;
	id->id_type = type;
	id->data.p = (const uint8_t *)s;
	id->data.n = strlen(s);
}

static void set_randr(struct mk_randr *r, uint8_t role, const uint8_t *p, size_t n)
{
	r->pl.present = true;
	r->role = role;
	r->rand.p = p;
	r->rand.n = n;
}

static void set_hdr(struct mk_hdr *h, uint8_t dt, bool v, uint8_t prf, uint32_t csb)
{
	h->pl.present = true;
	h->version = MK_VERSION;
	h->data_type = dt;
	h->v = v;
	h->prf = prf;
	h->csb_id = csb;
}

static void set_t_now(struct mk_t *t)
{
	t->pl.present = true;
	t->ts_type = MK_TS_NTP_UTC;
	t->ts = mk_ntp_now();
}

/* The algorithm set of P-8 given the HDR PRF. */
static void algs_of(uint8_t prf, uint8_t *mac, uint8_t *encr)
{
	if (prf == MK_PRF_HMAC_SHA256) {
		*mac = MK_MAC_HMAC_SHA256_256;
		*encr = MK_ENCR_AES_CM_256;
	} else {
		*mac = MK_MAC_HMAC_SHA1_160;
		*encr = MK_ENCR_AES_CM_128;
	}
}

/* P-9: a fresh timestamp within +-UE_TS_WINDOW of our clock. */
static bool ts_fresh(const struct mk_t *t)
{
	int ok = 0;
	int64_t s = mk_ts_to_unix(t->ts_type, t->ts, &ok);
	int64_t now = (int64_t)time(NULL);

	return ok && s >= now - UE_TS_WINDOW && s <= now + UE_TS_WINDOW;
}

/* An identity as the codec's byte span (P-4: raw ID Data). */
static struct mk_bytes bstr(const char *str)
{
	return (struct mk_bytes){ (const uint8_t *)str, str ? strlen(str) : 0 };
}

/* Heap copies of mk_msg: the structure is a few kilobytes. */
static struct mk_msg *msg_new(void)
{
	return calloc(1, sizeof(struct mk_msg));
}

/* ---- keys out of a KEMAC ------------------------------------------------------ */

static int key_take(struct ue_key *k, const struct mk_keydata *kd)
{
	memset(k, 0, sizeof *k);
	if (kd->key.n == 0 || kd->key.n > sizeof k->key || kd->salt.n > sizeof k->salt ||
	    kd->kv.type != MK_KV_SPI || kd->kv.spi.n == 0 || kd->kv.spi.n > sizeof k->spi)
		return -1;
	k->type = kd->type;
	memcpy(k->key, kd->key.p, kd->key.n);
	k->key_len = kd->key.n;
	if (kd->salt.n)
		memcpy(k->salt, kd->salt.p, kd->salt.n);
	k->salt_len = kd->salt.n;
	memcpy(k->spi, kd->kv.spi.p, kd->kv.spi.n);
	k->spi_len = kd->kv.spi.n;
	return 0;
}

/*
 * Decrypt a response KEMAC (P-12: IV from the response's own T) and file
 * MPKi, [MPKr / MPKr'] and the session keys into c.
 */
static int kemac_keys(struct ue_call *c, const struct mk_msg *m, const struct mk_keyset *ks,
		      bool want_mpkr, struct ue_err *e)
{
	uint8_t plain[2048];
	struct mk_keylist *kl;
	unsigned i, idx = 0;
	int rc;

	if (!m->kemac.pl.present)
		return fail(e, UE_E_PARSE, MK_E_UNSPECIFIED, "response has no KEMAC");
	if (m->kemac.encr_alg != ks->encr)
		return fail(e, UE_E_POLICY, MK_E_INVALID_EA,
			    "KEMAC encryption %u is not the one of our algorithm set",
			    m->kemac.encr_alg);
	kl = calloc(1, sizeof *kl);
	if (!kl)
		return fail(e, UE_E_CRYPTO, -1, "out of memory");
	rc = mk_kemac_open(&m->kemac, ks, m->hdr.csb_id, &m->t, plain, sizeof plain, kl);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_PARSE, -1, "KEMAC cannot be opened: %s", mk_strerror(rc));
		goto out;
	}
	if (kl->n < 1 || kl->k[0].type != MK_KEY_MPK || key_take(&c->mpki, &kl->k[0])) {
		rc = fail(e, UE_E_PARSE, -1, "KEMAC does not start with MPKi");
		goto out;
	}
	idx = 1;
	memset(&c->mpkr, 0, sizeof c->mpkr);
	if (want_mpkr) {
		if (kl->n < 2 || kl->k[1].type != MK_KEY_MPK || key_take(&c->mpkr, &kl->k[1])) {
			rc = fail(e, UE_E_PARSE, -1, "forking ticket but no MPKr in the KEMAC");
			goto out;
		}
		idx = 2;
	}
	c->nkeys = 0;
	for (i = idx; i < kl->n; i++) {
		if (kl->k[i].type == MK_KEY_MPK || c->nkeys == UE_MAX_KEYS ||
		    key_take(&c->keys[c->nkeys], &kl->k[i])) {
			rc = fail(e, UE_E_PARSE, -1, "unusable key %u in the KEMAC", i);
			goto out;
		}
		c->nkeys++;
	}
	if (c->nkeys == 0) {
		rc = fail(e, UE_E_PARSE, -1, "KEMAC carries no session key");
		goto out;
	}
	rc = UE_OK;
out:
	tk_wipe(plain, sizeof plain);
	tk_wipe(kl, sizeof *kl);
	free(kl);
	return rc;
}

/*
 * A MIKEY Error in answer to one of our messages: report its code.  When it
 * carries a V, check it with the auth key of the failed message (RFC 6043
 * 5.4, P-21: the Error MAC covers the Error message only).
 */
static int peer_error(const struct mk_msg *m, const struct mk_keyset *ks, struct ue_err *e)
{
	bool authentic = false;
	int code = m->nerr ? m->err[0].code : MK_E_UNSPECIFIED;

	if (m->v.pl.present && ks && m->v.alg == ks->mac)
		authentic = mk_msg_verify(m, ks, NULL, NULL) == MK_OK;
	return fail(e, UE_E_PEER, code, "MIKEY Error %d (%s) received", code,
		    authentic ? "authenticated" : "unauthenticated, advisory");
}

/* A MIKEY Error answering sent, its MAC keyed as sent was (key). */
static int answered_error(const struct mk_msg *m, const struct mk_msg *sent, const uint8_t *key,
			  size_t key_len, struct ue_err *e)
{
	struct mk_keyset kerr;
	int rc;

	memset(&kerr, 0, sizeof kerr);
	mk_msg_keyset(&kerr, sent, NULL, key, key_len);
	rc = peer_error(m, &kerr, e);
	mk_keyset_wipe(&kerr);
	return rc;
}

/* A received message parsed into m (name: what it is, for the error). */
static int parse_in(const uint8_t *p, size_t n, struct mk_msg *m, const char *name,
		    struct ue_err *e)
{
	int rc = mk_parse(p, n, m);

	if (rc != MK_OK)
		return fail(e, UE_E_PARSE, -1, "%s malformed at offset %zu: %s", name, m->err_off,
			    mk_strerror(rc));
	return UE_OK;
}

/* Our stored message (stored_name, for the error) parsed into a new *sent,
 * and the answer to it into a new *m; the caller frees both, also on
 * failure. */
static int parse_exchange(const uint8_t *stored, size_t stored_len, const char *stored_name,
			  const uint8_t *in, size_t in_len, const char *in_name,
			  struct mk_msg **sent, struct mk_msg **m, struct ue_err *e)
{
	*sent = msg_new();
	*m = msg_new();
	if (!*sent || !*m)
		return fail(e, UE_E_CRYPTO, -1, "out of memory");
	if (mk_parse(stored, stored_len, *sent) != MK_OK)
		return fail(e, UE_E_STATE, -1, "stored %s unreadable", stored_name);
	return parse_in(in, in_len, *m, in_name, e);
}

/* The answer m to sent: its keys into ks (row D from key; suffix = the
 * whole of sent), its MAC and its timestamp checked.  alg_err: the MIKEY
 * Error for algorithms refused. */
static int verify_answer(const struct mk_msg *m, const struct mk_msg *sent, const uint8_t *key,
			 size_t key_len, struct mk_keyset *ks, const char *name, int alg_err,
			 struct ue_err *e)
{
	int rc = mk_msg_keyset(ks, m, sent, key, key_len);

	if (rc != MK_OK)
		return fail(e, UE_E_POLICY, alg_err, "%s algorithms refused: %s", name,
			    mk_strerror(rc));
	if (mk_msg_verify(m, ks, sent, NULL) != MK_OK)
		return fail(e, UE_E_AUTH, MK_E_AUTH_FAILURE, "%s MAC does not verify", name);
	if (!ts_fresh(&m->t))
		return fail(e, UE_E_TS, MK_E_INVALID_TS, "%s timestamp outside the window", name);
	return UE_OK;
}

/* ---- initiator: REQUEST_INIT / REQUEST_RESP ------------------------------- */

void ue_request_opts_default(struct ue_request_opts *o)
{
	memset(o, 0, sizeof *o);
	o->forking = true;
	o->reuse = true;
	o->algset = UE_ALGS_128;
}

void ue_call_init(struct ue_call *c)
{
	memset(c, 0, sizeof *c);
}

void ue_call_wipe(struct ue_call *c)
{
	tk_wipe(c, sizeof *c);
}

/* Flags an initiator wishes (P-11 defaults; K = 0 from the initiator). */
static uint32_t wished_flags(const struct ue_request_opts *o)
{
	uint32_t f = MK_TF_D | MK_TF_E | MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_N | MK_TF_O;

	/* Deferred delivery: the responder may resolve days later, after the
	 * initiator is gone, so no answer (F), no responder RAND (G) and no
	 * fork the initiator would have to learn from an answer (I). */
	if (o->deferred)
		return MK_TF_D | MK_TF_E | MK_TF_H | MK_TF_N | MK_TF_O | (o->reuse ? MK_TF_J : 0);
	if (o->forking)
		f |= MK_TF_I;
	if (o->reuse)
		f |= MK_TF_J;
	return f;
}

/* A message to the KMS (REQUEST_INIT, RESOLVE_INIT) built and MACed with
 * Row C from the B-TID's PSK; kept in the call for --response. */
static int seal_kms_request(struct ue_call *c, struct mk_msg *m, const struct ue_cred *cred,
			    const char *what, uint8_t *out, size_t cap, size_t *out_len,
			    struct ue_err *e)
{
	struct mk_keyset ks;
	size_t len = 0;
	int rc = mk_build(m, out, cap, &len);

	if (rc != MK_OK)
		return fail(e, UE_E_ARG, -1, "cannot build %s: %s", what, mk_strerror(rc));
	memset(&ks, 0, sizeof ks);
	rc = mk_msg_keyset(&ks, m, NULL, cred->psk, sizeof cred->psk);
	if (rc == MK_OK)
		rc = mk_msg_protect(out, m, &ks, NULL, NULL);
	mk_keyset_wipe(&ks);
	if (rc != MK_OK || len > sizeof c->kreq)
		return fail(e, UE_E_CRYPTO, -1, "%s protection failed: %s", what, mk_strerror(rc));
	memcpy(c->kreq, out, len);
	c->kreq_len = len;
	*out_len = len;
	return UE_OK;
}

int ue_request_build(struct ue_call *c, const struct ue_request_opts *o,
		     const struct ue_cred *cred, uint8_t *out, size_t cap,
		     size_t *out_len, struct ue_err *e)
{
	struct mk_msg *m;
	uint8_t prf, mac, encr;
	uint32_t csb;
	unsigned i;
	int rc;

	err_clear(e);
	if (!o->impu || !o->kms || !o->npeers || o->npeers > UE_MAX_PEERS ||
	    o->npeers > MK_MAX_IDR || !cred->btid[0])
		return fail(e, UE_E_ARG, -1, "request needs own IMPU, KMS, 1..%d responders and a B-TID",
			    UE_MAX_PEERS);
	ue_call_init(c);
	c->role = UE_ROLE_INITIATOR;
	if (!cpystr(c->impu, sizeof c->impu, o->impu) || !cpystr(c->kms, sizeof c->kms, o->kms))
		return fail(e, UE_E_ARG, -1, "identity too long");
	prf = o->algset == UE_ALGS_256 ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
	algs_of(prf, &mac, &encr);
	c->prf = prf;
	c->mac = mac;
	c->encr = encr;
	if (rnd(c->randri, UE_RAND_LEN) || rnd(&csb, sizeof csb))
		return fail(e, UE_E_CRYPTO, -1, "random generator failed");
	c->randri_len = UE_RAND_LEN;

	m = msg_new();
	if (!m)
		return fail(e, UE_E_CRYPTO, -1, "out of memory");
	set_hdr(&m->hdr, MK_DT_REQUEST_INIT_PSK, true, prf, csb);
	m->hdr.ncs = 0;
	m->hdr.map_type = MK_MAP_EMPTY;
	set_t_now(&m->t);
	set_randr(&m->randr[MK_RANDR_I], MK_RANDR_I, c->randri, UE_RAND_LEN);
	set_idr(&m->idr[MK_IDR_I], MK_IDR_I, MK_ID_URI, c->impu);
	set_idr(&m->idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, c->kms);
	m->ticket.pl.present = true;
	m->ticket.is_ticket = false;
	m->ticket.ticket_type = MK_TICKET_MIKEY_BASE;
	m->ticket.subtype = MK_BASE_TICKET_SUBTYPE;
	m->ticket.version = MK_BASE_TICKET_VERSION;
	m->ticket.prf = MK_PRF_HMAC_SHA256; /* P-10: tickets always use PRF 1 */
	m->ticket.flags = wished_flags(o);
	if (o->lifetime || o->deferred) {
		m->ticket.tp.tre.pl.present = true;
		m->ticket.tp.tre.role = MK_TR_END;
		m->ticket.tp.tre.ts_type = MK_TS_NTP_UTC_32; /* P-24 */
		m->ticket.tp.tre.ts = mk_ntp32_from_unix((int64_t)time(NULL) +
			(o->lifetime ? o->lifetime : UE_DEFERRED_LIFETIME));
	}
	for (i = 0; i < o->npeers; i++)
		set_idr(&m->ticket.tp.idrr[i], MK_IDR_R, MK_ID_URI, o->peers[i]);
	m->ticket.tp.nr = o->npeers;
	set_idr(&m->idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI, cred->btid); /* P-2 */
	m->v.pl.present = true;
	m->v.alg = mac;

	/* MAC suffix Identity_i || Identity_kms (5.6). */
	rc = seal_kms_request(c, m, cred, "REQUEST_INIT", out, cap, out_len, e);
	free(m);
	return rc;
}

/* RFC 6043 6.2: the granted policy must be usable by a plain initiator. */
static int check_granted(struct ue_call *c, const struct ue_request_opts *o,
			 const struct mk_ticket *tk, struct ue_err *e)
{
	int ok = 0;
	int64_t now = (int64_t)time(NULL);
	unsigned i, j;

	if (!tk->pl.present || !tk->is_ticket)
		return fail(e, UE_E_PARSE, -1, "REQUEST_RESP has no TICKET");
	if (mk_tp_flags_check(tk->flags) != MK_OK)
		return fail(e, UE_E_POLICY, -1, "granted Ticket Policy flags are inconsistent");
	if (!(tk->flags & MK_TF_N))
		return fail(e, UE_E_POLICY, -1,
			    "granted ticket needs type-specific processing (N = 0)");
	if (!(tk->flags & MK_TF_D))
		return fail(e, UE_E_POLICY, -1, "granted ticket claims not to come from a KMS (D = 0)");
	if (o && o->require_forking && !(tk->flags & MK_TF_I))
		return fail(e, UE_E_POLICY, -1, "KMS refused key forking (I = 0) but it is required");
	if (o && o->deferred && (tk->flags & (MK_TF_F | MK_TF_G | MK_TF_I)))
		return fail(e, UE_E_POLICY, -1, "KMS did not grant deferred delivery: the ticket "
			    "needs an answer or forks (F, G or I set; its policy must let a UE "
			    "choose F, G and I)");
	if (!mk_prf_valid(tk->prf))
		return fail(e, UE_E_POLICY, -1, "granted TP PRF %u unknown", tk->prf);
	c->valid_to = 0;
	if (tk->tp.tre.pl.present) {
		c->valid_to = mk_ts_to_unix(tk->tp.tre.ts_type, tk->tp.tre.ts, &ok);
		if (!ok || c->valid_to <= now)
			return fail(e, UE_E_POLICY, -1, "granted ticket is already expired");
	}
	if (tk->tp.nr == 0)
		return fail(e, UE_E_POLICY, -1, "granted ticket names no responder");
	/* A ticket without a responder we asked for is of no use (K = 1 case). */
	for (i = 0; o && i < o->npeers; i++) {
		size_t n = strlen(o->peers[i]);

		for (j = 0; j < tk->tp.nr; j++)
			if (tk->tp.idrr[j].data.n == n && !memcmp(tk->tp.idrr[j].data.p, o->peers[i], n))
				break;
		if (j == tk->tp.nr)
			return fail(e, UE_E_POLICY, -1, "the KMS left %s out of the ticket",
				    o->peers[i]);
	}
	c->flags = tk->flags;
	c->tp_prf = tk->prf;
	return UE_OK;
}

int ue_request_finish(struct ue_call *c, const struct ue_request_opts *o,
		      const struct ue_cred *cred, const uint8_t *resp,
		      size_t resp_len, struct ue_err *e)
{
	struct mk_msg *m = NULL, *req = NULL;
	struct mk_keyset ks;
	int rc;

	err_clear(e);
	memset(&ks, 0, sizeof ks);
	if (c->role != UE_ROLE_INITIATOR || !c->kreq_len || resp_len > sizeof c->reqresp)
		return fail(e, UE_E_STATE, -1, "no REQUEST_INIT pending");
	rc = parse_exchange(c->kreq, c->kreq_len, "REQUEST_INIT", resp, resp_len, "KMS answer",
			    &req, &m, e);
	if (rc != UE_OK)
		goto out;
	if (m->hdr.data_type == MK_DT_ERROR) {
		rc = answered_error(m, req, cred->psk, sizeof cred->psk, e);
		goto out;
	}
	if (m->hdr.data_type != MK_DT_REQUEST_RESP || m->hdr.csb_id != req->hdr.csb_id ||
	    m->hdr.prf != c->prf) {
		rc = fail(e, UE_E_PARSE, -1, "not the REQUEST_RESP to our REQUEST_INIT");
		goto out;
	}
	if (!m->v.pl.present || m->v.alg != c->mac) {
		rc = fail(e, UE_E_POLICY, MK_E_INVALID_MAC, "REQUEST_RESP MAC algorithm differs (P-8)");
		goto out;
	}
	/* Row D from the PSK, RANDRi only; suffix = the whole REQUEST_INIT. */
	rc = verify_answer(m, req, cred->psk, sizeof cred->psk, &ks, "REQUEST_RESP",
			   MK_E_INVALID_EA, e);
	if (rc != UE_OK)
		goto out;
	rc = check_granted(c, o, &m->ticket, e);
	if (rc != UE_OK)
		goto out;
	rc = kemac_keys(c, m, &ks, (c->flags & MK_TF_I) != 0, e);
	if (rc != UE_OK)
		goto out;
	memcpy(c->reqresp, resp, resp_len);
	c->reqresp_len = resp_len;
	c->stage = UE_ST_REQUESTED;
	if (c->flags & MK_TF_K)
		fail(e, UE_OK, -1, "KMS changed the requested policy (K = 1); accepted");
	rc = UE_OK;
out:
	mk_keyset_wipe(&ks);
	free(m);
	free(req);
	return rc;
}

/* ---- SRTP security policy (mikey.md 3.5) ------------------------------------- */

/* AES_CM_128_HMAC_SHA1_80 (or its 256-bit-key variant): types 0..12. */
static int srtp_sp_params(size_t key_len, uint8_t *buf, size_t cap, size_t *len)
{
	static const uint8_t types[13] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint8_t vals[13] = { 1, 16, 1, 20, 14, 0, 0, 1, 1, 0, 1, 10, 0 };
	struct mk_bytes v[13];
	unsigned i;

	vals[1] = (uint8_t)key_len;
	for (i = 0; i < 13; i++)
		v[i] = (struct mk_bytes){ &vals[i], 1 };
	return mk_sp_params_build(types, v, 13, buf, cap, len);
}

/* A responder's acceptance of an offered SRTP SP: the parameters libsrtp2
 * supports here (AES-CM, HMAC-SHA-1 80, 16 or 32 octet keys, salt 14, KDR 0,
 * no prefix, FEC first). Returns the master key length or 0. */
static size_t srtp_sp_acceptable(const struct mk_sp *sp)
{
	size_t pos = 0, key_len = 16;
	uint8_t type;
	struct mk_bytes v;
	unsigned val;

	if (sp->prot_type != MK_PROT_SRTP)
		return 0;
	while (mk_sp_next(sp, &pos, &type, &v)) {
		if (v.n != 1)
			return 0;
		val = v.p[0];
		switch (type) {
		case MK_SRTP_ENCR_KEY_LEN:
			if (val != 16 && val != 32)
				return 0;
			key_len = val;
			break;
		case MK_SRTP_AUTH_KEY_LEN:
			if (val != 20)
				return 0;
			break;
		case MK_SRTP_SALT_KEY_LEN:
			if (val != 14)
				return 0;
			break;
		case MK_SRTP_AUTH_TAG_LEN:
			if (val != 10)
				return 0;
			break;
		case MK_SRTP_PRF:
		case MK_SRTP_KDR:
		case MK_SRTP_FEC_ORDER:
		case MK_SRTP_PREFIX_LEN:
			if (val != 0)
				return 0;
			break;
		case MK_SRTP_ENCR_ALG:
		case MK_SRTP_AUTH_ALG:
		case MK_SRTP_SRTP_ENCR:
		case MK_SRTP_SRTCP_ENCR:
		case MK_SRTP_SRTP_AUTH:
			if (val != 1)
				return 0;
			break;
		default: return 0;
		}
	}
	return key_len;
}

/* ---- CS map ----------------------------------------------------------------------- */

/* The session key a crypto session uses: the one whose SPI the CS names,
 * else the first TGK/GTGK/TEK. */
static const struct ue_key *cs_key(const struct ue_key *keys, unsigned n, const struct ue_cs *cs)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (cs->spi_len && keys[i].spi_len == cs->spi_len &&
		    !memcmp(keys[i].spi, cs->spi, cs->spi_len))
			return &keys[i];
	for (i = 0; i < n; i++)
		if (keys[i].type <= MK_KEY_GTGK_SALT)
			return &keys[i];
	return NULL;
}

static int cs_fill_own(struct ue_cs *cs, const struct ue_key *k)
{
	uint8_t r[6];

	if (rnd(r, sizeof r))
		return -1;
	cs->ssrc = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
	cs->roc = 0;
	cs->seq = (uint16_t)(((uint16_t)r[4] << 8 | r[5]) & 0x7FFF); /* RFC 3550: random start */
	cs->filled = true;
	if (k) {
		memcpy(cs->spi, k->spi, k->spi_len);
		cs->spi_len = k->spi_len;
	}
	return 0;
}

/* GENERIC-ID block from our CS entry; sd receives the 10-octet Session Data. */
static void cs_to_wire(const struct ue_cs *cs, struct mk_cs_generic *g, uint8_t sd[10])
{
	memset(g, 0, sizeof *g);
	g->cs_id = cs->cs_id;
	g->prot_type = MK_PROT_SRTP;
	g->npolicy = 1;
	g->policy_no[0] = cs->policy_no;
	if (cs->filled) {
		g->s = true;
		sd[0] = (uint8_t)(cs->ssrc >> 24);
		sd[1] = (uint8_t)(cs->ssrc >> 16);
		sd[2] = (uint8_t)(cs->ssrc >> 8);
		sd[3] = (uint8_t)cs->ssrc;
		sd[4] = (uint8_t)(cs->roc >> 24);
		sd[5] = (uint8_t)(cs->roc >> 16);
		sd[6] = (uint8_t)(cs->roc >> 8);
		sd[7] = (uint8_t)cs->roc;
		sd[8] = (uint8_t)(cs->seq >> 8);
		sd[9] = (uint8_t)cs->seq;
		g->session_data = (struct mk_bytes){ sd, 10 };
		g->spi = (struct mk_bytes){ cs->spi, cs->spi_len };
	}
}

/* Session Data of a received block: SSRC [ROC SEQ]. */
static int cs_from_wire(struct ue_cs *cs, const struct mk_cs_generic *g)
{
	const uint8_t *p = g->session_data.p;

	if (g->session_data.n == 0)
		return 0;
	if (g->session_data.n != (g->s ? 10u : 4u))
		return -1;
	cs->ssrc = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	cs->roc = 0;
	cs->seq = 0;
	if (g->s) {
		cs->roc = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
		cs->seq = (uint16_t)((uint16_t)p[8] << 8 | p[9]);
	}
	if (g->spi.n > sizeof cs->spi)
		return -1;
	memcpy(cs->spi, g->spi.p, g->spi.n);
	cs->spi_len = g->spi.n;
	cs->filled = true;
	return 0;
}

/* ---- initiator: TRANSFER_INIT --------------------------------------------------- */

/* The ticket an initiator holds: in the REQUEST_RESP it came in, or (made
 * by the initiator itself, D = 0) the TICKET payload alone. */
static int stored_ticket(const struct ue_call *c, struct mk_msg *rr)
{
	tk_rd rd;
	size_t eoff;

	if (c->flags & MK_TF_D)
		return mk_parse(c->reqresp, c->reqresp_len, rr) == MK_OK && rr->ticket.pl.present ?
		       0 : -1;
	tk_rd_init(&rd, c->reqresp, c->reqresp_len);
	return mkp_rd_ticket(&rd, true, &rr->ticket, &eoff) == MK_OK ? 0 : -1;
}

int ue_transfer_init(struct ue_call *c, const struct ue_transfer_opts *o,
		     uint8_t *out, size_t cap, size_t *out_len, struct ue_err *e)
{
	struct mk_msg *m = NULL, *rr = NULL;
	struct mk_keyset ks;
	struct mk_ids ids;
	uint8_t sd[UE_MAX_CS][10], spbuf[64];
	size_t splen = 0, len = 0;
	char to[UE_MAX_ID];
	const struct ue_key *k;
	unsigned i, ncs = o && o->ncs ? o->ncs : 2;
	int rc;

	err_clear(e);
	memset(&ks, 0, sizeof ks);
	if (c->role != UE_ROLE_INITIATOR || c->stage < UE_ST_REQUESTED || !c->reqresp_len)
		return fail(e, UE_E_STATE, -1, "no ticket: run request first");
	if (c->valid_to && c->valid_to <= (int64_t)time(NULL))
		return fail(e, UE_E_POLICY, -1, "the ticket has expired");
	if (c->stage > UE_ST_REQUESTED && !(c->flags & MK_TF_J))
		return fail(e, UE_E_POLICY, -1, "ticket may not be reused (J = 0)");
	if (ncs == 0 || ncs > UE_MAX_CS || ncs > MK_MAX_CS)
		return fail(e, UE_E_ARG, -1, "1..%d crypto sessions", UE_MAX_CS);
	rr = msg_new();
	m = msg_new();
	if (!rr || !m) {
		rc = fail(e, UE_E_CRYPTO, -1, "out of memory");
		goto out;
	}
	if (stored_ticket(c, rr) != 0) {
		rc = fail(e, UE_E_STATE, -1, "stored ticket unreadable");
		goto out;
	}
	if (o && o->to) {
		if (!cpystr(to, sizeof to, o->to)) {
			rc = fail(e, UE_E_ARG, -1, "responder identity too long");
			goto out;
		}
	} else if (!idr_str(&rr->ticket.tp.idrr[0], to, sizeof to)) {
		rc = fail(e, UE_E_STATE, -1, "ticket has no usable IDRr");
		goto out;
	}
	cpystr(c->peer, sizeof c->peer, to);
	if (rnd(c->randri, UE_RAND_LEN) || rnd(&c->csb_id, sizeof c->csb_id)) {
		rc = fail(e, UE_E_CRYPTO, -1, "random generator failed");
		goto out;
	}
	c->randri_len = UE_RAND_LEN;
	c->randrr_len = 0;
	c->forked = false;
	c->srtp_key_len = c->encr == MK_ENCR_AES_CM_256 ? 32 : 16;

	set_hdr(&m->hdr, MK_DT_TRANSFER_INIT, (c->flags & MK_TF_F) != 0, c->prf, c->csb_id);
	m->hdr.map_type = MK_MAP_GENERIC_ID;
	m->hdr.ncs = (uint8_t)ncs;
	c->ncs = ncs;
	k = cs_key(c->keys, c->nkeys, &(struct ue_cs){ 0 });
	for (i = 0; i < ncs; i++) {
		struct ue_cs *cs = &c->cs[i];

		memset(cs, 0, sizeof *cs);
		cs->cs_id = (uint8_t)(i + 1);
		cs->initiator_sends = (i % 2) == 0;
		cs->policy_no = 0;
		if (cs->initiator_sends && cs_fill_own(cs, k)) {
			rc = fail(e, UE_E_CRYPTO, -1, "random generator failed");
			goto out;
		}
		cs_to_wire(cs, &m->hdr.cs.gen[i], sd[i]);
	}
	set_t_now(&m->t);
	set_randr(&m->randr[MK_RANDR_I], MK_RANDR_I, c->randri, UE_RAND_LEN);
	set_idr(&m->idr[MK_IDR_I], MK_IDR_I, MK_ID_URI, c->impu);
	set_idr(&m->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, to);
	rc = srtp_sp_params(c->srtp_key_len, spbuf, sizeof spbuf, &splen);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_ARG, -1, "SP build failed");
		goto out;
	}
	m->nsp = 1;
	m->sp[0].pl.present = true;
	m->sp[0].policy_no = 0;
	m->sp[0].prot_type = MK_PROT_SRTP;
	m->sp[0].params = (struct mk_bytes){ spbuf, splen };
	m->ticket = rr->ticket;
	m->ticket.init_data = (struct mk_bytes){ NULL, 0 };
	memset(&m->ticket.init, 0, sizeof m->ticket.init);
	/* With forking the builder writes placeholder Initiator Data (Vi with
	 * NP 9, P-12), filled by the protection below. */
	m->v.pl.present = true;
	m->v.alg = c->mac;
	rc = mk_build(m, out, cap, &len);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_ARG, -1, "cannot build TRANSFER_INIT: %s", mk_strerror(rc));
		goto out;
	}
	/* Row C from MPKi, RANDRi only; Initiator Data cut out of the MAC input,
	 * suffix IDi || IDr; Vi = that MAC; Vr keyed by row E from MPKr. */
	memset(&ids, 0, sizeof ids);
	ids.i = bstr(c->impu);
	ids.r = bstr(to);
	rc = mk_msg_keyset(&ks, m, NULL, c->mpki.key, c->mpki.key_len);
	if (rc == MK_OK)
		rc = mk_msg_protect(out, m, &ks, NULL, &ids);
	if (rc == MK_OK && (c->flags & MK_TF_I))
		rc = mk_init_data_protect(out, m, c->mpkr.key, c->mpkr.key_len);
	if (rc != MK_OK || len > sizeof c->tinit) {
		rc = fail(e, UE_E_CRYPTO, -1, "TRANSFER_INIT protection failed: %s", mk_strerror(rc));
		goto out;
	}
	memcpy(c->tinit, out, len);
	c->tinit_len = len;
	c->stage = UE_ST_TRANSFERRED;
	if (!(c->flags & MK_TF_F)) {
		/* No TRANSFER_RESP will come (F = 0): the call is complete. */
		c->stage = UE_ST_ACCEPTED;
		if (c->flags & MK_TF_I) {
			rc = fail(e, UE_E_POLICY, -1, "forking without TRANSFER_RESP (I without F)");
			goto out;
		}
	}
	*out_len = len;
	rc = UE_OK;
out:
	mk_keyset_wipe(&ks);
	free(m);
	free(rr);
	return rc;
}

/* ---- initiator: TRANSFER_RESP ------------------------------------------------------ */

/* Row F for the initiator: MPKr' and TGK' from the modifier in TRANSFER_RESP. */
static int fork_keys(struct ue_call *c)
{
	unsigned i;
	int rc;

	c->mpkr_f = c->mpkr;
	rc = mk_derive_mpkr_forked((enum mk_prf)c->tp_prf, c->mpkr.key, c->mpkr.key_len,
				   (const uint8_t *)c->idrr_bound, strlen(c->idrr_bound),
				   c->randrkms, c->randrkms_len, c->mpkr_f.key);
	for (i = 0; rc == MK_OK && i < c->nkeys; i++) {
		c->fkeys[i] = c->keys[i];
		if (c->keys[i].type == MK_KEY_TGK || c->keys[i].type == MK_KEY_TGK_SALT)
			rc = mk_derive_tgk_forked((enum mk_prf)c->tp_prf, c->keys[i].key,
						  c->keys[i].key_len,
						  (const uint8_t *)c->idrr_bound,
						  strlen(c->idrr_bound), c->randrkms,
						  c->randrkms_len, c->fkeys[i].key);
	}
	return rc;
}

int ue_accept(struct ue_call *c, const uint8_t *msg, size_t len, struct ue_err *e)
{
	struct mk_msg *m = NULL, *ti = NULL;
	struct mk_keyset ks;
	const struct ue_key *key;
	struct ue_cs got;
	unsigned i, j;
	bool forking = (c->flags & MK_TF_I) != 0;
	int rc;

	err_clear(e);
	memset(&ks, 0, sizeof ks);
	if (c->role != UE_ROLE_INITIATOR || c->stage != UE_ST_TRANSFERRED)
		return fail(e, UE_E_STATE, -1, "no TRANSFER_INIT awaiting an answer");
	rc = parse_exchange(c->tinit, c->tinit_len, "TRANSFER_INIT", msg, len, "TRANSFER_RESP", &ti,
			    &m, e);
	if (rc != UE_OK)
		goto out;
	if (m->hdr.data_type == MK_DT_ERROR && m->hdr.csb_id == c->csb_id) {
		rc = answered_error(m, ti, c->mpki.key, c->mpki.key_len, e);
		goto out;
	}
	if (m->hdr.data_type != MK_DT_TRANSFER_RESP || m->hdr.csb_id != c->csb_id ||
	    m->hdr.prf != c->prf || m->csb_update || !m->v.pl.present || m->v.alg != c->mac) {
		rc = fail(e, UE_E_PARSE, MK_E_UNSPECIFIED, "not the TRANSFER_RESP to our TRANSFER_INIT");
		goto out;
	}
	c->randrr_len = 0;
	if (c->flags & MK_TF_G) {
		const struct mk_randr *r = &m->randr[MK_RANDR_R];

		if (!r->pl.present || r->rand.n == 0 || r->rand.n > sizeof c->randrr) {
			rc = fail(e, UE_E_PARSE, MK_E_UNSPECIFIED, "TRANSFER_RESP lacks RANDRr (G = 1)");
			goto out;
		}
		memcpy(c->randrr, r->rand.p, r->rand.n);
		c->randrr_len = r->rand.n;
	}
	key = &c->mpki;
	if (forking) {
		const struct mk_randr *r = &m->randr[MK_RANDR_KMS];

		if (!idr_str(&m->idr[MK_IDR_R], c->idrr_bound, sizeof c->idrr_bound) ||
		    !r->pl.present || r->rand.n == 0 || r->rand.n > sizeof c->randrkms) {
			rc = fail(e, UE_E_PARSE, MK_E_UNSPECIFIED,
				  "forking TRANSFER_RESP lacks IDRr or RANDRkms");
			goto out;
		}
		memcpy(c->randrkms, r->rand.p, r->rand.n);
		c->randrkms_len = r->rand.n;
		if (fork_keys(c) != MK_OK) {
			rc = fail(e, UE_E_CRYPTO, -1, "forking derivation failed");
			goto out;
		}
		key = &c->mpkr_f;
	}
	/* Row D from MPKi or MPKr'; suffix = the whole TRANSFER_INIT (P-26). */
	rc = verify_answer(m, ti, key->key, key->key_len, &ks, "TRANSFER_RESP", MK_E_INVALID_MAC,
			   e);
	if (rc != UE_OK)
		goto out;
	/* The completed CS map: every CS with #P = 1 and Session Data. */
	if (m->hdr.map_type != MK_MAP_GENERIC_ID || m->hdr.ncs != c->ncs) {
		rc = fail(e, UE_E_POLICY, MK_E_UNSPECIFIED, "TRANSFER_RESP CS map does not match");
		goto out;
	}
	for (i = 0; i < m->hdr.ncs; i++) {
		const struct mk_cs_generic *g = &m->hdr.cs.gen[i];

		for (j = 0; j < c->ncs && c->cs[j].cs_id != g->cs_id; j++)
			;
		memset(&got, 0, sizeof got);
		if (j == c->ncs || g->npolicy != 1 || g->prot_type != MK_PROT_SRTP ||
		    g->policy_no[0] != c->cs[j].policy_no || g->session_data.n == 0 ||
		    g->spi.n == 0 || cs_from_wire(&got, g)) {
			rc = fail(e, UE_E_POLICY, MK_E_INVALID_SPPAR,
				  "TRANSFER_RESP crypto session %u incomplete or changed", g->cs_id);
			goto out;
		}
		if (c->cs[j].initiator_sends) {
			if (got.ssrc != c->cs[j].ssrc || got.roc != c->cs[j].roc) {
				rc = fail(e, UE_E_POLICY, MK_E_INVALID_SPPAR,
					  "responder changed our SSRC/ROC of CS %u", g->cs_id);
				goto out;
			}
		} else {
			got.cs_id = c->cs[j].cs_id;
			got.initiator_sends = false;
			got.policy_no = c->cs[j].policy_no;
			c->cs[j] = got;
		}
	}
	c->forked = forking;
	c->stage = UE_ST_ACCEPTED;
	rc = UE_OK;
out:
	mk_keyset_wipe(&ks);
	free(m);
	free(ti);
	return rc;
}

/* ---- responder ------------------------------------------------------------------- */

/* Early checks of mikey.md 6.2 before contacting the KMS. */
static int early_checks(struct ue_call *c, const struct mk_msg *m, struct ue_err *e)
{
	const struct mk_ticket *tk = &m->ticket;
	int64_t now = (int64_t)time(NULL), s;
	int ok = 0;
	unsigned i, j;
	size_t kl = 0, l;

	if (!ts_fresh(&m->t))
		return fail(e, UE_E_TS, MK_E_INVALID_TS, "TRANSFER_INIT timestamp outside the window");
	if (tk->ticket_type == 0 || tk->ticket_type == 0xFFFF || !(tk->flags & MK_TF_O))
		return fail(e, UE_E_POLICY, MK_E_INVALID_TICKET,
			    "ticket type %u needs processing this responder lacks",
			    tk->ticket_type);
	if (mk_tp_flags_check(tk->flags) != MK_OK || !mk_prf_valid(tk->prf))
		return fail(e, UE_E_POLICY, MK_E_INVALID_TPPAR, "Ticket Policy flags/PRF invalid");
	if ((tk->flags & MK_TF_L) == 0 && m->kemac.pl.present)
		return fail(e, UE_E_POLICY, MK_E_INVALID_TPPAR, "KEMAC in TRANSFER_INIT but L = 0");
	if (tk->tp.trs.pl.present) {
		s = mk_ts_to_unix(tk->tp.trs.ts_type, tk->tp.trs.ts, &ok);
		if (!ok || s > now + UE_TS_WINDOW)
			return fail(e, UE_E_POLICY, MK_E_INVALID_TPPAR, "ticket not yet valid");
	}
	c->valid_to = 0;
	if (tk->tp.tre.pl.present) {
		s = mk_ts_to_unix(tk->tp.tre.ts_type, tk->tp.tre.ts, &ok);
		if (!ok || s < now - UE_TS_WINDOW)
			return fail(e, UE_E_POLICY, MK_E_INVALID_TPPAR, "ticket expired");
		c->valid_to = s;
	}
	if (m->hdr.map_type != MK_MAP_GENERIC_ID || m->hdr.ncs == 0 || m->hdr.ncs > UE_MAX_CS)
		return fail(e, UE_E_POLICY, MK_E_UNSPECIFIED, "CS map must be GENERIC-ID with 1..%d CS",
			    UE_MAX_CS);
	if (m->nsp == 0)
		return fail(e, UE_E_POLICY, MK_E_INVALID_SPPAR, "no security policy offered");
	for (i = 0; i < m->nsp; i++) {
		if (m->sp[i].prot_type != MK_PROT_SRTP)
			return fail(e, UE_E_POLICY, MK_E_INVALID_SP, "SP %u is not SRTP",
				    m->sp[i].policy_no);
	}
	c->ncs = m->hdr.ncs;
	for (i = 0; i < m->hdr.ncs; i++) {
		const struct mk_cs_generic *g = &m->hdr.cs.gen[i];
		struct ue_cs *cs = &c->cs[i];

		memset(cs, 0, sizeof *cs);
		cs->cs_id = g->cs_id;
		cs->initiator_sends = g->session_data.n != 0;
		if (g->prot_type != MK_PROT_SRTP || cs_from_wire(cs, g))
			return fail(e, UE_E_POLICY, MK_E_INVALID_SPPAR, "CS %u malformed", g->cs_id);
		/* Pick the first offered SP we accept (#P = 0: any SP of the message). */
		l = 0;
		for (j = 0; j < m->nsp && !l; j++) {
			unsigned p;
			bool named = g->npolicy == 0;

			for (p = 0; p < g->npolicy; p++)
				named = named || g->policy_no[p] == m->sp[j].policy_no;
			if (named && (l = srtp_sp_acceptable(&m->sp[j])) != 0)
				cs->policy_no = m->sp[j].policy_no;
		}
		if (!l || (kl && l != kl))
			return fail(e, UE_E_POLICY, MK_E_INVALID_SPPAR,
				    "no acceptable SRTP policy for CS %u", g->cs_id);
		kl = l;
	}
	c->srtp_key_len = kl;
	return UE_OK;
}

/* The responder's reading of a TRANSFER_INIT, common to a ticket resolved
 * at the KMS and an unprotected one: parse, early checks, and what the call
 * keeps (flags, algorithms, CSB, RANDRi, the initiator, the message). */
static int read_transfer_init(struct ue_call *c, const char *impu, const uint8_t *tinit,
			      size_t tinit_len, struct mk_msg *m, struct ue_err *e)
{
	int rc;

	c->role = UE_ROLE_RESPONDER;
	if (!impu || !cpystr(c->impu, sizeof c->impu, impu) || tinit_len > sizeof c->tinit)
		return fail(e, UE_E_ARG, -1, "own IMPU missing or TRANSFER_INIT too large");
	rc = mk_parse(tinit, tinit_len, m);
	if (rc != MK_OK)
		return fail(e, UE_E_PARSE, MK_E_UNSPECIFIED, "TRANSFER_INIT malformed at offset %zu: %s",
			    m->err_off, mk_strerror(rc));
	if (m->hdr.data_type != MK_DT_TRANSFER_INIT || m->csb_update || !m->ticket.pl.present ||
	    !m->randr[MK_RANDR_I].pl.present || m->randr[MK_RANDR_I].rand.n > sizeof c->randri ||
	    !m->v.pl.present)
		return fail(e, UE_E_PARSE, MK_E_UNSPECIFIED, "not an initial TRANSFER_INIT with a ticket");
	if (!mk_prf_valid(m->hdr.prf) ||
	    !mk_algs_same_set((enum mk_prf)m->hdr.prf, MK_ENCR_NULL, (enum mk_mac)m->v.alg) ||
	    m->v.alg == MK_MAC_NULL)
		return fail(e, UE_E_POLICY, MK_E_INVALID_MAC, "TRANSFER_INIT algorithms refused (P-8)");
	rc = early_checks(c, m, e);
	if (rc != UE_OK)
		return rc;
	c->flags = m->ticket.flags;
	c->tp_prf = m->ticket.prf;
	c->prf = m->hdr.prf;
	algs_of(c->prf, &c->mac, &c->encr);
	c->csb_id = m->hdr.csb_id;
	memcpy(c->randri, m->randr[MK_RANDR_I].rand.p, m->randr[MK_RANDR_I].rand.n);
	c->randri_len = m->randr[MK_RANDR_I].rand.n;
	/* P-25: IDRi of the message, else the ticket policy's. */
	if (!idr_str(&m->idr[MK_IDR_I], c->peer, sizeof c->peer) &&
	    !idr_str(&m->ticket.tp.idri, c->peer, sizeof c->peer))
		return fail(e, UE_E_POLICY, MK_E_INVALID_ID, "initiator identity unknown");
	memcpy(c->tinit, tinit, tinit_len);
	c->tinit_len = tinit_len;
	return UE_OK;
}

int ue_resolve_begin(struct ue_call *c, const char *impu, const char *kms,
		     const struct ue_cred *cred, const uint8_t *tinit, size_t tinit_len,
		     uint8_t *out, size_t cap, size_t *out_len, struct ue_err *e)
{
	struct mk_msg *m = NULL, *r = NULL;
	uint32_t csb;
	int rc;

	err_clear(e);
	ue_call_init(c);
	if (!kms || !cred->btid[0] || !cpystr(c->kms, sizeof c->kms, kms))
		return fail(e, UE_E_ARG, -1, "resolve needs own IMPU, KMS FQDN and a B-TID");
	m = msg_new();
	r = msg_new();
	if (!m || !r) {
		rc = fail(e, UE_E_CRYPTO, -1, "out of memory");
		goto out;
	}
	rc = read_transfer_init(c, impu, tinit, tinit_len, m, e);
	if (rc != UE_OK)
		goto out;

	/* RESOLVE_INIT_PSK: same algorithm set as the TRANSFER_INIT. */
	if (rnd(c->randrr, UE_RAND_LEN) || rnd(&csb, sizeof csb)) {
		rc = fail(e, UE_E_CRYPTO, -1, "random generator failed");
		goto out;
	}
	c->randrr_len = UE_RAND_LEN;
	set_hdr(&r->hdr, MK_DT_RESOLVE_INIT_PSK, true, c->prf, csb);
	r->hdr.map_type = MK_MAP_EMPTY;
	set_t_now(&r->t);
	set_randr(&r->randr[MK_RANDR_R], MK_RANDR_R, c->randrr, UE_RAND_LEN);
	set_idr(&r->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, c->impu);
	set_idr(&r->idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, c->kms);
	r->ticket = m->ticket;  /* with its Initiator Data: the KMS checks Vr */
	set_idr(&r->idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI, cred->btid);
	r->v.pl.present = true;
	r->v.alg = c->mac;
	/* RANDRr only; suffix IDr || IDkms. */
	rc = seal_kms_request(c, r, cred, "RESOLVE_INIT", out, cap, out_len, e);
	if (rc == UE_OK)
		c->stage = UE_ST_RESOLVING;
out:
	free(m);
	free(r);
	return rc;
}

/* Once the keys are known: Session Data of the CSs the responder sends,
 * SPIs of the initiator's CSs where it gave none. */
static int fill_responder_cs(struct ue_call *c, struct ue_err *e)
{
	const struct ue_key *k = cs_key(c->keys, c->nkeys, &(struct ue_cs){ 0 });
	unsigned i;

	for (i = 0; i < c->ncs; i++) {
		if (!c->cs[i].initiator_sends && cs_fill_own(&c->cs[i], k))
			return fail(e, UE_E_CRYPTO, -1, "random generator failed");
		if (c->cs[i].initiator_sends && c->cs[i].spi_len == 0 && k) {
			memcpy(c->cs[i].spi, k->spi, k->spi_len);
			c->cs[i].spi_len = k->spi_len;
		}
	}
	return UE_OK;
}

int ue_resolve_finish(struct ue_call *c, const struct ue_cred *cred,
		      const uint8_t *resp, size_t resp_len, struct ue_err *e)
{
	struct mk_msg *m = NULL, *req = NULL, *ti = NULL;
	struct mk_keyset ks, kt;
	struct mk_ids ids;
	bool forking = (c->flags & MK_TF_I) != 0;
	int rc;

	err_clear(e);
	memset(&ks, 0, sizeof ks);
	memset(&kt, 0, sizeof kt);
	if (c->role != UE_ROLE_RESPONDER || c->stage != UE_ST_RESOLVING)
		return fail(e, UE_E_STATE, -1, "no RESOLVE_INIT pending");
	m = msg_new();
	req = msg_new();
	ti = msg_new();
	if (!m || !req || !ti) {
		rc = fail(e, UE_E_CRYPTO, -1, "out of memory");
		goto out;
	}
	if (mk_parse(c->kreq, c->kreq_len, req) != MK_OK ||
	    mk_parse(c->tinit, c->tinit_len, ti) != MK_OK) {
		rc = fail(e, UE_E_STATE, -1, "stored messages unreadable");
		goto out;
	}
	rc = parse_in(resp, resp_len, m, "KMS answer", e);
	if (rc != UE_OK)
		goto out;
	if (m->hdr.data_type == MK_DT_ERROR) {
		rc = answered_error(m, req, cred->psk, sizeof cred->psk, e);
		goto out;
	}
	if (m->hdr.data_type != MK_DT_RESOLVE_RESP || m->hdr.csb_id != req->hdr.csb_id ||
	    m->hdr.prf != c->prf || !m->v.pl.present || m->v.alg != c->mac) {
		rc = fail(e, UE_E_PARSE, -1, "not the RESOLVE_RESP to our RESOLVE_INIT");
		goto out;
	}
	/* Row D from the PSK, RANDRr only; suffix = the whole RESOLVE_INIT. */
	rc = verify_answer(m, req, cred->psk, sizeof cred->psk, &ks, "RESOLVE_RESP",
			   MK_E_INVALID_EA, e);
	if (rc != UE_OK)
		goto out;
	rc = kemac_keys(c, m, &ks, forking, e);
	if (rc != UE_OK)
		goto out;
	if (forking && !m->randr[MK_RANDR_KMS].pl.present && !m->idr[MK_IDR_R].pl.present) {
		/* The unforked keys (engine.h: an intercepting network function). */
		if (!c->observer) {
			rc = fail(e, UE_E_POLICY, -1, "the KMS sent the unforked keys of a forking "
				  "ticket (an answer for an intercepting network function)");
			goto out;
		}
		forking = false;
	} else if (forking) {
		const struct mk_randr *r = &m->randr[MK_RANDR_KMS];

		/* P-25, P-4: IDRr bound by the KMS (own IMPU when omitted). */
		if (!idr_str(&m->idr[MK_IDR_R], c->idrr_bound, sizeof c->idrr_bound))
			cpystr(c->idrr_bound, sizeof c->idrr_bound, c->impu);
		if (!r->pl.present || r->rand.n == 0 || r->rand.n > sizeof c->randrkms) {
			rc = fail(e, UE_E_PARSE, -1, "forking RESOLVE_RESP lacks RANDRkms");
			goto out;
		}
		memcpy(c->randrkms, r->rand.p, r->rand.n);
		c->randrkms_len = r->rand.n;
	}
	forking = (c->flags & MK_TF_I) != 0;
	/* Now TRANSFER_INIT: row C from MPKi, Initiator Data cut out, suffix
	 * IDi || IDr (P-25: the ticket's IDRi, P-4: our IMPU where omitted). */
	memset(&ids, 0, sizeof ids);
	ids.i = bstr(c->peer);
	ids.r = bstr(c->impu);
	rc = mk_msg_keyset(&kt, ti, NULL, c->mpki.key, c->mpki.key_len);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_CRYPTO, -1, "key derivation failed: %s", mk_strerror(rc));
		goto out;
	}
	if (mk_msg_verify(ti, &kt, NULL, &ids) != MK_OK) {
		rc = fail(e, UE_E_AUTH, MK_E_AUTH_FAILURE, "TRANSFER_INIT MAC does not verify");
		goto out;
	}
	if (forking && mk_init_data_check_vi(ti) != MK_OK) {
		rc = fail(e, UE_E_AUTH, MK_E_AUTH_FAILURE,
			  "TRANSFER_INIT MAC differs from the ticket's Vi");
		goto out;
	}
	rc = fill_responder_cs(c, e);
	if (rc != UE_OK)
		goto out;
	c->stage = UE_ST_RESOLVED;
	rc = UE_OK;
out:
	mk_keyset_wipe(&ks);
	mk_keyset_wipe(&kt);
	free(m);
	free(req);
	free(ti);
	return rc;
}

int ue_observe(struct ue_call *c, const uint8_t *msg, size_t len, struct ue_err *e)
{
	struct ue_call *v;
	int rc;

	err_clear(e);
	if (!c->observer || c->role != UE_ROLE_RESPONDER || c->stage != UE_ST_RESOLVED)
		return fail(e, UE_E_STATE, -1, "not a resolved network-function call");
	if (c->randrkms_len)
		return fail(e, UE_E_STATE, -1, "the KMS forked these keys for us: nothing to observe");
	/* On a copy: a refused answer leaves the call as it was. */
	v = malloc(sizeof *v);
	if (!v)
		return fail(e, UE_E_CRYPTO, -1, "out of memory");
	memcpy(v, c, sizeof *v);
	v->role = UE_ROLE_INITIATOR;
	v->stage = UE_ST_TRANSFERRED;
	rc = ue_accept(v, msg, len, e);
	if (rc == UE_OK)
		memcpy(c, v, sizeof *c);
	ue_call_wipe(v);
	free(v);
	return rc;
}

/* ---- unprotected tickets (D = 0) ------------------------------------------------ */

/*
 * A ticket the initiator makes itself (D = 0) without any key shared with
 * anyone: the base ticket's layout (mikey.md 3.6, Ticket Type 1) with the
 * protection left out.  THDR format version 0 (a KMS's sealed tickets are
 * version 1, P-10) and key id 0; T; RAND; a KEMAC with NULL encryption and
 * NULL MAC carrying MPK || TGK+SALT in clear; V with MAC algorithm NULL.
 * TRANSFER_INIT is MACed with MPKi (row G from that MPK) as with any
 * ticket, which only catches accidents: whoever sees the ticket has every
 * key, exactly like SDES over an unprotected channel.  Flags: D = 0 and so
 * L = 1 (mikey.md 3.6; no KEMAC is sent in TRANSFER_INIT all the same),
 * E = 0 (no KMS can resolve it), I = 0 (forking needs a KMS), F G H as in a
 * normal call, J as asked, N = O = 1.
 */
enum { UNPROT_THDR_VERSION = 0 };

int ue_make_ticket(struct ue_call *c, const struct ue_request_opts *o, struct ue_err *e)
{
	struct mk_ticket tk;
	struct mk_ticket_data td;
	struct mk_keylist kl;
	struct mk_bw b;
	uint8_t mpk[32], mpk_spi[4], tgk[32], salt[14], spi[4], rnd_t[32];
	uint8_t thdr[MK_THDR_LEN], chain[256], tdbuf[512];
	size_t kn = 0, tdn = 0, mlen;
	int64_t now = (int64_t)time(NULL);
	unsigned i;
	int rc;

	err_clear(e);
	if (!o->impu || !o->npeers || o->npeers > UE_MAX_PEERS || o->npeers > MK_MAX_IDR)
		return fail(e, UE_E_ARG, -1, "a ticket needs own IMPU and 1..%d responders",
			    UE_MAX_PEERS);
	ue_call_init(c);
	c->role = UE_ROLE_INITIATOR;
	if (!cpystr(c->impu, sizeof c->impu, o->impu))
		return fail(e, UE_E_ARG, -1, "identity too long");
	c->prf = o->algset == UE_ALGS_256 ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
	algs_of(c->prf, &c->mac, &c->encr);
	c->tp_prf = MK_PRF_HMAC_SHA256;
	mlen = o->algset == UE_ALGS_256 ? 32 : 16; /* P-19 */
	c->flags = MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_L | MK_TF_N | MK_TF_O |
		   (o->reuse ? MK_TF_J : 0);
	if (rnd(mpk, mlen) || rnd(mpk_spi, sizeof mpk_spi) || rnd(tgk, mlen) ||
	    rnd(salt, sizeof salt) || rnd(spi, sizeof spi) || rnd(rnd_t, sizeof rnd_t))
		return fail(e, UE_E_CRYPTO, -1, "random generator failed");

	memset(&kl, 0, sizeof kl);
	kl.n = 2;
	kl.k[0].pl.present = kl.k[1].pl.present = true;
	kl.k[0].type = MK_KEY_MPK;
	kl.k[0].key = (struct mk_bytes){ mpk, mlen };
	kl.k[0].kv.type = MK_KV_SPI;
	kl.k[0].kv.spi = (struct mk_bytes){ mpk_spi, sizeof mpk_spi };
	kl.k[1].type = MK_KEY_TGK_SALT;
	kl.k[1].key = (struct mk_bytes){ tgk, mlen };
	kl.k[1].salt = (struct mk_bytes){ salt, sizeof salt };
	kl.k[1].kv.type = MK_KV_SPI;
	kl.k[1].kv.spi = (struct mk_bytes){ spi, sizeof spi };
	memset(&td, 0, sizeof td);
	memset(thdr, 0, sizeof thdr);
	thdr[0] = UNPROT_THDR_VERSION;
	td.thdr.data = (struct mk_bytes){ thdr, sizeof thdr };
	td.t.pl.present = true;
	td.t.ts_type = MK_TS_NTP_UTC;
	td.t.ts = mk_ntp_now();
	td.rand.pl.present = true;
	td.rand.rand = (struct mk_bytes){ rnd_t, sizeof rnd_t };
	td.kemac.pl.present = true;
	td.kemac.encr_alg = MK_ENCR_NULL;
	td.kemac.mac_alg = MK_MAC_NULL;
	td.v.pl.present = true;
	td.v.alg = MK_MAC_NULL;
	rc = mk_keylist_build(&kl, chain, sizeof chain, &kn);
	td.kemac.encr = (struct mk_bytes){ chain, kn };
	if (rc == MK_OK)
		rc = mk_ticket_data_build(&td, tdbuf, sizeof tdbuf, &tdn);

	memset(&tk, 0, sizeof tk);
	tk.pl.present = true;
	tk.is_ticket = true;
	tk.ticket_type = MK_TICKET_MIKEY_BASE;
	tk.subtype = MK_BASE_TICKET_SUBTYPE;
	tk.version = MK_BASE_TICKET_VERSION;
	tk.prf = c->tp_prf;
	tk.flags = c->flags;
	set_idr(&tk.tp.idri, MK_IDR_I, MK_ID_URI, c->impu);
	tk.tp.trs.pl.present = tk.tp.tre.pl.present = true;
	tk.tp.trs.role = MK_TR_START;
	tk.tp.tre.role = MK_TR_END;
	tk.tp.trs.ts_type = tk.tp.tre.ts_type = MK_TS_NTP_UTC_32; /* P-24 */
	tk.tp.trs.ts = mk_ntp32_from_unix(now);
	c->valid_to = now + (o->lifetime ? (int64_t)o->lifetime : 86400);
	tk.tp.tre.ts = mk_ntp32_from_unix(c->valid_to);
	for (i = 0; i < o->npeers; i++)
		set_idr(&tk.tp.idrr[i], MK_IDR_R, MK_ID_URI, o->peers[i]);
	tk.tp.nr = o->npeers;
	tk.ticket_data = (struct mk_bytes){ tdbuf, tdn };
	if (rc == MK_OK) {
		mkp_bw_init(&b, c->reqresp, sizeof c->reqresp);
		b.np_pos = MKP_CHAIN_START; /* the payload alone, its own NP byte first */
		mkp_wr_ticket(&b, &tk, 0xff);
		rc = mkp_bw_err(&b);
		c->reqresp_len = rc == MK_OK ? b.wr.len : 0;
	}
	if (rc == MK_OK)
		rc = mk_derive_mpki((enum mk_prf)c->tp_prf, mpk, mlen, rnd_t, sizeof rnd_t, c->mpki.key);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_CRYPTO, -1, "cannot build the ticket: %s", mk_strerror(rc));
		goto out;
	}
	c->mpki.type = MK_KEY_MPK;
	c->mpki.key_len = mlen;
	memcpy(c->mpki.spi, mpk_spi, sizeof mpk_spi);
	c->mpki.spi_len = sizeof mpk_spi;
	c->nkeys = 1;
	c->keys[0].type = MK_KEY_TGK_SALT;
	memcpy(c->keys[0].key, tgk, mlen);
	c->keys[0].key_len = mlen;
	memcpy(c->keys[0].salt, salt, sizeof salt);
	c->keys[0].salt_len = sizeof salt;
	memcpy(c->keys[0].spi, spi, sizeof spi);
	c->keys[0].spi_len = sizeof spi;
	c->stage = UE_ST_REQUESTED;
	rc = UE_OK;
out:
	tk_wipe(mpk, sizeof mpk);
	tk_wipe(tgk, sizeof tgk);
	tk_wipe(salt, sizeof salt);
	tk_wipe(chain, sizeof chain);
	tk_wipe(tdbuf, sizeof tdbuf);
	return rc;
}

bool ue_ticket_unprotected(const uint8_t *tinit, size_t len)
{
	struct mk_msg *m = msg_new();
	bool r = m && mk_parse(tinit, len, m) == MK_OK && m->ticket.pl.present &&
		 m->ticket.is_ticket && !(m->ticket.flags & MK_TF_D);

	free(m);
	return r;
}

int ue_resolve_unprotected(struct ue_call *c, const char *impu, const uint8_t *tinit,
			   size_t tinit_len, struct ue_err *e)
{
	struct mk_msg *m = msg_new();
	const struct mk_ticket *tk;
	struct mk_ticket_data td;
	struct mk_keylist kl;
	struct mk_keyset kt;
	struct mk_ids ids;
	struct ue_key mpk;
	size_t eoff, n;
	unsigned i;
	bool listed = false;
	int rc;

	err_clear(e);
	memset(&kt, 0, sizeof kt);
	memset(&mpk, 0, sizeof mpk);
	ue_call_init(c);
	if (!m)
		return fail(e, UE_E_CRYPTO, -1, "out of memory");
	rc = read_transfer_init(c, impu, tinit, tinit_len, m, e);
	if (rc != UE_OK)
		goto out;
	tk = &m->ticket;
	if (tk->flags & MK_TF_D) {
		rc = fail(e, UE_E_POLICY, MK_E_INVALID_TPPAR, "the ticket was made by a KMS (D = 1)");
		goto out;
	}
	if (tk->ticket_type != MK_TICKET_MIKEY_BASE || tk->subtype != MK_BASE_TICKET_SUBTYPE ||
	    tk->version != MK_BASE_TICKET_VERSION) {
		rc = fail(e, UE_E_POLICY, MK_E_INVALID_TICKET, "unprotected ticket not of type 1");
		goto out;
	}
	/* No KMS looks at this ticket: the responder checks it is addressed. */
	n = strlen(c->impu);
	for (i = 0; i < tk->tp.nr; i++)
		listed = listed || (tk->tp.idrr[i].data.n == n &&
				    memcmp(tk->tp.idrr[i].data.p, c->impu, n) == 0);
	if (!listed) {
		rc = fail(e, UE_E_POLICY, MK_E_INVALID_ID, "the ticket does not name %s", c->impu);
		goto out;
	}
	if (mk_ticket_data_parse(tk->ticket_data.p, tk->ticket_data.n, &td, &eoff) != MK_OK ||
	    td.thdr.data.n != MK_THDR_LEN || td.thdr.data.p[0] != UNPROT_THDR_VERSION ||
	    td.kemac.encr_alg != MK_ENCR_NULL || td.kemac.mac_alg != MK_MAC_NULL ||
	    td.v.alg != MK_MAC_NULL || td.rand.rand.n < 16 ||
	    mk_keylist_parse(td.kemac.encr.p, td.kemac.encr.n, &kl, &eoff) != MK_OK ||
	    kl.n < 2 || kl.k[0].type != MK_KEY_MPK || key_take(&mpk, &kl.k[0]) ||
	    mpk.key_len != (c->encr == MK_ENCR_AES_CM_256 ? 32u : 16u)) {
		rc = fail(e, UE_E_POLICY, MK_E_INVALID_TICKET, "unprotected Ticket Data unreadable");
		goto out;
	}
	c->mpki = mpk;
	if (mk_derive_mpki((enum mk_prf)c->tp_prf, mpk.key, mpk.key_len, td.rand.rand.p,
			   td.rand.rand.n, c->mpki.key) != MK_OK) {
		rc = fail(e, UE_E_CRYPTO, -1, "MPKi derivation failed");
		goto out;
	}
	for (i = 1; i < kl.n && c->nkeys < UE_MAX_KEYS; i++)
		if (key_take(&c->keys[c->nkeys++], &kl.k[i])) {
			rc = fail(e, UE_E_POLICY, MK_E_INVALID_TICKET, "unprotected ticket key malformed");
			goto out;
		}
	memset(&ids, 0, sizeof ids);
	ids.i = bstr(c->peer);
	ids.r = bstr(c->impu);
	if (mk_msg_keyset(&kt, m, NULL, c->mpki.key, c->mpki.key_len) != MK_OK ||
	    mk_msg_verify(m, &kt, NULL, &ids) != MK_OK) {
		rc = fail(e, UE_E_AUTH, MK_E_AUTH_FAILURE, "TRANSFER_INIT MAC does not verify");
		goto out;
	}
	/* RANDRr (G): with no RESOLVE_INIT to share it with, fresh here. */
	if (rnd(c->randrr, UE_RAND_LEN)) {
		rc = fail(e, UE_E_CRYPTO, -1, "random generator failed");
		goto out;
	}
	c->randrr_len = UE_RAND_LEN;
	rc = fill_responder_cs(c, e);
	if (rc == UE_OK)
		c->stage = UE_ST_RESOLVED;
out:
	tk_wipe(&mpk, sizeof mpk);
	mk_keyset_wipe(&kt);
	free(m);
	return rc;
}

int ue_transfer_resp(struct ue_call *c, uint8_t *out, size_t cap, size_t *out_len,
		     struct ue_err *e)
{
	struct mk_msg *m = NULL, *ti = NULL;
	struct mk_keyset ks;
	uint8_t sd[UE_MAX_CS][10];
	const struct ue_key *key;
	bool forking = (c->flags & MK_TF_I) != 0, g = (c->flags & MK_TF_G) != 0;
	size_t len = 0;
	unsigned i;
	int rc;

	err_clear(e);
	memset(&ks, 0, sizeof ks);
	if (c->role != UE_ROLE_RESPONDER || c->stage < UE_ST_RESOLVED)
		return fail(e, UE_E_STATE, -1, "resolve the TRANSFER_INIT first");
	if (c->observer)
		return fail(e, UE_E_STATE, -1, "an intercepting network function does not answer");
	if (!(c->flags & MK_TF_F))
		return fail(e, UE_E_STATE, -1, "the ticket forbids a TRANSFER_RESP (F = 0)");
	m = msg_new();
	if (!m)
		return fail(e, UE_E_CRYPTO, -1, "out of memory");
	set_hdr(&m->hdr, MK_DT_TRANSFER_RESP, false, c->prf, c->csb_id);
	m->hdr.map_type = MK_MAP_GENERIC_ID;
	m->hdr.ncs = (uint8_t)c->ncs;
	for (i = 0; i < c->ncs; i++)
		cs_to_wire(&c->cs[i], &m->hdr.cs.gen[i], sd[i]);
	set_t_now(&m->t);
	if (g) /* P-12: the RANDRr of the RESOLVE_INIT */
		set_randr(&m->randr[MK_RANDR_R], MK_RANDR_R, c->randrr, c->randrr_len);
	if (forking) {
		set_idr(&m->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, c->idrr_bound);
		set_randr(&m->randr[MK_RANDR_KMS], MK_RANDR_KMS, c->randrkms, c->randrkms_len);
	}
	m->v.pl.present = true;
	m->v.alg = c->mac;
	rc = mk_build(m, out, cap, &len);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_ARG, -1, "cannot build TRANSFER_RESP: %s", mk_strerror(rc));
		goto out;
	}
	/* Row D from MPKi, or MPKr' with forking; suffix = the whole
	 * TRANSFER_INIT (P-26). */
	key = forking ? &c->mpkr : &c->mpki;
	ti = msg_new();
	rc = ti && mk_parse(c->tinit, c->tinit_len, ti) == MK_OK ? MK_OK : MK_ERR_BAD_ARG;
	if (rc == MK_OK)
		rc = mk_msg_keyset(&ks, m, ti, key->key, key->key_len);
	if (rc == MK_OK)
		rc = mk_msg_protect(out, m, &ks, ti, NULL);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_CRYPTO, -1, "TRANSFER_RESP protection failed: %s", mk_strerror(rc));
		goto out;
	}
	c->stage = UE_ST_RESPONDED;
	*out_len = len;
	rc = UE_OK;
out:
	mk_keyset_wipe(&ks);
	free(m);
	free(ti);
	return rc;
}

int ue_transfer_error(const uint8_t *tinit, size_t tinit_len, uint8_t code,
		      uint8_t *out, size_t cap, size_t *out_len)
{
	struct mk_msg *m = msg_new(), *ti = msg_new();
	tk_rd rd;
	uint32_t csb = 0;
	uint8_t prf = MK_PRF_MIKEY1;
	int rc = UE_E_PARSE;

	if (!m || !ti)
		goto out;
	/* Even a TRANSFER_INIT we could not parse gives its HDR's CSB ID. */
	if (mk_parse(tinit, tinit_len, ti) == MK_OK) {
		csb = ti->hdr.csb_id;
		prf = ti->hdr.prf;
	} else {
		tk_rd_init(&rd, tinit, tinit_len);
		tk_rd_skip(&rd, 3);
		prf = tk_rd_u8(&rd) & 0x7F;
		csb = tk_rd_u32(&rd);
		if (!tk_rd_ok(&rd) || !mk_prf_valid(prf))
			goto out;
	}
	set_hdr(&m->hdr, MK_DT_ERROR, false, prf, csb);
	m->hdr.map_type = MK_MAP_EMPTY; /* P-21 */
	set_t_now(&m->t);
	m->nerr = 1;
	m->err[0].pl.present = true;
	m->err[0].code = code;
	rc = mk_build(m, out, cap, out_len) == MK_OK ? UE_OK : UE_E_ARG;
out:
	free(m);
	free(ti);
	return rc;
}

/* ---- SRTP keys (row I) -------------------------------------------------------------- */

int ue_srtp_keys(const struct ue_call *c, struct ue_srtp_cs *out, unsigned cap,
		 unsigned *n, struct ue_err *e)
{
	const struct ue_key *keys, *k;
	bool h = (c->flags & MK_TF_H) != 0, g = (c->flags & MK_TF_G) != 0;
	size_t klen = c->srtp_key_len ? c->srtp_key_len : 16;
	unsigned i;
	int rc;

	err_clear(e);
	*n = 0;
	if (!((c->role == UE_ROLE_INITIATOR && c->stage == UE_ST_ACCEPTED) ||
	      (c->role == UE_ROLE_RESPONDER && c->stage >= UE_ST_RESOLVED)))
		return fail(e, UE_E_STATE, -1, "the key exchange is not complete on this side");
	if (c->ncs > cap)
		return fail(e, UE_E_ARG, -1, "too many crypto sessions");
	keys = c->role == UE_ROLE_INITIATOR && c->forked ? c->fkeys : c->keys;
	for (i = 0; i < c->ncs; i++) {
		struct ue_srtp_cs *o = &out[i];

		k = cs_key(keys, c->nkeys, &c->cs[i]);
		if (!k)
			return fail(e, UE_E_STATE, -1, "no session key for CS %u", c->cs[i].cs_id);
		memset(o, 0, sizeof *o);
		o->cs_id = c->cs[i].cs_id;
		o->initiator_sends = c->cs[i].initiator_sends;
		o->ssrc = c->cs[i].ssrc;
		o->roc = c->cs[i].roc;
		o->seq = c->cs[i].seq;
		o->key_len = klen;
		if (k->type == MK_KEY_TEK || k->type == MK_KEY_TEK_SALT) {
			/* A TEK is used as it is. */
			if (k->key_len != klen)
				return fail(e, UE_E_POLICY, -1, "TEK length does not fit the SP");
			memcpy(o->key, k->key, klen);
			rc = MK_OK;
		} else {
			rc = mk_derive_6043_tek((enum mk_prf)c->prf, k->key, k->key_len, MK_C_TEK,
						o->cs_id, h ? c->randri : NULL, h ? c->randri_len : 0,
						g ? c->randrr : NULL, g ? c->randrr_len : 0,
						o->key, klen);
		}
		if (rc == MK_OK && k->salt_len == sizeof o->salt)
			memcpy(o->salt, k->salt, sizeof o->salt);
		else if (rc == MK_OK)
			rc = mk_derive_6043_tek((enum mk_prf)c->prf, k->key, k->key_len,
						MK_C_TGK_SALT, o->cs_id, h ? c->randri : NULL,
						h ? c->randri_len : 0, g ? c->randrr : NULL,
						g ? c->randrr_len : 0, o->salt, sizeof o->salt);
		if (rc != MK_OK) {
			tk_wipe(out, sizeof *out * cap);
			return fail(e, UE_E_CRYPTO, -1, "TEK derivation failed (%d)", rc);
		}
	}
	*n = c->ncs;
	return UE_OK;
}

/* ---- SDP (RFC 4567) ------------------------------------------------------------------- */

int ue_sdp_key_mgmt(const uint8_t *msg, size_t len, char *out, size_t cap)
{
	static const char pre[] = "a=key-mgmt:mikey ";

	if (cap < sizeof pre + tk_b64_encoded_len(len))
		return UE_E_ARG;
	memcpy(out, pre, sizeof pre - 1);
	tk_b64_encode(msg, len, out + sizeof pre - 1);
	return UE_OK;
}

long ue_sdp_parse(const char *text, size_t len, uint8_t *out, size_t cap)
{
	static const char key[] = "key-mgmt:mikey";
	const char *p = text, *end = text + len, *hit;

	for (hit = text; hit + (sizeof key - 1) <= end; hit++)
		if (!memcmp(hit, key, sizeof key - 1)) {
			p = hit + sizeof key - 1;
			break;
		}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	/* The attribute ends at the line end. */
	for (hit = p; hit < end && *hit != '\r' && *hit != '\n'; hit++)
		;
	return tk_b64_decode(p, (size_t)(hit - p), out, cap);
}

/* Largest call state file read back (messages are kept hex encoded). */
#define UE_STATE_FILE_MAX (256 * 1024)

/* ---- state file ------------------------------------------------------------------------ */

static json_t *hexj(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	json_t *j;

	if (!s)
		return NULL;
	tk_hex_encode(p, n, s);
	j = json_string(s);
	tk_wipe(s, 2 * n + 1);
	free(s);
	return j;
}

static json_t *key_json(const struct ue_key *k)
{
	return json_pack("{s:i, s:o, s:o, s:o}", "type", k->type, "key", hexj(k->key, k->key_len),
			 "salt", hexj(k->salt, k->salt_len), "spi", hexj(k->spi, k->spi_len));
}

static json_t *call_json(const struct ue_call *c)
{
	json_t *j = json_object(), *keys = json_array(), *fkeys = json_array(), *cs = json_array();
	unsigned i;

	for (i = 0; i < c->nkeys; i++) {
		json_array_append_new(keys, key_json(&c->keys[i]));
		if (c->forked)
			json_array_append_new(fkeys, key_json(&c->fkeys[i]));
	}
	for (i = 0; i < c->ncs; i++)
		json_array_append_new(cs, json_pack("{s:i, s:b, s:b, s:i, s:I, s:I, s:i, s:o}",
			"cs_id", c->cs[i].cs_id, "initiator_sends", c->cs[i].initiator_sends,
			"filled", c->cs[i].filled, "policy_no", c->cs[i].policy_no,
			"ssrc", (json_int_t)c->cs[i].ssrc, "roc", (json_int_t)c->cs[i].roc,
			"seq", c->cs[i].seq, "spi", hexj(c->cs[i].spi, c->cs[i].spi_len)));
	json_object_set_new(j, "version", json_integer(1));
	json_object_set_new(j, "role", json_string(c->role == UE_ROLE_INITIATOR ? "initiator" :
						    c->role == UE_ROLE_RESPONDER ? "responder" : "none"));
	json_object_set_new(j, "stage", json_integer(c->stage));
	json_object_set_new(j, "impu", json_string(c->impu));
	json_object_set_new(j, "kms", json_string(c->kms));
	json_object_set_new(j, "peer", json_string(c->peer));
	json_object_set_new(j, "prf", json_integer(c->prf));
	json_object_set_new(j, "mac", json_integer(c->mac));
	json_object_set_new(j, "encr", json_integer(c->encr));
	json_object_set_new(j, "flags", json_integer(c->flags));
	json_object_set_new(j, "tp_prf", json_integer(c->tp_prf));
	json_object_set_new(j, "valid_to", json_integer(c->valid_to));
	json_object_set_new(j, "mpki", key_json(&c->mpki));
	json_object_set_new(j, "mpkr", key_json(&c->mpkr));
	json_object_set_new(j, "keys", keys);
	json_object_set_new(j, "forked", json_boolean(c->forked));
	json_object_set_new(j, "observer", json_boolean(c->observer));
	json_object_set_new(j, "mpkr_forked", key_json(&c->mpkr_f));
	json_object_set_new(j, "forked_keys", fkeys);
	json_object_set_new(j, "csb_id", json_integer(c->csb_id));
	json_object_set_new(j, "randri", hexj(c->randri, c->randri_len));
	json_object_set_new(j, "randrr", hexj(c->randrr, c->randrr_len));
	json_object_set_new(j, "idrr_bound", json_string(c->idrr_bound));
	json_object_set_new(j, "randrkms", hexj(c->randrkms, c->randrkms_len));
	json_object_set_new(j, "srtp_key_len", json_integer((json_int_t)c->srtp_key_len));
	json_object_set_new(j, "crypto_sessions", cs);
	json_object_set_new(j, "request_resp", hexj(c->reqresp, c->reqresp_len));
	json_object_set_new(j, "transfer_init", hexj(c->tinit, c->tinit_len));
	json_object_set_new(j, "kms_request", hexj(c->kreq, c->kreq_len));
	return j;
}

int ue_call_save(const struct ue_call *c, const char *path, struct ue_err *e)
{
	json_t *j = call_json(c);
	char *text = j ? json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	int rc = UE_OK;

	err_clear(e);
	if (!text)
		rc = fail(e, UE_E_IO, -1, "cannot encode call state");
	else if (tk_file_write_atomic(path, text, strlen(text), 0600, e ? e->msg : NULL,
				      e ? sizeof e->msg : 0))
		rc = UE_E_IO;
	if (text) {
		tk_wipe(text, strlen(text));
		free(text);
	}
	json_decref(j);
	return rc;
}

static bool hex_in(json_t *j, const char *name, uint8_t *out, size_t cap, size_t *len)
{
	const char *s = json_string_value(json_object_get(j, name));
	long n;

	if (!s)
		return false;
	n = tk_hex_decode(s, out, cap);
	if (n < 0)
		return false;
	*len = (size_t)n;
	return true;
}

static bool str_in(json_t *j, const char *name, char *out, size_t cap)
{
	const char *s = json_string_value(json_object_get(j, name));

	if (!s)
		return false;
	if (!*s) {
		out[0] = '\0';
		return true;
	}
	return cpystr(out, cap, s) != 0;
}

static bool key_in(json_t *j, struct ue_key *k)
{
	memset(k, 0, sizeof *k);
	if (!json_is_object(j))
		return false;
	k->type = (uint8_t)json_integer_value(json_object_get(j, "type"));
	return hex_in(j, "key", k->key, sizeof k->key, &k->key_len) &&
	       hex_in(j, "salt", k->salt, sizeof k->salt, &k->salt_len) &&
	       hex_in(j, "spi", k->spi, sizeof k->spi, &k->spi_len);
}

static bool int_in(json_t *j, const char *name, json_int_t lo, json_int_t hi, json_int_t *v)
{
	json_t *x = json_object_get(j, name);

	if (!json_is_integer(x))
		return false;
	*v = json_integer_value(x);
	return *v >= lo && *v <= hi;
}

int ue_call_load(struct ue_call *c, const char *path, struct ue_err *e)
{
	json_error_t je;
	json_t *j, *a, *x;
	json_int_t v = 0;
	const char *role;
	char *text = NULL;
	size_t len = 0;
	size_t i;
	bool ok;

	err_clear(e);
	ue_call_init(c);
	if (tk_file_read(path, UE_STATE_FILE_MAX, TK_FILE_PRIVATE | TK_FILE_NOFOLLOW, &text, &len,
			 e ? e->msg : NULL, e ? sizeof e->msg : 0))
		return UE_E_IO;
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	tk_wipe(text, len);
	free(text);
	if (!j)
		return fail(e, UE_E_IO, -1, "%s: %s (line %d)", path, je.text, je.line);
	role = json_string_value(json_object_get(j, "role"));
	c->role = role && !strcmp(role, "initiator") ? UE_ROLE_INITIATOR :
		  role && !strcmp(role, "responder") ? UE_ROLE_RESPONDER : UE_ROLE_NONE;
	ok = c->role != UE_ROLE_NONE;
	ok = ok && int_in(j, "stage", 0, UE_ST_RESPONDED, &v);
	c->stage = (int)v;
	ok = ok && str_in(j, "impu", c->impu, sizeof c->impu) &&
	     str_in(j, "kms", c->kms, sizeof c->kms) && str_in(j, "peer", c->peer, sizeof c->peer);
	ok = ok && int_in(j, "prf", 0, 1, &v);
	c->prf = (uint8_t)v;
	ok = ok && int_in(j, "mac", 0, 2, &v);
	c->mac = (uint8_t)v;
	ok = ok && int_in(j, "encr", 0, 3, &v);
	c->encr = (uint8_t)v;
	ok = ok && int_in(j, "flags", 0, 0x1FFFF, &v);
	c->flags = (uint32_t)v;
	ok = ok && int_in(j, "tp_prf", 0, 127, &v);
	c->tp_prf = (uint8_t)v;
	ok = ok && int_in(j, "valid_to", 0, INT64_MAX, &v);
	c->valid_to = v;
	ok = ok && key_in(json_object_get(j, "mpki"), &c->mpki) &&
	     key_in(json_object_get(j, "mpkr"), &c->mpkr) &&
	     key_in(json_object_get(j, "mpkr_forked"), &c->mpkr_f);
	c->forked = json_is_true(json_object_get(j, "forked"));
	c->observer = json_is_true(json_object_get(j, "observer"));
	a = json_object_get(j, "keys");
	ok = ok && json_is_array(a) && json_array_size(a) <= UE_MAX_KEYS;
	json_array_foreach(a, i, x)
		ok = ok && key_in(x, &c->keys[i]);
	c->nkeys = ok ? (unsigned)json_array_size(a) : 0;
	a = json_object_get(j, "forked_keys");
	ok = ok && json_is_array(a) && (c->forked ? json_array_size(a) == c->nkeys : true);
	json_array_foreach(a, i, x)
		ok = ok && i < UE_MAX_KEYS && key_in(x, &c->fkeys[i]);
	ok = ok && int_in(j, "csb_id", 0, UINT32_MAX, &v);
	c->csb_id = (uint32_t)v;
	ok = ok && hex_in(j, "randri", c->randri, sizeof c->randri, &c->randri_len) &&
	     hex_in(j, "randrr", c->randrr, sizeof c->randrr, &c->randrr_len) &&
	     str_in(j, "idrr_bound", c->idrr_bound, sizeof c->idrr_bound) &&
	     hex_in(j, "randrkms", c->randrkms, sizeof c->randrkms, &c->randrkms_len);
	ok = ok && int_in(j, "srtp_key_len", 0, 32, &v);
	c->srtp_key_len = (size_t)v;
	a = json_object_get(j, "crypto_sessions");
	ok = ok && json_is_array(a) && json_array_size(a) <= UE_MAX_CS;
	json_array_foreach(a, i, x) {
		struct ue_cs *cs = &c->cs[i];
		json_int_t id = 0, pn = 0, ssrc = 0, roc = 0, seq = 0;

		if (!ok)
			break; /* also when the file lists more than UE_MAX_CS */
		ok = int_in(x, "cs_id", 0, 255, &id) && int_in(x, "policy_no", 0, 255, &pn) &&
		     int_in(x, "ssrc", 0, UINT32_MAX, &ssrc) && int_in(x, "roc", 0, UINT32_MAX, &roc) &&
		     int_in(x, "seq", 0, 65535, &seq) &&
		     hex_in(x, "spi", cs->spi, sizeof cs->spi, &cs->spi_len);
		cs->cs_id = (uint8_t)id;
		cs->policy_no = (uint8_t)pn;
		cs->ssrc = (uint32_t)ssrc;
		cs->roc = (uint32_t)roc;
		cs->seq = (uint16_t)seq;
		cs->initiator_sends = json_is_true(json_object_get(x, "initiator_sends"));
		cs->filled = json_is_true(json_object_get(x, "filled"));
	}
	c->ncs = ok ? (unsigned)json_array_size(a) : 0;
	ok = ok && hex_in(j, "request_resp", c->reqresp, sizeof c->reqresp, &c->reqresp_len) &&
	     hex_in(j, "transfer_init", c->tinit, sizeof c->tinit, &c->tinit_len) &&
	     hex_in(j, "kms_request", c->kreq, sizeof c->kreq, &c->kreq_len);
	json_decref(j);
	if (!ok) {
		ue_call_wipe(c);
		return fail(e, UE_E_IO, -1, "%s: not a valid tkms-ue call state", path);
	}
	return UE_OK;
}
