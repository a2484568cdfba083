/* test-bsf-table.c: the bounded expiring map behind Ub challenges and
 * bootstrapping sessions (bsf-stub/table.h). */
#include <string.h>

#include "bsf-stub/table.h"
#include "tk_test.h"

struct val { int n; char pad[60]; };

static void test_put_get_remove(void)
{
	struct bsf_table *t = bsf_table_new(10, sizeof(struct val));
	struct val v = { 7, "" }, out;

	CU_ASSERT_EQUAL(bsf_table_put(t, "a", 100, 200, &v), 0);
	CU_ASSERT_TRUE(bsf_table_get(t, "a", 150, &out, false));
	CU_ASSERT_EQUAL(out.n, 7);
	CU_ASSERT_FALSE(bsf_table_get(t, "b", 150, &out, false));
	CU_ASSERT_TRUE(bsf_table_get(t, "a", 150, &out, true));
	CU_ASSERT_FALSE(bsf_table_get(t, "a", 150, &out, true));
	CU_ASSERT_EQUAL(bsf_table_count(t), 0);
	bsf_table_free(t);
}

static void test_expiry(void)
{
	struct bsf_table *t = bsf_table_new(10, sizeof(struct val));
	struct val v = { 1, "" }, out;

	bsf_table_put(t, "a", 100, 110, &v);
	CU_ASSERT_TRUE(bsf_table_get(t, "a", 109, &out, false));
	CU_ASSERT_FALSE(bsf_table_get(t, "a", 110, &out, false));
	CU_ASSERT_EQUAL(bsf_table_count(t), 0);
	bsf_table_free(t);
}

static void test_eviction(void)
{
	struct bsf_table *t = bsf_table_new(3, sizeof(struct val));
	struct val v = { 0, "" }, out;
	char k[16];

	for (int i = 0; i < 3; i++) {
		snprintf(k, sizeof k, "k%d", i);
		v.n = i;
		CU_ASSERT_EQUAL(bsf_table_put(t, k, 100 + i, 200 + i, &v), 0);
	}
	/* Full: the oldest live entry goes. */
	CU_ASSERT_EQUAL(bsf_table_put(t, "k3", 103, 203, &v), 1);
	CU_ASSERT_FALSE(bsf_table_get(t, "k0", 104, &out, false));
	CU_ASSERT_TRUE(bsf_table_get(t, "k1", 104, &out, false));
	/* Expired entries go first, without counting as evictions. */
	CU_ASSERT_EQUAL(bsf_table_put(t, "k4", 202, 302, &v), 0);
	CU_ASSERT_EQUAL(bsf_table_count(t), 2);
	/* Replacing a key keeps one entry. */
	v.n = 42;
	CU_ASSERT_EQUAL(bsf_table_put(t, "k4", 202, 302, &v), 0);
	CU_ASSERT_TRUE(bsf_table_get(t, "k4", 203, &out, false));
	CU_ASSERT_EQUAL(out.n, 42);
	CU_ASSERT_EQUAL(bsf_table_count(t), 2);
	bsf_table_free(t);
}

static void test_many_and_long_keys(void)
{
	struct bsf_table *t = bsf_table_new(5000, sizeof(struct val));
	struct val v = { 0, "" }, out;
	char k[600];

	for (int i = 0; i < 20000; i++) {
		snprintf(k, sizeof k, "key-%d@bsf", i);
		v.n = i;
		bsf_table_put(t, k, 1, 100, &v);
	}
	CU_ASSERT_EQUAL(bsf_table_count(t), 5000);
	CU_ASSERT_TRUE(bsf_table_get(t, "key-19999@bsf", 2, &out, false));
	CU_ASSERT_EQUAL(out.n, 19999);
	CU_ASSERT_FALSE(bsf_table_get(t, "key-14999@bsf", 2, &out, false));
	memset(k, 'a', sizeof k - 1);
	k[sizeof k - 1] = 0;
	CU_ASSERT_EQUAL(bsf_table_put(t, k, 1, 100, &v), -1);
	CU_ASSERT_FALSE(bsf_table_get(t, k, 2, &out, false));
	bsf_table_free(t);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_put_get_remove),
		TK_TEST(test_expiry),
		TK_TEST(test_eviction),
		TK_TEST(test_many_and_long_keys),
		{ NULL, NULL },
	};

	return tk_test_run("bsf-table", tests);
}
