/*
 * test-bsf-xml.c: bsf-stub's XML (bsf-stub/xml.h): what it emits validates
 * against schemas/, what it reads is validated, un-namespaced GUSS is
 * accepted (P-18), and hostile documents (DTDs, entities, junk) are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "bsf-stub/xml.h"
#include "tk_test.h"

static char err[512];

static char *slurp(const char *rel)
{
	char path[1024];
	FILE *f = fopen(tk_srcpath(rel, path, sizeof path), "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void test_embedded_schemas_are_the_shipped_files(void)
{
	char *a = slurp("schemas/bootstrapping-info.xsd"), *b = slurp("schemas/guss.xsd");

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(a, bsf_xsd_bootstrapping_info);
	CU_ASSERT_STRING_EQUAL(b, bsf_xsd_guss);
	free(a);
	free(b);
}

static void test_bootinfo_render_validates(void)
{
	char *xml = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(bsf_bootinfo_render("I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net",
						  1800000000, 1799996400, &xml, &len, err, sizeof err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<BootstrappingInfo xmlns=\"uri:3gpp-gba\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<btid>I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net</btid>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<lifetime>2027-01-15T08:00:00Z</lifetime>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<currenttime>2027-01-15T07:00:00Z</currenttime>"));
	CU_ASSERT_EQUAL(strlen(xml), len);
	CU_ASSERT_EQUAL(bsf_xml_validate(BSF_SCHEMA_BOOTINFO, xml, len, err, sizeof err), 0);
	free(xml);
}

static void test_bootinfo_escapes(void)
{
	char *xml = NULL;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(bsf_bootinfo_render("a<b>&@x", 0, 0, &xml, &len, err, sizeof err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "a&lt;b&gt;&amp;@x"));
	free(xml);
}

static int v(enum bsf_schema s, const char *xml)
{
	err[0] = 0;
	return bsf_xml_validate(s, xml, strlen(xml), err, sizeof err);
}

static void test_bootinfo_validation(void)
{
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_BOOTINFO, "<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><btid>x@y</btid>"
			  "<lifetime>2020-10-28T10:25:00.559Z</lifetime></BootstrappingInfo>"), 0);
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_BOOTINFO, "<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><btid>x@y</btid>"
			  "</BootstrappingInfo>"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "lifetime"));
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_BOOTINFO, "<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><btid>x@y</btid>"
			  "<lifetime>tomorrow</lifetime></BootstrappingInfo>"), -1);
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_BOOTINFO, "<BootstrappingInfo><btid>x@y</btid>"
			  "<lifetime>2020-10-28T10:25:00Z</lifetime></BootstrappingInfo>"), -1);
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_BOOTINFO, "<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><btid>"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "line 1"));
}

static void test_hostile_documents_refused(void)
{
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_GUSS, "<!DOCTYPE guss [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
			  "<guss xmlns=\"" BSF_NS_GUSS "\" id=\"&x;\"><bsfInfo/><ussList/></guss>"), -1);
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_GUSS, "<!DOCTYPE guss [<!ENTITY x \"y\">]>"
			  "<guss xmlns=\"" BSF_NS_GUSS "\" id=\"&x;\"><bsfInfo/><ussList/></guss>"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "document type"));
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_GUSS, "<!DOCTYPE guss SYSTEM \"http://127.0.0.1:1/x.dtd\">"
			  "<guss xmlns=\"" BSF_NS_GUSS "\" id=\"a\"><bsfInfo/><ussList/></guss>"), -1);
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_GUSS, "\x01\x02garbage"), -1);
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_GUSS, ""), -1);
	{
		size_t n = BSF_XML_MAX + 10;
		char *big = malloc(n + 1);

		memset(big, ' ', n);
		big[n] = 0;
		memcpy(big, "<guss", 5);
		CU_ASSERT_EQUAL(bsf_xml_validate(BSF_SCHEMA_GUSS, big, n, err, sizeof err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than"));
		free(big);
	}
}

#define GUSS_BODY                                                                     \
	"<bsfInfo><uiccType>GBA_U</uiccType><lifeTime>7200</lifeTime></bsfInfo>"       \
	"<ussList><uss id=\"1\" type=\"0\" nafGroup=\"g1\"><uids><uid>sip:alice@home1.net</uid>" \
	"<uid>tel:+15551001</uid></uids><flags><flag>1</flag><flag>3</flag></flags></uss>" \
	"<uss id=\"2\" type=\"4\"><uids><uid>sip:alice-tv@home1.net</uid></uids></uss></ussList>"

static void check_guss(const struct bsf_guss *g)
{
	CU_ASSERT_STRING_EQUAL(g->id, "alice@home1.net");
	CU_ASSERT_TRUE(g->gba_u);
	CU_ASSERT_EQUAL(g->lifetime, 7200);
	CU_ASSERT_EQUAL_FATAL(g->n_uss, 2);
	CU_ASSERT_STRING_EQUAL(g->uss[0].id, "1");
	CU_ASSERT_STRING_EQUAL(g->uss[0].gsid, "0");
	CU_ASSERT_STRING_EQUAL(g->uss[0].naf_group, "g1");
	CU_ASSERT_EQUAL_FATAL(g->uss[0].n_uids, 2);
	CU_ASSERT_STRING_EQUAL(g->uss[0].uids[1], "tel:+15551001");
	CU_ASSERT_EQUAL_FATAL(g->uss[0].n_flags, 2);
	CU_ASSERT_EQUAL(g->uss[0].flags[1], 3);
	CU_ASSERT_EQUAL(g->uss[1].type, 4);
	CU_ASSERT_STRING_EQUAL(g->uss[1].gsid, "4");
	CU_ASSERT_PTR_NULL(g->uss[1].naf_group);
}

static void test_guss_namespaced_and_not(void)
{
	static const char ns[] = "<guss xmlns=\"" BSF_NS_GUSS "\" id=\"alice@home1.net\">" GUSS_BODY "</guss>";
	static const char plain[] = "<?xml version=\"1.0\"?>\n<guss id=\"alice@home1.net\">" GUSS_BODY "</guss>";
	struct bsf_guss g, h;
	char *xml;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(bsf_guss_parse(ns, strlen(ns), &g, err, sizeof err), 0);
	check_guss(&g);
	CU_ASSERT_EQUAL_FATAL(bsf_guss_parse(plain, strlen(plain), &h, err, sizeof err), 0);
	check_guss(&h);
	bsf_guss_free(&h);
	/* Render (namespaced, validated) and read back. */
	CU_ASSERT_EQUAL_FATAL(bsf_guss_render(&g, &xml, &len, err, sizeof err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "xmlns=\"" BSF_NS_GUSS "\""));
	CU_ASSERT_EQUAL(bsf_xml_validate(BSF_SCHEMA_GUSS, xml, len, err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(bsf_guss_parse(xml, len, &h, err, sizeof err), 0);
	check_guss(&h);
	bsf_guss_free(&h);
	bsf_guss_free(&g);
	free(xml);
}

static int gp(const char *xml)
{
	struct bsf_guss g;
	int rc;

	err[0] = 0;
	rc = bsf_guss_parse(xml, strlen(xml), &g, err, sizeof err);
	if (rc == 0)
		bsf_guss_free(&g);
	return rc;
}

static void test_guss_refused(void)
{
	CU_ASSERT_EQUAL(gp("<guss id=\"a@b\"><bsfInfo><uiccType>SIM</uiccType></bsfInfo><ussList/></guss>"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "uiccType"));
	CU_ASSERT_EQUAL(gp("<guss><bsfInfo/><ussList/></guss>"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "id"));
	CU_ASSERT_EQUAL(gp("<guss id=\"a@b\"><bsfInfo/><ussList><uss id=\"1\" type=\"x\"><uids/></uss></ussList></guss>"), -1);
	CU_ASSERT_EQUAL(gp("<guss id=\"a@b\"><ussList/></guss>"), -1);
	CU_ASSERT_EQUAL(gp("<ussList xmlns=\"" BSF_NS_GUSS "\"/>"), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "root element"));
	CU_ASSERT_EQUAL(gp("<guss xmlns=\"urn:other\" id=\"a@b\"><bsfInfo/><ussList/></guss>"), -1);
	CU_ASSERT_EQUAL(gp("<guss id=\"a@b\"><bsfInfo/><ussList/>"), -1);
	CU_ASSERT_EQUAL(gp("<guss id=\"a@b\"><bsfInfo/><ussList/></guss>"), 0);
}

static void test_zn_usslist_document(void)
{
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_GUSS, "<ussList xmlns=\"" BSF_NS_GUSS "\"><uss id=\"1\" type=\"0\">"
			  "<uids><uid>sip:alice@home1.net</uid></uids></uss></ussList>"), 0);
	CU_ASSERT_EQUAL(v(BSF_SCHEMA_GUSS, "<ussList xmlns=\"" BSF_NS_GUSS "\"><uss type=\"0\">"
			  "<uids/></uss></ussList>"), -1);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_embedded_schemas_are_the_shipped_files),
		TK_TEST(test_bootinfo_render_validates),
		TK_TEST(test_bootinfo_escapes),
		TK_TEST(test_bootinfo_validation),
		TK_TEST(test_hostile_documents_refused),
		TK_TEST(test_guss_namespaced_and_not),
		TK_TEST(test_guss_refused),
		TK_TEST(test_zn_usslist_document),
		{ NULL, NULL },
	};
	int rc;

	if (bsf_xml_init(err, sizeof err) != 0) {
		fprintf(stderr, "schemas: %s\n", err);
		return 1;
	}
	rc = tk_test_run("bsf-xml", tests);
	bsf_xml_cleanup();
	return rc;
}
