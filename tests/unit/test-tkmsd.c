/*
 * test-tkmsd.c: the tkmsd pieces that need no daemon: the P-15 audit writer
 * (one JSON line per event, a time stamp first, strings escaped as jansson
 * does, concurrent writers never interleave nor lose a line when the queue
 * is full, reopen after rotation), the PSK Ua id choice (P-1), and the
 * configuration loader's result for the embedded defaults and a file, and
 * the P-6 verdict table of the /mikey route, driven over HTTP with libcurl
 * by a stand-in engine that returns the verdict named in the request body;
 * the engine glue: outcome -> verdict (P-6, P-22), the P-15 event of an
 * engine result (the bytes of the jansson writer it replaced, no member
 * named like key material), and the reload of configuration and key ring (a bad key
 * ring or another FQDN is refused and the running engine keeps answering).
 */
#define _GNU_SOURCE 1 /* F_SETPIPE_SZ */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <curl/curl.h>
#include <jansson.h>

#include "naf/naf.h"
#include "tkmsd/routes.h"

#include "tkmsd/audit.h"
#include "tkmsd/conf.h"
#include "tkmsd/engine_glue.h"
#include "tkmsd/psk.h"
#include "tk_test.h"

static char dir[64];

/* The lines of path, each checked to be one JSON object; n: how many. */
static json_t *read_lines(const char *path, int *n)
{
	char line[TKMSD_AUDIT_LINE_MAX + 2];
	json_t *all = json_array();
	FILE *f = fopen(path, "r");

	*n = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof line, f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);

		CU_ASSERT(strlen(line) > 0 && line[strlen(line) - 1] == '\n');
		CU_ASSERT_PTR_NOT_NULL(o);
		CU_ASSERT(json_is_object(o));
		json_array_append_new(all, o ? o : json_null());
		(*n)++;
	}
	fclose(f);
	return all;
}

static void test_audit_lines(void)
{
	char path[128], err[200], line[512];
	struct tkmsd_audit *a;
	struct tkmsd_audit_line l;
	json_t *all, *o;
	FILE *f;
	int n;

	snprintf(path, sizeof path, "%s/audit.log", dir);
	a = tkmsd_audit_open(path, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	tkmsd_audit_line_begin(&l);
	tkmsd_audit_line_str(&l, "op", "request");
	tkmsd_audit_line_str(&l, "impi", "alice@home1.net");
	tkmsd_audit_line_uint(&l, "key_id", 7);
	tkmsd_audit_line_str(&l, "result", "ok \"quoted\"\nnewline");
	tkmsd_audit_line_bool(&l, "forked", false);
	tkmsd_audit_line_utc(&l, "valid_to", 1795820400);
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, &l), 0);
	tkmsd_audit_close(a); /* writes what is queued */

	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fgets(line, sizeof line, f));
	fclose(f);
	CU_ASSERT_EQUAL(strncmp(line, "{\"time\":\"", 9), 0);
	CU_ASSERT_STRING_EQUAL(line + 33, "\",\"op\":\"request\",\"impi\":\"alice@home1.net\","
			       "\"key_id\":7,\"result\":\"ok \\\"quoted\\\"\\nnewline\","
			       "\"forked\":false,\"valid_to\":\"2026-11-27T23:00:00Z\"}\n");
	all = read_lines(path, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	o = json_array_get(all, 0);
	CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(o, "time"))), 24);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "result")),
			       "ok \"quoted\"\nnewline");
	json_decref(all);
	CU_ASSERT_PTR_NULL(tkmsd_audit_open("/nonexistent/dir/audit.log", 0, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/dir/audit.log"));
}

/* Strings come out exactly as jansson's compact dump writes them (the
 * writer this replaced), and always as valid JSON. */
static void test_audit_escaping(void)
{
	static const char *const s[] = {
		"", "plain", "q\"uote", "back\\slash", "sl/ash", "\b\f\n\r\t", "\x01\x02\x1b\x1f",
		"del\x7f", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", "\xef\xbf\xbf",
		"sip:alice@home1.net AAAA+/=@bsf.home1.net",
	};
	static const char *const bad[] = { "\xc3", "a\xff" "b", "\xc0\xaf", "\xed\xa0\x80",
					   "\xf4\x90\x80\x80", "\xe2\x82" };
	struct tkmsd_audit_line l;
	char c[2] = { 0, 0 }, ts[25];
	size_t i;

	for (i = 0; i < sizeof s / sizeof s[0] + 31; i++) {
		const char *v = s[i < sizeof s / sizeof s[0] ? i : 0];
		json_t *o;
		char *want;

		if (i >= sizeof s / sizeof s[0]) { /* every control character alone */
			c[0] = (char)(i - sizeof s / sizeof s[0] + 1);
			v = c;
		}
		tkmsd_audit_line_begin(&l);
		tkmsd_audit_line_str(&l, "x", v);
		CU_ASSERT_FALSE(l.overflow);
		CU_ASSERT_FATAL(l.len > 33);
		memcpy(ts, l.buf + 9, 24);
		ts[24] = 0;
		o = json_pack("{s:s, s:s}", "time", ts, "x", v);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		want = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		CU_ASSERT_EQUAL(strlen(want), l.len + 1);
		CU_ASSERT(strncmp(want, l.buf, l.len) == 0 && want[l.len] == '}');
		if (strncmp(want, l.buf, l.len) != 0)
			fprintf(stderr, "escaping of string %zu: %s vs %.*s\n", i, want, (int)l.len,
				l.buf);
		free(want);
		json_decref(o);
	}
	/* jansson refuses these; here each bad octet is U+FFFD */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_error_t je;
		json_t *o;

		tkmsd_audit_line_begin(&l);
		tkmsd_audit_line_str(&l, "x", bad[i]);
		l.buf[l.len] = '}';
		o = json_loadb(l.buf, l.len + 1, 0, &je);
		CU_ASSERT_PTR_NOT_NULL(o);
		CU_ASSERT_PTR_NOT_NULL(o ? strstr(json_string_value(json_object_get(o, "x")),
						  "\xef\xbf\xbd") : NULL);
		json_decref(o);
	}
	/* the first bad octet of a truncated sequence, then what follows */
	tkmsd_audit_line_begin(&l);
	tkmsd_audit_line_str(&l, "x", "a\xe2\x82z");
	CU_ASSERT(l.len > 40 && memcmp(l.buf + l.len - 16, "\"a\\uFFFD\\uFFFDz\"", 16) == 0);
	/* a member that does not fit: the line is refused, not cut */
	{
		static char big[TKMSD_AUDIT_LINE_MAX];
		char path[128], err[200];
		struct tkmsd_audit *a;
		struct tkmsd_audit_stats st;

		memset(big, 'a', sizeof big - 1);
		snprintf(path, sizeof path, "%s/audit-big.log", dir);
		a = tkmsd_audit_open(path, 0, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		tkmsd_audit_line_begin(&l);
		tkmsd_audit_line_str(&l, "x", big);
		CU_ASSERT(l.overflow);
		CU_ASSERT_EQUAL(tkmsd_audit_write(a, &l), -1);
		tkmsd_audit_get_stats(a, &st);
		CU_ASSERT_EQUAL(st.lines, 0);
		tkmsd_audit_close(a);
	}
}

static void test_audit_utc(void)
{
	static const int64_t t[] = { 0, 1, 59, 86399, 86400, 951782400 /* 2000-02-29 */,
				     951868800, 1795820400, 4102444799LL, 4102444800LL,
				     253402300799LL /* 9999-12-31T23:59:59 */ };
	char mine[20], want[32];
	struct tm tm;
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof t / sizeof t[0] + 2000; i++) {
		time_t tt;

		/* the fixed values, then a walk over 1970..2106 in 25-day steps
		 * plus an odd number of seconds */
		v = i < sizeof t / sizeof t[0] ? t[i] : (int64_t)(i - 11) * 2160000 + (int64_t)i * 37;
		tt = (time_t)v;
		CU_ASSERT_PTR_NOT_NULL_FATAL(gmtime_r(&tt, &tm));
		strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S", &tm);
		tkmsd_audit_utc(v, mine);
		CU_ASSERT_STRING_EQUAL(mine, want);
	}
}

struct writer { struct tkmsd_audit *a; int id; };

static void *write_many(void *arg)
{
	struct writer *w = arg;
	char pad[300];
	int i;

	memset(pad, 'a' + w->id, sizeof pad - 1);
	pad[sizeof pad - 1] = 0;
	for (i = 0; i < 200; i++) {
		struct tkmsd_audit_line l;

		tkmsd_audit_line_begin(&l);
		tkmsd_audit_line_uint(&l, "writer", (uint64_t)w->id);
		tkmsd_audit_line_uint(&l, "n", (uint64_t)i);
		tkmsd_audit_line_str(&l, "pad", pad);
		if (tkmsd_audit_write(w->a, &l) != 0)
			CU_FAIL("audit write");
	}
	return NULL;
}

/* Four request threads, a queue of three lines: whether a line is written
 * by its thread, queued or waits for the file, none is lost, none
 * interleaves, and each thread's lines are in its order. */
static void test_audit_concurrent(void)
{
	char path[128], err[200];
	struct writer w[4];
	struct tkmsd_audit_stats st;
	pthread_t t[4];
	json_t *all, *o;
	int i, n, next[4] = { 0, 0, 0, 0 };
	size_t k;

	snprintf(path, sizeof path, "%s/audit2.log", dir);
	w[0].a = tkmsd_audit_open(path, 1024, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w[0].a);
	for (i = 0; i < 4; i++) {
		w[i].a = w[0].a;
		w[i].id = i;
		pthread_create(&t[i], NULL, write_many, &w[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	tkmsd_audit_get_stats(w[0].a, &st);
	CU_ASSERT_EQUAL(st.lines, 800);
	CU_ASSERT_EQUAL(st.lost, 0);
	tkmsd_audit_close(w[0].a);
	all = read_lines(path, &n);
	CU_ASSERT_EQUAL(n, 800);
	json_array_foreach(all, k, o) {
		int id = (int)json_integer_value(json_object_get(o, "writer"));

		CU_ASSERT_FATAL(id >= 0 && id < 4);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "n")), next[id]);
		next[id]++;
	}
	json_decref(all);
}

struct fifo_writer { struct tkmsd_audit *a; int n; size_t pad; int rc; };

static void *fifo_write(void *arg)
{
	struct fifo_writer *w = arg;
	struct tkmsd_audit_line l;
	static char pad[6000];

	memset(pad, 'p', w->pad);
	pad[w->pad] = 0;
	tkmsd_audit_line_begin(&l);
	tkmsd_audit_line_uint(&l, "n", (uint64_t)w->n);
	tkmsd_audit_line_str(&l, "pad", pad);
	w->rc = tkmsd_audit_write(w->a, &l);
	return NULL;
}

static void wait_for(bool (*cond)(void *), void *arg)
{
	int i;

	for (i = 0; i < 5000 && !cond(arg); i++)
		usleep(1000);
	CU_ASSERT_FATAL(cond(arg));
}

static int fifo_rd;

static bool pipe_full(void *arg)
{
	int n = 0;

	(void)arg;
	return ioctl(fifo_rd, FIONREAD, &n) == 0 && n == 4096;
}

static bool direct_counted(void *arg)
{
	struct tkmsd_audit_stats st;

	tkmsd_audit_get_stats(arg, &st);
	return st.direct == 1;
}

/* A write that blocks (a FIFO nobody reads, one page large) holds up only
 * its own request: the next lines are queued and their requests go on;
 * when the queue is full too, a request waits (counted); nothing is lost
 * and the order is kept. */
static void test_audit_backpressure(void)
{
	char path[128], err[200], buf[65536];
	struct fifo_writer big = { NULL, 0, 5000, -1 }, last = { NULL, -1, 10, -1 };
	struct tkmsd_audit *a;
	struct tkmsd_audit_line l;
	struct tkmsd_audit_stats st;
	pthread_t t1, t2;
	size_t got = 0, qbytes = 0;
	int i, nq = 0, lines = 0, expect;
	char *p, *line;

	snprintf(path, sizeof path, "%s/audit.fifo", dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
	fifo_rd = open(path, O_RDONLY | O_NONBLOCK);
	CU_ASSERT_FATAL(fifo_rd >= 0);
	CU_ASSERT_FATAL(fcntl(fifo_rd, F_SETPIPE_SZ, 4096) == 4096);
	a = tkmsd_audit_open(path, 1024, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	big.a = last.a = a;
	/* a line larger than the pipe: its write(2) blocks */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t1, NULL, fifo_write, &big), 0);
	wait_for(pipe_full, NULL);
	/* the file is busy: lines are queued, the requests go on */
	for (i = 1;; i++) {
		tkmsd_audit_line_begin(&l);
		tkmsd_audit_line_uint(&l, "n", (uint64_t)i);
		if (qbytes + l.len + 2 > 1024)
			break; /* would not fit: this request would wait */
		CU_ASSERT_EQUAL(tkmsd_audit_write(a, &l), 0);
		qbytes += l.len;
		nq++;
	}
	tkmsd_audit_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.queued, (uint64_t)nq);
	CU_ASSERT(nq >= 10);
	CU_ASSERT_EQUAL(st.direct, 0);
	/* the queue is full: this request waits for the file */
	last.n = nq + 1;
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t2, NULL, fifo_write, &last), 0);
	wait_for(direct_counted, a);
	/* read everything: the big line, the queued ones, the last one */
	expect = nq + 2;
	while (lines < expect && got < sizeof buf - 1) {
		ssize_t r = read(fifo_rd, buf + got, sizeof buf - 1 - got);

		if (r > 0) {
			for (i = 0; i < r; i++)
				lines += buf[got + (size_t)i] == '\n';
			got += (size_t)r;
		} else {
			usleep(1000);
		}
	}
	buf[got] = 0;
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	CU_ASSERT_EQUAL(big.rc, 0);
	CU_ASSERT_EQUAL(last.rc, 0);
	tkmsd_audit_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.lines, (uint64_t)expect);
	CU_ASSERT_EQUAL(st.direct, 1);
	CU_ASSERT_EQUAL(st.lost, 0);
	tkmsd_audit_close(a);
	CU_ASSERT_EQUAL(read(fifo_rd, buf + got, 1), 0); /* nothing more, writer closed */
	close(fifo_rd);
	CU_ASSERT_EQUAL(lines, expect);
	for (i = 0, line = strtok_r(buf, "\n", &p); line; line = strtok_r(NULL, "\n", &p), i++) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);

		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "n")), i);
		json_decref(o);
	}
	CU_ASSERT_EQUAL(i, expect);
}

/* Log rotation: after a rename, reopen sends later lines to a new file. */
static void test_audit_reopen(void)
{
	char path[128], moved[160], moved2[160], err[200];
	struct tkmsd_audit *a;
	struct tkmsd_audit_line l;
	struct tkmsd_audit_stats st;
	json_t *all;
	int n;

	snprintf(path, sizeof path, "%s/audit4.log", dir);
	snprintf(moved, sizeof moved, "%s.1", path);
	snprintf(moved2, sizeof moved2, "%s.2", path);
	a = tkmsd_audit_open(path, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	tkmsd_audit_line_begin(&l);
	tkmsd_audit_line_uint(&l, "n", 1);
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, &l), 0);
	CU_ASSERT_EQUAL_FATAL(rename(path, moved), 0);
	CU_ASSERT_EQUAL(tkmsd_audit_reopen(a, err, sizeof err), 0);
	tkmsd_audit_line_begin(&l);
	tkmsd_audit_line_uint(&l, "n", 2);
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, &l), 0);
	/* the path cannot be created: the old file stays in use */
	CU_ASSERT_EQUAL_FATAL(rename(path, moved2), 0);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL(tkmsd_audit_reopen(a, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, path));
	tkmsd_audit_line_begin(&l);
	tkmsd_audit_line_uint(&l, "n", 3);
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, &l), 0);
	tkmsd_audit_get_stats(a, &st);
	CU_ASSERT_EQUAL(st.reopens, 1);
	tkmsd_audit_close(a);
	all = read_lines(moved, &n);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(all, 0), "n")), 1);
	json_decref(all);
	all = read_lines(moved2, &n);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(all, 0), "n")), 2);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_array_get(all, 1), "n")), 3);
	json_decref(all);
	rmdir(path);
	/* stderr is never reopened */
	a = tkmsd_audit_open("stderr", 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(tkmsd_audit_reopen(a, err, sizeof err), 0);
	tkmsd_audit_close(a);
}

static void test_psk_ua(void)
{
	struct tk_http_psk_query q = { "x", TK_TLS_1_2, { 0xcc, 0xac } };
	tk_ua_id ua = tkmsd_psk_ua(&q);
	static const uint8_t want12[5] = { 0x01, 0x00, 0x01, 0xcc, 0xac };
	static const uint8_t want13[5] = { 0x01, 0x00, 0x00, 0x00, 0x07 };

	CU_ASSERT(memcmp(ua.b, want12, 5) == 0);
	q.tls_version = TK_TLS_1_3;
	q.suite[0] = 0x13;
	q.suite[1] = 0x01;
	ua = tkmsd_psk_ua(&q);
	CU_ASSERT(memcmp(ua.b, want13, 5) == 0);
}

static void test_config_values(void)
{
	struct tkmsd_config c;
	char err[2000], path[128];
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(tkmsd_config_load(NULL, &c, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.fqdn, "kms.home1.net");
	CU_ASSERT(c.psk.enabled && c.https.enabled && !c.http.enabled);
	CU_ASSERT_STRING_EQUAL(c.psk.listen, "127.0.0.1:8443");
	CU_ASSERT_STRING_EQUAL(c.bsf.url, "http://127.0.0.1:8081");
	CU_ASSERT_STRING_EQUAL(c.bsf.token, "lab-token-kms");
	CU_ASSERT_STRING_EQUAL(c.bsf.gsid, "0");
	CU_ASSERT_EQUAL(c.limits.max_body, 65536);
	CU_ASSERT_EQUAL(c.policy.clock_skew, 300);
	CU_ASSERT(c.policy.set128 && c.policy.set256);
	/* P-11: D E F G H I J N O */
	CU_ASSERT_EQUAL(c.policy.flags_default, 0x10000u | 0x08000 | 0x04000 | 0x02000 | 0x01000 |
			0x00800 | 0x00400 | 0x00040 | 0x00020);
	CU_ASSERT_EQUAL(c.policy.flags_choosable, 0x04000u | 0x02000 | 0x01000 | 0x00800 | 0x00400);
	CU_ASSERT_EQUAL(c.n_groups, 0);
	CU_ASSERT_PTR_NULL(c.pid_file);
	tkmsd_config_free(&c);

	snprintf(path, sizeof path, "%s/c.json", dir);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{ \"fqdn\": \"kms.example.org\", \"listeners\": { \"http\": { \"enabled\": true } },"
	      " \"policy\": { \"allowed_sets\": [\"256\"] },"
	      " \"groups\": { \"sip:team@home1.net\": [\"sip:carol@home1.net\", \"sip:dave@home1.net\"] },"
	      " \"network_functions\": [ { \"name\": \"li-1\", \"impi\": \"li-1@home1.net\", \"intercept\": true },"
	      "   { \"name\": \"mgw\", \"cert_subject\": \"CN=mgw\" } ] }", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(tkmsd_config_load(path, &c, err, sizeof err), 0);
	CU_ASSERT_STRING_EQUAL(c.fqdn, "kms.example.org");
	CU_ASSERT(c.http.enabled);
	CU_ASSERT_STRING_EQUAL(c.http.listen, "127.0.0.1:8082"); /* merged default */
	CU_ASSERT(!c.policy.set128 && c.policy.set256);
	CU_ASSERT_EQUAL_FATAL(c.n_groups, 1);
	CU_ASSERT_STRING_EQUAL(c.groups[0].uri, "sip:team@home1.net");
	CU_ASSERT_EQUAL(c.groups[0].n_members, 2);
	CU_ASSERT_STRING_EQUAL(c.groups[0].members[1], "sip:dave@home1.net");
	CU_ASSERT_EQUAL_FATAL(c.n_nfs, 2);
	CU_ASSERT(c.nfs[0].intercept && !c.nfs[1].intercept);
	CU_ASSERT_STRING_EQUAL(c.nfs[0].impi, "li-1@home1.net");
	CU_ASSERT_STRING_EQUAL(c.nfs[1].cert_subject, "CN=mgw");
	CU_ASSERT_PTR_NULL(c.nfs[1].impi);
	tkmsd_config_free(&c);
}

/* Body "<verdict digit>[m]": answer with that verdict, with a 3-octet
 * "MIKEY" response when 'm' follows. */
static void scripted(void *ctx, const uint8_t *req, size_t len, const struct tkmsd_tid *tid,
		     struct tkmsd_mikey_out *out)
{
	out->verdict = len ? (enum tkmsd_verdict)(req[0] - '0') : TKMSD_V_INTERNAL;
	out->reason = "scripted";
	out->resp_len = 0;
	if (len > 1 && req[1] == 'm') {
		memcpy(out->resp, "\x01\x02\x03", 3);
		out->resp_len = 3;
	}
}

struct got { long status; char ctype[64]; char hdrs[2048]; size_t hl; uint8_t body[64]; size_t bl; };

static size_t got_body(char *p, size_t sz, size_t n, void *ud)
{
	struct got *g = ud;
	size_t k = sz * n;

	if (k > sizeof g->body - g->bl)
		k = sizeof g->body - g->bl;
	memcpy(g->body + g->bl, p, k);
	g->bl += k;
	return sz * n;
}

static size_t got_hdr(char *p, size_t sz, size_t n, void *ud)
{
	struct got *g = ud;
	size_t k = sz * n;

	if (k > sizeof g->hdrs - 1 - g->hl)
		k = sizeof g->hdrs - 1 - g->hl;
	memcpy(g->hdrs + g->hl, p, k);
	g->hl += k;
	g->hdrs[g->hl] = 0;
	return sz * n;
}

static void post(uint16_t port, const char *body, struct got *g)
{
	CURL *h = curl_easy_init();
	struct curl_slist *ct = curl_slist_append(NULL, "Content-Type: application/mikey");
	char url[64];
	char *t = NULL;

	memset(g, 0, sizeof *g);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/mikey", port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, ct);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, got_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, g);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, got_hdr);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, g);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	CU_ASSERT_EQUAL(curl_easy_perform(h), CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &g->status);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &t);
	snprintf(g->ctype, sizeof g->ctype, "%s", t ? t : "");
	curl_slist_free_all(ct);
	curl_easy_cleanup(h);
}

static void test_verdict_table(void)
{
	struct naf_config nc = { .fqdn = "kms.home1.net", .zn_url = "http://127.0.0.1:9" };
	struct tkmsd_routes r;
	struct tk_http_config hc;
	struct tk_http_server *srv = NULL;
	char err[256];
	struct got g;
	static const struct { const char *body; long status; bool mikey; const char *hdr; } cases[] = {
		{ "0m", 200, true, NULL },
		{ "1", 400, false, NULL },
		{ "1m", 400, true, NULL },
		{ "2", 401, false, "WWW-Authenticate: Digest realm=\"3GPP-bootstrapping@kms.home1.net\"" },
		{ "2m", 401, true, "qop=\"auth\"" },
		{ "3", 403, false, NULL },
		{ "3m", 403, true, NULL },
		{ "4", 503, false, "Retry-After: 5" },
		{ "4m", 503, true, "Retry-After: 5" },
		{ "5", 500, false, NULL },
	};
	size_t i;

	memset(&r, 0, sizeof r);
	r.naf = naf_new(&nc, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.naf);
	r.mikey.handle = scripted;
	r.mikey.ctx = NULL;
	memset(&hc, 0, sizeof hc);
	hc.listen = "127.0.0.1:0";
	hc.handler = tkmsd_route;
	hc.handler_cls = &r;
	hc.threads = 1;
	CU_ASSERT_EQUAL_FATAL(tk_http_start(&hc, &srv, err, sizeof err), 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		post(tk_http_port(srv), cases[i].body, &g);
		CU_ASSERT_EQUAL(g.status, cases[i].status);
		if (cases[i].mikey) {
			CU_ASSERT_STRING_EQUAL(g.ctype, "application/mikey");
			CU_ASSERT(g.bl == 3 && memcmp(g.body, "\x01\x02\x03", 3) == 0);
		} else {
			CU_ASSERT_PTR_NOT_NULL(strstr(g.ctype, "text/plain"));
		}
		if (cases[i].hdr)
			CU_ASSERT_PTR_NOT_NULL(strstr(g.hdrs, cases[i].hdr));
		if (cases[i].status != 401)
			CU_ASSERT_PTR_NULL(strstr(g.hdrs, "WWW-Authenticate"));
	}
	tk_http_stop(srv, 1000);
	naf_free(r.naf);
}

static void test_verdicts(void)
{
	static const struct { enum kms_outcome o; enum tkmsd_verdict v; } map[] = {
		{ KMS_OUT_OK, TKMSD_V_OK },
		{ KMS_OUT_MALFORMED, TKMSD_V_BAD_REQUEST },
		{ KMS_OUT_UNSUPPORTED, TKMSD_V_BAD_REQUEST },
		{ KMS_OUT_BAD_TIMESTAMP, TKMSD_V_BAD_REQUEST },
		{ KMS_OUT_REPLAY, TKMSD_V_BAD_REQUEST },
		{ KMS_OUT_TICKET_TYPE, TKMSD_V_BAD_REQUEST },
		{ KMS_OUT_TP_PARAM, TKMSD_V_BAD_REQUEST },
		{ KMS_OUT_BOOTSTRAP_REQUIRED, TKMSD_V_BOOTSTRAP },
		{ KMS_OUT_AUTH_FAILED, TKMSD_V_FORBIDDEN },
		{ KMS_OUT_FORBIDDEN, TKMSD_V_FORBIDDEN },
		{ KMS_OUT_TICKET_INVALID, TKMSD_V_FORBIDDEN },
		{ KMS_OUT_BSF_UNAVAILABLE, TKMSD_V_UNAVAILABLE },
		{ KMS_OUT_REPLAY_FULL, TKMSD_V_UNAVAILABLE },
		{ KMS_OUT_INTERNAL, TKMSD_V_INTERNAL },
	};
	size_t i;

	CU_ASSERT_EQUAL(sizeof map / sizeof map[0], KMS_OUT_END);
	for (i = 0; i < sizeof map / sizeof map[0]; i++)
		CU_ASSERT_EQUAL(tkmsd_verdict_of(map[i].o), map[i].v);
}

/* The jansson builder tkmsd used before the fixed-format one (the
 * reference for the bytes of a line). */
static void ref_str(json_t *o, const char *name, const char *v)
{
	if (v && v[0])
		json_object_set_new(o, name, json_string(v));
}

static void ref_time(json_t *o, const char *name, int64_t t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || !gmtime_r(&tt, &tm) || strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return;
	json_object_set_new(o, name, json_string(buf));
}

static char *ref_line(const struct kms_audit *a, enum kms_outcome o, const char *time)
{
	json_t *ev = json_pack("{s:s}", "time", time);
	char *text;

	json_object_set_new(ev, "operation", json_string(kms_op_str(a->op)));
	json_object_set_new(ev, "result", json_string(kms_outcome_str(o)));
	if (a->authz != KMS_AUTHZ_NONE)
		json_object_set_new(ev, "authorization", json_string(kms_authz_str(a->authz)));
	ref_str(ev, "btid", a->btid);
	ref_str(ev, "impi", a->impi);
	ref_str(ev, "initiator", a->initiator);
	ref_str(ev, "responders", a->responders);
	ref_str(ev, "resolver", a->resolver);
	ref_str(ev, "group", a->group);
	ref_str(ev, "network_function", a->nf);
	if (a->have_ticket) {
		json_object_set_new(ev, "key_id", json_integer(a->key_id));
		ref_str(ev, "ticket_fingerprint", a->fingerprint);
		ref_time(ev, "valid_from", a->trs);
		ref_time(ev, "valid_to", a->tre);
	}
	if (a->op == KMS_OP_RESOLVE && o == KMS_OUT_OK)
		json_object_set_new(ev, "forked", json_boolean(a->forked));
	if (a->op == KMS_OP_REQUEST && o == KMS_OUT_OK)
		json_object_set_new(ev, "policy_changed", json_boolean(a->k_flag));
	text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(ev);
	return text;
}

/* l as a JSON object, after checking its bytes against the reference. */
static json_t *event_line(const struct kms_audit *a, enum kms_outcome o)
{
	struct tkmsd_audit_line l;
	json_error_t je;
	char ts[25], *want;

	tkmsd_audit_event(a, o, &l);
	CU_ASSERT_FALSE_FATAL(l.overflow);
	memcpy(ts, l.buf + 9, 24);
	ts[24] = 0;
	want = ref_line(a, o, ts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT(strlen(want) == l.len + 1 && strncmp(want, l.buf, l.len) == 0);
	free(want);
	l.buf[l.len] = '}';
	return json_loadb(l.buf, l.len + 1, 0, &je);
}

static bool keyish(const char *name)
{
	static const char *const deny[] = { "key", "psk", "ks_naf", "tgk", "mpk", "tek",
					    "salt", "password", "secret", "env_key" };
	size_t i;

	for (i = 0; i < sizeof deny / sizeof deny[0]; i++)
		if (strstr(name, deny[i]) && strcmp(name, "key_id") != 0)
			return true;
	return false;
}

static void test_audit_event(void)
{
	struct kms_audit a;
	json_t *ev;
	const char *k;
	json_t *v;
	int op, o;

	memset(&a, 0, sizeof a);
	a.op = KMS_OP_RESOLVE;
	a.authz = KMS_AUTHZ_GROUP;
	strcpy(a.impi, "carol@home1.net");
	strcpy(a.initiator, "sip:alice@home1.net");
	strcpy(a.resolver, "sip:carol@home1.net");
	strcpy(a.group, "sip:team@home1.net");
	a.have_ticket = true;
	a.key_id = 3;
	strcpy(a.fingerprint, "0123456789abcdef");
	a.trs = 1795820400; /* 2026-11-27T23:00:00Z */
	a.tre = a.trs + 3600;
	a.forked = true;
	ev = event_line(&a, KMS_OUT_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "operation")), "resolve");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "result")), "ok");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "authorization")), "group");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "group")), "sip:team@home1.net");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(ev, "key_id")), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "ticket_fingerprint")),
			       "0123456789abcdef");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "valid_from")),
			       "2026-11-27T23:00:00Z");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "valid_to")),
			       "2026-11-28T00:00:00Z");
	CU_ASSERT(json_is_true(json_object_get(ev, "forked")));
	CU_ASSERT_PTR_NULL(json_object_get(ev, "btid")); /* empty strings are left out */
	json_decref(ev);
	/* A refused request: no ticket facts, no "forked". */
	memset(&a, 0, sizeof a);
	a.op = KMS_OP_REQUEST;
	strcpy(a.btid, "AAAA@bsf.home1.net");
	ev = event_line(&a, KMS_OUT_FORBIDDEN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "result")), "forbidden");
	CU_ASSERT_PTR_NULL(json_object_get(ev, "authorization"));
	CU_ASSERT_PTR_NULL(json_object_get(ev, "key_id"));
	CU_ASSERT_PTR_NULL(json_object_get(ev, "forked"));
	json_decref(ev);

	/* Every member of every kind of line, each string at its longest and
	 * made of characters that take 6 octets escaped: the line fits, is the
	 * reference's, and no member is named like key material. */
	memset(&a, 0x01, sizeof a);
	a.btid[sizeof a.btid - 1] = a.impi[sizeof a.impi - 1] = 0;
	a.initiator[sizeof a.initiator - 1] = a.resolver[sizeof a.resolver - 1] = 0;
	a.group[sizeof a.group - 1] = a.nf[sizeof a.nf - 1] = 0;
	a.responders[sizeof a.responders - 1] = 0;
	strcpy(a.fingerprint, "0123456789abcdef");
	a.have_ticket = true;
	a.key_id = 0xffffffffu;
	a.trs = 1795820400;
	a.tre = 4102444799LL;
	a.k_flag = a.forked = true;
	for (op = KMS_OP_REQUEST; op <= KMS_OP_RESOLVE; op++)
		for (o = 0; o < KMS_OUT_END; o++) {
			a.op = (enum kms_op)op;
			a.authz = KMS_AUTHZ_NF_INTERCEPT;
			ev = event_line(&a, (enum kms_outcome)o);
			CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
			json_object_foreach(ev, k, v)
				CU_ASSERT_FALSE(keyish(k));
			CU_ASSERT_EQUAL(json_integer_value(json_object_get(ev, "key_id")), 0xffffffffLL);
			json_decref(ev);
		}
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* A malformed message reaches whichever engine is in force: 400 either way. */
static bool answer_once(struct tkmsd_engine *e)
{
	struct tkmsd_mikey_handler h = tkmsd_engine_handler(e);
	struct tkmsd_tid tid = { TKMSD_TID_NONE, NULL, 0 };
	struct tkmsd_mikey_out out;
	uint8_t resp[4096];

	memset(&out, 0, sizeof out);
	out.resp = resp;
	out.resp_cap = sizeof resp;
	h.handle(h.ctx, (const uint8_t *)"abc", 3, &tid, &out);
	return out.verdict == TKMSD_V_BAD_REQUEST && out.reason != NULL;
}

static void engine_answers(struct tkmsd_engine *e)
{
	CU_ASSERT(answer_once(e));
}

static int stop_hammer, hammer_bad;

/* CUnit asserts are not thread-safe: count failures instead. */
static void *hammer(void *arg)
{
	int n = 0;

	while (!__atomic_load_n(&stop_hammer, __ATOMIC_SEQ_CST) || n < 20) {
		if (!answer_once(arg))
			__atomic_add_fetch(&hammer_bad, 1, __ATOMIC_SEQ_CST);
		n++;
	}
	return NULL;
}

static void test_engine_reload(void)
{
	struct naf_config nc = { .fqdn = "kms.home1.net", .zn_url = "http://127.0.0.1:9" };
	struct tkmsd_config c;
	struct tkmsd_audit *audit;
	struct tkmsd_engine *e;
	struct naf *naf;
	char conf[128], kr[128], text[256], err[1024], desc[512];
	struct stat st;

	snprintf(conf, sizeof conf, "%s/reload.json", dir);
	snprintf(kr, sizeof kr, "%s/reload-keyring.json", dir);
	snprintf(text, sizeof text, "{ \"keyring\": \"%s\", \"replay_cache_size\": 1000 }", kr);
	write_text(conf, text);
	naf = naf_new(&nc, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(naf);
	snprintf(text, sizeof text, "%s/reload-audit.log", dir);
	audit = tkmsd_audit_open(text, 0, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(audit);
	CU_ASSERT_EQUAL_FATAL(tkmsd_config_load(conf, &c, err, sizeof err), 0);
	e = tkmsd_engine_start(&c, naf, audit, NULL, NULL, err, sizeof err);
	tkmsd_config_free(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	/* the key ring was created, 0600 */
	CU_ASSERT_EQUAL_FATAL(stat(kr, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	tkmsd_engine_describe(e, desc, sizeof desc);
	CU_ASSERT_PTR_NOT_NULL(strstr(desc, "(1 key, current id 1), replay cache 1000 entries"));
	engine_answers(e);

	/* A key ring that is not JSON: refused, the running engine stays. */
	snprintf(text, sizeof text, "%s/bad-keyring.json", dir);
	write_text(text, "not json");
	chmod(text, 0600);
	snprintf(desc, sizeof desc, "{ \"keyring\": \"%s\" }", text);
	write_text(conf, desc);
	CU_ASSERT_EQUAL_FATAL(tkmsd_config_load(conf, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(tkmsd_engine_reload(e, &c, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "key ring"));
	tkmsd_config_free(&c);
	engine_answers(e);
	/* Another FQDN: refused (the NAF keys depend on it). */
	snprintf(text, sizeof text, "{ \"keyring\": \"%s\", \"fqdn\": \"kms2.home1.net\" }", kr);
	write_text(conf, text);
	CU_ASSERT_EQUAL_FATAL(tkmsd_config_load(conf, &c, err, sizeof err), 0);
	CU_ASSERT_EQUAL(tkmsd_engine_reload(e, &c, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "fqdn changed"));
	tkmsd_config_free(&c);
	/* A good one, swapped in again and again while four threads keep
	 * sending messages: in-flight requests keep their generation alive
	 * (checked under valgrind / ASan: no use after free). */
	snprintf(text, sizeof text, "{ \"keyring\": \"%s\" }", kr);
	write_text(conf, text);
	CU_ASSERT_EQUAL_FATAL(tkmsd_config_load(conf, &c, err, sizeof err), 0);
	{
		pthread_t th[4];
		int i, reloads = 0;

		stop_hammer = 0;
		hammer_bad = 0;
		for (i = 0; i < 4; i++)
			CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, hammer, e), 0);
		for (i = 0; i < 30; i++)
			reloads += tkmsd_engine_reload(e, &c, err, sizeof err) == 0;
		__atomic_store_n(&stop_hammer, 1, __ATOMIC_SEQ_CST);
		for (i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(reloads, 30);
		CU_ASSERT_EQUAL(hammer_bad, 0);
	}
	tkmsd_config_free(&c);
	engine_answers(e);
	tkmsd_engine_stop(e);
	tkmsd_audit_close(audit);
	naf_free(naf);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_audit_lines),
		TK_TEST(test_audit_escaping),
		TK_TEST(test_audit_utc),
		TK_TEST(test_audit_concurrent),
		TK_TEST(test_audit_backpressure),
		TK_TEST(test_audit_reopen),
		TK_TEST(test_psk_ua),
		TK_TEST(test_config_values),
		TK_TEST(test_verdict_table),
		TK_TEST(test_verdicts),
		TK_TEST(test_audit_event),
		TK_TEST(test_engine_reload),
		{ NULL, NULL }
	};
	char cmd[128];
	int rc;

	snprintf(dir, sizeof dir, "/tmp/test-tkmsd.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = tk_test_run("tkmsd", tests);
	curl_global_cleanup();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
