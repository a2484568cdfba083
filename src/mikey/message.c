/*
 * message.c: composition of MIKEY-TICKET messages (mikey.md 4) and of the
 * nested payload lists (TP Data, Ticket Data of the base ticket, Initiator
 * Data, Key data chains; mikey.md 3.3, 3.6): parse with order / count /
 * HDR / Ticket Policy checks, and build in the order of mikey.md 4.
 *
 * Unexpected payloads: a payload type this codec knows how to frame but
 * that does not belong to the message is skipped (RFC 6043 receivers
 * ignore unexpected payloads) as long as it comes before the V / SIGN
 * payload; nothing may follow V or SIGN, since it would not be covered by
 * the MAC.  A type whose layout is unknown cannot be framed and is refused
 * (MK_ERR_BAD_NEXT_PAYLOAD).  Nested lists never contain TP or TICKET,
 * which bounds the recursion.
 */
#include <string.h>

#include "mikey/payload.h"

enum kind {
	K_BAD = -1,
	K_OTHER = 0, /* known framing, no slot: skipped */
	K_T, K_RAND, K_RANDRI, K_RANDRR, K_RANDRKMS,
	K_IDRI, K_IDRR, K_IDRKMS, K_IDRPSK, K_IDRAPP, K_IDRKMSI, K_IDRKMSR,
	K_ID, K_CERT, K_CHASH, K_PKE, K_DH, K_SIGN, K_TP, K_TICKET, K_KEMAC,
	K_SP, K_ERR, K_V, K_SAKKE, K_TRS, K_TRE, K_TRR, K_EXT,
};

struct slot {
	int8_t kind;
	uint8_t min, max;
};

#define S(k, a, b) { k, a, b }

static const struct slot t_req_init_psk[] = {
	S(K_T, 1, 1), S(K_RANDRI, 1, 1), S(K_IDRI, 0, 1), S(K_IDRKMS, 0, 1),
	S(K_TP, 1, 1), S(K_IDRPSK, 0, 1), S(K_V, 1, 1),
};
static const struct slot t_req_init_pk[] = {
	S(K_T, 1, 1), S(K_RANDRI, 1, 1), S(K_IDRI, 0, 1),
	S(K_CERT, 0, MK_MAX_CERT), S(K_IDRKMS, 0, 1), S(K_TP, 1, 1),
	S(K_CHASH, 0, 1), S(K_PKE, 1, 1), S(K_SIGN, 1, 1),
};
static const struct slot t_req_resp[] = {
	S(K_T, 1, 1), S(K_IDRKMS, 0, 1), S(K_TICKET, 1, 1), S(K_KEMAC, 1, 1),
	S(K_V, 1, 1),
};
/* RANDRi and TICKET are absent in a CSB-update TRANSFER_INIT. */
static const struct slot t_tr_init[] = {
	S(K_T, 1, 1), S(K_RANDRI, 0, 1), S(K_IDRI, 0, 1), S(K_IDRR, 0, 1),
	S(K_SP, 0, MK_MAX_SP), S(K_TICKET, 0, 1), S(K_KEMAC, 0, 1),
	S(K_V, 1, 1),
};
static const struct slot t_tr_resp[] = {
	S(K_T, 1, 1), S(K_RANDRR, 0, 1), S(K_IDRR, 0, 1), S(K_RANDRKMS, 0, 1),
	S(K_SP, 0, MK_MAX_SP), S(K_KEMAC, 0, 1), S(K_V, 1, 1),
};
static const struct slot t_res_init_psk[] = {
	S(K_T, 1, 1), S(K_RANDRR, 1, 1), S(K_IDRR, 0, 1), S(K_IDRKMS, 0, 1),
	S(K_TICKET, 1, 1), S(K_IDRPSK, 0, 1), S(K_V, 1, 1),
};
static const struct slot t_res_init_pk[] = {
	S(K_T, 1, 1), S(K_RANDRR, 1, 1), S(K_IDRR, 0, 1),
	S(K_CERT, 0, MK_MAX_CERT), S(K_IDRKMS, 0, 1), S(K_TICKET, 1, 1),
	S(K_CHASH, 0, 1), S(K_PKE, 1, 1), S(K_SIGN, 1, 1),
};
static const struct slot t_res_resp[] = {
	S(K_T, 1, 1), S(K_IDRKMS, 0, 1), S(K_KEMAC, 1, 1), S(K_IDRR, 0, 1),
	S(K_RANDRKMS, 0, 1), S(K_V, 1, 1),
};
static const struct slot t_error[] = {
	S(K_T, 1, 1), S(K_ERR, 1, MK_MAX_ERR), S(K_SP, 0, MK_MAX_SP),
	S(K_V, 0, 1), S(K_SIGN, 0, 1),
};
/* RFC 6509 I_MESSAGE */
static const struct slot t_sakke[] = {
	S(K_T, 1, 1), S(K_RAND, 1, 1), S(K_IDRI, 0, 1), S(K_IDRR, 0, 1),
	S(K_IDRKMS, 0, 1), S(K_IDRKMSI, 0, 1), S(K_IDRKMSR, 0, 1),
	S(K_CERT, 0, MK_MAX_CERT), S(K_SP, 0, MK_MAX_SP), S(K_SAKKE, 1, 1),
	S(K_SIGN, 1, 1),
};
static const struct slot t_tp_data[] = {
	S(K_IDRKMS, 0, 1), S(K_IDRI, 0, 1), S(K_TRS, 0, 1), S(K_TRE, 0, 1),
	S(K_TRR, 0, 1), S(K_KEMAC, 0, 1), S(K_IDRAPP, 0, MK_MAX_IDR),
	S(K_IDRR, 1, MK_MAX_IDR),
};
/* Ticket Data after THDR */
static const struct slot t_ticket_data[] = {
	S(K_T, 1, 1), S(K_RAND, 1, 1), S(K_KEMAC, 1, 1), S(K_IDRPSK, 0, 1),
	S(K_V, 1, 1),
};

#define N(t) (unsigned)(sizeof(t) / sizeof((t)[0]))

static const struct slot *table(uint8_t dt, unsigned *n)
{
	switch (dt) {
	case MK_DT_REQUEST_INIT_PSK: *n = N(t_req_init_psk); return t_req_init_psk;
	case MK_DT_REQUEST_INIT_PK: *n = N(t_req_init_pk); return t_req_init_pk;
	case MK_DT_REQUEST_RESP: *n = N(t_req_resp); return t_req_resp;
	case MK_DT_TRANSFER_INIT: *n = N(t_tr_init); return t_tr_init;
	case MK_DT_TRANSFER_RESP: *n = N(t_tr_resp); return t_tr_resp;
	case MK_DT_RESOLVE_INIT_PSK: *n = N(t_res_init_psk); return t_res_init_psk;
	case MK_DT_RESOLVE_INIT_PK: *n = N(t_res_init_pk); return t_res_init_pk;
	case MK_DT_RESOLVE_RESP: *n = N(t_res_resp); return t_res_resp;
	case MK_DT_ERROR: *n = N(t_error); return t_error;
	case MK_DT_SAKKE: *n = N(t_sakke); return t_sakke;
	}
	return NULL;
}

static int fail_at(size_t *eoff, size_t off, int err)
{
	*eoff = off;
	return err;
}

static int classify(uint8_t type, const tk_rd *rd, bool nested)
{
	uint8_t role = tk_rd_left(rd) >= 2 ? tk_rd_ptr(rd)[1] : 0;

	switch (type) {
	case MK_PT_T: return K_T;
	case MK_PT_RAND: return K_RAND;
	case MK_PT_RANDR:
		switch (role) {
		case MK_RANDR_I: return K_RANDRI;
		case MK_RANDR_R: return K_RANDRR;
		case MK_RANDR_KMS: return K_RANDRKMS;
		}
		return K_OTHER;
	case MK_PT_IDR:
		switch (role) {
		case MK_IDR_I: return K_IDRI;
		case MK_IDR_R: return K_IDRR;
		case MK_IDR_KMS: return K_IDRKMS;
		case MK_IDR_PSK: return K_IDRPSK;
		case MK_IDR_APP: return K_IDRAPP;
		case MK_IDR_KMS_I: return K_IDRKMSI;
		case MK_IDR_KMS_R: return K_IDRKMSR;
		}
		return K_OTHER;
	case MK_PT_TR:
		switch (role) {
		case MK_TR_START: return K_TRS;
		case MK_TR_END: return K_TRE;
		case MK_TR_REKEY: return K_TRR;
		}
		return K_OTHER;
	case MK_PT_ID: return K_ID;
	case MK_PT_CERT: return K_CERT;
	case MK_PT_CHASH: return K_CHASH;
	case MK_PT_PKE: return K_PKE;
	case MK_PT_DH: return K_DH;
	case MK_PT_SIGN: return K_SIGN;
	case MK_PT_ERR: return K_ERR;
	case MK_PT_GENEXT: return K_EXT;
	case MK_PT_SP: return K_SP;
	case MK_PT_SAKKE: return K_SAKKE;
	case MK_PT_KEMAC: return K_KEMAC;
	case MK_PT_V: return K_V;
	case MK_PT_TP: return nested ? K_BAD : K_TP;
	case MK_PT_TICKET: return nested ? K_BAD : K_TICKET;
	}
	return K_BAD; /* includes Key data (20): sub-payload of KEMAC only */
}

union anypl {
	struct mk_pl pl;
	struct mk_t t;
	struct mk_tr tr;
	struct mk_rand rand;
	struct mk_randr randr;
	struct mk_id id;
	struct mk_idr idr;
	struct mk_chash chash;
	struct mk_v v;
	struct mk_pke pke;
	struct mk_dh dh;
	struct mk_sign sign;
	struct mk_errpl err;
	struct mk_ext ext;
	struct mk_sp sp;
	struct mk_sakke sakke;
	struct mk_kemac kemac;
	struct mk_ticket ticket;
};

static int read_any(uint8_t type, tk_rd *rd, void *dst, size_t *eoff)
{
	switch (type) {
	case MK_PT_T: return mkp_rd_t(rd, dst, eoff);
	case MK_PT_TR: return mkp_rd_tr(rd, dst, eoff);
	case MK_PT_RAND: return mkp_rd_rand(rd, dst, eoff);
	case MK_PT_RANDR: return mkp_rd_randr(rd, dst, eoff);
	case MK_PT_ID:
	case MK_PT_CERT: return mkp_rd_id(rd, dst, eoff);
	case MK_PT_IDR: return mkp_rd_idr(rd, dst, eoff);
	case MK_PT_CHASH: return mkp_rd_chash(rd, dst, eoff);
	case MK_PT_V: return mkp_rd_v(rd, dst, eoff);
	case MK_PT_PKE: return mkp_rd_pke(rd, dst, eoff);
	case MK_PT_DH: return mkp_rd_dh(rd, dst, eoff);
	case MK_PT_SIGN: return mkp_rd_sign(rd, dst, eoff);
	case MK_PT_ERR: return mkp_rd_err(rd, dst, eoff);
	case MK_PT_GENEXT: return mkp_rd_ext(rd, dst, eoff);
	case MK_PT_SP: return mkp_rd_sp(rd, dst, eoff);
	case MK_PT_SAKKE: return mkp_rd_sakke(rd, dst, eoff);
	case MK_PT_KEMAC: return mkp_rd_kemac(rd, dst, eoff);
	case MK_PT_TP: return mkp_rd_ticket(rd, false, dst, eoff);
	case MK_PT_TICKET: return mkp_rd_ticket(rd, true, dst, eoff);
	}
	return fail_at(eoff, tk_rd_offset(rd), MK_ERR_BAD_NEXT_PAYLOAD);
}

/* Where a payload of `kind` (the idx-th of its slot) is stored; NULL:
 * nowhere (skipped). */
typedef void *(*dest_fn)(void *ctx, int kind, unsigned idx);

struct walk {
	const struct slot *sl;
	unsigned nsl;
	bool nested;   /* TP / TICKET not allowed */
	bool v_last;   /* a V of the table must end the chain */
	bool keep_ext; /* General Extensions are stored (else skipped) */
	dest_fn dest;
	void *ctx;
	unsigned nskipped;
};

/* Walk a Next Payload chain whose first type is `type`, named by the byte
 * at np_off. */
static int walk(struct walk *w, tk_rd *rd, uint8_t type, size_t np_off,
		size_t *eoff)
{
	uint8_t cnt[16] = { 0 };
	unsigned cur = 0, j, next = 0;
	union anypl scratch;
	int e;

	while (type != MK_PT_LAST) {
		size_t start = tk_rd_offset(rd);
		int kind = classify(type, rd, w->nested);
		void *dst = NULL;

		if (kind == K_BAD)
			return fail_at(eoff, np_off, MK_ERR_BAD_NEXT_PAYLOAD);
		for (j = cur; j < w->nsl && w->sl[j].kind != kind; j++)
			;
		if (j == w->nsl) {
			for (j = 0; j < cur && w->sl[j].kind != kind; j++)
				;
			if (j < cur)
				return fail_at(eoff, start, MK_ERR_ORDER);
			j = w->nsl;
		}
		if (j < w->nsl) {
			if (cnt[j] >= w->sl[j].max)
				return fail_at(eoff, start, w->sl[j].max == 1 ?
					       MK_ERR_DUPLICATE : MK_ERR_TOO_MANY);
			dst = w->dest(w->ctx, kind, cnt[j]);
			cnt[j]++;
			cur = j;
		} else if (kind == K_EXT && w->keep_ext) {
			if (next >= MK_MAX_EXT)
				return fail_at(eoff, start, MK_ERR_TOO_MANY);
			dst = w->dest(w->ctx, kind, next++);
		}
		if (!dst) {
			dst = &scratch;
			w->nskipped++;
		}
		e = read_any(type, rd, dst, eoff);
		if (e)
			return e;
		if (type == MK_PT_SIGN)
			break;
		np_off = start;
		type = rd->base[start]; /* the payload's Next Payload byte */
		if (w->v_last && kind == K_V && j < w->nsl && type != MK_PT_LAST)
			return fail_at(eoff, start, MK_ERR_ORDER);
	}
	for (j = 0; j < w->nsl; j++)
		if (cnt[j] < w->sl[j].min)
			return fail_at(eoff, tk_rd_offset(rd), MK_ERR_MISSING_PAYLOAD);
	return MK_OK;
}

/* Truncation inside a length-delimited container is a length error. */
static int in_container(int e)
{
	return e == MK_ERR_TRUNCATED ? MK_ERR_BAD_LENGTH : e;
}

static void sub_reader(tk_rd *rd, const uint8_t *base, const uint8_t *p, size_t n)
{
	tk_rd_init(rd, p, n);
	rd->base = base;
}

/* ---- message ---- */

static void *msg_dest(void *ctx, int kind, unsigned idx)
{
	struct mk_msg *m = ctx;

	switch (kind) {
	case K_T: return &m->t;
	case K_RAND: return &m->rand;
	case K_RANDRI: return &m->randr[MK_RANDR_I];
	case K_RANDRR: return &m->randr[MK_RANDR_R];
	case K_RANDRKMS: return &m->randr[MK_RANDR_KMS];
	case K_IDRI: return &m->idr[MK_IDR_I];
	case K_IDRR: return &m->idr[MK_IDR_R];
	case K_IDRKMS: return &m->idr[MK_IDR_KMS];
	case K_IDRPSK: return &m->idr[MK_IDR_PSK];
	case K_IDRKMSI: return &m->idr[MK_IDR_KMS_I];
	case K_IDRKMSR: return &m->idr[MK_IDR_KMS_R];
	case K_CERT: m->ncert = idx + 1; return &m->cert[idx];
	case K_CHASH: return &m->chash;
	case K_PKE: return &m->pke;
	case K_TP:
	case K_TICKET: return &m->ticket;
	case K_KEMAC: return &m->kemac;
	case K_SP: m->nsp = idx + 1; return &m->sp[idx];
	case K_ERR: m->nerr = idx + 1; return &m->err[idx];
	case K_EXT: m->next = idx + 1; return &m->ext[idx];
	case K_V: return &m->v;
	case K_SIGN: return &m->sign;
	case K_SAKKE: return &m->sakke;
	}
	return NULL;
}

static bool is_req_res(uint8_t dt)
{
	return dt == MK_DT_REQUEST_INIT_PSK || dt == MK_DT_REQUEST_INIT_PK ||
	       dt == MK_DT_REQUEST_RESP || dt == MK_DT_RESOLVE_INIT_PSK ||
	       dt == MK_DT_RESOLVE_INIT_PK || dt == MK_DT_RESOLVE_RESP;
}

/* Message-level rules that the slot tables cannot express. */
static int msg_rules(struct mk_msg *m)
{
	uint8_t dt = m->hdr.data_type;
	const struct mk_ticket *tk = &m->ticket;

	if (dt == MK_DT_TRANSFER_INIT) {
		if (tk->pl.present != m->randr[MK_RANDR_I].pl.present)
			return fail_at(&m->err_off, m->len, MK_ERR_MISSING_PAYLOAD);
		m->csb_update = !tk->pl.present;
		if (tk->pl.present && m->kemac.pl.present && !(tk->flags & MK_TF_L))
			return fail_at(&m->err_off, m->kemac.pl.off, MK_ERR_POLICY);
	}
	if ((dt == MK_DT_TRANSFER_INIT || dt == MK_DT_RESOLVE_INIT_PSK ||
	     dt == MK_DT_RESOLVE_INIT_PK) && tk->pl.present &&
	    (tk->flags & MK_TF_I) && !tk->init_data.n)
		return fail_at(&m->err_off, tk->init_len_off, MK_ERR_MISSING_PAYLOAD);
	if (dt == MK_DT_ERROR && m->v.pl.present && m->sign.pl.present)
		return fail_at(&m->err_off, m->sign.pl.off, MK_ERR_DUPLICATE);
	return MK_OK;
}

int mk_parse(const uint8_t *buf, size_t len, struct mk_msg *m)
{
	struct walk w = { .dest = msg_dest, .v_last = true, .keep_ext = true };
	tk_rd rd;
	int e;

	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->len = len;
	tk_rd_init(&rd, buf, len);
	e = mkp_rd_hdr(&rd, &m->hdr, &m->err_off);
	if (e)
		return e;
	w.sl = table(m->hdr.data_type, &w.nsl);
	if (!w.sl)
		return fail_at(&m->err_off, 1, MK_ERR_BAD_DATA_TYPE);
	if (is_req_res(m->hdr.data_type) &&
	    (m->hdr.ncs != 0 || m->hdr.map_type != MK_MAP_EMPTY))
		return fail_at(&m->err_off, 8, MK_ERR_BAD_HDR);
	if (m->hdr.data_type == MK_DT_TRANSFER_INIT &&
	    m->hdr.map_type == MK_MAP_SRTP_ID)
		return fail_at(&m->err_off, 9, MK_ERR_BAD_HDR);
	w.ctx = m;
	e = walk(&w, &rd, m->hdr.pl.np, 2, &m->err_off);
	if (e)
		return e;
	m->nskipped = w.nskipped;
	if (tk_rd_left(&rd))
		return fail_at(&m->err_off, tk_rd_offset(&rd), MK_ERR_TRAILING);
	return msg_rules(m);
}

/* ---- TP Data ---- */

static void *tp_dest(void *ctx, int kind, unsigned idx)
{
	struct mk_tp_data *tp = ctx;

	switch (kind) {
	case K_IDRKMS: return &tp->idrkms;
	case K_IDRI: return &tp->idri;
	case K_TRS: return &tp->trs;
	case K_TRE: return &tp->tre;
	case K_TRR: return &tp->trr;
	case K_KEMAC: return &tp->kemac;
	case K_IDRAPP: tp->napp = idx + 1; return &tp->idrapp[idx];
	case K_IDRR: tp->nr = idx + 1; return &tp->idrr[idx];
	}
	return NULL;
}

int mkp_tp_data_parse(const uint8_t *base, const uint8_t *p, size_t n,
		      struct mk_tp_data *tp, size_t *eoff)
{
	struct walk w = { .sl = t_tp_data, .nsl = N(t_tp_data), .nested = true,
			  .dest = tp_dest, .ctx = tp };
	tk_rd rd;
	size_t first_off;
	int e;

	sub_reader(&rd, base, p, n);
	first_off = tk_rd_offset(&rd);
	tp->first = tk_rd_u8(&rd);
	if (!tk_rd_ok(&rd))
		return fail_at(eoff, first_off, MK_ERR_BAD_LENGTH);
	e = walk(&w, &rd, tp->first, first_off, eoff);
	if (e)
		return in_container(e);
	/* The desired-policy KEMAC announces keys: NULL encryption, NULL MAC,
	 * a plain Key data chain (3.6). */
	if (tp->kemac.pl.present) {
		struct mk_keylist kl;
		size_t koff;

		if (tp->kemac.encr_alg != MK_ENCR_NULL || tp->kemac.mac_alg != MK_MAC_NULL)
			return fail_at(eoff, tp->kemac.pl.off + 1, MK_ERR_BAD_VALUE);
		e = mkp_keylist_parse(tp->kemac.encr.p, tp->kemac.encr.n, false, &kl, &koff);
		if (e)
			return fail_at(eoff, tp->kemac.encr_off + koff, in_container(e));
	}
	/* TRr is an interval in seconds: NTP-UTC-32 only (3.6). */
	if (tp->trr.pl.present && tp->trr.ts_type != MK_TS_NTP_UTC_32)
		return fail_at(eoff, tp->trr.pl.off + 2, MK_ERR_BAD_VALUE);
	if (tk_rd_left(&rd))
		return fail_at(eoff, tk_rd_offset(&rd), MK_ERR_BAD_LENGTH);
	return MK_OK;
}

void mkp_wr_tp_data(struct mk_bw *b, struct mk_tp_data *tp)
{
	unsigned i;

	if (tp->napp > MK_MAX_IDR || tp->nr > MK_MAX_IDR || !tp->nr) {
		tk_wr_fail(&b->wr, TK_WIRE_INVALID);
		return;
	}
	if (tp->idrkms.pl.present) {
		tp->idrkms.role = MK_IDR_KMS;
		mkp_wr_idr(b, &tp->idrkms);
	}
	if (tp->idri.pl.present) {
		tp->idri.role = MK_IDR_I;
		mkp_wr_idr(b, &tp->idri);
	}
	if (tp->trs.pl.present) {
		tp->trs.role = MK_TR_START;
		mkp_wr_tr(b, &tp->trs);
	}
	if (tp->tre.pl.present) {
		tp->tre.role = MK_TR_END;
		mkp_wr_tr(b, &tp->tre);
	}
	if (tp->trr.pl.present) {
		tp->trr.role = MK_TR_REKEY;
		mkp_wr_tr(b, &tp->trr);
	}
	if (tp->kemac.pl.present)
		mkp_wr_kemac(b, &tp->kemac);
	for (i = 0; i < tp->napp; i++) {
		tp->idrapp[i].role = MK_IDR_APP;
		mkp_wr_idr(b, &tp->idrapp[i]);
	}
	for (i = 0; i < tp->nr; i++) {
		tp->idrr[i].role = MK_IDR_R;
		mkp_wr_idr(b, &tp->idrr[i]);
	}
}

/* ---- Initiator Data ---- */

int mkp_init_data_parse(const uint8_t *base, const uint8_t *p, size_t n,
			struct mk_init_data *id, size_t *eoff)
{
	tk_rd rd;
	size_t off;
	int e;

	sub_reader(&rd, base, p, n);
	off = tk_rd_offset(&rd);
	id->first = tk_rd_u8(&rd);
	if (!tk_rd_ok(&rd))
		return fail_at(eoff, off, MK_ERR_BAD_LENGTH);
	if (id->first != MK_PT_V)
		return fail_at(eoff, off, MK_ERR_BAD_NEXT_PAYLOAD);
	off = tk_rd_offset(&rd);
	e = mkp_rd_v(&rd, &id->vi, eoff);
	if (e)
		return in_container(e);
	/* P-12: Vi is encoded with Next Payload 9 (Vr follows). */
	if (id->vi.pl.np != MK_PT_V)
		return fail_at(eoff, off, MK_ERR_BAD_NEXT_PAYLOAD);
	off = tk_rd_offset(&rd);
	e = mkp_rd_v(&rd, &id->vr, eoff);
	if (e)
		return in_container(e);
	if (id->vr.pl.np != MK_PT_LAST)
		return fail_at(eoff, off, MK_ERR_BAD_NEXT_PAYLOAD);
	if (id->vr.alg != id->vi.alg)
		return fail_at(eoff, off + 1, MK_ERR_BAD_VALUE);
	if (tk_rd_left(&rd))
		return fail_at(eoff, tk_rd_offset(&rd), MK_ERR_BAD_LENGTH);
	return MK_OK;
}

int mk_init_data_parse(const uint8_t *buf, size_t len, struct mk_init_data *id,
		       size_t *err_off)
{
	size_t dummy;

	memset(id, 0, sizeof(*id));
	return mkp_init_data_parse(buf, buf, len, id, err_off ? err_off : &dummy);
}

void mkp_wr_init_data(struct mk_bw *b, struct mk_init_data *id)
{
	struct mk_pl *saved_prev;
	size_t saved = mkp_bw_nest(b, &saved_prev);

	id->first = MK_PT_V;
	mkp_wr_v(b, &id->vi);
	mkp_wr_v(b, &id->vr);
	mkp_bw_unnest(b, saved, saved_prev);
}

int mk_init_data_build(struct mk_init_data *id, uint8_t *buf, size_t cap,
		       size_t *out_len)
{
	struct mk_bw b;

	mkp_bw_init(&b, buf, cap);
	mkp_wr_init_data(&b, id);
	*out_len = b.wr.len;
	return mkp_bw_err(&b);
}

/* ---- Ticket Data of the MIKEY base ticket ---- */

static void *td_dest(void *ctx, int kind, unsigned idx)
{
	struct mk_ticket_data *td = ctx;

	(void)idx;
	switch (kind) {
	case K_T: return &td->t;
	case K_RAND: return &td->rand;
	case K_KEMAC: return &td->kemac;
	case K_IDRPSK: return &td->idrpsk;
	case K_V: return &td->v;
	}
	return NULL;
}

int mk_ticket_data_parse(const uint8_t *buf, size_t len,
			 struct mk_ticket_data *td, size_t *err_off)
{
	struct walk w = { .sl = t_ticket_data, .nsl = N(t_ticket_data), .nested = true,
			  .v_last = true, .dest = td_dest, .ctx = td };
	size_t dummy, *eoff = err_off ? err_off : &dummy;
	tk_rd rd;
	int e;

	memset(td, 0, sizeof(*td));
	tk_rd_init(&rd, buf, len);
	e = mkp_rd_thdr(&rd, &td->thdr, eoff);
	if (e)
		return e;
	e = walk(&w, &rd, td->thdr.pl.np, 0, eoff);
	if (e)
		return e;
	if (tk_rd_left(&rd))
		return fail_at(eoff, tk_rd_offset(&rd), MK_ERR_TRAILING);
	return MK_OK;
}

int mk_ticket_data_build(struct mk_ticket_data *td, uint8_t *buf, size_t cap,
			 size_t *out_len)
{
	struct mk_bw b;

	mkp_bw_init(&b, buf, cap);
	if (!td->t.pl.present || !td->rand.pl.present || !td->kemac.pl.present)
		return MK_ERR_MISSING_PAYLOAD;
	mkp_wr_thdr(&b, &td->thdr);
	mkp_wr_t(&b, &td->t);
	mkp_wr_rand(&b, &td->rand);
	mkp_wr_kemac(&b, &td->kemac);
	if (td->idrpsk.pl.present) {
		td->idrpsk.role = MK_IDR_PSK;
		mkp_wr_idr(&b, &td->idrpsk);
	}
	mkp_wr_v(&b, &td->v);
	*out_len = b.wr.len;
	return mkp_bw_err(&b);
}

/* ---- Key data chain ---- */

int mkp_keylist_parse(const uint8_t *buf, size_t len, bool kw_pad,
		      struct mk_keylist *kl, size_t *eoff)
{
	tk_rd rd;
	uint8_t np = MK_PT_KEYDATA;
	int e;

	kl->n = 0;
	tk_rd_init(&rd, buf, len);
	while (np == MK_PT_KEYDATA) {
		size_t start = tk_rd_offset(&rd);

		if (kl->n == MK_MAX_KEYS)
			return fail_at(eoff, start, MK_ERR_TOO_MANY);
		e = mkp_rd_keydata(&rd, &kl->k[kl->n], eoff);
		if (e)
			return e;
		np = kl->k[kl->n++].pl.np;
		if (np != MK_PT_KEYDATA && np != MK_PT_LAST)
			return fail_at(eoff, start, MK_ERR_BAD_NEXT_PAYLOAD);
	}
	if (kw_pad && tk_rd_left(&rd) < 8) {
		/* P-8: up to 7 zero octets of AES-KW padding are ignored. */
		const uint8_t *pad = tk_rd_ptr(&rd);
		size_t i;

		for (i = 0; i < tk_rd_left(&rd); i++)
			if (pad[i])
				return fail_at(eoff, tk_rd_offset(&rd) + i, MK_ERR_TRAILING);
		return MK_OK;
	}
	if (tk_rd_left(&rd))
		return fail_at(eoff, tk_rd_offset(&rd), MK_ERR_TRAILING);
	return MK_OK;
}

int mk_keylist_parse(const uint8_t *buf, size_t len, struct mk_keylist *kl,
		     size_t *err_off)
{
	size_t dummy;

	return mkp_keylist_parse(buf, len, false, kl, err_off ? err_off : &dummy);
}

int mk_keylist_build(const struct mk_keylist *kl, uint8_t *buf, size_t cap,
		     size_t *out_len)
{
	struct mk_bw b;
	struct mk_keydata k;
	unsigned i;

	*out_len = 0;
	if (!kl->n || kl->n > MK_MAX_KEYS)
		return MK_ERR_BAD_ARG;
	mkp_bw_init(&b, buf, cap);
	b.np_pos = MKP_CHAIN_START; /* a Key data chain has no first-type byte */
	for (i = 0; i < kl->n; i++) {
		k = kl->k[i];
		mkp_wr_keydata(&b, &k);
	}
	*out_len = b.wr.len;
	return mkp_bw_err(&b);
}

/* ---- message builder ---- */

static bool emit(struct mk_bw *b, struct mk_msg *m, int kind, uint8_t min,
		 uint8_t max)
{
	unsigned i, n = 0;
	struct mk_idr *idr = NULL;
	struct mk_randr *rr = NULL;
	uint8_t alg;

	switch (kind) {
	case K_T: if ((n = m->t.pl.present)) mkp_wr_t(b, &m->t); break;
	case K_RAND: if ((n = m->rand.pl.present)) mkp_wr_rand(b, &m->rand); break;
	case K_RANDRI: rr = &m->randr[MK_RANDR_I]; rr->role = MK_RANDR_I; break;
	case K_RANDRR: rr = &m->randr[MK_RANDR_R]; rr->role = MK_RANDR_R; break;
	case K_RANDRKMS: rr = &m->randr[MK_RANDR_KMS]; rr->role = MK_RANDR_KMS; break;
	case K_IDRI: idr = &m->idr[MK_IDR_I]; idr->role = MK_IDR_I; break;
	case K_IDRR: idr = &m->idr[MK_IDR_R]; idr->role = MK_IDR_R; break;
	case K_IDRKMS: idr = &m->idr[MK_IDR_KMS]; idr->role = MK_IDR_KMS; break;
	case K_IDRPSK: idr = &m->idr[MK_IDR_PSK]; idr->role = MK_IDR_PSK; break;
	case K_IDRKMSI: idr = &m->idr[MK_IDR_KMS_I]; idr->role = MK_IDR_KMS_I; break;
	case K_IDRKMSR: idr = &m->idr[MK_IDR_KMS_R]; idr->role = MK_IDR_KMS_R; break;
	case K_CERT:
		if ((n = m->ncert) > max)
			return false;
		for (i = 0; i < n; i++)
			mkp_wr_id(b, MK_PT_CERT, &m->cert[i]);
		break;
	case K_CHASH: if ((n = m->chash.pl.present)) mkp_wr_chash(b, &m->chash); break;
	case K_PKE: if ((n = m->pke.pl.present)) mkp_wr_pke(b, &m->pke); break;
	case K_TP:
	case K_TICKET:
		if ((n = m->ticket.pl.present)) {
			m->ticket.is_ticket = kind == K_TICKET;
			alg = m->hdr.data_type == MK_DT_TRANSFER_INIT ? m->v.alg : 0xff;
			mkp_wr_ticket(b, &m->ticket, alg);
		}
		break;
	case K_KEMAC: if ((n = m->kemac.pl.present)) mkp_wr_kemac(b, &m->kemac); break;
	case K_SP:
		if ((n = m->nsp) > max)
			return false;
		for (i = 0; i < n; i++)
			mkp_wr_sp(b, &m->sp[i]);
		break;
	case K_ERR:
		if ((n = m->nerr) > max)
			return false;
		for (i = 0; i < n; i++)
			mkp_wr_err(b, &m->err[i]);
		break;
	case K_V: if ((n = m->v.pl.present)) mkp_wr_v(b, &m->v); break;
	case K_SIGN: if ((n = m->sign.pl.present)) mkp_wr_sign(b, &m->sign); break;
	case K_SAKKE: if ((n = m->sakke.pl.present)) mkp_wr_sakke(b, &m->sakke); break;
	}
	if (idr && (n = idr->pl.present))
		mkp_wr_idr(b, idr);
	if (rr && (n = rr->pl.present))
		mkp_wr_randr(b, rr);
	return n >= min;
}

int mk_build(struct mk_msg *m, uint8_t *buf, size_t cap, size_t *out_len)
{
	struct mk_bw b;
	const struct slot *sl;
	unsigned nsl, j, i;
	bool ext_done = false;
	struct mk_msg chk;
	int e;

	*out_len = 0;
	sl = table(m->hdr.data_type, &nsl);
	if (!sl)
		return MK_ERR_BAD_DATA_TYPE;
	if (m->next > MK_MAX_EXT)
		return MK_ERR_TOO_MANY;
	mkp_bw_init(&b, buf, cap);
	mkp_wr_hdr(&b, &m->hdr);
	for (j = 0; j < nsl; j++) {
		if (!ext_done && (sl[j].kind == K_V || sl[j].kind == K_SIGN)) {
			/* General Extensions go just before the MAC/signature. */
			for (i = 0; i < m->next; i++)
				mkp_wr_ext(&b, &m->ext[i]);
			ext_done = true;
		}
		if (!emit(&b, m, sl[j].kind, sl[j].min, sl[j].max))
			return sl[j].min ? MK_ERR_MISSING_PAYLOAD : MK_ERR_TOO_MANY;
	}
	e = mkp_bw_err(&b);
	if (e)
		return e;
	m->buf = buf;
	m->len = b.wr.len;
	*out_len = b.wr.len;
	/* What we send must be what we accept (HDR rules, Ticket Policy
	 * flags, composition): check the output with the parser. */
	e = mk_parse(buf, b.wr.len, &chk);
	if (e) {
		m->err_off = chk.err_off;
		*out_len = 0;
		return e;
	}
	m->csb_update = chk.csb_update;
	return MK_OK;
}

/* ---- SP parameters ---- */

bool mk_sp_next(const struct mk_sp *sp, size_t *pos, uint8_t *type,
		struct mk_bytes *val)
{
	tk_rd rd;

	if (*pos >= sp->params.n)
		return false;
	tk_rd_init(&rd, sp->params.p + *pos, sp->params.n - *pos);
	*type = tk_rd_u8(&rd);
	val->n = tk_rd_u8(&rd);
	val->p = tk_rd_bytes(&rd, val->n);
	if (!tk_rd_ok(&rd))
		return false;
	*pos += 2 + val->n;
	return true;
}

bool mk_sp_param(const struct mk_sp *sp, uint8_t type, struct mk_bytes *val)
{
	size_t pos = 0;
	uint8_t t;

	while (mk_sp_next(sp, &pos, &t, val))
		if (t == type)
			return true;
	return false;
}

int mk_sp_params_build(const uint8_t *types, const struct mk_bytes *vals,
		       unsigned n, uint8_t *buf, size_t cap, size_t *out_len)
{
	tk_wr wr;
	unsigned i;

	tk_wr_init(&wr, buf, cap);
	for (i = 0; i < n; i++) {
		if (vals[i].n > 255)
			return MK_ERR_TOOLONG;
		tk_wr_u8(&wr, types[i]);
		tk_wr_u8(&wr, (uint8_t)vals[i].n);
		tk_wr_bytes(&wr, vals[i].p, vals[i].n);
	}
	*out_len = wr.len;
	return wr.err == TK_WIRE_OK ? MK_OK : MK_ERR_NOSPACE;
}
