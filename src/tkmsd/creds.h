/*
 * creds.h: tkmsd's credentials without GBA (issue 6 item 7; docs/design.md
 * "Other credentials", docs/operations.md "Credentials without GBA"), built
 * from the configuration for each engine generation:
 *
 *  - PK variants: the KMS's RSA key and certificate (pk.cert / pk.key, made
 *    self-signed at the first start when neither file exists, the key 0600),
 *    the CAs of users' certificates (pk.client_ca) and the certificate users
 *    (client_certs) -> struct kms_pk_config of kms/pkauth.h;
 *  - password users (users file): username -> HA1 of realm
 *    "tkms-users@<fqdn>", IMPUs, name.  They authenticate HTTP Digest on
 *    the HTTPS listener with that realm (tkmsd_creds_digest) and key their
 *    MIKEY messages with the PSK of gba/userpsk.h (the engine's "users" key
 *    source).  The file never holds a clear password: `tkmsd user-hash`
 *    prints an entry.
 */
#ifndef TKMSD_CREDS_H
#define TKMSD_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kms/engine.h"
#include "tkmsd/conf.h"

struct tkmsd_creds;

/* NULL with a reason in err. */
struct tkmsd_creds *tkmsd_creds_new(const struct tkmsd_config *cfg, char *err, size_t errlen);
void tkmsd_creds_free(struct tkmsd_creds *c);

/* For the engine: NULL when pk.enabled is false. */
const struct kms_pk_config *tkmsd_creds_pk(const struct tkmsd_creds *c);
/* For the engine: lookup NULL when there is no users file. */
struct kms_key_source tkmsd_creds_users(struct tkmsd_creds *c);
/* Number of password users (0 = no users realm is offered). */
size_t tkmsd_creds_n_users(const struct tkmsd_creds *c);

enum tkmsd_user_digest {
	TKMSD_UD_OK = 0,
	TKMSD_UD_NOT_USERS,    /* not a credential of the users realm */
	TKMSD_UD_MALFORMED,    /* 400 */
	TKMSD_UD_STALE,        /* 401 stale=true */
	TKMSD_UD_REFUSED,      /* unknown user, wrong password, foreign nonce: 401 */
};

/*
 * HTTP Digest of a password user (RFC 2617 with the stored HA1; algorithm
 * MD5, qop auth): hdr is the Authorization value; nonces are the NAF's
 * (naf_digest_nonce_check).  On TKMSD_UD_OK user[] holds the username.
 */
struct naf;
enum tkmsd_user_digest tkmsd_creds_digest(const struct tkmsd_creds *c, const struct naf *naf,
					  const char *hdr, const char *method, const char *uri,
					  char *user, size_t user_cap);

/* `tkmsd user-hash USERNAME [IMPU...]`: reads the password from stdin (one
 * line), prints a users-file entry with its HA1 for realm tkms-users@fqdn. */
int tkmsd_user_hash_main(const char *fqdn, int argc, char **argv);

#endif
