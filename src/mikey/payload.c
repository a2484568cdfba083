/*
 * payload.c: readers and writers of the single MIKEY / MIKEY-TICKET payloads
 * of mikey.md 3 (HDR with its CS ID maps, KEMAC, Key data and KV, T, TR,
 * RAND, RANDR, ID, CERT, IDR, CHASH, V, PKE, DH, SIGN, ERR, General Ext.,
 * SP, SAKKE, THDR, TP and TICKET).  The composition of TP Data is checked in
 * message.c (mkp_tp_data_parse).
 */
#include <string.h>

#include "mikey/payload.h"

static const char *const errstr[] = {
	[MK_OK] = "ok",
	[MK_ERR_TRUNCATED] = "message truncated",
	[MK_ERR_TRAILING] = "bytes after the last payload",
	[MK_ERR_BAD_LENGTH] = "length field disagrees with the content",
	[MK_ERR_BAD_NEXT_PAYLOAD] = "payload type not allowed or not supported here",
	[MK_ERR_UNSUPPORTED_VERSION] = "unsupported MIKEY version",
	[MK_ERR_BAD_DATA_TYPE] = "unsupported HDR data type",
	[MK_ERR_BAD_HDR] = "HDR breaks the rules of the message type",
	[MK_ERR_BAD_MAP] = "bad or unsupported CS ID map",
	[MK_ERR_BAD_ALG] = "unknown algorithm or type (field length unknown)",
	[MK_ERR_BAD_VALUE] = "field value out of range",
	[MK_ERR_TOO_MANY] = "too many repeated payloads or entries",
	[MK_ERR_DUPLICATE] = "payload present twice",
	[MK_ERR_MISSING_PAYLOAD] = "mandatory payload missing",
	[MK_ERR_ORDER] = "payloads out of order",
	[MK_ERR_BAD_FLAGS] = "Ticket Policy flags inconsistent",
	[MK_ERR_POLICY] = "payload forbidden by the Ticket Policy",
	[MK_ERR_NOSPACE] = "output buffer too small",
	[MK_ERR_TOOLONG] = "value too long for its length field",
	[MK_ERR_BAD_ARG] = "invalid argument",
	[MK_ERR_MAC] = "MAC verification failed",
	[MK_ERR_UNKNOWN_KEY] = "unknown ticket protection key",
	[MK_ERR_SIGN] = "signature verification failed",
	[MK_ERR_PKE] = "PKE envelope key cannot be decrypted",
};

const char *mk_strerror(int err)
{
	switch (err) {
	case MK_ERR_ALG: return "crypto: unsupported algorithm";
	case MK_ERR_LEN: return "crypto: length out of range";
	case MK_ERR_AUTH: return "crypto: integrity check failed";
	}
	if (err >= 0 && err < MK_ERR_CODEC_END && errstr[err])
		return errstr[err];
	return "unknown error";
}

unsigned mk_hash_len(unsigned hash_func)
{
	switch (hash_func) {
	case MK_HASH_SHA1: return 20;
	case MK_HASH_MD5: return 16;
	case MK_HASH_SHA256: return 32;
	}
	return 0;
}

/* DH value length by group (mikey.md 2.3). */
static unsigned dh_len(unsigned group)
{
	switch (group) {
	case MK_DH_OAKLEY5: return 192;
	case MK_DH_OAKLEY1: return 96;
	case MK_DH_OAKLEY2: return 128;
	}
	return 0;
}

/* ---- reader helpers ---- */

static int fail_at(size_t *eoff, size_t off, int err)
{
	*eoff = off;
	return err;
}

/* Close a payload: truncation is reported where the failing read began. */
static int done(tk_rd *rd, struct mk_pl *pl, size_t start, size_t *eoff)
{
	if (!tk_rd_ok(rd))
		return fail_at(eoff, tk_rd_offset(rd), MK_ERR_TRUNCATED);
	pl->present = true;
	pl->np = rd->base[start];
	pl->off = (uint32_t)start;
	pl->len = (uint32_t)(tk_rd_offset(rd) - start);
	return MK_OK;
}

static void rbytes(tk_rd *rd, size_t n, struct mk_bytes *b)
{
	b->p = tk_rd_bytes(rd, n);
	b->n = b->p ? n : 0;
}

static uint64_t rd_ts(tk_rd *rd, unsigned len)
{
	return len == 8 ? tk_rd_u64(rd) : tk_rd_u32(rd);
}

/* ---- HDR (3.1) ---- */

int mkp_rd_hdr(tk_rd *rd, struct mk_hdr *h, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	uint8_t b;
	unsigned i;

	h->version = tk_rd_u8(rd);
	if (tk_rd_ok(rd) && h->version != MK_VERSION)
		return fail_at(eoff, start, MK_ERR_UNSUPPORTED_VERSION);
	h->data_type = tk_rd_u8(rd);
	h->pl.np = tk_rd_u8(rd);
	b = tk_rd_u8(rd);
	h->v = b >> 7;
	h->prf = b & 0x7f;
	h->csb_id = tk_rd_u32(rd);
	h->ncs = tk_rd_u8(rd);
	h->map_type = tk_rd_u8(rd);
	if (!tk_rd_ok(rd))
		return fail_at(eoff, tk_rd_offset(rd), MK_ERR_TRUNCATED);
	switch (h->map_type) {
	case MK_MAP_EMPTY:
		break;
	case MK_MAP_SRTP_ID:
		if (h->ncs > MK_MAX_CS)
			return fail_at(eoff, start + 8, MK_ERR_TOO_MANY);
		for (i = 0; i < h->ncs; i++) {
			h->cs.srtp[i].policy_no = tk_rd_u8(rd);
			h->cs.srtp[i].ssrc = tk_rd_u32(rd);
			h->cs.srtp[i].roc = tk_rd_u32(rd);
		}
		break;
	case MK_MAP_GENERIC_ID:
		if (h->ncs > MK_MAX_CS)
			return fail_at(eoff, start + 8, MK_ERR_TOO_MANY);
		for (i = 0; i < h->ncs; i++) {
			struct mk_cs_generic *g = &h->cs.gen[i];
			size_t poff;

			g->cs_id = tk_rd_u8(rd);
			g->prot_type = tk_rd_u8(rd);
			poff = tk_rd_offset(rd);
			b = tk_rd_u8(rd);
			g->s = b >> 7;
			g->npolicy = b & 0x7f;
			if (tk_rd_ok(rd) && g->npolicy > MK_MAX_POLICY_NO)
				return fail_at(eoff, poff, MK_ERR_TOO_MANY);
			tk_rd_copy(rd, g->policy_no, g->npolicy);
			rbytes(rd, tk_rd_u16(rd), &g->session_data);
			rbytes(rd, tk_rd_u8(rd), &g->spi);
			if (!tk_rd_ok(rd))
				break;
		}
		break;
	default:
		return fail_at(eoff, start + 9, MK_ERR_BAD_MAP);
	}
	if (!tk_rd_ok(rd))
		return fail_at(eoff, tk_rd_offset(rd), MK_ERR_TRUNCATED);
	h->pl.present = true;
	h->pl.off = (uint32_t)start;
	h->pl.len = (uint32_t)(tk_rd_offset(rd) - start);
	return MK_OK;
}

/* ---- small payloads (3.4) ---- */

int mkp_rd_t(tk_rd *rd, struct mk_t *t, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	unsigned n;

	tk_rd_u8(rd);
	t->ts_type = tk_rd_u8(rd);
	n = mk_ts_len(t->ts_type);
	if (tk_rd_ok(rd) && !n)
		return fail_at(eoff, start + 1, MK_ERR_BAD_ALG);
	t->ts = rd_ts(rd, n);
	return done(rd, &t->pl, start, eoff);
}

int mkp_rd_tr(tk_rd *rd, struct mk_tr *t, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	unsigned n;

	tk_rd_u8(rd);
	t->role = tk_rd_u8(rd);
	t->ts_type = tk_rd_u8(rd);
	n = mk_ts_len(t->ts_type);
	if (tk_rd_ok(rd) && !n)
		return fail_at(eoff, start + 2, MK_ERR_BAD_ALG);
	t->ts = rd_ts(rd, n);
	return done(rd, &t->pl, start, eoff);
}

int mkp_rd_rand(tk_rd *rd, struct mk_rand *r, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	rbytes(rd, tk_rd_u8(rd), &r->rand);
	return done(rd, &r->pl, start, eoff);
}

int mkp_rd_randr(tk_rd *rd, struct mk_randr *r, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	r->role = tk_rd_u8(rd);
	rbytes(rd, tk_rd_u8(rd), &r->rand);
	return done(rd, &r->pl, start, eoff);
}

int mkp_rd_id(tk_rd *rd, struct mk_id *id, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	id->type = tk_rd_u8(rd);
	rbytes(rd, tk_rd_u16(rd), &id->data);
	return done(rd, &id->pl, start, eoff);
}

int mkp_rd_idr(tk_rd *rd, struct mk_idr *id, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	id->role = tk_rd_u8(rd);
	id->id_type = tk_rd_u8(rd);
	rbytes(rd, tk_rd_u16(rd), &id->data);
	return done(rd, &id->pl, start, eoff);
}

int mkp_rd_chash(tk_rd *rd, struct mk_chash *c, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	unsigned n;

	tk_rd_u8(rd);
	c->func = tk_rd_u8(rd);
	n = mk_hash_len(c->func);
	if (tk_rd_ok(rd) && !n)
		return fail_at(eoff, start + 1, MK_ERR_BAD_ALG);
	rbytes(rd, n, &c->hash);
	return done(rd, &c->pl, start, eoff);
}

int mkp_rd_v(tk_rd *rd, struct mk_v *v, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	v->alg = tk_rd_u8(rd);
	if (tk_rd_ok(rd) && !mk_mac_valid(v->alg))
		return fail_at(eoff, start + 1, MK_ERR_BAD_ALG);
	v->mac_off = (uint32_t)tk_rd_offset(rd);
	rbytes(rd, mk_mac_len(v->alg), &v->mac);
	return done(rd, &v->pl, start, eoff);
}

int mkp_rd_pke(tk_rd *rd, struct mk_pke *p, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	uint16_t w;

	tk_rd_u8(rd);
	w = tk_rd_u16(rd);
	p->cache = w >> 14;
	rbytes(rd, w & 0x3fff, &p->data);
	return done(rd, &p->pl, start, eoff);
}

static void rd_kv(tk_rd *rd, uint8_t type, struct mk_kv *kv)
{
	kv->type = type;
	kv->spi = kv->valid_from = kv->valid_to = (struct mk_bytes){ NULL, 0 };
	if (type == MK_KV_SPI) {
		rbytes(rd, tk_rd_u8(rd), &kv->spi);
	} else if (type == MK_KV_INTERVAL) {
		rbytes(rd, tk_rd_u8(rd), &kv->valid_from);
		rbytes(rd, tk_rd_u8(rd), &kv->valid_to);
	}
}

int mkp_rd_dh(tk_rd *rd, struct mk_dh *d, size_t *eoff)
{
	size_t start = tk_rd_offset(rd), kvoff;
	unsigned n;
	uint8_t kv;

	tk_rd_u8(rd);
	d->group = tk_rd_u8(rd);
	n = dh_len(d->group);
	if (tk_rd_ok(rd) && !n)
		return fail_at(eoff, start + 1, MK_ERR_BAD_ALG);
	rbytes(rd, n, &d->value);
	kvoff = tk_rd_offset(rd);
	kv = tk_rd_u8(rd) & 0x0f;
	if (tk_rd_ok(rd) && kv > MK_KV_INTERVAL)
		return fail_at(eoff, kvoff, MK_ERR_BAD_ALG);
	rd_kv(rd, kv, &d->kv);
	return done(rd, &d->pl, start, eoff);
}

int mkp_rd_sign(tk_rd *rd, struct mk_sign *s, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	uint16_t w = tk_rd_u16(rd);

	s->s_type = w >> 12;
	s->sig_off = (uint32_t)tk_rd_offset(rd);
	rbytes(rd, w & 0x0fff, &s->sig);
	if (!tk_rd_ok(rd))
		return fail_at(eoff, tk_rd_offset(rd), MK_ERR_TRUNCATED);
	s->pl.present = true;
	s->pl.np = MK_PT_LAST;
	s->pl.off = (uint32_t)start;
	s->pl.len = (uint32_t)(tk_rd_offset(rd) - start);
	return MK_OK;
}

int mkp_rd_err(tk_rd *rd, struct mk_errpl *e, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	e->code = tk_rd_u8(rd);
	tk_rd_u16(rd); /* reserved, ignored on receipt */
	return done(rd, &e->pl, start, eoff);
}

int mkp_rd_ext(tk_rd *rd, struct mk_ext *e, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	e->type = tk_rd_u8(rd);
	rbytes(rd, tk_rd_u16(rd), &e->data);
	return done(rd, &e->pl, start, eoff);
}

int mkp_rd_sp(tk_rd *rd, struct mk_sp *sp, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	tk_rd tl;

	tk_rd_u8(rd);
	sp->policy_no = tk_rd_u8(rd);
	sp->prot_type = tk_rd_u8(rd);
	rbytes(rd, tk_rd_u16(rd), &sp->params);
	if (!tk_rd_ok(rd))
		return fail_at(eoff, tk_rd_offset(rd), MK_ERR_TRUNCATED);
	/* The TLVs must exactly fill the parameter length. */
	tk_rd_init(&tl, sp->params.p, sp->params.n);
	while (tk_rd_left(&tl)) {
		size_t at = tk_rd_offset(&tl);

		tk_rd_u8(&tl);
		tk_rd_skip(&tl, tk_rd_u8(&tl));
		if (!tk_rd_ok(&tl))
			return fail_at(eoff, start + 5 + at, MK_ERR_BAD_LENGTH);
	}
	return done(rd, &sp->pl, start, eoff);
}

int mkp_rd_sakke(tk_rd *rd, struct mk_sakke *s, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	s->params = tk_rd_u8(rd);
	s->id_scheme = tk_rd_u8(rd);
	rbytes(rd, tk_rd_u16(rd), &s->data);
	return done(rd, &s->pl, start, eoff);
}

int mkp_rd_kemac(tk_rd *rd, struct mk_kemac *k, size_t *eoff)
{
	size_t start = tk_rd_offset(rd), moff;

	tk_rd_u8(rd);
	k->encr_alg = tk_rd_u8(rd);
	/* Encr data is opaque here; an unknown encr alg is refused when
	 * decrypting, it does not prevent framing. */
	k->encr_off = (uint32_t)tk_rd_offset(rd) + 2;
	rbytes(rd, tk_rd_u16(rd), &k->encr);
	moff = tk_rd_offset(rd);
	k->mac_alg = tk_rd_u8(rd);
	if (tk_rd_ok(rd) && !mk_mac_valid(k->mac_alg))
		return fail_at(eoff, moff, MK_ERR_BAD_ALG);
	rbytes(rd, mk_mac_len(k->mac_alg), &k->mac);
	return done(rd, &k->pl, start, eoff);
}

static bool key_has_salt(uint8_t type)
{
	return type == MK_KEY_TGK_SALT || type == MK_KEY_TEK_SALT ||
	       type == MK_KEY_GTGK_SALT;
}

int mkp_rd_keydata(tk_rd *rd, struct mk_keydata *k, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);
	uint8_t b;

	tk_rd_u8(rd);
	b = tk_rd_u8(rd);
	k->type = b >> 4;
	if (tk_rd_ok(rd) && (b & 0x0f) > MK_KV_INTERVAL)
		return fail_at(eoff, start + 1, MK_ERR_BAD_ALG);
	rbytes(rd, tk_rd_u16(rd), &k->key);
	k->salt = (struct mk_bytes){ NULL, 0 };
	if (key_has_salt(k->type))
		rbytes(rd, tk_rd_u16(rd), &k->salt);
	rd_kv(rd, b & 0x0f, &k->kv);
	return done(rd, &k->pl, start, eoff);
}

int mkp_rd_thdr(tk_rd *rd, struct mk_thdr *t, size_t *eoff)
{
	size_t start = tk_rd_offset(rd);

	tk_rd_u8(rd);
	rbytes(rd, tk_rd_u16(rd), &t->data);
	return done(rd, &t->pl, start, eoff);
}

/* ---- TP / TICKET (3.6) ---- */

int mk_tp_flags_check(uint32_t f)
{
	bool D = f & MK_TF_D, F = f & MK_TF_F, G = f & MK_TF_G, H = f & MK_TF_H,
	     I = f & MK_TF_I, E = f & MK_TF_E, K = f & MK_TF_K, L = f & MK_TF_L,
	     M = f & MK_TF_M;

	if ((!D && !L) || (G && !F) || (!G && !H) || (I && !E) || (K && !D) ||
	    (M && !F))
		return MK_ERR_BAD_FLAGS;
	return MK_OK;
}

int mkp_rd_ticket(tk_rd *rd, bool is_ticket, struct mk_ticket *tk, size_t *eoff)
{
	size_t start = tk_rd_offset(rd), foff;
	uint8_t b5, b6, b7;
	int e;

	memset(tk, 0, sizeof(*tk));
	tk->is_ticket = is_ticket;
	tk_rd_u8(rd);
	tk->ticket_type = tk_rd_u16(rd);
	tk->subtype = tk_rd_u8(rd);
	tk->version = tk_rd_u8(rd);
	foff = tk_rd_offset(rd);
	b5 = tk_rd_u8(rd);
	b6 = tk_rd_u8(rd);
	b7 = tk_rd_u8(rd);
	tk->prf = b5 >> 1;
	/* Reserved bits of byte 7 are kept (so a MAC covers them) but not
	 * interpreted. */
	tk->flags = (uint32_t)(b5 & 1) << 16 | (uint32_t)b6 << 8 | b7;
	if (tk_rd_ok(rd) && mk_tp_flags_check(tk->flags))
		return fail_at(eoff, foff, MK_ERR_BAD_FLAGS);
	rbytes(rd, tk_rd_u16(rd), &tk->tp_data_raw);
	if (is_ticket) {
		rbytes(rd, tk_rd_u16(rd), &tk->ticket_data);
		tk->init_len_off = (uint32_t)tk_rd_offset(rd);
		rbytes(rd, tk_rd_u16(rd), &tk->init_data);
	}
	if (!tk_rd_ok(rd))
		return fail_at(eoff, tk_rd_offset(rd), MK_ERR_TRUNCATED);
	e = mkp_tp_data_parse(rd->base, tk->tp_data_raw.p, tk->tp_data_raw.n,
			      &tk->tp, eoff);
	if (e)
		return e;
	/* The KEMAC of TP Data announces wanted keys: desired policy only. */
	if (is_ticket && tk->tp.kemac.pl.present)
		return fail_at(eoff, tk->tp.kemac.pl.off, MK_ERR_POLICY);
	if (tk->init_data.n) {
		if (!(tk->flags & MK_TF_I))
			return fail_at(eoff, tk->init_len_off, MK_ERR_POLICY);
		e = mkp_init_data_parse(rd->base, tk->init_data.p,
					tk->init_data.n, &tk->init, eoff);
		if (e)
			return e;
	}
	return done(rd, &tk->pl, start, eoff);
}

/* ---- writer ---- */

void mkp_bw_init(struct mk_bw *b, uint8_t *buf, size_t cap)
{
	tk_wr_init(&b->wr, buf, cap);
	b->np_pos = SIZE_MAX;
	b->prev = NULL;
}

int mkp_bw_err(const struct mk_bw *b)
{
	switch (b->wr.err) {
	case TK_WIRE_OK: return MK_OK;
	case TK_WIRE_NOSPACE: return MK_ERR_NOSPACE;
	case TK_WIRE_TOOLONG: return MK_ERR_TOOLONG;
	}
	return MK_ERR_BAD_ARG;
}

/* Link a new payload of `type` into the chain and open it. */
static void begin(struct mk_bw *b, struct mk_pl *pl, uint8_t type, bool with_np)
{
	if (b->np_pos == SIZE_MAX) {
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
		return;
	}
	if (b->np_pos != MKP_CHAIN_START)
		tk_wr_patch_u8(&b->wr, b->np_pos, type);
	if (b->prev)
		b->prev->np = type;
	pl->off = (uint32_t)b->wr.len;
	pl->np = MK_PT_LAST;
	if (with_np) {
		b->np_pos = b->wr.len;
		tk_wr_u8(&b->wr, MK_PT_LAST);
		b->prev = pl;
	} else {
		b->np_pos = SIZE_MAX; /* SIGN: nothing may follow */
		b->prev = NULL;
	}
}

static void end(struct mk_bw *b, struct mk_pl *pl)
{
	pl->present = true;
	pl->len = (uint32_t)(b->wr.len - pl->off);
}

size_t mkp_bw_nest(struct mk_bw *b, struct mk_pl **saved_prev)
{
	size_t saved = b->np_pos;

	*saved_prev = b->prev;
	b->np_pos = b->wr.len;
	b->prev = NULL;
	tk_wr_u8(&b->wr, MK_PT_LAST);
	return saved;
}

void mkp_bw_unnest(struct mk_bw *b, size_t saved_pos, struct mk_pl *saved_prev)
{
	b->np_pos = saved_pos;
	b->prev = saved_prev;
}

void mkp_wbytes(struct mk_bw *b, struct mk_bytes *x)
{
	size_t pos = b->wr.len;
	uint8_t *q = tk_wr_reserve(&b->wr, x->n);

	if (!q)
		return;
	if (x->p)
		memmove(q, x->p, x->n);
	else
		memset(q, 0, x->n);
	x->p = b->wr.buf + pos;
}

/* A length-prefixed byte field. */
static void wlbytes(struct mk_bw *b, unsigned width, struct mk_bytes *x)
{
	tk_wr_mark m = tk_wr_len_begin(&b->wr, width);

	mkp_wbytes(b, x);
	tk_wr_len_end(&b->wr, m);
}

static void w_ts(struct mk_bw *b, uint8_t type, uint64_t ts)
{
	unsigned n = mk_ts_len(type);

	if (n == 8)
		tk_wr_u64(&b->wr, ts);
	else if (n == 4)
		tk_wr_u32(&b->wr, (uint32_t)ts);
	else
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
}

void mkp_wr_hdr(struct mk_bw *b, struct mk_hdr *h)
{
	unsigned i;

	h->pl.off = (uint32_t)b->wr.len;
	tk_wr_u8(&b->wr, h->version ? h->version : MK_VERSION);
	tk_wr_u8(&b->wr, h->data_type);
	b->np_pos = b->wr.len;
	b->prev = &h->pl;
	h->pl.np = MK_PT_LAST;
	tk_wr_u8(&b->wr, MK_PT_LAST);
	tk_wr_u8(&b->wr, (uint8_t)((h->v ? 0x80 : 0) | (h->prf & 0x7f)));
	tk_wr_u32(&b->wr, h->csb_id);
	tk_wr_u8(&b->wr, h->ncs);
	tk_wr_u8(&b->wr, h->map_type);
	if (h->map_type != MK_MAP_EMPTY && h->ncs > MK_MAX_CS)
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	else if (h->map_type == MK_MAP_SRTP_ID)
		for (i = 0; i < h->ncs; i++) {
			tk_wr_u8(&b->wr, h->cs.srtp[i].policy_no);
			tk_wr_u32(&b->wr, h->cs.srtp[i].ssrc);
			tk_wr_u32(&b->wr, h->cs.srtp[i].roc);
		}
	else if (h->map_type == MK_MAP_GENERIC_ID)
		for (i = 0; i < h->ncs; i++) {
			struct mk_cs_generic *g = &h->cs.gen[i];

			if (g->npolicy > MK_MAX_POLICY_NO) {
				tk_wr_fail(&b->wr, TK_WIRE_INVALID);
				break;
			}
			tk_wr_u8(&b->wr, g->cs_id);
			tk_wr_u8(&b->wr, g->prot_type);
			tk_wr_u8(&b->wr, (uint8_t)((g->s ? 0x80 : 0) | g->npolicy));
			tk_wr_bytes(&b->wr, g->policy_no, g->npolicy);
			wlbytes(b, 2, &g->session_data);
			wlbytes(b, 1, &g->spi);
		}
	else if (h->map_type != MK_MAP_EMPTY)
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	end(b, &h->pl);
}

void mkp_wr_t(struct mk_bw *b, struct mk_t *t)
{
	begin(b, &t->pl, MK_PT_T, true);
	tk_wr_u8(&b->wr, t->ts_type);
	w_ts(b, t->ts_type, t->ts);
	end(b, &t->pl);
}

void mkp_wr_tr(struct mk_bw *b, struct mk_tr *t)
{
	begin(b, &t->pl, MK_PT_TR, true);
	tk_wr_u8(&b->wr, t->role);
	tk_wr_u8(&b->wr, t->ts_type);
	w_ts(b, t->ts_type, t->ts);
	end(b, &t->pl);
}

void mkp_wr_rand(struct mk_bw *b, struct mk_rand *r)
{
	begin(b, &r->pl, MK_PT_RAND, true);
	wlbytes(b, 1, &r->rand);
	end(b, &r->pl);
}

void mkp_wr_randr(struct mk_bw *b, struct mk_randr *r)
{
	begin(b, &r->pl, MK_PT_RANDR, true);
	tk_wr_u8(&b->wr, r->role);
	wlbytes(b, 1, &r->rand);
	end(b, &r->pl);
}

void mkp_wr_id(struct mk_bw *b, uint8_t type, struct mk_id *id)
{
	begin(b, &id->pl, type, true);
	tk_wr_u8(&b->wr, id->type);
	wlbytes(b, 2, &id->data);
	end(b, &id->pl);
}

void mkp_wr_idr(struct mk_bw *b, struct mk_idr *id)
{
	begin(b, &id->pl, MK_PT_IDR, true);
	tk_wr_u8(&b->wr, id->role);
	tk_wr_u8(&b->wr, id->id_type);
	wlbytes(b, 2, &id->data);
	end(b, &id->pl);
}

void mkp_wr_chash(struct mk_bw *b, struct mk_chash *c)
{
	begin(b, &c->pl, MK_PT_CHASH, true);
	tk_wr_u8(&b->wr, c->func);
	if (c->hash.n != mk_hash_len(c->func) || !c->hash.n)
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	mkp_wbytes(b, &c->hash);
	end(b, &c->pl);
}

void mkp_wr_v(struct mk_bw *b, struct mk_v *v)
{
	begin(b, &v->pl, MK_PT_V, true);
	tk_wr_u8(&b->wr, v->alg);
	if (!mk_mac_valid(v->alg) || (v->mac.p && v->mac.n != mk_mac_len(v->alg)))
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	v->mac.n = mk_mac_len(v->alg);
	v->mac_off = (uint32_t)b->wr.len;
	mkp_wbytes(b, &v->mac);
	end(b, &v->pl);
}

void mkp_wr_pke(struct mk_bw *b, struct mk_pke *p)
{
	tk_wr_mark m;

	begin(b, &p->pl, MK_PT_PKE, true);
	m = tk_wr_len_begin(&b->wr, 2);
	mkp_wbytes(b, &p->data);
	tk_wr_len_end_bits(&b->wr, m, 14, (uint32_t)(p->cache & 3) << 14);
	end(b, &p->pl);
}

static void w_kv(struct mk_bw *b, struct mk_kv *kv)
{
	if (kv->type == MK_KV_SPI) {
		wlbytes(b, 1, &kv->spi);
	} else if (kv->type == MK_KV_INTERVAL) {
		wlbytes(b, 1, &kv->valid_from);
		wlbytes(b, 1, &kv->valid_to);
	} else if (kv->type != MK_KV_NULL) {
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	}
}

void mkp_wr_dh(struct mk_bw *b, struct mk_dh *d)
{
	begin(b, &d->pl, MK_PT_DH, true);
	tk_wr_u8(&b->wr, d->group);
	if (d->value.n != dh_len(d->group) || !d->value.n)
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	mkp_wbytes(b, &d->value);
	tk_wr_u8(&b->wr, d->kv.type & 0x0f);
	w_kv(b, &d->kv);
	end(b, &d->pl);
}

void mkp_wr_sign(struct mk_bw *b, struct mk_sign *s)
{
	tk_wr_mark m;

	begin(b, &s->pl, MK_PT_SIGN, false);
	m = tk_wr_len_begin(&b->wr, 2);
	s->sig_off = (uint32_t)b->wr.len;
	mkp_wbytes(b, &s->sig);
	tk_wr_len_end_bits(&b->wr, m, 12, (uint32_t)(s->s_type & 0x0f) << 12);
	end(b, &s->pl);
}

void mkp_wr_err(struct mk_bw *b, struct mk_errpl *e)
{
	begin(b, &e->pl, MK_PT_ERR, true);
	tk_wr_u8(&b->wr, e->code);
	tk_wr_u16(&b->wr, 0);
	end(b, &e->pl);
}

void mkp_wr_ext(struct mk_bw *b, struct mk_ext *e)
{
	begin(b, &e->pl, MK_PT_GENEXT, true);
	tk_wr_u8(&b->wr, e->type);
	wlbytes(b, 2, &e->data);
	end(b, &e->pl);
}

void mkp_wr_sp(struct mk_bw *b, struct mk_sp *sp)
{
	begin(b, &sp->pl, MK_PT_SP, true);
	tk_wr_u8(&b->wr, sp->policy_no);
	tk_wr_u8(&b->wr, sp->prot_type);
	wlbytes(b, 2, &sp->params);
	end(b, &sp->pl);
}

void mkp_wr_sakke(struct mk_bw *b, struct mk_sakke *s)
{
	begin(b, &s->pl, MK_PT_SAKKE, true);
	tk_wr_u8(&b->wr, s->params);
	tk_wr_u8(&b->wr, s->id_scheme);
	wlbytes(b, 2, &s->data);
	end(b, &s->pl);
}

void mkp_wr_kemac(struct mk_bw *b, struct mk_kemac *k)
{
	begin(b, &k->pl, MK_PT_KEMAC, true);
	tk_wr_u8(&b->wr, k->encr_alg);
	k->encr_off = (uint32_t)b->wr.len + 2;
	wlbytes(b, 2, &k->encr);
	tk_wr_u8(&b->wr, k->mac_alg);
	if (!mk_mac_valid(k->mac_alg) || (k->mac.p && k->mac.n != mk_mac_len(k->mac_alg)))
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	k->mac.n = mk_mac_len(k->mac_alg);
	mkp_wbytes(b, &k->mac);
	end(b, &k->pl);
}

void mkp_wr_keydata(struct mk_bw *b, struct mk_keydata *k)
{
	begin(b, &k->pl, MK_PT_KEYDATA, true);
	if (k->type > 15 || k->kv.type > MK_KV_INTERVAL)
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	tk_wr_u8(&b->wr, (uint8_t)(k->type << 4 | (k->kv.type & 0x0f)));
	wlbytes(b, 2, &k->key);
	if (key_has_salt(k->type))
		wlbytes(b, 2, &k->salt);
	else if (k->salt.n)
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
	w_kv(b, &k->kv);
	end(b, &k->pl);
}

void mkp_wr_thdr(struct mk_bw *b, struct mk_thdr *t)
{
	/* THDR opens Ticket Data: it has no predecessor NP byte. */
	b->np_pos = MKP_CHAIN_START;
	b->prev = NULL;
	begin(b, &t->pl, 0, true);
	wlbytes(b, 2, &t->data);
	end(b, &t->pl);
}

void mkp_ticket_fixed(const struct mk_ticket *tk, size_t tp_len, uint8_t out[9])
{
	out[0] = (uint8_t)(tk->ticket_type >> 8);
	out[1] = (uint8_t)tk->ticket_type;
	out[2] = tk->subtype;
	out[3] = tk->version;
	out[4] = (uint8_t)(tk->prf << 1 | ((tk->flags & MK_TF_D) ? 1 : 0));
	out[5] = (uint8_t)(tk->flags >> 8);
	out[6] = (uint8_t)tk->flags;
	out[7] = (uint8_t)(tp_len >> 8);
	out[8] = (uint8_t)tp_len;
}

void mkp_wr_ticket(struct mk_bw *b, struct mk_ticket *tk, uint8_t init_mac_alg)
{
	uint8_t fixed[9];
	tk_wr_mark m;
	size_t tp_start, saved;
	struct mk_pl *saved_prev;

	begin(b, &tk->pl, tk->is_ticket ? MK_PT_TICKET : MK_PT_TP, true);
	if (tk->prf > 0x7f) {
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
		return;
	}
	mkp_ticket_fixed(tk, 0, fixed);
	tk_wr_bytes(&b->wr, fixed, 7);
	m = tk_wr_len_begin(&b->wr, 2);
	tp_start = b->wr.len;
	if (tk->tp_data_raw.p) {
		mkp_wbytes(b, &tk->tp_data_raw);
	} else {
		saved = mkp_bw_nest(b, &saved_prev);
		mkp_wr_tp_data(b, &tk->tp);
		mkp_bw_unnest(b, saved, saved_prev);
		/* tp_data_raw stays NULL: a later build of the same
		 * description must see later changes to tk->tp. */
		if (tk_wr_ok(&b->wr))
			tk->tp.first = b->wr.buf[tp_start];
	}
	tk_wr_len_end(&b->wr, m);
	if (tk->is_ticket) {
		wlbytes(b, 2, &tk->ticket_data);
		tk->init_len_off = (uint32_t)b->wr.len;
		if (!tk->init_data.p && init_mac_alg != 0xff && (tk->flags & MK_TF_I)) {
			/* Placeholder Initiator Data, filled by mprotect. */
			size_t pos;

			m = tk_wr_len_begin(&b->wr, 2);
			pos = b->wr.len;
			memset(&tk->init, 0, sizeof(tk->init));
			tk->init.vi.alg = tk->init.vr.alg = init_mac_alg;
			mkp_wr_init_data(b, &tk->init);
			tk_wr_len_end(&b->wr, m);
			if (tk_wr_ok(&b->wr)) {
				tk->init_data.p = b->wr.buf + pos;
				tk->init_data.n = b->wr.len - pos;
			}
		} else {
			size_t eoff;

			wlbytes(b, 2, &tk->init_data);
			/* Vi/Vr offsets must describe this output (mprotect
			 * writes the MACs there), not the message the
			 * Initiator Data was copied from. */
			memset(&tk->init, 0, sizeof(tk->init));
			if (tk->init_data.n && tk_wr_ok(&b->wr))
				mkp_init_data_parse(b->wr.buf, tk->init_data.p,
						    tk->init_data.n, &tk->init, &eoff);
		}
	}
	end(b, &tk->pl);
}
