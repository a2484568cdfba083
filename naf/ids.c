/*
 * ids.c: shared identity records (see ids.h).
 */
#include "naf/ids.h"

#include <stdlib.h>
#include <string.h>

struct ids_block {
	unsigned refs; /* __atomic */
	struct naf_ids pub;
	const char *ptrs[];
};

#define BLOCK_OF(p) ((struct ids_block *)((char *)(p) - offsetof(struct ids_block, pub)))

struct naf_ids *naf_ids_new(const char *impi, const char *const *impus, size_t n)
{
	size_t sz = sizeof(struct ids_block) + n * sizeof(char *) + strlen(impi) + 1;
	struct ids_block *b;
	char *s;

	for (size_t i = 0; i < n; i++)
		sz += strlen(impus[i]) + 1;
	b = malloc(sz);
	if (!b)
		return NULL;
	b->refs = 1;
	s = (char *)&b->ptrs[n];
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(impus[i]) + 1;
		memcpy(s, impus[i], l);
		b->ptrs[i] = s;
		s += l;
	}
	strcpy(s, impi);
	b->pub.impi = s;
	b->pub.n_impus = n;
	b->pub.impus = b->ptrs;
	return &b->pub;
}

const struct naf_ids *naf_ids_ref(const struct naf_ids *ids)
{
	if (ids)
		__atomic_add_fetch(&BLOCK_OF(ids)->refs, 1, __ATOMIC_RELAXED);
	return ids;
}

void naf_ids_unref(const struct naf_ids *ids)
{
	if (ids && __atomic_sub_fetch(&BLOCK_OF(ids)->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(BLOCK_OF(ids));
}

bool naf_ids_has_impu(const struct naf_ids *ids, const char *uri, size_t len)
{
	if (!ids || !uri)
		return false;
	for (size_t i = 0; i < ids->n_impus; i++)
		if (strlen(ids->impus[i]) == len && memcmp(ids->impus[i], uri, len) == 0)
			return true;
	return false;
}
