/*
 * userpsk.c: HA1 and the MIKEY PSK of a password user (see userpsk.h).
 */
#include <stdio.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>

#include "gba/userpsk.h"
#include "util/secret.h"

int tk_users_realm(const char *kms_fqdn, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%s", TK_USERS_REALM_PREFIX, kms_fqdn);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void tk_user_ha1(const char *user, const char *realm, const char *password,
		 uint8_t ha1[TK_HA1_LEN])
{
	struct md5_ctx h;

	md5_init(&h);
	md5_update(&h, strlen(user), (const uint8_t *)user);
	md5_update(&h, 1, (const uint8_t *)":");
	md5_update(&h, strlen(realm), (const uint8_t *)realm);
	md5_update(&h, 1, (const uint8_t *)":");
	md5_update(&h, strlen(password), (const uint8_t *)password);
	md5_digest(&h, TK_HA1_LEN, ha1);
	tk_wipe(&h, sizeof h); /* its buffer may still hold password octets */
}

void tk_user_psk(const uint8_t ha1[TK_HA1_LEN], const char *kms_fqdn,
		 uint8_t psk[TK_USER_PSK_LEN])
{
	struct hmac_sha256_ctx h;

	hmac_sha256_set_key(&h, TK_HA1_LEN, ha1);
	hmac_sha256_update(&h, strlen(TK_USER_PSK_LABEL), (const uint8_t *)TK_USER_PSK_LABEL);
	hmac_sha256_update(&h, strlen(kms_fqdn), (const uint8_t *)kms_fqdn);
	hmac_sha256_digest(&h, TK_USER_PSK_LEN, psk);
	tk_wipe(&h, sizeof(h));
}
