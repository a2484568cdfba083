/*
 * test-ue-boot.c: the UE bootstrapping library: simulated USIM (fresh SQN,
 * stale SQN -> AUTS the network accepts, wrong key -> MAC failure), state
 * file (round trip, mode 0600 whatever the umask, atomic replace, refusal of
 * group/world-readable or malformed files, expiry), Ks_NAF derivation
 * (gba.md 5.1 worked example) and BootstrappingInfo parsing (XSD, clock
 * skew, hostile XML).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "tk_test.h"
#include "ue/state.h"
#include "ue/ui_boot.h"
#include "ue/usim.h"
#include "util/hexb64.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
	CU_ASSERT_EQUAL_FATAL(tk_hex_decode(s, out, n), (long)n);
}

static const char *K1 = "465b5ce8b199b49faa5f0a2ee238a6bc";
static const char *OPC1 = "cd63cb71954a9f4e48a5994e37a02baf";
static const char *RAND1 = "23553cbe9637a89d218ae64dae47bf35";

static void test_usim(void)
{
	struct ue_usim u;
	struct tk_mil_av av;
	uint8_t sqn[6], amf[2] = { 0x80, 0x00 }, res[8], ck[16], ik[16], auts[14], ms[6];

	hex(K1, u.k, 16);
	hex(OPC1, u.opc, 16);
	u.sqn = 0x20;
	tk_mil_sqn_put(0x40, sqn);
	{
		uint8_t rand[16];
		hex(RAND1, rand, 16);
		tk_mil_generate(u.k, u.opc, sqn, amf, rand, &av);
	}
	CU_ASSERT_EQUAL(ue_usim_run(&u, av.rand, av.autn, res, ck, ik, auts), UE_USIM_OK);
	CU_ASSERT_EQUAL(u.sqn, 0x40);
	CU_ASSERT(memcmp(res, av.xres, 8) == 0);
	CU_ASSERT(memcmp(ck, av.ck, 16) == 0 && memcmp(ik, av.ik, 16) == 0);
	/* the same vector again: SQN not fresh -> AUTS carrying SQN_MS = 0x40 */
	CU_ASSERT_EQUAL(ue_usim_run(&u, av.rand, av.autn, res, ck, ik, auts), UE_USIM_SYNC);
	CU_ASSERT_EQUAL(res[0] | ck[0] | ik[0], 0);
	CU_ASSERT_EQUAL(tk_mil_auts_verify(u.k, u.opc, av.rand, auts, ms), TK_MIL_OK);
	CU_ASSERT_EQUAL(tk_mil_sqn_get(ms), 0x40);
	CU_ASSERT_EQUAL(u.sqn, 0x40);
	/* a vector for another card */
	u.k[15] ^= 1;
	CU_ASSERT_EQUAL(ue_usim_run(&u, av.rand, av.autn, res, ck, ik, auts), UE_USIM_MAC_FAIL);
	CU_ASSERT_EQUAL(u.sqn, 0x40);
}

static char dir[256];

static void path(const char *name, char *out)
{
	snprintf(out, 300, "%s/%s", dir, name);
}

static void fill(struct ue_state *st)
{
	memset(st, 0, sizeof *st);
	snprintf(st->impi, sizeof st->impi, "user1_private@home1.net");
	st->have_usim = true;
	hex(K1, st->usim.k, 16);
	hex(OPC1, st->usim.opc, 16);
	st->usim.sqn = 0x123456789aull;
	st->have_boot = true;
	snprintf(st->bsf_url, sizeof st->bsf_url, "http://127.0.0.1:8080");
	snprintf(st->btid, sizeof st->btid, "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net");
	hex(RAND1, st->rand, 16);
	hex("b40ba9a3c58b2a05bbf0d987b21bf8cbf769bcd751044604127672711c6d3441", st->ks, 32);
	st->created = (int64_t)time(NULL);
	st->expiry = st->created + 3600;
}

static int count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_state_roundtrip(void)
{
	struct ue_state a, b;
	struct stat sb1, sb2;
	char p[300], err[256];
	mode_t old = umask(0);

	fill(&a);
	path("s.json", p);
	CU_ASSERT_EQUAL(ue_state_load(p, &b, err, sizeof err), 1); /* absent */
	CU_ASSERT_EQUAL_FATAL(ue_state_save(p, &a, err, sizeof err), 0);
	umask(old);
	CU_ASSERT_EQUAL_FATAL(stat(p, &sb1), 0);
	CU_ASSERT_EQUAL(sb1.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(count_files(), 1); /* no temp file left */
	CU_ASSERT_EQUAL_FATAL(ue_state_load(p, &b, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(b.impi, a.impi);
	CU_ASSERT_STRING_EQUAL(b.btid, a.btid);
	CU_ASSERT_STRING_EQUAL(b.bsf_url, a.bsf_url);
	CU_ASSERT(memcmp(b.ks, a.ks, 32) == 0 && memcmp(b.rand, a.rand, 16) == 0);
	CU_ASSERT(memcmp(&b.usim, &a.usim, sizeof a.usim) == 0);
	CU_ASSERT_EQUAL(b.expiry, a.expiry);
	CU_ASSERT(b.have_boot && b.have_usim);

	/* replace: a new inode is renamed over the old one */
	a.usim.sqn++;
	CU_ASSERT_EQUAL_FATAL(ue_state_save(p, &a, err, sizeof err), 0);
	CU_ASSERT_EQUAL_FATAL(stat(p, &sb2), 0);
	CU_ASSERT_NOT_EQUAL(sb1.st_ino, sb2.st_ino);
	CU_ASSERT_EQUAL(sb2.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(ue_state_load(p, &b, err, sizeof err), 0);
	CU_ASSERT_EQUAL(b.usim.sqn, a.usim.sqn);
	CU_ASSERT_EQUAL(count_files(), 1);

	/* a state without a bootstrap (USIM only) */
	a.have_boot = false;
	CU_ASSERT_EQUAL(ue_state_save(p, &a, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ue_state_load(p, &b, err, sizeof err), 0);
	CU_ASSERT_FALSE(b.have_boot);
	CU_ASSERT(b.have_usim);

	/* an unwritable directory: error, the old file untouched */
	{
		char q[300];
		path("nodir/s.json", q);
		CU_ASSERT_EQUAL(ue_state_save(q, &a, err, sizeof err), -1);
		CU_ASSERT(strlen(err) > 0);
	}
	unlink(p);
}

static void write_file(const char *p, const char *s, mode_t mode)
{
	FILE *f = fopen(p, "w");
	fputs(s, f);
	fclose(f);
	chmod(p, mode);
}

static void test_state_refuse(void)
{
	struct ue_state a, b;
	char p[300], err[256];

	fill(&a);
	path("r.json", p);
	CU_ASSERT_EQUAL_FATAL(ue_state_save(p, &a, err, sizeof err), 0);
	chmod(p, 0644);
	CU_ASSERT_EQUAL(ue_state_load(p, &b, err, sizeof err), -1);
	CU_ASSERT(strstr(err, "permissions 0644 are too open") != NULL);
	static const char *const bad[] = {
		"", "{", "[]", "{\"version\":2}",
		"{\"version\":1,\"usim\":{\"k\":\"00\",\"opc\":\"00\",\"sqn\":\"00\"}}",
		"{\"version\":1,\"impi\":\"a\",\"usim\":{\"k\":\"465b5ce8b199b49faa5f0a2ee238a6bc\","
		"\"opc\":\"cd63cb71954a9f4e48a5994e37a02baf\",\"sqn\":\"0000000000zz\"}}",
		"{\"version\":1,\"bootstrap\":{\"bsf\":\"x\",\"btid\":\"A@b\",\"rand\":\"00\"}}",
		"{\"version\":1,\"version\":1}",
		NULL,
	};
	for (int i = 0; bad[i]; i++) {
		write_file(p, bad[i], 0600);
		CU_ASSERT_EQUAL(ue_state_load(p, &b, err, sizeof err), -1);
		CU_ASSERT_FALSE(b.have_usim || b.have_boot);
	}
	unlink(p);
	CU_ASSERT_EQUAL(symlink("/etc/passwd", p), 0);
	CU_ASSERT_EQUAL(ue_state_load(p, &b, err, sizeof err), -1);
	unlink(p);
}

static void test_naf_key(void)
{
	struct ue_state st;
	uint8_t k[32], want[32];
	char err[256];

	fill(&st);
	hex("d4bcc1d30ed5b3f92db5ced018cb02aa117e8a2cd253235679570a94c5db2428", want, 32);
	CU_ASSERT_EQUAL(ue_state_naf_key(&st, "naf.home1.net", TK_UA_HTTP_DIGEST, k, err, sizeof err), 0);
	CU_ASSERT(memcmp(k, want, 32) == 0);
	CU_ASSERT_EQUAL(ue_state_naf_key(&st, "naf.home1.net", TK_UA_IMS_KMS, k, err, sizeof err), 0);
	CU_ASSERT(memcmp(k, want, 32) != 0);
	st.expiry = time(NULL) - 1;
	CU_ASSERT_EQUAL(ue_state_naf_key(&st, "naf.home1.net", TK_UA_HTTP_DIGEST, k, err, sizeof err), -1);
	CU_ASSERT(strstr(err, "expired") != NULL);
	st.have_boot = false;
	CU_ASSERT_EQUAL(ue_state_naf_key(&st, "naf.home1.net", TK_UA_HTTP_DIGEST, k, err, sizeof err), -1);
}

#define INFO(btid, life, ext) \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BootstrappingInfo xmlns=\"uri:3gpp-gba\">" \
	"<btid>" btid "</btid><lifetime>" life "</lifetime>" ext "</BootstrappingInfo>"

static int info(const char *body, bool xsd, char *btid, int64_t *life, int64_t *cur)
{
	char buf[1200], err[256];
	const char *x = xsd ? ue_boot_schema_path(buf, sizeof buf) : NULL;

	if (xsd)
		CU_ASSERT_PTR_NOT_NULL(x);
	return ue_boot_parse_info(body, strlen(body), x, btid, life, cur, err, sizeof err);
}

static void test_info(void)
{
	char btid[UE_STATE_ID_MAX];
	int64_t life, cur;

	for (int xsd = 0; xsd < 2; xsd++) {
		CU_ASSERT_EQUAL(info(INFO("I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net",
					  "2026-11-27T23:00:00Z", ""), xsd, btid, &life, &cur), 0);
		CU_ASSERT_STRING_EQUAL(btid, "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net");
		CU_ASSERT_EQUAL(life, 1795820400);
		CU_ASSERT_EQUAL(cur, 0);
		CU_ASSERT_EQUAL(info(INFO("a@b", "2026-11-27T23:00:00.559Z",
					  "<Extension><currenttime>2026-11-27T22:00:00Z</currenttime>"
					  "<x:other xmlns:x=\"urn:x\">y</x:other></Extension>"),
				     xsd, btid, &life, &cur), 0);
		CU_ASSERT_EQUAL(cur, 1795816800);
		/* wrong namespace, missing or misplaced elements, bad values */
		CU_ASSERT_EQUAL(info("<BootstrappingInfo><btid>a@b</btid><lifetime>2026-11-27T23:00:00Z"
				     "</lifetime></BootstrappingInfo>", xsd, btid, &life, &cur), -1);
		CU_ASSERT_EQUAL(info(INFO("a@b", "", ""), xsd, btid, &life, &cur), -1);
		CU_ASSERT_EQUAL(info(INFO("a@b", "tomorrow", ""), xsd, btid, &life, &cur), -1);
		CU_ASSERT_EQUAL(info(INFO("not a btid", "2026-11-27T23:00:00Z", ""), xsd, btid, &life,
				     &cur), -1);
		CU_ASSERT_EQUAL(info(INFO("a@b", "2026-11-27T23:00:00Z", "<btid>c@d</btid>"), xsd, btid,
				     &life, &cur), -1);
		CU_ASSERT_EQUAL(info("<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><lifetime>2026-11-27T23:00:00Z"
				     "</lifetime><btid>a@b</btid></BootstrappingInfo>", xsd, btid, &life,
				     &cur), -1);
		CU_ASSERT_EQUAL(info("<BootstrappingInfo xmlns=\"uri:3gpp-gba\">", xsd, btid, &life, &cur), -1);
		CU_ASSERT_EQUAL(info("", xsd, btid, &life, &cur), -1);
		/* entities and DTDs (billion laughs, external entity) are refused */
		CU_ASSERT_EQUAL(info("<?xml version=\"1.0\"?><!DOCTYPE b [<!ENTITY a \"aaaa\">"
				     "<!ENTITY b \"&a;&a;&a;&a;\">]>" INFO("&b;@x", "2026-11-27T23:00:00Z", ""),
				     xsd, btid, &life, &cur), -1);
		CU_ASSERT_EQUAL(info("<?xml version=\"1.0\"?><!DOCTYPE b [<!ENTITY e SYSTEM "
				     "\"file:///etc/passwd\">]>" INFO("&e;", "2026-11-27T23:00:00Z", ""),
				     xsd, btid, &life, &cur), -1);
	}
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_usim), TK_TEST(test_state_roundtrip), TK_TEST(test_state_refuse),
		TK_TEST(test_naf_key), TK_TEST(test_info), { 0 },
	};
	int rc;

	snprintf(dir, sizeof dir, "%s/tk-ue-boot.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	rc = tk_test_run("ue-boot", tests);
	rmdir(dir);
	return rc;
}
