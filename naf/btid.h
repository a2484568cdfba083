/*
 * btid.h: strict syntax of a B-TID received from an untrusted peer, and the
 * PSK-TLS client identity that carries one (gba.md 4.1, 2.4; profile P-7).
 *
 * A B-TID is base64(RAND) "@" BSF FQDN (gba.md 4.1).  We accept exactly that
 * shape, bounded: the local part is padded base64 of 1..48 octets (a RAND is
 * 16; longer is tolerated for BSFs that add data, never more than 64 chars),
 * the domain a DNS name of LDH labels (1..63 chars, no leading/trailing '-')
 * of at most 253 chars.  Nothing else: no spaces, quotes, control characters,
 * second '@', empty labels or trailing dot.  The B-TID is opaque otherwise:
 * the NAF stores and forwards it verbatim.
 */
#ifndef NAF_BTID_H
#define NAF_BTID_H

#include <stdbool.h>
#include <stddef.h>

#define NAF_BTID_LOCAL_MAX 64
#define NAF_BTID_DOMAIN_MAX 253
#define NAF_BTID_MAX (NAF_BTID_LOCAL_MAX + 1 + NAF_BTID_DOMAIN_MAX) /* without NUL */

/* Prefix a PSK-TLS client may put before the B-TID (P-7); the hint the
 * server sends is TK_HTTP_PSK_HINT (http/http.h). */
#define NAF_PSK_PREFIX "3GPP-bootstrapping."

/* True when s[0..len) is a DNS name by the rules of a B-TID's domain. */
bool naf_fqdn_valid(const char *s, size_t len);

/* True when s[0..len) is a syntactically valid B-TID (see above). */
bool naf_btid_valid(const char *s, size_t len);

/* The B-TID inside a PSK-TLS client identity: either the bare B-TID or
 * "3GPP-bootstrapping." followed by the B-TID (P-7).  On success *btid and
 * *btid_len point into id (no copy) and true is returned. */
bool naf_psk_identity_btid(const char *id, size_t len, const char **btid,
			   size_t *btid_len);

#endif
