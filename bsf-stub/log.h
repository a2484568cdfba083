/*
 * log.h: bsf-stub's log lines on stderr ("time bsf-stub level: message").
 * Levels as syslog. Never pass key material to these functions.
 */
#ifndef BSF_LOG_H
#define BSF_LOG_H

enum { BSF_LOG_ERR = 3, BSF_LOG_WARN = 4, BSF_LOG_INFO = 6, BSF_LOG_DEBUG = 7 };

/* Lines above this level are dropped (default BSF_LOG_INFO). */
void bsf_log_set_level(int level);
void bsf_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
