/*
 * audit.h: the audit trail of tkmsd (profile P-15): one JSON object per line
 * per event (issued or resolved ticket, refusal), "time" first.
 *
 * A line is built by the request thread in a fixed buffer (struct
 * tkmsd_audit_line: members in call order, strings JSON-escaped the way
 * jansson's compact dump does, so lines are those of the jansson writer it
 * replaced). When no other thread is writing to the file, the request
 * thread appends it at once, so the line is in the file before the answer
 * is sent (what scripts and auditors reading the file expect). When another
 * thread is in write(2), perhaps held up by the disk, the line goes to a
 * bounded queue instead and a writer thread appends it (in batches): one
 * slow write never holds up the other workers. Nothing is dropped: when the
 * queue is full the request waits for the file (backpressure, counted and
 * logged); tkmsd_audit_close() writes everything queued before it returns.
 * Lines reach the file in the order they were written or queued. Member
 * names are literals of the caller (never a key: the unit test checks the
 * fixed names of the P-15 line).
 */
#ifndef TKMSD_AUDIT_H
#define TKMSD_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tkmsd_audit;

/* Large enough for any P-15 line: every string of struct kms_audit escaped
 * at 6 octets per character still fits. */
#define TKMSD_AUDIT_LINE_MAX 8192

/* The queue holds this many octets (about 10 000 lines, 0.4 s at 25 000
 * exchanges/s) before requests write themselves. */
#define TKMSD_AUDIT_QUEUE_DEFAULT (4u << 20)

struct tkmsd_audit_line {
	size_t len;
	bool overflow;		/* a member did not fit: the line is not written */
	char buf[TKMSD_AUDIT_LINE_MAX];
};

struct tkmsd_audit_stats {
	uint64_t lines;		/* lines accepted */
	uint64_t queued;	/* of which handed to the writer thread (file busy) */
	uint64_t direct;	/* of which waited for the file (queue full too) */
	uint64_t lost;		/* lines whose write(2) failed (logged) */
	uint64_t reopens;	/* tkmsd_audit_reopen() calls that switched files */
};

/* path: a file (created 0600, appended) or "stderr". queue_bytes: the
 * queue's size (0: TKMSD_AUDIT_QUEUE_DEFAULT); the writer thread holds two
 * buffers of that size. NULL with err. */
struct tkmsd_audit *tkmsd_audit_open(const char *path, size_t queue_bytes, char *err,
				     size_t errlen);
/* Writes every queued line, stops the writer thread, closes the file. */
void tkmsd_audit_close(struct tkmsd_audit *a);
/* SIGHUP after log rotation: the lines queued so far go to the file open
 * now, later ones to a freshly opened path. 0 (also for "stderr", which is
 * never reopened), or -1 with err when the path cannot be opened: the old
 * file stays in use. */
int tkmsd_audit_reopen(struct tkmsd_audit *a, char *err, size_t errlen);
void tkmsd_audit_get_stats(struct tkmsd_audit *a, struct tkmsd_audit_stats *st);

/* Start a line: {"time":"YYYY-MM-DDTHH:MM:SS.mmmZ" (now, UTC). */
void tkmsd_audit_line_begin(struct tkmsd_audit_line *l);
/* Members. name: a literal identifier (not escaped). */
void tkmsd_audit_line_str(struct tkmsd_audit_line *l, const char *name, const char *v);
void tkmsd_audit_line_uint(struct tkmsd_audit_line *l, const char *name, uint64_t v);
void tkmsd_audit_line_bool(struct tkmsd_audit_line *l, const char *name, bool v);
/* Member with a Unix time as "YYYY-MM-DDTHH:MM:SSZ". */
void tkmsd_audit_line_utc(struct tkmsd_audit_line *l, const char *name, int64_t t);
/* Close the line and queue it. 0, or -1 when it overflowed or (written by
 * this thread because the queue was full) the write failed. */
int tkmsd_audit_write(struct tkmsd_audit *a, struct tkmsd_audit_line *l);

/* "YYYY-MM-DDTHH:MM:SS" of a Unix time (proleptic Gregorian, UTC), 19
 * characters and a NUL; no time-zone lock (gmtime_r takes one). */
void tkmsd_audit_utc(int64_t t, char out[20]);

#endif
