/*
 * test-naf-zn.c: strict validation of Zn answers (naf/zn.h; profile P-17,
 * contracts A), with good and hostile input.
 */
#include <string.h>

#include "naf/ids.h"
#include "naf/zn.h"
#include "tk_test.h"

#define KEYHEX "d4bcc1d30ed5b3f92db5ced018cb02aa117e8a2cd253235679570a94c5db2428"

static int parse(long code, const char *ctype, const char *body, struct naf_zn_result *r)
{
	return naf_zn_parse_answer(code, ctype, body, strlen(body), "0", r);
}

#define OKBODY(extra) \
	"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\"," \
	"\"bootstrappingInfoCreationTime\":\"2026-11-27T22:00:00Z\",\"impi\":\"alice@home1.net\"," \
	"\"gbaType\":\"3G_GBA\",\"ussList\":[{\"uss\":{\"gsId\":\"7\",\"ueIds\":[{\"ueId\":\"sip:x@y\"}]}}," \
	"{\"uss\":{\"gsId\":\"0\",\"gsType\":\"0\",\"ueIds\":[{\"ueId\":\"sip:alice@home1.net\"}," \
	"{\"ueId\":\"tel:+15551001\"}],\"flags\":[{\"flag\":1}],\"keyChoice\":\"ME_BASED_KEY\"}}]" extra "}"

static void test_ok(void)
{
	struct naf_zn_result r;

	CU_ASSERT_EQUAL(parse(200, "application/json; charset=utf-8", OKBODY(""), &r), NAF_OK);
	CU_ASSERT_EQUAL(r.ks_naf[0], 0xd4);
	CU_ASSERT_EQUAL(r.ks_naf[31], 0x28);
	CU_ASSERT_EQUAL(r.expiry, 1795820400);
	CU_ASSERT_EQUAL(r.created, 1795816800);
	CU_ASSERT_STRING_EQUAL(r.ids->impi, "alice@home1.net");
	CU_ASSERT_EQUAL(r.ids->n_impus, 2); /* only the USS of gsid 0 */
	CU_ASSERT(naf_ids_has_impu(r.ids, "tel:+15551001", 13));
	CU_ASSERT_FALSE(naf_ids_has_impu(r.ids, "sip:x@y", 7));
	CU_ASSERT_FALSE(naf_ids_has_impu(r.ids, "tel:+1555100", 12));
	naf_zn_result_clear(&r);
	CU_ASSERT_PTR_NULL(r.ids);
	/* unknown members are ignored */
	CU_ASSERT_EQUAL(parse(200, "application/json", OKBODY(",\"future\":[1,2]"), &r), NAF_OK);
	naf_zn_result_clear(&r);
}

static void test_bad_ok(void)
{
	static const char *const bad[] = {
		"", "[]", "{", "null",
		"{\"meKeyMaterial\":\"" KEYHEX "0\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"tomorrow\",\"impi\":\"a\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\\u0000b\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\\nb\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"gbaType\":\"5G\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"ussList\":{}}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"ussList\":[{\"uss\":{\"gsId\":0}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"ussList\":[{\"uss\":{\"gsId\":\"0\",\"ueIds\":[{\"ueId\":5}]}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"uiccKeyMaterial\":\"00\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"" KEYHEX "\",\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		"{\"meKeyMaterial\":\"zz" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\",\"impi\":\"a\",\"ussList\":[{\"uss\":{\"gsId\":\"0\"}}]}",
		NULL,
	};
	struct naf_zn_result r;

	for (int i = 0; bad[i]; i++) {
		CU_ASSERT_EQUAL(parse(200, "application/json", bad[i], &r), NAF_PROTOCOL);
		CU_ASSERT_PTR_NULL(r.ids);
		CU_ASSERT_EQUAL(r.ks_naf[0], 0); /* no key material left behind */
	}
	/* wrong media type */
	CU_ASSERT_EQUAL(parse(200, "text/html", OKBODY(""), &r), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(parse(200, NULL, OKBODY(""), &r), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(parse(200, "application/jsonx", OKBODY(""), &r), NAF_PROTOCOL);
	/* no USS for our gsid: not authorized */
	CU_ASSERT_EQUAL(parse(200, "application/json",
			      "{\"meKeyMaterial\":\"" KEYHEX "\",\"keyExpiryTime\":\"2026-11-27T23:00:00Z\","
			      "\"impi\":\"a\",\"ussList\":[{\"uss\":{\"gsId\":\"1\"}}]}", &r),
			NAF_NOT_AUTHORIZED);
	CU_ASSERT_PTR_NULL(r.ids);
}

static void test_errors(void)
{
	struct naf_zn_result r;

	CU_ASSERT_EQUAL(parse(404, "application/problem+json",
			      "{\"status\":404,\"cause\":\"BTID_NOT_FOUND\"}", &r), NAF_NOT_FOUND);
	CU_ASSERT_EQUAL(parse(403, "application/problem+json",
			      "{\"status\":403,\"cause\":\"NAF_NOT_AUTHORIZED\"}", &r), NAF_NOT_AUTHORIZED);
	/* a 404 that is not the BSF's (no cause): never "bootstrap again" */
	CU_ASSERT_EQUAL(parse(404, "text/html", "<h1>Not Found</h1>", &r), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(parse(404, "application/problem+json", "{\"cause\":\"OTHER\"}", &r), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(parse(403, "application/problem+json", "{\"cause\":\"BTID_NOT_FOUND\"}", &r), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(parse(500, "text/plain", "x", &r), NAF_UNAVAILABLE);
	CU_ASSERT_EQUAL(parse(503, "text/plain", "", &r), NAF_UNAVAILABLE);
	CU_ASSERT_EQUAL(parse(401, "application/problem+json", "{\"cause\":\"x\"}", &r), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(parse(400, "application/problem+json", "{}", &r), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(parse(302, "text/plain", "", &r), NAF_PROTOCOL);
	CU_ASSERT(strstr(r.detail, "302") != NULL);
}

static void test_unreachable(void)
{
	struct naf_zn_config c = { .url = "http://127.0.0.1:1", .connect_timeout_ms = 500 };
	struct naf_zn_result r;
	char err[128];
	struct naf_zn *zn = naf_zn_new(&c, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(zn);
	CU_ASSERT_EQUAL(naf_zn_fetch(zn, "AAAA@b.c", "kms.test", TK_UA_IMS_KMS, "0", &r),
			NAF_UNAVAILABLE);
	naf_zn_free(zn);
	c.url = "ftp://127.0.0.1/";
	CU_ASSERT_PTR_NULL(naf_zn_new(&c, err, sizeof err));
	c.url = "http://127.0.0.1/";
	c.token = "a\r\nX-Evil: 1";
	CU_ASSERT_PTR_NULL(naf_zn_new(&c, err, sizeof err));
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_ok), TK_TEST(test_bad_ok), TK_TEST(test_errors),
		TK_TEST(test_unreachable), { 0 },
	};
	return tk_test_run("naf-zn", tests);
}
