/*
 * kdf.h: the GBA key derivation function of TS 33.220 Annex B (gba.md 5.1,
 * 3.2) and what is built on it: Ks_NAF / Ks_ext_NAF ("gba-me"), Ks_int_NAF
 * ("gba-u"), TMPI (B.4); NAF_Id = NAF FQDN || 5-octet Ua security protocol
 * identifier (gba.md 3.1, 4.2; profile P-1); B-TID = base64(RAND) "@" BSF
 * FQDN (gba.md 4.1, P-16).
 *
 * KDF(Key, FC, P0..Pn) = HMAC-SHA-256(Key, FC || P0 || L0 || ... || Pn || Ln),
 * Li = length of Pi as 2 octets, big-endian.  Character strings (IMPI, FQDN)
 * are taken as the caller's UTF-8 bytes, without NFKC normalisation (for the
 * ASCII identities GBA uses, NFKC is the identity).
 *
 * No I/O, no allocation.  Functions return 0 or a negative tk_gba_err.
 */
#ifndef TK_GBA_KDF_H
#define TK_GBA_KDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TK_GBA_KEY_LEN    32  /* Ks = CK || IK, and every derived NAF key */
#define TK_GBA_RAND_LEN   16
#define TK_GBA_UAID_LEN   5
#define TK_GBA_FQDN_MAX   255 /* longest FQDN accepted in NAF_Id / B-TID */
#define TK_GBA_NAF_ID_MAX (TK_GBA_FQDN_MAX + TK_GBA_UAID_LEN)
#define TK_GBA_BTID_MAX   (24 + 1 + TK_GBA_FQDN_MAX + 1) /* incl. NUL */
#define TK_GBA_TMPI_MAX   (32 + sizeof "@tmpi.bsf.3gppnetwork.org") /* incl. NUL */
#define TK_GBA_TMPI_REALM "tmpi.bsf.3gppnetwork.org"

/* FC of every 33.220 NAF-key, TMPI and GBA_Digest derivation. */
#define TK_GBA_FC_NAF 0x01

enum tk_gba_err {
	TK_GBA_OK = 0,
	TK_GBA_EINVAL = -1,  /* bad argument: too long, empty FQDN, bad syntax */
	TK_GBA_ENOSPACE = -2, /* output buffer too small */
};

/* One KDF input parameter Pi (its 2-octet length Li is added by the KDF). */
struct tk_gba_param {
	const void *p;
	size_t len;   /* at most 65535 */
};

/* Generic Annex B KDF with a one-octet FC.  out receives 32 octets.
 * TK_GBA_EINVAL if a parameter is longer than 65535 octets. */
int tk_gba_kdf(const uint8_t *key, size_t key_len, uint8_t fc,
	       const struct tk_gba_param *params, size_t nparams,
	       uint8_t out[TK_GBA_KEY_LEN]);

/* ---- Ua security protocol identifiers (33.220 Annex H, gba.md 3.1) ---- */

typedef struct tk_ua_id {
	uint8_t b[TK_GBA_UAID_LEN];
} tk_ua_id;

#define TK_UA_ID_(a, b_, c, d, e) ((tk_ua_id){ { (a), (b_), (c), (d), (e) } })
/* 01 00 00 00 02: HTTP Digest per TS 24.109 (plain HTTP; P-1 lab use). */
#define TK_UA_HTTP_DIGEST  TK_UA_ID_(0x01, 0x00, 0x00, 0x00, 0x02)
/* 01 00 00 00 06: IMS UE <-> KMS exchanges, TS 33.328 (P-1: MIKEY PSK). */
#define TK_UA_IMS_KMS      TK_UA_ID_(0x01, 0x00, 0x00, 0x00, 0x06)
/* 01 00 00 00 07: shared-key TLS 1.3, TS 33.222 5.4.0.2. */
#define TK_UA_TLS13_PSK    TK_UA_ID_(0x01, 0x00, 0x00, 0x00, 0x07)
/* 01 00 00 01 00: TMPI generation (B.4), used in BSF_Id. */
#define TK_UA_TMPI         TK_UA_ID_(0x01, 0x00, 0x00, 0x01, 0x00)

/* 01 00 01 yy zz: TS 33.222 5.3 (Digest in server-authenticated TLS) and
 * 5.4 (PSK-TLS 1.2); yy zz = the negotiated TLS cipher suite. */
tk_ua_id tk_ua_id_tls(uint16_t cipher_suite);

/* Parse the 10-hex-digit form ("0100000006", either case) of Nbsp_GBA
 * uaSecProtId.  Exactly 10 hex digits, nothing else. */
int tk_ua_id_parse(const char *s, size_t len, tk_ua_id *out);

/* 10 lowercase hex digits and a NUL. */
void tk_ua_id_format(tk_ua_id id, char out[2 * TK_GBA_UAID_LEN + 1]);

bool tk_ua_id_equal(tk_ua_id a, tk_ua_id b);

/* ---- NAF_Id, NAF keys, TMPI, B-TID ---------------------------------- */

/* NAF_Id = FQDN || ua (no separator).  Writes the length to *out_len.
 * FQDN: 1..255 octets, no NUL; cap >= strlen(fqdn) + 5. */
int tk_gba_naf_id(const char *fqdn, tk_ua_id ua, uint8_t *out, size_t cap,
		  size_t *out_len);

/* Ks = CK || IK. */
void tk_gba_ks(const uint8_t ck[16], const uint8_t ik[16], uint8_t ks[TK_GBA_KEY_LEN]);

/* Ks_NAF (GBA_ME) = Ks_ext_NAF (GBA_U) = KDF(Ks, 0x01, "gba-me", RAND, IMPI,
 * NAF_Id), NAF_Id given as built by tk_gba_naf_id (e.g. from Zn). */
int tk_gba_ks_naf(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		  const char *impi, const uint8_t *naf_id, size_t naf_id_len,
		  uint8_t out[TK_GBA_KEY_LEN]);

/* Ks_int_NAF (GBA_U, stays in the UICC) = KDF(Ks, 0x01, "gba-u", ...). */
int tk_gba_ks_int_naf(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		      const char *impi, const uint8_t *naf_id, size_t naf_id_len,
		      uint8_t out[TK_GBA_KEY_LEN]);

/* Convenience: Ks_NAF for NAF FQDN and Ua id (builds NAF_Id itself). */
int tk_gba_ks_naf_for(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		      const char *impi, const char *naf_fqdn, tk_ua_id ua,
		      uint8_t out[TK_GBA_KEY_LEN]);

/* B-TID = base64(RAND) "@" BSF FQDN, NUL-terminated (cap >= TK_GBA_BTID_MAX
 * is always enough). */
int tk_gba_btid(const uint8_t rand[TK_GBA_RAND_LEN], const char *bsf_fqdn,
		char *out, size_t cap);

/* Syntax check of a received B-TID (an untrusted username): 1..TK_GBA_BTID_MAX-1
 * printable ASCII octets, exactly one '@' with a non-empty part on each side,
 * no space, quote, backslash or control character.  The B-TID is opaque
 * otherwise (gba.md 4.1: store verbatim, never rebuild). */
bool tk_gba_btid_valid(const char *s, size_t len);

/* TMPI = base64(KDF(Ks, 0x01, "gba-me", RAND, IMPI, BSF_Id)[0..23])
 *        "@tmpi.bsf.3gppnetwork.org", BSF_Id = BSF FQDN || 01 00 00 01 00. */
int tk_gba_tmpi(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		const char *impi, const char *bsf_fqdn, char *out, size_t cap);

#endif
