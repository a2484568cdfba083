/*
 * psk.h: the PSK-TLS key lookup of tkmsd (TS 33.222 5.4, profile P-1, P-7):
 * client identity (bare B-TID or "3GPP-bootstrapping." B-TID) -> Ks_NAF from
 * the NAF library, with NAF_Id = KMS FQDN || Ua id, the Ua id being
 * 01 00 01 yy zz for the negotiated TLS 1.2 suite yy zz, or 01 00 00 00 07
 * under TLS 1.3.
 */
#ifndef TKMSD_PSK_H
#define TKMSD_PSK_H

#include <stddef.h>
#include <stdint.h>

#include "gba/kdf.h"
#include "http/http.h"

/* The Ua security protocol id of a PSK handshake (P-1). */
tk_ua_id tkmsd_psk_ua(const struct tk_http_psk_query *q);

/* tk_http_psk_fn; cls = struct naf *. */
int tkmsd_psk_lookup(void *cls, const struct tk_http_psk_query *q, uint8_t *key,
		     size_t *key_len);

#endif
