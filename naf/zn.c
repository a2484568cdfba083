/*
 * zn.c: Zn client over libcurl and strict validation of its answers (see
 * zn.h; profile P-17, gba.md 2.5, contracts A).
 */
#include "naf/zn.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "naf/ids.h"
#include "util/hexb64.h"
#include "util/secret.h"
#include "util/timefmt.h"

#define MAX_IMPUS 256

/* One pooled transfer: the easy handle keeps its connection alive between
 * requests; the answer buffer is allocated once. */
struct conn {
	CURL *h;
	char *buf;
	size_t len;
	bool over;
	struct conn *next;
};

struct naf_zn {
	char *url;
	struct curl_slist *headers;
	CURLSH *share;
	pthread_mutex_t share_mu[CURL_LOCK_DATA_LAST];
	pthread_mutex_t pool_mu;
	struct conn *idle;
	unsigned n_idle, pool_size;
	struct naf_zn_config cfg; /* strings below are owned copies */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Records the outcome and why; returns the status. */
static int set_detail(struct naf_zn_result *res, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_detail(struct naf_zn_result *res, int status, const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	va_start(ap, fmt);
	vsnprintf(res->detail, sizeof res->detail, fmt, ap);
	va_end(ap);
	return status;
}

/* ---- answer validation ------------------------------------------------ */

static bool ctype_is(const char *ctype, const char *want)
{
	size_t n = strlen(want);

	if (!ctype || strncasecmp(ctype, want, n) != 0)
		return false;
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ';
}

/* A printable identity from the BSF: 1..NAF_ID_MAX octets, no control
 * characters (jansson has already checked UTF-8), no embedded NUL. */
static const char *id_string(json_t *v)
{
	const char *s = json_string_value(v);
	size_t n;

	if (!s)
		return NULL;
	n = json_string_length(v);
	if (n == 0 || n > NAF_ID_MAX || strlen(s) != n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return s;
}

/* Decodes 64 hex digits, then wipes jansson's copy of them. */
static bool hex_key(json_t *v, uint8_t key[NAF_KEY_LEN])
{
	const char *s = json_string_value(v);
	bool ok = s && json_string_length(v) == 2 * NAF_KEY_LEN &&
		  tk_hex_decode(s, key, NAF_KEY_LEN) == NAF_KEY_LEN;

	if (s)
		tk_wipe((char *)s, json_string_length(v));
	return ok;
}

static bool time_field(json_t *v, int64_t *out)
{
	const char *s = json_string_value(v);

	return s && tk_time_parse(s, json_string_length(v), out) == 0;
}

/* Collects the ueIds of every USS with our gsId; checks the shape of all.
 * NAF_OK or NAF_PROTOCOL. */
static int parse_uss_list(json_t *list, const char *gsid, const char **impus, size_t *n,
			  bool *matched, struct naf_zn_result *res)
{
	size_t i, j;
	json_t *item;

	if (!json_is_array(list))
		return set_detail(res, NAF_PROTOCOL, "Zn: ussList is not an array");
	json_array_foreach(list, i, item) {
		json_t *uss = json_object_get(item, "uss"), *ids, *id;
		const char *g = json_string_value(json_object_get(uss, "gsId"));

		ids = json_object_get(uss, "ueIds");
		if (!json_is_object(uss) || !g || (ids && !json_is_array(ids)))
			return set_detail(res, NAF_PROTOCOL, "Zn: malformed uss in ussList");
		json_array_foreach(ids, j, id) {
			const char *u = id_string(json_object_get(id, "ueId"));
			if (!u)
				return set_detail(res, NAF_PROTOCOL, "Zn: malformed ueId");
			if (strcmp(g, gsid) != 0)
				continue;
			if (*n == MAX_IMPUS)
				return set_detail(res, NAF_PROTOCOL, "Zn: more than %d ueIds", MAX_IMPUS);
			impus[(*n)++] = u;
		}
		if (strcmp(g, gsid) == 0)
			*matched = true;
	}
	return NAF_OK;
}

static int parse_ok(json_t *root, const char *gsid, struct naf_zn_result *res)
{
	static const char *const gba_types[] = { "3G_GBA", "2G_GBA", "GBA_DIGEST" };
	const char *impus[MAX_IMPUS], *impi, *gt;
	json_t *v;
	size_t n = 0;
	bool matched = false, gt_ok = false;
	uint8_t scratch[NAF_KEY_LEN];

	if (!json_is_object(root))
		return set_detail(res, NAF_PROTOCOL, "Zn: answer is not a JSON object");
	if (!hex_key(json_object_get(root, "meKeyMaterial"), res->ks_naf))
		return set_detail(res, NAF_PROTOCOL, "Zn: meKeyMaterial is not 64 hex digits");
	v = json_object_get(root, "uiccKeyMaterial");
	if (v && !hex_key(v, scratch))
		return set_detail(res, NAF_PROTOCOL, "Zn: uiccKeyMaterial is not 64 hex digits");
	tk_wipe(scratch, sizeof scratch);
	if (!time_field(json_object_get(root, "keyExpiryTime"), &res->expiry))
		return set_detail(res, NAF_PROTOCOL, "Zn: keyExpiryTime missing or not RFC 3339");
	v = json_object_get(root, "bootstrappingInfoCreationTime");
	if (v && !time_field(v, &res->created))
		return set_detail(res, NAF_PROTOCOL, "Zn: bad bootstrappingInfoCreationTime");
	impi = id_string(json_object_get(root, "impi"));
	if (!impi)
		return set_detail(res, NAF_PROTOCOL, "Zn: impi missing or malformed");
	v = json_object_get(root, "gbaType");
	if (v) {
		gt = json_string_value(v);
		for (size_t i = 0; gt && i < sizeof gba_types / sizeof *gba_types; i++)
			gt_ok |= strcmp(gt, gba_types[i]) == 0;
		if (!gt_ok)
			return set_detail(res, NAF_PROTOCOL, "Zn: unknown gbaType");
	}
	v = json_object_get(root, "ussList");
	if (v && parse_uss_list(v, gsid, impus, &n, &matched, res) != NAF_OK)
		return res->status;
	/* The BSF returns the USSs relevant to the gsIds we asked for; none means
	 * the subscriber has no use of our service (treated like Zn 403). */
	if (!matched)
		return set_detail(res, NAF_NOT_AUTHORIZED, "Zn: no USS for gsid %s", gsid);
	res->ids = naf_ids_new(impi, impus, n);
	if (!res->ids)
		return set_detail(res, NAF_NOMEM, "out of memory");
	res->status = NAF_OK;
	return NAF_OK;
}

static int parse_problem(long code, json_t *root, const char *want_cause, int status,
			 struct naf_zn_result *res)
{
	const char *cause = json_string_value(json_object_get(root, "cause"));

	/* A 404/403 without our cause is not the BSF speaking (a wrong apiRoot,
	 * a proxy): never let it send the UE to re-bootstrap. */
	if (!cause || strcmp(cause, want_cause) != 0)
		return set_detail(res, NAF_PROTOCOL, "Zn HTTP %ld without cause %s", code,
				  want_cause);
	return set_detail(res, status, "Zn: %s", cause);
}

int naf_zn_parse_answer(long http_status, const char *ctype, const char *body, size_t len,
			const char *gsid, struct naf_zn_result *res)
{
	json_error_t jerr;
	json_t *root = NULL;
	int rc;

	memset(res, 0, sizeof *res);
	if (http_status >= 500 && http_status <= 599)
		return set_detail(res, NAF_UNAVAILABLE, "Zn HTTP %ld", http_status);
	if (http_status != 200 && http_status != 403 && http_status != 404)
		return set_detail(res, NAF_PROTOCOL, "Zn HTTP %ld", http_status);
	if (http_status == 200 && !ctype_is(ctype, "application/json"))
		return set_detail(res, NAF_PROTOCOL, "Zn: 200 with Content-Type %.40s",
				  ctype ? ctype : "(none)");
	root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return set_detail(res, NAF_PROTOCOL, "Zn HTTP %ld: bad JSON: %.60s", http_status,
				  jerr.text);
	if (http_status == 200)
		rc = parse_ok(root, gsid, res);
	else if (http_status == 404)
		rc = parse_problem(404, root, "BTID_NOT_FOUND", NAF_NOT_FOUND, res);
	else
		rc = parse_problem(403, root, "NAF_NOT_AUTHORIZED", NAF_NOT_AUTHORIZED, res);
	json_decref(root);
	if (rc != NAF_OK)
		tk_wipe(res->ks_naf, sizeof res->ks_naf);
	return rc;
}

void naf_zn_result_clear(struct naf_zn_result *res)
{
	tk_wipe(res->ks_naf, sizeof res->ks_naf);
	naf_ids_unref(res->ids);
	res->ids = NULL;
}

/* ---- transport --------------------------------------------------------- */

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct conn *c = arg;
	size_t n = size * nmemb;

	if (n > NAF_ZN_BODY_MAX - c->len) {
		c->over = true;
		return 0;
	}
	memcpy(c->buf + c->len, ptr, n);
	c->len += n;
	return n;
}

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access acc, void *arg)
{
	struct naf_zn *zn = arg;
	(void)h;
	(void)acc;
	pthread_mutex_lock(&zn->share_mu[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *arg)
{
	struct naf_zn *zn = arg;
	(void)h;
	pthread_mutex_unlock(&zn->share_mu[data]);
}

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->h)
		curl_easy_cleanup(c->h);
	if (c->buf)
		tk_wipe(c->buf, NAF_ZN_BODY_MAX); /* answers carry keys */
	free(c->buf);
	free(c);
}

static struct conn *conn_new(struct naf_zn *zn)
{
	struct conn *c = calloc(1, sizeof *c);
	CURL *h;

	if (!c || !(c->buf = malloc(NAF_ZN_BODY_MAX)) || !(c->h = curl_easy_init())) {
		conn_free(c);
		return NULL;
	}
	h = c->h;
	curl_easy_setopt(h, CURLOPT_URL, zn->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, zn->headers);
	curl_easy_setopt(h, CURLOPT_SHARE, zn->share);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, zn->cfg.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, zn->cfg.timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	if (zn->cfg.ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, zn->cfg.ca_file);
	if (zn->cfg.cert_file)
		curl_easy_setopt(h, CURLOPT_SSLCERT, zn->cfg.cert_file);
	if (zn->cfg.key_file)
		curl_easy_setopt(h, CURLOPT_SSLKEY, zn->cfg.key_file);
	return c;
}

static struct conn *conn_get(struct naf_zn *zn)
{
	struct conn *c;

	pthread_mutex_lock(&zn->pool_mu);
	c = zn->idle;
	if (c) {
		zn->idle = c->next;
		zn->n_idle--;
	}
	pthread_mutex_unlock(&zn->pool_mu);
	return c ? c : conn_new(zn);
}

static void conn_put(struct naf_zn *zn, struct conn *c)
{
	pthread_mutex_lock(&zn->pool_mu);
	if (zn->n_idle < zn->pool_size) {
		c->next = zn->idle;
		zn->idle = c;
		zn->n_idle++;
		c = NULL;
	}
	pthread_mutex_unlock(&zn->pool_mu);
	conn_free(c);
}

static char *dup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

struct naf_zn *naf_zn_new(const struct naf_zn_config *cfg, char *err, size_t errlen)
{
	struct naf_zn *zn;
	char hdr[1100];
	size_t ulen;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		snprintf(err, errlen, "curl_global_init failed");
		return NULL;
	}
	if (!cfg->url || (strncmp(cfg->url, "http://", 7) && strncmp(cfg->url, "https://", 8))) {
		snprintf(err, errlen, "Zn URL must start with http:// or https://");
		return NULL;
	}
	if (cfg->token && (strlen(cfg->token) > 1000 || strpbrk(cfg->token, "\r\n"))) {
		snprintf(err, errlen, "Zn bearer token malformed");
		return NULL;
	}
	zn = calloc(1, sizeof *zn);
	if (!zn)
		goto nomem;
	ulen = strlen(cfg->url);
	while (ulen && cfg->url[ulen - 1] == '/')
		ulen--;
	zn->url = malloc(ulen + sizeof NAF_ZN_PATH);
	if (!zn->url)
		goto nomem;
	memcpy(zn->url, cfg->url, ulen);
	memcpy(zn->url + ulen, NAF_ZN_PATH, sizeof NAF_ZN_PATH);
	zn->cfg = *cfg;
	zn->cfg.url = NULL;
	zn->cfg.token = NULL;
	zn->cfg.ca_file = dup_opt(cfg->ca_file);
	zn->cfg.cert_file = dup_opt(cfg->cert_file);
	zn->cfg.key_file = dup_opt(cfg->key_file);
	if (zn->cfg.connect_timeout_ms <= 0)
		zn->cfg.connect_timeout_ms = 2000;
	if (zn->cfg.timeout_ms <= 0)
		zn->cfg.timeout_ms = 5000;
	zn->pool_size = cfg->pool_size ? cfg->pool_size : 16;
	pthread_mutex_init(&zn->pool_mu, NULL);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&zn->share_mu[i], NULL);

	zn->headers = curl_slist_append(NULL, "Content-Type: application/json");
	zn->headers = curl_slist_append(zn->headers, "Accept: application/json, application/problem+json");
	zn->headers = curl_slist_append(zn->headers, "Expect:");
	if (cfg->token) {
		snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", cfg->token);
		zn->headers = curl_slist_append(zn->headers, hdr);
		tk_wipe(hdr, sizeof hdr);
	}
	zn->share = curl_share_init();
	if (!zn->headers || !zn->share)
		goto nomem;
	curl_share_setopt(zn->share, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(zn->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(zn->share, CURLSHOPT_USERDATA, zn);
	curl_share_setopt(zn->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(zn->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	return zn;
nomem:
	snprintf(err, errlen, "out of memory");
	naf_zn_free(zn);
	return NULL;
}

void naf_zn_free(struct naf_zn *zn)
{
	if (!zn)
		return;
	while (zn->idle) {
		struct conn *c = zn->idle;
		zn->idle = c->next;
		conn_free(c);
	}
	if (zn->share)
		curl_share_cleanup(zn->share);
	if (zn->headers) {
		/* the bearer token lives in the list: wipe it before freeing */
		for (struct curl_slist *l = zn->headers; l; l = l->next)
			tk_wipe(l->data, strlen(l->data));
		curl_slist_free_all(zn->headers);
	}
	free(zn->url);
	free((char *)zn->cfg.ca_file);
	free((char *)zn->cfg.cert_file);
	free((char *)zn->cfg.key_file);
	pthread_mutex_destroy(&zn->pool_mu);
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_destroy(&zn->share_mu[i]);
	free(zn);
}

int naf_zn_fetch(struct naf_zn *zn, const char *btid, const char *naf_fqdn, tk_ua_id ua,
		 const char *gsid, struct naf_zn_result *res)
{
	char uastr[2 * TK_GBA_UAID_LEN + 1], req[1024];
	const char *ctype = NULL;
	struct conn *c;
	json_t *body;
	size_t blen;
	long code = 0;
	CURLcode rc;
	int st;

	memset(res, 0, sizeof *res);
	tk_ua_id_format(ua, uastr);
	body = json_pack("{s:s, s:{s:s, s:s}, s:[s]}", "btId", btid, "nafId", "nafFqdn", naf_fqdn,
			 "uaSecProtId", uastr, "gsIds", gsid);
	blen = body ? json_dumpb(body, req, sizeof req, JSON_COMPACT) : 0;
	json_decref(body);
	if (blen == 0 || blen >= sizeof req)
		return set_detail(res, NAF_PROTOCOL, "Zn: request does not fit");
	c = conn_get(zn);
	if (!c)
		return set_detail(res, NAF_NOMEM, "out of memory");
	c->len = 0;
	c->over = false;
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)blen);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, req);
	rc = curl_easy_perform(c->h);
	if (rc == CURLE_WRITE_ERROR && c->over) {
		set_detail(res, NAF_PROTOCOL, "Zn: answer larger than %d octets", NAF_ZN_BODY_MAX);
		conn_free(c); /* the connection is in an unknown state */
		return res->status;
	}
	if (rc != CURLE_OK) {
		set_detail(res, NAF_UNAVAILABLE, "Zn: %s", curl_easy_strerror(rc));
		conn_free(c);
		return res->status;
	}
	curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(c->h, CURLINFO_CONTENT_TYPE, &ctype);
	st = naf_zn_parse_answer(code, ctype, c->buf, c->len, gsid, res);
	tk_wipe(c->buf, c->len);
	conn_put(zn, c);
	return st;
}
