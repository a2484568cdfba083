/*
 * naf_int.h: what the modules of the NAF library share with each other but
 * not with its users.
 */
#ifndef NAF_NAF_INT_H
#define NAF_NAF_INT_H

#include "naf/naf.h"

#define NAF_NONCE_KEY_LEN 32

/* The Digest nonce HMAC key and nonce lifetime of this NAF, and its Digest
 * realm "3GPP-bootstrapping@" FQDN (built once by naf_new). */
const uint8_t *naf_nonce_key(const struct naf *naf);
const char *naf_realm(const struct naf *naf);
unsigned naf_nonce_ttl(const struct naf *naf);

/* Wall clock in milliseconds since the epoch (key expiry is wall-clock). */
int64_t naf_now_ms(void);

#endif
