/*
 * test-keyring.c: the TPK key ring (src/kms/keyring.c, profile P-10):
 * creation with 0600, load, add/rotate/make current/retire, atomic save,
 * refusal of loose permissions and of each kind of malformed file with a
 * specific message, RFC 3339 parsing, the shared holder under concurrent
 * swaps, and that no key bytes ever appear in messages or listings.
 */
#include "kms/keyring.h"
#include "util/hexb64.h"
#include "tk_test.h"

#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOW 1800000000LL	/* 2027-01-15 */

static char dir[256];

static const char *tpath(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static mode_t file_mode(const char *path)
{
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static int temp_files_left(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	return n;
}

static void test_create_load_save(void)
{
	const char *p = tpath("create.json");
	char err[256] = "", hex[65];
	struct kms_tpk_set *s, *t;
	const struct kms_tpk *k;
	bool created;
	static const uint8_t zero[KMS_TPK_LEN];
	FILE *f;
	char text[2048];
	size_t n;

	unlink(p);
	s = kms_tpk_set_load_or_create(p, NOW, &created, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_TRUE(created);
	CU_ASSERT_EQUAL(file_mode(p), 0600);
	CU_ASSERT_EQUAL(temp_files_left(), 0);
	CU_ASSERT_EQUAL(kms_tpk_set_count(s), 1);
	k = kms_tpk_set_current(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(k->id, 1);
	CU_ASSERT_EQUAL(k->created, NOW);
	CU_ASSERT_EQUAL(k->not_after, KMS_NO_EXPIRY);
	CU_ASSERT_NOT_EQUAL(memcmp(k->key, zero, KMS_TPK_LEN), 0);

	/* the file holds the key in hex and loads back to the same bytes */
	f = fopen(p, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(text, 1, sizeof text - 1, f);
	text[n] = 0;
	fclose(f);
	tk_hex_encode(k->key, KMS_TPK_LEN, hex);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, hex));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"created\": \"2027-01-15T08:00:00Z\""));

	t = kms_tpk_set_load_or_create(p, NOW + 5, &created, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_FALSE(created);
	CU_ASSERT_EQUAL(memcmp(kms_tpk_set_current(t)->key, k->key, KMS_TPK_LEN), 0);
	CU_ASSERT_EQUAL(kms_tpk_set_current(t)->created, NOW);
	kms_tpk_set_unref(t);

	/* two fresh key rings never share a key */
	t = kms_tpk_set_generate(NOW, err, sizeof err);
	CU_ASSERT_NOT_EQUAL(memcmp(kms_tpk_set_current(t)->key, k->key, KMS_TPK_LEN), 0);
	kms_tpk_set_unref(t);
	kms_tpk_set_unref(s);

	/* saving over a file that had loose permissions leaves 0600 */
	write_file(p, "{}", 0644);
	s = kms_tpk_set_generate(NOW, err, sizeof err);
	CU_ASSERT_EQUAL(kms_tpk_set_save(s, p, err, sizeof err), 0);
	CU_ASSERT_EQUAL(file_mode(p), 0600);
	CU_ASSERT_EQUAL(temp_files_left(), 0);
	kms_tpk_set_unref(s);

	/* a directory that does not exist: error, nothing left behind */
	s = kms_tpk_set_generate(NOW, err, sizeof err);
	CU_ASSERT_EQUAL(kms_tpk_set_save(s, tpath("nodir/x.json"), err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nodir/x.json"));
	kms_tpk_set_unref(s);
}

static void test_rotate_retire(void)
{
	const char *p = tpath("rotate.json");
	char err[256] = "";
	struct kms_tpk_set *s, *r, *t;
	uint32_t id = 0;
	size_t removed;
	bool cur_exp;
	struct kms_tpk_info info;
	uint8_t k1[KMS_TPK_LEN];

	s = kms_tpk_set_generate(NOW, err, sizeof err);
	memcpy(k1, kms_tpk_set_current(s)->key, KMS_TPK_LEN);

	/* rotation: new current key 2, key 1 keeps opening until NOW+100 */
	r = kms_tpk_set_rotate(s, NOW + 10, NOW + 100, &id, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(id, 2);
	CU_ASSERT_EQUAL(kms_tpk_set_current(r)->id, 2);
	CU_ASSERT_EQUAL(kms_tpk_set_current(s)->id, 1);	/* input unchanged */
	CU_ASSERT_EQUAL(kms_tpk_set_find(s, 1, NOW + 500)->not_after, KMS_NO_EXPIRY);
	CU_ASSERT_PTR_NOT_NULL(kms_tpk_set_find(r, 1, NOW + 99));
	CU_ASSERT_PTR_NULL(kms_tpk_set_find(r, 1, NOW + 100));
	CU_ASSERT_PTR_NULL(kms_tpk_set_find(r, 3, NOW));
	CU_ASSERT_NOT_EQUAL(memcmp(kms_tpk_set_current(r)->key, k1, KMS_TPK_LEN), 0);

	/* survives a save and a load */
	CU_ASSERT_EQUAL(kms_tpk_set_save(r, p, err, sizeof err), 0);
	kms_tpk_set_unref(r);
	r = kms_tpk_set_load(p, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(kms_tpk_set_count(r), 2);
	CU_ASSERT_TRUE(kms_tpk_set_info(r, 0, &info));
	CU_ASSERT_EQUAL(info.id, 1);
	CU_ASSERT_EQUAL(info.not_after, NOW + 100);
	CU_ASSERT_FALSE(info.current);
	CU_ASSERT_TRUE(kms_tpk_set_info(r, 1, &info));
	CU_ASSERT_EQUAL(info.id, 2);
	CU_ASSERT_EQUAL(info.created, NOW + 10);
	CU_ASSERT_TRUE(info.current);
	CU_ASSERT_FALSE(kms_tpk_set_info(r, 2, &info));
	CU_ASSERT_EQUAL(memcmp(kms_tpk_set_find(r, 1, NOW)->key, k1, KMS_TPK_LEN), 0);

	/* retire before and after key 1's not_after */
	t = kms_tpk_set_retire(r, NOW + 50, &removed, &cur_exp, err, sizeof err);
	CU_ASSERT_EQUAL(removed, 0);
	kms_tpk_set_unref(t);
	t = kms_tpk_set_retire(r, NOW + 100, &removed, &cur_exp, err, sizeof err);
	CU_ASSERT_EQUAL(removed, 1);
	CU_ASSERT_FALSE(cur_exp);
	CU_ASSERT_EQUAL(kms_tpk_set_count(t), 1);
	CU_ASSERT_EQUAL(kms_tpk_set_current(t)->id, 2);
	kms_tpk_set_unref(t);

	/* add (not current), make current, and the errors of both */
	t = kms_tpk_set_add(r, NOW, NOW + 1000, false, &id, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(id, 3);
	CU_ASSERT_EQUAL(kms_tpk_set_current(t)->id, 2);
	kms_tpk_set_unref(s);
	s = kms_tpk_set_make_current(t, 3, err, sizeof err);
	CU_ASSERT_EQUAL(kms_tpk_set_current(s)->id, 3);
	/* the current key is kept by retire even when expired, and reported */
	kms_tpk_set_unref(r);
	r = kms_tpk_set_retire(s, NOW + 2000, &removed, &cur_exp, err, sizeof err);
	CU_ASSERT_TRUE(cur_exp);
	CU_ASSERT_EQUAL(removed, 1);	/* key 1; key 2 has no expiry */
	CU_ASSERT_EQUAL(kms_tpk_set_count(r), 2);
	CU_ASSERT_PTR_NOT_NULL(kms_tpk_set_current(r));
	kms_tpk_set_unref(r);
	kms_tpk_set_unref(s);
	CU_ASSERT_PTR_NULL(kms_tpk_set_make_current(t, 9, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no key with id 9"));
	CU_ASSERT_PTR_NULL(kms_tpk_set_add(t, NOW, NOW, true, &id, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not in the future"));
	kms_tpk_set_unref(t);
}

/* A key that stops being current is capped (never extended); a forced
 * retire removes one non-current key and wipes nothing else. */
static void test_cap_remove(void)
{
	char err[256] = "";
	struct kms_tpk_set *s, *a, *c, *d, *r;
	uint32_t id = 0;

	s = kms_tpk_set_generate(NOW, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	a = kms_tpk_set_add(s, NOW, KMS_NO_EXPIRY, true, &id, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	c = kms_tpk_set_cap(a, 1, NOW + 100, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(kms_tpk_set_find(c, 1, NOW)->not_after, NOW + 100);
	CU_ASSERT_EQUAL(kms_tpk_set_find(a, 1, NOW)->not_after, KMS_NO_EXPIRY); /* input kept */
	d = kms_tpk_set_cap(c, 1, NOW + 500, err, sizeof err);	/* later: no change */
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(kms_tpk_set_find(d, 1, NOW)->not_after, NOW + 100);
	kms_tpk_set_unref(d);
	CU_ASSERT_PTR_NULL(kms_tpk_set_cap(c, 9, NOW, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no key with id 9"));

	CU_ASSERT_PTR_NULL(kms_tpk_set_remove(c, 2, err, sizeof err));	/* current */
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "current"));
	CU_ASSERT_PTR_NULL(kms_tpk_set_remove(c, 7, err, sizeof err));
	r = kms_tpk_set_remove(c, 1, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(kms_tpk_set_count(r), 1);
	CU_ASSERT_PTR_NULL(kms_tpk_set_find(r, 1, NOW));
	CU_ASSERT_EQUAL(kms_tpk_set_current(r)->id, 2);
	CU_ASSERT_EQUAL(memcmp(kms_tpk_set_current(r)->key, kms_tpk_set_current(c)->key,
			       KMS_TPK_LEN), 0);
	kms_tpk_set_unref(r);
	kms_tpk_set_unref(c);
	kms_tpk_set_unref(a);
	kms_tpk_set_unref(s);
}

static void test_loose_permissions_refused(void)
{
	const char *p = tpath("perm.json");
	char err[256] = "";
	struct kms_tpk_set *s = kms_tpk_set_generate(NOW, err, sizeof err);

	CU_ASSERT_EQUAL(kms_tpk_set_save(s, p, err, sizeof err), 0);
	kms_tpk_set_unref(s);
	chmod(p, 0640);
	CU_ASSERT_PTR_NULL(kms_tpk_set_load(p, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "permissions 0640 are too open"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, p));
	chmod(p, 0604);
	CU_ASSERT_PTR_NULL(kms_tpk_set_load(p, err, sizeof err));
	chmod(p, 0400);
	s = kms_tpk_set_load(p, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL(s);
	kms_tpk_set_unref(s);
	/* not a regular file; missing file */
	CU_ASSERT_PTR_NULL(kms_tpk_set_load(dir, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
	CU_ASSERT_PTR_NULL(kms_tpk_set_load(tpath("missing.json"), err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
}

#define K64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define GOOD(extra) "{\"id\": 1, \"key\": \"" K64 "\", \"created\": \"2026-01-01T00:00:00Z\"" extra "}"

static void test_malformed_files_refused(void)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "not json", "JSON error" },
		{ "[1]", "top level must be a JSON object" },
		{ "{\"current\": 1}", "\"keys\" must be a non-empty array" },
		{ "{\"current\": 1, \"keys\": []}", "\"keys\" must be a non-empty array" },
		{ "{\"current\": 1, \"keys\": {}}", "\"keys\" must be a non-empty array" },
		{ "{\"keys\": [" GOOD("") "]}", "\"current\" must be a key id" },
		{ "{\"current\": \"1\", \"keys\": [" GOOD("") "]}", "\"current\" must be a key id" },
		{ "{\"current\": 2, \"keys\": [" GOOD("") "]}",
		  "\"current\" names key id 2, which is not in \"keys\"" },
		{ "{\"current\": 1, \"keys\": [" GOOD("") "], \"extra\": 0}",
		  "unknown member \"extra\"" },
		{ "{\"current\": 1, \"current\": 1, \"keys\": [" GOOD("") "]}", "duplicate" },
		{ "{\"current\": 1, \"keys\": [7]}", "keys[0] must be an object" },
		{ "{\"current\": 1, \"keys\": [{\"id\": -1}]}", "keys[0]: \"id\" must be an integer" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 4294967296}]}", "keys[0]: \"id\" must be an integer" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 1.5}]}", "keys[0]: \"id\" must be an integer" },
		{ "{\"current\": 1, \"keys\": [" GOOD("") ", " GOOD("") "]}",
		  "keys[1]: id 1 appears twice" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 1, \"key\": \"0011\", "
		  "\"created\": \"2026-01-01T00:00:00Z\"}]}",
		  "keys[0] (id 1): \"key\" must be 64 hex digits" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 1, \"key\": \"" K64 "00\", "
		  "\"created\": \"2026-01-01T00:00:00Z\"}]}",
		  "keys[0] (id 1): \"key\" must be 64 hex digits" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 1, \"key\": "
		  "\"zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\", "
		  "\"created\": \"2026-01-01T00:00:00Z\"}]}",
		  "keys[0] (id 1): \"key\" must be 64 hex digits" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 1, \"created\": \"2026-01-01T00:00:00Z\"}]}",
		  "keys[0] (id 1): \"key\" must be 64 hex digits" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 1, \"key\": \"" K64 "\"}]}",
		  "keys[0] (id 1): \"created\" must be an RFC 3339 time" },
		{ "{\"current\": 1, \"keys\": [{\"id\": 1, \"key\": \"" K64 "\", "
		  "\"created\": \"yesterday\"}]}",
		  "keys[0] (id 1): \"created\" must be an RFC 3339 time" },
		{ "{\"current\": 1, \"keys\": [" GOOD(", \"not_after\": \"2026-02-30T00:00:00Z\"") "]}",
		  "keys[0] (id 1): \"not_after\" must be an RFC 3339 time" },
		{ "{\"current\": 1, \"keys\": [" GOOD(", \"not_after\": 5") "]}",
		  "keys[0] (id 1): \"not_after\" must be an RFC 3339 time" },
		{ "{\"current\": 1, \"keys\": [" GOOD(", \"not_after\": \"2025-12-31T23:59:59Z\"") "]}",
		  "keys[0] (id 1): \"not_after\" is not after \"created\"" },
		{ "{\"current\": 1, \"keys\": [" GOOD(", \"not-after\": \"2030-01-01T00:00:00Z\"") "]}",
		  "keys[0]: unknown member \"not-after\"" },
	};
	const char *p = tpath("bad.json");
	char err[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct kms_tpk_set *s;

		write_file(p, cases[i].text, 0600);
		err[0] = 0;
		s = kms_tpk_set_load(p, err, sizeof err);
		CU_ASSERT_PTR_NULL(s);
		kms_tpk_set_unref(s);
		if (!strstr(err, cases[i].msg))
			fprintf(stderr, "\ncase %zu: got \"%s\", want \"%s\"\n", i, err,
				cases[i].msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, cases[i].msg));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, p));		/* names the file */
		CU_ASSERT_PTR_NULL(strstr(err, "00112233445566778899aabbccddeeff"));
	}
	/* the good record itself loads, with and without not_after */
	write_file(p, "{\"current\": 1, \"keys\": [" GOOD(", \"not_after\": \"2030-01-01T00:00:00+02:00\"") "]}",
		   0600);
	{
		struct kms_tpk_set *s = kms_tpk_set_load(p, err, sizeof err);

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(kms_tpk_set_current(s)->not_after, 1893448800LL);
		CU_ASSERT_EQUAL(kms_tpk_set_current(s)->key[1], 0x11);
		kms_tpk_set_unref(s);
	}
}

static void test_list_shows_no_key(void)
{
	char err[256], hex[65], *text = NULL;
	size_t len = 0;
	uint32_t id;
	struct kms_tpk_set *s = kms_tpk_set_generate(NOW, err, sizeof err);
	struct kms_tpk_set *r = kms_tpk_set_rotate(s, NOW, NOW + 3600, &id, err, sizeof err);
	FILE *f = open_memstream(&text, &len);

	kms_tpk_set_list(r, f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "1\tcreated 2027-01-15T08:00:00Z\tnot_after 2027-01-15T09:00:00Z\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "2\tcreated 2027-01-15T08:00:00Z\tnot_after -\tcurrent\n"));
	/* not even the first four octets of either key */
	for (uint32_t i = 1; i <= 2; i++) {
		tk_hex_encode(kms_tpk_set_find(r, i, NOW)->key, 4, hex);
		CU_ASSERT_PTR_NULL(strstr(text, hex));
	}
	free(text);
	kms_tpk_set_unref(r);
	kms_tpk_set_unref(s);
}

/* ---- the shared holder ---- */

struct swap_ctx {
	struct kms_keyring *kr;
	atomic_int stop;
	atomic_long reads;
	atomic_int bad;
};

static void *reader(void *arg)
{
	struct swap_ctx *c = arg;
	uint8_t key[KMS_TPK_LEN];
	uint32_t id;

	while (!atomic_load(&c->stop)) {
		struct kms_tpk_set *s;

		if (!kms_keyring_current(c->kr, &id, key) ||
		    !kms_keyring_find(c->kr, id, NOW, key))
			atomic_fetch_add(&c->bad, 1);
		/* a held set stays readable across swaps */
		s = kms_keyring_get(c->kr);
		if (kms_tpk_set_current(s)->id != kms_tpk_set_count(s))
			atomic_fetch_add(&c->bad, 1);
		kms_tpk_set_unref(s);
		atomic_fetch_add(&c->reads, 1);
	}
	return NULL;
}

static void test_holder_swap_concurrent(void)
{
	char err[256];
	struct swap_ctx c = { 0 };
	pthread_t th[3];
	struct kms_tpk_set *s = kms_tpk_set_generate(NOW, err, sizeof err), *held;
	uint8_t key[KMS_TPK_LEN], k1[KMS_TPK_LEN];
	uint32_t id = 0;

	memcpy(k1, kms_tpk_set_current(s)->key, KMS_TPK_LEN);
	c.kr = kms_keyring_new(kms_tpk_set_ref(s));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.kr);
	CU_ASSERT_TRUE(kms_keyring_current(c.kr, &id, key));
	CU_ASSERT_EQUAL(id, 1);
	CU_ASSERT_EQUAL(memcmp(key, k1, KMS_TPK_LEN), 0);
	CU_ASSERT_FALSE(kms_keyring_find(c.kr, 2, NOW, key));
	held = kms_keyring_get(c.kr);

	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, reader, &c);
	/* let the readers start before swapping, or all swaps may finish first */
	while (atomic_load(&c.reads) == 0)
		sched_yield();
	/* each swap adds one key and makes it current (so id == count) */
	for (int i = 0; i < 300; i++) {
		struct kms_tpk_set *n = kms_tpk_set_add(s, NOW, KMS_NO_EXPIRY, true,
							&id, err, sizeof err);

		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		kms_keyring_swap(c.kr, kms_tpk_set_ref(n));
		kms_tpk_set_unref(s);
		s = n;
	}
	atomic_store(&c.stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(atomic_load(&c.bad), 0);
	CU_ASSERT(atomic_load(&c.reads) > 0);
	CU_ASSERT_TRUE(kms_keyring_current(c.kr, &id, key));
	CU_ASSERT_EQUAL(id, 301);
	CU_ASSERT_TRUE(kms_keyring_find(c.kr, 1, NOW, key));
	CU_ASSERT_EQUAL(memcmp(key, k1, KMS_TPK_LEN), 0);
	/* the set taken before all the swaps is still the old one */
	CU_ASSERT_EQUAL(kms_tpk_set_count(held), 1);
	CU_ASSERT_EQUAL(memcmp(kms_tpk_set_current(held)->key, k1, KMS_TPK_LEN), 0);
	kms_tpk_set_unref(held);
	kms_tpk_set_unref(s);
	kms_keyring_free(c.kr);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_create_load_save),
		TK_TEST(test_rotate_retire),
		TK_TEST(test_cap_remove),
		TK_TEST(test_loose_permissions_refused),
		TK_TEST(test_malformed_files_refused),
		TK_TEST(test_list_shows_no_key),
		TK_TEST(test_holder_swap_concurrent),
		{ NULL, NULL },
	};
	char cmd[300];
	int rc;

	umask(022);	/* the 0600 checks must not depend on the caller's umask */
	snprintf(dir, sizeof dir, "%s/tk-keyring-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	rc = tk_test_run("keyring", tests);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
