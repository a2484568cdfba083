/*
 * keyring.c: TPK key ring (profile P-10): strict loading of the JSON file,
 * atomic saving, immutable reference-counted sets and the shared holder the
 * daemon swaps on SIGHUP. Key bytes are wiped wherever they were copied
 * (file buffer, JSON strings, freed sets) and never printed.
 */
#include "kms/keyring.h"
#include "util/fileio.h"
#include "util/hexb64.h"
#include "util/json.h"
#include "util/secret.h"
#include "util/timefmt.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/crypto.h>
#include <jansson.h>

#define MAX_FILE (1u << 20)
#define MAX_KEYS 4096

struct kms_tpk_set {
	atomic_uint refs;
	uint32_t current;
	size_t n;
	struct kms_tpk keys[];
};

struct kms_keyring {
	pthread_mutex_t mu;
	struct kms_tpk_set *set;
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- sets ---- */

static struct kms_tpk_set *set_alloc(size_t n)
{
	struct kms_tpk_set *s = calloc(1, sizeof *s + n * sizeof s->keys[0]);

	if (s) {
		atomic_init(&s->refs, 1);
		s->n = n;
	}
	return s;
}

struct kms_tpk_set *kms_tpk_set_ref(struct kms_tpk_set *s)
{
	atomic_fetch_add(&s->refs, 1);
	return s;
}

void kms_tpk_set_unref(struct kms_tpk_set *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	tk_wipe(s->keys, s->n * sizeof s->keys[0]);
	free(s);
}

static const struct kms_tpk *by_id(const struct kms_tpk_set *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->keys[i].id == id)
			return &s->keys[i];
	return NULL;
}

const struct kms_tpk *kms_tpk_set_current(const struct kms_tpk_set *s)
{
	return by_id(s, s->current);
}

const struct kms_tpk *kms_tpk_set_find(const struct kms_tpk_set *s, uint32_t id,
				       int64_t now)
{
	const struct kms_tpk *k = by_id(s, id);

	return k && k->not_after > now ? k : NULL;
}

size_t kms_tpk_set_count(const struct kms_tpk_set *s)
{
	return s->n;
}

bool kms_tpk_set_info(const struct kms_tpk_set *s, size_t i,
		      struct kms_tpk_info *info)
{
	if (i >= s->n)
		return false;
	info->id = s->keys[i].id;
	info->created = s->keys[i].created;
	info->not_after = s->keys[i].not_after;
	info->current = s->keys[i].id == s->current;
	return true;
}

void kms_tpk_set_list(const struct kms_tpk_set *s, FILE *out)
{
	for (size_t i = 0; i < s->n; i++) {
		char c[TK_TIME_STR], na[TK_TIME_STR] = "-";

		tk_time_format(s->keys[i].created, c);
		if (s->keys[i].not_after != KMS_NO_EXPIRY)
			tk_time_format(s->keys[i].not_after, na);
		fprintf(out, "%u\tcreated %s\tnot_after %s%s\n", s->keys[i].id, c, na,
			s->keys[i].id == s->current ? "\tcurrent" : "");
	}
}

static struct kms_tpk_set *set_copy(const struct kms_tpk_set *s, size_t extra)
{
	struct kms_tpk_set *c = set_alloc(s->n + extra);

	if (c) {
		c->current = s->current;
		c->n = s->n;
		memcpy(c->keys, s->keys, s->n * sizeof s->keys[0]);
	}
	return c;
}

static bool fresh_key(struct kms_tpk *k, uint32_t id, int64_t now,
		      int64_t not_after, char *err, size_t errlen)
{
	k->id = id;
	k->created = now;
	k->not_after = not_after;
	if (gnutls_rnd(GNUTLS_RND_KEY, k->key, sizeof k->key) < 0) {
		fail(err, errlen, "random generator failed");
		return false;
	}
	return true;
}

struct kms_tpk_set *kms_tpk_set_generate(int64_t now, char *err, size_t errlen)
{
	struct kms_tpk_set *s = set_alloc(1);

	if (!s) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	s->current = 1;
	if (!fresh_key(&s->keys[0], 1, now, KMS_NO_EXPIRY, err, errlen)) {
		kms_tpk_set_unref(s);
		return NULL;
	}
	return s;
}

struct kms_tpk_set *kms_tpk_set_add(const struct kms_tpk_set *s, int64_t now,
				    int64_t not_after, bool make_current,
				    uint32_t *new_id, char *err, size_t errlen)
{
	struct kms_tpk_set *c;
	uint32_t max = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->keys[i].id > max)
			max = s->keys[i].id;
	if (max == UINT32_MAX) {
		fail(err, errlen, "no key id left above %u", max);
		return NULL;
	}
	if (s->n >= MAX_KEYS) {
		fail(err, errlen, "too many keys (%u)", MAX_KEYS);
		return NULL;
	}
	if (not_after <= now) {
		fail(err, errlen, "not_after of the new key is not in the future");
		return NULL;
	}
	c = set_copy(s, 1);
	if (!c) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	if (!fresh_key(&c->keys[c->n], max + 1, now, not_after, err, errlen)) {
		kms_tpk_set_unref(c);
		return NULL;
	}
	c->n++;
	if (make_current)
		c->current = max + 1;
	if (new_id)
		*new_id = max + 1;
	return c;
}

struct kms_tpk_set *kms_tpk_set_make_current(const struct kms_tpk_set *s,
					     uint32_t id, char *err, size_t errlen)
{
	struct kms_tpk_set *c;

	if (!by_id(s, id)) {
		fail(err, errlen, "no key with id %u", id);
		return NULL;
	}
	c = set_copy(s, 0);
	if (!c)
		fail(err, errlen, "out of memory");
	else
		c->current = id;
	return c;
}

struct kms_tpk_set *kms_tpk_set_retire(const struct kms_tpk_set *s, int64_t now,
				       size_t *removed, bool *current_expired,
				       char *err, size_t errlen)
{
	struct kms_tpk_set *c = set_copy(s, 0);
	size_t j = 0;

	if (!c) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	*current_expired = false;
	for (size_t i = 0; i < s->n; i++) {
		bool expired = s->keys[i].not_after <= now;

		if (s->keys[i].id == s->current && expired)
			*current_expired = true;
		if (!expired || s->keys[i].id == s->current)
			c->keys[j++] = s->keys[i];
	}
	*removed = s->n - j;
	tk_wipe(c->keys + j, (s->n - j) * sizeof c->keys[0]);
	c->n = j;
	return c;
}

struct kms_tpk_set *kms_tpk_set_rotate(const struct kms_tpk_set *s, int64_t now,
				       int64_t old_not_after, uint32_t *new_id,
				       char *err, size_t errlen)
{
	struct kms_tpk_set *c = kms_tpk_set_add(s, now, KMS_NO_EXPIRY, false,
						new_id, err, errlen);

	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (c->keys[i].id == c->current && c->keys[i].not_after > old_not_after)
			c->keys[i].not_after = old_not_after;
	c->current = c->keys[c->n - 1].id;
	return c;
}

struct kms_tpk_set *kms_tpk_set_cap(const struct kms_tpk_set *s, uint32_t id,
				    int64_t not_after, char *err, size_t errlen)
{
	struct kms_tpk_set *c;

	if (!by_id(s, id)) {
		fail(err, errlen, "no key with id %u", id);
		return NULL;
	}
	c = set_copy(s, 0);
	if (!c) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->keys[i].id == id && c->keys[i].not_after > not_after)
			c->keys[i].not_after = not_after > c->keys[i].created ?
					       not_after : c->keys[i].created + 1;
	return c;
}

struct kms_tpk_set *kms_tpk_set_remove(const struct kms_tpk_set *s, uint32_t id,
				       char *err, size_t errlen)
{
	struct kms_tpk_set *c;
	size_t j = 0;

	if (!by_id(s, id)) {
		fail(err, errlen, "no key with id %u", id);
		return NULL;
	}
	if (id == s->current) {
		fail(err, errlen, "key %u is the current key; make another key current first", id);
		return NULL;
	}
	c = set_copy(s, 0);
	if (!c) {
		fail(err, errlen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->keys[i].id != id)
			c->keys[j++] = s->keys[i];
	tk_wipe(c->keys + j, (s->n - j) * sizeof c->keys[0]);
	c->n = j;
	return c;
}

/* ---- loading ---- */

/* Overwrite the "key" strings inside the parsed document before it is
 * freed: jansson does not wipe what it frees. */
static void wipe_json_keys(json_t *root)
{
	json_t *keys = json_object_get(root, "keys"), *k, *v;
	size_t i;

	if (!json_is_array(keys))
		return;
	json_array_foreach(keys, i, k) {
		v = json_object_get(k, "key");
		if (json_is_string(v))
			tk_wipe((char *)json_string_value(v), json_string_length(v));
	}
}

static bool get_uint32(json_t *v, uint32_t *out)
{
	json_int_t x;

	if (!json_is_integer(v))
		return false;
	x = json_integer_value(v);
	if (x < 0 || x > (json_int_t)UINT32_MAX)
		return false;
	*out = (uint32_t)x;
	return true;
}

static bool get_time(json_t *v, int64_t *out)
{
	return json_is_string(v) &&
	       tk_time_parse(json_string_value(v), json_string_length(v), out) == 0;
}

static struct kms_tpk_set *parse_doc(json_t *root, const char *path,
				     char *err, size_t errlen)
{
	static const char *const top_keys[] = { "current", "keys", NULL };
	static const char *const key_keys[] = { "id", "key", "created", "not_after", NULL };
	json_t *keys, *cur, *k, *v;
	const char *name;
	struct kms_tpk_set *s;
	size_t i;

	if (!json_is_object(root)) {
		fail(err, errlen, "%s: the top level must be a JSON object", path);
		return NULL;
	}
	if ((name = tk_json_unknown_key(root, top_keys))) {
		fail(err, errlen, "%s: unknown member \"%s\" (expected \"current\" and \"keys\")",
		     path, name);
		return NULL;
	}
	keys = json_object_get(root, "keys");
	cur = json_object_get(root, "current");
	if (!json_is_array(keys) || json_array_size(keys) == 0) {
		fail(err, errlen, "%s: \"keys\" must be a non-empty array", path);
		return NULL;
	}
	if (json_array_size(keys) > MAX_KEYS) {
		fail(err, errlen, "%s: more than %u keys", path, MAX_KEYS);
		return NULL;
	}
	s = set_alloc(json_array_size(keys));
	if (!s) {
		fail(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (!get_uint32(cur, &s->current)) {
		fail(err, errlen, "%s: \"current\" must be a key id (an integer 0..4294967295)",
		     path);
		goto bad;
	}
	json_array_foreach(keys, i, k) {
		struct kms_tpk *t = &s->keys[i];
		const char *hex;

		if (!json_is_object(k)) {
			fail(err, errlen, "%s: keys[%zu] must be an object", path, i);
			goto bad;
		}
		if ((name = tk_json_unknown_key(k, key_keys))) {
			fail(err, errlen, "%s: keys[%zu]: unknown member \"%s\"", path, i, name);
			goto bad;
		}
		if (!get_uint32(json_object_get(k, "id"), &t->id)) {
			fail(err, errlen, "%s: keys[%zu]: \"id\" must be an integer 0..4294967295",
			     path, i);
			goto bad;
		}
		if (by_id(s, t->id) != t) {
			fail(err, errlen, "%s: keys[%zu]: id %u appears twice", path, i, t->id);
			goto bad;
		}
		v = json_object_get(k, "key");
		hex = json_string_value(v);
		if (!hex || json_string_length(v) != 2 * KMS_TPK_LEN ||
		    tk_hex_decode(hex, t->key, sizeof t->key) != KMS_TPK_LEN) {
			fail(err, errlen, "%s: keys[%zu] (id %u): \"key\" must be %d hex digits",
			     path, i, t->id, 2 * KMS_TPK_LEN);
			goto bad;
		}
		if (!get_time(json_object_get(k, "created"), &t->created)) {
			fail(err, errlen, "%s: keys[%zu] (id %u): \"created\" must be an RFC 3339 time",
			     path, i, t->id);
			goto bad;
		}
		t->not_after = KMS_NO_EXPIRY;
		v = json_object_get(k, "not_after");
		if (v && !get_time(v, &t->not_after)) {
			fail(err, errlen, "%s: keys[%zu] (id %u): \"not_after\" must be an RFC 3339 time",
			     path, i, t->id);
			goto bad;
		}
		if (t->not_after <= t->created) {
			fail(err, errlen, "%s: keys[%zu] (id %u): \"not_after\" is not after \"created\"",
			     path, i, t->id);
			goto bad;
		}
	}
	if (!by_id(s, s->current)) {
		fail(err, errlen, "%s: \"current\" names key id %u, which is not in \"keys\"",
		     path, s->current);
		goto bad;
	}
	return s;
bad:
	kms_tpk_set_unref(s);
	return NULL;
}

struct kms_tpk_set *kms_tpk_set_load(const char *path, char *err, size_t errlen)
{
	struct kms_tpk_set *s = NULL;
	json_error_t jerr;
	json_t *root;
	char *buf;
	size_t len;

	if (tk_file_read(path, MAX_FILE, TK_FILE_PRIVATE, &buf, &len, err, errlen) != 0)
		return NULL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		fail(err, errlen, "%s:%d:%d: JSON error: %s", path, jerr.line, jerr.column,
		     jerr.text);
	} else {
		s = parse_doc(root, path, err, errlen);
		wipe_json_keys(root);
		json_decref(root);
	}
	tk_wipe(buf, len);
	free(buf);
	return s;
}

/* ---- saving ---- */

static json_t *build_doc(const struct kms_tpk_set *s)
{
	json_t *root = json_object(), *arr = json_array();
	char hex[2 * KMS_TPK_LEN + 1], t[TK_TIME_STR];
	bool ok = root && arr && !json_object_set_new(root, "current",
						      json_integer(s->current));

	if (ok && json_object_set(root, "keys", arr))
		ok = false;
	for (size_t i = 0; ok && i < s->n; i++) {
		json_t *k = json_object();

		ok = k && !json_array_append_new(arr, k);
		tk_hex_encode(s->keys[i].key, KMS_TPK_LEN, hex);
		tk_time_format(s->keys[i].created, t);
		ok = ok && !json_object_set_new(k, "id", json_integer(s->keys[i].id)) &&
		     !json_object_set_new(k, "key", json_string(hex)) &&
		     !json_object_set_new(k, "created", json_string(t));
		if (ok && s->keys[i].not_after != KMS_NO_EXPIRY) {
			tk_time_format(s->keys[i].not_after, t);
			ok = !json_object_set_new(k, "not_after", json_string(t));
		}
	}
	tk_wipe(hex, sizeof hex);
	json_decref(arr);
	if (!ok && root) {
		wipe_json_keys(root);
		json_decref(root);
		root = NULL;
	}
	return root;
}

int kms_tpk_set_save(const struct kms_tpk_set *s, const char *path,
		     char *err, size_t errlen)
{
	json_t *root = build_doc(s);
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (!root) {
		fail(err, errlen, "%s: out of memory", path);
		return -1;
	}
	len = json_dumpb(root, NULL, 0, JSON_INDENT(2));
	text = malloc(len + 1);
	if (!text || json_dumpb(root, text, len, JSON_INDENT(2)) != len) {
		fail(err, errlen, "%s: out of memory", path);
	} else {
		text[len++] = '\n';
		rc = tk_file_write_atomic(path, text, len, 0600, err, errlen);
	}
	if (text) {
		tk_wipe(text, len);
		free(text);
	}
	wipe_json_keys(root);
	json_decref(root);
	return rc;
}

struct kms_tpk_set *kms_tpk_set_load_or_create(const char *path, int64_t now,
					       bool *created, char *err, size_t errlen)
{
	struct kms_tpk_set *s;
	struct stat st;

	if (created)
		*created = false;
	if (stat(path, &st) == 0 || errno != ENOENT)
		return kms_tpk_set_load(path, err, errlen);
	s = kms_tpk_set_generate(now, err, errlen);
	if (s && kms_tpk_set_save(s, path, err, errlen) < 0) {
		kms_tpk_set_unref(s);
		return NULL;
	}
	if (s && created)
		*created = true;
	return s;
}

/* ---- the shared holder ---- */

struct kms_keyring *kms_keyring_new(struct kms_tpk_set *initial)
{
	struct kms_keyring *kr = calloc(1, sizeof *kr);

	if (!kr || pthread_mutex_init(&kr->mu, NULL)) {
		free(kr);
		kms_tpk_set_unref(initial);
		return NULL;
	}
	kr->set = initial;
	return kr;
}

void kms_keyring_free(struct kms_keyring *kr)
{
	if (!kr)
		return;
	kms_tpk_set_unref(kr->set);
	pthread_mutex_destroy(&kr->mu);
	free(kr);
}

void kms_keyring_swap(struct kms_keyring *kr, struct kms_tpk_set *s)
{
	struct kms_tpk_set *old;

	pthread_mutex_lock(&kr->mu);
	old = kr->set;
	kr->set = s;
	pthread_mutex_unlock(&kr->mu);
	kms_tpk_set_unref(old);
}

struct kms_tpk_set *kms_keyring_get(struct kms_keyring *kr)
{
	struct kms_tpk_set *s;

	pthread_mutex_lock(&kr->mu);
	s = kms_tpk_set_ref(kr->set);
	pthread_mutex_unlock(&kr->mu);
	return s;
}

bool kms_keyring_current(struct kms_keyring *kr, uint32_t *id,
			 uint8_t key[KMS_TPK_LEN])
{
	const struct kms_tpk *k;

	pthread_mutex_lock(&kr->mu);
	k = kms_tpk_set_current(kr->set);
	if (k) {
		*id = k->id;
		memcpy(key, k->key, KMS_TPK_LEN);
	}
	pthread_mutex_unlock(&kr->mu);
	return k != NULL;
}

bool kms_keyring_find(struct kms_keyring *kr, uint32_t id, int64_t now,
		      uint8_t key[KMS_TPK_LEN])
{
	const struct kms_tpk *k;

	pthread_mutex_lock(&kr->mu);
	k = kms_tpk_set_find(kr->set, id, now);
	if (k)
		memcpy(key, k->key, KMS_TPK_LEN);
	pthread_mutex_unlock(&kr->mu);
	return k != NULL;
}
