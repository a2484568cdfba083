/*
 * call_creds.h: the UE's MIKEY credentials without GBA (issue 6 item 7;
 * docs/design.md "Other credentials"), on top of call.h:
 *
 *  - certificate users send the PK variants REQUEST_INIT_PK and
 *    RESOLVE_INIT_PK (RFC 6043 4.2): CERT chain, optional CHASH of the KMS
 *    certificate, PKE = a fresh 32-octet env_key under the KMS's RSA key,
 *    SIGN (mikey/mprotect.h).  The KMS answers with REQUEST_RESP /
 *    RESOLVE_RESP keyed (rows D) from env_key, so the answer is read by the
 *    ordinary ue_request_finish / ue_resolve_finish with the env_key as PSK;
 *  - password users key REQUEST_INIT_PSK / RESOLVE_INIT_PSK with a PSK
 *    derived from their HTTP Digest HA1 (gba/userpsk.h) and name themselves
 *    with IDRpsk = the username as ID type Byte string (2).
 *
 * Use: ue_pk_cred_begin (env_key into cred->psk), ue_request_build /
 * ue_resolve_begin as for GBA, then ue_pk_convert (resp. ue_user_convert)
 * on the message just built: it rewrites it, and c->kreq, into the
 * variant; finish as usual with the same cred.
 */
#ifndef TK_UE_CALL_CREDS_H
#define TK_UE_CALL_CREDS_H

#include "ue/call.h"

struct gnutls_privkey_st;
struct gnutls_pubkey_st;

struct ue_pk_cred {
	struct gnutls_privkey_st *key;     /* own RSA key (signs) */
	const uint8_t *chain[MK_MAX_CERT]; /* own certificate (DER) first */
	size_t chain_len[MK_MAX_CERT];
	unsigned nchain;
	struct gnutls_pubkey_st *kms_pub;  /* the KMS's RSA key (PKE) */
	const uint8_t *kms_cert;           /* DER, for CHASH; NULL: no CHASH */
	size_t kms_cert_len;
	uint8_t s_type;                    /* enum mk_sign_type: 0 PKCS#1 v1.5, 1 PSS */
};

/* A fresh env_key in cred->psk and a placeholder IDRpsk (the PK variant
 * carries none). */
int ue_pk_cred_begin(struct ue_cred *cred, struct ue_err *e);

/* Rewrite the REQUEST_INIT_PSK / RESOLVE_INIT_PSK in out[0..*len) (built
 * with cred from ue_pk_cred_begin) into the PK variant, signed. */
int ue_pk_convert(struct ue_call *c, const struct ue_pk_cred *pk, const struct ue_cred *cred,
		  uint8_t *out, size_t cap, size_t *len, struct ue_err *e);

/* Password user: cred->btid = username, cred->psk from gba/userpsk.h;
 * rewrite the message in out so that IDRpsk has ID type Byte string, and
 * MAC it again. */
int ue_user_convert(struct ue_call *c, const struct ue_cred *cred, uint8_t *out, size_t cap,
		    size_t *len, struct ue_err *e);

#endif
