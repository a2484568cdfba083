/*
 * mikey-json.c: MIKEY message -> JSON for tkms-mikey (mikey.md 2, 3, 3.5,
 * 3.6; P-10 THDR layout).  Reads only the parsed structures of mikey.h
 * (which point into the message); allocates only JSON nodes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/sha2.h>

#include "tools/mikey-json.h"
#include "util/hexb64.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- code point names (mikey.md 2) ---- */

static const char *const dt_names[] = {
	"Pre-shared", "PSK ver msg", "Public key", "PK ver msg", "D-H init",
	"D-H resp", "Error", "DHHMAC init", "DHHMAC resp", "RSA-R I_MSG",
	"RSA-R R_MSG", "REQUEST_INIT_PSK", "REQUEST_INIT_PK", "REQUEST_RESP",
	"TRANSFER_INIT", "TRANSFER_RESP", "RESOLVE_INIT_PSK", "RESOLVE_INIT_PK",
	"RESOLVE_RESP", "REQUEST_KEY_PSK", "REQUEST_KEY_PKE", "REQUEST_KEY_RESP",
	"I_MESSAGE_1", "R_MESSAGE_1", "I_MESSAGE_2", "R_MESSAGE_2", "SAKKE",
};
static const char *const np_names[] = {
	"Last payload", "KEMAC", "PKE", "DH", "SIGN", "T", "ID", "CERT", "CHASH",
	"V", "SP", "RAND", "ERR", "TR", "IDR", "RANDR", "TP", "TICKET", NULL,
	NULL, "Key data", "General Ext.", "IBAKE", "ESK", "SK", "ECCPT", "SAKKE",
};
static const char *const prf_names[] = { "MIKEY-1", "PRF-HMAC-SHA-256" };
static const char *const map_names[] = { "SRTP-ID", "Empty map", "GENERIC-ID" };
static const char *const encr_names[] = { "NULL", "AES-CM-128", "AES-KW-128", "AES-CM-256" };
static const char *const mac_names[] = { "NULL", "HMAC-SHA-1-160", "HMAC-SHA-256-256" };
static const char *const ts_names[] = { "NTP-UTC", "NTP", "COUNTER", "NTP-UTC-32" };
static const char *const idtype_names[] = { "NAI", "URI", "Byte string" };
static const char *const cert_names[] = { "X.509v3", "X.509v3 URL", "X.509v3 Sign",
					  "X.509v3 Encr" };
static const char *const hash_names[] = { "SHA-1", "MD5", "SHA-256" };
static const char *const prot_names[] = { "SRTP", "TESLA" };
static const char *const pke_names[] = { "No cache", "Cache", "Cache for CSB" };
static const char *const sign_names[] = { "RSA/PKCS#1/1.5", "RSA/PSS", "ECCSI" };
static const char *const key_names[] = { "TGK", "TGK+SALT", "TEK", "TEK+SALT", "GTGK",
					 "GTGK+SALT", "MPK", "K_PR" };
static const char *const kv_names[] = { "Null", "SPI", "Interval" };
static const char *const ext_names[] = { "Vendor ID", "SDP IDs", "TESLA I-Key", "Key ID",
					 NULL, "OMA BCAST" };
static const char *const err_names[] = {
	"Auth failure", "Invalid TS", "Invalid PRF", "Invalid MAC", "Invalid EA",
	"Invalid HA", "Invalid DH", "Invalid ID", "Invalid Cert", "Invalid SP",
	"Invalid SPpar", "Invalid DT", "Unspecified error", NULL, "Invalid TICKET",
	"Invalid TPpar",
};
static const char *const tsrole_names[] = { NULL, "TRi", "TRs", "TRe", "TRr" };
static const char *const idrole_names[] = { NULL, "IDRi", "IDRr", "IDRkms", "IDRpsk",
					    "IDRapp", "IDRkmsi", "IDRkmsr" };
static const char *const randrole_names[] = { NULL, "RANDRi", "RANDRr", "RANDRkms" };
static const char *const ticket_names[] = { NULL, "MIKEY base ticket", "3GPP base ticket" };
static const char *const sakke_names[] = { NULL, "Parameter Set 1" };
static const char *const sakke_id_names[] = { NULL, "tel URI with monthly keys" };

/* SRTP policy parameters (mikey.md 3.5) */
static const char *const srtp_names[] = {
	"Encryption algorithm", "Session Encr. key length", "Authentication algorithm",
	"Session Auth. key length", "Session Salt key length", "SRTP PRF",
	"Key derivation rate", "SRTP encryption", "SRTCP encryption",
	"sender's FEC order", "SRTP authentication", "Authentication tag length",
	"SRTP prefix length",
};
static const char *const srtp_encr_names[] = { "NULL", "AES-CM", "AES-F8" };
static const char *const srtp_auth_names[] = { "NULL", "HMAC-SHA-1" };
static const char *const srtp_prf_names[] = { "AES-CM" };
static const char *const onoff_names[] = { "off", "on" };
static const char *const fec_names[] = { "FEC-SRTP" };

static const char *lookup(const char *const *t, size_t n, unsigned v)
{
	return v < n ? t[v] : NULL;
}

#define NAMED(t, v) named((v), lookup((t), N(t), (v)))

static json_t *named(unsigned v, const char *name)
{
	return json_pack("{s:I, s:o}", "value", (json_int_t)v, "name",
			 name ? json_string(name) : json_null());
}

/* ---- small helpers ---- */

json_t *mj_hex(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	json_t *j;

	if (!s)
		return NULL;
	tk_hex_encode(p, n, s);
	j = json_string(s);
	free(s);
	return j;
}

void mj_fingerprint(const uint8_t *p, size_t n, char out[9])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_init(&c);
	sha256_update(&c, n, p);
	sha256_digest(&c, sizeof(d), d);
	tk_hex_encode(d, 4, out);
}

static bool printable(const struct mk_bytes *b)
{
	size_t i;

	if (!b->n)
		return false;
	for (i = 0; i < b->n; i++)
		if (b->p[i] < 0x20 || b->p[i] > 0x7e)
			return false;
	return true;
}

/* Text when printable ASCII, else hex; the encoding goes to key_enc. */
static void set_data(json_t *o, const char *key, const char *key_enc,
		     const struct mk_bytes *b)
{
	if (printable(b)) {
		json_object_set_new(o, key, json_stringn((const char *)b->p, b->n));
		json_object_set_new(o, key_enc, json_string("text"));
	} else {
		json_object_set_new(o, key, mj_hex(b->p, b->n));
		json_object_set_new(o, key_enc, json_string("hex"));
	}
}

static void set_int(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer((json_int_t)v));
}

static void set_hex(json_t *o, const char *k, const struct mk_bytes *b)
{
	json_object_set_new(o, k, mj_hex(b->p, b->n));
}

/* A length field and the bytes it counts, in hex. */
static void set_len_hex(json_t *o, const char *k_len, const char *k, const struct mk_bytes *b)
{
	set_int(o, k_len, b->n);
	set_hex(o, k, b);
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* ISO 8601 UTC of a TS value (era rule in ntp.c); NULL for COUNTER. */
static json_t *iso_time(unsigned ts_type, uint64_t raw)
{
	struct timespec ts;
	struct tm tm;
	char buf[128];
	time_t t;
	int ok;

	if (ts_type == MK_TS_NTP_UTC || ts_type == MK_TS_NTP) {
		mk_ntp_to_timespec(raw, &ts);
	} else {
		ts.tv_sec = (time_t)mk_ts_to_unix(ts_type, raw, &ok);
		ts.tv_nsec = 0;
		if (!ok)
			return NULL;
	}
	t = ts.tv_sec;
	if (!gmtime_r(&t, &tm))
		return NULL;
	if (ts.tv_nsec)
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	else
		snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec);
	return json_string(buf);
}

static void set_ts(json_t *o, unsigned ts_type, uint64_t raw, bool interval)
{
	unsigned len = mk_ts_len(ts_type);
	uint8_t b[8];
	unsigned i;

	json_object_set_new(o, "TS_type", NAMED(ts_names, ts_type));
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(raw >> (8 * (len - 1 - i)));
	json_object_set_new(o, "TS_value", mj_hex(b, len));
	if (ts_type == MK_TS_COUNTER)
		set_int(o, "counter", raw);
	else if (interval && ts_type == MK_TS_NTP_UTC_32)
		set_int(o, "seconds", raw); /* TRr: a rekeying interval (3.6) */
	else if (len)
		json_object_set_new(o, "time", iso_time(ts_type, raw));
}

/* ---- payloads ---- */

/* Common members; offsets are absolute in the message (base added). */
static json_t *pl_obj(const char *name, const struct mk_pl *pl, size_t base, bool has_np)
{
	json_t *o = json_object();

	json_object_set_new(o, "payload", json_string(name));
	if (has_np)
		json_object_set_new(o, "next_payload", NAMED(np_names, pl->np));
	set_int(o, "offset", base + pl->off);
	set_int(o, "length", pl->len);
	return o;
}

static json_t *j_t(const struct mk_t *t, size_t base)
{
	json_t *o = pl_obj("T", &t->pl, base, true);

	set_ts(o, t->ts_type, t->ts, false);
	return o;
}

static json_t *j_tr(const struct mk_tr *t, size_t base)
{
	json_t *o = pl_obj("TR", &t->pl, base, true);

	json_object_set_new(o, "TS_role", NAMED(tsrole_names, t->role));
	set_ts(o, t->ts_type, t->ts, t->role == MK_TR_REKEY);
	return o;
}

static json_t *j_rand(const struct mk_rand *r, size_t base)
{
	json_t *o = pl_obj("RAND", &r->pl, base, true);

	set_len_hex(o, "RAND_len", "RAND", &r->rand);
	return o;
}

static json_t *j_randr(const struct mk_randr *r, size_t base)
{
	json_t *o = pl_obj("RANDR", &r->pl, base, true);

	json_object_set_new(o, "RAND_role", NAMED(randrole_names, r->role));
	set_len_hex(o, "RAND_len", "RAND", &r->rand);
	return o;
}

static json_t *j_idr(const struct mk_idr *d, size_t base)
{
	json_t *o = pl_obj("IDR", &d->pl, base, true);

	json_object_set_new(o, "ID_role", NAMED(idrole_names, d->role));
	json_object_set_new(o, "ID_type", NAMED(idtype_names, d->id_type));
	set_int(o, "ID_len", d->data.n);
	set_data(o, "ID_data", "ID_data_encoding", &d->data);
	return o;
}

static json_t *j_id(const struct mk_id *d, bool cert, size_t base)
{
	json_t *o = pl_obj(cert ? "CERT" : "ID", &d->pl, base, true);

	if (cert) {
		json_object_set_new(o, "Cert_type", NAMED(cert_names, d->type));
		set_len_hex(o, "Cert_len", "Certificate", &d->data);
	} else {
		json_object_set_new(o, "ID_type", NAMED(idtype_names, d->type));
		set_int(o, "ID_len", d->data.n);
		set_data(o, "ID_data", "ID_data_encoding", &d->data);
	}
	return o;
}

static json_t *j_v(const struct mk_v *v, const char *name, size_t base)
{
	json_t *o = pl_obj(name, &v->pl, base, true);

	json_object_set_new(o, "Auth_alg", NAMED(mac_names, v->alg));
	set_hex(o, "MAC", &v->mac);
	return o;
}

static json_t *j_kemac(const struct mk_kemac *k, size_t base)
{
	json_t *o = pl_obj("KEMAC", &k->pl, base, true);

	json_object_set_new(o, "Encr_alg", NAMED(encr_names, k->encr_alg));
	set_len_hex(o, "Encr_data_len", "Encr_data", &k->encr);
	json_object_set_new(o, "MAC_alg", NAMED(mac_names, k->mac_alg));
	set_hex(o, "MAC", &k->mac);
	return o;
}

static json_t *sp_value_name(uint8_t type, uint64_t v)
{
	const char *n = NULL;

	switch (type) {
	case MK_SRTP_ENCR_ALG: n = lookup(srtp_encr_names, N(srtp_encr_names), (unsigned)v); break;
	case MK_SRTP_AUTH_ALG: n = lookup(srtp_auth_names, N(srtp_auth_names), (unsigned)v); break;
	case MK_SRTP_PRF: n = lookup(srtp_prf_names, N(srtp_prf_names), (unsigned)v); break;
	case MK_SRTP_SRTP_ENCR:
	case MK_SRTP_SRTCP_ENCR:
	case MK_SRTP_SRTP_AUTH: n = lookup(onoff_names, N(onoff_names), (unsigned)v); break;
	case MK_SRTP_FEC_ORDER: n = lookup(fec_names, N(fec_names), (unsigned)v); break;
	default: return NULL;
	}
	return n ? json_string(n) : json_null();
}

static json_t *j_sp(const struct mk_sp *sp, size_t base)
{
	json_t *o = pl_obj("SP", &sp->pl, base, true), *a = json_array();
	struct mk_bytes val;
	size_t pos = 0;
	uint8_t type;

	set_int(o, "Policy_no", sp->policy_no);
	json_object_set_new(o, "Prot_type", NAMED(prot_names, sp->prot_type));
	set_int(o, "Policy_param_length", sp->params.n);
	while (mk_sp_next(sp, &pos, &type, &val)) {
		bool srtp = sp->prot_type == MK_PROT_SRTP;
		json_t *p = json_object(), *vn;

		json_object_set_new(p, "type", srtp ? NAMED(srtp_names, type) : named(type, NULL));
		set_int(p, "length", val.n);
		if (val.n >= 1 && val.n <= 4) {
			uint64_t v = be(val.p, val.n);

			set_int(p, "value", v);
			if (srtp && (vn = sp_value_name(type, v)))
				json_object_set_new(p, "value_name", vn);
		} else {
			set_hex(p, "value", &val);
		}
		json_array_append_new(a, p);
	}
	json_object_set_new(o, "parameters", a);
	return o;
}

static json_t *j_err(const struct mk_errpl *e, size_t base)
{
	json_t *o = pl_obj("ERR", &e->pl, base, true);

	json_object_set_new(o, "Error_no", NAMED(err_names, e->code));
	return o;
}

static json_t *j_ext(const struct mk_ext *e, size_t base)
{
	json_t *o = pl_obj("General Ext.", &e->pl, base, true);

	json_object_set_new(o, "Type", NAMED(ext_names, e->type));
	set_int(o, "Length", e->data.n);
	set_data(o, "Data", "Data_encoding", &e->data);
	return o;
}

static json_t *j_chash(const struct mk_chash *c, size_t base)
{
	json_t *o = pl_obj("CHASH", &c->pl, base, true);

	json_object_set_new(o, "Hash_func", NAMED(hash_names, c->func));
	set_hex(o, "Hash", &c->hash);
	return o;
}

static json_t *j_pke(const struct mk_pke *p, size_t base)
{
	json_t *o = pl_obj("PKE", &p->pl, base, true);

	json_object_set_new(o, "C", NAMED(pke_names, p->cache));
	set_len_hex(o, "Data_len", "Data", &p->data);
	return o;
}

static json_t *j_sign(const struct mk_sign *s, size_t base)
{
	json_t *o = pl_obj("SIGN", &s->pl, base, false);

	json_object_set_new(o, "S_type", NAMED(sign_names, s->s_type));
	set_len_hex(o, "Signature_len", "Signature", &s->sig);
	return o;
}

static json_t *j_sakke(const struct mk_sakke *s, size_t base)
{
	json_t *o = pl_obj("SAKKE", &s->pl, base, true);

	json_object_set_new(o, "SAKKE_params", NAMED(sakke_names, s->params));
	json_object_set_new(o, "ID_scheme", NAMED(sakke_id_names, s->id_scheme));
	set_len_hex(o, "SAKKE_data_len", "SAKKE_data", &s->data);
	return o;
}

/* ---- ordered payload lists ---- */

struct item {
	uint32_t off;
	json_t *j;
};

struct items {
	unsigned n;
	struct item v[96];
};

static void add(struct items *it, const struct mk_pl *pl, json_t *j)
{
	if (it->n < N(it->v))
		it->v[it->n++] = (struct item){ pl->off, j };
	else
		json_decref(j);
}

static json_t *sorted(struct items *it)
{
	json_t *a = json_array();
	unsigned i, j;

	/* insertion sort by offset: a few dozen items at most */
	for (i = 1; i < it->n; i++)
		for (j = i; j > 0 && it->v[j - 1].off > it->v[j].off; j--) {
			struct item t = it->v[j];

			it->v[j] = it->v[j - 1];
			it->v[j - 1] = t;
		}
	for (i = 0; i < it->n; i++)
		json_array_append_new(a, it->v[i].j);
	return a;
}

json_t *mj_keylist(const struct mk_keylist *kl, const char *const *roles,
		   unsigned nroles, bool desired, bool show_keys)
{
	json_t *a = json_array();
	char fp[9];
	unsigned i;

	for (i = 0; i < kl->n; i++) {
		const struct mk_keydata *k = &kl->k[i];
		json_t *o = json_object();

		json_object_set_new(o, "payload", json_string("Key data"));
		json_object_set_new(o, "Type", NAMED(key_names, k->type));
		if (i < nroles && roles[i])
			json_object_set_new(o, "role", json_string(roles[i]));
		json_object_set_new(o, "KV", NAMED(kv_names, k->kv.type));
		set_int(o, "Key_data_len", k->key.n);
		if (!desired) {
			mj_fingerprint(k->key.p, k->key.n, fp);
			json_object_set_new(o, "key_fingerprint", json_string(fp));
			if (show_keys)
				set_hex(o, "Key_data", &k->key);
		}
		if (k->type == MK_KEY_TGK_SALT || k->type == MK_KEY_TEK_SALT ||
		    k->type == MK_KEY_GTGK_SALT) {
			set_int(o, "Salt_len", k->salt.n);
			if (!desired) {
				mj_fingerprint(k->salt.p, k->salt.n, fp);
				json_object_set_new(o, "salt_fingerprint", json_string(fp));
				if (show_keys)
					set_hex(o, "Salt_data", &k->salt);
			}
		}
		if (k->kv.type == MK_KV_SPI) {
			set_int(o, "SPI_length", k->kv.spi.n);
			set_hex(o, "SPI", &k->kv.spi);
		} else if (k->kv.type == MK_KV_INTERVAL) {
			set_hex(o, "Valid_from", &k->kv.valid_from);
			set_hex(o, "Valid_to", &k->kv.valid_to);
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *j_tp_data(const struct mk_ticket *tk, size_t base)
{
	const struct mk_tp_data *tp = &tk->tp;
	json_t *o = json_object();
	struct items *it = calloc(1, sizeof(*it));
	unsigned i;

	if (!it)
		return o;
	json_object_set_new(o, "first_payload", NAMED(np_names, tp->first));
	if (tp->idrkms.pl.present)
		add(it, &tp->idrkms.pl, j_idr(&tp->idrkms, base));
	if (tp->idri.pl.present)
		add(it, &tp->idri.pl, j_idr(&tp->idri, base));
	if (tp->trs.pl.present)
		add(it, &tp->trs.pl, j_tr(&tp->trs, base));
	if (tp->tre.pl.present)
		add(it, &tp->tre.pl, j_tr(&tp->tre, base));
	if (tp->trr.pl.present)
		add(it, &tp->trr.pl, j_tr(&tp->trr, base));
	if (tp->kemac.pl.present) {
		json_t *k = j_kemac(&tp->kemac, base);
		struct mk_keylist *kl = malloc(sizeof(*kl));
		size_t eoff;

		/* the wanted keys: a plaintext chain with zero key bytes */
		if (kl && tp->kemac.encr_alg == MK_ENCR_NULL &&
		    mk_keylist_parse(tp->kemac.encr.p, tp->kemac.encr.n, kl, &eoff) == MK_OK)
			json_object_set_new(k, "Key_data", mj_keylist(kl, NULL, 0, true, false));
		free(kl);
		add(it, &tp->kemac.pl, k);
	}
	for (i = 0; i < tp->napp; i++)
		add(it, &tp->idrapp[i].pl, j_idr(&tp->idrapp[i], base));
	for (i = 0; i < tp->nr; i++)
		add(it, &tp->idrr[i].pl, j_idr(&tp->idrr[i], base));
	json_object_set_new(o, "payloads", sorted(it));
	free(it);
	return o;
}

/* Ticket Data of a MIKEY base ticket (Ticket Type 1, P-10 THDR). */
static json_t *j_ticket_data(const struct mk_ticket *tk, size_t base)
{
	json_t *o = json_object(), *a, *th;
	struct mk_ticket_data *td = malloc(sizeof(*td));
	size_t eoff = 0;
	int e;

	if (!td)
		return o;
	if (tk->ticket_type != MK_TICKET_MIKEY_BASE) {
		set_hex(o, "opaque", &tk->ticket_data);
		free(td);
		return o;
	}
	e = mk_ticket_data_parse(tk->ticket_data.p, tk->ticket_data.n, td, &eoff);
	if (e) {
		json_object_set_new(o, "parse_error", json_pack("{s:s, s:I}", "error",
				    mk_strerror(e), "offset", (json_int_t)(base + eoff)));
		set_hex(o, "opaque", &tk->ticket_data);
		free(td);
		return o;
	}
	th = pl_obj("THDR", &td->thdr.pl, base, true);
	set_int(th, "THDR_data_length", td->thdr.data.n);
	if (td->thdr.data.n == 5) {
		set_int(th, "format_version", td->thdr.data.p[0]);
		set_int(th, "key_id", be(td->thdr.data.p + 1, 4));
	} else {
		set_hex(th, "THDR_data", &td->thdr.data);
	}
	a = json_array();
	json_array_append_new(a, th);
	json_array_append_new(a, j_t(&td->t, base));
	json_array_append_new(a, j_rand(&td->rand, base));
	json_array_append_new(a, j_kemac(&td->kemac, base));
	if (td->idrpsk.pl.present)
		json_array_append_new(a, j_idr(&td->idrpsk, base));
	json_array_append_new(a, j_v(&td->v, "V", base));
	json_object_set_new(o, "payloads", a);
	free(td);
	return o;
}

/* base_td: offset of the Ticket Data in the message (its offsets are relative). */
static json_t *j_ticket(const struct mk_ticket *tk, size_t base_td)
{
	json_t *o = pl_obj(tk->is_ticket ? "TICKET" : "TP", &tk->pl, 0, true);
	json_t *fl = json_object();
	static const char letters[] = "DEFGHIJKLMNO";
	char set[sizeof(letters)];
	unsigned i, k = 0;

	json_object_set_new(o, "Ticket_type", NAMED(ticket_names, tk->ticket_type));
	set_int(o, "Subtype", tk->subtype);
	set_int(o, "Version", tk->version);
	json_object_set_new(o, "PRF_func", NAMED(prf_names, tk->prf));
	for (i = 0; letters[i]; i++) {
		bool on = tk->flags & (MK_TF_D >> i);

		if (on)
			set[k++] = letters[i];
	}
	set[k] = 0;
	json_object_set_new(fl, "set", json_string(set));
	for (i = 0; letters[i]; i++) {
		char name[2] = { letters[i], 0 };

		json_object_set_new(fl, name, json_boolean(tk->flags & (MK_TF_D >> i)));
	}
	set_int(fl, "reserved", tk->flags & MK_TF_RESERVED);
	json_object_set_new(o, "flags", fl);
	set_int(o, "TP_data_length", tk->tp_data_raw.n);
	json_object_set_new(o, "TP_data", j_tp_data(tk, 0));
	if (tk->is_ticket) {
		set_int(o, "Ticket_data_length", tk->ticket_data.n);
		json_object_set_new(o, "Ticket_data", j_ticket_data(tk, base_td));
		set_int(o, "Initiator_data_length", tk->init_data.n);
		if (tk->init_data.n) {
			json_t *id = json_object();

			json_object_set_new(id, "first_payload", NAMED(np_names, tk->init.first));
			json_object_set_new(id, "Vi", j_v(&tk->init.vi, "Vi", 0));
			json_object_set_new(id, "Vr", j_v(&tk->init.vr, "Vr", 0));
			json_object_set_new(o, "Initiator_data", id);
		}
	}
	return o;
}

/* ---- HDR and message ---- */

static json_t *j_hdr(const struct mk_hdr *h)
{
	json_t *o = json_object(), *map = json_array();
	unsigned i;

	set_int(o, "version", h->version);
	json_object_set_new(o, "data_type", NAMED(dt_names, h->data_type));
	json_object_set_new(o, "next_payload", NAMED(np_names, h->pl.np));
	json_object_set_new(o, "V", json_boolean(h->v));
	json_object_set_new(o, "PRF_func", NAMED(prf_names, h->prf));
	set_int(o, "CSB_ID", h->csb_id);
	set_int(o, "#CS", h->ncs);
	json_object_set_new(o, "CS_ID_map_type", NAMED(map_names, h->map_type));
	for (i = 0; i < h->ncs && i < MK_MAX_CS; i++) {
		json_t *e = json_object();

		if (h->map_type == MK_MAP_SRTP_ID) {
			const struct mk_cs_srtp *s = &h->cs.srtp[i];

			set_int(e, "Policy_no", s->policy_no);
			set_int(e, "SSRC", s->ssrc);
			set_int(e, "ROC", s->roc);
		} else if (h->map_type == MK_MAP_GENERIC_ID) {
			const struct mk_cs_generic *g = &h->cs.gen[i];
			json_t *pn = json_array();
			unsigned k;

			set_int(e, "CS_ID", g->cs_id);
			json_object_set_new(e, "Prot_type", NAMED(prot_names, g->prot_type));
			json_object_set_new(e, "S", json_boolean(g->s));
			set_int(e, "#P", g->npolicy);
			for (k = 0; k < g->npolicy && k < MK_MAX_POLICY_NO; k++)
				json_array_append_new(pn, json_integer(g->policy_no[k]));
			json_object_set_new(e, "Policy_no", pn);
			set_int(e, "Session_data_length", g->session_data.n);
			if (g->prot_type == MK_PROT_SRTP &&
			    (g->session_data.n == 4 || g->session_data.n == 10)) {
				json_t *sd = json_object();

				set_int(sd, "SSRC", be(g->session_data.p, 4));
				if (g->session_data.n == 10) {
					set_int(sd, "ROC", be(g->session_data.p + 4, 4));
					set_int(sd, "SEQ", be(g->session_data.p + 8, 2));
				}
				json_object_set_new(e, "Session_data", sd);
			} else {
				set_hex(e, "Session_data", &g->session_data);
			}
			set_int(e, "SPI_length", g->spi.n);
			set_hex(e, "SPI", &g->spi);
		}
		json_array_append_new(map, e);
	}
	json_object_set_new(o, "CS_ID_map_info", map);
	return o;
}

json_t *mj_message(const struct mk_msg *m)
{
	json_t *o = json_object();
	struct items *it = calloc(1, sizeof(*it));
	unsigned i;

	if (!it)
		return o;
	json_object_set_new(o, "length", json_integer((json_int_t)m->len));
	json_object_set_new(o, "HDR", j_hdr(&m->hdr));
	if (m->t.pl.present)
		add(it, &m->t.pl, j_t(&m->t, 0));
	if (m->rand.pl.present)
		add(it, &m->rand.pl, j_rand(&m->rand, 0));
	for (i = 1; i < N(m->randr); i++)
		if (m->randr[i].pl.present)
			add(it, &m->randr[i].pl, j_randr(&m->randr[i], 0));
	for (i = 1; i < N(m->idr); i++)
		if (m->idr[i].pl.present)
			add(it, &m->idr[i].pl, j_idr(&m->idr[i], 0));
	for (i = 0; i < m->ncert; i++)
		add(it, &m->cert[i].pl, j_id(&m->cert[i], true, 0));
	if (m->chash.pl.present)
		add(it, &m->chash.pl, j_chash(&m->chash, 0));
	if (m->pke.pl.present)
		add(it, &m->pke.pl, j_pke(&m->pke, 0));
	if (m->ticket.pl.present)
		add(it, &m->ticket.pl, j_ticket(&m->ticket,
			m->ticket.is_ticket ? (size_t)(m->ticket.ticket_data.p - m->buf) : 0));
	if (m->kemac.pl.present)
		add(it, &m->kemac.pl, j_kemac(&m->kemac, 0));
	for (i = 0; i < m->nsp; i++)
		add(it, &m->sp[i].pl, j_sp(&m->sp[i], 0));
	for (i = 0; i < m->nerr; i++)
		add(it, &m->err[i].pl, j_err(&m->err[i], 0));
	for (i = 0; i < m->next; i++)
		add(it, &m->ext[i].pl, j_ext(&m->ext[i], 0));
	if (m->sakke.pl.present)
		add(it, &m->sakke.pl, j_sakke(&m->sakke, 0));
	if (m->v.pl.present)
		add(it, &m->v.pl, j_v(&m->v, "V", 0));
	if (m->sign.pl.present)
		add(it, &m->sign.pl, j_sign(&m->sign, 0));
	json_object_set_new(o, "payloads", sorted(it));
	if (m->nskipped)
		json_object_set_new(o, "skipped_payloads", json_integer(m->nskipped));
	if (m->csb_update)
		json_object_set_new(o, "csb_update", json_true());
	free(it);
	return o;
}

json_t *mj_find_payload(json_t *a, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		const char *s = json_string_value(json_object_get(v, "payload"));

		if (s && !strcmp(s, name))
			return v;
	}
	return NULL;
}
