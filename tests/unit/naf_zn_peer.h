/*
 * naf_zn_peer.h: a tiny real Zn server (libmicrohttpd on 127.0.0.1, an
 * ephemeral port) that the NAF cache tests and zn-bench talk to over HTTP.
 * It is the test peer, not the code under test: it answers contracts A /
 * P-17 requests from rules on the B-TID's local part:
 *   "NF..." -> 404 BTID_NOT_FOUND, "FB..." -> 403 NAF_NOT_AUTHORIZED,
 *   "E5..." -> 500, "BJ..." -> 200 with a broken body, "BG..." -> 200 with
 *   a 70000-octet body, else 200 with
 *   meKeyMaterial = SHA-256(btId "|" nafFqdn "|" uaSecProtId) (see
 *   zn_peer_key), impi "user@test", ueIds sip:user@test and tel:+15550100
 *   for gsId "0", keyExpiryTime = now + the configured lifetime.
 * A wrong bearer token (not "tok") gets 401.
 */
#ifndef NAF_ZN_PEER_H
#define NAF_ZN_PEER_H

#include <stdint.h>

struct zn_peer;

struct zn_peer *zn_peer_start(void);
void zn_peer_stop(struct zn_peer *p);
const char *zn_peer_url(const struct zn_peer *p);
unsigned zn_peer_requests(struct zn_peer *p);
void zn_peer_set_delay_ms(struct zn_peer *p, unsigned ms);
void zn_peer_set_lifetime(struct zn_peer *p, int seconds);
/* The key the peer hands out for this request. */
void zn_peer_key(const char *btid, const char *fqdn, const char *ua_hex, uint8_t out[32]);

#endif
