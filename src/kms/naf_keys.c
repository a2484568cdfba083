/*
 * naf_keys.c: the NAF library as the engine's key source (see naf_keys.h).
 * The identity record stays referenced from lookup to release, so the IMPI
 * and IMPU strings need no copy.
 */
#include <string.h>

#include "kms/naf_keys.h"
#include "naf/naf.h"
#include "util/secret.h"

static enum kms_key_status lookup(void *ctx, const char *btid, size_t len, tk_ua_id ua,
				  struct kms_subscriber *out)
{
	struct naf_key k;
	int st;

	memset(&k, 0, sizeof(k));
	st = naf_get_key(ctx, btid, len, ua, &k);
	if (st != NAF_OK) {
		naf_key_clear(&k);
		switch (st) {
		case NAF_NOT_FOUND:
		case NAF_BAD_BTID:
			return KMS_KEY_NOT_FOUND;
		case NAF_NOT_AUTHORIZED:
			return KMS_KEY_NOT_AUTHORIZED;
		default:
			return KMS_KEY_UNAVAILABLE;
		}
	}
	memcpy(out->ks_naf, k.ks_naf, sizeof(out->ks_naf));
	tk_wipe(k.ks_naf, sizeof(k.ks_naf));
	out->expiry = k.expiry;
	out->impi = k.ids->impi;
	out->n_impus = k.ids->n_impus;
	out->impus = k.ids->impus;
	out->handle = (void *)k.ids;
	return KMS_KEY_OK;
}

static void release(void *ctx, struct kms_subscriber *sub)
{
	struct naf_key k;

	(void)ctx;
	memset(&k, 0, sizeof(k));
	k.ids = sub->handle;
	naf_key_clear(&k);
	sub->handle = NULL;
}

struct kms_key_source kms_naf_key_source(struct naf *naf)
{
	return (struct kms_key_source){ lookup, release, naf };
}
