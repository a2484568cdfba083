/*
 * audit.h: the audit trail of tkmsd (profile P-15): one JSON object per line
 * per event (issued or resolved ticket, refusal), with a "time" member added
 * here. Never a key: events whose members look like key material are refused.
 * Thread-safe; each line is written with a single write(2) on an O_APPEND
 * descriptor, so concurrent writers never interleave.
 */
#ifndef TKMSD_AUDIT_H
#define TKMSD_AUDIT_H

#include <stddef.h>
#include <jansson.h>

struct tkmsd_audit;

/* path: a file (created 0600, appended) or "stderr". NULL with err. */
struct tkmsd_audit *tkmsd_audit_open(const char *path, char *err, size_t errlen);
void tkmsd_audit_close(struct tkmsd_audit *a);

/* Write event (a JSON object; borrowed) as one line, prefixed with
 * "time": "YYYY-MM-DDTHH:MM:SS.mmmZ". 0, or -1 when the event is not an
 * object, carries a member named like key material ("key", "psk", "ks_naf",
 * "tgk", "mpk", "tek", "salt", "password", "secret"), or the write failed. */
int tkmsd_audit_write(struct tkmsd_audit *a, json_t *event);

#endif
