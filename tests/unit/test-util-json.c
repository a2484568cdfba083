/*
 * test-util-json.c: the allowed-members check of strict JSON readers
 * (util/json.h).
 */
#include <string.h>

#include "tk_test.h"
#include "util/json.h"

static void test_unknown_key(void)
{
	static const char *const allowed[] = { "id", "key", NULL };
	static const char *const none[] = { NULL };
	json_t *o = json_pack("{s:i, s:s}", "id", 1, "key", "x");

	CU_ASSERT_PTR_NULL(tk_json_unknown_key(o, allowed));
	CU_ASSERT_PTR_NOT_NULL(tk_json_unknown_key(o, none));
	json_object_set_new(o, "kee", json_true());
	CU_ASSERT_STRING_EQUAL(tk_json_unknown_key(o, allowed), "kee");
	json_decref(o);
	o = json_object();
	CU_ASSERT_PTR_NULL(tk_json_unknown_key(o, none));
	/* not an object: nothing to refuse (callers check the type first) */
	CU_ASSERT_PTR_NULL(tk_json_unknown_key(NULL, allowed));
	json_decref(o);
}

int main(void)
{
	static const struct tk_test tests[] = { TK_TEST(test_unknown_key), { NULL, NULL } };

	return tk_test_run("util-json", tests);
}
