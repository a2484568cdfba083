/*
 * payload.h (internal to src/mikey): readers and writers of single MIKEY
 * payloads (mikey.md 3), shared by the message codec and the protection
 * code.  Readers start at a payload's first byte and fill pl.off/len with
 * offsets relative to the reader's base; on error they return an mk error
 * and set *eoff.  Writers chain Next Payload bytes through struct mk_bw.
 */
#ifndef TK_MIKEY_PAYLOAD_H
#define TK_MIKEY_PAYLOAD_H

#include "mikey/mikey.h"

/* ---- readers ---- */
int mkp_rd_hdr(tk_rd *rd, struct mk_hdr *h, size_t *eoff);
int mkp_rd_t(tk_rd *rd, struct mk_t *t, size_t *eoff);
int mkp_rd_tr(tk_rd *rd, struct mk_tr *t, size_t *eoff);
int mkp_rd_rand(tk_rd *rd, struct mk_rand *r, size_t *eoff);
int mkp_rd_randr(tk_rd *rd, struct mk_randr *r, size_t *eoff);
int mkp_rd_id(tk_rd *rd, struct mk_id *id, size_t *eoff);
int mkp_rd_idr(tk_rd *rd, struct mk_idr *id, size_t *eoff);
int mkp_rd_chash(tk_rd *rd, struct mk_chash *c, size_t *eoff);
int mkp_rd_v(tk_rd *rd, struct mk_v *v, size_t *eoff);
int mkp_rd_pke(tk_rd *rd, struct mk_pke *p, size_t *eoff);
int mkp_rd_dh(tk_rd *rd, struct mk_dh *d, size_t *eoff);
int mkp_rd_sign(tk_rd *rd, struct mk_sign *s, size_t *eoff);
int mkp_rd_err(tk_rd *rd, struct mk_errpl *e, size_t *eoff);
int mkp_rd_ext(tk_rd *rd, struct mk_ext *e, size_t *eoff);
int mkp_rd_sp(tk_rd *rd, struct mk_sp *sp, size_t *eoff);
int mkp_rd_sakke(tk_rd *rd, struct mk_sakke *s, size_t *eoff);
int mkp_rd_kemac(tk_rd *rd, struct mk_kemac *k, size_t *eoff);
int mkp_rd_keydata(tk_rd *rd, struct mk_keydata *k, size_t *eoff);
int mkp_rd_thdr(tk_rd *rd, struct mk_thdr *t, size_t *eoff);
/* TP (is_ticket false) or TICKET payload, TP Data parsed and checked. */
int mkp_rd_ticket(tk_rd *rd, bool is_ticket, struct mk_ticket *tk, size_t *eoff);

/* ---- writer ---- */
struct mk_bw {
	tk_wr wr;
	size_t np_pos;       /* where the next payload's type goes; SIZE_MAX: none */
	struct mk_pl *prev;  /* payload owning that NP byte (its .np is updated) */
};

/* np_pos of a chain whose first payload has no predecessor NP byte. */
#define MKP_CHAIN_START (SIZE_MAX - 1)

void mkp_bw_init(struct mk_bw *b, uint8_t *buf, size_t cap);
int mkp_bw_err(const struct mk_bw *b);
/* Start a nested chain whose first-payload-type byte is written now. */
size_t mkp_bw_nest(struct mk_bw *b, struct mk_pl **saved_prev);
void mkp_bw_unnest(struct mk_bw *b, size_t saved_pos, struct mk_pl *saved_prev);
/* Write bytes and repoint x into the output; x->p NULL writes x->n zeros. */
void mkp_wbytes(struct mk_bw *b, struct mk_bytes *x);

void mkp_wr_hdr(struct mk_bw *b, struct mk_hdr *h);
void mkp_wr_t(struct mk_bw *b, struct mk_t *t);
void mkp_wr_tr(struct mk_bw *b, struct mk_tr *t);
void mkp_wr_rand(struct mk_bw *b, struct mk_rand *r);
void mkp_wr_randr(struct mk_bw *b, struct mk_randr *r);
void mkp_wr_id(struct mk_bw *b, uint8_t type, struct mk_id *id);
void mkp_wr_idr(struct mk_bw *b, struct mk_idr *id);
void mkp_wr_chash(struct mk_bw *b, struct mk_chash *c);
void mkp_wr_v(struct mk_bw *b, struct mk_v *v);
void mkp_wr_pke(struct mk_bw *b, struct mk_pke *p);
void mkp_wr_dh(struct mk_bw *b, struct mk_dh *d);
void mkp_wr_sign(struct mk_bw *b, struct mk_sign *s);
void mkp_wr_err(struct mk_bw *b, struct mk_errpl *e);
void mkp_wr_ext(struct mk_bw *b, struct mk_ext *e);
void mkp_wr_sp(struct mk_bw *b, struct mk_sp *sp);
void mkp_wr_sakke(struct mk_bw *b, struct mk_sakke *s);
void mkp_wr_kemac(struct mk_bw *b, struct mk_kemac *k);
void mkp_wr_keydata(struct mk_bw *b, struct mk_keydata *k);
void mkp_wr_thdr(struct mk_bw *b, struct mk_thdr *t);
void mkp_wr_ticket(struct mk_bw *b, struct mk_ticket *tk, uint8_t init_mac_alg);

/* Nested structures (message.c): TP Data and Initiator Data.  `base` is
 * the start of the whole buffer, for offsets. */
/* Key data chain; kw_pad allows up to 7 trailing zero octets (AES-KW). */
int mkp_keylist_parse(const uint8_t *buf, size_t len, bool kw_pad,
		      struct mk_keylist *kl, size_t *eoff);
int mkp_tp_data_parse(const uint8_t *base, const uint8_t *p, size_t n,
		      struct mk_tp_data *tp, size_t *eoff);
int mkp_init_data_parse(const uint8_t *base, const uint8_t *p, size_t n,
			struct mk_init_data *id, size_t *eoff);
/* Write TP Data payloads into a chain opened with mkp_bw_nest. */
void mkp_wr_tp_data(struct mk_bw *b, struct mk_tp_data *tp);
/* Write Initiator Data (first byte, Vi, Vr) in its own nested chain. */
void mkp_wr_init_data(struct mk_bw *b, struct mk_init_data *id);

/* Writes the 9 octets of a TP/TICKET payload that follow its NP byte and
 * precede the TP Data (type, subtype, version, PRF|D, flags, TP Data len). */
void mkp_ticket_fixed(const struct mk_ticket *tk, size_t tp_len, uint8_t out[9]);

#endif
