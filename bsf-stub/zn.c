/*
 * zn.c: the Zn reference point over HTTP/JSON (profile P-17, shaped after
 * Nbsp_GBA bootstrapping-info-retrieval, gba.md 2.5; contracts.md A):
 * POST /nbsp-gba/v1/bootstrapping-info-retrieval from an authenticated NAF
 * (bearer token, or verified TLS client certificate DN) returns Ks_NAF for
 * NAF_Id = nafFqdn || uaSecProtId (gba.md 4.2, 5.1) and the USSs relevant to
 * the requested GSIDs. Errors are problem documents: 404 BTID_NOT_FOUND
 * (Diameter 5403 case), 403 NAF_NOT_AUTHORIZED (5402), 401, 400, 405, 415
 * (413 comes from the adapter's body cap).
 */
#include "bsf-stub/bsf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "bsf-stub/log.h"
#include "bsf-stub/xml.h"
#include "http/http.h"
#include "util/hexb64.h"
#include "util/secret.h"
#include "util/timefmt.h"

#define ZN_PATH "/nbsp-gba/v1/bootstrapping-info-retrieval"
#define ZN_MAX_GSIDS 64

/* The NAF behind this request: a bearer token matched in constant time
 * against every configured token (no early exit), else a client DN. */
static const struct bsf_naf *authenticate(const struct bsf *b, struct tk_http_req *req)
{
	const char *auth = tk_http_header(req, "Authorization");
	const struct tk_http_tls *tls = tk_http_tls(req);
	const struct bsf_naf *found = NULL;
	uint8_t h[32];

	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		const char *tok = auth + 7;

		while (*tok == ' ')
			tok++;
		bsf_token_hash(tok, strlen(tok), h);
		for (size_t i = 0; i < b->cfg->n_nafs; i++)
			if (b->cfg->nafs[i].has_token &&
			    tk_ct_equal(h, b->cfg->nafs[i].token_hash, sizeof h) && !found)
				found = &b->cfg->nafs[i];
		return found;
	}
	if (!auth && tls && tls->client_dn)
		for (size_t i = 0; i < b->cfg->n_nafs; i++)
			if (b->cfg->nafs[i].client_dn &&
			    strcmp(b->cfg->nafs[i].client_dn, tls->client_dn) == 0)
				return &b->cfg->nafs[i];
	return NULL;
}

static bool list_has(char **v, size_t n, const char *s, bool icase)
{
	for (size_t i = 0; i < n; i++)
		if (icase ? strcasecmp(v[i], s) == 0 : strcmp(v[i], s) == 0)
			return true;
	return false;
}

static bool content_is_json(const char *ct)
{
	size_t n = sizeof "application/json" - 1;

	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	return strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

/* The parsed request body (pointers into the jansson document). */
struct zn_query {
	const char *btid;
	const char *naf_fqdn;
	tk_ua_id ua;
	const char *gsids[ZN_MAX_GSIDS];
	size_t n_gsids;
	bool gsids_given;
	bool gba_u_aware;
};

static int parse_query(const json_t *doc, struct zn_query *q, char *err, size_t errlen)
{
	const json_t *v, *naf;

	memset(q, 0, sizeof *q);
	if (!json_is_object(doc))
		return snprintf(err, errlen, "the body must be a JSON object"), -1;
	v = json_object_get(doc, "btId");
	if (!json_is_string(v) || !tk_gba_btid_valid(json_string_value(v), json_string_length(v)) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return snprintf(err, errlen, "btId: must be a B-TID string (base64@fqdn)"), -1;
	q->btid = json_string_value(v);
	naf = json_object_get(doc, "nafId");
	if (!json_is_object(naf))
		return snprintf(err, errlen, "nafId: must be an object {nafFqdn, uaSecProtId}"), -1;
	v = json_object_get(naf, "nafFqdn");
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > TK_GBA_FQDN_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return snprintf(err, errlen, "nafId.nafFqdn: must be a DNS name"), -1;
	q->naf_fqdn = json_string_value(v);
	v = json_object_get(naf, "uaSecProtId");
	if (!json_is_string(v) ||
	    tk_ua_id_parse(json_string_value(v), json_string_length(v), &q->ua) != TK_GBA_OK)
		return snprintf(err, errlen, "nafId.uaSecProtId: must be 10 hex digits"), -1;
	if ((v = json_object_get(doc, "gsIds"))) {
		if (!json_is_array(v) || json_array_size(v) > ZN_MAX_GSIDS)
			return snprintf(err, errlen, "gsIds: must be an array of at most %d strings",
					ZN_MAX_GSIDS), -1;
		q->gsids_given = true;
		for (size_t i = 0; i < json_array_size(v); i++) {
			const json_t *g = json_array_get(v, i);

			if (!json_is_string(g) || !json_string_length(g))
				return snprintf(err, errlen, "gsIds[%zu]: must be a non-empty string", i), -1;
			q->gsids[q->n_gsids++] = json_string_value(g);
		}
	}
	if ((v = json_object_get(doc, "gbaUAware"))) {
		if (!json_is_boolean(v))
			return snprintf(err, errlen, "gbaUAware: must be a boolean"), -1;
		q->gba_u_aware = json_is_true(v);
	}
	return 0;
}

/* Is this USS one the NAF asked for (and may see)? */
static bool uss_relevant(const struct bsf_naf *naf, const struct zn_query *q,
			 const struct bsf_uss *u)
{
	if (q->gsids_given) {
		for (size_t i = 0; i < q->n_gsids; i++)
			if (strcmp(q->gsids[i], u->gsid) == 0)
				return true;
		return false;
	}
	return naf->n_gsids == 0 || list_has(naf->gsids, naf->n_gsids, u->gsid, false);
}

static json_t *uss_json(const struct bsf_uss *u, bool uicc_keys)
{
	json_t *o = json_object(), *ids = json_array(), *flags = json_array();

	json_object_set_new(o, "gsId", json_string(u->gsid));
	json_object_set_new(o, "gsType", json_string(u->gsid));
	for (size_t i = 0; i < u->n_uids; i++) {
		json_t *id = json_object();

		json_object_set_new(id, "ueId", json_string(u->uids[i]));
		json_array_append_new(ids, id);
	}
	json_object_set_new(o, "ueIds", ids);
	if (u->naf_group)
		json_object_set_new(o, "nafGroup", json_string(u->naf_group));
	for (size_t i = 0; i < u->n_flags; i++) {
		json_t *f = json_object();

		json_object_set_new(f, "flag", json_integer((json_int_t)u->flags[i]));
		json_array_append_new(flags, f);
	}
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "keyChoice", json_string(uicc_keys ? "ME_UICC_BASED_KEYS" : "ME_BASED_KEY"));
	return o;
}

static void retrieve(struct bsf *b, struct tk_http_req *req, const struct bsf_naf *naf,
		     const struct zn_query *q)
{
	struct bsf_session s;
	uint8_t naf_id[TK_GBA_NAF_ID_MAX], key[TK_GBA_KEY_LEN];
	char hex[2 * TK_GBA_KEY_LEN + 1], t[TK_TIME_STR];
	size_t naf_id_len;
	json_t *out, *list;
	char *text;
	bool uicc;

	if (!bsf_table_get(b->sessions, q->btid, time(NULL), &s, false)) {
		tk_http_reply_problem(req, 404, "BTID_NOT_FOUND", "unknown or expired B-TID");
		return;
	}
	if (!list_has(naf->fqdns, naf->n_fqdns, q->naf_fqdn, true)) {
		bsf_log(BSF_LOG_INFO, "zn: NAF %s asked for FQDN %s it is not configured for",
			naf->name, q->naf_fqdn);
		tk_http_reply_problem(req, 403, "NAF_NOT_AUTHORIZED",
				      "nafFqdn is not among this NAF's names");
		goto out;
	}
	for (size_t i = 0; i < q->n_gsids; i++)
		if (naf->n_gsids && !list_has(naf->gsids, naf->n_gsids, q->gsids[i], false)) {
			tk_http_reply_problem(req, 403, "NAF_NOT_AUTHORIZED",
					      "a requested GSID is not allowed for this NAF");
			goto out;
		}
	uicc = q->gba_u_aware && s.sub->guss.gba_u;
	list = json_array();
	for (size_t i = 0; i < s.sub->guss.n_uss; i++)
		if (uss_relevant(naf, q, &s.sub->guss.uss[i])) {
			json_t *w = json_object();

			json_object_set_new(w, "uss", uss_json(&s.sub->guss.uss[i], uicc));
			json_array_append_new(list, w);
		}
	if (json_array_size(list) == 0) {
		json_decref(list);
		tk_http_reply_problem(req, 403, "NAF_NOT_AUTHORIZED",
				      "the subscriber has no user security setting for the requested GSIDs");
		goto out;
	}
	if (tk_gba_naf_id(q->naf_fqdn, q->ua, naf_id, sizeof naf_id, &naf_id_len) != TK_GBA_OK ||
	    tk_gba_ks_naf(s.ks, s.rand, s.sub->impi, naf_id, naf_id_len, key) != TK_GBA_OK) {
		json_decref(list);
		tk_http_reply_problem(req, 400, NULL, "nafFqdn cannot form a NAF_Id");
		goto out;
	}
	out = json_object();
	tk_hex_encode(key, sizeof key, hex);
	json_object_set_new(out, "meKeyMaterial", json_string(hex));
	if (uicc && tk_gba_ks_int_naf(s.ks, s.rand, s.sub->impi, naf_id, naf_id_len, key) == TK_GBA_OK) {
		tk_hex_encode(key, sizeof key, hex);
		json_object_set_new(out, "uiccKeyMaterial", json_string(hex));
	}
	tk_time_format(s.expires, t);
	json_object_set_new(out, "keyExpiryTime", json_string(t));
	tk_time_format(s.created, t);
	json_object_set_new(out, "bootstrappingInfoCreationTime", json_string(t));
	json_object_set_new(out, "impi", json_string(s.sub->impi));
	json_object_set_new(out, "gbaType", json_string("3G_GBA"));
	json_object_set_new(out, "ussList", list);
	text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(out);
	tk_wipe(hex, sizeof hex);
	if (!text) {
		tk_http_reply_problem(req, 500, NULL, "out of memory");
		goto out;
	}
	bsf_log(BSF_LOG_INFO, "zn: NAF %s got the key of %s for %s", naf->name, q->btid, q->naf_fqdn);
	tk_http_reply(req, 200, "application/json", text, strlen(text));
	tk_wipe(text, strlen(text));
	free(text);
out:
	tk_wipe(key, sizeof key);
	tk_wipe(&s, sizeof s);
}

void bsf_zn_handle(void *cls, struct tk_http_req *req)
{
	struct bsf *b = cls;
	const char *method = tk_http_method(req), *path = tk_http_path(req);
	const struct bsf_naf *naf;
	struct zn_query q;
	const uint8_t *body;
	size_t len;
	json_error_t je;
	json_t *doc;
	char err[256];

	if (strcmp(path, "/healthz") == 0 && strcmp(method, "GET") == 0) {
		tk_http_reply_text(req, 200, "ok");
		return;
	}
	if (strcmp(path, ZN_PATH) != 0) {
		tk_http_reply_problem(req, 404, NULL, "no such resource");
		return;
	}
	if (strcmp(method, "POST") != 0) {
		tk_http_add_header(req, "Allow", "POST");
		tk_http_reply_problem(req, 405, NULL, "use POST");
		return;
	}
	if (!(naf = authenticate(b, req))) {
		const struct tk_http_tls *tls = tk_http_tls(req);

		bsf_log(BSF_LOG_INFO, "zn %s: request without valid NAF credentials (client DN: %s)",
			tk_http_peer(req), tls && tls->client_dn ? tls->client_dn : "none");
		tk_http_add_header(req, "WWW-Authenticate", "Bearer realm=\"zn\"");
		tk_http_reply_problem(req, 401, NULL, "missing or invalid NAF credentials");
		return;
	}
	if (!content_is_json(tk_http_header(req, "Content-Type"))) {
		tk_http_reply_problem(req, 415, NULL, "Content-Type must be application/json");
		return;
	}
	body = tk_http_body(req, &len);
	doc = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &je);
	if (!doc) {
		snprintf(err, sizeof err, "malformed JSON at line %d column %d: %s", je.line, je.column,
			 je.text);
		tk_http_reply_problem(req, 400, NULL, err);
		return;
	}
	if (parse_query(doc, &q, err, sizeof err) != 0)
		tk_http_reply_problem(req, 400, NULL, err);
	else
		retrieve(b, req, naf, &q);
	json_decref(doc);
}
