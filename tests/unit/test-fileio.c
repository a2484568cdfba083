/*
 * test-fileio.c: atomic replacement and bounded, permission-checked reading
 * of whole files (util/fileio.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tk_test.h"
#include "util/fileio.h"

static char dir[256];

static const char *at(const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", dir, name);
	return buf;
}

static mode_t mode_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* Nothing but the named files in dir: no temp file left behind. */
static int entries(void)
{
	char cmd[400], line[64];
	FILE *f;
	int n = 0;

	snprintf(cmd, sizeof cmd, "ls -A '%s'", dir);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof line, f))
		n++;
	if (f)
		pclose(f);
	return n;
}

static void test_write_then_read(void)
{
	char p[300], err[256], *buf;
	size_t len;

	at("a.json", p, sizeof p);
	CU_ASSERT_EQUAL(tk_file_write_atomic(p, "hello\n", 6, 0600, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mode_of(p), 0600);
	CU_ASSERT_EQUAL(tk_file_read(p, 64, TK_FILE_PRIVATE | TK_FILE_NOFOLLOW, &buf, &len, err,
				     sizeof err), 0);
	CU_ASSERT_EQUAL(len, 6);
	CU_ASSERT_STRING_EQUAL(buf, "hello\n");
	free(buf);
	/* replace: new content and the new mode, whatever the umask (022 here) */
	CU_ASSERT_EQUAL(tk_file_write_atomic(p, "x", 1, 0644, err, sizeof err), 0);
	CU_ASSERT_EQUAL(mode_of(p), 0644);
	CU_ASSERT_EQUAL(tk_file_read(p, 64, 0, &buf, &len, err, sizeof err), 0);
	CU_ASSERT_EQUAL(len, 1);
	CU_ASSERT_STRING_EQUAL(buf, "x");
	free(buf);
	/* empty file */
	CU_ASSERT_EQUAL(tk_file_write_atomic(p, "", 0, 0600, err, sizeof err), 0);
	CU_ASSERT_EQUAL(tk_file_read(p, 64, 0, &buf, &len, err, sizeof err), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	free(buf);
	CU_ASSERT_EQUAL(entries(), 1);
	unlink(p);
}

static void test_write_fails_cleanly(void)
{
	char p[300], err[6000] = "", big[5000];

	/* directory missing: error names the file, nothing created */
	at("nodir/a.json", p, sizeof p);
	CU_ASSERT_EQUAL(tk_file_write_atomic(p, "x", 1, 0600, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, p));
	/* target is a directory: rename fails, the temp file is removed */
	at("sub", p, sizeof p);
	CU_ASSERT_EQUAL_FATAL(mkdir(p, 0700), 0);
	strcat(p, "/d");
	CU_ASSERT_EQUAL_FATAL(mkdir(p, 0700), 0);
	CU_ASSERT_EQUAL(tk_file_write_atomic(p, "x", 1, 0600, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "renaming"));
	rmdir(p);
	CU_ASSERT_EQUAL(entries(), 1); /* only "sub", now empty */
	at("sub", p, sizeof p);
	CU_ASSERT_EQUAL(rmdir(p), 0);
	/* path too long */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(tk_file_write_atomic(big, "x", 1, 0600, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too long"));
	/* no error buffer is fine */
	at("nodir/a.json", p, sizeof p);
	CU_ASSERT_EQUAL(tk_file_write_atomic(p, "x", 1, 0600, NULL, 0), -1);
}

static void test_read_refusals(void)
{
	char p[300], l[300], err[256], *buf = (char *)1;
	size_t len = 7;

	at("missing", p, sizeof p);
	CU_ASSERT_EQUAL(tk_file_read(p, 64, 0, &buf, &len, err, sizeof err), 1);
	CU_ASSERT_PTR_NULL(buf);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));

	at("k", p, sizeof p);
	CU_ASSERT_EQUAL_FATAL(tk_file_write_atomic(p, "0123456789", 10, 0640, err, sizeof err), 0);
	CU_ASSERT_EQUAL(tk_file_read(p, 64, TK_FILE_PRIVATE, &buf, &len, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "permissions 0640 are too open"));
	CU_ASSERT_EQUAL(chmod(p, 0604), 0);
	CU_ASSERT_EQUAL(tk_file_read(p, 64, TK_FILE_PRIVATE, &buf, &len, err, sizeof err), -1);
	CU_ASSERT_EQUAL(chmod(p, 0600), 0);
	/* size cap: exactly max is fine, one more is not */
	CU_ASSERT_EQUAL(tk_file_read(p, 9, 0, &buf, &len, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "larger than 9 octets"));
	CU_ASSERT_EQUAL(tk_file_read(p, 10, TK_FILE_PRIVATE, &buf, &len, err, sizeof err), 0);
	CU_ASSERT_EQUAL(len, 10);
	free(buf);
	/* a symlink is followed unless NOFOLLOW */
	at("link", l, sizeof l);
	CU_ASSERT_EQUAL_FATAL(symlink(p, l), 0);
	CU_ASSERT_EQUAL(tk_file_read(l, 64, 0, &buf, &len, err, sizeof err), 0);
	free(buf);
	CU_ASSERT_EQUAL(tk_file_read(l, 64, TK_FILE_NOFOLLOW, &buf, &len, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(buf);
	unlink(l);
	unlink(p);
	/* not a regular file */
	CU_ASSERT_EQUAL(tk_file_read(dir, 64, 0, &buf, &len, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_write_then_read),
		TK_TEST(test_write_fails_cleanly),
		TK_TEST(test_read_refusals),
		{ NULL, NULL },
	};
	char cmd[300];
	int rc;

	umask(022);
	snprintf(dir, sizeof dir, "%s/tk-fileio-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 2;
	rc = tk_test_run("fileio", tests);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
