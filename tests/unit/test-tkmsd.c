/*
 * test-tkmsd.c: the tkmsd pieces that need no daemon: the P-15 audit writer
 * (one JSON line per event, a time stamp first, key-like members refused,
 * concurrent writers never interleave), the PSK Ua id choice (P-1), and the
 * configuration loader's result for the embedded defaults and a file, and
 * the P-6 verdict table of the /mikey route, driven over HTTP with libcurl
 * by a stand-in engine that returns the verdict named in the request body;
 * the engine glue: outcome -> verdict (P-6, P-22), the P-15 event of an
 * engine result, and the reload of configuration and key ring (a bad key
 * ring or another FQDN is refused and the running engine keeps answering).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

static void test_audit_lines(void)
{
	char path[128], err[200], line[512];
	struct tkmsd_audit *a;
	json_t *ev;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof path, "%s/audit.log", dir);
	a = tkmsd_audit_open(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	ev = json_pack("{s:s, s:s, s:i, s:s}", "op", "request", "impi", "alice@home1.net",
		       "key_id", 7, "result", "ok \"quoted\"\nnewline");
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, ev), 0);
	json_decref(ev);
	ev = json_pack("{s:s, s:s}", "op", "request", "Ks_NAF", "00");
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, ev), -1);
	json_decref(ev);
	ev = json_pack("{s:s, s:s}", "op", "resolve", "tgk", "00");
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, ev), -1);
	json_decref(ev);
	ev = json_pack("[s]", "x");
	CU_ASSERT_EQUAL(tkmsd_audit_write(a, ev), -1);
	json_decref(ev);
	tkmsd_audit_close(a);

	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof line, f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		n++;
		CU_ASSERT_PTR_NOT_NULL_FATAL(o);
		CU_ASSERT_EQUAL(strncmp(line, "{\"time\":\"", 9), 0);
		CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(o, "time"))), 24);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "impi")), "alice@home1.net");
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(o, "key_id")), 7);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(o, "result")),
				       "ok \"quoted\"\nnewline");
		json_decref(o);
	}
	fclose(f);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_PTR_NULL(tkmsd_audit_open("/nonexistent/dir/audit.log", err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/dir/audit.log"));
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
		json_t *ev = json_pack("{s:i, s:i, s:s}", "writer", w->id, "n", i, "pad", pad);
		if (tkmsd_audit_write(w->a, ev) != 0)
			CU_FAIL("audit write");
		json_decref(ev);
	}
	return NULL;
}

static void test_audit_concurrent(void)
{
	char path[128], err[200], line[1024];
	struct writer w[4];
	pthread_t t[4];
	FILE *f;
	int i, n = 0;

	snprintf(path, sizeof path, "%s/audit2.log", dir);
	w[0].a = tkmsd_audit_open(path, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w[0].a);
	for (i = 0; i < 4; i++) {
		w[i].a = w[0].a;
		w[i].id = i;
		pthread_create(&t[i], NULL, write_many, &w[i]);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	tkmsd_audit_close(w[0].a);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof line, f)) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je);
		CU_ASSERT_PTR_NOT_NULL(o);
		json_decref(o);
		n++;
	}
	fclose(f);
	CU_ASSERT_EQUAL(n, 800);
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

static void test_audit_event(void)
{
	struct kms_audit a;
	json_t *ev;
	const char *k;
	json_t *v;

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
	ev = tkmsd_audit_event(&a, KMS_OUT_OK);
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
	json_object_foreach(ev, k, v)
		CU_ASSERT(strstr(k, "key") == NULL || strcmp(k, "key_id") == 0);
	json_decref(ev);
	/* A refused request: no ticket facts, no "forked". */
	memset(&a, 0, sizeof a);
	a.op = KMS_OP_REQUEST;
	strcpy(a.btid, "AAAA@bsf.home1.net");
	ev = tkmsd_audit_event(&a, KMS_OUT_FORBIDDEN);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ev, "result")), "forbidden");
	CU_ASSERT_PTR_NULL(json_object_get(ev, "authorization"));
	CU_ASSERT_PTR_NULL(json_object_get(ev, "key_id"));
	CU_ASSERT_PTR_NULL(json_object_get(ev, "forked"));
	json_decref(ev);
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
	audit = tkmsd_audit_open(text, err, sizeof err);
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
		TK_TEST(test_audit_concurrent),
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
