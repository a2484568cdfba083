/*
 * mcrypto.h: the cryptography of MIKEY (RFC 3830) and MIKEY-TICKET (RFC 6043):
 * algorithm code points and key lengths (mikey.md 2.3, 5.4), the PRF (5.1),
 * the derivation constants (5.2) and every label layout of 5.3 (rows A..I),
 * KEMAC encryption (5.5) and MAC computation over a list of spans (5.6).
 * Crypto primitives come from nettle only. No heap allocation anywhere;
 * intermediate key material is wiped before returning.
 */
#ifndef MK_MCRYPTO_H
#define MK_MCRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Code points (mikey.md 2.3). The enum tags share names with functions
 * (mk_prf) only in C's separate tag name space. */
enum mk_prf {
	MK_PRF_MIKEY1 = 0,		/* HMAC-SHA-1 P-function */
	MK_PRF_HMAC_SHA256 = 1,		/* PRF-HMAC-SHA-256 (RFC 6043) */
};

enum mk_encr {
	MK_ENCR_NULL = 0,
	MK_ENCR_AES_CM_128 = 1,
	MK_ENCR_AES_KW_128 = 2,
	MK_ENCR_AES_CM_256 = 3,
};

enum mk_mac {
	MK_MAC_NULL = 0,
	MK_MAC_HMAC_SHA1_160 = 1,
	MK_MAC_HMAC_SHA256_256 = 2,
};

/* Results. Negative values are errors. */
enum mk_err {
	MK_OK = 0,
	MK_ERR_ALG = -1,	/* unknown or unsupported algorithm code */
	MK_ERR_LEN = -2,	/* a length is out of range for the operation */
	MK_ERR_AUTH = -3,	/* AES-KW integrity check failed on unwrap */
};

/* Largest sizes of any supported algorithm, for callers' buffers. */
#define MK_MAX_ENCR_KEY	32
#define MK_MAX_AUTH_KEY	32
#define MK_MAX_SALT	14
#define MK_MAX_MAC	32
#define MK_KW_OVERHEAD	8	/* AES-KW output = padded input + 8 */

/* Derivation constants (mikey.md 5.2). */
#define MK_C_TEK	0x2AD01C64u	/* TEK from TGK/GTGK (3830 4.1.3) */
#define MK_C_TGK_AUTH	0x1B5C7973u	/* auth key directly from TGK */
#define MK_C_TGK_ENCR	0x15798CEFu	/* encr key directly from TGK */
#define MK_C_ENCR	0x150533E1u	/* encr_key from PSK/env_key/MPKi/MPKr'/TPK */
#define MK_C_AUTH	0x2D22AC75u	/* auth_key from the same; also Vr key */
#define MK_C_SALT	0x29B88916u	/* salt_key from the same */
#define MK_C_TGK_SALT	0x39A2C14Bu	/* salt from TGK/GTGK */
#define MK_C_FORK_MPKR	0x2B288856u	/* MPKr' (6043 5.1.1) */
#define MK_C_FORK_TGK	0x1512B54Au	/* TGK' (6043 5.1.1) */
#define MK_C_MPKI	0x220E99A2u	/* MPKi from MPK (6043 A.2.2) */
#define MK_C_MPKR	0x1F4D675Bu	/* MPKr from MPK (6043 A.2.2) */

/* Code-point checks for values read off the wire. */
bool mk_prf_valid(unsigned v);
bool mk_encr_valid(unsigned v);
bool mk_mac_valid(unsigned v);

/* Key lengths in octets (mikey.md 5.4); 0 for NULL or unknown codes. */
size_t mk_encr_key_len(enum mk_encr e);	/* 16, 16, 32 */
size_t mk_salt_len(enum mk_encr e);		/* AES-CM 14 (P-12: also 256), AES-KW 8 */
size_t mk_auth_key_len(enum mk_mac m);		/* 20, 32 */
size_t mk_mac_len(enum mk_mac m);		/* 20, 32 */

/* P-8: true when every non-NULL algorithm belongs to the PRF's set
 * (128-bit: PRF 0, AES-CM-128/AES-KW-128, HMAC-SHA-1; 256-bit: PRF 1,
 * AES-CM-256, HMAC-SHA-256). NULL encr/mac are the caller's concern. */
bool mk_algs_same_set(enum mk_prf prf, enum mk_encr e, enum mk_mac m);

/* PRF(inkey, label, out_len) of mikey.md 5.1: inkey split into 256-bit
 * pieces, their P-functions XORed, truncated to out_len octets. */
int mk_prf(enum mk_prf prf, const uint8_t *inkey, size_t inkey_len,
	   const uint8_t *label, size_t label_len,
	   uint8_t *out, size_t out_len);

/* A byte range; MAC inputs are lists of these (message part, suffixes). */
struct mk_span {
	const uint8_t *p;
	size_t n;
};

/* MAC over the concatenation of spans; writes mk_mac_len(mac) octets.
 * MK_MAC_NULL writes nothing and succeeds. */
int mk_mac_compute(enum mk_mac mac, const uint8_t *key, size_t key_len,
		   const struct mk_span *spans, size_t nspans, uint8_t *out);
/* Constant-time check of a received MAC of mac_len octets; false on any
 * mismatch, wrong length or unknown algorithm (NULL MAC: true iff
 * mac_len == 0). */
bool mk_mac_verify(enum mk_mac mac, const uint8_t *key, size_t key_len,
		   const struct mk_span *spans, size_t nspans,
		   const uint8_t *mac_val, size_t mac_len);

/* A protection key set: encr_key, auth_key and salt_key for one message
 * direction, sized for the encryption and MAC algorithms in force. */
struct mk_keyset {
	enum mk_encr encr;
	enum mk_mac mac;
	uint8_t encr_key[MK_MAX_ENCR_KEY];
	size_t encr_len;
	uint8_t auth_key[MK_MAX_AUTH_KEY];
	size_t auth_len;
	uint8_t salt[MK_MAX_SALT];
	size_t salt_len;
};

void mk_keyset_wipe(struct mk_keyset *ks);

/* Message direction byte of rows C/D. */
enum mk_dir {
	MK_DIR_INITIAL = 0x01,	/* REQUEST_INIT, TRANSFER_INIT, RESOLVE_INIT */
	MK_DIR_RESPONSE = 0x02,	/* *_RESP */
};

/* ---- Derivations (mikey.md 5.3). A RAND pointer may be NULL with length 0
 * where the table says "len 0"; RAND lengths must fit their length byte.
 * The constant argument c is one of MK_C_* above. ---- */

/* Row A (RFC 3830 4.1.3): from TGK, label C | cs_id | csb_id | RAND. */
int mk_derive_3830_tgk(enum mk_prf prf, const uint8_t *tgk, size_t tgk_len,
		       uint32_t c, uint8_t cs_id, uint32_t csb_id,
		       const uint8_t *rand, size_t rand_len,
		       uint8_t *out, size_t out_len);

/* Row B (RFC 3830 4.1.4): from PSK/env_key, label C | 0xFF | csb_id | RAND. */
int mk_derive_3830_prot(enum mk_prf prf, const uint8_t *key, size_t key_len,
			uint32_t c, uint32_t csb_id,
			const uint8_t *rand, size_t rand_len,
			uint8_t *out, size_t out_len);

/* Rows C/D (RFC 6043): from PSK/env_key/MPKi/MPKr', label
 * C | 0xFF | csb_id | dir | lenRi | RANDRi | lenRr | RANDRr. */
int mk_derive_6043_prot(enum mk_prf prf, const uint8_t *key, size_t key_len,
			uint32_t c, uint32_t csb_id, enum mk_dir dir,
			const uint8_t *randri, size_t randri_len,
			const uint8_t *randrr, size_t randrr_len,
			uint8_t *out, size_t out_len);

/* Row E (P-12: TP PRF): Vr key from MPKr, label C_AUTH | 0xFF | 0xFFFFFFFF | 0x04;
 * out_len = auth key length of the Vr MAC algorithm. */
int mk_derive_vr_key(enum mk_prf tp_prf, const uint8_t *mpkr, size_t mpkr_len,
		     uint8_t *out, size_t out_len);

/* Row F (TP PRF): forked MPKr' from MPKr and TGK' from TGK, label
 * C | 0xFF | 0xFFFFFFFF | 0x00 | lenID(2) | IDRr data | lenKMS(1) | RANDRkms.
 * out receives key_len octets. */
int mk_derive_mpkr_forked(enum mk_prf tp_prf, const uint8_t *mpkr, size_t mpkr_len,
			  const uint8_t *idrr, size_t idrr_len,
			  const uint8_t *randrkms, size_t randrkms_len,
			  uint8_t *out);
int mk_derive_tgk_forked(enum mk_prf tp_prf, const uint8_t *tgk, size_t tgk_len,
			 const uint8_t *idrr, size_t idrr_len,
			 const uint8_t *randrkms, size_t randrkms_len,
			 uint8_t *out);

/* Row G (TP PRF): MPKi / MPKr from MPK, label
 * C | 0xFF | 0xFFFFFFFF | 0x06 | lenRAND | RAND; out receives mpk_len octets. */
int mk_derive_mpki(enum mk_prf tp_prf, const uint8_t *mpk, size_t mpk_len,
		   const uint8_t *rand, size_t rand_len, uint8_t *out);
int mk_derive_mpkr(enum mk_prf tp_prf, const uint8_t *mpk, size_t mpk_len,
		   const uint8_t *rand, size_t rand_len, uint8_t *out);

/* Row H (TP PRF): ticket encr/auth/salt from TPK, label
 * C | 0xFF | 0xFFFFFFFF | 0x05 | lenRAND | RAND. */
int mk_derive_ticket_key(enum mk_prf tp_prf, const uint8_t *tpk, size_t tpk_len,
			 uint32_t c, const uint8_t *rand, size_t rand_len,
			 uint8_t *out, size_t out_len);

/* Row I (RFC 6043 transfer): TEK (MK_C_TEK), salt (MK_C_TGK_SALT), ... from
 * TGK/TGK'/GTGK, label C | cs_id | 0xFFFFFFFF | 0x03 | lenRi | RANDRi | lenRr |
 * RANDRr. The caller passes RANDRi only if the H flag is set and RANDRr only
 * if the G flag is set (NULL/0 otherwise). */
int mk_derive_6043_tek(enum mk_prf prf, const uint8_t *tgk, size_t tgk_len,
		       uint32_t c, uint8_t cs_id,
		       const uint8_t *randri, size_t randri_len,
		       const uint8_t *randrr, size_t randrr_len,
		       uint8_t *out, size_t out_len);

/* Key sets (encr/auth/salt filled for encr and mac; NULL algorithms give
 * zero-length keys). On error the set is wiped. */
/* RFC 3830 row B key set. */
int mk_keyset_3830(struct mk_keyset *ks, enum mk_prf prf, enum mk_encr encr,
		   enum mk_mac mac, const uint8_t *key, size_t key_len,
		   uint32_t csb_id, const uint8_t *rand, size_t rand_len);
/* RFC 6043 rows C/D key set (message protection of all six exchanges). */
int mk_keyset_6043(struct mk_keyset *ks, enum mk_prf prf, enum mk_encr encr,
		   enum mk_mac mac, const uint8_t *key, size_t key_len,
		   uint32_t csb_id, enum mk_dir dir,
		   const uint8_t *randri, size_t randri_len,
		   const uint8_t *randrr, size_t randrr_len);
/* Row H key set of a ticket (TPK, TP PRF). */
int mk_keyset_ticket(struct mk_keyset *ks, enum mk_prf tp_prf, enum mk_encr encr,
		     enum mk_mac mac, const uint8_t *tpk, size_t tpk_len,
		     const uint8_t *rand, size_t rand_len);

/* ---- KEMAC encryption (mikey.md 5.5) ----
 * csb_id is 0xFFFFFFFF for a ticket KEMAC; t64 is the message's timestamp as
 * a 64-bit value (mk_ts_iv_value in ntp.h).
 * AES-CM-128/256: counter mode, IV = (salt XOR (0x0000|csb_id|t64)) | 0x0000;
 *   out length = in length; in == out allowed; at most 2^20 octets.
 * AES-KW-128 (P-8): input zero-padded to a multiple of 8 (padded length at
 *   least 16; an input that needs padding at most 1024 octets), out length =
 *   padded + 8; in and out must not overlap. The 8-octet salt is the RFC 3394
 *   IV.
 * NULL: copy (memmove).
 * *out_len receives the produced length; out_cap is checked first. */
int mk_kemac_encrypt(const struct mk_keyset *ks, uint32_t csb_id, uint64_t t64,
		     const uint8_t *in, size_t in_len,
		     uint8_t *out, size_t out_cap, size_t *out_len);
/* Inverse. AES-KW: in_len must be a multiple of 8 and >= 24; out receives
 * in_len - 8 octets *including* the sender's zero padding (up to 7 trailing
 * zero octets the receiver must ignore, P-8); MK_ERR_AUTH when the
 * integrity check fails (out is wiped then). */
int mk_kemac_decrypt(const struct mk_keyset *ks, uint32_t csb_id, uint64_t t64,
		     const uint8_t *in, size_t in_len,
		     uint8_t *out, size_t out_cap, size_t *out_len);

/* Worst-case output size of mk_kemac_encrypt for in_len octets. */
size_t mk_kemac_encrypted_len(enum mk_encr e, size_t in_len);

#endif
