/*
 * test-bench-hist.c: the latency histogram of tkms-bench (bench-hist.h):
 * exact below 64 us, within 1/32 above, quantiles never above the maximum,
 * merging equals adding to one histogram.
 */
#include "tk_test.h"

#include <string.h>

#include "tools/bench-hist.h"

static struct bench_hist h1, h2;

static void test_exact_small(void)
{
	uint64_t v;

	memset(&h1, 0, sizeof h1);
	for (v = 1; v <= 50; v++)
		bench_hist_add(&h1, v);
	CU_ASSERT_EQUAL(h1.n, 50);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h1, 0.5), 25);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h1, 0.99), 50);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h1, 0.0), 1);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h1, 1.0), 50);
	CU_ASSERT_EQUAL(h1.max_us, 50);
	CU_ASSERT_EQUAL(h1.sum_us, 50 * 51 / 2);
}

static void test_relative_error(void)
{
	uint64_t v;

	for (v = 64; v < 100000000; v = v * 17 / 16 + 1) {
		uint64_t q;

		memset(&h1, 0, sizeof h1);
		bench_hist_add(&h1, v);
		bench_hist_add(&h1, 200000000); /* a larger max so the cap does not hide the bucket */
		q = bench_hist_quantile(&h1, 0.5);
		CU_ASSERT(q >= v);
		CU_ASSERT(q - v <= v / 32);
	}
}

static void test_quantiles_and_merge(void)
{
	uint64_t i;

	memset(&h1, 0, sizeof h1);
	memset(&h2, 0, sizeof h2);
	for (i = 0; i < 1000; i++)
		bench_hist_add(i % 2 ? &h1 : &h2, 1000 + i);
	bench_hist_merge(&h1, &h2);
	CU_ASSERT_EQUAL(h1.n, 1000);
	CU_ASSERT_EQUAL(h1.max_us, 1999);
	/* the 500th of 1000..1999 is 1499; the 999th 1998; bucket width 32 here */
	CU_ASSERT(bench_hist_quantile(&h1, 0.5) >= 1499 && bench_hist_quantile(&h1, 0.5) < 1499 + 32);
	CU_ASSERT(bench_hist_quantile(&h1, 0.999) >= 1998);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h1, 1.0), 1999);
	memset(&h2, 0, sizeof h2);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h2, 0.5), 0);
}

static void test_huge(void)
{
	memset(&h1, 0, sizeof h1);
	bench_hist_add(&h1, UINT64_MAX);
	bench_hist_add(&h1, 1);
	CU_ASSERT_EQUAL(h1.n, 2);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h1, 1.0), UINT64_MAX);
	CU_ASSERT_EQUAL(bench_hist_quantile(&h1, 0.5), 1);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_exact_small),
		TK_TEST(test_relative_error),
		TK_TEST(test_quantiles_and_merge),
		TK_TEST(test_huge),
		{ NULL, NULL },
	};
	return tk_test_run("bench-hist", tests);
}
