/* table.c: see table.h. Chained hash (FNV-1a; keys we insert are random
 * nonces and B-TIDs, so collisions cannot be steered) plus a FIFO list. */
#include "bsf-stub/table.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/secret.h"

#define KEY_MAX 512

struct ent {
	struct ent *hnext;       /* bucket chain */
	struct ent *older, *newer; /* FIFO */
	time_t expires;
	char *key;
	unsigned char val[];
};

struct bsf_table {
	pthread_mutex_t lock;
	struct ent **buckets;
	size_t nbuckets;         /* power of two */
	size_t max, count, vsize;
	struct ent *oldest, *newest;
};

static size_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

struct bsf_table *bsf_table_new(size_t max_entries, size_t value_size)
{
	struct bsf_table *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->max = max_entries ? max_entries : 1;
	t->vsize = value_size;
	for (t->nbuckets = 64; t->nbuckets < t->max && t->nbuckets < (1u << 22); t->nbuckets <<= 1)
		;
	t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

static struct ent **slot_of(struct bsf_table *t, const char *key)
{
	struct ent **pp = &t->buckets[hash(key) & (t->nbuckets - 1)];

	while (*pp && strcmp((*pp)->key, key) != 0)
		pp = &(*pp)->hnext;
	return pp;
}

static void drop(struct bsf_table *t, struct ent *e)
{
	struct ent **pp = slot_of(t, e->key);

	*pp = e->hnext;
	if (e->older)
		e->older->newer = e->newer;
	else
		t->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		t->newest = e->older;
	t->count--;
	tk_wipe(e->val, t->vsize);
	free(e->key);
	free(e);
}

void bsf_table_free(struct bsf_table *t)
{
	if (!t)
		return;
	while (t->oldest)
		drop(t, t->oldest);
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int bsf_table_put(struct bsf_table *t, const char *key, time_t now, time_t expires,
		  const void *value)
{
	struct ent *e, **pp;
	int evicted = 0;

	if (strlen(key) > KEY_MAX)
		return -1;
	e = malloc(sizeof *e + t->vsize);
	if (!e || !(e->key = strdup(key))) {
		free(e);
		return -1;
	}
	e->expires = expires;
	memcpy(e->val, value, t->vsize);
	pthread_mutex_lock(&t->lock);
	if (*(pp = slot_of(t, key)))
		drop(t, *pp);
	while (t->oldest && t->oldest->expires <= now)
		drop(t, t->oldest);
	while (t->count >= t->max) {
		drop(t, t->oldest);
		evicted++;
	}
	pp = slot_of(t, key);
	e->hnext = NULL;
	*pp = e;
	e->newer = NULL;
	e->older = t->newest;
	if (t->newest)
		t->newest->newer = e;
	else
		t->oldest = e;
	t->newest = e;
	t->count++;
	pthread_mutex_unlock(&t->lock);
	return evicted;
}

bool bsf_table_get(struct bsf_table *t, const char *key, time_t now, void *value, bool remove)
{
	struct ent *e;
	bool ok = false;

	if (strlen(key) > KEY_MAX)
		return false;
	pthread_mutex_lock(&t->lock);
	e = *slot_of(t, key);
	if (e && e->expires <= now) {
		drop(t, e);
		e = NULL;
	}
	if (e) {
		memcpy(value, e->val, t->vsize);
		ok = true;
		if (remove)
			drop(t, e);
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

size_t bsf_table_count(struct bsf_table *t)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}
