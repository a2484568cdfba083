/*
 * tk_test.h: tiny glue for CUnit suites. Each test program lists its tests in
 * a table and calls tk_test_run(); the exit status is non-zero on any failure.
 */
#ifndef TK_TEST_H
#define TK_TEST_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

struct tk_test { const char *name; void (*fn)(void); };
#define TK_TEST(f) { #f, f }

static inline int tk_test_run(const char *suite, const struct tk_test *tests)
{
	CU_pSuite s;
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite(suite, NULL, NULL);
	for (; s && tests->name; tests++)
		if (!CU_add_test(s, tests->name, tests->fn))
			return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}

/* Path of a file under the source tree (for vectors and corpora). */
static inline const char *tk_srcpath(const char *rel, char *buf, size_t n)
{
	const char *top = getenv("TK_SRCDIR");
	snprintf(buf, n, "%s/%s", top ? top : TK_SRCDIR, rel);
	return buf;
}

#endif
