/*
 * http.c: libmicrohttpd listeners for tkms (see http.h).
 *
 * Implements the HTTP side of profile P-5 (body cap: 413 before the body is
 * read whole) and the TLS side of P-7: PSK-TLS with the identity hint
 * "3GPP-bootstrapping", the negotiated TLS 1.2 suite captured from our own
 * outgoing ServerHello (GnuTLS does not report it inside the PSK callback) and
 * kept per connection, and TLS 1.3 recognised because its PSK callback runs
 * before any ServerHello. HTTPS listeners may verify client certificates.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "http/http.h"
#include "util/secret.h"
#include "util/wire.h"

#define MAX_EXTRA_HEADERS 8
#define IDENT_MAX 512

struct tk_http_server {
	struct MHD_Daemon *d;
	enum tk_http_mode mode;
	enum tk_http_client_cert client_cert;
	size_t max_body;
	tk_http_handler_fn handler;
	void *handler_cls;
	tk_http_psk_fn psk_cb;
	void *psk_cls;
	tk_http_log_fn log;
	void *log_cls;
	char name[32];
	char *cert, *key, *ca; /* PEM text handed to libmicrohttpd */
	uint16_t port;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	unsigned inflight;     /* requests between first call and completion */
	bool hint_set;
	bool quiesced;         /* listen socket closed */
	char start_err[256];   /* last libmicrohttpd message while starting */
	bool starting;
};

/* Per TLS connection (libmicrohttpd socket context). */
struct conn {
	bool have_suite;
	uint8_t suite[2];
	bool psk_done;
	char psk_identity[IDENT_MAX];
	bool cert_checked;
	char *client_dn, *client_san;
};

struct hdr { char *name, *value; };

struct tk_http_req {
	struct tk_http_server *srv;
	struct MHD_Connection *c;
	const char *method, *path;
	uint8_t *body;
	size_t len, cap;
	bool too_big;  /* over max_body: refuse with 413 once we may */
	bool replied;
	struct hdr hdrs[MAX_EXTRA_HEADERS];
	unsigned nhdrs;
	struct tk_http_tls tls;
	char peer[INET6_ADDRSTRLEN + 10];
};

static void logf_(struct tk_http_server *srv, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(struct tk_http_server *srv, int level, const char *fmt, ...)
{
	char buf[512];
	int n;
	va_list ap;

	if (!srv->log)
		return;
	n = snprintf(buf, sizeof buf, "%s%s", srv->name, srv->name[0] ? ": " : "");
	if (n < 0 || (size_t)n >= sizeof buf)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
	va_end(ap);
	srv->log(srv->log_cls, level, buf);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct tk_http_server *srv = cls;
	char buf[400];
	size_t n;

	vsnprintf(buf, sizeof buf, fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = 0;
	if (srv->starting)
		snprintf(srv->start_err, sizeof srv->start_err, "%.200s", buf);
	logf_(srv, 4, "libmicrohttpd: %s", buf);
}

/* ---- listen addresses ------------------------------------------------- */

int tk_http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
			 char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *h = s, *port;
	size_t hl;
	char *end;
	unsigned long p;

	memset(ss, 0, sizeof *ss);
	if (!s || !*s) {
		snprintf(err, errlen, "empty listen address (want HOST:PORT)");
		return -1;
	}
	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':') {
			snprintf(err, errlen, "\"%s\": want [IPv6]:PORT", s);
			return -1;
		}
		h = s + 1;
		hl = (size_t)(rb - h);
		port = rb + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon) {
			snprintf(err, errlen, "\"%s\": want HOST:PORT (IPv6 as [addr]:PORT)", s);
			return -1;
		}
		hl = (size_t)(colon - s);
		port = colon + 1;
	}
	if (hl == 0 || hl >= sizeof host) {
		snprintf(err, errlen, "\"%s\": bad host part", s);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	errno = 0;
	p = strtoul(port, &end, 10);
	if (!*port || *end || errno || p > 65535 || *port == '-' || *port == '+') {
		snprintf(err, errlen, "\"%s\": port must be a number 0..65535", s);
		return -1;
	}
	if (*s == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1) {
			snprintf(err, errlen, "\"%s\": \"%s\" is not a numeric IPv6 address", s, host);
			return -1;
		}
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof *a6;
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
			snprintf(err, errlen, "\"%s\": \"%s\" is not a numeric IPv4 address", s, host);
			return -1;
		}
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*len = sizeof *a4;
	}
	return 0;
}

/* ---- TLS details per connection --------------------------------------- */

static struct conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* Our outgoing ServerHello (also a HelloRetryRequest, which has the same
 * layout): legacy_version(2) random(32) session_id<0..32> cipher_suite(2).
 * The message arrives without its handshake header. */
static int server_hello_hook(gnutls_session_t s, unsigned htype, unsigned when,
			     unsigned incoming, const gnutls_datum_t *msg)
{
	struct MHD_Connection *c;
	struct conn *cc;
	tk_rd rd;
	uint8_t sid_len;
	const uint8_t *suite;

	if (incoming || htype != GNUTLS_HANDSHAKE_SERVER_HELLO)
		return 0;
	c = gnutls_session_get_ptr(s);
	cc = c ? conn_of(c) : NULL;
	if (!cc)
		return 0;
	tk_rd_init(&rd, msg->data, msg->size);
	tk_rd_skip(&rd, 2 + 32);
	sid_len = tk_rd_u8(&rd);
	tk_rd_skip(&rd, sid_len);
	suite = tk_rd_bytes(&rd, 2);
	if (tk_rd_ok(&rd)) {
		memcpy(cc->suite, suite, 2);
		cc->have_suite = true;
	}
	return 0;
}

static gnutls_session_t session_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	return ci ? (gnutls_session_t)ci->tls_session : NULL;
}

static uint16_t wire_version(gnutls_session_t s)
{
	switch (gnutls_protocol_get_version(s)) {
	case GNUTLS_TLS1_2: return TK_TLS_1_2;
	case GNUTLS_TLS1_3: return TK_TLS_1_3;
	default: return 0;
	}
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct tk_http_server *srv = cls;
	struct conn *cc;
	gnutls_session_t s;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		cc = *socket_context;
		if (cc) {
			free(cc->client_dn);
			free(cc->client_san);
			tk_wipe(cc->psk_identity, sizeof cc->psk_identity);
			free(cc);
		}
		*socket_context = NULL;
		return;
	}
	if (srv->mode == TK_HTTP_PLAIN)
		return;
	cc = calloc(1, sizeof *cc);
	*socket_context = cc; /* NULL on OOM: the connection then reports no TLS details */
	s = session_of(c);
	if (!s)
		return;
	gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_SERVER_HELLO, GNUTLS_HOOK_POST,
					   server_hello_hook);
	if (srv->mode != TK_HTTP_PSK)
		return;
	/* libmicrohttpd owns the PSK credentials and offers no option for the
	 * hint; they are shared by all sessions, so set it once (P-7). */
	pthread_mutex_lock(&srv->lock);
	if (!srv->hint_set) {
		void *cred = NULL;
		/* DHE-PSK with a client that announces no RFC 7919 group
		 * (e.g. OpenSSL under TLS 1.2) needs server DH parameters. */
		if (gnutls_credentials_get(s, GNUTLS_CRD_PSK, &cred) == 0 && cred &&
		    gnutls_psk_set_server_credentials_hint(cred, TK_HTTP_PSK_HINT) == 0 &&
		    gnutls_psk_set_server_known_dh_params(cred, GNUTLS_SEC_PARAM_MEDIUM) == 0)
			srv->hint_set = true;
		else
			logf_(srv, 3, "cannot set the PSK identity hint and DH parameters");
	}
	pthread_mutex_unlock(&srv->lock);
}

static int on_psk(void *cls, const struct MHD_Connection *mc, const char *username,
		  void **psk, size_t *psk_size)
{
	struct tk_http_server *srv = cls;
	struct MHD_Connection *c = (struct MHD_Connection *)mc; /* the info API is not const */
	struct conn *cc = conn_of(c);
	gnutls_session_t s = session_of(c);
	struct tk_http_psk_query q;
	uint8_t key[TK_HTTP_PSK_MAX];
	size_t klen = sizeof key;
	int rc;

	if (!cc || !s || !username || strlen(username) >= sizeof cc->psk_identity)
		return -1;
	memset(&q, 0, sizeof q);
	q.identity = username;
	q.tls_version = wire_version(s);
	if (q.tls_version == TK_TLS_1_2) {
		/* TLS 1.2 asks for the key at ClientKeyExchange, after our ServerHello. */
		if (!cc->have_suite) {
			logf_(srv, 3, "TLS 1.2 PSK lookup before any ServerHello; refusing");
			return -1;
		}
		memcpy(q.suite, cc->suite, 2);
	} else if (q.tls_version != TK_TLS_1_3) {
		return -1;
	}
	rc = srv->psk_cb(srv->psk_cls, &q, key, &klen);
	if (rc != 0 || klen == 0 || klen > sizeof key) {
		tk_wipe(key, sizeof key);
		logf_(srv, 6, "PSK identity \"%.80s\" refused", username);
		return -1;
	}
	/* libmicrohttpd copies this buffer into GnuTLS and frees it unwiped;
	 * there is no hook to clear it (noted in the design notes). */
	*psk = malloc(klen);
	if (!*psk) {
		tk_wipe(key, sizeof key);
		return -1;
	}
	memcpy(*psk, key, klen);
	*psk_size = klen;
	tk_wipe(key, sizeof key);
	snprintf(cc->psk_identity, sizeof cc->psk_identity, "%s", username);
	cc->psk_done = true;
	return 0;
}

/* Verify the client certificate once per connection and keep its names. */
static void check_client_cert(struct tk_http_server *srv, struct conn *cc, gnutls_session_t s)
{
	unsigned status = 0, n = 0;
	const gnutls_datum_t *certs;
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn = { NULL, 0 };
	char san[512];
	size_t sl = sizeof san - 1;
	int type;

	if (cc->cert_checked)
		return;
	cc->cert_checked = true;
	certs = gnutls_certificate_get_peers(s, &n);
	if (!certs || n == 0)
		return;
	if (gnutls_certificate_verify_peers2(s, &status) < 0 || status != 0) {
		logf_(srv, 4, "client certificate not verified (status 0x%x)", status);
		return;
	}
	if (gnutls_x509_crt_init(&crt) < 0)
		return;
	if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) == 0 &&
	    gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
		cc->client_dn = strndup((const char *)dn.data, dn.size);
		type = gnutls_x509_crt_get_subject_alt_name(crt, 0, san, &sl, NULL);
		if ((type == GNUTLS_SAN_DNSNAME || type == GNUTLS_SAN_URI ||
		     type == GNUTLS_SAN_RFC822NAME) && sl < sizeof san) {
			san[sl] = 0;
			cc->client_san = strdup(san);
		}
	}
	gnutls_free(dn.data);
	gnutls_x509_crt_deinit(crt);
}

static void fill_tls(struct tk_http_req *r)
{
	struct tk_http_server *srv = r->srv;
	struct conn *cc;
	gnutls_session_t s;

	r->tls.mode = srv->mode;
	if (srv->mode == TK_HTTP_PLAIN)
		return;
	cc = conn_of(r->c);
	s = session_of(r->c);
	if (!cc || !s)
		return;
	r->tls.version = wire_version(s);
	if (cc->have_suite)
		memcpy(r->tls.suite, cc->suite, 2);
	if (srv->mode == TK_HTTP_PSK) {
		/* A resumed session skips the PSK callback; GnuTLS still knows
		 * the identity. */
		if (!cc->psk_done) {
			const char *u = gnutls_psk_server_get_username(s);
			if (u && strlen(u) < sizeof cc->psk_identity) {
				snprintf(cc->psk_identity, sizeof cc->psk_identity, "%s", u);
				cc->psk_done = true;
			}
		}
		if (cc->psk_done)
			r->tls.psk_identity = cc->psk_identity;
	}
	if (srv->mode == TK_HTTP_HTTPS && srv->client_cert != TK_HTTP_CLIENT_CERT_NONE) {
		check_client_cert(srv, cc, s);
		r->tls.client_dn = cc->client_dn;
		r->tls.client_san = cc->client_san;
	}
}

static void fill_peer(struct tk_http_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char a[INET6_ADDRSTRLEN];

	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ci->client_addr;
		if (inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a))
			snprintf(r->peer, sizeof r->peer, "%s:%u", a, ntohs(s4->sin_port));
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ci->client_addr;
		if (inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a))
			snprintf(r->peer, sizeof r->peer, "[%s]:%u", a, ntohs(s6->sin6_port));
	}
}

/* ---- requests --------------------------------------------------------- */

static bool append_body(struct tk_http_req *r, const char *data, size_t n)
{
	size_t need;

	if (n > r->srv->max_body - r->len)
		return false;
	need = r->len + n;
	if (need > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		uint8_t *nb;
		while (cap < need)
			cap *= 2;
		if (cap > r->srv->max_body)
			cap = r->srv->max_body;
		/* not realloc: the old block may hold a ticket and must be wiped */
		nb = malloc(cap);
		if (!nb)
			return false;
		if (r->body) {
			memcpy(nb, r->body, r->len);
			tk_wipe(r->body, r->cap);
			free(r->body);
		}
		r->body = nb;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len = need;
	return true;
}

/* Marks the request too big and answers 413 if libmicrohttpd lets us now;
 * called again after the body was discarded when it did not. */
static void reply_too_big(struct tk_http_req *r)
{
	if (!r->too_big) {
		r->too_big = true;
		tk_http_add_header(r, "Connection", "close");
	}
	tk_http_reply_text(r, 413, "request body larger than %zu bytes", r->srv->max_body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct tk_http_server *srv = cls;
	struct tk_http_req *r = *con_cls;

	if (!r) {
		const char *cl;
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->srv = srv;
		r->c = c;
		r->method = method;
		r->path = url;
		*con_cls = r;
		pthread_mutex_lock(&srv->lock);
		srv->inflight++;
		pthread_mutex_unlock(&srv->lock);
		/* P-5: refuse an announced oversized body before reading it. */
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			char *end;
			unsigned long long v;
			errno = 0;
			v = strtoull(cl, &end, 10);
			if (errno || *end || end == cl || v > srv->max_body)
				reply_too_big(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->replied && !r->too_big &&
		    !append_body(r, upload_data, *upload_data_size)) {
			/* Chunked upload over the cap: answer now when libmicrohttpd
			 * lets us, else after discarding the rest. */
			reply_too_big(r);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->replied)
		return MHD_YES;
	if (r->too_big) {
		reply_too_big(r);
		return r->replied ? MHD_YES : MHD_NO;
	}
	fill_peer(r);
	fill_tls(r);
	if (srv->mode == TK_HTTP_HTTPS && srv->client_cert == TK_HTTP_CLIENT_CERT_REQUIRED &&
	    !r->tls.client_dn) {
		tk_http_reply_text(r, 403, "a verified client certificate is required");
		return r->replied ? MHD_YES : MHD_NO;
	}
	srv->handler(srv->handler_cls, r);
	if (!r->replied) {
		logf_(srv, 3, "handler gave no reply to %s %s", method, url);
		tk_http_reply_text(r, 500, "internal error");
	}
	return r->replied ? MHD_YES : MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct tk_http_server *srv = cls;
	struct tk_http_req *r = *con_cls;
	unsigned i;

	if (!r)
		return;
	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	if (r->body)
		tk_wipe(r->body, r->cap); /* bodies may hold tickets */
	free(r->body);
	free(r);
	*con_cls = NULL;
	pthread_mutex_lock(&srv->lock);
	srv->inflight--;
	if (srv->inflight == 0)
		pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
}

const char *tk_http_method(const struct tk_http_req *req) { return req->method; }
const char *tk_http_path(const struct tk_http_req *req) { return req->path; }
const char *tk_http_peer(const struct tk_http_req *req) { return req->peer; }
const char *tk_http_listener(const struct tk_http_req *req) { return req->srv->name; }
const struct tk_http_tls *tk_http_tls(const struct tk_http_req *req) { return &req->tls; }

const char *tk_http_query(const struct tk_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->c, MHD_GET_ARGUMENT_KIND, name);
}

const char *tk_http_header(const struct tk_http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->c, MHD_HEADER_KIND, name);
}

const uint8_t *tk_http_body(const struct tk_http_req *req, size_t *len)
{
	static const uint8_t empty[1];

	*len = req->len;
	return req->body ? req->body : empty;
}

int tk_http_add_header(struct tk_http_req *req, const char *name, const char *value)
{
	struct hdr *h;

	if (req->nhdrs >= MAX_EXTRA_HEADERS || !name || !value ||
	    strpbrk(name, "\r\n:") || strpbrk(value, "\r\n"))
		return -1;
	h = &req->hdrs[req->nhdrs];
	h->name = strdup(name);
	h->value = strdup(value);
	if (!h->name || !h->value) {
		free(h->name);
		free(h->value);
		return -1;
	}
	req->nhdrs++;
	return 0;
}

int tk_http_reply(struct tk_http_req *req, unsigned status, const char *content_type,
		  const void *body, size_t len)
{
	struct MHD_Response *resp;
	unsigned i;
	enum MHD_Result ok;

	if (req->replied)
		return -1;
	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return -1;
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	for (i = 0; i < req->nhdrs; i++)
		MHD_add_response_header(resp, req->hdrs[i].name, req->hdrs[i].value);
	ok = MHD_queue_response(req->c, status, resp);
	MHD_destroy_response(resp);
	if (ok != MHD_YES)
		return -1;
	req->replied = true;
	return 0;
}

int tk_http_reply_text(struct tk_http_req *req, unsigned status, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	return tk_http_reply(req, status, "text/plain; charset=utf-8", buf, (size_t)n);
}

/* JSON string body for problem documents (ASCII control characters escaped). */
static size_t json_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 8 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			out[n++] = '\\';
			out[n++] = (char)ch;
		} else if (ch < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", ch);
		} else {
			out[n++] = (char)ch;
		}
	}
	out[n] = 0;
	return n;
}

int tk_http_reply_problem(struct tk_http_req *req, unsigned status, const char *cause,
			  const char *detail)
{
	char buf[1400], tmp[600];
	size_t n;

	n = (size_t)snprintf(buf, sizeof buf, "{\"status\": %u", status);
	if (cause) {
		json_str(tmp, sizeof tmp, cause);
		n += (size_t)snprintf(buf + n, sizeof buf - n, ", \"cause\": \"%s\"", tmp);
	}
	if (detail) {
		json_str(tmp, sizeof tmp, detail);
		n += (size_t)snprintf(buf + n, sizeof buf - n, ", \"detail\": \"%s\"", tmp);
	}
	n += (size_t)snprintf(buf + n, sizeof buf - n, "}");
	return tk_http_reply(req, status, "application/problem+json", buf, n);
}

/* ---- life cycle ------------------------------------------------------- */

static char *read_pem(const char *file, const char *what, char *err, size_t errlen)
{
	FILE *f = fopen(file, "rb");
	char *buf;
	long n;

	if (!f) {
		snprintf(err, errlen, "%s \"%s\": %s", what, file, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1L << 20) ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		snprintf(err, errlen, "%s \"%s\": unreadable or larger than 1 MiB", what, file);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (!buf) {
		snprintf(err, errlen, "%s \"%s\": read error", what, file);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static int load_pem(char **dst, const char *pem, const char *file, const char *what,
		    char *err, size_t errlen)
{
	if (pem)
		*dst = strdup(pem);
	else if (file)
		*dst = read_pem(file, what, err, errlen);
	else
		return 0;
	if (!*dst && pem)
		snprintf(err, errlen, "out of memory");
	return *dst ? 0 : -1;
}

static void free_server(struct tk_http_server *srv)
{
	if (srv->key)
		tk_wipe(srv->key, strlen(srv->key));
	free(srv->key);
	free(srv->cert);
	free(srv->ca);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->idle);
	free(srv);
}

int tk_http_start(const struct tk_http_config *cfg, struct tk_http_server **out,
		  char *err, size_t errlen)
{
	struct tk_http_server *srv;
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_INTERNAL_THREAD |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem o[24];
	unsigned n = 0;
	const char *prio;
	const union MHD_DaemonInfo *di;
	char perr[200];

	*out = NULL;
	if (!cfg->handler) {
		snprintf(err, errlen, "no request handler");
		return -1;
	}
	if (tk_http_parse_listen(cfg->listen, &ss, &sl, perr, sizeof perr) != 0) {
		snprintf(err, errlen, "listen %s", perr);
		return -1;
	}
	if (cfg->mode == TK_HTTP_PSK && !cfg->psk_cb) {
		snprintf(err, errlen, "PSK listener without a key lookup");
		return -1;
	}
	srv = calloc(1, sizeof *srv);
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	srv->mode = cfg->mode;
	srv->client_cert = cfg->client_cert;
	srv->max_body = cfg->max_body ? cfg->max_body : 64 * 1024;
	srv->handler = cfg->handler;
	srv->handler_cls = cfg->handler_cls;
	srv->psk_cb = cfg->psk_cb;
	srv->psk_cls = cfg->psk_cls;
	srv->log = cfg->log;
	srv->log_cls = cfg->log_cls;
	snprintf(srv->name, sizeof srv->name, "%s", cfg->name ? cfg->name : "");

	if (cfg->mode == TK_HTTP_HTTPS) {
		if (load_pem(&srv->cert, cfg->cert_pem, cfg->cert_file, "certificate", err, errlen) ||
		    load_pem(&srv->key, cfg->key_pem, cfg->key_file, "key", err, errlen))
			goto fail;
		if (!srv->cert || !srv->key) {
			snprintf(err, errlen, "HTTPS listener needs a certificate and a key");
			goto fail;
		}
		if (cfg->client_cert != TK_HTTP_CLIENT_CERT_NONE) {
			if (load_pem(&srv->ca, cfg->client_ca_pem, cfg->client_ca_file,
				     "client CA", err, errlen))
				goto fail;
			if (!srv->ca) {
				snprintf(err, errlen, "client certificates need a client CA");
				goto fail;
			}
		}
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cfg->mode != TK_HTTP_PLAIN)
		flags |= MHD_USE_TLS;

	/* The logger first, so that libmicrohttpd sends every message to it. */
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER,
					  (intptr_t)mhd_logger, srv };
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE,
					  cfg->threads ? cfg->threads : 4, NULL };
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
					  cfg->max_connections ? cfg->max_connections : 1024, NULL };
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT,
					  cfg->connection_timeout ? cfg->connection_timeout : 30, NULL };
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
					  (intptr_t)on_completed, srv };
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION,
					  (intptr_t)on_connection, srv };
	if (cfg->mode != TK_HTTP_PLAIN) {
		prio = cfg->priority ? cfg->priority
			: cfg->mode == TK_HTTP_PSK ? TK_HTTP_PRIO_PSK : TK_HTTP_PRIO_HTTPS;
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)prio };
	}
	if (cfg->mode == TK_HTTP_HTTPS) {
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->cert };
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->key };
		if (srv->ca)
			o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, srv->ca };
	} else if (cfg->mode == TK_HTTP_PSK) {
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_CRED_TYPE, GNUTLS_CRD_PSK, NULL };
		o[n++] = (struct MHD_OptionItem){ MHD_OPTION_GNUTLS_PSK_CRED_HANDLER,
						  (intptr_t)on_psk, srv };
	}
	o[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	srv->starting = true;
	srv->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
				  MHD_OPTION_ARRAY, o, MHD_OPTION_END);
	srv->starting = false;
	if (!srv->d) {
		snprintf(err, errlen, "cannot start listener on %s%s%s", cfg->listen,
			 srv->start_err[0] ? ": " : "", srv->start_err);
		goto fail;
	}
	di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : 0;
	*out = srv;
	return 0;
fail:
	free_server(srv);
	return -1;
}

uint16_t tk_http_port(const struct tk_http_server *srv)
{
	return srv->port;
}

void tk_http_quiesce(struct tk_http_server *srv)
{
	MHD_socket fd;

	if (!srv || srv->quiesced)
		return;
	fd = MHD_quiesce_daemon(srv->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	srv->quiesced = true;
}

void tk_http_stop(struct tk_http_server *srv, unsigned grace_ms)
{
	struct timespec until;

	if (!srv)
		return;
	tk_http_quiesce(srv);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += grace_ms / 1000;
	until.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&srv->lock);
	while (srv->inflight > 0)
		if (pthread_cond_timedwait(&srv->idle, &srv->lock, &until) == ETIMEDOUT)
			break;
	if (srv->inflight > 0)
		logf_(srv, 4, "stopping with %u request(s) still in flight", srv->inflight);
	pthread_mutex_unlock(&srv->lock);
	MHD_stop_daemon(srv->d);
	free_server(srv);
}
