/*
 * audit.c: P-15 audit lines (see audit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "tkmsd/audit.h"

struct tkmsd_audit {
	int fd;
	bool own_fd;
	pthread_mutex_t lock;
};

struct tkmsd_audit *tkmsd_audit_open(const char *path, char *err, size_t errlen)
{
	struct tkmsd_audit *a = calloc(1, sizeof *a);

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strcmp(path, "stderr") == 0) {
		a->fd = STDERR_FILENO;
	} else {
		a->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (a->fd < 0) {
			snprintf(err, errlen, "audit log \"%s\": %s", path, strerror(errno));
			free(a);
			return NULL;
		}
		a->own_fd = true;
	}
	pthread_mutex_init(&a->lock, NULL);
	return a;
}

void tkmsd_audit_close(struct tkmsd_audit *a)
{
	if (!a)
		return;
	if (a->own_fd)
		close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static bool keyish(const char *name)
{
	static const char *const deny[] = { "key", "psk", "ks_naf", "tgk", "mpk", "tek",
					    "salt", "password", "secret" };
	size_t i;

	for (i = 0; i < sizeof deny / sizeof deny[0]; i++)
		if (strcasecmp(name, deny[i]) == 0)
			return true;
	return false;
}

int tkmsd_audit_write(struct tkmsd_audit *a, json_t *event)
{
	json_t *line;
	const char *k;
	json_t *v;
	char ts[40], *text;
	struct timespec now;
	struct tm tm;
	size_t len, off = 0;
	int rc = 0;

	if (!a || !json_is_object(event))
		return -1;
	json_object_foreach(event, k, v)
		if (keyish(k))
			return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + strlen(ts), sizeof ts - strlen(ts), ".%03ldZ", now.tv_nsec / 1000000L);
	line = json_pack("{s:s}", "time", ts);
	if (!line || json_object_update(line, event) != 0) {
		json_decref(line);
		return -1;
	}
	text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (!text)
		return -1;
	len = strlen(text);
	text[len++] = '\n'; /* replaces the NUL; json_dumps' buffer is len+1 */
	pthread_mutex_lock(&a->lock);
	while (off < len) {
		ssize_t n = write(a->fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	pthread_mutex_unlock(&a->lock);
	free(text);
	return rc;
}
