/*
 * replay.c: bounded, sharded replay cache (profile P-9). Each shard is a ring
 * of entries in insertion order (oldest first, reclaimed once expired) plus
 * a chained hash index over the ring slots, both preallocated. Entries hold
 * 128 bits of SHA-256(len(B-TID) | B-TID | MAC), not the message itself.
 *
 * Memory: 24 octets per entry plus 4 to 8 per entry of chain heads (at
 * least one head per slot). Chains are singly linked, newest first: the
 * slot reclaimed is always the oldest entry of the shard, hence the last of
 * its chain, and its predecessor is found by walking that chain (about one
 * step: chains average at most one entry).
 */
#include "kms/replay.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/sha2.h>

#define DEFAULT_SHARDS 16
#define NIL (-1)

struct entry {
	uint64_t h0, h1;
	uint32_t expires;	/* Unix time mod 2^32, compared as a serial number */
	int32_t next;		/* hash chain (slot index), towards older entries */
};
_Static_assert(sizeof(struct entry) == 24, "replay entry is 24 octets");

struct shard {
	pthread_mutex_t mu;
	struct entry *e;	/* cap slots */
	int32_t *bucket;	/* nb chain heads */
	uint32_t cap, nb, head, count;
	uint32_t high;		/* 80 % of cap: KMS_REPLAY_EV_HIGH */
} __attribute__((aligned(64)));

struct kms_replay {
	unsigned nshards;
	struct shard *shards;
	atomic_uint_fast64_t inserted, replays, full;
	atomic_uint raised, reported;	/* KMS_REPLAY_EV_* */
};

struct kms_replay *kms_replay_new(size_t capacity, unsigned shards)
{
	struct kms_replay *rc;
	size_t per;

	if (!shards)
		shards = DEFAULT_SHARDS;
	per = (capacity + shards - 1) / shards;
	if (!capacity || per > (1u << 28))
		return NULL;
	rc = calloc(1, sizeof *rc);
	if (!rc)
		return NULL;
	rc->shards = aligned_alloc(64, sizeof *rc->shards * shards);
	if (!rc->shards) {
		free(rc);
		return NULL;
	}
	memset(rc->shards, 0, sizeof *rc->shards * shards);
	for (; rc->nshards < shards; rc->nshards++) {
		struct shard *s = &rc->shards[rc->nshards];

		s->cap = (uint32_t)per;
		s->high = (uint32_t)((4 * per + 4) / 5);
		for (s->nb = 1; s->nb < s->cap; s->nb <<= 1)
			;
		s->e = calloc(s->cap, sizeof *s->e);
		s->bucket = malloc(s->nb * sizeof *s->bucket);
		if (!s->e || !s->bucket || pthread_mutex_init(&s->mu, NULL)) {
			free(s->e);
			free(s->bucket);
			kms_replay_free(rc);
			return NULL;
		}
		memset(s->bucket, 0xFF, s->nb * sizeof *s->bucket);	/* NIL */
	}
	atomic_init(&rc->inserted, 0);
	atomic_init(&rc->replays, 0);
	atomic_init(&rc->full, 0);
	atomic_init(&rc->raised, 0);
	atomic_init(&rc->reported, 0);
	return rc;
}

void kms_replay_free(struct kms_replay *rc)
{
	if (!rc)
		return;
	for (unsigned i = 0; i < rc->nshards; i++) {
		pthread_mutex_destroy(&rc->shards[i].mu);
		free(rc->shards[i].e);
		free(rc->shards[i].bucket);
	}
	free(rc->shards);
	free(rc);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* a after b, for times within 68 years of each other */
static bool later(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static void pop_oldest(struct shard *s)
{
	int32_t i = (int32_t)s->head, *link = &s->bucket[s->e[i].h1 & (s->nb - 1)];

	while (*link != i)
		link = &s->e[*link].next;
	*link = s->e[i].next; /* NIL: the oldest entry ends its chain */
	s->head = (s->head + 1) % s->cap;
	s->count--;
}

static void raise_event(struct kms_replay *rc, unsigned ev)
{
	if (!(atomic_load_explicit(&rc->raised, memory_order_relaxed) & ev))
		atomic_fetch_or(&rc->raised, ev);
}

enum kms_replay_result kms_replay_check(struct kms_replay *rc,
					const uint8_t *btid, size_t btid_len,
					const uint8_t *mac, size_t mac_len,
					int64_t expires, int64_t now)
{
	struct sha256_ctx h;
	uint8_t d[SHA256_DIGEST_SIZE], len[2] = { (uint8_t)(btid_len >> 8),
						  (uint8_t)btid_len };
	uint64_t h0, h1;
	uint32_t now32 = (uint32_t)now;
	struct shard *s;
	enum kms_replay_result res;
	int32_t i;

	/* The length prefix keeps (B-TID, MAC) pairs with a shifted boundary
	 * apart; B-TIDs are far shorter than 64 KiB. */
	sha256_init(&h);
	sha256_update(&h, sizeof len, len);
	sha256_update(&h, btid_len, btid);
	sha256_update(&h, mac_len, mac);
	sha256_digest(&h, sizeof d, d);
	h0 = get64(d);
	h1 = get64(d + 8);
	s = &rc->shards[h0 % rc->nshards];

	pthread_mutex_lock(&s->mu);
	while (s->count && !later(s->e[s->head].expires, now32))
		pop_oldest(s);
	for (i = s->bucket[h1 & (s->nb - 1)]; i != NIL; i = s->e[i].next)
		if (s->e[i].h0 == h0 && s->e[i].h1 == h1 && later(s->e[i].expires, now32))
			break;
	if (i != NIL) {
		res = KMS_REPLAY_SEEN;
	} else if (expires <= now) {
		res = KMS_REPLAY_NEW;
	} else if (s->count == s->cap) {
		res = KMS_REPLAY_FULL;
	} else {
		uint32_t slot = (s->head + s->count) % s->cap;
		struct entry *e = &s->e[slot];
		int32_t *b = &s->bucket[h1 & (s->nb - 1)];

		e->h0 = h0;
		e->h1 = h1;
		e->expires = (uint32_t)expires;
		e->next = *b;
		*b = (int32_t)slot;
		s->count++;
		res = KMS_REPLAY_NEW;
		if (s->count == s->high)
			raise_event(rc, KMS_REPLAY_EV_HIGH);
	}
	pthread_mutex_unlock(&s->mu);

	if (res == KMS_REPLAY_SEEN) {
		atomic_fetch_add(&rc->replays, 1);
	} else if (res == KMS_REPLAY_FULL) {
		atomic_fetch_add(&rc->full, 1);
		raise_event(rc, KMS_REPLAY_EV_FULL);
	} else if (expires > now) {
		atomic_fetch_add(&rc->inserted, 1);
	}
	return res;
}

unsigned kms_replay_events(struct kms_replay *rc)
{
	unsigned r = atomic_load_explicit(&rc->raised, memory_order_relaxed);

	if (r == atomic_load_explicit(&rc->reported, memory_order_relaxed))
		return 0;
	return r & ~atomic_fetch_or(&rc->reported, r);
}

void kms_replay_get_stats(struct kms_replay *rc, struct kms_replay_stats *st)
{
	st->inserted = atomic_load(&rc->inserted);
	st->replays = atomic_load(&rc->replays);
	st->full = atomic_load(&rc->full);
	st->entries = 0;
	st->capacity = 0;
	for (unsigned i = 0; i < rc->nshards; i++) {
		pthread_mutex_lock(&rc->shards[i].mu);
		st->entries += rc->shards[i].count;
		st->capacity += rc->shards[i].cap;
		pthread_mutex_unlock(&rc->shards[i].mu);
	}
}
