/*
 * audit.c: P-15 audit lines (see audit.h): fixed-format line builder,
 * write-through when the file is free, else a bounded queue of two buffers
 * and the writer thread.
 *
 * Locks: out_mu serialises everything that writes to fd (request threads,
 * the writer thread, reopen) and owns the spare buffer; q_mu guards the
 * queue. Order out_mu -> q_mu. Whoever holds out_mu takes the whole queue
 * and writes it before anything of its own, so queued lines keep their
 * place.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tkmsd/audit.h"
#include "tkmsd/log.h"

struct tkmsd_audit {
	int fd;
	char *path;		/* NULL for stderr */
	size_t cap;

	pthread_mutex_t q_mu;
	pthread_cond_t q_cv;
	char *cur;		/* queued lines */
	size_t cur_len;
	uint64_t cur_lines;
	bool writer_idle, stop;

	pthread_mutex_t out_mu;
	char *spare;
	bool failing;		/* the last write failed (logged once per streak) */

	pthread_t writer;
	atomic_uint_fast64_t lines, queued, direct, lost, reopens;
};

/* ---- output (under out_mu) ------------------------------------------------------ */

static void out_locked(struct tkmsd_audit *a, const char *p, size_t n, uint64_t nlines)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = write(a->fd, p + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;

			atomic_fetch_add(&a->lost, nlines);
			if (!a->failing)
				tkmsd_log(LOG_ERR, "audit: write to %s failed (%s): audit lines are "
					  "being lost", a->path ? a->path : "stderr", strerror(e));
			a->failing = true;
			return;
		}
		off += (size_t)w;
	}
	if (a->failing)
		tkmsd_log(LOG_NOTICE, "audit: writing to %s again (%llu lines lost so far)",
			  a->path ? a->path : "stderr", (unsigned long long)atomic_load(&a->lost));
	a->failing = false;
}

/* Write out everything queued (caller holds out_mu). */
static void drain_locked(struct tkmsd_audit *a)
{
	char *b;
	size_t n;
	uint64_t nl;

	pthread_mutex_lock(&a->q_mu);
	b = a->cur;
	n = a->cur_len;
	nl = a->cur_lines;
	a->cur = a->spare;
	a->cur_len = 0;
	a->cur_lines = 0;
	pthread_mutex_unlock(&a->q_mu);
	a->spare = b;
	if (n)
		out_locked(a, b, n, nl);
}

static int64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The writer makes at most one write(2) per BATCH_NS: a wake-up and a
 * write per line or two cost about 6 us per line (measured with every line
 * queued); after a pause the first queued line is written at once. */
#define BATCH_NS 1000000

static void *writer_main(void *arg)
{
	struct tkmsd_audit *a = arg;
	int64_t last = 0;

	for (;;) {
		bool done, stopping;
		int64_t since;

		pthread_mutex_lock(&a->q_mu);
		while (a->cur_len == 0 && !a->stop) {
			a->writer_idle = true;
			pthread_cond_wait(&a->q_cv, &a->q_mu);
		}
		a->writer_idle = false;
		stopping = a->stop;
		done = a->cur_len == 0; /* and stopping */
		pthread_mutex_unlock(&a->q_mu);
		if (done)
			return NULL;
		since = mono_ns() - last;
		if (since < BATCH_NS && !stopping) {
			struct timespec d = { 0, (long)(BATCH_NS - since) };

			nanosleep(&d, NULL);
		}
		pthread_mutex_lock(&a->out_mu);
		drain_locked(a);
		pthread_mutex_unlock(&a->out_mu);
		last = mono_ns();
	}
}

/* ---- open, close, reopen ---------------------------------------------------------- */

static int open_path(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

static void release(struct tkmsd_audit *a)
{
	if (a->fd >= 0 && a->fd != STDERR_FILENO)
		close(a->fd);
	free(a->cur);
	free(a->spare);
	free(a->path);
	free(a);
}

struct tkmsd_audit *tkmsd_audit_open(const char *path, size_t queue_bytes, char *err,
				     size_t errlen)
{
	struct tkmsd_audit *a = calloc(1, sizeof *a);

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->fd = -1;
	a->cap = queue_bytes ? queue_bytes : TKMSD_AUDIT_QUEUE_DEFAULT;
	a->cur = malloc(a->cap);
	a->spare = malloc(a->cap);
	if (strcmp(path, "stderr") != 0)
		a->path = strdup(path);
	if (!a->cur || !a->spare || (strcmp(path, "stderr") != 0 && !a->path)) {
		snprintf(err, errlen, "out of memory");
		release(a);
		return NULL;
	}
	a->fd = a->path ? open_path(path) : STDERR_FILENO;
	if (a->fd < 0) {
		snprintf(err, errlen, "audit log \"%s\": %s", path, strerror(errno));
		release(a);
		return NULL;
	}
	atomic_init(&a->lines, 0);
	atomic_init(&a->queued, 0);
	atomic_init(&a->direct, 0);
	atomic_init(&a->lost, 0);
	atomic_init(&a->reopens, 0);
	pthread_mutex_init(&a->q_mu, NULL);
	pthread_cond_init(&a->q_cv, NULL);
	pthread_mutex_init(&a->out_mu, NULL);
	if (pthread_create(&a->writer, NULL, writer_main, a) != 0) {
		snprintf(err, errlen, "audit: cannot start the writer thread");
		pthread_cond_destroy(&a->q_cv);
		pthread_mutex_destroy(&a->q_mu);
		pthread_mutex_destroy(&a->out_mu);
		release(a);
		return NULL;
	}
	return a;
}

void tkmsd_audit_close(struct tkmsd_audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->q_mu);
	a->stop = true;
	pthread_cond_signal(&a->q_cv);
	pthread_mutex_unlock(&a->q_mu);
	pthread_join(a->writer, NULL); /* it leaves when the queue is empty */
	if (atomic_load(&a->direct) || atomic_load(&a->lost))
		tkmsd_log(LOG_WARNING, "audit: %llu lines, %llu queued, %llu waited for the file "
			  "because the queue (%zu octets) was full, %llu lost to write errors",
			  (unsigned long long)atomic_load(&a->lines),
			  (unsigned long long)atomic_load(&a->queued),
			  (unsigned long long)atomic_load(&a->direct), a->cap,
			  (unsigned long long)atomic_load(&a->lost));
	pthread_cond_destroy(&a->q_cv);
	pthread_mutex_destroy(&a->q_mu);
	pthread_mutex_destroy(&a->out_mu);
	release(a);
}

int tkmsd_audit_reopen(struct tkmsd_audit *a, char *err, size_t errlen)
{
	int fd, old;

	if (!a->path)
		return 0;
	fd = open_path(a->path);
	if (fd < 0) {
		snprintf(err, errlen, "audit log \"%s\": %s", a->path, strerror(errno));
		return -1;
	}
	pthread_mutex_lock(&a->out_mu);
	drain_locked(a); /* lines queued before the rotation stay in the old file */
	old = a->fd;
	a->fd = fd;
	a->failing = false;
	pthread_mutex_unlock(&a->out_mu);
	close(old);
	atomic_fetch_add(&a->reopens, 1);
	return 0;
}

void tkmsd_audit_get_stats(struct tkmsd_audit *a, struct tkmsd_audit_stats *st)
{
	st->lines = atomic_load(&a->lines);
	st->queued = atomic_load(&a->queued);
	st->direct = atomic_load(&a->direct);
	st->lost = atomic_load(&a->lost);
	st->reopens = atomic_load(&a->reopens);
}

/* ---- queueing ------------------------------------------------------------------------ */

static void put(struct tkmsd_audit_line *l, const char *p, size_t n)
{
	if (l->overflow || n > sizeof l->buf - l->len) {
		l->overflow = true;
		return;
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

int tkmsd_audit_write(struct tkmsd_audit *a, struct tkmsd_audit_line *l)
{
	bool queued = false, first_direct;
	uint64_t lost_before;

	put(l, "}\n", 2);
	if (l->overflow)
		return -1;
	atomic_fetch_add(&a->lines, 1);

	/* Nobody writing: write now, so the line is in the file before the
	 * answer leaves (after whatever was queued before it). */
	if (pthread_mutex_trylock(&a->out_mu) == 0) {
		drain_locked(a);
		lost_before = atomic_load(&a->lost);
		out_locked(a, l->buf, l->len, 1);
		pthread_mutex_unlock(&a->out_mu);
		return atomic_load(&a->lost) == lost_before ? 0 : -1;
	}

	/* Another thread is in write(2), perhaps held up by the disk: queue
	 * the line for the writer thread instead of waiting. */
	pthread_mutex_lock(&a->q_mu);
	if (l->len <= a->cap - a->cur_len) {
		memcpy(a->cur + a->cur_len, l->buf, l->len);
		a->cur_len += l->len;
		a->cur_lines++;
		queued = true;
		if (a->writer_idle) {
			a->writer_idle = false;
			pthread_cond_signal(&a->q_cv);
		}
	}
	pthread_mutex_unlock(&a->q_mu);
	if (queued) {
		atomic_fetch_add(&a->queued, 1);
		return 0;
	}

	/* Backpressure: the disk is slower than the requests. Wait for the
	 * file, write what is queued, then this line. */
	first_direct = atomic_fetch_add(&a->direct, 1) == 0;
	pthread_mutex_lock(&a->out_mu);
	drain_locked(a);
	lost_before = atomic_load(&a->lost);
	out_locked(a, l->buf, l->len, 1);
	pthread_mutex_unlock(&a->out_mu);
	if (first_direct)
		tkmsd_log(LOG_WARNING, "audit: queue of %zu octets full, requests wait for the "
			  "audit file (disk too slow?)", a->cap);
	return atomic_load(&a->lost) == lost_before ? 0 : -1;
}

/* ---- line builder ------------------------------------------------------------------- */

/* Days since 1970-01-01 -> civil date (H. Hinnant's algorithm). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void two(char *o, unsigned v)
{
	o[0] = (char)('0' + v / 10);
	o[1] = (char)('0' + v % 10);
}

void tkmsd_audit_utc(int64_t t, char out[20])
{
	int64_t days = t / 86400, secs = t % 86400, y;
	unsigned m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = 0; /* not a time an audited ticket can carry */
	two(out, (unsigned)(y / 100));
	two(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	two(out + 5, m);
	out[7] = '-';
	two(out + 8, d);
	out[10] = 'T';
	two(out + 11, (unsigned)(secs / 3600));
	out[13] = ':';
	two(out + 14, (unsigned)(secs / 60 % 60));
	out[16] = ':';
	two(out + 17, (unsigned)(secs % 60));
	out[19] = 0;
}

void tkmsd_audit_line_begin(struct tkmsd_audit_line *l)
{
	struct timespec now;
	char ts[20], ms[3];
	unsigned v;

	clock_gettime(CLOCK_REALTIME, &now);
	tkmsd_audit_utc((int64_t)now.tv_sec, ts);
	v = (unsigned)(now.tv_nsec / 1000000L);
	ms[0] = (char)('0' + v / 100);
	two(ms + 1, v % 100);
	l->len = 0;
	l->overflow = false;
	put(l, "{\"time\":\"", 9);
	put(l, ts, 19);
	put(l, ".", 1);
	put(l, ms, 3);
	put(l, "Z\"", 2);
}

static void put_name(struct tkmsd_audit_line *l, const char *name)
{
	put(l, ",\"", 2);
	put(l, name, strlen(name));
	put(l, "\":", 2);
}

/* Length of the valid UTF-8 sequence at p (no overlongs, surrogates or
 * code points above U+10FFFF), 0 if there is none. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

/* JSON string as jansson's compact dump writes it: \" \\ \b \f \n \r \t,
 * other controls as \u00XX (upper-case hex), everything else (UTF-8
 * included) as it is. jansson refuses strings that are not UTF-8; here an
 * invalid octet becomes U+FFFD so that the line stays valid JSON. */
static void put_json_str(struct tkmsd_audit_line *l, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	size_t run;

	put(l, "\"", 1);
	while (*p) {
		char esc[6];
		size_t n;

		for (run = 0; p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\';
		     run++)
			;
		put(l, (const char *)p, run);
		p += run;
		if (!*p)
			break;
		if (*p >= 0x80) {
			n = utf8_len(p);
			if (n)
				put(l, (const char *)p, n);
			else
				put(l, "\\uFFFD", 6);
			p += n ? n : 1;
			continue;
		}
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; n = 2; break;
		case '\\': esc[1] = '\\'; n = 2; break;
		case '\b': esc[1] = 'b'; n = 2; break;
		case '\f': esc[1] = 'f'; n = 2; break;
		case '\n': esc[1] = 'n'; n = 2; break;
		case '\r': esc[1] = 'r'; n = 2; break;
		case '\t': esc[1] = 't'; n = 2; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		put(l, esc, n);
		p++;
	}
	put(l, "\"", 1);
}

void tkmsd_audit_line_str(struct tkmsd_audit_line *l, const char *name, const char *v)
{
	put_name(l, name);
	put_json_str(l, v);
}

void tkmsd_audit_line_uint(struct tkmsd_audit_line *l, const char *name, uint64_t v)
{
	char d[20];
	size_t i = sizeof d;

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_name(l, name);
	put(l, d + i, sizeof d - i);
}

void tkmsd_audit_line_bool(struct tkmsd_audit_line *l, const char *name, bool v)
{
	put_name(l, name);
	if (v)
		put(l, "true", 4);
	else
		put(l, "false", 5);
}

void tkmsd_audit_line_utc(struct tkmsd_audit_line *l, const char *name, int64_t t)
{
	char ts[20];

	tkmsd_audit_utc(t, ts);
	put_name(l, name);
	put(l, "\"", 1);
	put(l, ts, 19);
	put(l, "Z\"", 2);
}
