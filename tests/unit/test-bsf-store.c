/*
 * test-bsf-store.c: bsf-stub's subscriber store (P-18): the demo set, strict
 * loading with specific messages, OP -> OPc, vectors the USIM accepts, SQN
 * persisted atomically and re-loaded, AUTS resynchronisation, concurrent
 * vector generation (group commit), damaged state refused.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bsf-stub/store.h"
#include "tk_test.h"
#include "util/hexb64.h"

static char err[512];

static int load_text(struct bsf_store *st, const char *json)
{
	json_t *doc = json_loads(json, 0, NULL);
	int rc;

	if (!doc)
		return -2;
	rc = bsf_store_load(st, json_object_get(doc, "subscribers"), "subs.json", err, sizeof err);
	json_decref(doc);
	return rc;
}

static void test_demo(void)
{
	struct bsf_store st;
	struct bsf_sub *s;

	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, bsf_store_demo_json()), 0);
	CU_ASSERT_EQUAL(st.n, 5);
	s = bsf_store_find(&st, "carol@home1.net");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->k[15], 0x03);
	CU_ASSERT_EQUAL(s->k[0], 0x46);
	CU_ASSERT_EQUAL(s->opc[0], 0xcd);
	CU_ASSERT_EQUAL(s->amf[0], 0x80);
	CU_ASSERT_EQUAL(s->sqn, 0x20);
	CU_ASSERT_EQUAL_FATAL(s->guss.n_uss, 1);
	CU_ASSERT_STRING_EQUAL(s->guss.uss[0].uids[0], "sip:carol@home1.net");
	CU_ASSERT_STRING_EQUAL(s->guss.uss[0].gsid, "0");
	CU_ASSERT_PTR_NOT_NULL(strstr(s->guss_xml, "<uid>sip:carol@home1.net</uid>"));
	CU_ASSERT_PTR_NULL(bsf_store_find(&st, "mallory@home1.net"));
	bsf_store_free(&st);
}

#define SUB(extra) "{\"subscribers\": [{\"impi\": \"a@h.net\", \"k\": \"465b5ce8b199b49faa5f0a2ee238a6bc\"" extra "}]}"
#define OPC ", \"opc\": \"cd63cb71954a9f4e48a5994e37a02baf\""

static void refused(const char *json, const char *msg)
{
	struct bsf_store st;

	bsf_store_init(&st);
	err[0] = 0;
	CU_ASSERT_EQUAL(load_text(&st, json), -1);
	if (!strstr(err, msg))
		fprintf(stderr, "\n  expected \"%s\" in \"%s\"\n", msg, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));
	bsf_store_free(&st);
}

static void test_malformed_refused(void)
{
	refused("{\"subscribers\": []}", "subs.json: subscribers: the list is empty");
	refused("{\"subscribers\": {}}", "subscribers: must be an array");
	refused("{\"subscribers\": [{\"impi\": \"a@h.net\", \"k\": \"465b\"" OPC "}]}",
		"subs.json: subscribers[0].k: must be a string of 32 hex digits");
	refused(SUB(""), "subscribers[0]: \"opc\" or \"op\" is missing");
	refused(SUB(OPC ", \"op\": \"cdc202d5123e20f62b6d676ac72cb318\""), "not both");
	refused(SUB(OPC ", \"kk\": 1"), "subscribers[0]: unknown key \"kk\"");
	refused(SUB(OPC ", \"sqn\": \"0000000000zz\""), "subscribers[0].sqn: must be a string of 12 hex digits");
	refused(SUB(OPC ", \"amf\": 8000"), "subscribers[0].amf");
	refused("{\"subscribers\": [{\"impi\": \"no realm\", \"k\": \"465b5ce8b199b49faa5f0a2ee238a6bc\"" OPC "}]}",
		"subscribers[0].impi: must be a NAI");
	refused("{\"subscribers\": [{\"impi\": \"a@h.net\", \"k\": \"465b5ce8b199b49faa5f0a2ee238a6bc\"" OPC "},"
		"{\"impi\": \"a@h.net\", \"k\": \"465b5ce8b199b49faa5f0a2ee238a6bc\"" OPC "}]}",
		"IMPI \"a@h.net\" appears twice");
	refused(SUB(OPC ", \"guss\": {\"uss\": [{\"id\": \"1\", \"type\": 0, \"gsid\": \"5\", \"uids\": [\"sip:a@h.net\"]}]}"),
		"subscribers[0].guss.uss[0].gsid: must be the string \"0\"");
	refused(SUB(OPC ", \"guss\": {\"uss\": [{\"id\": \"1\", \"type\": 0, \"uids\": []}]}"),
		"subscribers[0].guss.uss[0].uids: must be an array of 1..64");
	refused(SUB(OPC ", \"guss\": {\"uiccType\": \"SIM\", \"uss\": []}"),
		"subscribers[0].guss.uiccType: must be \"GBA\" or \"GBA_U\"");
	refused(SUB(OPC ", \"guss\": {\"uss\": [{\"id\": \"1\", \"type\": -1, \"uids\": [\"sip:a@h.net\"]}]}"),
		"subscribers[0].guss.uss[0].type: must be a GAA service type code");
	refused(SUB(OPC ", \"guss_xml\": \"<guss id='a@h.net'><ussList/></guss>\""),
		"subscribers[0].guss_xml: line 1");
	refused(SUB(OPC ", \"guss_xml\": \"<guss id='b@h.net'><bsfInfo/><ussList/></guss>\""),
		"guss id \"b@h.net\" is not the IMPI");
}

static void test_load_file_errors(void)
{
	char path[] = "/tmp/test-bsf-store-XXXXXX";
	int fd = mkstemp(path);
	struct bsf_store st;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "{\"subscribers\": [1,]}", 21) == 21);
	close(fd);
	bsf_store_init(&st);
	CU_ASSERT_EQUAL(bsf_store_load_file(&st, path, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 1"));
	bsf_store_free(&st);
	bsf_store_init(&st);
	CU_ASSERT_EQUAL(bsf_store_load_file(&st, "/nonexistent/subs.json", err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/subs.json"));
	bsf_store_free(&st);
	unlink(path);
}

static void test_op_gives_opc_and_unnamespaced_guss(void)
{
	struct bsf_store st;
	struct bsf_sub *s;
	uint8_t want[16];

	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, SUB(", \"op\": \"cdc202d5123e20f62b6d676ac72cb318\", "
						 "\"guss_xml\": \"<guss id='a@h.net'><bsfInfo/><ussList>"
						 "<uss id='9' type='1'><uids><uid>tel:+1555</uid></uids></uss>"
						 "</ussList></guss>\"")), 0);
	s = bsf_store_find(&st, "a@h.net");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	tk_hex_decode("cd63cb71954a9f4e48a5994e37a02baf", want, 16);
	CU_ASSERT_EQUAL(memcmp(s->opc, want, 16), 0);
	CU_ASSERT_EQUAL(s->sqn, 0);
	CU_ASSERT_EQUAL_FATAL(s->guss.n_uss, 1);
	CU_ASSERT_STRING_EQUAL(s->guss.uss[0].gsid, "1");
	CU_ASSERT_PTR_NOT_NULL(strstr(s->guss_xml, BSF_NS_GUSS));
	bsf_store_free(&st);
}

static char *mkstate(void)
{
	static char dir[64];

	snprintf(dir, sizeof dir, "/tmp/test-bsf-state-XXXXXX");
	return mkdtemp(dir);
}

static void rm_state(const char *dir)
{
	char p[128];

	snprintf(p, sizeof p, "%s/sqn.json", dir);
	unlink(p);
	rmdir(dir);
}

static void test_sqn_persisted_atomically(void)
{
	struct bsf_store st;
	struct bsf_sub *s;
	struct tk_mil_av av;
	uint8_t sqn[6], res[8], ck[16], ik[16];
	char *dir = mkstate(), p[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, bsf_store_demo_json()), 0);
	CU_ASSERT_EQUAL_FATAL(bsf_store_open_state(&st, dir, err, sizeof err), 0);
	s = bsf_store_find(&st, "alice@home1.net");
	CU_ASSERT_EQUAL_FATAL(bsf_store_make_av(&st, s, &av, err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(bsf_store_make_av(&st, s, &av, err, sizeof err), 0);
	/* The USIM accepts the vector and sees SQN 0x20 + 2*32. */
	CU_ASSERT_EQUAL(tk_mil_usim_check(s->k, s->opc, av.rand, av.autn, sqn, res, ck, ik), TK_MIL_OK);
	CU_ASSERT_EQUAL(tk_mil_sqn_get(sqn), 0x60);
	CU_ASSERT_EQUAL(memcmp(res, av.xres, 8), 0);
	bsf_store_free(&st);
	snprintf(p, sizeof p, "%s/sqn.json.tmp", dir);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);

	/* A fresh store over the same state dir continues from there. */
	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, bsf_store_demo_json()), 0);
	CU_ASSERT_EQUAL_FATAL(bsf_store_open_state(&st, dir, err, sizeof err), 0);
	s = bsf_store_find(&st, "alice@home1.net");
	CU_ASSERT_EQUAL(bsf_store_sqn(&st, s), 0x60);
	CU_ASSERT_EQUAL(bsf_store_sqn(&st, bsf_store_find(&st, "bob@home1.net")), 0x20);
	bsf_store_free(&st);
	rm_state(dir);
}

static void test_resync(void)
{
	struct bsf_store st;
	struct bsf_sub *s;
	struct tk_mil_av av;
	uint8_t sqn_ms[6], auts[14], sqn[6];

	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, bsf_store_demo_json()), 0);
	s = bsf_store_find(&st, "dave@home1.net");
	CU_ASSERT_EQUAL_FATAL(bsf_store_make_av(&st, s, &av, err, sizeof err), 0);
	tk_mil_sqn_put(0x123400, sqn_ms);
	tk_mil_auts_build(s->k, s->opc, av.rand, sqn_ms, auts);
	/* Wrong RAND: MAC-S fails, SQN unchanged. */
	av.rand[0] ^= 1;
	CU_ASSERT_EQUAL(bsf_store_resync(&st, s, av.rand, auts, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "MAC-S"));
	CU_ASSERT_EQUAL(bsf_store_sqn(&st, s), 0x40);
	av.rand[0] ^= 1;
	CU_ASSERT_EQUAL(bsf_store_resync(&st, s, av.rand, auts, err, sizeof err), 0);
	CU_ASSERT_EQUAL(bsf_store_sqn(&st, s), 0x123400);
	CU_ASSERT_EQUAL_FATAL(bsf_store_make_av(&st, s, &av, err, sizeof err), 0);
	CU_ASSERT_EQUAL(tk_mil_usim_check(s->k, s->opc, av.rand, av.autn, sqn, NULL, NULL, NULL), TK_MIL_OK);
	CU_ASSERT_EQUAL(tk_mil_sqn_get(sqn), 0x123420);
	bsf_store_free(&st);
}

static void test_sqn_exhausted(void)
{
	struct bsf_store st;
	struct tk_mil_av av;

	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, SUB(OPC ", \"sqn\": \"ffffffffffe0\"")), 0);
	CU_ASSERT_EQUAL(bsf_store_make_av(&st, bsf_store_find(&st, "a@h.net"), &av, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "exhausted"));
	bsf_store_free(&st);
}

struct worker { struct bsf_store *st; struct bsf_sub *s; int fails; };

static void *work(void *p)
{
	struct worker *w = p;
	struct tk_mil_av av;
	char e[256];

	for (int i = 0; i < 50; i++)
		if (bsf_store_make_av(w->st, w->s, &av, e, sizeof e) != 0)
			w->fails++;
	return NULL;
}

static void test_concurrent_vectors(void)
{
	struct bsf_store st;
	struct worker w[4];
	pthread_t t[4];
	char *dir = mkstate();

	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, bsf_store_demo_json()), 0);
	CU_ASSERT_EQUAL_FATAL(bsf_store_open_state(&st, dir, err, sizeof err), 0);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ &st, bsf_store_find(&st, i % 2 ? "bob@home1.net" : "eve@home1.net"), 0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT_EQUAL(w[i].fails, 0);
	}
	bsf_store_free(&st);
	bsf_store_init(&st);
	CU_ASSERT_EQUAL_FATAL(load_text(&st, bsf_store_demo_json()), 0);
	CU_ASSERT_EQUAL_FATAL(bsf_store_open_state(&st, dir, err, sizeof err), 0);
	CU_ASSERT_EQUAL(bsf_store_sqn(&st, bsf_store_find(&st, "bob@home1.net")), 0x20 + 100 * 32);
	CU_ASSERT_EQUAL(bsf_store_sqn(&st, bsf_store_find(&st, "eve@home1.net")), 0x20 + 100 * 32);
	bsf_store_free(&st);
	rm_state(dir);
}

static void test_damaged_state_refused(void)
{
	static const char *const bad[] = {
		"{\"version\": 1, \"sqn\": {\"alice@home1.net\": \"0000",
		"{\"version\": 2, \"sqn\": {}}",
		"{\"version\": 1, \"sqn\": {\"alice@home1.net\": \"00000000002\"}}",
		"[]",
	};
	char *dir = mkstate(), p[128];

	snprintf(p, sizeof p, "%s/sqn.json", dir);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct bsf_store st;
		FILE *f = fopen(p, "w");

		fputs(bad[i], f);
		fclose(f);
		bsf_store_init(&st);
		CU_ASSERT_EQUAL_FATAL(load_text(&st, bsf_store_demo_json()), 0);
		err[0] = 0;
		CU_ASSERT_EQUAL(bsf_store_open_state(&st, dir, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "sqn.json"));
		bsf_store_free(&st);
	}
	rm_state(dir);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_demo),
		TK_TEST(test_malformed_refused),
		TK_TEST(test_load_file_errors),
		TK_TEST(test_op_gives_opc_and_unnamespaced_guss),
		TK_TEST(test_sqn_persisted_atomically),
		TK_TEST(test_resync),
		TK_TEST(test_sqn_exhausted),
		TK_TEST(test_concurrent_vectors),
		TK_TEST(test_damaged_state_refused),
		{ NULL, NULL },
	};
	int rc;

	if (bsf_xml_init(err, sizeof err) != 0)
		return 1;
	rc = tk_test_run("bsf-store", tests);
	bsf_xml_cleanup();
	return rc;
}
