/*
 * keyring.h: the KMS's Ticket Protection Keys (profile P-10: several TPKs by
 * key id; the current one seals, every unexpired one opens).
 *
 * Two layers:
 *  - struct kms_tpk_set: one loaded key ring file, immutable once built and
 *    reference counted. Every change (add, make current, retire) builds a
 *    new set; kms_tpk_set_save writes it atomically.
 *  - struct kms_keyring: the thread-safe holder the daemon and the ticket
 *    engine share. Readers copy a key out (or take a reference to the whole
 *    set) under a short mutex; kms_keyring_swap replaces the set (tkmsd
 *    does not: its SIGHUP builds a new engine generation with a holder of
 *    its own, tkmsd/engine_glue.h). A reader still holding the old set
 *    keeps it alive until it drops its reference; then its keys are wiped.
 *
 * File (JSON): {"current": <id>, "keys": [{"id": <uint32>, "key": "<64 hex>",
 * "created": "<RFC 3339>", "not_after": "<RFC 3339>" (optional)}]}.
 * The file must be a regular file without group or other permission bits
 * (refused otherwise, like ssh private keys); new files are written 0600.
 * Unknown members are refused (a misspelt "not_after" must not silently
 * give a key eternal life). Key bytes are never printed or logged; error
 * messages name the file, the key (index and id) and what is wrong.
 */
#ifndef KMS_KEYRING_H
#define KMS_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KMS_TPK_LEN 32		/* 256-bit TPK: AES-CM-256 / HMAC-SHA-256 (P-10) */
#define KMS_NO_EXPIRY INT64_MAX	/* not_after of a key without one */

struct kms_tpk {
	uint32_t id;
	int64_t created;	/* Unix seconds */
	int64_t not_after;	/* Unix seconds, KMS_NO_EXPIRY if absent */
	uint8_t key[KMS_TPK_LEN];
};

/* What may be shown about a key: never its bytes. */
struct kms_tpk_info {
	uint32_t id;
	int64_t created;
	int64_t not_after;
	bool current;
};

struct kms_tpk_set;

/* ---- immutable sets ---- */

/* Load and validate a key ring file. NULL on error, with a message in err. */
struct kms_tpk_set *kms_tpk_set_load(const char *path, char *err, size_t errlen);
/* Load path, or, when it does not exist, create it holding one fresh random
 * key (id 1, current) written atomically with mode 0600. *created tells
 * which happened (may be NULL). */
struct kms_tpk_set *kms_tpk_set_load_or_create(const char *path, int64_t now,
					       bool *created, char *err, size_t errlen);
/* A new set of one fresh key (id 1, current), not saved. */
struct kms_tpk_set *kms_tpk_set_generate(int64_t now, char *err, size_t errlen);
/* Write atomically: temp file (0600) in the same directory, fsync, rename,
 * fsync of the directory. 0 on success, -1 with a message. */
int kms_tpk_set_save(const struct kms_tpk_set *s, const char *path,
		     char *err, size_t errlen);

/* Changes: each returns a new set (the input is unchanged) or NULL with a
 * message. */
/* Add a fresh random key with id = highest id + 1; not_after may be
 * KMS_NO_EXPIRY. */
struct kms_tpk_set *kms_tpk_set_add(const struct kms_tpk_set *s, int64_t now,
				    int64_t not_after, bool make_current,
				    uint32_t *new_id, char *err, size_t errlen);
struct kms_tpk_set *kms_tpk_set_make_current(const struct kms_tpk_set *s,
					     uint32_t id, char *err, size_t errlen);
/* Remove keys whose not_after has passed (not_after <= now). The current key
 * is never removed (sealing needs one): *current_expired reports that case
 * so the operator can rotate. */
struct kms_tpk_set *kms_tpk_set_retire(const struct kms_tpk_set *s, int64_t now,
				       size_t *removed, bool *current_expired,
				       char *err, size_t errlen);
/* Rotation: add a fresh key, make it current, and give the previous current
 * key not_after = old_not_after unless it already expires earlier (so it
 * keeps opening tickets issued before, P-10). */
struct kms_tpk_set *kms_tpk_set_rotate(const struct kms_tpk_set *s, int64_t now,
				       int64_t old_not_after, uint32_t *new_id,
				       char *err, size_t errlen);

/* Give key id not_after = min(its not_after, not_after): used when a key
 * stops being current, so that it opens its tickets exactly as long as they
 * can be valid and `retire` can then remove it. */
struct kms_tpk_set *kms_tpk_set_cap(const struct kms_tpk_set *s, uint32_t id,
				    int64_t not_after, char *err, size_t errlen);
/* Remove key id now, whatever its not_after (the operator's forced retire;
 * tickets it sealed are refused from then on). The current key is refused. */
struct kms_tpk_set *kms_tpk_set_remove(const struct kms_tpk_set *s, uint32_t id,
				       char *err, size_t errlen);

/* Lookups. The pointers live as long as the set. */
const struct kms_tpk *kms_tpk_set_current(const struct kms_tpk_set *s);
/* The key with that id, or NULL when unknown or when its not_after <= now. */
const struct kms_tpk *kms_tpk_set_find(const struct kms_tpk_set *s, uint32_t id,
				       int64_t now);
size_t kms_tpk_set_count(const struct kms_tpk_set *s);
/* Metadata of the i-th key (file order); false when i is out of range. */
bool kms_tpk_set_info(const struct kms_tpk_set *s, size_t i,
		      struct kms_tpk_info *info);
/* One line per key: id, created, not_after, "current" mark. No key bytes. */
void kms_tpk_set_list(const struct kms_tpk_set *s, FILE *out);

struct kms_tpk_set *kms_tpk_set_ref(struct kms_tpk_set *s);
/* Drops a reference; the last one wipes the keys and frees. NULL is fine. */
void kms_tpk_set_unref(struct kms_tpk_set *s);

/* ---- the shared holder ---- */

struct kms_keyring;

/* Takes over the caller's reference to initial. NULL on allocation failure
 * (initial is then released). */
struct kms_keyring *kms_keyring_new(struct kms_tpk_set *initial);
void kms_keyring_free(struct kms_keyring *kr);
/* Replace the set (takes over the caller's reference to s). */
void kms_keyring_swap(struct kms_keyring *kr, struct kms_tpk_set *s);
/* A reference to the set in force; release with kms_tpk_set_unref. */
struct kms_tpk_set *kms_keyring_get(struct kms_keyring *kr);
/* Copy-out accessors for the ticket engine; the caller wipes key afterwards.
 * current: for sealing. find: for opening (false when unknown / expired). */
bool kms_keyring_current(struct kms_keyring *kr, uint32_t *id,
			 uint8_t key[KMS_TPK_LEN]);
bool kms_keyring_find(struct kms_keyring *kr, uint32_t id, int64_t now,
		      uint8_t key[KMS_TPK_LEN]);

#endif
