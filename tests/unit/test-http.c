/*
 * test-http.c: the libmicrohttpd adapter against real clients, in process:
 * plain HTTP and HTTPS driven with libcurl, PSK-TLS (P-7) driven with a
 * GnuTLS client session. Covers the body cap (P-5), keep-alive reuse, reply
 * helpers, client certificates, the PSK identity hint, the suite the PSK
 * callback and the handler see, unknown identities and the clean stop.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "http/http.h"
#include "tk_test.h"

/* ---- a server whose handler reports what it saw ------------------------ */

static struct {
	pthread_mutex_t lock;
	struct tk_http_psk_query last_q;  /* copy of the last PSK query */
	char last_identity[256];
	unsigned psk_calls;
	unsigned sleep_ms;                /* handler delay (clean stop test) */
	unsigned entered;                 /* handler calls begun */
} seen = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A PSK that depends on what the adapter reports, so a wrong suite or
 * version makes the handshake fail. */
static void test_key(const char *identity, uint16_t version, const uint8_t suite[2],
		     uint8_t key[32])
{
	size_t i, n = strlen(identity);

	for (i = 0; i < 32; i++)
		key[i] = (uint8_t)(0x40 + i) ^ (uint8_t)identity[i % n];
	key[0] ^= (uint8_t)(version >> 8);
	key[1] ^= (uint8_t)version;
	key[2] ^= suite[0];
	key[3] ^= suite[1];
}

static int psk_lookup(void *cls, const struct tk_http_psk_query *q, uint8_t *key,
		      size_t *key_len)
{
	pthread_mutex_lock(&seen.lock);
	seen.last_q = *q;
	snprintf(seen.last_identity, sizeof seen.last_identity, "%s", q->identity);
	seen.last_q.identity = seen.last_identity;
	seen.psk_calls++;
	pthread_mutex_unlock(&seen.lock);
	if (strncmp(q->identity, "known", 5) != 0)
		return -1;
	CU_ASSERT_FATAL(*key_len >= 32);
	test_key(q->identity, q->tls_version, q->suite, key);
	*key_len = 32;
	return 0;
}

static void handler(void *cls, struct tk_http_req *req)
{
	const struct tk_http_tls *t = tk_http_tls(req);
	size_t len;
	const uint8_t *body = tk_http_body(req, &len);
	const char *path = tk_http_path(req);

	pthread_mutex_lock(&seen.lock);
	seen.entered++;
	pthread_mutex_unlock(&seen.lock);
	if (seen.sleep_ms)
		usleep(seen.sleep_ms * 1000);
	if (strcmp(path, "/problem") == 0) {
		tk_http_add_header(req, "Retry-After", "7");
		tk_http_reply_problem(req, 503, "BUSY", "try \"later\"");
		return;
	}
	if (strcmp(path, "/noreply") == 0)
		return;
	if (strcmp(path, "/echo") == 0) {
		tk_http_reply(req, 200, "application/octet-stream", body, len);
		return;
	}
	tk_http_reply_text(req, 200, "%s %s q=%s len=%zu peer=%s ver=%04x suite=%02x%02x psk=%s dn=%s",
			   tk_http_method(req), path,
			   tk_http_query(req, "q") ? tk_http_query(req, "q") : "-", len,
			   tk_http_peer(req), t->version, t->suite[0], t->suite[1],
			   t->psk_identity ? t->psk_identity : "-",
			   t->client_dn ? t->client_dn : "-");
}

static struct tk_http_server *start(enum tk_http_mode mode, size_t max_body,
				    const char *cert, const char *key, const char *ca,
				    enum tk_http_client_cert cc, const char *listen)
{
	struct tk_http_config cfg;
	struct tk_http_server *srv = NULL;
	char err[300];

	memset(&cfg, 0, sizeof cfg);
	cfg.listen = listen ? listen : "127.0.0.1:0";
	cfg.mode = mode;
	cfg.cert_pem = cert;
	cfg.key_pem = key;
	cfg.client_ca_pem = ca;
	cfg.client_cert = cc;
	cfg.psk_cb = psk_lookup;
	cfg.threads = 2;
	cfg.max_body = max_body;
	cfg.handler = handler;
	cfg.name = "test";
	if (tk_http_start(&cfg, &srv, err, sizeof err) != 0)
		fprintf(stderr, "start: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT(tk_http_port(srv) != 0);
	return srv;
}

/* ---- libcurl client ---------------------------------------------------- */

struct buf { char data[8192]; size_t len; };

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	struct buf *b = ud;
	size_t k = sz * n;

	if (k > sizeof b->data - 1 - b->len)
		k = sizeof b->data - 1 - b->len;
	memcpy(b->data + b->len, p, k);
	b->len += k;
	b->data[b->len] = 0;
	return sz * n;
}

/* One request on handle h (reused for keep-alive). Returns the status. */
static long curl_do(CURL *h, const char *url, const char *body, long body_len,
		    struct buf *out, struct buf *hdrs, struct curl_slist *extra)
{
	long status = 0;

	memset(out, 0, sizeof *out);
	if (hdrs)
		memset(hdrs, 0, sizeof *hdrs);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, hdrs ? sink : NULL);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, hdrs);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, extra);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, body_len);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
	if (curl_easy_perform(h) != CURLE_OK)
		return -1;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static void url_of(char *u, size_t n, const char *scheme, struct tk_http_server *srv,
		   const char *path)
{
	snprintf(u, n, "%s://127.0.0.1:%u%s", scheme, tk_http_port(srv), path);
}

/* The "peer=" field of a handler report. */
static void peer_of(const char *report, char *out, size_t n)
{
	const char *p = strstr(report, "peer=");
	size_t k = 0;

	out[0] = 0;
	if (!p)
		return;
	for (p += 5; *p && *p != ' ' && k + 1 < n; p++)
		out[k++] = *p;
	out[k] = 0;
}

/* ---- tests ------------------------------------------------------------- */

static void test_parse_listen(void)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[200];

	CU_ASSERT_EQUAL(tk_http_parse_listen("127.0.0.1:8443", &ss, &sl, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET);
	CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8443);
	CU_ASSERT_EQUAL(tk_http_parse_listen("[::1]:80", &ss, &sl, err, sizeof err), 0);
	CU_ASSERT_EQUAL(ss.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(tk_http_parse_listen("::1:80", &ss, &sl, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "[addr]:PORT"));
	CU_ASSERT_EQUAL(tk_http_parse_listen("127.0.0.1:65536", &ss, &sl, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "0..65535"));
	CU_ASSERT_EQUAL(tk_http_parse_listen("localhost:80", &ss, &sl, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "numeric IPv4"));
	CU_ASSERT_EQUAL(tk_http_parse_listen("127.0.0.1:", &ss, &sl, err, sizeof err), -1);
	CU_ASSERT_EQUAL(tk_http_parse_listen("", &ss, &sl, err, sizeof err), -1);
	CU_ASSERT_EQUAL(tk_http_parse_listen("[::1]80", &ss, &sl, err, sizeof err), -1);
}

static void test_start_errors(void)
{
	struct tk_http_config cfg;
	struct tk_http_server *srv = NULL, *srv2 = NULL;
	char err[300], listen[64];

	memset(&cfg, 0, sizeof cfg);
	cfg.handler = handler;
	cfg.listen = "nowhere";
	CU_ASSERT_EQUAL(tk_http_start(&cfg, &srv, err, sizeof err), -1);
	CU_ASSERT_PTR_NULL(srv);
	cfg.listen = "127.0.0.1:0";
	cfg.mode = TK_HTTP_HTTPS;
	CU_ASSERT_EQUAL(tk_http_start(&cfg, &srv, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate and a key"));
	cfg.cert_file = "/nonexistent/cert.pem";
	cfg.key_file = "/nonexistent/key.pem";
	CU_ASSERT_EQUAL(tk_http_start(&cfg, &srv, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/cert.pem"));
	cfg.mode = TK_HTTP_PSK;
	CU_ASSERT_EQUAL(tk_http_start(&cfg, &srv, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "key lookup"));
	/* A port in use is reported, not ignored. */
	srv = start(TK_HTTP_PLAIN, 0, NULL, NULL, NULL, 0, NULL);
	snprintf(listen, sizeof listen, "127.0.0.1:%u", tk_http_port(srv));
	memset(&cfg, 0, sizeof cfg);
	cfg.handler = handler;
	cfg.listen = listen;
	CU_ASSERT_EQUAL(tk_http_start(&cfg, &srv2, err, sizeof err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, listen));
	tk_http_stop(srv, 1000);
}

static void test_plain_basics(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PLAIN, 0, NULL, NULL, NULL, 0, NULL);
	CURL *h = curl_easy_init();
	struct buf out, hdrs;
	char url[128];

	url_of(url, sizeof url, "http", srv, "/path/x?q=a%20b");
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "GET /path/x q=a b len=0 peer=127.0.0.1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "ver=0000 suite=0000 psk=- dn=-"));

	url_of(url, sizeof url, "http", srv, "/echo");
	CU_ASSERT_EQUAL(curl_do(h, url, "a\0b", 3, &out, &hdrs, NULL), 200);
	CU_ASSERT_EQUAL(out.len, 3);
	CU_ASSERT(memcmp(out.data, "a\0b", 3) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(hdrs.data, "Content-Type: application/octet-stream"));

	url_of(url, sizeof url, "http", srv, "/problem");
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, &hdrs, NULL), 503);
	CU_ASSERT_STRING_EQUAL(out.data,
			       "{\"status\": 503, \"cause\": \"BUSY\", \"detail\": \"try \\\"later\\\"\"}");
	CU_ASSERT_PTR_NOT_NULL(strstr(hdrs.data, "Retry-After: 7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(hdrs.data, "Content-Type: application/problem+json"));

	url_of(url, sizeof url, "http", srv, "/noreply");
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 500);

	curl_easy_cleanup(h);
	tk_http_stop(srv, 1000);
}

static void test_keepalive(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PLAIN, 0, NULL, NULL, NULL, 0, NULL);
	CURL *h = curl_easy_init();
	struct buf out;
	char url[128], p1[64], p2[64], p3[64];
	long conns = -1;
	int i;

	url_of(url, sizeof url, "http", srv, "/ka");
	CU_ASSERT_EQUAL(curl_do(h, url, "x", 1, &out, NULL, NULL), 200);
	peer_of(out.data, p1, sizeof p1);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 200);
		curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
		CU_ASSERT_EQUAL(conns, 0);
	}
	peer_of(out.data, p2, sizeof p2);
	/* Same client port: the same TCP connection served all requests. */
	CU_ASSERT(p1[0] != 0);
	CU_ASSERT_STRING_EQUAL(p1, p2);
	/* A fresh handle gets a different connection (the check can fail). */
	curl_easy_cleanup(h);
	h = curl_easy_init();
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 200);
	peer_of(out.data, p3, sizeof p3);
	CU_ASSERT_STRING_NOT_EQUAL(p1, p3);
	curl_easy_cleanup(h);
	tk_http_stop(srv, 1000);
}

static void test_body_cap(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PLAIN, 1024, NULL, NULL, NULL, 0, NULL);
	CURL *h = curl_easy_init();
	struct buf out, hdrs;
	struct curl_slist *chunked = curl_slist_append(NULL, "Transfer-Encoding: chunked");
	char url[128], *big = malloc(200000);
	const char *p;

	memset(big, 'z', 200000);
	url_of(url, sizeof url, "http", srv, "/echo");
	CU_ASSERT_EQUAL(curl_do(h, url, big, 1024, &out, NULL, NULL), 200);
	CU_ASSERT_EQUAL(out.len, 1024);
	CU_ASSERT_EQUAL(curl_do(h, url, big, 1025, &out, NULL, NULL), 413);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "larger than 1024 bytes"));
	CU_ASSERT_EQUAL(curl_do(h, url, big, 200000, &out, NULL, NULL), 413);
	/* Without Content-Length the cap still holds. */
	CU_ASSERT_EQUAL(curl_do(h, url, big, 5000, &out, &hdrs, chunked), 413);
	/* ... with one Connection header, though the 413 may be tried twice */
	p = strstr(hdrs.data, "Connection: close");
	CU_ASSERT_PTR_NOT_NULL(p);
	CU_ASSERT_PTR_NULL(p ? strstr(p + 1, "Connection:") : NULL);
	CU_ASSERT_EQUAL(curl_do(h, url, big, 1000, &out, NULL, chunked), 200);
	CU_ASSERT_EQUAL(out.len, 1000);
	/* The server is still healthy afterwards. */
	CU_ASSERT_EQUAL(curl_do(h, url, "ok", 2, &out, NULL, NULL), 200);
	curl_slist_free_all(chunked);
	free(big);
	curl_easy_cleanup(h);
	tk_http_stop(srv, 1000);
}

static void test_ipv6(void)
{
	struct tk_http_server *srv;
	CURL *h;
	struct buf out;
	char url[128];
	struct tk_http_config cfg;
	char err[300];

	memset(&cfg, 0, sizeof cfg);
	cfg.listen = "[::1]:0";
	cfg.handler = handler;
	if (tk_http_start(&cfg, &srv, err, sizeof err) != 0) {
		/* Only where the machine has no IPv6 loopback at all. */
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "[::1]:0"));
		fprintf(stderr, "no IPv6 loopback here: %s\n", err);
		return;
	}
	h = curl_easy_init();
	snprintf(url, sizeof url, "http://[::1]:%u/six", tk_http_port(srv));
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "peer=[::1]:"));
	curl_easy_cleanup(h);
	tk_http_stop(srv, 1000);
}

/* ---- HTTPS ------------------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *name, const char *text, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* A client certificate for cn, signed by the CA given as PEM. */
static void issue_client(const char *ca_cert, const char *ca_key, const char *cn,
			 char **cert_pem, char **key_pem)
{
	gnutls_x509_crt_t ca, crt;
	gnutls_x509_privkey_t cak, key;
	gnutls_datum_t d;
	time_t now = time(NULL);
	unsigned char serial[2] = { 0x12, 0x34 };

	CU_ASSERT_FATAL(gnutls_x509_crt_init(&ca) == 0 && gnutls_x509_crt_init(&crt) == 0);
	CU_ASSERT_FATAL(gnutls_x509_privkey_init(&cak) == 0 && gnutls_x509_privkey_init(&key) == 0);
	d.data = (unsigned char *)ca_cert;
	d.size = (unsigned)strlen(ca_cert);
	CU_ASSERT_FATAL(gnutls_x509_crt_import(ca, &d, GNUTLS_X509_FMT_PEM) == 0);
	d.data = (unsigned char *)ca_key;
	d.size = (unsigned)strlen(ca_key);
	CU_ASSERT_FATAL(gnutls_x509_privkey_import(cak, &d, GNUTLS_X509_FMT_PEM) == 0);
	CU_ASSERT_FATAL(gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0) == 0);
	gnutls_x509_crt_set_version(crt, 3);
	gnutls_x509_crt_set_serial(crt, serial, sizeof serial);
	gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, (unsigned)strlen(cn));
	gnutls_x509_crt_set_activation_time(crt, now - 60);
	gnutls_x509_crt_set_expiration_time(crt, now + 3600);
	gnutls_x509_crt_set_key(crt, key);
	gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "li-1.home1.net", 14,
					     GNUTLS_FSAN_APPEND);
	gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_CLIENT, 0);
	CU_ASSERT_FATAL(gnutls_x509_crt_sign2(crt, ca, cak, GNUTLS_DIG_SHA256, 0) == 0);
	CU_ASSERT_FATAL(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d) == 0);
	*cert_pem = strndup((char *)d.data, d.size);
	gnutls_free(d.data);
	CU_ASSERT_FATAL(gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &d) == 0);
	*key_pem = strndup((char *)d.data, d.size);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(cak);
	gnutls_x509_privkey_deinit(key);
}

static void test_https(void)
{
	char *cert, *key, *ccert, *ckey, *ca_cert, *ca_key, fpr[TK_HTTP_FPR_LEN], fpr2[TK_HTTP_FPR_LEN];
	char err[200], url[128], cafile[128], ccfile[128], ckfile[128];
	struct tk_http_server *srv;
	CURL *h;
	struct buf out;

	CU_ASSERT_EQUAL_FATAL(tk_http_selfsigned("kms.home1.net", 2, &cert, &key, fpr,
						 err, sizeof err), 0);
	CU_ASSERT_EQUAL(strlen(fpr), 95);
	CU_ASSERT_EQUAL(fpr[2], ':');
	CU_ASSERT_EQUAL_FATAL(tk_http_selfsigned("lab CA", 2, &ca_cert, &ca_key, fpr2,
						 err, sizeof err), 0);
	CU_ASSERT_STRING_NOT_EQUAL(fpr, fpr2);
	issue_client(ca_cert, ca_key, "li-1", &ccert, &ckey);
	write_file("server.pem", cert, cafile, sizeof cafile);
	write_file("client.pem", ccert, ccfile, sizeof ccfile);
	write_file("client.key", ckey, ckfile, sizeof ckfile);

	/* Server authentication only. */
	srv = start(TK_HTTP_HTTPS, 0, cert, key, NULL, TK_HTTP_CLIENT_CERT_NONE, NULL);
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
	url_of(url, sizeof url, "https", srv, "/s");
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 200);
	CU_ASSERT(strstr(out.data, "ver=0304") || strstr(out.data, "ver=0303"));
	CU_ASSERT_PTR_NULL(strstr(out.data, "suite=0000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "psk=- dn=-"));
	curl_easy_cleanup(h);
	/* A client that does not trust the certificate fails. */
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_CAINFO, ccfile);
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), -1);
	curl_easy_cleanup(h);
	tk_http_stop(srv, 1000);

	/* Client certificates required. */
	srv = start(TK_HTTP_HTTPS, 0, cert, key, ca_cert, TK_HTTP_CLIENT_CERT_REQUIRED, NULL);
	url_of(url, sizeof url, "https", srv, "/c");
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 403);
	curl_easy_cleanup(h);
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(h, CURLOPT_SSLCERT, ccfile);
	curl_easy_setopt(h, CURLOPT_SSLKEY, ckfile);
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "dn=CN=li-1"));
	curl_easy_cleanup(h);
	/* A certificate from another issuer (the server's own, self-signed) is not verified. */
	h = curl_easy_init();
	write_file("server.key", key, ckfile, sizeof ckfile);
	curl_easy_setopt(h, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(h, CURLOPT_SSLCERT, cafile);
	curl_easy_setopt(h, CURLOPT_SSLKEY, ckfile);
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), 403);
	curl_easy_cleanup(h);
	tk_http_stop(srv, 1000);

	free(cert);
	free(key);
	free(ccert);
	free(ckey);
	free(ca_cert);
	free(ca_key);
}

/* ---- PSK-TLS with a GnuTLS client ------------------------------------- */

struct psk_result {
	int handshake;       /* gnutls_handshake result */
	uint16_t version;    /* negotiated, wire form */
	uint8_t suite[2];    /* negotiated suite as the client sees it */
	char hint[64];
	int status;          /* HTTP status, 0 when none */
	char body[1024];
};

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The client's own view of the suite: find the IANA code for its kx/cipher/mac. */
static void client_suite(gnutls_session_t s, uint8_t out[2])
{
	gnutls_kx_algorithm_t kx = gnutls_kx_get(s), k;
	gnutls_cipher_algorithm_t ci = gnutls_cipher_get(s), c;
	gnutls_mac_algorithm_t mac = gnutls_mac_get(s), m;
	gnutls_protocol_t v;
	unsigned char id[2];
	size_t i;

	out[0] = out[1] = 0;
	for (i = 0; gnutls_cipher_suite_info(i, id, &k, &c, &m, &v); i++) {
		/* TLS 1.3 suites have no key exchange of their own. */
		if (c == ci && m == mac && (k == kx || (k == GNUTLS_KX_UNKNOWN &&
			gnutls_protocol_get_version(s) == GNUTLS_TLS1_3))) {
			out[0] = id[0];
			out[1] = id[1];
			return;
		}
	}
}

/* prio: client priority; version/suite: what the client will use to derive
 * the key (it must match what the server's callback reports). */
static void psk_request(uint16_t port, const char *prio, const char *identity,
			uint16_t key_version, const uint8_t key_suite[2], bool wrong_key,
			const char *request, struct psk_result *res)
{
	gnutls_session_t s;
	gnutls_psk_client_credentials_t cred;
	gnutls_datum_t k;
	uint8_t key[32];
	int fd, rc;
	size_t got = 0;
	char buf[2048];

	memset(res, 0, sizeof *res);
	test_key(identity, key_version, key_suite, key);
	if (wrong_key)
		key[31] ^= 1;
	k.data = key;
	k.size = sizeof key;
	CU_ASSERT_FATAL(gnutls_psk_allocate_client_credentials(&cred) == 0);
	CU_ASSERT_FATAL(gnutls_psk_set_client_credentials(cred, identity, &k, GNUTLS_PSK_KEY_RAW) == 0);
	CU_ASSERT_FATAL(gnutls_init(&s, GNUTLS_CLIENT) == 0);
	CU_ASSERT_FATAL(gnutls_priority_set_direct(s, prio, NULL) == 0);
	gnutls_credentials_set(s, GNUTLS_CRD_PSK, cred);
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	gnutls_transport_set_int(s, fd);
	/* generous: DHE under valgrind on a loaded machine took over 5 s */
	gnutls_handshake_set_timeout(s, 30000);
	do
		rc = gnutls_handshake(s);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	res->handshake = rc;
	if (rc == 0) {
		const char *hint = gnutls_psk_client_get_hint(s);
		snprintf(res->hint, sizeof res->hint, "%s", hint ? hint : "");
		res->version = gnutls_protocol_get_version(s) == GNUTLS_TLS1_3 ? TK_TLS_1_3
			: gnutls_protocol_get_version(s) == GNUTLS_TLS1_2 ? TK_TLS_1_2 : 0;
		client_suite(s, res->suite);
		CU_ASSERT(gnutls_record_send(s, request, strlen(request)) == (ssize_t)strlen(request));
		for (;;) {
			ssize_t n = gnutls_record_recv(s, buf + got, sizeof buf - 1 - got);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
			if (got == sizeof buf - 1)
				break;
		}
		buf[got] = 0;
		if (sscanf(buf, "HTTP/1.1 %d", &res->status) != 1)
			res->status = 0;
		if (strstr(buf, "\r\n\r\n"))
			snprintf(res->body, sizeof res->body, "%s", strstr(buf, "\r\n\r\n") + 4);
		gnutls_bye(s, GNUTLS_SHUT_WR);
	}
	close(fd);
	gnutls_deinit(s);
	gnutls_psk_free_client_credentials(cred);
}

static const char *GET_CLOSE = "GET /psk HTTP/1.1\r\nHost: kms\r\nConnection: close\r\n\r\n";

static void check_psk_suite(struct tk_http_server *srv, const char *client_prio,
			    const uint8_t want[2])
{
	struct psk_result r;
	char expect[128];
	const char *id = "known.3GPP-bootstrapping.abc@bsf.home1.net";

	psk_request(tk_http_port(srv), client_prio, id, TK_TLS_1_2, want, false, GET_CLOSE, &r);
	CU_ASSERT_EQUAL(r.handshake, 0);
	CU_ASSERT_EQUAL(r.version, TK_TLS_1_2);
	CU_ASSERT_EQUAL(r.suite[0], want[0]);
	CU_ASSERT_EQUAL(r.suite[1], want[1]);
	CU_ASSERT_STRING_EQUAL(r.hint, TK_HTTP_PSK_HINT);
	CU_ASSERT_EQUAL(r.status, 200);
	snprintf(expect, sizeof expect, "ver=0303 suite=%02x%02x psk=%s dn=-",
		 r.suite[0], r.suite[1], id);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, expect));
	pthread_mutex_lock(&seen.lock);
	CU_ASSERT_EQUAL(seen.last_q.tls_version, TK_TLS_1_2);
	CU_ASSERT(memcmp(seen.last_q.suite, want, 2) == 0);
	CU_ASSERT_STRING_EQUAL(seen.last_identity, id);
	pthread_mutex_unlock(&seen.lock);
}

static void test_psk_tls12(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PSK, 0, NULL, NULL, NULL, 0, NULL);
	static const uint8_t ecdhe_chacha[2] = { 0xcc, 0xac }, dhe_aes128[2] = { 0x00, 0xaa },
		dhe_aes256[2] = { 0x00, 0xab }, psk_aes128[2] = { 0x00, 0xa8 };

	check_psk_suite(srv, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-PSK:"
			"-CIPHER-ALL:+CHACHA20-POLY1305", ecdhe_chacha);
	check_psk_suite(srv, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-PSK:"
			"-CIPHER-ALL:+AES-128-GCM", dhe_aes128);
	check_psk_suite(srv, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-PSK:"
			"-CIPHER-ALL:+AES-256-GCM", dhe_aes256);
	/* A client announcing no finite-field group (as OpenSSL does under
	 * TLS 1.2) still gets DHE-PSK: the server has its own DH parameters. */
	check_psk_suite(srv, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-PSK:"
			"-CIPHER-ALL:+AES-128-GCM:-GROUP-ALL:+GROUP-X25519", dhe_aes128);
	check_psk_suite(srv, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:"
			"-CIPHER-ALL:+AES-128-GCM", psk_aes128);
	tk_http_stop(srv, 1000);
}

static void test_psk_tls13(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PSK, 0, NULL, NULL, NULL, 0, NULL);
	static const uint8_t none[2] = { 0, 0 };
	struct psk_result r;
	const char *id = "known-tls13-btid@bsf.home1.net";

	psk_request(tk_http_port(srv), "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-PSK:+DHE-PSK",
		    id, TK_TLS_1_3, none, false, GET_CLOSE, &r);
	CU_ASSERT_EQUAL(r.handshake, 0);
	CU_ASSERT_EQUAL(r.version, TK_TLS_1_3);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_EQUAL(r.suite[0], 0x13);
	pthread_mutex_lock(&seen.lock);
	CU_ASSERT_EQUAL(seen.last_q.tls_version, TK_TLS_1_3);
	CU_ASSERT(memcmp(seen.last_q.suite, none, 2) == 0);
	pthread_mutex_unlock(&seen.lock);
	{
		char expect[128];
		snprintf(expect, sizeof expect, "ver=0304 suite=%02x%02x psk=%s",
			 r.suite[0], r.suite[1], id);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.body, expect));
	}
	tk_http_stop(srv, 1000);
}

static void test_psk_refused(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PSK, 0, NULL, NULL, NULL, 0, NULL);
	static const uint8_t ecdhe_chacha[2] = { 0xcc, 0xac }, none[2] = { 0, 0 };
	const char *p12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-PSK:-CIPHER-ALL:+CHACHA20-POLY1305";
	const char *p13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-PSK";
	struct psk_result r;
	unsigned calls;

	pthread_mutex_lock(&seen.lock);
	calls = seen.psk_calls;
	pthread_mutex_unlock(&seen.lock);
	psk_request(tk_http_port(srv), p12, "unknown@bsf", TK_TLS_1_2, ecdhe_chacha, false,
		    GET_CLOSE, &r);
	CU_ASSERT(r.handshake < 0);
	CU_ASSERT_EQUAL(r.status, 0);
	psk_request(tk_http_port(srv), p13, "unknown@bsf", TK_TLS_1_3, none, false, GET_CLOSE, &r);
	CU_ASSERT(r.handshake < 0);
	/* Known identity, wrong key. */
	psk_request(tk_http_port(srv), p12, "known@bsf", TK_TLS_1_2, ecdhe_chacha, true,
		    GET_CLOSE, &r);
	CU_ASSERT(r.handshake < 0);
	/* Key derived for the wrong suite (as if the suite were misreported). */
	psk_request(tk_http_port(srv), p12, "known@bsf", TK_TLS_1_2, (const uint8_t *)"\x00\xaa",
		    false, GET_CLOSE, &r);
	CU_ASSERT(r.handshake < 0);
	pthread_mutex_lock(&seen.lock);
	CU_ASSERT(seen.psk_calls >= calls + 4);
	pthread_mutex_unlock(&seen.lock);
	/* A certificate-only client cannot talk to a PSK listener. */
	{
		CURL *h = curl_easy_init();
		struct buf out;
		char url[128];
		url_of(url, sizeof url, "https", srv, "/x");
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), -1);
		curl_easy_cleanup(h);
	}
	/* Still serving. */
	psk_request(tk_http_port(srv), p12, "known@bsf", TK_TLS_1_2, ecdhe_chacha, false,
		    GET_CLOSE, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	tk_http_stop(srv, 1000);
}

/* Keep-alive and the body cap inside PSK-TLS: two requests on one session. */
static void test_psk_keepalive(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PSK, 16, NULL, NULL, NULL, 0, NULL);
	static const uint8_t ecdhe_chacha[2] = { 0xcc, 0xac };
	struct psk_result r;
	const char *two = "POST /echo HTTP/1.1\r\nHost: k\r\nContent-Length: 5\r\n\r\nhello"
			  "POST /psk HTTP/1.1\r\nHost: k\r\nContent-Length: 17\r\nConnection: close\r\n\r\n"
			  "0123456789abcdefg";

	psk_request(tk_http_port(srv), "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-PSK:"
		    "-CIPHER-ALL:+CHACHA20-POLY1305", "known1", TK_TLS_1_2, ecdhe_chacha, false,
		    two, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "hello"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "HTTP/1.1 413"));
	tk_http_stop(srv, 1000);
}

/* ---- clean stop -------------------------------------------------------- */

struct slow { uint16_t port; long status; char body[256]; };

static void *slow_client(void *arg)
{
	struct slow *s = arg;
	CURL *h = curl_easy_init();
	struct buf out;
	char url[128];

	snprintf(url, sizeof url, "http://127.0.0.1:%u/slow", s->port);
	s->status = curl_do(h, url, "abc", 3, &out, NULL, NULL);
	snprintf(s->body, sizeof s->body, "%.200s", out.data);
	curl_easy_cleanup(h);
	return NULL;
}

static void test_clean_stop(void)
{
	struct tk_http_server *srv = start(TK_HTTP_PLAIN, 0, NULL, NULL, NULL, 0, NULL);
	struct slow s = { .port = tk_http_port(srv) };
	pthread_t t;
	struct timespec a, b;
	CURL *h;
	struct buf out;
	char url[128];
	unsigned before, i;

	pthread_mutex_lock(&seen.lock);
	before = seen.entered;
	pthread_mutex_unlock(&seen.lock);
	seen.sleep_ms = 400;
	pthread_create(&t, NULL, slow_client, &s);
	for (i = 0; i < 500; i++) { /* until the request is inside the handler */
		unsigned now;
		pthread_mutex_lock(&seen.lock);
		now = seen.entered;
		pthread_mutex_unlock(&seen.lock);
		if (now != before)
			break;
		usleep(10 * 1000);
	}
	CU_ASSERT_FATAL(i < 500);
	clock_gettime(CLOCK_MONOTONIC, &a);
	tk_http_quiesce(srv);
	tk_http_quiesce(srv); /* idempotent */
	/* No new connections now, while the slow request still runs. */
	h = curl_easy_init();
	snprintf(url, sizeof url, "http://127.0.0.1:%u/x", s.port);
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), -1);
	curl_easy_cleanup(h);
	tk_http_stop(srv, 5000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	pthread_join(t, NULL);
	seen.sleep_ms = 0;
	CU_ASSERT_EQUAL(s.status, 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.body, "POST /slow q=- len=3"));
	/* stop waited for the handler, but not for the whole grace period */
	CU_ASSERT((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 >= 100);
	CU_ASSERT((b.tv_sec - a.tv_sec) < 4);
	/* And the port no longer answers. */
	h = curl_easy_init();
	snprintf(url, sizeof url, "http://127.0.0.1:%u/x", s.port);
	CU_ASSERT_EQUAL(curl_do(h, url, NULL, 0, &out, NULL, NULL), -1);
	curl_easy_cleanup(h);
	tk_http_stop(NULL, 0);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_parse_listen),
		TK_TEST(test_start_errors),
		TK_TEST(test_plain_basics),
		TK_TEST(test_keepalive),
		TK_TEST(test_body_cap),
		TK_TEST(test_ipv6),
		TK_TEST(test_https),
		TK_TEST(test_psk_tls12),
		TK_TEST(test_psk_tls13),
		TK_TEST(test_psk_refused),
		TK_TEST(test_psk_keepalive),
		TK_TEST(test_clean_stop),
		{ NULL, NULL }
	};
	char cmd[128];
	int rc;

	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-http.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	gnutls_global_init();
	rc = tk_test_run("http", tests);
	gnutls_global_deinit();
	curl_global_cleanup();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
