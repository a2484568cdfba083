/*
 * naf_keys.h: the production key source of the ticket engine: the NAF
 * library's naf_get_key (Zn + B-TID cache) behind struct kms_key_source
 * (profile P-1: Ua id 01 00 00 00 06; P-3: IMPI and IMPUs of the USS).
 */
#ifndef KMS_NAF_KEYS_H
#define KMS_NAF_KEYS_H

#include "kms/engine.h"

struct naf;

/* A key source answering from naf (which must outlive the engine).
 * NAF_NOT_FOUND and a malformed B-TID give KMS_KEY_NOT_FOUND (401, bootstrap
 * again), NAF_NOT_AUTHORIZED gives KMS_KEY_NOT_AUTHORIZED (403), a BSF that
 * is down or answers nonsense gives KMS_KEY_UNAVAILABLE (503). */
struct kms_key_source kms_naf_key_source(struct naf *naf);

#endif
