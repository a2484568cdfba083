/*
 * http.h: the one libmicrohttpd adapter of tkms (shared by tkmsd and bsf-stub).
 *
 * A listener is plain HTTP, HTTPS (server certificate, optional client
 * certificate verification) or PSK-TLS (TS 33.222 5.4, profile P-7). Each runs
 * libmicrohttpd with an internal epoll thread pool, a connection limit, a
 * per-connection idle timeout and a request body cap (413 before the body is
 * read whole, P-5). The handler is called once per request, after the whole
 * body has arrived, and answers with exactly one tk_http_reply* call (a
 * handler that does not reply gets a 500). Keep-alive is the normal case.
 *
 * Everything a request accessor returns lives until the handler returns.
 */
#ifndef TK_HTTP_H
#define TK_HTTP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct tk_http_server;
struct tk_http_req;

enum tk_http_mode {
	TK_HTTP_PLAIN = 0, /* no TLS (labs, loopback) */
	TK_HTTP_HTTPS,     /* X.509 server certificate, optional client cert */
	TK_HTTP_PSK,       /* PSK-TLS only (P-7): identity hint 3GPP-bootstrapping */
};

/* TLS protocol versions as on the wire. */
#define TK_TLS_1_2 0x0303
#define TK_TLS_1_3 0x0304

/* The identity hint sent on PSK listeners (gba.md 2.4, P-7). */
#define TK_HTTP_PSK_HINT "3GPP-bootstrapping"

/* What the PSK callback learns about the handshake. Under TLS 1.2 the suite is
 * the negotiated one (captured from the outgoing ServerHello); under TLS 1.3
 * the callback runs before the ServerHello, tls_version is TK_TLS_1_3 and the
 * key does not depend on the suite (Ua id 01 00 00 00 07, P-1). */
struct tk_http_psk_query {
	const char *identity;  /* as the client sent it (NUL-terminated) */
	uint16_t tls_version;  /* TK_TLS_1_2 or TK_TLS_1_3 */
	uint8_t suite[2];      /* TLS 1.2: negotiated suite; TLS 1.3: 0 0 */
};

/* Maximum PSK length the adapter hands to GnuTLS. */
#define TK_HTTP_PSK_MAX 64

/* Find the key for q->identity. Write at most *key_len (= TK_HTTP_PSK_MAX)
 * bytes to key and set *key_len. Return 0 on success, -1 for an unknown
 * identity or any failure (the handshake then fails). Runs in a server thread;
 * may block (e.g. a Zn request). The adapter wipes key after use. */
typedef int (*tk_http_psk_fn)(void *cls, const struct tk_http_psk_query *q,
			      uint8_t *key, size_t *key_len);

/* Called once per complete request; must reply with one tk_http_reply*. */
typedef void (*tk_http_handler_fn)(void *cls, struct tk_http_req *req);

/* Log sink for adapter and libmicrohttpd messages (level as syslog: 3 err,
 * 4 warning, 6 info, 7 debug). Optional. */
typedef void (*tk_http_log_fn)(void *cls, int level, const char *msg);

enum tk_http_client_cert {
	TK_HTTP_CLIENT_CERT_NONE = 0, /* never ask */
	TK_HTTP_CLIENT_CERT_OPTIONAL, /* ask; verified DN reported if one is sent */
	TK_HTTP_CLIENT_CERT_REQUIRED, /* requests without a verified cert get 403 */
};

struct tk_http_config {
	const char *listen;           /* "127.0.0.1:8080", "[::1]:8443"; port 0 = any */
	enum tk_http_mode mode;
	/* HTTPS: file names, or PEM text in memory (the *_pem field wins). */
	const char *cert_file, *key_file, *client_ca_file;
	const char *cert_pem, *key_pem, *client_ca_pem;
	enum tk_http_client_cert client_cert; /* needs a client CA */
	/* PSK: the key lookup (required in TK_HTTP_PSK mode). */
	tk_http_psk_fn psk_cb;
	void *psk_cls;
	/* GnuTLS priority string; NULL = TK_HTTP_PRIO_PSK / TK_HTTP_PRIO_HTTPS. */
	const char *priority;
	unsigned threads;             /* thread pool size; 0 = 4 */
	unsigned max_connections;     /* 0 = 1024 */
	unsigned connection_timeout;  /* seconds idle before close; 0 = 30 */
	size_t max_body;              /* bytes; 0 = 64 KiB (P-5) */
	tk_http_handler_fn handler;
	void *handler_cls;
	tk_http_log_fn log;           /* NULL = silent */
	void *log_cls;
	const char *name;             /* for log lines, e.g. "psk"; may be NULL */
};

/* Default priority strings: strong suites only, TLS 1.2 and 1.3, no early data. */
#define TK_HTTP_PRIO_PSK \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-PSK:+DHE-PSK:+PSK:" \
	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305"
#define TK_HTTP_PRIO_HTTPS \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA:+ECDHE-ECDSA:" \
	"-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305"

/* Parse "host:port" / "[v6]:port" (numeric hosts only). 0 or -1; err filled. */
int tk_http_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
			 char *err, size_t errlen);

/* Start a listener. 0 on success; -1 with a message in err. */
int tk_http_start(const struct tk_http_config *cfg, struct tk_http_server **out,
		  char *err, size_t errlen);
/* The bound port (useful after listening on port 0). */
uint16_t tk_http_port(const struct tk_http_server *srv);
/* Stop accepting new connections (requests on open ones still run).
 * Lets a program with several listeners close all doors before it waits
 * on any. Idempotent; NULL is a no-op. */
void tk_http_quiesce(struct tk_http_server *srv);
/* Clean stop: stop accepting, let in-flight requests finish (up to
 * grace_ms), then close everything and free srv. NULL is a no-op. */
void tk_http_stop(struct tk_http_server *srv, unsigned grace_ms);

/* ---- request accessors ------------------------------------------------ */

const char *tk_http_method(const struct tk_http_req *req);   /* "POST" */
const char *tk_http_path(const struct tk_http_req *req);     /* "/mikey" (no query) */
/* A query argument (decoded) or NULL. */
const char *tk_http_query(const struct tk_http_req *req, const char *name);
/* A request header (case-insensitive name) or NULL. */
const char *tk_http_header(const struct tk_http_req *req, const char *name);
/* The request body (may be empty; never NULL). */
const uint8_t *tk_http_body(const struct tk_http_req *req, size_t *len);
/* Peer address as "127.0.0.1:5555" / "[::1]:5555". */
const char *tk_http_peer(const struct tk_http_req *req);
/* The listener's name from the config (or ""). */
const char *tk_http_listener(const struct tk_http_req *req);

/* What the transport established. Fields are 0 / NULL where not applicable. */
struct tk_http_tls {
	enum tk_http_mode mode;
	uint16_t version;            /* TK_TLS_1_2 / TK_TLS_1_3; 0 on plain HTTP */
	uint8_t suite[2];            /* negotiated cipher suite code */
	const char *psk_identity;    /* PSK listener: identity the client used */
	const char *client_dn;       /* verified client certificate subject DN */
	const char *client_san;      /* its first DNS/URI subjectAltName, if any */
};
const struct tk_http_tls *tk_http_tls(const struct tk_http_req *req);

/* ---- replies (exactly one per request) -------------------------------- */

/* Add a response header before replying (e.g. WWW-Authenticate, Allow,
 * Retry-After). Up to 8 per request; 0 or -1. */
int tk_http_add_header(struct tk_http_req *req, const char *name, const char *value);
/* Status, content type (NULL = none) and body bytes (copied). 0 or -1. */
int tk_http_reply(struct tk_http_req *req, unsigned status, const char *content_type,
		  const void *body, size_t len);
/* text/plain; charset=utf-8 body from a format; a newline is appended. */
int tk_http_reply_text(struct tk_http_req *req, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* application/problem+json {"status": N, "cause": cause, "detail": detail}
 * (cause and detail may be NULL and are then left out). */
int tk_http_reply_problem(struct tk_http_req *req, unsigned status, const char *cause,
			  const char *detail);

/* ---- lab certificates -------------------------------------------------- */

/* SHA-256 fingerprint as colon-separated upper-case hex, NUL included. */
#define TK_HTTP_FPR_LEN 96

/* Generate an ECDSA P-256 key and a self-signed certificate for cn (CN and
 * DNS subjectAltName; also SANs localhost, 127.0.0.1 and ::1), valid for
 * days. For labs and tests only. *cert_pem and *key_pem are malloc'ed PEM
 * text (wipe the key before freeing it); fpr gets the certificate's SHA-256
 * fingerprint. 0 or -1 with err. */
int tk_http_selfsigned(const char *cn, unsigned days, char **cert_pem, char **key_pem,
		       char fpr[TK_HTTP_FPR_LEN], char *err, size_t errlen);

#endif
