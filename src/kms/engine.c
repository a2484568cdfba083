/*
 * engine.c: the KMS ticket engine (see engine.h).  One function per step of
 * profile P-21 for an initial message, then the two operations: issuing a
 * ticket for REQUEST_INIT_PSK (P-10, P-11, P-13, P-19, P-23, mikey.md 5.7)
 * and resolving one for RESOLVE_INIT_PSK (P-14, P-22, P-25, mikey.md 5.8).
 * Message protection (V coverage, rows C/D) and the base ticket's sealing
 * come from the MIKEY library (mikey/mprotect.h); this file decides.  The
 * PK variants (REQUEST_INIT_PK / RESOLVE_INIT_PK) replace the key and MAC
 * steps by step_pk (kms/pkauth.h) and then share everything else; password
 * users replace the B-TID key source by cfg.users (IDRpsk of type Byte
 * string).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <nettle/sha2.h>

#include "kms/engine.h"
#include "kms/keyring.h"
#include "kms/pkauth.h"
#include "kms/policy.h"
#include "kms/replay.h"
#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "util/hexb64.h"
#include "util/secret.h"

#define RAND_MIN_LEN 32   /* P-20 */
/* A PK sender's env_key stands where a Ks_NAF would. */
_Static_assert(MK_ENV_KEY_LEN == TK_GBA_KEY_LEN, "env_key and Ks_NAF lengths differ");
#define RANDRKMS_LEN 32   /* P-20 */
#define TICKET_RAND_LEN 32 /* >= max(|TPK|, |MPK|), mikey.md 3.6 */
#define KEYBUF 2048       /* plaintext / encrypted key chains */
#define TP_MAX 2048       /* granted TP Data: keeps a RESOLVE_RESP / REQUEST_RESP in 4 KiB */
#define TDBUF (TP_MAX + 1024) /* TP Data + Ticket Data */

struct kms_engine {
	struct kms_engine_config cfg;
	char *fqdn;
	size_t fqdn_len;
	struct kms_policy_limits lim;
};

/* Everything one message needs, on the caller's stack. */
struct req {
	const struct kms_engine *e;
	struct kms_result *res;
	const struct kms_transport_id *tid;
	const uint8_t *buf;
	size_t len;
	uint64_t now_ntp;
	int64_t now;
	int64_t t;                  /* the message's T in Unix seconds, once checked */
	struct mk_msg m;
	/* HDR as far as it could be read (for an Error message) */
	bool have_hdr;
	uint8_t prf;
	uint32_t csb_id;
	/* the algorithm set of the message (P-8) */
	enum mk_encr encr;
	enum mk_mac mac;
	/* the sender: a B-TID, a password user (IDRpsk of type Byte string)
	 * or a certificate user (PK variants, whose env_key stands in sub.ks_naf) */
	const uint8_t *btid;
	size_t btid_len;
	bool user, pk;
	const struct kms_key_source *src;
	struct kms_pk_sender pks;
	struct kms_subscriber sub;
	bool have_sub;
	const uint8_t *own_id;      /* IDRi (request) or IDRr (resolve), P-4 */
	size_t own_id_len;
	/* row C keys of the message, once its MAC verified */
	bool verified;
	struct mk_keyset kin;
};

/* ---- names ---------------------------------------------------------------- */

const char *kms_outcome_str(enum kms_outcome o)
{
	static const char *const s[] = {
		[KMS_OUT_OK] = "ok",
		[KMS_OUT_MALFORMED] = "malformed",
		[KMS_OUT_UNSUPPORTED] = "unsupported",
		[KMS_OUT_BAD_TIMESTAMP] = "bad-timestamp",
		[KMS_OUT_REPLAY] = "replay",
		[KMS_OUT_BOOTSTRAP_REQUIRED] = "bootstrap-required",
		[KMS_OUT_AUTH_FAILED] = "auth-failed",
		[KMS_OUT_FORBIDDEN] = "forbidden",
		[KMS_OUT_TICKET_INVALID] = "ticket-invalid",
		[KMS_OUT_TICKET_TYPE] = "ticket-type",
		[KMS_OUT_TP_PARAM] = "tp-param",
		[KMS_OUT_BSF_UNAVAILABLE] = "bsf-unavailable",
		[KMS_OUT_REPLAY_FULL] = "replay-full",
		[KMS_OUT_INTERNAL] = "internal",
	};
	return (unsigned)o < KMS_OUT_END ? s[o] : "?";
}

const char *kms_op_str(enum kms_op op)
{
	return op == KMS_OP_REQUEST ? "request" : op == KMS_OP_RESOLVE ? "resolve" : "unknown";
}

const char *kms_authz_str(enum kms_authz a)
{
	switch (a) {
	case KMS_AUTHZ_SUBSCRIBER: return "subscriber";
	case KMS_AUTHZ_LISTED: return "listed";
	case KMS_AUTHZ_GROUP: return "group";
	case KMS_AUTHZ_NF: return "network-function";
	case KMS_AUTHZ_NF_INTERCEPT: return "network-function-intercept";
	case KMS_AUTHZ_NONE: break;
	}
	return "none";
}

/* ---- small helpers ---------------------------------------------------------- */

static void copy_id(char *dst, size_t cap, const void *p, size_t n)
{
	size_t i;

	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++) {
		char ch = ((const char *)p)[i];
		dst[i] = (ch < 0x20 || ch == 0x7f) ? '?' : ch;
	}
	dst[n] = 0;
}

static void append_id(char *dst, size_t cap, const void *p, size_t n)
{
	size_t l = strlen(dst);

	if (l && l + 1 < cap)
		dst[l++] = ' ';
	if (l < cap)
		copy_id(dst + l, cap - l, p, n);
}

static bool bytes_eq(const void *a, size_t an, const void *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static bool str_eq(const char *s, const void *p, size_t n)
{
	return bytes_eq(s, strlen(s), p, n);
}

static bool rnd(void *p, size_t n)
{
	return gnutls_rnd(GNUTLS_RND_KEY, p, n) == 0;
}

static enum kms_outcome fail(struct req *r, enum kms_outcome o, const char *why)
{
	r->res->outcome = o;
	r->res->detail = why;
	return o;
}

/* ---- Error messages (P-6, P-21, mikey.md 4 / 6.4) -------------------------- */

static int error_no(enum kms_outcome o, int hint)
{
	switch (o) {
	case KMS_OUT_BAD_TIMESTAMP:
	case KMS_OUT_REPLAY:
		return MK_E_INVALID_TS;
	case KMS_OUT_BOOTSTRAP_REQUIRED:
	case KMS_OUT_AUTH_FAILED:
	case KMS_OUT_FORBIDDEN:
	case KMS_OUT_TICKET_INVALID:
		return MK_E_AUTH_FAILURE;
	case KMS_OUT_TICKET_TYPE:
		return MK_E_INVALID_TICKET;
	case KMS_OUT_TP_PARAM:
		return MK_E_INVALID_TPPAR;
	case KMS_OUT_MALFORMED:
	case KMS_OUT_UNSUPPORTED:
		return hint >= 0 ? hint : MK_E_UNSPECIFIED;
	default:
		return MK_E_UNSPECIFIED;
	}
}

/*
 * Error message: HDR (version, PRF, CSB ID copied; #CS 0, Empty map), a
 * fresh NTP-UTC T, one ERR, and a V MAC under the failed message's row C
 * auth key only when that message's MAC verified (P-21).
 */
static void build_error(struct req *r, int code)
{
	struct kms_result *res = r->res;
	struct mk_msg em;
	size_t out = 0;

	res->mikey_error = code;
	res->error_maced = false;
	res->resp_len = 0;
	if (!r->have_hdr || !res->resp)
		return;
	memset(&em, 0, sizeof(em));
	em.hdr.pl.present = true;
	em.hdr.version = MK_VERSION;
	em.hdr.data_type = MK_DT_ERROR;
	em.hdr.prf = r->prf;
	em.hdr.csb_id = r->csb_id;
	em.hdr.map_type = MK_MAP_EMPTY;
	em.t.pl.present = true;
	em.t.ts_type = MK_TS_NTP_UTC;
	em.t.ts = r->now_ntp;
	em.nerr = 1;
	em.err[0].pl.present = true;
	em.err[0].code = (uint8_t)code;
	if (r->verified) {
		em.v.pl.present = true;
		em.v.alg = r->mac;
	}
	if (mk_build(&em, res->resp, res->resp_cap, &out) != MK_OK)
		return;
	if (r->verified) {
		if (mk_msg_protect(res->resp, &em, &r->kin, NULL, NULL) != MK_OK)
			return;
		res->error_maced = true;
	}
	res->resp_len = out;
}

static enum kms_outcome refuse(struct req *r, enum kms_outcome o, int hint,
			       const char *why)
{
	fail(r, o, why);
	build_error(r, error_no(o, hint));
	return o;
}

/* ---- P-21 steps --------------------------------------------------------------- */

/* The HDR fields an Error needs, read by hand when the parser gave up.
 * An Error is never answered with an Error (mikey.md 6.4). */
static void peek_hdr(struct req *r)
{
	if (r->len >= 10 && r->buf[0] == MK_VERSION && r->buf[1] != MK_DT_ERROR) {
		r->have_hdr = true;
		r->prf = r->buf[3] & 0x7f;
		r->csb_id = (uint32_t)r->buf[4] << 24 | (uint32_t)r->buf[5] << 16 |
			    (uint32_t)r->buf[6] << 8 | r->buf[7];
	}
}

static enum kms_outcome step_parse(struct req *r)
{
	struct mk_msg *m = &r->m;
	int rc;
	uint8_t dt;

	peek_hdr(r);
	rc = mk_parse(r->buf, r->len, m);
	if (rc == MK_ERR_UNSUPPORTED_VERSION) {
		r->have_hdr = false;
		return fail(r, KMS_OUT_UNSUPPORTED, "MIKEY version not 1");
	}
	if (rc == MK_ERR_BAD_DATA_TYPE)
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_DT, "data type not handled");
	if (rc == MK_ERR_BAD_ALG)
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_MAC, "unknown algorithm");
	if (rc != MK_OK)
		return refuse(r, KMS_OUT_MALFORMED, MK_E_UNSPECIFIED, mk_strerror(rc));

	dt = m->hdr.data_type;
	r->pk = dt == MK_DT_REQUEST_INIT_PK || dt == MK_DT_RESOLVE_INIT_PK;
	if (r->pk && !r->e->cfg.pk)
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_DT, "public-key variants not offered");
	if (!r->pk && dt != MK_DT_REQUEST_INIT_PSK && dt != MK_DT_RESOLVE_INIT_PSK)
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_DT, "not an initial message for a KMS");
	r->res->audit.op = dt == MK_DT_REQUEST_INIT_PSK || dt == MK_DT_REQUEST_INIT_PK ?
			   KMS_OP_REQUEST : KMS_OP_RESOLVE;

	/* P-8: the HDR PRF and the V MAC name one set; NULL MAC is a downgrade.
	 * A PK message has no V: its PRF names the set. */
	if (!mk_prf_valid(m->hdr.prf))
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_PRF, "unknown PRF");
	if (!r->pk && m->v.alg == MK_MAC_NULL)
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_MAC, "NULL MAC refused (P-8)");
	r->encr = m->hdr.prf == MK_PRF_HMAC_SHA256 ? MK_ENCR_AES_CM_256 : MK_ENCR_AES_CM_128;
	r->mac = r->pk ? (m->hdr.prf == MK_PRF_HMAC_SHA256 ? MK_MAC_HMAC_SHA256_256 :
			  MK_MAC_HMAC_SHA1_160) : (enum mk_mac)m->v.alg;
	if (!mk_mac_valid(m->v.alg) ||
	    !mk_algs_same_set((enum mk_prf)m->hdr.prf, r->encr, r->mac))
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_MAC, "PRF and MAC from different sets (P-8)");
	if (!(r->e->cfg.sets & (m->hdr.prf == MK_PRF_HMAC_SHA256 ? KMS_SET_256 : KMS_SET_128)))
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_PRF, "algorithm set not enabled");

	{
		const struct mk_randr *rr = &m->randr[r->res->audit.op == KMS_OP_REQUEST ?
						      MK_RANDR_I : MK_RANDR_R];
		if (!rr->pl.present)
			return refuse(r, KMS_OUT_MALFORMED, MK_E_UNSPECIFIED, "RANDR missing");
		if (rr->rand.n < RAND_MIN_LEN)
			return refuse(r, KMS_OUT_MALFORMED, MK_E_UNSPECIFIED, "RANDR shorter than 32 octets (P-20)");
	}
	if (r->pk)
		return KMS_OUT_OK; /* the sender is known once its certificate is checked */
	/* P-2: IDRpsk is the B-TID (NAI) or, for a password user, the username
	 * (Byte string, the ID type RFC 6043 meant for PSK identifiers). */
	r->user = m->idr[MK_IDR_PSK].pl.present && m->idr[MK_IDR_PSK].id_type == MK_ID_BYTES &&
		  r->e->cfg.users.lookup;
	r->src = r->user ? &r->e->cfg.users : &r->e->cfg.keys;
	if (!m->idr[MK_IDR_PSK].pl.present || (m->idr[MK_IDR_PSK].id_type != MK_ID_NAI && !r->user) ||
	    m->idr[MK_IDR_PSK].data.n == 0)
		return refuse(r, KMS_OUT_MALFORMED, MK_E_INVALID_ID, "IDRpsk (NAI, the B-TID) missing (P-2)");
	r->btid = m->idr[MK_IDR_PSK].data.p;
	r->btid_len = m->idr[MK_IDR_PSK].data.n;
	copy_id(r->res->audit.btid, sizeof(r->res->audit.btid), r->btid, r->btid_len);
	return KMS_OUT_OK;
}

/* P-9: NTP types only, inside +-skew of the KMS clock. */
static enum kms_outcome step_timestamp(struct req *r)
{
	const struct mk_t *t = &r->m.t;
	int ok = 0;

	if (t->ts_type != MK_TS_NTP_UTC && t->ts_type != MK_TS_NTP &&
	    t->ts_type != MK_TS_NTP_UTC_32)
		return refuse(r, KMS_OUT_BAD_TIMESTAMP, -1, "T is not an NTP type (P-9)");
	r->t = mk_ts_to_unix(t->ts_type, t->ts, &ok);
	if (!ok || r->t < r->now - (int64_t)r->e->cfg.skew_s ||
	    r->t > r->now + (int64_t)r->e->cfg.skew_s)
		return refuse(r, KMS_OUT_BAD_TIMESTAMP, -1, "T outside the window (P-9)");
	return KMS_OUT_OK;
}

/* P-2: a B-TID the transport authenticated must be the MIKEY sender's.
 * Checked before the key lookup so that a mismatch costs no Zn request. */
static enum kms_outcome step_transport(struct req *r, const struct kms_transport_id *tid)
{
	bool user_tid = tid && tid->kind == KMS_TID_USER;

	if (!tid || (tid->kind != KMS_TID_PSK_BTID && tid->kind != KMS_TID_DIGEST_BTID && !user_tid))
		return KMS_OUT_OK;
	/* A Digest username of the users realm names a password user, a GBA
	 * one a B-TID: each must be the MIKEY sender's IDRpsk of its kind. */
	if (!tid->value || user_tid != r->user || !bytes_eq(tid->value, tid->len, r->btid, r->btid_len))
		return refuse(r, KMS_OUT_AUTH_FAILED, -1, "transport B-TID differs from IDRpsk (P-2)");
	return KMS_OUT_OK;
}

static enum kms_outcome step_key(struct req *r)
{
	const struct kms_key_source *ks = r->src;
	enum kms_key_status st;

	memset(&r->sub, 0, sizeof(r->sub));
	st = ks->lookup(ks->ctx, (const char *)r->btid, r->btid_len, TK_UA_IMS_KMS, &r->sub);
	if (st == KMS_KEY_UNAVAILABLE)
		return refuse(r, KMS_OUT_BSF_UNAVAILABLE, -1, "BSF unavailable");
	if (st == KMS_KEY_NOT_AUTHORIZED)
		return refuse(r, KMS_OUT_FORBIDDEN, -1, "the BSF does not authorize the KMS for this subscriber");
	if (st != KMS_KEY_OK)
		return refuse(r, KMS_OUT_BOOTSTRAP_REQUIRED, -1,
			      r->user ? "no such password user" : "no GBA key for the B-TID");
	r->have_sub = true;
	if (r->sub.impi)
		copy_id(r->res->audit.impi, sizeof(r->res->audit.impi), r->sub.impi, strlen(r->sub.impi));
	if (r->sub.expiry <= r->now)
		return refuse(r, KMS_OUT_BOOTSTRAP_REQUIRED, -1, "GBA key expired");
	return KMS_OUT_OK;
}

/* P-4: the sender's identity as it enters the MAC suffix. */
static void own_identity(struct req *r)
{
	const struct mk_idr *id = &r->m.idr[r->res->audit.op == KMS_OP_REQUEST ? MK_IDR_I : MK_IDR_R];

	if (id->pl.present) {
		r->own_id = id->data.p;
		r->own_id_len = id->data.n;
	} else if (r->sub.n_impus) {
		r->own_id = (const uint8_t *)r->sub.impus[0];
		r->own_id_len = strlen(r->sub.impus[0]);
	} else {
		r->own_id = (const uint8_t *)"";
		r->own_id_len = 0;
	}
}

/* Row C keys of the sender's Ks_NAF (label 0x01, RANDRi resp. RANDRr) and
 * the V MAC over the message || own identity || KMS identity (mikey.md 5.6). */
static enum kms_outcome step_mac(struct req *r)
{
	struct mk_ids ids;

	own_identity(r);
	memset(&ids, 0, sizeof(ids));
	ids.i = ids.r = (struct mk_bytes){ r->own_id, r->own_id_len };
	ids.kms = (struct mk_bytes){ (const uint8_t *)r->e->fqdn, r->e->fqdn_len };
	if (mk_msg_keyset(&r->kin, &r->m, NULL, r->sub.ks_naf, sizeof(r->sub.ks_naf)) != MK_OK)
		return refuse(r, KMS_OUT_INTERNAL, -1, "key derivation failed");
	if (mk_msg_verify(&r->m, &r->kin, NULL, &ids) != MK_OK)
		return refuse(r, KMS_OUT_AUTH_FAILED, -1, "MAC wrong");
	r->verified = true;
	return KMS_OUT_OK;
}

/* The PK variants in place of P-21's key and MAC steps (kms/pkauth.h):
 * certificate chain, certificate user, SIGN, then env_key from PKE; the
 * env_key then keys the answer (rows D) as a Ks_NAF would.  A TLS client
 * certificate, when there is one, must be the one that signed (the P-2
 * rule for certificates); a transport B-TID cannot speak for a
 * certificate. */
static enum kms_outcome step_pk(struct req *r)
{
	const struct kms_transport_id *tid = r->tid;
	struct kms_pk_sender *s = &r->pks;
	enum kms_pk_status st;

	st = kms_pk_authenticate(r->e->cfg.pk, &r->m, r->e->fqdn, r->now, s);
	if (s->subject[0]) {
		r->btid = (const uint8_t *)s->subject;
		r->btid_len = strlen(s->subject);
		copy_id(r->res->audit.btid, sizeof(r->res->audit.btid), r->btid, r->btid_len);
	}
	switch (st) {
	case KMS_PK_OK:
		break;
	case KMS_PK_NO_CERT:
		return refuse(r, KMS_OUT_MALFORMED, MK_E_INVALID_CERT, kms_pk_status_str(st));
	case KMS_PK_BAD_HASH:
		return refuse(r, KMS_OUT_UNSUPPORTED, MK_E_INVALID_HA, kms_pk_status_str(st));
	case KMS_PK_INTERNAL:
		return refuse(r, KMS_OUT_INTERNAL, -1, kms_pk_status_str(st));
	default:
		return refuse(r, KMS_OUT_AUTH_FAILED, -1, kms_pk_status_str(st));
	}
	memcpy(r->sub.ks_naf, s->env_key, sizeof(r->sub.ks_naf));
	tk_wipe(s->env_key, sizeof(s->env_key));
	r->sub.expiry = INT64_MAX;
	r->sub.impus = s->user->impus;
	r->sub.n_impus = s->user->n_impus;
	if (s->user->name)
		copy_id(r->res->audit.impi, sizeof(r->res->audit.impi), s->user->name,
			strlen(s->user->name));
	own_identity(r);
	/* Signed: errors from here on are MACed with the env_key's row C keys
	 * (P-21). */
	if (mk_msg_keyset(&r->kin, &r->m, NULL, r->sub.ks_naf, sizeof(r->sub.ks_naf)) != MK_OK)
		return refuse(r, KMS_OUT_INTERNAL, -1, "key derivation failed");
	r->verified = true;
	if (tid && (tid->kind == KMS_TID_PSK_BTID || tid->kind == KMS_TID_DIGEST_BTID ||
		    tid->kind == KMS_TID_USER ||
		    (tid->kind == KMS_TID_CLIENT_CERT &&
		     (!tid->value || !bytes_eq(tid->value, tid->len, r->btid, r->btid_len)))))
		return refuse(r, KMS_OUT_AUTH_FAILED, -1,
			      "transport identity differs from the signing certificate (P-2)");
	return KMS_OUT_OK;
}

/* P-9: remembered until T leaves the window; fail closed when full. */
static enum kms_outcome step_replay(struct req *r)
{
	const struct mk_bytes *tag = r->pk ? &r->m.sign.sig : &r->m.v.mac;

	switch (kms_replay_check(r->e->cfg.replay, r->btid, r->btid_len, tag->p, tag->n,
				 r->t + (int64_t)r->e->cfg.skew_s, r->now)) {
	case KMS_REPLAY_NEW:
		return KMS_OUT_OK;
	case KMS_REPLAY_SEEN:
		return refuse(r, KMS_OUT_REPLAY, -1, "replayed message (P-9)");
	default:
		return refuse(r, KMS_OUT_REPLAY_FULL, -1, "replay cache full (P-9)");
	}
}

static bool has_impu(const struct kms_subscriber *s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < s->n_impus; i++)
		if (str_eq(s->impus[i], p, n))
			return true;
	return false;
}

/* ---- building responses ------------------------------------------------------ */

static void key_entry(struct mk_keydata *k, uint8_t type, const uint8_t *key, size_t n,
		      const uint8_t *salt, size_t sn, const uint8_t *spi)
{
	memset(k, 0, sizeof(*k));
	k->pl.present = true;
	k->type = type;
	k->key.p = key;
	k->key.n = n;
	k->salt.p = salt;
	k->salt.n = sn;
	k->kv.type = MK_KV_SPI;
	k->kv.spi.p = spi;
	k->kv.spi.n = KMS_SPI_LEN;
}

/*
 * Response skeleton shared by REQUEST_RESP and RESOLVE_RESP: HDR copied from
 * the initial message with V = 0 (mikey.md 4), a fresh NTP-UTC T, IDRkms,
 * and a KEMAC (MAC alg NULL) encrypted with the row D keys of the sender's
 * PSK, the AES-CM IV taken from this response's T (P-12).
 */
static int response_init(struct req *r, struct mk_msg *o, uint8_t dt,
			 const struct mk_keylist *kl, struct mk_keyset *kout, uint8_t *enc)
{
	size_t en = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	o->hdr = r->m.hdr;
	o->hdr.pl.present = true;
	o->hdr.data_type = dt;
	o->hdr.v = false;
	o->t.pl.present = true;
	o->t.ts_type = MK_TS_NTP_UTC;
	o->t.ts = r->now_ntp;
	o->idr[MK_IDR_KMS].pl.present = true;
	o->idr[MK_IDR_KMS].role = MK_IDR_KMS;
	o->idr[MK_IDR_KMS].id_type = MK_ID_NAI;
	o->idr[MK_IDR_KMS].data.p = (const uint8_t *)r->e->fqdn;
	o->idr[MK_IDR_KMS].data.n = r->e->fqdn_len;
	o->kemac.pl.present = true;
	o->kemac.encr_alg = r->encr;
	o->kemac.mac_alg = MK_MAC_NULL;
	o->v.pl.present = true;
	o->v.alg = r->mac;

	rc = mk_msg_keyset(kout, o, &r->m, r->sub.ks_naf, sizeof(r->sub.ks_naf));
	if (rc == MK_OK)
		rc = mk_kemac_seal(kl, kout, o->hdr.csb_id, &o->t, enc, KEYBUF, &en);
	o->kemac.encr.p = enc;
	o->kemac.encr.n = en;
	return rc;
}

/* Build the response into the caller's buffer and MAC it over response ||
 * whole initial message (mikey.md 5.6). */
static enum kms_outcome response_finish(struct req *r, struct mk_msg *o,
					const struct mk_keyset *kout)
{
	struct kms_result *res = r->res;
	size_t out = 0;

	if (!res->resp || mk_build(o, res->resp, res->resp_cap, &out) != MK_OK)
		return refuse(r, KMS_OUT_INTERNAL, -1, "response does not fit");
	if (mk_msg_protect(res->resp, o, kout, &r->m, NULL) != MK_OK)
		return refuse(r, KMS_OUT_INTERNAL, -1, "response MAC failed");
	res->resp_len = out;
	res->mikey_error = -1;
	res->outcome = KMS_OUT_OK;
	res->detail = "ok";
	return KMS_OUT_OK;
}

static void fingerprint(struct kms_audit *a, const uint8_t *td, size_t n)
{
	struct sha256_ctx h;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&h);
	sha256_update(&h, n, td);
	sha256_digest(&h, sizeof(d), d);
	tk_hex_encode(d, 8, a->fingerprint);
}

static void audit_policy(struct kms_audit *a, const struct mk_tp_data *tp)
{
	unsigned i;

	a->responders[0] = 0;
	for (i = 0; i < tp->nr; i++)
		append_id(a->responders, sizeof(a->responders),
			  tp->idrr[i].data.p, tp->idrr[i].data.n);
}

/* ---- REQUEST_INIT_PSK -> REQUEST_RESP ------------------------------------------ */

/* Per-request key material of a new ticket. */
struct newkeys {
	uint8_t mpk[32], mpki[32], mpkr[32];
	size_t mpk_len;
	uint8_t mpk_spi[KMS_SPI_LEN];
	uint8_t key[MK_MAX_KEYS][32];
	uint8_t salt[MK_MAX_KEYS][KMS_SALT_LEN];
	uint8_t spi[MK_MAX_KEYS][KMS_SPI_LEN];
	uint8_t rand[TICKET_RAND_LEN];
};

static void take(void *dst, size_t n, const uint8_t **p)
{
	memcpy(dst, *p, n);
	*p += n;
}

/* All random material of a new ticket from one gnutls_rnd call (each call
 * takes the generator's lock and checks for re-seeding: one call instead of
 * six saves about 2.5 us per request), split in this order. */
static bool newkeys_draw(struct newkeys *nk, unsigned nkeys)
{
	uint8_t pool[sizeof(nk->mpk) + sizeof(nk->mpk_spi) + sizeof(nk->key) + sizeof(nk->salt) +
		     sizeof(nk->spi) + sizeof(nk->rand)];
	size_t n = nk->mpk_len + sizeof(nk->mpk_spi) +
		   nkeys * (sizeof(nk->key[0]) + sizeof(nk->salt[0]) + sizeof(nk->spi[0])) +
		   sizeof(nk->rand);
	const uint8_t *p = pool;
	bool ok = rnd(pool, n);

	if (ok) {
		take(nk->mpk, nk->mpk_len, &p);
		take(nk->mpk_spi, sizeof(nk->mpk_spi), &p);
		take(nk->key, nkeys * sizeof(nk->key[0]), &p);
		take(nk->salt, nkeys * sizeof(nk->salt[0]), &p);
		take(nk->spi, nkeys * sizeof(nk->spi[0]), &p);
		take(nk->rand, sizeof(nk->rand), &p);
	}
	tk_wipe(pool, n);
	return ok;
}

static enum kms_outcome do_request(struct req *r)
{
	const struct mk_ticket *want = &r->m.ticket;
	struct kms_audit *a = &r->res->audit;
	struct kms_grant g;
	struct newkeys nk;
	struct mk_ticket tk;
	struct mk_keylist kl;
	struct mk_msg o;
	struct mk_keyset kout;
	uint8_t tpk[KMS_TPK_LEN];
	uint32_t tpk_id;
	struct mk_tpk mtpk;
	struct mk_seal_in in;
	uint8_t td[TDBUF], enc[KEYBUF];
	size_t td_len = 0;
	const char *why = NULL;
	enum kms_outcome ret;
	enum kms_policy_status ps;
	struct kms_policy_limits lim = r->e->lim;
	int rc;
	unsigned i;

	/* P-13, P-3: the requester speaks for one of its own IMPUs. */
	copy_id(a->initiator, sizeof(a->initiator), r->own_id, r->own_id_len);
	if ((r->m.idr[MK_IDR_I].pl.present && r->m.idr[MK_IDR_I].id_type != MK_ID_URI) ||
	    !has_impu(&r->sub, r->own_id, r->own_id_len))
		return refuse(r, KMS_OUT_FORBIDDEN, -1, "IDRi is not the subscriber's (P-13)");
	a->authz = KMS_AUTHZ_SUBSCRIBER;
	if (!want->pl.present || want->is_ticket)
		return refuse(r, KMS_OUT_MALFORMED, MK_E_UNSPECIFIED, "no desired Ticket Policy");
	audit_policy(a, &want->tp);
	if (want->tp_data_raw.n > TP_MAX)
		return refuse(r, KMS_OUT_TP_PARAM, -1, "desired policy too large");
	if (want->tp.nr == 0)
		return refuse(r, KMS_OUT_TP_PARAM, -1, "no IDRr in the desired policy");
	for (i = 0; i < want->tp.nr; i++)
		if (!kms_identity_valid(want->tp.idrr[i].id_type, want->tp.idrr[i].data.p,
					want->tp.idrr[i].data.n))
			return refuse(r, KMS_OUT_TP_PARAM, -1, "IDRr is not a well-formed identity (P-13)");

	/* mikey.md 5.4: session keys above 128 bits only in the 256-bit set. */
	lim.max_key_len = r->m.hdr.prf == MK_PRF_HMAC_SHA256 ? 32 : 16;
	ps = kms_policy_grant(&lim, want, r->now, &g, &why);
	if (ps == KMS_POLICY_TYPE)
		return refuse(r, KMS_OUT_TICKET_TYPE, -1, why);
	if (ps != KMS_POLICY_OK)
		return refuse(r, KMS_OUT_TP_PARAM, -1, why);
	a->k_flag = (g.flags & MK_TF_K) != 0;
	a->trs = g.trs;
	a->tre = g.tre;

	/* Fresh keys (P-19): MPK by set, session keys as granted, 4-octet SPIs. */
	memset(&nk, 0, sizeof(nk));
	nk.mpk_len = r->m.hdr.prf == MK_PRF_HMAC_SHA256 ? 32 : 16;
	if (!newkeys_draw(&nk, g.nkeys)) {
		ret = refuse(r, KMS_OUT_INTERNAL, -1, "random generator failed");
		goto out;
	}

	/* The granted policy (P-11, P-24): IDRkms, IDRi, TRs, TRe, [TRr],
	 * IDRapp and IDRr as asked; no KEMAC. */
	memset(&tk, 0, sizeof(tk));
	tk.pl.present = true;
	tk.is_ticket = true;
	tk.ticket_type = MK_TICKET_MIKEY_BASE;
	tk.subtype = MK_BASE_TICKET_SUBTYPE;
	tk.version = MK_BASE_TICKET_VERSION;
	tk.prf = g.prf;
	tk.flags = g.flags;
	tk.tp.idrkms.pl.present = true;
	tk.tp.idrkms.role = MK_IDR_KMS;
	tk.tp.idrkms.id_type = MK_ID_NAI;
	tk.tp.idrkms.data.p = (const uint8_t *)r->e->fqdn;
	tk.tp.idrkms.data.n = r->e->fqdn_len;
	tk.tp.idri.pl.present = true;
	tk.tp.idri.role = MK_IDR_I;
	tk.tp.idri.id_type = MK_ID_URI;
	tk.tp.idri.data.p = r->own_id;
	tk.tp.idri.data.n = r->own_id_len;
	tk.tp.trs.pl.present = tk.tp.tre.pl.present = true;
	tk.tp.trs.role = MK_TR_START;
	tk.tp.tre.role = MK_TR_END;
	tk.tp.trs.ts_type = tk.tp.tre.ts_type = MK_TS_NTP_UTC_32;
	tk.tp.trs.ts = mk_ntp32_from_unix(g.trs);
	tk.tp.tre.ts = mk_ntp32_from_unix(g.tre);
	if (g.have_trr) {
		tk.tp.trr.pl.present = true;
		tk.tp.trr.role = MK_TR_REKEY;
		tk.tp.trr.ts_type = MK_TS_NTP_UTC_32;
		tk.tp.trr.ts = g.trr;
	}
	tk.tp.napp = want->tp.napp;
	memcpy(tk.tp.idrapp, want->tp.idrapp, sizeof(tk.tp.idrapp));
	tk.tp.nr = want->tp.nr;
	memcpy(tk.tp.idrr, want->tp.idrr, sizeof(tk.tp.idrr));

	/* The ticket's own KEMAC: MPK then the session keys (mikey.md 5.7). */
	memset(&kl, 0, sizeof(kl));
	key_entry(&kl.k[kl.n++], MK_KEY_MPK, nk.mpk, nk.mpk_len, NULL, 0, nk.mpk_spi);
	for (i = 0; i < g.nkeys; i++)
		key_entry(&kl.k[kl.n++], g.keys[i].type, nk.key[i], g.keys[i].key_len,
			  g.keys[i].salt_len ? nk.salt[i] : NULL, g.keys[i].salt_len, nk.spi[i]);

	if (!kms_keyring_current(r->e->cfg.keyring, &tpk_id, tpk)) {
		ret = refuse(r, KMS_OUT_INTERNAL, -1, "no ticket protection key");
		goto out;
	}
	mtpk = (struct mk_tpk){ tpk_id, tpk, sizeof(tpk) };
	memset(&in, 0, sizeof(in));
	in.tpk = &mtpk;
	in.t = r->now_ntp;
	in.rand = (struct mk_bytes){ nk.rand, sizeof(nk.rand) };
	in.keys = &kl;
	rc = mk_ticket_seal(&tk, &in, td, sizeof(td), &td_len);
	tk_wipe(tpk, sizeof(tpk));
	if (rc != MK_OK) {
		ret = refuse(r, KMS_OUT_INTERNAL, -1, "sealing the ticket failed");
		goto out;
	}
	a->have_ticket = true;
	a->key_id = tpk_id;
	fingerprint(a, tk.ticket_data.p, tk.ticket_data.n);

	/* The requester's KEMAC: MPKi || [MPKr] || keys (P-19: MPKs reuse the
	 * SPI of the ticket's MPK). */
	if (mk_derive_mpki(g.prf, nk.mpk, nk.mpk_len, nk.rand, sizeof(nk.rand), nk.mpki) != MK_OK ||
	    mk_derive_mpkr(g.prf, nk.mpk, nk.mpk_len, nk.rand, sizeof(nk.rand), nk.mpkr) != MK_OK) {
		ret = refuse(r, KMS_OUT_INTERNAL, -1, "key derivation failed");
		goto out;
	}
	memset(&kl, 0, sizeof(kl));
	key_entry(&kl.k[kl.n++], MK_KEY_MPK, nk.mpki, nk.mpk_len, NULL, 0, nk.mpk_spi);
	if (g.flags & MK_TF_I)
		key_entry(&kl.k[kl.n++], MK_KEY_MPK, nk.mpkr, nk.mpk_len, NULL, 0, nk.mpk_spi);
	for (i = 0; i < g.nkeys; i++)
		key_entry(&kl.k[kl.n++], g.keys[i].type, nk.key[i], g.keys[i].key_len,
			  g.keys[i].salt_len ? nk.salt[i] : NULL, g.keys[i].salt_len, nk.spi[i]);

	if (response_init(r, &o, MK_DT_REQUEST_RESP, &kl, &kout, enc) != MK_OK) {
		ret = refuse(r, KMS_OUT_INTERNAL, -1, "KEMAC encryption failed");
		goto out_kout;
	}
	o.ticket = tk;
	ret = response_finish(r, &o, &kout);
out_kout:
	mk_keyset_wipe(&kout);
out:
	tk_wipe(&nk, sizeof(nk));
	return ret;
}

/* ---- RESOLVE_INIT_PSK -> RESOLVE_RESP -------------------------------------------- */

/* P-14: a network function is known by the IMPI of its GBA subscription
 * or by the subject of the TLS client certificate it presented. */
static const struct kms_nf_principal *nf_principal(const struct req *r)
{
	const struct kms_engine *e = r->e;
	const struct kms_transport_id *tid = r->tid;
	size_t i;

	for (i = 0; i < e->cfg.n_nfs; i++) {
		const struct kms_nf_principal *nf = &e->cfg.nfs[i];

		if (nf->impi && r->sub.impi && strcmp(nf->impi, r->sub.impi) == 0)
			return nf;
		if (nf->cert_subject && tid && tid->kind == KMS_TID_CLIENT_CERT && tid->value &&
		    str_eq(nf->cert_subject, tid->value, tid->len))
			return nf;
		if (nf->cert_subject && r->pk && strcmp(nf->cert_subject, r->pks.subject) == 0)
			return nf; /* signed with that certificate */
	}
	return NULL;
}

/* P-14: listed in the ticket, or a member of a listed group. */
static enum kms_authz resolver_listed(const struct kms_engine *e, const struct mk_tp_data *tp,
				      const uint8_t *id, size_t n, const char **group)
{
	size_t i, j, k;

	for (i = 0; i < tp->nr; i++)
		if (bytes_eq(tp->idrr[i].data.p, tp->idrr[i].data.n, id, n))
			return KMS_AUTHZ_LISTED;
	for (i = 0; i < tp->nr; i++)
		for (j = 0; j < e->cfg.n_groups; j++) {
			const struct kms_group *gr = &e->cfg.groups[j];
			if (!str_eq(gr->uri, tp->idrr[i].data.p, tp->idrr[i].data.n))
				continue;
			for (k = 0; k < gr->n_members; k++)
				if (str_eq(gr->members[k], id, n)) {
					*group = gr->uri;
					return KMS_AUTHZ_GROUP;
				}
		}
	return KMS_AUTHZ_NONE;
}

/* The TPK id from the THDR (P-10) of a parsed TICKET's Ticket Data. */
static bool ticket_key_id(const struct mk_ticket *tk, uint32_t *id)
{
	struct mk_ticket_data td;
	size_t eoff;
	const uint8_t *p;

	if (mk_ticket_data_parse(tk->ticket_data.p, tk->ticket_data.n, &td, &eoff) != MK_OK ||
	    td.thdr.data.n != MK_THDR_LEN || td.thdr.data.p[0] != MK_THDR_VERSION)
		return false;
	p = td.thdr.data.p;
	*id = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	return true;
}

static enum kms_outcome do_resolve(struct req *r)
{
	const struct mk_ticket *tk = &r->m.ticket;
	struct kms_audit *a = &r->res->audit;
	const struct kms_nf_principal *nf;
	struct mk_ticket_keys ok;
	struct mk_keylist kl;
	struct mk_msg o;
	struct mk_keyset kout;
	uint8_t tpk[KMS_TPK_LEN];
	struct mk_tpk mtpk;
	const uint8_t *mpk_spi;
	uint8_t tplain[KEYBUF], enc[KEYBUF];
	uint8_t mpkr2[32], tgk2[MK_MAX_KEYS][32], randrkms[RANDRKMS_LEN];
	const char *group = NULL;
	enum kms_authz az;
	enum kms_outcome ret;
	bool fork;
	uint32_t key_id;
	int64_t trs, tre;
	int okt = 0, rc;
	unsigned i;

	copy_id(a->resolver, sizeof(a->resolver), r->own_id, r->own_id_len);
	if (!tk->pl.present || !tk->is_ticket)
		return refuse(r, KMS_OUT_MALFORMED, MK_E_UNSPECIFIED, "no TICKET");
	audit_policy(a, &tk->tp);
	if (tk->tp.idri.pl.present)
		copy_id(a->initiator, sizeof(a->initiator), tk->tp.idri.data.p, tk->tp.idri.data.n);
	fingerprint(a, tk->ticket_data.p, tk->ticket_data.n);
	a->have_ticket = true;

	/* P-14: the resolver speaks for one of its own IMPUs. */
	if ((r->m.idr[MK_IDR_R].pl.present && r->m.idr[MK_IDR_R].id_type != MK_ID_URI) ||
	    !has_impu(&r->sub, r->own_id, r->own_id_len))
		return refuse(r, KMS_OUT_FORBIDDEN, -1, "IDRr is not the subscriber's (P-14)");

	/* P-22: only Ticket Type 1 is understood; its PRF must be ours. */
	if (tk->ticket_type != MK_TICKET_MIKEY_BASE || tk->subtype != MK_BASE_TICKET_SUBTYPE ||
	    tk->version != MK_BASE_TICKET_VERSION)
		return refuse(r, KMS_OUT_TICKET_TYPE, -1, "Ticket Type not 1 (P-22)");
	if (tk->prf != MK_PRF_HMAC_SHA256)
		return refuse(r, KMS_OUT_TP_PARAM, -1, "ticket PRF not PRF-HMAC-SHA-256 (P-10)");
	/* A ticket its initiator made (D = 0, e.g. tkms-ue make-ticket) holds
	 * no key of ours: a policy the KMS does not honour (P-22). */
	if (!(tk->flags & MK_TF_D))
		return refuse(r, KMS_OUT_TP_PARAM, -1, "ticket made by its initiator (D = 0), not by a KMS");

	/* Open: TPK by key id, ticket MAC, KEMAC (mikey.md 5.8 step 2). */
	if (!ticket_key_id(tk, &key_id))
		return refuse(r, KMS_OUT_TICKET_INVALID, -1, "ticket header unreadable (P-22)");
	a->key_id = key_id;
	if (!kms_keyring_find(r->e->cfg.keyring, key_id, r->now, tpk))
		return refuse(r, KMS_OUT_TICKET_INVALID, -1, "unknown or retired TPK key id (P-22)");
	mtpk = (struct mk_tpk){ key_id, tpk, sizeof(tpk) };
	rc = mk_ticket_open(tk, &mtpk, 1, tplain, sizeof(tplain), &ok);
	tk_wipe(tpk, sizeof(tpk));
	if (rc != MK_OK) {
		ret = refuse(r, KMS_OUT_TICKET_INVALID, -1, "ticket MAC wrong or ticket unreadable (P-22)");
		goto out;
	}
	mpk_spi = ok.keys.k[0].kv.spi.p;
	if (ok.keys.k[0].kv.type != MK_KV_SPI || ok.keys.k[0].kv.spi.n != KMS_SPI_LEN) {
		ret = refuse(r, KMS_OUT_TICKET_INVALID, -1, "ticket MPK without SPI (P-19)");
		goto out;
	}

	trs = tk->tp.trs.pl.present ? mk_ts_to_unix(tk->tp.trs.ts_type, tk->tp.trs.ts, &okt) : 0;
	tre = tk->tp.tre.pl.present ? mk_ts_to_unix(tk->tp.tre.ts_type, tk->tp.tre.ts, &okt) : 0;
	a->trs = trs;
	a->tre = tre;
	if ((tk->tp.trs.pl.present && r->now + (int64_t)r->e->cfg.skew_s < trs) ||
	    (tk->tp.tre.pl.present && r->now > tre)) {
		ret = refuse(r, KMS_OUT_TICKET_INVALID, -1, "outside TRs..TRe (P-22)");
		goto out;
	}

	/* P-14: listed, group member, or a network-function principal. */
	az = resolver_listed(r->e, &tk->tp, r->own_id, r->own_id_len, &group);
	nf = nf_principal(r);
	if (az == KMS_AUTHZ_NONE && nf) {
		az = nf->intercept ? KMS_AUTHZ_NF_INTERCEPT : KMS_AUTHZ_NF;
		copy_id(a->nf, sizeof(a->nf), nf->name ? nf->name : "?",
			strlen(nf->name ? nf->name : "?"));
	}
	a->authz = az;
	if (group)
		copy_id(a->group, sizeof(a->group), group, strlen(group));
	if (az == KMS_AUTHZ_NONE) {
		ret = refuse(r, KMS_OUT_FORBIDDEN, -1, "resolver not authorized by the ticket (P-14)");
		goto out;
	}

	/* With forking the Initiator Data's Vr proves the initiator holds MPKr. */
	fork = (tk->flags & MK_TF_I) != 0;
	if (fork && mk_init_data_verify_vr(tk, ok.mpkr, ok.mpk_len) != MK_OK) {
		ret = refuse(r, KMS_OUT_TICKET_INVALID, -1, "Initiator Data Vr wrong (P-22)");
		goto out;
	}
	if (az == KMS_AUTHZ_NF_INTERCEPT)
		fork = false; /* engine.h: interception gets the unforked keys */

	/* P-25, mikey.md 5.8: fork for the resolver's own IMPU with a fresh
	 * 32-octet RANDRkms; GTGKs and TEKs are never forked. */
	memset(&kl, 0, sizeof(kl));
	key_entry(&kl.k[kl.n++], MK_KEY_MPK, ok.mpki, ok.mpk_len, NULL, 0, mpk_spi);
	if (fork) {
		if (!rnd(randrkms, sizeof(randrkms)) ||
		    mk_derive_mpkr_forked(tk->prf, ok.mpkr, ok.mpk_len, r->own_id, r->own_id_len,
					  randrkms, sizeof(randrkms), mpkr2) != MK_OK) {
			ret = refuse(r, KMS_OUT_INTERNAL, -1, "forking failed");
			goto out;
		}
		key_entry(&kl.k[kl.n++], MK_KEY_MPK, mpkr2, ok.mpk_len, NULL, 0, mpk_spi);
	} else if (tk->flags & MK_TF_I) {
		key_entry(&kl.k[kl.n++], MK_KEY_MPK, ok.mpkr, ok.mpk_len, NULL, 0, mpk_spi);
	}
	for (i = 1; i < ok.keys.n && kl.n < MK_MAX_KEYS; i++) { /* k[0] is the MPK */
		const struct mk_keydata *k = &ok.keys.k[i];
		const uint8_t *key = k->key.p;

		if (fork && kms_key_is_tgk(k->type)) {
			if (k->key.n > sizeof(tgk2[i]) ||
			    mk_derive_tgk_forked(tk->prf, k->key.p, k->key.n, r->own_id, r->own_id_len,
						 randrkms, sizeof(randrkms), tgk2[i]) != MK_OK) {
				ret = refuse(r, KMS_OUT_INTERNAL, -1, "forking failed");
				goto out;
			}
			key = tgk2[i];
		}
		kl.k[kl.n] = *k;
		kl.k[kl.n].key.p = key;
		kl.n++;
	}

	if (response_init(r, &o, MK_DT_RESOLVE_RESP, &kl, &kout, enc) != MK_OK) {
		ret = refuse(r, KMS_OUT_INTERNAL, -1, "KEMAC encryption failed");
		goto out_kout;
	}
	if (fork) {
		o.idr[MK_IDR_R].pl.present = true;
		o.idr[MK_IDR_R].role = MK_IDR_R;
		o.idr[MK_IDR_R].id_type = MK_ID_URI;
		o.idr[MK_IDR_R].data.p = r->own_id;
		o.idr[MK_IDR_R].data.n = r->own_id_len;
		o.randr[MK_RANDR_KMS].pl.present = true;
		o.randr[MK_RANDR_KMS].role = MK_RANDR_KMS;
		o.randr[MK_RANDR_KMS].rand.p = randrkms;
		o.randr[MK_RANDR_KMS].rand.n = sizeof(randrkms);
	}
	a->forked = fork;
	ret = response_finish(r, &o, &kout);
out_kout:
	mk_keyset_wipe(&kout);
out:
	mk_ticket_keys_wipe(&ok);
	tk_wipe(mpkr2, sizeof(mpkr2));
	tk_wipe(tgk2, sizeof(tgk2));
	tk_wipe(tplain, sizeof(tplain));
	return ret;
}

/* ---- entry points ------------------------------------------------------------------ */

static uint64_t real_clock(void *ctx)
{
	(void)ctx;
	return mk_ntp_now();
}

/* The group and principal tables: every entry usable. */
static const char *check_tables(const struct kms_engine_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->n_groups; i++) {
		if (!cfg->groups[i].uri || (cfg->groups[i].n_members && !cfg->groups[i].members))
			return "a group without URI or members";
		for (j = 0; j < cfg->groups[i].n_members; j++)
			if (!cfg->groups[i].members[j])
				return "a group member without URI";
	}
	for (i = 0; i < cfg->n_nfs; i++)
		if (!cfg->nfs[i].impi && !cfg->nfs[i].cert_subject)
			return "a network-function principal with neither IMPI nor certificate subject";
	return NULL;
}

struct kms_engine *kms_engine_new(const struct kms_engine_config *cfg, char *err, size_t errlen)
{
	struct kms_engine *e;
	const char *why = NULL;

	if (!cfg || !cfg->fqdn || !*cfg->fqdn)
		why = "fqdn is required";
	else if (!cfg->keys.lookup || !cfg->keys.release)
		why = "a key source is required";
	else if (cfg->users.lookup && !cfg->users.release)
		why = "the password-user key source needs release()";
	else if (!cfg->keyring || !cfg->replay)
		why = "a keyring and a replay cache are required";
	else if (cfg->lifetime_max_s && cfg->lifetime_default_s > cfg->lifetime_max_s)
		why = "default lifetime above the maximum";
	else if ((cfg->n_groups && !cfg->groups) || (cfg->n_nfs && !cfg->nfs))
		why = "group or principal table missing";
	else
		why = check_tables(cfg);
	if (why) {
		if (err && errlen)
			snprintf(err, errlen, "%s", why);
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->fqdn = strdup(cfg->fqdn))) {
		free(e);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->cfg = *cfg;
	e->cfg.fqdn = e->fqdn;
	e->fqdn_len = strlen(e->fqdn);
	if (!e->cfg.skew_s)
		e->cfg.skew_s = 300;
	if (!e->cfg.lifetime_default_s)
		e->cfg.lifetime_default_s = 86400;
	if (!e->cfg.lifetime_max_s)
		e->cfg.lifetime_max_s = 7 * 86400;
	if (e->cfg.lifetime_default_s > e->cfg.lifetime_max_s)
		e->cfg.lifetime_default_s = e->cfg.lifetime_max_s;
	if (!e->cfg.sets)
		e->cfg.sets = KMS_SET_128 | KMS_SET_256;
	if (!e->cfg.flags_default)
		e->cfg.flags_default = KMS_FLAGS_DEFAULT;
	if (!e->cfg.flags_choosable)
		e->cfg.flags_choosable = KMS_FLAGS_CHOOSABLE;
	if (!e->cfg.max_keys || e->cfg.max_keys > MK_MAX_KEYS - 2)
		e->cfg.max_keys = e->cfg.max_keys ? MK_MAX_KEYS - 2 : 4;
	if (!e->cfg.clock)
		e->cfg.clock = real_clock;
	e->lim.flags_default = e->cfg.flags_default;
	e->lim.flags_choosable = e->cfg.flags_choosable;
	e->lim.lifetime_default_s = e->cfg.lifetime_default_s;
	e->lim.lifetime_max_s = e->cfg.lifetime_max_s;
	e->lim.skew_s = e->cfg.skew_s;
	e->lim.max_keys = e->cfg.max_keys;
	e->lim.max_key_len = 16;
	return e;
}

void kms_engine_free(struct kms_engine *e)
{
	if (!e)
		return;
	free(e->fqdn);
	free(e);
}

enum kms_outcome kms_engine_handle(const struct kms_engine *e, const uint8_t *req, size_t len,
				   const struct kms_transport_id *tid, struct kms_result *res)
{
	struct req r;
	struct timespec ts;
	enum kms_outcome o;

	res->resp_len = 0;
	res->outcome = KMS_OUT_INTERNAL;
	res->mikey_error = -1;
	res->error_maced = false;
	res->detail = "";
	memset(&res->audit, 0, sizeof(res->audit));

	memset(&r, 0, sizeof(r));
	r.e = e;
	r.res = res;
	r.tid = tid;
	r.buf = req;
	r.len = req ? len : 0;
	r.now_ntp = e->cfg.clock(e->cfg.clock_ctx);
	mk_ntp_to_timespec(r.now_ntp, &ts);
	r.now = (int64_t)ts.tv_sec;

	if ((o = step_parse(&r)) != KMS_OUT_OK ||
	    (o = step_timestamp(&r)) != KMS_OUT_OK)
		goto done;
	if (r.pk)
		o = step_pk(&r);
	else if ((o = step_transport(&r, tid)) == KMS_OUT_OK && (o = step_key(&r)) == KMS_OUT_OK)
		o = step_mac(&r);
	if (o != KMS_OUT_OK || (o = step_replay(&r)) != KMS_OUT_OK)
		goto done;
	if (r.m.idr[MK_IDR_KMS].pl.present &&
	    !bytes_eq(r.m.idr[MK_IDR_KMS].data.p, r.m.idr[MK_IDR_KMS].data.n, e->fqdn, e->fqdn_len)) {
		o = refuse(&r, KMS_OUT_FORBIDDEN, -1, "IDRkms names another KMS");
		goto done;
	}
	o = res->audit.op == KMS_OP_REQUEST ? do_request(&r) : do_resolve(&r);
done:
	tk_wipe(r.sub.ks_naf, sizeof(r.sub.ks_naf));
	tk_wipe(r.pks.env_key, sizeof(r.pks.env_key));
	if (r.have_sub)
		r.src->release(r.src->ctx, &r.sub);
	mk_keyset_wipe(&r.kin);
	return o;
}
