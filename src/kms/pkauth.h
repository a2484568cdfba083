/*
 * pkauth.h: who sent a PK variant (REQUEST_INIT_PK / RESOLVE_INIT_PK,
 * RFC 6043 4.2) and with which env_key: the KMS's side of issue 6 item 7
 * "other credentials" for UEs with a certificate instead of GBA.
 *
 * The sender's CERT chain (own certificate first, mikey.md 4) must verify
 * against the configured client CAs; its subject DN (RFC 4514, as GnuTLS
 * prints it) must be one of the configured certificate users, whose IMPUs
 * then play the role a GBA USS plays for a B-TID (P-3, P-13, P-14) (or,
 * with san_impus, the certificate's subjectAltName URIs); SIGN
 * must verify with the certificate's key over the coverage of mikey.md 5.6
 * (own identity defaults to the user's first IMPU, P-4); an optional CHASH
 * must name the KMS's certificate; only then is PKE decrypted with the
 * KMS's private key (no decryption oracle for unauthenticated senders).
 */
#ifndef KMS_PKAUTH_H
#define KMS_PKAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"

struct gnutls_privkey_st;
struct gnutls_x509_trust_list_st;

/* A certificate user (tkmsd "client_certs"): subject DN -> IMPUs. */
struct kms_cert_user {
	const char *subject;          /* RFC 4514 DN, compared as exact octets */
	const char *const *impus;     /* first = default identity (P-4) */
	size_t n_impus;
	const char *name;             /* for the audit line; may be NULL */
};

/* The KMS's public-key credentials. */
struct kms_pk_config {
	struct gnutls_privkey_st *key;            /* decrypts PKE (RSA) */
	const uint8_t *cert_der;                  /* the KMS certificate, for CHASH */
	size_t cert_len;
	struct gnutls_x509_trust_list_st *cas;    /* verifies CERT chains */
	const struct kms_cert_user *users;
	size_t n_users;
	/* A trusted certificate whose subject is not configured may still
	 * speak for the URIs in its subjectAltName (up to KMS_PK_SAN_MAX),
	 * when the CA vouches for them (opt-in). */
	bool san_impus;
};

enum kms_pk_status {
	KMS_PK_OK = 0,
	KMS_PK_NO_CERT,       /* no CERT payload, or not an X.509v3 certificate: Error 8 */
	KMS_PK_UNTRUSTED,     /* chain does not verify against the CAs, expired, ... */
	KMS_PK_UNMAPPED,      /* trusted but no configured certificate user */
	KMS_PK_CHASH,         /* CHASH does not name our certificate (or unknown hash: Error 5) */
	KMS_PK_BAD_HASH,      /* CHASH hash function not SHA-256 */
	KMS_PK_BAD_SIGN,      /* SIGN wrong (or no identity to complete its coverage) */
	KMS_PK_BAD_PKE,       /* env_key does not decrypt */
	KMS_PK_INTERNAL,
};

#define KMS_PK_SUBJECT_MAX 512
#define KMS_PK_SAN_MAX 4
#define KMS_PK_SAN_LEN 256

struct kms_pk_sender {
	char subject[KMS_PK_SUBJECT_MAX];   /* verified subject DN (from KMS_PK_UNMAPPED on) */
	const struct kms_cert_user *user;   /* from KMS_PK_CHASH on; may point at san_user */
	uint8_t env_key[MK_ENV_KEY_LEN];    /* KMS_PK_OK only; the caller wipes it */
	/* san_impus: the certificate's URIs as a user of its own */
	char san[KMS_PK_SAN_MAX][KMS_PK_SAN_LEN];
	const char *san_ptr[KMS_PK_SAN_MAX];
	struct kms_cert_user san_user;
};

/*
 * Authenticate the PK message m (parsed); kms_id is the KMS identity of
 * the signature suffix (P-4).  `now` is Unix time for
 * certificate validity.  Fills *s as far as it got.
 */
enum kms_pk_status kms_pk_authenticate(const struct kms_pk_config *pk, const struct mk_msg *m,
				       const char *kms_id, int64_t now, struct kms_pk_sender *s);

const char *kms_pk_status_str(enum kms_pk_status st);

#endif
