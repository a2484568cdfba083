/*
 * userpsk.h: the MIKEY pre-shared key of a password user (issue 6 item 7,
 * docs/design.md "Other credentials").  A user without GBA has an HTTP
 * Digest password for the realm "tkms-users@<KMS FQDN>"; the KMS stores
 * only HA1 = MD5(username ":" realm ":" password) (RFC 2617 3.2.2.2), and
 * both sides derive the key of REQUEST_INIT_PSK / RESOLVE_INIT_PSK from it:
 *
 *   PSK = HMAC-SHA-256(key = HA1 as 16 octets, "tkms-user-psk" || KMS FQDN)
 *
 * (32 octets, like a Ks_NAF, so P-20 and the rows C/D work unchanged).
 * RFC 6043 leaves the source of a PSK open; this is tkms's choice.
 */
#ifndef TK_GBA_USERPSK_H
#define TK_GBA_USERPSK_H

#include <stddef.h>
#include <stdint.h>

#define TK_USERS_REALM_PREFIX "tkms-users@"
#define TK_USER_PSK_LABEL "tkms-user-psk"
enum { TK_HA1_LEN = 16, TK_USER_PSK_LEN = 32 };

/* "tkms-users@" fqdn into out; -1 when it does not fit. */
int tk_users_realm(const char *kms_fqdn, char *out, size_t cap);
void tk_user_ha1(const char *user, const char *realm, const char *password,
		 uint8_t ha1[TK_HA1_LEN]);
void tk_user_psk(const uint8_t ha1[TK_HA1_LEN], const char *kms_fqdn,
		 uint8_t psk[TK_USER_PSK_LEN]);

#endif
