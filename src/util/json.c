/*
 * json.c: the allowed-members check of strict JSON readers (see json.h).
 */
#include "util/json.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "util/secret.h"

const char *tk_json_unknown_key(const json_t *o, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		size_t i;

		for (i = 0; allowed[i] && strcmp(allowed[i], key) != 0; i++)
			;
		if (!allowed[i])
			return key;
	}
	return NULL;
}

static void wiping_free(void *p)
{
	if (p) {
		tk_wipe(p, malloc_usable_size(p));
		free(p);
	}
}

void tk_json_wipe_on_free(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
}
