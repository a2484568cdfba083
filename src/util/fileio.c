/*
 * fileio.c: atomic replacement and bounded, permission-checked reading of
 * whole files (see fileio.h).
 */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/secret.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The rename is durable only once the directory holding it is synced. */
static int fsync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int tk_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	int fd;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp)
		return fail(err, errlen, "%s: path too long", path);
	fd = mkstemp(tmp); /* 0600: nobody reads the half-written file */
	if (fd < 0)
		return fail(err, errlen, "%s: cannot create a temporary file: %s", path,
			    strerror(errno));
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		fail(err, errlen, "%s: writing %s: %s", path, tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		fail(err, errlen, "%s: closing %s: %s", path, tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		fail(err, errlen, "%s: renaming %s: %s", path, tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (fsync_dir(path) != 0)
		return fail(err, errlen, "%s: syncing the directory: %s", path, strerror(errno));
	return 0;
}

int tk_file_read(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
		 char *err, size_t errlen)
{
	struct stat st;
	char *b;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | (flags & TK_FILE_NOFOLLOW ? O_NOFOLLOW : 0));

	*buf = NULL;
	*len = 0;
	if (fd < 0) {
		int e = errno;

		fail(err, errlen, "%s: %s", path, strerror(e));
		return e == ENOENT ? 1 : -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, "%s: not a regular file", path);
	}
	if ((flags & TK_FILE_PRIVATE) && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		close(fd);
		return fail(err, errlen, "%s: permissions %04o are too open (group/other bits "
			    "set); run chmod 600", path, (unsigned)(st.st_mode & 07777));
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return fail(err, errlen, "%s: larger than %zu octets", path, max);
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return fail(err, errlen, "%s: out of memory", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		tk_wipe(b, got);
		free(b);
		return fail(err, errlen, "%s: short read", path);
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}
