/*
 * table.h: a bounded, expiring, thread-safe map from string keys to fixed-
 * size values, for the BSF's pending Ub challenges (keyed by nonce) and
 * bootstrapping sessions (keyed by B-TID).
 *
 * Entries of one table share one lifetime, so insertion order is expiry
 * order: a FIFO list gives "evict the oldest" and "purge the expired" in
 * O(1) per entry. When the table is full, expired entries go first, then the
 * oldest live one (for sessions: a NAF asking for it gets BTID_NOT_FOUND and
 * the UE bootstraps again, the standard recovery). Values are copied in and
 * out and wiped (they hold keys) when an entry leaves.
 */
#ifndef BSF_TABLE_H
#define BSF_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct bsf_table;

struct bsf_table *bsf_table_new(size_t max_entries, size_t value_size);
void bsf_table_free(struct bsf_table *t);

/* Insert (or replace) key -> value valid until `expires`. Evicts as above.
 * Returns the number of live entries evicted to make room, or -1 (no
 * memory, key longer than 512 octets). */
int bsf_table_put(struct bsf_table *t, const char *key, time_t now, time_t expires,
		  const void *value);
/* Copy the value out if key is present and not expired (expires > now).
 * With remove, the entry is deleted (one-time use). */
bool bsf_table_get(struct bsf_table *t, const char *key, time_t now, void *value,
		   bool remove);
size_t bsf_table_count(struct bsf_table *t);

#endif
