/*
 * store.c: subscriber list, SQN bookkeeping and authentication vectors of
 * bsf-stub (profile P-18; gba.md 2.1, 2.2, 5.3; SQN scheme in store.h).
 */
#include "bsf-stub/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "util/fileio.h"
#include "util/hexb64.h"
#include "util/json.h"
#include "util/secret.h"

#define SQN_FILE "sqn.json"

static const char demo_json[] =
	"{\"subscribers\": [\n"
#define DEMO(name, idx, last)                                                           \
	"  {\"impi\": \"" name "@home1.net\", \"k\": \"465b5ce8b199b49faa5f0a2ee238a6" idx \
	"\", \"opc\": \"cd63cb71954a9f4e48a5994e37a02baf\", \"amf\": \"8000\","             \
	" \"sqn\": \"000000000020\",\n   \"guss\": {\"uiccType\": \"GBA\", \"lifeTime\": 3600,"  \
	" \"uss\": [{\"id\": \"1\", \"type\": 0, \"gsid\": \"0\", \"nafGroup\": null,"       \
	" \"uids\": [\"sip:" name "@home1.net\"], \"flags\": []}]}}" last "\n"
	DEMO("alice", "01", ",")
	DEMO("bob", "02", ",")
	DEMO("carol", "03", ",")
	DEMO("dave", "04", ",")
	DEMO("eve", "05", "")
#undef DEMO
	"]}\n";

const char *bsf_store_demo_json(void) { return demo_json; }

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void bsf_store_init(struct bsf_store *st)
{
	memset(st, 0, sizeof *st);
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->wlock, NULL);
}

void bsf_store_free(struct bsf_store *st)
{
	for (size_t i = 0; i < st->n; i++) {
		struct bsf_sub *s = &st->subs[i];

		tk_wipe(s->k, sizeof s->k);
		tk_wipe(s->opc, sizeof s->opc);
		free(s->impi);
		free(s->guss_xml);
		bsf_guss_free(&s->guss);
	}
	free(st->subs);
	free(st->state_dir);
	pthread_mutex_destroy(&st->lock);
	pthread_mutex_destroy(&st->wlock);
	memset(st, 0, sizeof *st);
}

/* ---- loading ---------------------------------------------------------- */

/* An identity as it appears in Digest usernames, URIs and XML: printable
 * ASCII without space, quote or backslash, 1..255 octets. */
static bool ident_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f || *s == '"' || *s == '\\')
			return false;
	return true;
}

static int hex_field(const json_t *o, const char *key, uint8_t *out, size_t n, bool required,
		     const char *at, char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, key);

	if (!v) {
		if (required)
			return fail(err, errlen, "%s: \"%s\" is missing", at, key);
		return 1;
	}
	if (!json_is_string(v) || json_string_length(v) != 2 * n ||
	    tk_hex_decode(json_string_value(v), out, n) != (long)n)
		return fail(err, errlen, "%s.%s: must be a string of %zu hex digits", at, key, 2 * n);
	return 0;
}

static int check_keys(const json_t *o, const char *const *allowed, const char *at, char *err,
		      size_t errlen)
{
	const char *key = tk_json_unknown_key(o, allowed);

	return key ? fail(err, errlen, "%s: unknown key \"%s\"", at, key) : 0;
}

static int load_uss(const json_t *u, struct bsf_uss *uss, const char *at, char *err,
		    size_t errlen)
{
	static const char *const keys[] = { "id", "type", "gsid", "nafGroup", "uids", "flags", NULL };
	const json_t *v;
	size_t i;

	if (!json_is_object(u))
		return fail(err, errlen, "%s: must be an object", at);
	if (check_keys(u, keys, at, err, errlen))
		return -1;
	v = json_object_get(u, "id");
	if (!json_is_string(v) || !json_string_length(v) || !ident_ok(json_string_value(v)))
		return fail(err, errlen, "%s.id: must be a non-empty string without spaces", at);
	uss->id = strdup(json_string_value(v));
	v = json_object_get(u, "type");
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 999999)
		return fail(err, errlen, "%s.type: must be a GAA service type code (integer 0..999999)", at);
	uss->type = (unsigned long)json_integer_value(v);
	snprintf(uss->gsid, sizeof uss->gsid, "%lu", uss->type);
	v = json_object_get(u, "gsid");
	if (v && (!json_is_string(v) || strcmp(json_string_value(v), uss->gsid) != 0))
		return fail(err, errlen, "%s.gsid: must be the string \"%s\" (a 3GPP GSID is the GAA "
			    "service type code)", at, uss->gsid);
	v = json_object_get(u, "nafGroup");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || !json_string_length(v) || !ident_ok(json_string_value(v)))
			return fail(err, errlen, "%s.nafGroup: must be null or a non-empty string", at);
		uss->naf_group = strdup(json_string_value(v));
	}
	v = json_object_get(u, "uids");
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 64)
		return fail(err, errlen, "%s.uids: must be an array of 1..64 public identities", at);
	uss->uids = calloc(json_array_size(v), sizeof *uss->uids);
	for (i = 0; uss->uids && i < json_array_size(v); i++) {
		const json_t *id = json_array_get(v, i);

		if (!json_is_string(id) || !ident_ok(json_string_value(id)) ||
		    !strchr(json_string_value(id), ':'))
			return fail(err, errlen, "%s.uids[%zu]: must be a URI (sip:, tel:, ...)", at, i);
		uss->uids[uss->n_uids++] = strdup(json_string_value(id));
	}
	v = json_object_get(u, "flags");
	if (v) {
		if (!json_is_array(v) || json_array_size(v) > 64)
			return fail(err, errlen, "%s.flags: must be an array of at most 64 integers", at);
		uss->flags = calloc(json_array_size(v) + 1, sizeof *uss->flags);
		for (i = 0; uss->flags && i < json_array_size(v); i++) {
			const json_t *f = json_array_get(v, i);

			if (!json_is_integer(f) || json_integer_value(f) < 0)
				return fail(err, errlen, "%s.flags[%zu]: must be a non-negative integer", at, i);
			uss->flags[uss->n_flags++] = (unsigned long)json_integer_value(f);
		}
	}
	return 0;
}

static int load_guss(const json_t *gj, struct bsf_sub *s, const char *at, char *err,
		     size_t errlen)
{
	static const char *const keys[] = { "uiccType", "lifeTime", "uss", NULL };
	struct bsf_guss *g = &s->guss;
	const json_t *v;
	char path[160];

	if (!json_is_object(gj))
		return fail(err, errlen, "%s.guss: must be an object", at);
	snprintf(path, sizeof path, "%s.guss", at);
	if (check_keys(gj, keys, path, err, errlen))
		return -1;
	g->id = strdup(s->impi);
	v = json_object_get(gj, "uiccType");
	if (v && !(json_is_string(v) && (strcmp(json_string_value(v), "GBA") == 0 ||
					 strcmp(json_string_value(v), "GBA_U") == 0)))
		return fail(err, errlen, "%s.uiccType: must be \"GBA\" or \"GBA_U\"", path);
	g->gba_u = v && strcmp(json_string_value(v), "GBA_U") == 0;
	v = json_object_get(gj, "lifeTime");
	g->lifetime = -1;
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 10L * 365 * 86400)
			return fail(err, errlen, "%s.lifeTime: must be an integer number of seconds", path);
		g->lifetime = (long)json_integer_value(v);
	}
	v = json_object_get(gj, "uss");
	if (!json_is_array(v) || json_array_size(v) > 256)
		return fail(err, errlen, "%s.uss: must be an array of at most 256 USSs", path);
	g->uss = calloc(json_array_size(v) + 1, sizeof *g->uss);
	if (!g->uss)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < json_array_size(v); i++) {
		char upath[200];

		snprintf(upath, sizeof upath, "%s.uss[%zu]", path, i);
		g->n_uss++;
		if (load_uss(json_array_get(v, i), &g->uss[i], upath, err, errlen))
			return -1;
	}
	return 0;
}

static int load_one(const json_t *o, struct bsf_sub *s, const char *at, char *err, size_t errlen)
{
	static const char *const keys[] = { "impi", "k", "opc", "op", "amf", "sqn", "guss",
					    "guss_xml", NULL };
	const json_t *v;
	uint8_t op[TK_MIL_OP_LEN], sqn[TK_MIL_SQN_LEN];
	int r;
	char x[512];
	size_t xl;

	if (!json_is_object(o))
		return fail(err, errlen, "%s: must be an object", at);
	if (check_keys(o, keys, at, err, errlen))
		return -1;
	v = json_object_get(o, "impi");
	if (!json_is_string(v) || !ident_ok(json_string_value(v)) || !strchr(json_string_value(v), '@'))
		return fail(err, errlen, "%s.impi: must be a NAI (user@realm) without spaces or quotes", at);
	s->impi = strdup(json_string_value(v));
	if (hex_field(o, "k", s->k, sizeof s->k, true, at, err, errlen) != 0)
		return -1;
	if (json_object_get(o, "opc") && json_object_get(o, "op"))
		return fail(err, errlen, "%s: give either \"opc\" or \"op\", not both", at);
	r = hex_field(o, "opc", s->opc, sizeof s->opc, false, at, err, errlen);
	if (r < 0)
		return -1;
	if (r == 1) {
		r = hex_field(o, "op", op, sizeof op, false, at, err, errlen);
		if (r < 0)
			return -1;
		if (r == 1)
			return fail(err, errlen, "%s: \"opc\" or \"op\" is missing", at);
		tk_mil_opc(s->k, op, s->opc);
		tk_wipe(op, sizeof op);
	}
	s->amf[0] = 0x80;
	s->amf[1] = 0x00;
	if (hex_field(o, "amf", s->amf, sizeof s->amf, false, at, err, errlen) < 0)
		return -1;
	memset(sqn, 0, sizeof sqn);
	if (hex_field(o, "sqn", sqn, sizeof sqn, false, at, err, errlen) < 0)
		return -1;
	s->sqn = tk_mil_sqn_get(sqn);
	if (json_object_get(o, "guss") && json_object_get(o, "guss_xml"))
		return fail(err, errlen, "%s: give either \"guss\" or \"guss_xml\", not both", at);
	if ((v = json_object_get(o, "guss"))) {
		if (load_guss(v, s, at, err, errlen))
			return -1;
		if (bsf_guss_render(&s->guss, &s->guss_xml, &xl, x, sizeof x))
			return fail(err, errlen, "%s.guss: rendered GUSS does not validate: %s", at, x);
	} else if ((v = json_object_get(o, "guss_xml"))) {
		if (!json_is_string(v))
			return fail(err, errlen, "%s.guss_xml: must be a string", at);
		if (bsf_guss_parse(json_string_value(v), json_string_length(v), &s->guss, x, sizeof x))
			return fail(err, errlen, "%s.guss_xml: %s", at, x);
		if (strcmp(s->guss.id, s->impi) != 0)
			return fail(err, errlen, "%s.guss_xml: guss id \"%s\" is not the IMPI", at,
				    s->guss.id);
		if (bsf_guss_render(&s->guss, &s->guss_xml, &xl, x, sizeof x))
			return fail(err, errlen, "%s.guss_xml: %s", at, x);
	}
	return 0;
}

static int cmp_sub(const void *a, const void *b)
{
	return strcmp(((const struct bsf_sub *)a)->impi, ((const struct bsf_sub *)b)->impi);
}

int bsf_store_load(struct bsf_store *st, const json_t *list, const char *where, char *err,
		   size_t errlen)
{
	size_t n;

	if (st->subs)
		return fail(err, errlen, "%s: subscribers already loaded", where);
	if (!json_is_array(list))
		return fail(err, errlen, "%s: subscribers: must be an array", where);
	n = json_array_size(list);
	if (n == 0)
		return fail(err, errlen, "%s: subscribers: the list is empty", where);
	st->subs = calloc(n, sizeof *st->subs);
	if (!st->subs)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		char at[64];
		char e[400];

		snprintf(at, sizeof at, "subscribers[%zu]", i);
		st->n++;
		st->subs[i].guss.lifetime = -1;
		if (load_one(json_array_get(list, i), &st->subs[i], at, e, sizeof e))
			return fail(err, errlen, "%s: %s", where, e);
	}
	qsort(st->subs, n, sizeof *st->subs, cmp_sub);
	for (size_t i = 1; i < n; i++)
		if (strcmp(st->subs[i - 1].impi, st->subs[i].impi) == 0)
			return fail(err, errlen, "%s: subscribers: IMPI \"%s\" appears twice", where,
				    st->subs[i].impi);
	return 0;
}

int bsf_store_load_file(struct bsf_store *st, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc, *list;
	int rc;

	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return fail(err, errlen, "%s: line %d: %s", path, je.line, je.text);
	list = json_is_object(doc) ? json_object_get(doc, "subscribers") : NULL;
	if (!list) {
		json_decref(doc);
		return fail(err, errlen, "%s: must be an object with a \"subscribers\" array", path);
	}
	if (json_object_size(doc) != 1) {
		json_decref(doc);
		return fail(err, errlen, "%s: only the key \"subscribers\" is allowed at the top", path);
	}
	rc = bsf_store_load(st, list, path, err, errlen);
	json_decref(doc);
	return rc;
}

struct bsf_sub *bsf_store_find(const struct bsf_store *st, const char *impi)
{
	struct bsf_sub key = { .impi = (char *)impi };

	if (!impi || !st->n)
		return NULL;
	return bsearch(&key, st->subs, st->n, sizeof *st->subs, cmp_sub);
}

/* ---- SQN state ---------------------------------------------------------- */

static char *state_path(const struct bsf_store *st, const char *name)
{
	size_t n = strlen(st->state_dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", st->state_dir, name);
	return p;
}

int bsf_store_open_state(struct bsf_store *st, const char *state_dir, char *err, size_t errlen)
{
	struct stat sb;
	json_error_t je;
	json_t *doc, *map, *v;
	const char *impi;
	char *path;

	if (mkdir(state_dir, 0700) != 0 && errno != EEXIST)
		return fail(err, errlen, "%s: cannot create state directory: %s", state_dir,
			    strerror(errno));
	if (stat(state_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return fail(err, errlen, "%s: not a directory", state_dir);
	free(st->state_dir);
	st->state_dir = strdup(state_dir);
	path = state_path(st, SQN_FILE);
	if (!st->state_dir || !path) {
		free(path);
		return fail(err, errlen, "out of memory");
	}
	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		fail(err, errlen, "%s: line %d: %s (refusing to reset SQNs)", path, je.line, je.text);
		free(path);
		return -1;
	}
	map = json_object_get(doc, "sqn");
	if (!json_is_object(map) || !json_is_integer(json_object_get(doc, "version")) ||
	    json_integer_value(json_object_get(doc, "version")) != 1) {
		fail(err, errlen, "%s: expected {\"version\": 1, \"sqn\": {IMPI: hex}}", path);
		goto bad;
	}
	json_object_foreach(map, impi, v) {
		struct bsf_sub *s = bsf_store_find(st, impi);
		uint8_t sqn[TK_MIL_SQN_LEN];

		if (!json_is_string(v) || json_string_length(v) != 12 ||
		    tk_hex_decode(json_string_value(v), sqn, sizeof sqn) != 6) {
			fail(err, errlen, "%s: sqn.%s: must be 12 hex digits", path, impi);
			goto bad;
		}
		if (s) {
			s->sqn = tk_mil_sqn_get(sqn);
			s->sqn_saved = true;
		}
	}
	json_decref(doc);
	free(path);
	return 0;
bad:
	json_decref(doc);
	free(path);
	return -1;
}

/* A reader sees the old or the new file, never a mix, and the new one
 * survives a crash once we return. */
static int write_state(const struct bsf_store *st, const char *text, char *err, size_t errlen)
{
	char *path = state_path(st, SQN_FILE);
	int rc = path ? tk_file_write_atomic(path, text, strlen(text), 0600, err, errlen)
		      : fail(err, errlen, "out of memory");

	free(path);
	return rc;
}

/* Make sure every SQN change up to generation `mine` is on disk. */
static int persist(struct bsf_store *st, uint64_t mine, char *err, size_t errlen)
{
	json_t *doc, *map;
	uint64_t g;
	char *text;
	int rc;

	if (!st->state_dir)
		return 0;
	pthread_mutex_lock(&st->wlock);
	pthread_mutex_lock(&st->lock);
	if (st->saved_gen >= mine) {
		pthread_mutex_unlock(&st->lock);
		pthread_mutex_unlock(&st->wlock);
		return 0;
	}
	doc = json_object();
	map = json_object();
	json_object_set_new(doc, "version", json_integer(1));
	for (size_t i = 0; i < st->n; i++) {
		char hex[13];
		uint8_t b[TK_MIL_SQN_LEN];

		if (!st->subs[i].sqn_saved)
			continue;
		tk_mil_sqn_put(st->subs[i].sqn, b);
		tk_hex_encode(b, sizeof b, hex);
		json_object_set_new(map, st->subs[i].impi, json_string(hex));
	}
	g = st->gen;
	pthread_mutex_unlock(&st->lock);
	json_object_set_new(doc, "sqn", map);
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(doc);
	rc = text ? write_state(st, text, err, errlen) : fail(err, errlen, "out of memory");
	free(text);
	if (rc == 0) {
		pthread_mutex_lock(&st->lock);
		if (g > st->saved_gen)
			st->saved_gen = g;
		pthread_mutex_unlock(&st->lock);
	}
	pthread_mutex_unlock(&st->wlock);
	return rc;
}

int bsf_store_make_av(struct bsf_store *st, struct bsf_sub *sub, struct tk_mil_av *av,
		      char *err, size_t errlen)
{
	uint8_t rand[TK_MIL_RAND_LEN], sqn[TK_MIL_SQN_LEN];
	uint64_t mine;

	pthread_mutex_lock(&st->lock);
	if (sub->sqn > BSF_SQN_MAX - BSF_SQN_STEP) {
		pthread_mutex_unlock(&st->lock);
		return fail(err, errlen, "SQN space of %s exhausted", sub->impi);
	}
	sub->sqn += BSF_SQN_STEP;
	sub->sqn_saved = true;
	tk_mil_sqn_put(sub->sqn, sqn);
	mine = ++st->gen;
	pthread_mutex_unlock(&st->lock);
	if (persist(st, mine, err, errlen) != 0)
		return -1;
	if (gnutls_rnd(GNUTLS_RND_RANDOM, rand, sizeof rand) != 0)
		return fail(err, errlen, "random number generator failed");
	tk_mil_generate(sub->k, sub->opc, sqn, sub->amf, rand, av);
	return 0;
}

int bsf_store_resync(struct bsf_store *st, struct bsf_sub *sub,
		     const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t auts[TK_MIL_AUTS_LEN],
		     char *err, size_t errlen)
{
	uint8_t sqn_ms[TK_MIL_SQN_LEN];
	uint64_t mine;

	if (tk_mil_auts_verify(sub->k, sub->opc, rand, auts, sqn_ms) != TK_MIL_OK)
		return fail(err, errlen, "AUTS of %s: MAC-S does not verify", sub->impi);
	pthread_mutex_lock(&st->lock);
	sub->sqn = tk_mil_sqn_get(sqn_ms);
	sub->sqn_saved = true;
	mine = ++st->gen;
	pthread_mutex_unlock(&st->lock);
	return persist(st, mine, err, errlen);
}

uint64_t bsf_store_sqn(struct bsf_store *st, struct bsf_sub *sub)
{
	uint64_t v;

	pthread_mutex_lock(&st->lock);
	v = sub->sqn;
	pthread_mutex_unlock(&st->lock);
	return v;
}
