/*
 * log.c: stderr or syslog logging for tkmsd (see log.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tkmsd/log.h"

static const char *const names[] = {
	[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

static int max_level = LOG_INFO;
static bool to_syslog;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int tkmsd_log_level_parse(const char *name)
{
	int i;

	for (i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (names[i] && name && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static const char *level_name(int level)
{
	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	return names[level];
}

void tkmsd_log_setup(int level, bool use_syslog)
{
	pthread_mutex_lock(&lock);
	max_level = level;
	if (use_syslog && !to_syslog)
		openlog("tkmsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!use_syslog && to_syslog)
		closelog();
	to_syslog = use_syslog;
	pthread_mutex_unlock(&lock);
}

void tkmsd_log_close(void)
{
	pthread_mutex_lock(&lock);
	if (to_syslog)
		closelog();
	to_syslog = false;
	pthread_mutex_unlock(&lock);
}

static void vlog(int level, const char *fmt, va_list ap)
{
	char msg[1024], ts[32];
	struct timespec now;
	struct tm tm;
	size_t i;

	if (level > max_level)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	/* One event, one line: control characters from peers are neutralised. */
	for (i = 0; msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20)
			msg[i] = ' ';
	if (to_syslog) {
		syslog(level, "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&lock);
	fprintf(stderr, "%s.%03ldZ tkmsd[%ld] %s: %s\n", ts, now.tv_nsec / 1000000L,
		(long)getpid(), level_name(level), msg);
	pthread_mutex_unlock(&lock);
}

void tkmsd_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void tkmsd_log_http(void *cls, int level, const char *msg)
{
	tkmsd_log(level, "%s", msg);
}
