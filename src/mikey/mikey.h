/*
 * mikey.h: MIKEY (RFC 3830) and MIKEY-TICKET (RFC 6043) code points, typed
 * payload and message structures, and the zero-copy parser / builder.
 *
 * Implements mikey.md sections 2 (code points), 3 (payload layouts) and 4
 * (message compositions).  Parsing never allocates and never copies: every
 * variable field is a struct mk_bytes pointing into the caller's input, and
 * every payload remembers its offset and length in the message (for MAC
 * coverage and the Initiator Data cut-out, mikey.md 5.6).  Repeated payloads
 * have fixed maximum counts (MK_MAX_*); more is refused with MK_ERR_TOO_MANY.
 *
 * Building takes the same structures as a typed description (a payload is
 * written when its .pl.present is set) and writes into a caller buffer with
 * tk_wr; Next Payload chains and every length field are filled by the
 * builder.  Parsing a message and building it again gives identical bytes.
 */
#ifndef TK_MIKEY_H
#define TK_MIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/wire.h"
#include "mikey/mcrypto.h" /* enum mk_prf, mk_encr, mk_mac, mk_err (MK_OK, crypto errors < 0) */
#include "mikey/ntp.h"     /* enum mk_ts_type, mk_ts_len, mk_ts_to_unix, mk_ts_iv_value */

/* ---- code points (mikey.md 2) ------------------------------------------ */

enum { MK_VERSION = 1 };

/* HDR Data Type (2.1) */
enum mk_data_type {
	MK_DT_PSK_INIT = 0,
	MK_DT_PSK_VERIFY = 1,
	MK_DT_PK_INIT = 2,
	MK_DT_PK_VERIFY = 3,
	MK_DT_DH_INIT = 4,
	MK_DT_DH_RESP = 5,
	MK_DT_ERROR = 6,
	MK_DT_DHHMAC_INIT = 7,
	MK_DT_DHHMAC_RESP = 8,
	MK_DT_RSAR_INIT = 9,
	MK_DT_RSAR_RESP = 10,
	MK_DT_REQUEST_INIT_PSK = 11,
	MK_DT_REQUEST_INIT_PK = 12,
	MK_DT_REQUEST_RESP = 13,
	MK_DT_TRANSFER_INIT = 14,
	MK_DT_TRANSFER_RESP = 15,
	MK_DT_RESOLVE_INIT_PSK = 16,
	MK_DT_RESOLVE_INIT_PK = 17,
	MK_DT_RESOLVE_RESP = 18,
	MK_DT_SAKKE = 26,
};

/* Next Payload (2.2) */
enum mk_payload_type {
	MK_PT_LAST = 0,
	MK_PT_KEMAC = 1,
	MK_PT_PKE = 2,
	MK_PT_DH = 3,
	MK_PT_SIGN = 4,
	MK_PT_T = 5,
	MK_PT_ID = 6,
	MK_PT_CERT = 7,
	MK_PT_CHASH = 8,
	MK_PT_V = 9,
	MK_PT_SP = 10,
	MK_PT_RAND = 11,
	MK_PT_ERR = 12,
	MK_PT_TR = 13,
	MK_PT_IDR = 14,
	MK_PT_RANDR = 15,
	MK_PT_TP = 16,
	MK_PT_TICKET = 17,
	MK_PT_KEYDATA = 20,
	MK_PT_GENEXT = 21,
	MK_PT_SAKKE = 26,
};

/* CS ID map type */
enum mk_map_type { MK_MAP_SRTP_ID = 0, MK_MAP_EMPTY = 1, MK_MAP_GENERIC_ID = 2 };

/* PKE cache C (2 bits) */
enum mk_pke_cache { MK_PKE_NO_CACHE = 0, MK_PKE_CACHE = 1, MK_PKE_CACHE_CSB = 2 };

/* DH-Group */
enum mk_dh_group { MK_DH_OAKLEY5 = 0, MK_DH_OAKLEY1 = 1, MK_DH_OAKLEY2 = 2 };

/* SIGN S type (4 bits) */
enum mk_sign_type { MK_SIGN_RSA_PKCS1 = 0, MK_SIGN_RSA_PSS = 1, MK_SIGN_ECCSI = 2 };

/* ID type */
enum mk_id_type { MK_ID_NAI = 0, MK_ID_URI = 1, MK_ID_BYTES = 2 };

/* Cert type */
enum mk_cert_type {
	MK_CERT_X509 = 0,
	MK_CERT_X509_URL = 1,
	MK_CERT_X509_SIGN = 2,
	MK_CERT_X509_ENCR = 3,
};

/* CHASH hash func; the hash length follows from it (mk_hash_len) */
enum mk_hash_func { MK_HASH_SHA1 = 0, MK_HASH_MD5 = 1, MK_HASH_SHA256 = 2 };

/* SP Prot type */
enum mk_prot_type { MK_PROT_SRTP = 0, MK_PROT_TESLA = 1 };

/* SRTP policy parameter types (3.5) */
enum mk_srtp_param {
	MK_SRTP_ENCR_ALG = 0,
	MK_SRTP_ENCR_KEY_LEN = 1,
	MK_SRTP_AUTH_ALG = 2,
	MK_SRTP_AUTH_KEY_LEN = 3,
	MK_SRTP_SALT_KEY_LEN = 4,
	MK_SRTP_PRF = 5,
	MK_SRTP_KDR = 6,
	MK_SRTP_SRTP_ENCR = 7,
	MK_SRTP_SRTCP_ENCR = 8,
	MK_SRTP_FEC_ORDER = 9,
	MK_SRTP_SRTP_AUTH = 10,
	MK_SRTP_AUTH_TAG_LEN = 11,
	MK_SRTP_PREFIX_LEN = 12,
};

/* Key Data Type (4 bits) */
enum mk_key_type {
	MK_KEY_TGK = 0,
	MK_KEY_TGK_SALT = 1,
	MK_KEY_TEK = 2,
	MK_KEY_TEK_SALT = 3,
	MK_KEY_GTGK = 4,
	MK_KEY_GTGK_SALT = 5,
	MK_KEY_MPK = 6,
	MK_KEY_K_PR = 7,
};

/* KV type (4 bits) */
enum mk_kv_type { MK_KV_NULL = 0, MK_KV_SPI = 1, MK_KV_INTERVAL = 2 };

/* General Extension type */
enum mk_ext_type {
	MK_EXT_VENDOR_ID = 0,
	MK_EXT_SDP_IDS = 1,
	MK_EXT_TESLA_IKEY = 2,
	MK_EXT_KEY_ID = 3,
	MK_EXT_OMA_BCAST = 5,
};

/* Error no (2.4) */
enum mk_error_no {
	MK_E_AUTH_FAILURE = 0,
	MK_E_INVALID_TS = 1,
	MK_E_INVALID_PRF = 2,
	MK_E_INVALID_MAC = 3,
	MK_E_INVALID_EA = 4,
	MK_E_INVALID_HA = 5,
	MK_E_INVALID_DH = 6,
	MK_E_INVALID_ID = 7,
	MK_E_INVALID_CERT = 8,
	MK_E_INVALID_SP = 9,
	MK_E_INVALID_SPPAR = 10,
	MK_E_INVALID_DT = 11,
	MK_E_UNSPECIFIED = 12,
	MK_E_INVALID_TICKET = 14,
	MK_E_INVALID_TPPAR = 15,
};

/* Roles (2.5) */
enum mk_ts_role { MK_TR_ISSUE = 1, MK_TR_START = 2, MK_TR_END = 3, MK_TR_REKEY = 4 };
enum mk_id_role {
	MK_IDR_I = 1,
	MK_IDR_R = 2,
	MK_IDR_KMS = 3,
	MK_IDR_PSK = 4,
	MK_IDR_APP = 5,
	MK_IDR_KMS_I = 6,
	MK_IDR_KMS_R = 7,
};
enum mk_rand_role { MK_RANDR_I = 1, MK_RANDR_R = 2, MK_RANDR_KMS = 3 };

/* Ticket Type (16 bits); MIKEY base ticket subtype / version */
enum { MK_TICKET_MIKEY_BASE = 1, MK_TICKET_3GPP_BASE = 2 };
enum { MK_BASE_TICKET_SUBTYPE = 1, MK_BASE_TICKET_VERSION = 1 };

/* Ticket Policy flags (3.6), as one word: bit 16 = D (byte 5 bit 0),
 * bits 15..8 = byte 6 (E..L), bits 7..0 = byte 7 (M, N, O, reserved). */
enum mk_tp_flag {
	MK_TF_D = 0x10000,
	MK_TF_E = 0x08000,
	MK_TF_F = 0x04000,
	MK_TF_G = 0x02000,
	MK_TF_H = 0x01000,
	MK_TF_I = 0x00800,
	MK_TF_J = 0x00400,
	MK_TF_K = 0x00200,
	MK_TF_L = 0x00100,
	MK_TF_M = 0x00080,
	MK_TF_N = 0x00040,
	MK_TF_O = 0x00020,
	MK_TF_RESERVED = 0x0001F,
};

/* SAKKE (RFC 6509) */
enum { MK_SAKKE_PARAMS_1 = 1, MK_SAKKE_ID_SCHEME_TEL_MONTHLY = 1 };

/* CHASH length implied by the hash func; 0 when unknown. (MAC and TS
 * lengths: mk_mac_len() in mcrypto.h, mk_ts_len() in ntp.h.) */
unsigned mk_hash_len(unsigned hash_func);

/* ---- errors -------------------------------------------------------------- */

/* Codec errors are positive; MK_OK (0) and the crypto errors (negative)
 * come from enum mk_err in mcrypto.h.  mk_strerror() names all of them. */
enum mk_codec_err {
	MK_ERR_TRUNCATED = 1,           /* input ends inside a field */
	MK_ERR_TRAILING,            /* bytes after the last payload / inside a length */
	MK_ERR_BAD_LENGTH,          /* a length field disagrees with its content */
	MK_ERR_BAD_NEXT_PAYLOAD,    /* payload type that cannot be framed here */
	MK_ERR_UNSUPPORTED_VERSION, /* HDR version != 1 */
	MK_ERR_BAD_DATA_TYPE,       /* HDR data type not handled */
	MK_ERR_BAD_HDR,             /* HDR rule of the message broken (map, #CS) */
	MK_ERR_BAD_MAP,             /* CS ID map malformed or of an unknown type */
	MK_ERR_BAD_ALG,             /* unknown algorithm whose field length depends on it */
	MK_ERR_BAD_VALUE,           /* other field value out of range */
	MK_ERR_TOO_MANY,            /* more repeated payloads / entries than MK_MAX_* */
	MK_ERR_DUPLICATE,           /* a payload allowed once appears twice */
	MK_ERR_MISSING_PAYLOAD,     /* a mandatory payload is absent */
	MK_ERR_ORDER,               /* payloads out of the order of mikey.md 4 */
	MK_ERR_BAD_FLAGS,           /* Ticket Policy flag dependencies broken */
	MK_ERR_POLICY,              /* payload forbidden by the Ticket Policy */
	MK_ERR_NOSPACE,             /* builder: output buffer too small */
	MK_ERR_TOOLONG,             /* builder: value does not fit its length field */
	MK_ERR_BAD_ARG,             /* builder / API misuse */
	MK_ERR_MAC,                 /* MAC / ticket MAC verification failed */
	MK_ERR_UNKNOWN_KEY,         /* ticket: unknown TPK key id */
	MK_ERR_SIGN,                /* SIGN verification failed (PK variants) */
	MK_ERR_PKE,                 /* PKE: env_key cannot be decrypted */
	MK_ERR_CODEC_END
};

const char *mk_strerror(int err);

/* ---- limits --------------------------------------------------------------- */

enum {
	MK_MAX_CS = 16,       /* CS ID map entries */
	MK_MAX_SP = 8,        /* SP payloads per message */
	MK_MAX_KEYS = 16,     /* Key data sub-payloads per KEMAC */
	MK_MAX_IDR = 16,      /* IDRr / IDRapp each, in TP Data */
	MK_MAX_CERT = 4,      /* CERT chain length */
	MK_MAX_ERR = 8,       /* ERR payloads in an Error message */
	MK_MAX_EXT = 4,       /* General Extensions per message */
	MK_MAX_POLICY_NO = 8, /* Policy_no entries of one GENERIC-ID block */
};

/* ---- structures ------------------------------------------------------------ */

/* A byte span inside the parsed input (or, when building, caller data). */
struct mk_bytes {
	const uint8_t *p;
	size_t n;
};

/* Common part of every payload: presence, its Next Payload byte as read
 * (parse) or written (build), and where it sits in the message. */
struct mk_pl {
	bool present;
	uint8_t np;
	uint32_t off; /* offset of the payload's first byte in the message */
	uint32_t len; /* payload length in bytes */
};

/* SRTP-ID map entry (map type 0); entry i is cs_id i + 1. */
struct mk_cs_srtp {
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
};

/* GENERIC-ID map block (map type 2). */
struct mk_cs_generic {
	uint8_t cs_id;
	uint8_t prot_type;
	bool s;                    /* Session Data carries ROC and SEQ */
	uint8_t npolicy;           /* #P */
	uint8_t policy_no[MK_MAX_POLICY_NO];
	struct mk_bytes session_data; /* SRTP: SSRC [ROC SEQ] */
	struct mk_bytes spi;
};

struct mk_hdr {
	struct mk_pl pl;   /* pl.np = HDR byte 2 (first payload) */
	uint8_t version;
	uint8_t data_type;
	bool v;
	uint8_t prf;
	uint32_t csb_id;
	uint8_t ncs;       /* #CS */
	uint8_t map_type;
	union {
		struct mk_cs_srtp srtp[MK_MAX_CS];
		struct mk_cs_generic gen[MK_MAX_CS];
	} cs;
};

/* KV data of a Key data sub-payload or DH payload. */
struct mk_kv {
	uint8_t type;            /* enum mk_kv_type */
	struct mk_bytes spi;     /* KV SPI */
	struct mk_bytes valid_from, valid_to; /* KV Interval */
};

/* Key data sub-payload (3.3). */
struct mk_keydata {
	struct mk_pl pl;
	uint8_t type;          /* enum mk_key_type */
	struct mk_bytes key;
	struct mk_bytes salt;  /* present iff type is *+SALT (1, 3, 5) */
	struct mk_kv kv;
};

/* A plaintext chain of Key data sub-payloads (KEMAC content). */
struct mk_keylist {
	unsigned n;
	struct mk_keydata k[MK_MAX_KEYS];
};

struct mk_kemac {
	struct mk_pl pl;
	uint8_t encr_alg;       /* enum mk_encr */
	struct mk_bytes encr;   /* Encr data: opaque at payload level */
	uint8_t mac_alg;        /* enum mk_mac */
	struct mk_bytes mac;
	uint32_t encr_off;      /* offset of the Encr data in the message */
};

struct mk_t {
	struct mk_pl pl;
	uint8_t ts_type;
	uint64_t ts;            /* value as on the wire (32-bit types in the low half) */
};

struct mk_tr {
	struct mk_pl pl;
	uint8_t role;           /* enum mk_ts_role */
	uint8_t ts_type;
	uint64_t ts;
};

struct mk_rand {
	struct mk_pl pl;
	struct mk_bytes rand;
};

struct mk_randr {
	struct mk_pl pl;
	uint8_t role;           /* enum mk_rand_role */
	struct mk_bytes rand;
};

/* ID (6) and CERT (7) share a layout. */
struct mk_id {
	struct mk_pl pl;
	uint8_t type;           /* enum mk_id_type / enum mk_cert_type */
	struct mk_bytes data;
};

struct mk_idr {
	struct mk_pl pl;
	uint8_t role;           /* enum mk_id_role */
	uint8_t id_type;        /* enum mk_id_type */
	struct mk_bytes data;
};

struct mk_chash {
	struct mk_pl pl;
	uint8_t func;
	struct mk_bytes hash;
};

struct mk_v {
	struct mk_pl pl;
	uint8_t alg;            /* enum mk_mac */
	struct mk_bytes mac;
	uint32_t mac_off;       /* offset of the MAC field in the message */
};

struct mk_pke {
	struct mk_pl pl;
	uint8_t cache;          /* C, 2 bits */
	struct mk_bytes data;
};

struct mk_dh {
	struct mk_pl pl;
	uint8_t group;
	struct mk_bytes value;
	struct mk_kv kv;
};

struct mk_sign {
	struct mk_pl pl;        /* pl.np unused: SIGN is always last */
	uint8_t s_type;
	struct mk_bytes sig;
	uint32_t sig_off;
};

struct mk_errpl {
	struct mk_pl pl;
	uint8_t code;           /* enum mk_error_no */
};

struct mk_ext {
	struct mk_pl pl;
	uint8_t type;
	struct mk_bytes data;
};

/* SP: the TLV list is validated at parse time and kept as raw bytes; read it
 * with mk_sp_param() / mk_sp_next(). */
struct mk_sp {
	struct mk_pl pl;
	uint8_t policy_no;
	uint8_t prot_type;
	struct mk_bytes params;
};

struct mk_sakke {
	struct mk_pl pl;
	uint8_t params;
	uint8_t id_scheme;
	struct mk_bytes data;
};

struct mk_thdr {
	struct mk_pl pl;
	struct mk_bytes data;   /* P-10: version (1) + key id (4) */
};

/* TP Data (3.6): [IDRkms] [IDRi] [TRs] [TRe] [TRr] [KEMAC] {IDRapp} (IDRr) */
struct mk_tp_data {
	uint8_t first;          /* first-payload-type byte */
	struct mk_idr idrkms, idri;
	struct mk_tr trs, tre, trr;
	struct mk_kemac kemac;  /* desired policy only: plaintext key data chain */
	unsigned napp, nr;
	struct mk_idr idrapp[MK_MAX_IDR];
	struct mk_idr idrr[MK_MAX_IDR];
};

/* Initiator Data: first byte 9, Vi, Vr. */
struct mk_init_data {
	uint8_t first;
	struct mk_v vi, vr;
};

/* TP (16) and TICKET (17).  For TP only the policy part is present. */
struct mk_ticket {
	struct mk_pl pl;        /* pl.present; type is in is_ticket */
	bool is_ticket;         /* TICKET (17) rather than TP (16) */
	uint16_t ticket_type;
	uint8_t subtype;
	uint8_t version;
	uint8_t prf;            /* PRF func (upper 7 bits of byte 5) */
	uint32_t flags;         /* enum mk_tp_flag */
	struct mk_bytes tp_data_raw;  /* whole TP Data incl. first-payload byte;
				       * build: written as is when set, else
				       * TP Data is built from tp */
	struct mk_tp_data tp;
	struct mk_bytes ticket_data;  /* TICKET only: opaque */
	struct mk_bytes init_data;    /* TICKET only: Initiator Data (may be empty) */
	struct mk_init_data init;     /* parsed Initiator Data when not empty
				       * (offsets relative to the message) */
	uint32_t init_len_off;        /* offset of the Initiator Data length field */
};

/* Ticket Data of the MIKEY base ticket: THDR, T, RAND, KEMAC, [IDRpsk], V. */
struct mk_ticket_data {
	struct mk_thdr thdr;
	struct mk_t t;
	struct mk_rand rand;
	struct mk_kemac kemac;
	struct mk_idr idrpsk;
	struct mk_v v;
};

/* A parsed (or to-be-built) message.  IDR and RANDR payloads at message
 * level are filed by role (index = role, 1..7 resp. 1..3). */
struct mk_msg {
	const uint8_t *buf;     /* the whole message (parse input / build output) */
	size_t len;
	size_t err_off;         /* parse: byte offset where the error was found */
	struct mk_hdr hdr;
	struct mk_t t;
	struct mk_rand rand;
	struct mk_randr randr[4];
	struct mk_idr idr[8];
	unsigned ncert;
	struct mk_id cert[MK_MAX_CERT];
	struct mk_chash chash;
	struct mk_pke pke;
	struct mk_ticket ticket; /* TP (REQUEST_INIT) or TICKET */
	struct mk_kemac kemac;
	unsigned nsp;
	struct mk_sp sp[MK_MAX_SP];
	unsigned nerr;
	struct mk_errpl err[MK_MAX_ERR];
	unsigned next;
	struct mk_ext ext[MK_MAX_EXT];
	struct mk_sakke sakke;
	struct mk_v v;
	struct mk_sign sign;
	unsigned nskipped;      /* known but unexpected payloads skipped */
	bool csb_update;        /* TRANSFER_INIT of a CSB update (no TICKET,
				 * no RANDRi); a TRANSFER_RESP cannot tell */
};

/* ---- parsing ---------------------------------------------------------------- */

/*
 * Parse one MIKEY-TICKET message (data types 6 and 11-18, and 26 = RFC 6509
 * SAKKE I_MESSAGE: HDR, T, RAND, {IDR}, {SP}, SAKKE, SIGN) and check its composition
 * against mikey.md 4: payload order, counts, HDR rules, Ticket Policy flags.
 * Known payloads that do not belong to the message are skipped (RFC 6043:
 * receivers ignore unexpected payloads) unless they follow V / SIGN; payload
 * types this codec cannot frame are refused with MK_ERR_BAD_NEXT_PAYLOAD.
 * On error, m->err_off is the offset of the offending byte.
 */
int mk_parse(const uint8_t *buf, size_t len, struct mk_msg *m);

/* Plaintext Key data chain (decrypted KEMAC content or TP Data KEMAC);
 * the RFC 3830 PK-mode ID payload before the keys is not supported. */
int mk_keylist_parse(const uint8_t *buf, size_t len, struct mk_keylist *kl,
		     size_t *err_off);
/* Ticket Data of a MIKEY base ticket (Ticket Type 1). Offsets are relative
 * to `buf`. */
int mk_ticket_data_parse(const uint8_t *buf, size_t len,
			 struct mk_ticket_data *td, size_t *err_off);
/* Initiator Data (first byte 9, Vi, Vr). Offsets relative to `buf`. */
int mk_init_data_parse(const uint8_t *buf, size_t len,
		       struct mk_init_data *id, size_t *err_off);

/* Ticket Policy flag dependencies of 3.6 (¬D⇒L, G⇒F, ¬G⇒H, ¬H⇒G, I⇒E,
 * K⇒D, M⇒F). Returns MK_OK or MK_ERR_BAD_FLAGS. */
int mk_tp_flags_check(uint32_t flags);

/* SP parameter TLVs: find type `type` (false if absent), or iterate with
 * *pos starting at 0. */
bool mk_sp_param(const struct mk_sp *sp, uint8_t type, struct mk_bytes *val);
bool mk_sp_next(const struct mk_sp *sp, size_t *pos, uint8_t *type,
		struct mk_bytes *val);

/* ---- building ------------------------------------------------------------------ */

/*
 * Build the message described by *m into buf (cap bytes).  Every payload
 * whose pl.present is set is written, in the order of mikey.md 4 for
 * m->hdr.data_type; NP bytes and lengths are computed, m->hdr.version
 * should be 1 (0 is taken as 1).  The MAC / signature bytes are written as
 * given in m->v.mac / m->sign.sig, or zero-filled to the algorithm's length
 * when m->v.mac.p is NULL (to be computed afterwards, see mprotect.h).
 * On success *out_len is the length, m->buf/len point at the output and
 * every payload's pl.off/len (and v.mac_off, kemac.encr_off, ticket
 * offsets) describe the built bytes; written byte fields are repointed into
 * the output.
 * - Roles of message-level IDR/RANDR come from their index in idr[]/randr[].
 * - General Extensions are written just before V / SIGN; payloads the
 *   parser skipped (nskipped) are not rebuilt.
 * - TICKET: TP Data is taken from ticket.tp_data_raw when set (as parsed or
 *   sealed, so a ticket MAC stays valid), else built from ticket.tp.  In a
 *   TRANSFER_INIT whose policy has the I flag and whose ticket.init_data.p is
 *   NULL, a zeroed Initiator Data (Vi, Vr with V's MAC alg) is written for
 *   mk_msg_protect / mk_init_data_protect to fill.
 * - The output is checked with mk_parse: the builder never emits what the
 *   parser refuses (flags, HDR rules, composition); that error is returned.
 */
int mk_build(struct mk_msg *m, uint8_t *buf, size_t cap, size_t *out_len);

/* Plaintext Key data chain (each key's pl.np is computed). */
int mk_keylist_build(const struct mk_keylist *kl, uint8_t *buf, size_t cap,
		     size_t *out_len);
/* Ticket Data of a MIKEY base ticket; V MAC zero-filled when td->v.mac.p is
 * NULL.  Offsets in *td are updated relative to buf. */
int mk_ticket_data_build(struct mk_ticket_data *td, uint8_t *buf, size_t cap,
			 size_t *out_len);
/* Initiator Data (Vi then Vr; Vr MAC zero-filled when vr.mac.p is NULL). */
int mk_init_data_build(struct mk_init_data *id, uint8_t *buf, size_t cap,
		       size_t *out_len);
/* SP parameter TLVs into buf (for m->sp[i].params). */
int mk_sp_params_build(const uint8_t *types, const struct mk_bytes *vals,
		       unsigned n, uint8_t *buf, size_t cap, size_t *out_len);

#endif
