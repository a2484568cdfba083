/*
 * replay.h: the KMS replay cache (profile P-9, P-21; mikey.md 6.3).
 *
 * Every authenticated initial message is remembered, keyed by its B-TID and
 * MAC, until it leaves the timestamp window; a repeat is reported. The cache
 * is bounded (all memory is allocated at creation) and O(1) per message.
 * When it is full of entries that are still needed it refuses new messages
 * (KMS_REPLAY_FULL, counted) rather than forget old ones: fail closed.
 *
 * Thread-safe: entries are spread over shards by hash, each with its own
 * mutex, so concurrent workers rarely wait for each other.
 *
 * Slots are reclaimed in insertion order: an entry whose expiry is earlier
 * than that of an entry inserted before it keeps its slot until the older
 * one expires. With expiries of T + window and |T - now| <= window, a slot
 * is thus held at most 2 x window after insertion; size the cache for the
 * peak message rate over 2 x window: entries >= peak rate x 2 x window.
 * Each entry costs 28 to 32 octets (docs/operations.md, "Capacity: the
 * replay cache").
 */
#ifndef KMS_REPLAY_H
#define KMS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

enum kms_replay_result {
	KMS_REPLAY_NEW = 0,	/* not seen before; now remembered */
	KMS_REPLAY_SEEN,	/* a replay: refuse with Error 1 (P-9) */
	KMS_REPLAY_FULL,	/* no free slot: refuse (503, P-6) */
};

struct kms_replay_stats {
	uint64_t inserted;
	uint64_t replays;
	uint64_t full;		/* messages refused because the cache was full */
	size_t entries;		/* slots in use now (including expired ones not yet reclaimed) */
	size_t capacity;
};

struct kms_replay;

/* capacity: total entries (rounded up to a multiple of shards); shards: 0
 * for the default (16). NULL on allocation failure or capacity 0. */
struct kms_replay *kms_replay_new(size_t capacity, unsigned shards);
void kms_replay_free(struct kms_replay *rc);

/* Check and remember one message. expires: Unix time after which a replay
 * cannot pass the timestamp check any more (the message's T + window); now:
 * the current Unix time. An already expired message (expires <= now) is not
 * stored and reported NEW: the timestamp check, made before (P-21), refuses
 * it anyway. */
enum kms_replay_result kms_replay_check(struct kms_replay *rc,
					const uint8_t *btid, size_t btid_len,
					const uint8_t *mac, size_t mac_len,
					int64_t expires, int64_t now);

void kms_replay_get_stats(struct kms_replay *rc, struct kms_replay_stats *st);

/* Events for the log, each raised once in the cache's life. */
#define KMS_REPLAY_EV_HIGH 1u	/* a shard (1/16 of the cache by default) reached 80 % */
#define KMS_REPLAY_EV_FULL 2u	/* the first message refused because a shard was full */
/* The events raised since the last call (each is returned by exactly one
 * call); two relaxed loads when there is nothing new. */
unsigned kms_replay_events(struct kms_replay *rc);

#endif
