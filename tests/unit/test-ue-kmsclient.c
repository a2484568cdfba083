/*
 * test-ue-kmsclient.c: the UE's KMS transports (src/ue/kmsclient.h) against
 * real listeners of the project's libmicrohttpd adapter (src/http) on
 * loopback: plain HTTP, PSK-TLS (TLS 1.2 one-suite attempts and the TLS 1.3
 * fallback; the server derives the key from the suite it negotiated, so a
 * handshake only succeeds when the client's Ua id matched) and HTTPS with
 * GBA Digest checked by the server with src/gba/digest.h.  Also: 401 ->
 * bootstrap required, Retry-After, oversized answers, wrong CA, wrong key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gba/digest.h"
#include "http/http.h"
#include "tk_test.h"
#include "ue/kmsclient.h"
#include "util/hexb64.h"

#define BTID "dGVzdHJhbmQxMjM0NTY3OA==@bsf.home1.net"
#define REALM "3GPP-bootstrapping@kms.test"

/* Both sides' "Ks_NAF": a function of the Ua id, so that a wrong Ua id on
 * either side gives a wrong key. */
static void test_key(const uint8_t ua[5], uint8_t out[32])
{
	unsigned i;

	for (i = 0; i < 32; i++)
		out[i] = (uint8_t)(ua[i % 5] * 31u + i * 7u + 0x5a);
}

static int client_key_bad;

static int client_key(void *ctx, const uint8_t ua[5], uint8_t out[32])
{
	(void)ctx;
	test_key(ua, out);
	if (client_key_bad)
		out[0] ^= 1;
	return 0;
}

/* What the servers saw last. */
static struct {
	char path[64], ctype[64], identity[128];
	uint16_t version;
	uint8_t suite[2];
	int mode;       /* handler behaviour, see enum below */
} seen;

enum { H_ECHO = 0, H_ALWAYS_401, H_503, H_HUGE, H_DIGEST };

static void handler(void *cls, struct tk_http_req *req)
{
	const struct tk_http_tls *tls = tk_http_tls(req);
	const char *ct = tk_http_header(req, "Content-Type");
	const char *auth = tk_http_header(req, "Authorization");
	size_t len;
	const uint8_t *body = tk_http_body(req, &len);
	static uint8_t big[70000];
	uint8_t ua[5] = { 1, 0, 1, 0, 0 }, key[32];
	char pw[64];
	struct tk_digest *d;
	int ok;

	(void)cls;
	snprintf(seen.path, sizeof seen.path, "%s", tk_http_path(req));
	snprintf(seen.ctype, sizeof seen.ctype, "%s", ct ? ct : "");
	seen.version = tls->version;
	memcpy(seen.suite, tls->suite, 2);
	switch (seen.mode) {
	case H_ALWAYS_401:
		tk_http_add_header(req, "WWW-Authenticate",
				   "Digest realm=\"" REALM "\", nonce=\"bm9uY2U=\", qop=\"auth\", algorithm=MD5");
		tk_http_reply_text(req, 401, "bootstrap again");
		return;
	case H_503:
		tk_http_add_header(req, "Retry-After", "7");
		tk_http_reply_text(req, 503, "BSF down");
		return;
	case H_HUGE:
		memset(big, 'x', sizeof big);
		tk_http_reply(req, 200, "application/mikey", big, sizeof big);
		return;
	case H_DIGEST:
		if (!auth) {
			tk_http_add_header(req, "WWW-Authenticate",
					   "Digest realm=\"" REALM "\", nonce=\"bm9uY2UxMjM0\", qop=\"auth\", algorithm=MD5");
			tk_http_reply_text(req, 401, "authenticate");
			return;
		}
		d = calloc(1, sizeof *d);
		ok = d && tk_digest_parse(TK_DIGEST_CREDENTIALS, auth, strlen(auth), d) == TK_DIGEST_OK &&
		     !strcmp(d->username, BTID) && !strcmp(d->realm, REALM);
		if (ok) {
			memcpy(ua + 3, tls->suite, 2);
			test_key(ua, key);
			tk_b64_encode(key, sizeof key, pw);
			ok = tk_digest_verify(d, "POST", (const uint8_t *)pw, strlen(pw), body, len) ==
			     TK_DIGEST_OK;
		}
		free(d);
		if (!ok) {
			tk_http_add_header(req, "WWW-Authenticate",
					   "Digest realm=\"" REALM "\", nonce=\"bm9uY2U1Njc4\", qop=\"auth\", algorithm=MD5");
			tk_http_reply_text(req, 401, "wrong credentials");
			return;
		}
		break;
	}
	/* Echo, reversed, as application/mikey. */
	{
		uint8_t *r = malloc(len ? len : 1);
		size_t i;

		for (i = 0; i < len; i++)
			r[i] = body[len - 1 - i];
		tk_http_reply(req, 200, "application/mikey", r, len);
		free(r);
	}
}

static int server_psk(void *cls, const struct tk_http_psk_query *q, uint8_t *key, size_t *key_len)
{
	uint8_t ua[5] = { 1, 0, 0, 0, 7 };

	(void)cls;
	snprintf(seen.identity, sizeof seen.identity, "%s", q->identity);
	if (strcmp(q->identity, BTID))
		return -1;
	if (q->tls_version == TK_TLS_1_2) {
		ua[2] = 1;
		ua[3] = q->suite[0];
		ua[4] = q->suite[1];
	}
	test_key(ua, key);
	*key_len = 32;
	return 0;
}

static struct tk_http_server *start(enum tk_http_mode mode, const char *prio, const char *cert,
				    const char *keypem, char *url, size_t cap)
{
	struct tk_http_config cfg;
	struct tk_http_server *srv = NULL;
	char err[256];

	memset(&cfg, 0, sizeof cfg);
	cfg.listen = "127.0.0.1:0";
	cfg.mode = mode;
	cfg.handler = handler;
	cfg.threads = 2;
	cfg.priority = prio;
	if (mode == TK_HTTP_PSK) {
		cfg.psk_cb = server_psk;
	} else if (mode == TK_HTTP_HTTPS) {
		cfg.cert_pem = cert;
		cfg.key_pem = keypem;
	}
	if (tk_http_start(&cfg, &srv, err, sizeof err)) {
		fprintf(stderr, "server: %s\n", err);
		return NULL;
	}
	snprintf(url, cap, "%s://127.0.0.1:%u", mode == TK_HTTP_PLAIN ? "http" :
		 mode == TK_HTTP_PSK ? "psk" : "https", tk_http_port(srv));
	return srv;
}

static struct ue_kms_reply R;
static const uint8_t msg[] = { 1, 11, 5, 0, 0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3 };

static void target(struct ue_kms_target *t, const char *url, const char *ca)
{
	memset(t, 0, sizeof *t);
	t->url = url;
	t->cacert = ca;
	t->btid = BTID;
	t->naf_key = client_key;
	t->timeout_ms = 5000;
}

static bool echoed(void)
{
	size_t i;

	if (R.body_len != sizeof msg)
		return false;
	for (i = 0; i < sizeof msg; i++)
		if (R.body[i] != msg[sizeof msg - 1 - i])
			return false;
	return true;
}

static void test_plain(void)
{
	struct tk_http_server *s;
	struct ue_kms_target t;
	char url[128];

	memset(&seen, 0, sizeof seen);
	s = start(TK_HTTP_PLAIN, NULL, NULL, NULL, url, sizeof url);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	target(&t, url, NULL);
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT_EQUAL(R.status, 200);
	CU_ASSERT(R.is_mikey);
	CU_ASSERT(echoed());
	CU_ASSERT_STRING_EQUAL(seen.path, "/mikey");
	CU_ASSERT_STRING_EQUAL(seen.ctype, "application/mikey");
	CU_ASSERT(!R.bootstrap_required);

	seen.mode = H_ALWAYS_401;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT_EQUAL(R.status, 401);
	CU_ASSERT(R.bootstrap_required);

	seen.mode = H_503;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT_EQUAL(R.status, 503);
	CU_ASSERT_EQUAL(R.retry_after, 7);
	CU_ASSERT(!R.is_mikey);

	seen.mode = H_HUGE;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_E_PROTO);
	tk_http_stop(s, 1000);

	/* Nobody listening any more. */
	seen.mode = H_ECHO;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_E_CONNECT);
	t.url = "ftp://127.0.0.1:1/";
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_E_URL);
	t.url = "psk://127.0.0.1";
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_E_URL);
}

static void test_psk12(void)
{
	struct tk_http_server *s;
	struct ue_kms_target t;
	char url[128];

	memset(&seen, 0, sizeof seen);
	s = start(TK_HTTP_PSK, NULL, NULL, NULL, url, sizeof url);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	target(&t, url, NULL);
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT_EQUAL(R.status, 200);
	CU_ASSERT(R.is_mikey);
	CU_ASSERT(echoed());
	CU_ASSERT_STRING_EQUAL(seen.identity, BTID);
	CU_ASSERT_EQUAL(seen.version, TK_TLS_1_2);
	CU_ASSERT_EQUAL(seen.suite[0], 0x00);
	CU_ASSERT_EQUAL(seen.suite[1], 0xA8);
	CU_ASSERT_STRING_EQUAL(seen.path, "/mikey");
	CU_ASSERT_PTR_NOT_NULL(strstr(R.transport, "00a8"));

	/* 401 over PSK-TLS: the KMS wants a new bootstrap. */
	seen.mode = H_ALWAYS_401;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT(R.bootstrap_required);
	seen.mode = H_ECHO;

	/* A wrong key: every handshake fails. */
	client_key_bad = 1;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_E_TLS);
	client_key_bad = 0;
	tk_http_stop(s, 1000);
}

static void test_psk13_fallback(void)
{
	struct tk_http_server *s;
	struct ue_kms_target t;
	char url[128];

	memset(&seen, 0, sizeof seen);
	s = start(TK_HTTP_PSK, "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK:+DHE-PSK:+ECDHE-PSK",
		  NULL, NULL, url, sizeof url);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	target(&t, url, NULL);
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT_EQUAL(R.status, 200);
	CU_ASSERT(echoed());
	CU_ASSERT_EQUAL(seen.version, TK_TLS_1_3);
	CU_ASSERT_PTR_NOT_NULL(strstr(R.transport, "TLS1.3"));
	tk_http_stop(s, 1000);
}

static void test_https_digest(void)
{
	struct tk_http_server *s;
	struct ue_kms_target t;
	char url[128], fpr[TK_HTTP_FPR_LEN], err[256], ca[] = "/tmp/test-ue-kmsclient-ca.XXXXXX";
	char *cert = NULL, *key = NULL;
	FILE *f;
	int fd;

	memset(&seen, 0, sizeof seen);
	CU_ASSERT_EQUAL_FATAL(tk_http_selfsigned("kms.test", 1, &cert, &key, fpr, err, sizeof err), 0);
	fd = mkstemp(ca);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fputs(cert, f);
	fclose(f);
	s = start(TK_HTTP_HTTPS, NULL, cert, key, url, sizeof url);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	target(&t, url, ca);
	seen.mode = H_DIGEST;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT_EQUAL(R.status, 200);
	CU_ASSERT(R.is_mikey);
	CU_ASSERT(echoed());
	CU_ASSERT(!R.bootstrap_required);
	CU_ASSERT_PTR_NOT_NULL(strstr(R.transport, "Digest"));
	if (R.status != 200)
		fprintf(stderr, "https digest: %ld %s (%s)\n", R.status, R.err, R.transport);

	/* Credentials refused (the KMS does not know the B-TID): bootstrap. */
	client_key_bad = 1;
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_OK);
	CU_ASSERT_EQUAL(R.status, 401);
	CU_ASSERT(R.bootstrap_required);
	client_key_bad = 0;

	/* Without our CA the server certificate is refused. */
	t.cacert = "/dev/null";
	CU_ASSERT_EQUAL(ue_kms_post(&t, msg, sizeof msg, &R), UE_KMS_E_TLS);
	tk_http_stop(s, 1000);
	unlink(ca);
	free(cert);
	memset(key, 0, strlen(key));
	free(key);
}

static const struct tk_test tests[] = {
	TK_TEST(test_plain),
	TK_TEST(test_psk12),
	TK_TEST(test_psk13_fallback),
	TK_TEST(test_https_digest),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("ue-kmsclient", tests);
}
