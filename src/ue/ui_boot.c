/*
 * ui_boot.c: Ub client (see ui_boot.h; gba.md 2.1, 2.2, 4.3; P-16, P-27).
 */
#include "ue/ui_boot.h"

#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "gba/digest.h"
#include "util/hexb64.h"
#include "util/secret.h"
#include "util/timefmt.h"

#define UB_BODY_MAX 65536
#define UB_ROUNDS 4
#define GBA_NS "uri:3gpp-gba"
#define BSF_CTYPE "application/vnd.3gpp.bsf+xml"

struct ub_resp {
	long status;
	char body[UB_BODY_MAX + 1];
	size_t len;
	bool over;
	char www_auth[TK_DIGEST_HDR_MAX + 1];
	char auth_info[TK_DIGEST_HDR_MAX + 1];
	char ctype[128];
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- BootstrappingInfo ----------------------------------------------- */

const char *ue_boot_schema_path(char *buf, size_t cap)
{
	const char *dirs[4] = { getenv("TKMS_SCHEMA_DIR"), NULL, TK_UE_SCHEMADIR,
				TK_SRCDIR "/schemas" };
	const char *src = getenv("TK_SRCDIR");
	char tmp[1024];

	if (src) {
		snprintf(tmp, sizeof tmp, "%s/schemas", src);
		dirs[1] = tmp;
	}
	for (int i = 0; i < 4; i++) {
		if (!dirs[i] || !*dirs[i])
			continue;
		snprintf(buf, cap, "%s/bootstrapping-info.xsd", dirs[i]);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	return NULL;
}

static void xml_quiet(void *ctx, const xmlError *e)
{
	char *first = ctx;

	if (first && !first[0] && e && e->message) {
		snprintf(first, 160, "%s", e->message);
		first[strcspn(first, "\r\n")] = '\0'; /* libxml2 ends messages with a newline */
	}
}

static bool is_gba(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, GBA_NS) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *next_elem(const xmlNode *n)
{
	while (n && n->type != XML_ELEMENT_NODE)
		n = n->next;
	return n;
}

static int node_time(const xmlNode *n, int64_t *out)
{
	xmlChar *s = xmlNodeGetContent(n);
	int rc = s ? tk_time_parse((const char *)s, strlen((const char *)s), out) : -1;

	xmlFree(s);
	return rc;
}

static int validate_xsd(xmlDoc *doc, const char *xsd, char *why)
{
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
	xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
	xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
	int rc = -1;

	if (vc) {
		xmlSchemaSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)xml_quiet, why);
		rc = xmlSchemaValidateDoc(vc, doc) == 0 ? 0 : -1;
	} else {
		snprintf(why, 160, "cannot load schema %s", xsd);
	}
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return rc;
}

int ue_boot_parse_info(const char *body, size_t len, const char *xsd, char *btid,
		       int64_t *lifetime, int64_t *currenttime, char *err, size_t errlen)
{
	char why[160] = "";
	xmlDoc *doc;
	const xmlNode *root, *n;
	xmlChar *b = NULL;
	int rc = -1;

	*currenttime = 0;
	if (len > UB_BODY_MAX || len > INT32_MAX)
		return fail(err, errlen, -1, "BootstrappingInfo too large");
	xmlSetStructuredErrorFunc(why, (xmlStructuredErrorFunc)xml_quiet);
	/* no XML_PARSE_NOENT (no entity expansion), no DTD loading, no network */
	doc = xmlReadMemory(body, (int)len, "BootstrappingInfo", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOCDATA);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!doc)
		return fail(err, errlen, -1, "BootstrappingInfo is not XML: %s", why);
	if (doc->intSubset || doc->extSubset) {
		fail(err, errlen, -1, "BootstrappingInfo with a DTD refused");
		goto out;
	}
	if (xsd && validate_xsd(doc, xsd, why) != 0) {
		fail(err, errlen, -1, "BootstrappingInfo does not validate against %s: %s", xsd, why);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!is_gba(root, "BootstrappingInfo")) {
		fail(err, errlen, -1, "root element is not {" GBA_NS "}BootstrappingInfo");
		goto out;
	}
	n = next_elem(root->children);
	if (!is_gba(n, "btid") || !(b = xmlNodeGetContent(n)) ||
	    strlen((const char *)b) >= UE_STATE_ID_MAX ||
	    !tk_gba_btid_valid((const char *)b, strlen((const char *)b))) {
		fail(err, errlen, -1, "BootstrappingInfo: btid missing or malformed");
		goto out;
	}
	strcpy(btid, (const char *)b);
	n = next_elem(n->next);
	if (!is_gba(n, "lifetime") || node_time(n, lifetime) != 0) {
		fail(err, errlen, -1, "BootstrappingInfo: lifetime missing or not an xs:dateTime");
		goto out;
	}
	n = next_elem(n->next);
	if (n && !is_gba(n, "Extension")) {
		fail(err, errlen, -1, "BootstrappingInfo: unexpected element %s", (const char *)n->name);
		goto out;
	}
	for (const xmlNode *x = n ? next_elem(n->children) : NULL; x; x = next_elem(x->next))
		if (strcmp((const char *)x->name, "currenttime") == 0 && node_time(x, currenttime) != 0) {
			fail(err, errlen, -1, "BootstrappingInfo: currenttime malformed");
			goto out;
		}
	rc = 0;
out:
	xmlFree(b);
	xmlFreeDoc(doc);
	return rc;
}

/* ---- HTTP ---------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct ub_resp *r = arg;
	size_t n = size * nmemb;

	if (n > UB_BODY_MAX - r->len) {
		r->over = true;
		return 0;
	}
	memcpy(r->body + r->len, p, n);
	r->len += n;
	return n;
}

static void header_copy(CURL *h, const char *name, char *out, size_t cap)
{
	struct curl_header *hd;

	out[0] = '\0';
	if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) == CURLHE_OK)
		snprintf(out, cap, "%s", hd->value);
}

static int ub_get(CURL *h, const char *authz, struct ub_resp *r, char *err, size_t errlen)
{
	char hdr[TK_DIGEST_HDR_MAX + 32];
	struct curl_slist *l;
	CURLcode rc;
	char *ct = NULL;

	snprintf(hdr, sizeof hdr, "Authorization: %s", authz);
	l = curl_slist_append(NULL, hdr);
	l = curl_slist_append(l, "Accept: " BSF_CTYPE);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
	r->len = 0;
	r->over = false;
	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(l);
	if (rc != CURLE_OK)
		return fail(err, errlen, UE_BOOT_E_NET, "BSF: %s",
			    r->over ? "answer too large" : curl_easy_strerror(rc));
	r->body[r->len] = '\0';
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	snprintf(r->ctype, sizeof r->ctype, "%s", ct ? ct : "");
	header_copy(h, "WWW-Authenticate", r->www_auth, sizeof r->www_auth);
	header_copy(h, "Authentication-Info", r->auth_info, sizeof r->auth_info);
	return UE_BOOT_OK;
}

/* First line of a body, for error messages. */
static const char *snippet(struct ub_resp *r)
{
	r->body[strcspn(r->body, "\r\n")] = '\0';
	if (strlen(r->body) > 120)
		r->body[120] = '\0';
	return r->body;
}

/* ---- the exchange ------------------------------------------------------ */

struct boot_ctx {
	struct ue_state *st;
	char uri[512];
	struct tk_digest ch;     /* last challenge */
	struct tk_digest cred;   /* last credentials sent */
	char cnonce[17], resp_hex[TK_DIGEST_HEX_LEN + 1];
	uint8_t rand[TK_MIL_RAND_LEN], res[TK_MIL_RES_LEN], ck[TK_MIL_CK_LEN], ik[TK_MIL_IK_LEN];
	bool have_res, resynced, done;
	char authz[TK_DIGEST_HDR_MAX + 1];
};

static int answer_challenge(struct boot_ctx *c, const struct ue_boot_test_hooks *test,
			    struct ub_resp *r, char *err, size_t errlen)
{
	uint8_t autn[TK_MIL_AUTN_LEN], auts[TK_MIL_AUTS_LEN], cn[8];
	int u;

	if (!r->www_auth[0] ||
	    tk_digest_parse(TK_DIGEST_CHALLENGE, r->www_auth, strlen(r->www_auth), &c->ch) != 0)
		return fail(err, errlen, UE_BOOT_E_PROTO, "BSF 401 without a valid Digest challenge");
	if (c->ch.alg != TK_DIGEST_ALG_AKAV1_MD5)
		return fail(err, errlen, UE_BOOT_E_PROTO, "BSF challenge algorithm is not AKAv1-MD5");
	if (tk_digest_aka_nonce_parse(c->ch.nonce, strlen(c->ch.nonce), c->rand, autn) != 0)
		return fail(err, errlen, UE_BOOT_E_PROTO, "BSF nonce is not base64(RAND || AUTN)");
	c->have_res = false;
	u = ue_usim_run(&c->st->usim, c->rand, autn, c->res, c->ck, c->ik, auts);
	if (u == UE_USIM_MAC_FAIL)
		return fail(err, errlen, UE_BOOT_E_AUTH,
			    "AUTN does not verify: not our home network, or wrong K/OPc");
	if (u == UE_USIM_SYNC && c->resynced)
		return fail(err, errlen, UE_BOOT_E_AUTH,
			    "SQN still not fresh after resynchronisation");

	tk_digest_init(&c->cred);
	c->cred.username = c->st->impi;
	c->cred.realm = c->ch.realm;
	c->cred.nonce = c->ch.nonce;
	c->cred.uri = c->uri;
	c->cred.opaque = c->ch.opaque;
	c->cred.alg = c->ch.alg;
	if (c->ch.qop) {
		c->cred.qop = c->ch.qop & TK_DIGEST_QOP_AUTH_INT ? TK_DIGEST_QOP_AUTH_INT
								 : TK_DIGEST_QOP_AUTH;
		c->cred.nc = 1;
		if (gnutls_rnd(GNUTLS_RND_NONCE, cn, sizeof cn) < 0)
			return fail(err, errlen, UE_BOOT_E_ARG, "random generator failed");
		tk_hex_encode(cn, sizeof cn, c->cnonce);
		c->cred.cnonce = c->cnonce;
	}
	if (u == UE_USIM_SYNC) {
		/* RFC 3310 3.4: auts, and the response over the empty password */
		c->cred.has_auts = true;
		memcpy(c->cred.auts, auts, sizeof auts);
		c->resynced = true;
		tk_digest_response(&c->cred, "GET", (const uint8_t *)"", 0, NULL, 0, c->resp_hex);
	} else {
		c->have_res = true;
		if (test && test->corrupt_res)
			c->res[0] ^= 0x01;
		tk_digest_response(&c->cred, "GET", c->res, sizeof c->res, NULL, 0, c->resp_hex);
		if (test && test->corrupt_res)
			c->res[0] ^= 0x01;
	}
	c->cred.response = c->resp_hex;
	if (tk_digest_build(TK_DIGEST_CREDENTIALS, &c->cred, c->authz, sizeof c->authz) != 0)
		return fail(err, errlen, UE_BOOT_E_PROTO, "cannot build the Digest answer");
	return UE_BOOT_OK;
}

static int accept_200(struct boot_ctx *c, const struct ue_boot_opts *o, struct ub_resp *r,
		      struct ue_boot_report *rep, char *err, size_t errlen)
{
	struct tk_digest info;
	char xsdbuf[1200], btid[UE_STATE_ID_MAX];
	const char *xsd = o->schema_path ? o->schema_path : ue_boot_schema_path(xsdbuf, sizeof xsdbuf);
	int64_t lifetime, current, now = (int64_t)time(NULL);

	if (!c->have_res)
		return fail(err, errlen, UE_BOOT_E_PROTO, "BSF answered 200 before authentication");
	if (strncasecmp(r->ctype, BSF_CTYPE, strlen(BSF_CTYPE)) != 0)
		return fail(err, errlen, UE_BOOT_E_PROTO, "BSF 200 with Content-Type \"%s\", want " BSF_CTYPE,
			    r->ctype);
	if (r->auth_info[0]) {
		if (tk_digest_parse(TK_DIGEST_AUTH_INFO, r->auth_info, strlen(r->auth_info), &info) != 0)
			return fail(err, errlen, UE_BOOT_E_PROTO, "malformed Authentication-Info");
		if (info.rspauth &&
		    tk_digest_rspauth_verify(&c->cred, &info, c->res, sizeof c->res,
					     (const uint8_t *)r->body, r->len) != TK_DIGEST_OK)
			return fail(err, errlen, UE_BOOT_E_AUTH,
				    "BSF rspauth does not verify: answer not from our BSF");
		rep->rspauth_verified = info.rspauth != NULL;
	}
	if (ue_boot_parse_info(r->body, r->len, xsd, btid, &lifetime, &current, err, errlen) != 0)
		return UE_BOOT_E_PROTO;
	/* Clock skew (gba.md 4.3): keep the validity the BSF meant. */
	if (current)
		lifetime = now + (lifetime - current);
	if (lifetime <= now)
		return fail(err, errlen, UE_BOOT_E_PROTO, "BSF gave a key lifetime in the past");
	rep->schema_validated = xsd != NULL;
	snprintf(c->st->btid, sizeof c->st->btid, "%s", btid);
	memcpy(c->st->rand, c->rand, sizeof c->rand);
	tk_gba_ks(c->ck, c->ik, c->st->ks);
	c->st->expiry = lifetime;
	c->st->created = now;
	snprintf(c->st->bsf_url, sizeof c->st->bsf_url, "%s", o->bsf_url);
	c->st->have_boot = true;
	c->done = true;
	return UE_BOOT_OK;
}

static void keep_body(struct ue_boot_test_hooks *t, const struct ub_resp *r)
{
	if (!t || !t->body || !t->body_cap)
		return;
	t->body_len = r->len < t->body_cap - 1 ? r->len : t->body_cap - 1;
	memcpy(t->body, r->body, t->body_len);
	t->body[t->body_len] = '\0';
}

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static void lib_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser(); /* before threads (bsf-bench) parse in parallel */
}

int ue_bootstrap(struct ue_state *st, const struct ue_boot_opts *o, struct ue_boot_report *rep,
		 char *err, size_t errlen)
{
	struct boot_ctx *c = NULL;
	struct ub_resp *r = NULL;
	struct tk_digest first;
	char *host = NULL, *path = NULL;
	CURLU *u = NULL;
	CURL *h = NULL;
	int rc;

	memset(rep, 0, sizeof *rep);
	rep->sqn_before = rep->sqn_after = st->usim.sqn;
	if (!st->impi[0] || !st->have_usim)
		return fail(err, errlen, UE_BOOT_E_ARG, "no IMPI or USIM keys to bootstrap with");
	for (const char *p = st->impi; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return fail(err, errlen, UE_BOOT_E_ARG, "IMPI contains a space or control character");
	if (!o->bsf_url || strlen(o->bsf_url) >= UE_STATE_URL_MAX ||
	    (strncmp(o->bsf_url, "http://", 7) && strncmp(o->bsf_url, "https://", 8)))
		return fail(err, errlen, UE_BOOT_E_ARG, "BSF URL must be http:// or https://");
	pthread_once(&lib_once, lib_init);
	u = curl_url();
	c = calloc(1, sizeof *c);
	r = malloc(sizeof *r);
	h = o->curl ? o->curl : curl_easy_init();
	if (!u || !c || !r || !h) {
		rc = fail(err, errlen, UE_BOOT_E_ARG, "out of memory");
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, o->bsf_url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		rc = fail(err, errlen, UE_BOOT_E_ARG, "BSF URL \"%s\" is not a URL", o->bsf_url);
		goto out;
	}
	c->st = st;
	snprintf(c->uri, sizeof c->uri, "%s", path && *path ? path : "/");

	/* 24.109 A.3: the first request carries the IMPI and empty nonce/response */
	tk_digest_init(&first);
	first.username = st->impi;
	first.realm = host;
	first.nonce = "";
	first.uri = c->uri;
	first.response = "";
	if (tk_digest_build(TK_DIGEST_CREDENTIALS, &first, c->authz, sizeof c->authz) != 0) {
		rc = fail(err, errlen, UE_BOOT_E_ARG, "IMPI cannot be sent in a Digest header");
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, o->bsf_url);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L); /* a reused handle may have POSTed */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tkms-ue");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);

	rc = UE_BOOT_E_PROTO;
	for (int round = 0; round < UB_ROUNDS; round++) {
		rc = ub_get(h, c->authz, r, err, errlen);
		if (rc != UE_BOOT_OK)
			break;
		rep->http_status = r->status;
		if (r->status == 401 && c->have_res) {
			rc = fail(err, errlen, UE_BOOT_E_AUTH, "BSF refused our response (401)");
			break;
		}
		if (r->status == 401) {
			rc = answer_challenge(c, o->test, r, err, errlen);
			if (rc != UE_BOOT_OK)
				break;
			continue;
		}
		if (r->status == 200) {
			keep_body(o->test, r);
			rc = accept_200(c, o, r, rep, err, errlen);
			if (rc == UE_BOOT_OK && o->test && o->test->replay_after_success)
				o->test->replay_status =
					ub_get(h, c->authz, r, err, errlen) == UE_BOOT_OK ? r->status : -1;
		} else if (r->status == 403)
			rc = fail(err, errlen, UE_BOOT_E_AUTH, "BSF refused the bootstrap (403): %s",
				  snippet(r));
		else
			rc = fail(err, errlen, UE_BOOT_E_NET, "BSF answered HTTP %ld: %s", r->status,
				  snippet(r));
		break;
	}
	if (rc == UE_BOOT_OK && !c->done)
		rc = fail(err, errlen, UE_BOOT_E_PROTO, "no BootstrappingInfo after %d rounds", UB_ROUNDS);
	rep->resynced = c->resynced;
out:
	rep->sqn_after = st->usim.sqn;
	if (c)
		tk_wipe(c, sizeof *c);
	free(c);
	if (r)
		tk_wipe(r, sizeof *r);
	free(r);
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(u);
	if (h && h == o->curl)
		curl_easy_reset(h); /* keeps the live connections, drops our callbacks */
	else if (h)
		curl_easy_cleanup(h);
	return rc;
}
