/*
 * log.h: tkmsd's log, to stderr (one line, UTC time stamp) or syslog, with
 * syslog levels. Never pass a key, a password or a message body to it.
 */
#ifndef TKMSD_LOG_H
#define TKMSD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Level names: "error", "warning", "notice", "info", "debug". -1 if unknown. */
int tkmsd_log_level_parse(const char *name);

/* Messages above level are dropped. Safe to call again (reconfigure). */
void tkmsd_log_setup(int level, bool use_syslog);
void tkmsd_log_close(void);

void tkmsd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adapter for struct tk_http_config.log. */
void tkmsd_log_http(void *cls, int level, const char *msg);

#endif
