/*
 * mprotect.c: message protection, KEMAC content, Initiator Data and the
 * MIKEY base ticket (mikey.md 3.6, 5.3, 5.5-5.8; P-4, P-10, P-12, P-26).
 * All cryptography is in mcrypto.c; this file chooses keys, RANDs and byte
 * spans.
 */
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <nettle/sha2.h>

#include "mikey/mprotect.h"
#include "mikey/payload.h"
#include "util/secret.h"

/* Largest plaintext Key data chain we encrypt from a stack buffer. */
#define PLAIN_MAX 1024

static bool is_initial(uint8_t dt)
{
	return dt == MK_DT_REQUEST_INIT_PSK || dt == MK_DT_REQUEST_INIT_PK ||
	       dt == MK_DT_TRANSFER_INIT || dt == MK_DT_RESOLVE_INIT_PSK ||
	       dt == MK_DT_RESOLVE_INIT_PK;
}

static bool is_pk(uint8_t dt)
{
	return dt == MK_DT_REQUEST_INIT_PK || dt == MK_DT_RESOLVE_INIT_PK;
}

static const struct mk_randr *randr(const struct mk_msg *m, unsigned role)
{
	return m && m->randr[role].pl.present ? &m->randr[role] : NULL;
}

int mk_msg_keyset(struct mk_keyset *ks, const struct mk_msg *m,
		  const struct mk_msg *init, const uint8_t *key, size_t key_len)
{
	const struct mk_randr *ri = NULL, *rr = NULL;
	uint8_t dt = m->hdr.data_type, encr, mac = m->v.alg;
	enum mk_dir dir = is_initial(dt) ? MK_DIR_INITIAL : MK_DIR_RESPONSE;

	memset(ks, 0, sizeof(*ks));
	if (is_pk(dt))
		mac = m->hdr.prf == MK_PRF_HMAC_SHA256 ? MK_MAC_HMAC_SHA256_256 :
		      MK_MAC_HMAC_SHA1_160; /* no V: the PRF names the set (P-8) */
	else if (!m->v.pl.present || mac == MK_MAC_NULL)
		return MK_ERR_ALG;
	encr = m->kemac.pl.present ? m->kemac.encr_alg :
	       m->hdr.prf == MK_PRF_HMAC_SHA256 ? MK_ENCR_AES_CM_256 : MK_ENCR_AES_CM_128;
	if (!mk_prf_valid(m->hdr.prf) || !mk_encr_valid(encr) ||
	    !mk_algs_same_set(m->hdr.prf, encr, mac))
		return MK_ERR_ALG; /* P-8: no NULL MAC, no mixed sets */
	if (!is_initial(dt) && dt != MK_DT_ERROR &&
	    (!init || init->hdr.data_type == MK_DT_ERROR))
		return MK_ERR_BAD_ARG;
	switch (dt) {
	case MK_DT_REQUEST_INIT_PSK:
	case MK_DT_REQUEST_INIT_PK:
	case MK_DT_TRANSFER_INIT:
		if (m->csb_update || (dt == MK_DT_TRANSFER_INIT && !m->ticket.pl.present))
			return MK_ERR_BAD_ARG;
		ri = randr(m, MK_RANDR_I);
		break;
	case MK_DT_REQUEST_RESP:
		ri = randr(init, MK_RANDR_I);
		break;
	case MK_DT_TRANSFER_RESP:
		if (!init->ticket.pl.present)
			return MK_ERR_BAD_ARG; /* CSB update */
		ri = randr(init, MK_RANDR_I);
		if (init->ticket.flags & MK_TF_G) {
			rr = randr(m, MK_RANDR_R);
			if (!rr)
				return MK_ERR_MISSING_PAYLOAD;
		}
		break;
	case MK_DT_RESOLVE_INIT_PSK:
	case MK_DT_RESOLVE_INIT_PK:
		rr = randr(m, MK_RANDR_R);
		break;
	case MK_DT_RESOLVE_RESP:
		rr = randr(init, MK_RANDR_R);
		break;
	default:
		return MK_ERR_BAD_ARG;
	}
	if (!ri && !rr)
		return MK_ERR_MISSING_PAYLOAD;
	return mk_keyset_6043(ks, m->hdr.prf, encr, mac, key, key_len,
			      m->hdr.csb_id, dir,
			      ri ? ri->rand.p : NULL, ri ? ri->rand.n : 0,
			      rr ? rr->rand.p : NULL, rr ? rr->rand.n : 0);
}

/* Identity value of a role: IDR payload, else the caller's inference. */
static const struct mk_bytes *ident(const struct mk_msg *m, unsigned role,
				    const struct mk_bytes *given)
{
	if (m->idr[role].pl.present)
		return &m->idr[role].data;
	if (given && given->p)
		return given;
	/* P-25: a responder without IDRi takes the ticket policy's IDRi. */
	if (role == MK_IDR_I && m->ticket.pl.present && m->ticket.tp.idri.pl.present)
		return &m->ticket.tp.idri.data;
	return NULL;
}

int mk_msg_mac_input(const struct mk_msg *m, const struct mk_msg *init,
		     const struct mk_ids *ids, struct mk_span sp[5], size_t *nsp)
{
	static const struct mk_ids none;
	const struct mk_bytes *a = NULL, *b = NULL;
	uint8_t dt = m->hdr.data_type;
	/* 5.6: up to the MAC field of V, or the signature field of SIGN. */
	size_t end = is_pk(dt) ? m->sign.sig_off : m->v.mac_off, n = 0;

	*nsp = 0;
	if (!ids)
		ids = &none;
	if (!(is_pk(dt) ? m->sign.pl.present : m->v.pl.present) || !m->buf || end > m->len)
		return MK_ERR_BAD_ARG;
	switch (dt) {
	case MK_DT_REQUEST_INIT_PSK:
	case MK_DT_REQUEST_INIT_PK:
		a = ident(m, MK_IDR_I, &ids->i);
		b = ident(m, MK_IDR_KMS, &ids->kms);
		break;
	case MK_DT_TRANSFER_INIT:
		a = ident(m, MK_IDR_I, &ids->i);
		b = ident(m, MK_IDR_R, &ids->r);
		break;
	case MK_DT_RESOLVE_INIT_PSK:
	case MK_DT_RESOLVE_INIT_PK:
		a = ident(m, MK_IDR_R, &ids->r);
		b = ident(m, MK_IDR_KMS, &ids->kms);
		break;
	case MK_DT_REQUEST_RESP:
	case MK_DT_TRANSFER_RESP:
	case MK_DT_RESOLVE_RESP:
		if (!init || !init->buf)
			return MK_ERR_BAD_ARG;
		break;
	case MK_DT_ERROR:
		break;
	default:
		return MK_ERR_BAD_ARG;
	}
	if (dt == MK_DT_TRANSFER_INIT && m->ticket.pl.present && m->ticket.init_data.n) {
		/* 5.6: Initiator Data length + Initiator Data are cut out. */
		size_t cut = m->ticket.init_len_off;

		sp[n++] = (struct mk_span){ m->buf, cut };
		cut += 2 + m->ticket.init_data.n;
		sp[n++] = (struct mk_span){ m->buf + cut, end - cut };
	} else {
		sp[n++] = (struct mk_span){ m->buf, end };
	}
	if (is_initial(dt)) {
		if (!a || !b)
			return MK_ERR_MISSING_PAYLOAD;
		sp[n++] = (struct mk_span){ a->p, a->n };
		sp[n++] = (struct mk_span){ b->p, b->n };
	} else if (dt != MK_DT_ERROR) {
		/* P-26: the whole initial message, Initiator Data included. */
		sp[n++] = (struct mk_span){ init->buf, init->len };
	}
	*nsp = n;
	return MK_OK;
}

int mk_msg_protect(uint8_t *buf, const struct mk_msg *m, const struct mk_keyset *ks,
		   const struct mk_msg *init, const struct mk_ids *ids)
{
	struct mk_span sp[5];
	size_t n;
	int e;

	if (buf != m->buf || ks->mac != m->v.alg)
		return MK_ERR_BAD_ARG;
	e = mk_msg_mac_input(m, init, ids, sp, &n);
	if (e)
		return e;
	e = mk_mac_compute(ks->mac, ks->auth_key, ks->auth_len, sp, n, buf + m->v.mac_off);
	if (e)
		return e;
	if (m->hdr.data_type == MK_DT_TRANSFER_INIT && m->ticket.init_data.n) {
		if (m->ticket.init.vi.alg != m->v.alg)
			return MK_ERR_BAD_ARG;
		memcpy(buf + m->ticket.init.vi.mac_off, buf + m->v.mac_off, m->v.mac.n);
	}
	return MK_OK;
}

int mk_msg_verify(const struct mk_msg *m, const struct mk_keyset *ks,
		  const struct mk_msg *init, const struct mk_ids *ids)
{
	struct mk_span sp[5];
	size_t n;
	int e;

	if (ks->mac != m->v.alg || ks->mac == MK_MAC_NULL)
		return MK_ERR_MAC;
	e = mk_msg_mac_input(m, init, ids, sp, &n);
	if (e)
		return e;
	return mk_mac_verify(ks->mac, ks->auth_key, ks->auth_len, sp, n,
			     m->v.mac.p, m->v.mac.n) ? MK_OK : MK_ERR_MAC;
}

/* ---- Initiator Data (3.6, row E) ---- */

static int vr_mac(const struct mk_ticket *tk, const uint8_t *mpkr, size_t mpkr_len,
		  uint8_t *out, const uint8_t *check)
{
	const struct mk_init_data *id = &tk->init;
	uint8_t key[MK_MAX_AUTH_KEY];
	size_t klen = mk_auth_key_len(id->vr.alg);
	struct mk_span sp;
	int e;

	if (!tk->init_data.n || !klen || id->vr.mac.p < tk->init_data.p)
		return MK_ERR_BAD_ARG;
	sp.p = tk->init_data.p;
	sp.n = (size_t)(id->vr.mac.p - tk->init_data.p);
	e = mk_derive_vr_key(tk->prf, mpkr, mpkr_len, key, klen);
	if (!e) {
		if (check)
			e = mk_mac_verify(id->vr.alg, key, klen, &sp, 1, check,
					  id->vr.mac.n) ? MK_OK : MK_ERR_MAC;
		else
			e = mk_mac_compute(id->vr.alg, key, klen, &sp, 1, out);
	}
	tk_wipe(key, sizeof(key));
	return e;
}

int mk_init_data_protect(uint8_t *buf, const struct mk_msg *m,
			 const uint8_t *mpkr, size_t mpkr_len)
{
	if (buf != m->buf || m->hdr.data_type != MK_DT_TRANSFER_INIT)
		return MK_ERR_BAD_ARG;
	return vr_mac(&m->ticket, mpkr, mpkr_len, buf + m->ticket.init.vr.mac_off, NULL);
}

int mk_init_data_verify_vr(const struct mk_ticket *tk, const uint8_t *mpkr,
			   size_t mpkr_len)
{
	if (!tk->init_data.n)
		return MK_ERR_MISSING_PAYLOAD;
	return vr_mac(tk, mpkr, mpkr_len, NULL, tk->init.vr.mac.p);
}

int mk_init_data_check_vi(const struct mk_msg *ti)
{
	const struct mk_v *vi = &ti->ticket.init.vi;

	if (!ti->ticket.init_data.n)
		return MK_ERR_MISSING_PAYLOAD;
	if (vi->alg != ti->v.alg || vi->mac.n != ti->v.mac.n || !vi->mac.n)
		return MK_ERR_MAC;
	return tk_ct_equal(vi->mac.p, ti->v.mac.p, vi->mac.n) ? MK_OK : MK_ERR_MAC;
}

/* ---- KEMAC content (5.5) ---- */

int mk_kemac_seal(const struct mk_keylist *kl, const struct mk_keyset *ks,
		  uint32_t csb_id, const struct mk_t *t,
		  uint8_t *out, size_t cap, size_t *out_len)
{
	uint64_t t64 = mk_ts_iv_value(t->ts_type, t->ts);
	uint8_t plain[PLAIN_MAX];
	size_t n;
	int e;

	*out_len = 0;
	if (ks->encr != MK_ENCR_AES_KW_128) {
		/* Counter mode works in place; on failure no plaintext key chain
		 * may be left in out. */
		e = mk_keylist_build(kl, out, cap, &n);
		if (!e)
			e = mk_kemac_encrypt(ks, csb_id, t64, out, n, out, cap, out_len);
		if (e)
			tk_wipe(out, cap);
		return e;
	}
	e = mk_keylist_build(kl, plain, sizeof(plain), &n);
	if (!e)
		e = mk_kemac_encrypt(ks, csb_id, t64, plain, n, out, cap, out_len);
	tk_wipe(plain, sizeof(plain));
	return e;
}

int mk_kemac_open(const struct mk_kemac *k, const struct mk_keyset *ks,
		  uint32_t csb_id, const struct mk_t *t,
		  uint8_t *plain, size_t cap, struct mk_keylist *kl)
{
	size_t n = 0, eoff;
	int e;

	kl->n = 0;
	if (!k->pl.present || !t->pl.present)
		return MK_ERR_MISSING_PAYLOAD;
	if (k->encr_alg != ks->encr)
		return MK_ERR_ALG;
	e = mk_kemac_decrypt(ks, csb_id, mk_ts_iv_value(t->ts_type, t->ts),
			     k->encr.p, k->encr.n, plain, cap, &n);
	if (e)
		return e;
	e = mkp_keylist_parse(plain, n, ks->encr == MK_ENCR_AES_KW_128, kl, &eoff);
	if (e)
		tk_wipe(plain, n);
	return e;
}

/* ---- MIKEY base ticket (P-10, mikey.md 3.6, 5.7, 5.8) ---- */

/* Spans of the ticket MAC: the TICKET payload without its NP byte, the
 * Initiator Data length and data, and the MAC itself. */
static void ticket_spans(const struct mk_ticket *tk, const uint8_t *mac,
			 uint8_t fixed[9], uint8_t qlen[2], struct mk_span sp[4])
{
	mkp_ticket_fixed(tk, tk->tp_data_raw.n, fixed);
	qlen[0] = (uint8_t)(tk->ticket_data.n >> 8);
	qlen[1] = (uint8_t)tk->ticket_data.n;
	sp[0] = (struct mk_span){ fixed, 9 };
	sp[1] = (struct mk_span){ tk->tp_data_raw.p, tk->tp_data_raw.n };
	sp[2] = (struct mk_span){ qlen, 2 };
	sp[3] = (struct mk_span){ tk->ticket_data.p, (size_t)(mac - tk->ticket_data.p) };
}

int mk_ticket_seal(struct mk_ticket *tk, const struct mk_seal_in *in,
		   uint8_t *out, size_t cap, size_t *out_len)
{
	struct mk_keyset ks;
	struct mk_ticket_data td;
	struct mk_bw b;
	struct mk_pl *saved_prev;
	uint8_t thdr[MK_THDR_LEN], fixed[9], qlen[2];
	struct mk_span sp[4];
	size_t tpn, tdn = 0, kn;
	uint8_t *tdp;
	int e;

	*out_len = 0;
	memset(&ks, 0, sizeof(ks));
	if (!in->keys || !in->keys->n || in->keys->k[0].type != MK_KEY_MPK || !in->tpk)
		return MK_ERR_BAD_ARG;
	/* TP Data */
	mkp_bw_init(&b, out, cap);
	mkp_bw_nest(&b, &saved_prev);
	mkp_wr_tp_data(&b, &tk->tp);
	if ((e = mkp_bw_err(&b)))
		return e;
	tpn = b.wr.len;
	tk->tp.first = out[0];
	tk->tp_data_raw = (struct mk_bytes){ out, tpn };
	tk->is_ticket = true;
	tk->init_data = (struct mk_bytes){ NULL, 0 };
	if (tk->prf > 0x7f || mk_tp_flags_check(tk->flags))
		return MK_ERR_BAD_FLAGS;

	/* Ticket Data: THDR, T, RAND, KEMAC, [IDRpsk], V */
	memset(&td, 0, sizeof(td));
	thdr[0] = MK_THDR_VERSION;
	thdr[1] = (uint8_t)(in->tpk->key_id >> 24);
	thdr[2] = (uint8_t)(in->tpk->key_id >> 16);
	thdr[3] = (uint8_t)(in->tpk->key_id >> 8);
	thdr[4] = (uint8_t)in->tpk->key_id;
	td.thdr.data = (struct mk_bytes){ thdr, sizeof(thdr) };
	td.t.pl.present = true;
	td.t.ts_type = MK_TS_NTP_UTC;
	td.t.ts = in->t;
	td.rand.pl.present = true;
	td.rand.rand = in->rand;
	td.kemac.pl.present = true;
	td.kemac.encr_alg = MK_ENCR_AES_CM_256;
	td.kemac.mac_alg = MK_MAC_NULL;
	if (in->idrpsk)
		td.idrpsk = *in->idrpsk;
	td.v.pl.present = true;
	td.v.alg = MK_MAC_HMAC_SHA256_256;
	tdp = out + tpn;
	/* The plaintext chain is built in place of the KEMAC data: build the
	 * Ticket Data once with a zero KEMAC of the right size, then write
	 * and encrypt the chain there. */
	e = mk_keylist_build(in->keys, tdp, cap - tpn, &kn);
	if (e)
		goto out;
	td.kemac.encr = (struct mk_bytes){ NULL, kn };
	e = mk_ticket_data_build(&td, tdp, cap - tpn, &tdn);
	if (e)
		goto out;
	e = mk_keylist_build(in->keys, tdp + td.kemac.encr_off, kn, &kn);
	if (e)
		goto out;
	e = mk_keyset_ticket(&ks, tk->prf, MK_ENCR_AES_CM_256, MK_MAC_HMAC_SHA256_256,
			     in->tpk->key, in->tpk->len, in->rand.p, in->rand.n);
	if (e)
		goto out;
	e = mk_kemac_encrypt(&ks, 0xffffffffu, mk_ts_iv_value(MK_TS_NTP_UTC, in->t),
			     tdp + td.kemac.encr_off, kn, tdp + td.kemac.encr_off, kn, &kn);
	if (e)
		goto out;
	tk->ticket_data = (struct mk_bytes){ tdp, tdn };
	ticket_spans(tk, tdp + td.v.mac_off, fixed, qlen, sp);
	e = mk_mac_compute(ks.mac, ks.auth_key, ks.auth_len, sp, 4, tdp + td.v.mac_off);
	if (!e)
		*out_len = tpn + tdn;
out:
	mk_keyset_wipe(&ks);
	if (e) /* the plaintext chain may reach past a partial Ticket Data */
		tk_wipe(out, cap);
	return e;
}

int mk_ticket_open(const struct mk_ticket *tk, const struct mk_tpk *tpks,
		   unsigned ntpk, uint8_t *plain, size_t cap,
		   struct mk_ticket_keys *out)
{
	struct mk_ticket_data *td = &out->td;
	const struct mk_tpk *tpk = NULL;
	struct mk_keyset ks;
	uint8_t fixed[9], qlen[2];
	struct mk_span sp[4];
	size_t eoff;
	unsigned i;
	int e;

	memset(out, 0, sizeof(*out));
	if (!tk->pl.present || !tk->is_ticket)
		return MK_ERR_MISSING_PAYLOAD;
	if (tk->ticket_type != MK_TICKET_MIKEY_BASE ||
	    tk->subtype != MK_BASE_TICKET_SUBTYPE || tk->version != MK_BASE_TICKET_VERSION)
		return MK_ERR_BAD_VALUE;
	e = mk_ticket_data_parse(tk->ticket_data.p, tk->ticket_data.n, td, &eoff);
	if (e)
		return e;
	if (td->thdr.data.n != MK_THDR_LEN || td->thdr.data.p[0] != MK_THDR_VERSION)
		return MK_ERR_BAD_VALUE;
	out->key_id = (uint32_t)td->thdr.data.p[1] << 24 | (uint32_t)td->thdr.data.p[2] << 16 |
		      (uint32_t)td->thdr.data.p[3] << 8 | td->thdr.data.p[4];
	for (i = 0; i < ntpk && !tpk; i++)
		if (tpks[i].key_id == out->key_id)
			tpk = &tpks[i];
	if (!tpk)
		return MK_ERR_UNKNOWN_KEY;
	/* P-10: whatever the UE used, tickets are AES-CM-256 + HMAC-SHA-256. */
	if (td->v.alg != MK_MAC_HMAC_SHA256_256 || td->kemac.encr_alg != MK_ENCR_AES_CM_256 ||
	    td->kemac.mac_alg != MK_MAC_NULL)
		return MK_ERR_ALG;
	e = mk_keyset_ticket(&ks, tk->prf, MK_ENCR_AES_CM_256, MK_MAC_HMAC_SHA256_256,
			     tpk->key, tpk->len, td->rand.rand.p, td->rand.rand.n);
	if (e)
		return e;
	ticket_spans(tk, td->v.mac.p, fixed, qlen, sp);
	if (!mk_mac_verify(ks.mac, ks.auth_key, ks.auth_len, sp, 4, td->v.mac.p, td->v.mac.n)) {
		e = MK_ERR_MAC;
		goto out;
	}
	e = mk_kemac_open(&td->kemac, &ks, 0xffffffffu, &td->t, plain, cap, &out->keys);
	if (e)
		goto out;
	if (out->keys.k[0].type != MK_KEY_MPK || out->keys.k[0].key.n > sizeof(out->mpki) ||
	    !out->keys.k[0].key.n) {
		e = MK_ERR_BAD_VALUE;
		goto out;
	}
	out->mpk_len = out->keys.k[0].key.n;
	e = mk_derive_mpki(tk->prf, out->keys.k[0].key.p, out->mpk_len,
			   td->rand.rand.p, td->rand.rand.n, out->mpki);
	if (!e)
		e = mk_derive_mpkr(tk->prf, out->keys.k[0].key.p, out->mpk_len,
				   td->rand.rand.p, td->rand.rand.n, out->mpkr);
out:
	mk_keyset_wipe(&ks);
	if (e) {
		if (out->keys.n)
			tk_wipe(plain, cap);
		mk_ticket_keys_wipe(out);
	}
	return e;
}

void mk_ticket_keys_wipe(struct mk_ticket_keys *k)
{
	tk_wipe(k->mpki, sizeof(k->mpki));
	tk_wipe(k->mpkr, sizeof(k->mpkr));
	k->keys.n = 0;
}

/* ---- PK variants (RFC 6043 4.2; SIGN / PKE of mikey.md 3.4, 5.6) ---- */


static gnutls_sign_algorithm_t sign_alg(uint8_t s_type)
{
	switch (s_type) {
	case MK_SIGN_RSA_PKCS1: return GNUTLS_SIGN_RSA_SHA256;
	case MK_SIGN_RSA_PSS: return GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
	default: return GNUTLS_SIGN_UNKNOWN;
	}
}

/* SHA-256 of the signed bytes of 5.6 (message up to the signature field,
 * then the two identities); GnuTLS then signs / verifies that digest. */
static int sign_digest(const struct mk_msg *m, const struct mk_ids *ids,
		       uint8_t dig[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx h;
	struct mk_span sp[5];
	size_t n, i;
	int e;

	if (m->hdr.data_type != MK_DT_REQUEST_INIT_PK &&
	    m->hdr.data_type != MK_DT_RESOLVE_INIT_PK)
		return MK_ERR_BAD_ARG;
	e = mk_msg_mac_input(m, NULL, ids, sp, &n);
	if (e)
		return e;
	sha256_init(&h);
	for (i = 0; i < n; i++)
		sha256_update(&h, sp[i].n, sp[i].p);
	sha256_digest(&h, SHA256_DIGEST_SIZE, dig);
	return MK_OK;
}

int mk_pke_seal(struct gnutls_pubkey_st *kms, const uint8_t *env_key,
		uint8_t *out, size_t cap, size_t *out_len)
{
	gnutls_datum_t pt = { (unsigned char *)env_key, MK_ENV_KEY_LEN }, ct = { NULL, 0 };
	int e = MK_OK;

	*out_len = 0;
	if (!kms || gnutls_pubkey_get_pk_algorithm(kms, NULL) != GNUTLS_PK_RSA)
		return MK_ERR_BAD_ARG;
	if (gnutls_pubkey_encrypt_data(kms, 0, &pt, &ct) < 0)
		return MK_ERR_PKE;
	if (ct.size > cap || ct.size > 0x3fff)
		e = MK_ERR_NOSPACE;
	else {
		memcpy(out, ct.data, ct.size);
		*out_len = ct.size;
	}
	gnutls_free(ct.data);
	return e;
}

int mk_pke_open(struct gnutls_privkey_st *kms, const struct mk_pke *pke,
		uint8_t env_key[MK_ENV_KEY_LEN])
{
	gnutls_datum_t ct;

	if (!kms || !pke->pl.present || !pke->data.n)
		return MK_ERR_PKE;
	ct.data = (unsigned char *)pke->data.p;
	ct.size = (unsigned)pke->data.n;
	/* decrypt_data2: fixed-size output, no distinguishable padding errors */
	if (gnutls_privkey_decrypt_data2(kms, 0, &ct, env_key, MK_ENV_KEY_LEN) < 0) {
		tk_wipe(env_key, MK_ENV_KEY_LEN);
		return MK_ERR_PKE;
	}
	return MK_OK;
}

size_t mk_sign_len(struct gnutls_privkey_st *key)
{
	unsigned bits = 0;

	if (!key || gnutls_privkey_get_pk_algorithm(key, &bits) != GNUTLS_PK_RSA)
		return 0;
	return (bits + 7) / 8;
}

int mk_msg_sign(uint8_t *buf, const struct mk_msg *m, struct gnutls_privkey_st *key,
		const struct mk_ids *ids)
{
	uint8_t dig[SHA256_DIGEST_SIZE];
	gnutls_datum_t d = { dig, sizeof(dig) }, sig = { NULL, 0 };
	gnutls_sign_algorithm_t alg = sign_alg(m->sign.s_type);
	int e;

	if (!key || buf != m->buf || !m->sign.pl.present || alg == GNUTLS_SIGN_UNKNOWN ||
	    m->sign.sig.n != mk_sign_len(key))
		return MK_ERR_BAD_ARG;
	e = sign_digest(m, ids, dig);
	if (e)
		return e;
	if (gnutls_privkey_sign_hash2(key, alg, 0, &d, &sig) < 0 || sig.size != m->sign.sig.n)
		e = MK_ERR_SIGN;
	else
		memcpy(buf + m->sign.sig_off, sig.data, sig.size);
	gnutls_free(sig.data);
	return e;
}

int mk_msg_verify_sign(const struct mk_msg *m, struct gnutls_pubkey_st *pub,
		       const struct mk_ids *ids)
{
	uint8_t dig[SHA256_DIGEST_SIZE];
	gnutls_datum_t d = { dig, sizeof(dig) }, sig;
	gnutls_sign_algorithm_t alg = sign_alg(m->sign.s_type);

	if (!pub || !m->sign.pl.present || alg == GNUTLS_SIGN_UNKNOWN || !m->sign.sig.n)
		return MK_ERR_SIGN;
	if (sign_digest(m, ids, dig) != MK_OK)
		return MK_ERR_SIGN;
	sig.data = (unsigned char *)m->sign.sig.p;
	sig.size = (unsigned)m->sign.sig.n;
	return gnutls_pubkey_verify_hash2(pub, alg, 0, &d, &sig) < 0 ? MK_ERR_SIGN : MK_OK;
}
