/*
 * bench-load.c: the per-thread load loop of tkms-bench (bench-load.h).
 *
 * Why poll() per thread rather than a blocking thread per connection: on a
 * 2-core machine shared with tkmsd, one thread per core multiplexing its
 * connections wakes once for several ready answers and spends no context
 * switch per exchange; 32 blocking threads would.  Messages are built by
 * the UE call library, so every REQUEST_INIT / RESOLVE_INIT has a fresh T
 * and 32-octet RANDR (P-20) and its own MAC: the KMS replay cache (P-9)
 * never sees a repeat.
 */
#define _GNU_SOURCE /* memmem */
#include "tools/bench-load.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ue/kmsclient.h"

enum cstate { CS_IDLE, CS_CONNECTING, CS_HANDSHAKE, CS_SEND, CS_RECV, CS_DRAIN, CS_DONE };

enum { IN_CAP = UE_KMS_BODY_MAX + 4096, HDR_MAX = 4096 };

struct conn {
	int st;
	int fd;
	gnutls_session_t s;
	bool want_write;           /* handshake direction */
	struct bench_user *u;
	int op;                    /* enum bench_op of the exchange in flight */
	bool busy;                 /* an exchange is in flight */
	uint64_t t0, deadline;     /* ns, CLOCK_MONOTONIC */
	struct ue_call *call;
	struct ue_request_opts ro;
	uint8_t chain_tinit[UE_MAX_MSG]; /* CHAIN: TRANSFER_INIT of our last ticket */
	size_t chain_tinit_len;          /* 0: none, request next */
	uint8_t msg[UE_MAX_MSG];
	char out[UE_MAX_MSG + 512];
	size_t out_len, out_off;
	uint8_t *in;
	size_t in_len;
	bool hdr_done, mikey, server_close;
	size_t hdr_len, body_len;
	int status;
};

struct thr {
	struct bench_thread *bt;
	struct bench_cfg *cfg;
	struct conn *c;
	unsigned n;
};

static const char *const fail_names[BF_N] = {
	[BF_CONNECT] = "connect", [BF_TLS] = "tls", [BF_IO] = "io", [BF_TIMEOUT] = "timeout",
	[BF_HTTP] = "http-malformed", [BF_STATUS] = "http-status", [BF_CTYPE] = "content-type",
	[BF_BUILD] = "build", [BF_PARSE] = "mikey-parse", [BF_MAC] = "mikey-mac",
	[BF_PEER] = "mikey-error", [BF_POLICY] = "policy", [BF_CRYPTO] = "crypto",
	[BF_TS] = "timestamp", [BF_OTHER] = "other",
};

const char *bench_fail_name(int kind)
{
	return kind >= 0 && kind < BF_N ? fail_names[kind] : "?";
}

int bench_fail_is_transport(int kind)
{
	return kind == BF_CONNECT || kind == BF_TLS || kind == BF_IO || kind == BF_TIMEOUT;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((format(printf, 3, 4)))
static void fail(struct thr *t, int kind, const char *fmt, ...)
{
	struct bench_stats *st = &t->bt->st;
	va_list ap;

	__atomic_fetch_add(&st->progress, 1, __ATOMIC_RELAXED);
	if (!st->fail[kind]++) {
		va_start(ap, fmt);
		vsnprintf(st->first[kind], sizeof st->first[kind], fmt, ap);
		va_end(ap);
	}
}

static int fail_of_ue(int rc)
{
	switch (rc) {
	case UE_E_PARSE: return BF_PARSE;
	case UE_E_AUTH: return BF_MAC;
	case UE_E_PEER: return BF_PEER;
	case UE_E_POLICY: return BF_POLICY;
	case UE_E_CRYPTO: return BF_CRYPTO;
	case UE_E_TS: return BF_TS;
	default: return BF_OTHER;
	}
}

static void conn_close(struct conn *c)
{
	if (c->s) {
		gnutls_deinit(c->s);
		c->s = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Abort the exchange in flight (counted by the caller) and the connection. */
static void conn_reset(struct conn *c)
{
	conn_close(c);
	c->busy = false;
	c->st = CS_IDLE;
}

static bool claim(struct thr *t)
{
	if (__atomic_load_n(&t->cfg->stop, __ATOMIC_RELAXED))
		return false;
	if (!t->cfg->counted)
		return true;
	return __atomic_fetch_sub(&t->cfg->remaining, 1, __ATOMIC_RELAXED) > 0;
}

/* Build the next MIKEY message and its HTTP request into c->out. */
static int build(struct thr *t, struct conn *c)
{
	struct bench_cfg *cfg = t->cfg;
	struct ue_err e;
	size_t mlen = 0;
	int rc, h;

	if (c->op == BENCH_OP_REQUEST) {
		c->chain_tinit_len = 0;
		rc = ue_request_build(c->call, &c->ro, &c->u->cred, c->msg, sizeof c->msg, &mlen, &e);
	} else if (cfg->mix == BENCH_MIX_CHAIN)
		rc = ue_resolve_begin(c->call, c->u->impu, cfg->fqdn, &c->u->cred, c->chain_tinit,
				      c->chain_tinit_len, c->msg, sizeof c->msg, &mlen, &e);
	else
		rc = ue_resolve_begin(c->call, c->u->impu, cfg->fqdn, &c->u->cred, c->u->tinit,
				      c->u->tinit_len, c->msg, sizeof c->msg, &mlen, &e);
	if (rc != UE_OK) {
		fail(t, BF_BUILD, "%s: %s", ue_rc_name(rc), e.msg);
		return -1;
	}
	h = snprintf(c->out, sizeof c->out,
		     "POST /mikey HTTP/1.1\r\nHost: %s\r\nContent-Type: application/mikey\r\n"
		     "Content-Length: %zu\r\n%s\r\n",
		     cfg->host, mlen, cfg->new_conn ? "Connection: close\r\n" : "");
	if (h < 0 || (size_t)h + mlen > sizeof c->out) {
		fail(t, BF_BUILD, "request too long");
		return -1;
	}
	memcpy(c->out + h, c->msg, mlen);
	c->out_len = (size_t)h + mlen;
	c->out_off = 0;
	return 0;
}

static int conn_open(struct thr *t, struct conn *c)
{
	struct bench_cfg *cfg = t->cfg;
	int one = 1;

	c->fd = socket(cfg->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail(t, BF_CONNECT, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	t->bt->st.connects++;
	if (connect(c->fd, (const struct sockaddr *)&cfg->addr, cfg->addrlen) == 0) {
		c->st = CS_CONNECTING; /* completes at once; the step below sees it */
		return 0;
	}
	if (errno != EINPROGRESS) {
		fail(t, BF_CONNECT, "connect: %s", strerror(errno));
		conn_close(c);
		return -1;
	}
	c->st = CS_CONNECTING;
	return 0;
}

static int tls_start(struct thr *t, struct conn *c)
{
	struct bench_cfg *cfg = t->cfg;
	int e;

	e = gnutls_init(&c->s, GNUTLS_CLIENT);
	if (e >= 0)
		e = gnutls_priority_set(c->s, cfg->prio);
	if (e >= 0)
		e = gnutls_credentials_set(c->s, GNUTLS_CRD_PSK, c->u->tlscred);
	if (e < 0) {
		fail(t, BF_TLS, "session setup: %s", gnutls_strerror(e));
		return -1;
	}
	gnutls_transport_set_int(c->s, c->fd);
	return 0;
}

/* The negotiated suite must be the one whose Ua id keyed the PSK (P-1). */
static int tls_check(struct thr *t, struct conn *c)
{
	int got;

	if (t->cfg->suite < 0) {
		if (gnutls_protocol_get_version(c->s) != GNUTLS_TLS1_3) {
			fail(t, BF_TLS, "TLS 1.3 asked, %s negotiated",
			     gnutls_protocol_get_name(gnutls_protocol_get_version(c->s)));
			return -1;
		}
		return 0;
	}
	got = ue_tls_suite_of(c->s);
	if (got != t->cfg->suite) {
		fail(t, BF_TLS, "suite %04x negotiated, %04x asked", (unsigned)got,
		     (unsigned)t->cfg->suite);
		return -1;
	}
	return 0;
}

/* >0 bytes, 0 would block, -1 error (errno-less: detail written), -2 EOF. */
static long io_recv(struct thr *t, struct conn *c, void *p, size_t n)
{
	ssize_t r;

	if (c->s) {
		r = gnutls_record_recv(c->s, p, n);
		if (r > 0)
			return (long)r;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			return 0;
		if (r == 0 || r == GNUTLS_E_PREMATURE_TERMINATION)
			return -2;
		if (c->busy)
			fail(t, BF_IO, "receive: %s", gnutls_strerror((int)r));
		return -1;
	}
	r = recv(c->fd, p, n, 0);
	if (r > 0)
		return (long)r;
	if (r == 0)
		return -2;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	if (c->busy)
		fail(t, BF_IO, "receive: %s", strerror(errno));
	return -1;
}

static long io_send(struct thr *t, struct conn *c)
{
	ssize_t r;

	if (c->s) {
		r = gnutls_record_send(c->s, c->out + c->out_off, c->out_len - c->out_off);
		if (r >= 0)
			return (long)r;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			return 0;
		fail(t, BF_IO, "send: %s", gnutls_strerror((int)r));
		return -1;
	}
	r = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
	if (r >= 0)
		return (long)r;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	fail(t, BF_IO, "send: %s", strerror(errno));
	return -1;
}

static const char *hdr_value(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len <= n || strncasecmp(line, name, n) || line[n] != ':')
		return NULL;
	line += n + 1;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

/* 1 complete answer in c->in, 0 need more, -1 malformed. */
static int http_parse(struct conn *c)
{
	if (!c->hdr_done) {
		const uint8_t *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
		const char *p, *eol, *v;
		bool have_len = false;

		if (!end)
			return c->in_len > HDR_MAX ? -1 : 0;
		c->hdr_len = (size_t)(end - c->in) + 4;
		p = (const char *)c->in;
		if (c->hdr_len < 16 || strncmp(p, "HTTP/1.", 7) || p[8] != ' ')
			return -1;
		c->status = atoi(p + 9);
		if (c->status < 100 || c->status > 599)
			return -1;
		c->mikey = c->server_close = false;
		for (p = strstr(p, "\r\n") + 2; p < (const char *)end; p = eol + 2) {
			eol = strstr(p, "\r\n");
			if ((v = hdr_value(p, (size_t)(eol - p), "Content-Length"))) {
				char *q;
				unsigned long n = strtoul(v, &q, 10);

				if (q == v || n > UE_KMS_BODY_MAX)
					return -1;
				c->body_len = n;
				have_len = true;
			} else if ((v = hdr_value(p, (size_t)(eol - p), "Content-Type"))) {
				c->mikey = !strncasecmp(v, "application/mikey", 17) &&
					   (v[17] == '\r' || v[17] == ';' || v[17] == ' ');
			} else if ((v = hdr_value(p, (size_t)(eol - p), "Connection"))) {
				c->server_close = !strncasecmp(v, "close", 5);
			} else if (hdr_value(p, (size_t)(eol - p), "Transfer-Encoding")) {
				return -1; /* the KMS sends sized bodies */
			}
		}
		if (!have_len)
			return -1;
		c->hdr_done = true;
	}
	if (c->in_len < c->hdr_len + c->body_len)
		return 0;
	return c->in_len == c->hdr_len + c->body_len ? 1 : -1;
}

/* What a refusal says: the MIKEY Error number(s) (advisory: not verified
 * here), else the start of the text body. */
static void status_detail(struct conn *c, const uint8_t *body, char *out, size_t cap)
{
	struct mk_msg *m;
	size_t n = 0;
	unsigned i;

	if (!c->mikey) {
		snprintf(out, cap, "%.*s", (int)(c->body_len < 100 ? c->body_len : 100),
			 (const char *)body);
		return;
	}
	m = malloc(sizeof *m);
	if (m && mk_parse(body, c->body_len, m) == MK_OK && m->hdr.data_type == MK_DT_ERROR) {
		n += (size_t)snprintf(out, cap, "MIKEY Error");
		for (i = 0; i < m->nerr && n < cap; i++)
			n += (size_t)snprintf(out + n, cap - n, " %u", m->err[i].code);
	} else {
		snprintf(out, cap, "application/mikey body, not a MIKEY Error");
	}
	free(m);
}

/* A complete answer: time it, check it, count it. */
static void finish(struct thr *t, struct conn *c)
{
	struct bench_stats *st = &t->bt->st;
	const uint8_t *body = c->in + c->hdr_len;
	struct ue_err e;
	int rc;

	bench_hist_add(&st->hist, (now_ns() - c->t0) / 1000u);
	st->status[c->status]++;
	c->busy = false;
	if (c->status != 200) {
		char why[140];

		status_detail(c, body, why, sizeof why);
		fail(t, BF_STATUS, "HTTP %d to %s: %s", c->status,
		     c->op == BENCH_OP_REQUEST ? "REQUEST_INIT" : "RESOLVE_INIT", why);
		return;
	}
	if (!c->mikey) {
		fail(t, BF_CTYPE, "200 without Content-Type application/mikey");
		return;
	}
	if (c->op == BENCH_OP_REQUEST)
		rc = ue_request_finish(c->call, &c->ro, &c->u->cred, body, c->body_len, &e);
	else
		rc = ue_resolve_finish(c->call, &c->u->cred, body, c->body_len, &e);
	if (rc == UE_OK && c->op == BENCH_OP_REQUEST && t->cfg->mix == BENCH_MIX_CHAIN) {
		struct ue_transfer_opts to = { .to = c->u->impu };

		rc = ue_transfer_init(c->call, &to, c->chain_tinit, sizeof c->chain_tinit,
				      &c->chain_tinit_len, &e);
		if (rc != UE_OK)
			c->chain_tinit_len = 0;
	}
	if (rc == UE_OK) {
		st->ok++;
		__atomic_fetch_add(&st->progress, 1, __ATOMIC_RELAXED);
	} else
		fail(t, fail_of_ue(rc), "%s: %s", c->op == BENCH_OP_REQUEST ? "REQUEST_RESP" :
		     "RESOLVE_RESP", e.msg);
}

static void next_op(struct thr *t, struct conn *c)
{
	if (t->cfg->mix == BENCH_MIX_BOTH)
		c->op = c->op == BENCH_OP_REQUEST ? BENCH_OP_RESOLVE : BENCH_OP_REQUEST;
	else if (t->cfg->mix == BENCH_MIX_CHAIN)
		c->op = c->op == BENCH_OP_REQUEST && c->chain_tinit_len ? BENCH_OP_RESOLVE :
			BENCH_OP_REQUEST;
}

/* Advance c as far as it goes without blocking. */
static void step(struct thr *t, struct conn *c)
{
	struct bench_cfg *cfg = t->cfg;
	long n;
	int e;

	for (;;) {
		switch (c->st) {
		case CS_IDLE:
			if (!claim(t)) {
				conn_close(c);
				c->st = CS_DONE;
				return;
			}
			if (build(t, c)) {
				next_op(t, c);
				continue;
			}
			c->busy = true;
			c->t0 = now_ns();
			c->deadline = c->t0 + (uint64_t)cfg->timeout_ms * 1000000u;
			if (c->fd >= 0)
				c->st = CS_SEND;
			else if (conn_open(t, c))
				c->busy = false, next_op(t, c);
			continue;
		case CS_CONNECTING: {
			int err = 0;
			socklen_t el = sizeof err;
			struct pollfd p = { c->fd, POLLOUT, 0 };

			if (poll(&p, 1, 0) == 0)
				return;
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
			if (err) {
				fail(t, BF_CONNECT, "connect: %s", strerror(err));
				conn_reset(c);
				continue;
			}
			if (cfg->tls) {
				if (tls_start(t, c)) {
					conn_reset(c);
					continue;
				}
				c->st = CS_HANDSHAKE;
			} else {
				c->st = CS_SEND;
			}
			continue;
		}
		case CS_HANDSHAKE:
			e = gnutls_handshake(c->s);
			if (e == GNUTLS_E_AGAIN || e == GNUTLS_E_INTERRUPTED) {
				c->want_write = gnutls_record_get_direction(c->s) == 1;
				return;
			}
			if (e < 0) {
				fail(t, BF_TLS, "handshake: %s", gnutls_strerror(e));
				conn_reset(c);
				continue;
			}
			if (tls_check(t, c)) {
				conn_reset(c);
				continue;
			}
			c->st = CS_SEND;
			continue;
		case CS_SEND:
			n = io_send(t, c);
			if (n == 0)
				return;
			if (n < 0) {
				conn_reset(c);
				continue;
			}
			c->out_off += (size_t)n;
			if (c->out_off == c->out_len) {
				c->st = CS_RECV;
				c->in_len = 0;
				c->hdr_done = false;
			}
			continue;
		case CS_RECV:
			n = io_recv(t, c, c->in + c->in_len, IN_CAP - c->in_len);
			if (n == 0)
				return;
			if (n < 0) {
				if (n == -2)
					fail(t, BF_IO, "connection closed before the answer ended");
				conn_reset(c);
				continue;
			}
			c->in_len += (size_t)n;
			e = http_parse(c);
			if (e == 0 && c->in_len < IN_CAP)
				continue;
			if (e <= 0) {
				fail(t, BF_HTTP, "malformed HTTP answer (%zu octets)", c->in_len);
				conn_reset(c);
				continue;
			}
			finish(t, c);
			next_op(t, c);
			if (cfg->new_conn) {
				/* We sent Connection: close: let the KMS close first,
				 * so TIME_WAIT stays on its side, not on our ports. */
				c->st = CS_DRAIN;
				c->deadline = now_ns() + (uint64_t)cfg->timeout_ms * 1000000u;
			} else {
				if (c->server_close)
					conn_close(c);
				c->st = CS_IDLE;
			}
			continue;
		case CS_DRAIN: {
			uint8_t junk[512];

			n = io_recv(t, c, junk, sizeof junk);
			if (n == 0)
				return;
			if (n > 0)
				continue;
			conn_close(c);
			c->st = CS_IDLE;
			continue;
		}
		default:
			return;
		}
	}
}

static void expire(struct thr *t, struct conn *c, uint64_t now)
{
	if (c->st == CS_IDLE || c->st == CS_DONE || now < c->deadline)
		return;
	if (c->busy)
		fail(t, BF_TIMEOUT, "no complete answer within %ld ms", t->cfg->timeout_ms);
	conn_reset(c);
}

static int conns_init(struct thr *t)
{
	struct bench_cfg *cfg = t->cfg;
	unsigned i, k;

	t->n = 0;
	for (i = t->bt->id; i < cfg->connections; i += cfg->threads)
		t->n++;
	t->c = calloc(t->n ? t->n : 1, sizeof *t->c);
	if (!t->c)
		return -1;
	for (k = 0, i = t->bt->id; k < t->n; k++, i += cfg->threads) {
		struct conn *c = &t->c[k];

		c->fd = -1;
		c->u = &cfg->users[i % cfg->nusers];
		c->op = cfg->mix == BENCH_MIX_RESOLVE ? BENCH_OP_RESOLVE :
			cfg->mix == BENCH_MIX_BOTH && (i / cfg->nusers) % 2 ? BENCH_OP_RESOLVE :
			BENCH_OP_REQUEST;
		c->call = calloc(1, sizeof *c->call);
		c->in = malloc(IN_CAP);
		if (!c->call || !c->in)
			return -1;
		ue_request_opts_default(&c->ro);
		c->ro.impu = c->u->impu;
		c->ro.kms = cfg->fqdn;
		c->ro.peers[0] = cfg->users[(i + 1) % cfg->nusers].impu; /* IDRr */
		c->ro.npeers = 1;
		if (cfg->mix == BENCH_MIX_CHAIN)
			c->ro.peers[c->ro.npeers++] = c->u->impu;
		c->ro.algset = cfg->algset;
	}
	return 0;
}

static void conns_free(struct thr *t)
{
	unsigned k;

	for (k = 0; k < t->n; k++) {
		conn_close(&t->c[k]);
		if (t->c[k].call)
			ue_call_wipe(t->c[k].call);
		free(t->c[k].call);
		free(t->c[k].in);
	}
	free(t->c);
}

void *bench_thread_run(void *arg)
{
	struct thr t = { .bt = arg };
	struct pollfd *pf;
	unsigned *who;
	unsigned k, np, live;

	t.cfg = t.bt->cfg;
	if (conns_init(&t)) {
		fail(&t, BF_OTHER, "out of memory");
		conns_free(&t);
		__atomic_store_n(&t.bt->finished, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	pf = calloc(t.n + 1, sizeof *pf);
	who = calloc(t.n + 1, sizeof *who);
	if (!pf || !who) {
		fail(&t, BF_OTHER, "out of memory");
		goto out;
	}
	for (k = 0; k < t.n; k++)
		step(&t, &t.c[k]);
	for (;;) {
		uint64_t now;

		np = live = 0;
		for (k = 0; k < t.n; k++) {
			struct conn *c = &t.c[k];
			short ev;

			if (c->st == CS_IDLE)
				step(&t, c);
			if (c->st == CS_DONE)
				continue;
			live++;
			ev = c->st == CS_CONNECTING || c->st == CS_SEND ? POLLOUT :
			     c->st == CS_HANDSHAKE ? (c->want_write ? POLLOUT : POLLIN) : POLLIN;
			pf[np] = (struct pollfd){ c->fd, ev, 0 };
			who[np++] = k;
		}
		if (!live)
			break;
		if (poll(pf, np, 100) < 0 && errno != EINTR) {
			fail(&t, BF_OTHER, "poll: %s", strerror(errno));
			break;
		}
		for (k = 0; k < np; k++)
			if (pf[k].revents)
				step(&t, &t.c[who[k]]);
		now = now_ns();
		for (k = 0; k < t.n; k++)
			expire(&t, &t.c[k], now);
	}
out:
	free(pf);
	free(who);
	conns_free(&t);
	t.bt->end_ns = now_ns();
	__atomic_store_n(&t.bt->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}
