/*
 * ids.h: the reference-counted, immutable identity record (IMPI + IMPUs)
 * shared between the cache and every key handed out (naf.h, profile P-3).
 * One allocation per record; references are atomic so a cache hit needs no
 * lock beyond its shard's.
 */
#ifndef NAF_IDS_H
#define NAF_IDS_H

#include "naf/naf.h"

/* impus may be NULL when n == 0.  NULL when out of memory. */
struct naf_ids *naf_ids_new(const char *impi, const char *const *impus, size_t n);
const struct naf_ids *naf_ids_ref(const struct naf_ids *ids);
void naf_ids_unref(const struct naf_ids *ids);

#endif
