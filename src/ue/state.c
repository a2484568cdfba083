/*
 * state.c: the UE state file (see state.h).  Key material passes through
 * jansson as hex strings; those strings, the file buffer and the rendered
 * document are wiped before they are freed.
 */
#include "ue/state.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/fileio.h"
#include "util/hexb64.h"
#include "util/secret.h"
#include "util/timefmt.h"

#define STATE_MAX 16384

const char *ue_state_default_path(void)
{
	const char *p = getenv("TKMS_UE_STATE");
	return p && *p ? p : "./tkms-ue.state";
}

void ue_state_wipe(struct ue_state *st)
{
	tk_wipe(st, sizeof *st);
}

bool ue_state_valid(const struct ue_state *st, int64_t now)
{
	return st->have_boot && now < st->expiry;
}

/* jansson keeps its own copy of every string: wipe secret ones in place. */
static void wipe_jstr(json_t *v)
{
	if (json_is_string(v))
		tk_wipe((char *)json_string_value(v), json_string_length(v));
}

static int hex_field(json_t *obj, const char *name, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);
	int ok = s && json_string_length(v) == 2 * n && tk_hex_decode(s, out, n) == (long)n;

	wipe_jstr(v);
	return ok ? 0 : -1;
}

static int str_field(json_t *obj, const char *name, char *out, size_t cap)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);

	if (!s || json_string_length(v) == 0 || json_string_length(v) >= cap ||
	    strlen(s) != json_string_length(v))
		return -1;
	memcpy(out, s, json_string_length(v) + 1);
	return 0;
}

static int time_field(json_t *obj, const char *name, int64_t *out)
{
	const char *s = json_string_value(json_object_get(obj, name));
	return s ? tk_time_parse(s, strlen(s), out) : -1;
}

static int parse_doc(json_t *root, struct ue_state *st, const char **why)
{
	json_t *usim = json_object_get(root, "usim"), *boot = json_object_get(root, "bootstrap");
	uint8_t sqn[TK_MIL_SQN_LEN];

	*why = "not a tkms-ue state document";
	if (!json_is_object(root) || json_integer_value(json_object_get(root, "version")) != 1)
		return -1;
	*why = "bad impi";
	if (json_object_get(root, "impi") && str_field(root, "impi", st->impi, sizeof st->impi))
		return -1;
	if (usim) {
		*why = "bad usim (k, opc: 32 hex; sqn: 12 hex)";
		if (!json_is_object(usim) || hex_field(usim, "k", st->usim.k, TK_MIL_K_LEN) ||
		    hex_field(usim, "opc", st->usim.opc, TK_MIL_OP_LEN) ||
		    hex_field(usim, "sqn", sqn, TK_MIL_SQN_LEN))
			return -1;
		st->usim.sqn = tk_mil_sqn_get(sqn);
		st->have_usim = true;
	}
	if (boot) {
		*why = "bad bootstrap record";
		if (!json_is_object(boot) || str_field(boot, "bsf", st->bsf_url, sizeof st->bsf_url) ||
		    str_field(boot, "btid", st->btid, sizeof st->btid) ||
		    !tk_gba_btid_valid(st->btid, strlen(st->btid)) ||
		    hex_field(boot, "rand", st->rand, sizeof st->rand) ||
		    hex_field(boot, "ks", st->ks, sizeof st->ks) ||
		    time_field(boot, "expiry", &st->expiry) || time_field(boot, "created", &st->created))
			return -1;
		*why = "bootstrap record without impi";
		if (!st->impi[0])
			return -1;
		st->have_boot = true;
	}
	return 0;
}

int ue_state_load(const char *path, struct ue_state *st, char *err, size_t errlen)
{
	char *buf, e[512];
	size_t n;
	json_error_t jerr;
	json_t *root;
	const char *why;
	int rc;

	memset(st, 0, sizeof *st);
	rc = tk_file_read(path, STATE_MAX, TK_FILE_PRIVATE | TK_FILE_NOFOLLOW, &buf, &n, e,
			  sizeof e);
	if (rc == 1)
		return 1;
	if (rc) {
		snprintf(err, errlen, "state file %s", e);
		return -1;
	}
	root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
	tk_wipe(buf, n);
	free(buf);
	if (!root) {
		snprintf(err, errlen, "state file %s: bad JSON at line %d: %s", path, jerr.line,
			 jerr.text);
		return -1;
	}
	rc = parse_doc(root, st, &why);
	json_decref(root);
	if (rc) {
		ue_state_wipe(st);
		snprintf(err, errlen, "state file %s: %s", path, why);
		return -1;
	}
	return 0;
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
	char hex[2 * TK_GBA_KEY_LEN + 1];
	json_t *v;

	tk_hex_encode(p, n, hex);
	v = json_string(hex);
	tk_wipe(hex, sizeof hex);
	return v;
}

static json_t *time_json(int64_t t)
{
	char s[TK_TIME_STR];

	tk_time_format(t, s);
	return json_string(s);
}

static json_t *render(const struct ue_state *st)
{
	json_t *root = json_object();
	uint8_t sqn[TK_MIL_SQN_LEN];

	json_object_set_new(root, "version", json_integer(1));
	if (st->impi[0])
		json_object_set_new(root, "impi", json_string(st->impi));
	if (st->have_usim) {
		tk_mil_sqn_put(st->usim.sqn, sqn);
		json_object_set_new(root, "usim",
				    json_pack("{s:o, s:o, s:o}", "k", hex_json(st->usim.k, TK_MIL_K_LEN),
					      "opc", hex_json(st->usim.opc, TK_MIL_OP_LEN), "sqn",
					      hex_json(sqn, sizeof sqn)));
	}
	if (st->have_boot)
		json_object_set_new(root, "bootstrap",
				    json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "bsf", st->bsf_url,
					      "btid", st->btid, "rand", hex_json(st->rand, sizeof st->rand),
					      "ks", hex_json(st->ks, sizeof st->ks), "expiry",
					      time_json(st->expiry), "created", time_json(st->created)));
	return root;
}

static void wipe_doc(json_t *root)
{
	json_t *u = json_object_get(root, "usim"), *b = json_object_get(root, "bootstrap");

	wipe_jstr(json_object_get(u, "k"));
	wipe_jstr(json_object_get(u, "opc"));
	wipe_jstr(json_object_get(b, "ks"));
	wipe_jstr(json_object_get(b, "rand"));
}

int ue_state_save(const char *path, const struct ue_state *st, char *err, size_t errlen)
{
	char *doc = NULL, e[512];
	size_t len = 0;
	json_t *root;
	int rc = -1;

	root = render(st);
	if (root) {
		doc = malloc(STATE_MAX);
		len = doc ? json_dumpb(root, doc, STATE_MAX - 1, JSON_INDENT(2) | JSON_SORT_KEYS) : 0;
		wipe_doc(root);
		json_decref(root);
	}
	if (!doc || len == 0 || len >= STATE_MAX - 1) {
		snprintf(err, errlen, "cannot render the state");
		goto out;
	}
	doc[len++] = '\n';
	rc = tk_file_write_atomic(path, doc, len, 0600, e, sizeof e);
	if (rc)
		snprintf(err, errlen, "state file %s", e);
out:
	if (doc)
		tk_wipe(doc, STATE_MAX);
	free(doc);
	return rc;
}

int ue_state_naf_key(const struct ue_state *st, const char *naf_fqdn, tk_ua_id ua,
		     uint8_t out[TK_GBA_KEY_LEN], char *err, size_t errlen)
{
	int64_t now = (int64_t)time(NULL);
	char when[TK_TIME_STR];

	if (!st->have_boot) {
		snprintf(err, errlen, "not bootstrapped: run tkms-ue bootstrap first");
		return -1;
	}
	if (!ue_state_valid(st, now)) {
		tk_time_format(st->expiry, when);
		snprintf(err, errlen, "bootstrap of B-TID %s expired at %s: bootstrap again",
			 st->btid, when);
		return -1;
	}
	if (tk_gba_ks_naf_for(st->ks, st->rand, st->impi, naf_fqdn, ua, out) != TK_GBA_OK) {
		snprintf(err, errlen, "cannot derive Ks_NAF for NAF %s", naf_fqdn);
		return -1;
	}
	return 0;
}
