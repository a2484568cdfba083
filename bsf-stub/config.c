/* config.c: see config.h (contracts.md A). */
#include "bsf-stub/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "bsf-stub/store.h"
#include "http/http.h"
#include "util/json.h"
#include "util/secret.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int bsf_config_set(char **field, const char *value)
{
	char *v = value ? strdup(value) : NULL;

	if (value && !v)
		return -1;
	free(*field);
	*field = v;
	return 0;
}

void bsf_token_hash(const char *token, size_t len, uint8_t out[32])
{
	gnutls_hash_fast(GNUTLS_DIG_SHA256, token, len, out);
}

static void naf_free(struct bsf_naf *n)
{
	free(n->name);
	free(n->client_dn);
	for (size_t i = 0; i < n->n_fqdns; i++)
		free(n->fqdns[i]);
	free(n->fqdns);
	for (size_t i = 0; i < n->n_gsids; i++)
		free(n->gsids[i]);
	free(n->gsids);
	tk_wipe(n->token_hash, sizeof n->token_hash);
}

static void nafs_free(struct bsf_config *c)
{
	for (size_t i = 0; i < c->n_nafs; i++)
		naf_free(&c->nafs[i]);
	free(c->nafs);
	c->nafs = NULL;
	c->n_nafs = 0;
}

void bsf_config_free(struct bsf_config *c)
{
	free(c->file);
	free(c->fqdn);
	free(c->ub_listen);
	free(c->zn_listen);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->tls_client_ca);
	nafs_free(c);
	free(c->state_dir);
	free(c->subscribers);
	json_decref(c->subscriber_list);
	memset(c, 0, sizeof *c);
}

static const char default_nafs[] =
	"[{\"name\": \"kms\", \"token\": \"lab-token-kms\", \"fqdns\": [\"kms.home1.net\"],"
	" \"gsids\": [\"0\"]}]";

static int load_nafs(struct bsf_config *c, const json_t *arr, const char *f, char *err,
		     size_t errlen);

int bsf_config_defaults(struct bsf_config *c)
{
	json_t *nafs;
	char err[256];
	int rc;

	memset(c, 0, sizeof *c);
	c->lifetime = 3600;
	c->max_sessions = 100000;
	c->threads = 4;
	if (bsf_config_set(&c->fqdn, "bsf.home1.net") || bsf_config_set(&c->ub_listen, "127.0.0.1:8080") ||
	    bsf_config_set(&c->zn_listen, "127.0.0.1:8081") ||
	    bsf_config_set(&c->state_dir, "./bsf-state"))
		return -1;
	nafs = json_loads(default_nafs, 0, NULL);
	rc = nafs ? load_nafs(c, nafs, "(defaults)", err, sizeof err) : -1;
	json_decref(nafs);
	return rc;
}

/* A DNS name: labels of letters, digits, '-', 1..63 each, 1..253 total. */
static bool fqdn_ok(const char *s)
{
	size_t n = strlen(s), lab = 0;

	if (n == 0 || n > 253)
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (lab == 0)
				return false;
			lab = 0;
		} else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			   (*s >= '0' && *s <= '9') || *s == '-') {
			if (++lab > 63)
				return false;
		} else {
			return false;
		}
	}
	return lab > 0;
}

static int str_list(const json_t *a, char ***out, size_t *n, bool fqdns, const char *at,
		    char *err, size_t errlen)
{
	if (!json_is_array(a) || json_array_size(a) > 256)
		return fail(err, errlen, "%s: must be an array of at most 256 strings", at);
	*out = calloc(json_array_size(a) + 1, sizeof **out);
	if (!*out)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *v = json_array_get(a, i);

		if (!json_is_string(v) || !json_string_length(v) ||
		    (fqdns && !fqdn_ok(json_string_value(v))))
			return fail(err, errlen, "%s[%zu]: must be %s", at, i,
				    fqdns ? "a DNS name" : "a non-empty string");
		(*out)[(*n)++] = strdup(json_string_value(v));
	}
	return 0;
}

static int check_keys(const json_t *o, const char *const *allowed, const char *at, char *err,
		      size_t errlen)
{
	const char *key = tk_json_unknown_key(o, allowed);

	return key ? fail(err, errlen, "%s: unknown key \"%s\"", at, key) : 0;
}

static int load_nafs(struct bsf_config *c, const json_t *arr, const char *f, char *err,
		     size_t errlen)
{
	static const char *const keys[] = { "name", "token", "client_dn", "fqdns", "gsids", NULL };

	nafs_free(c);
	if (!json_is_array(arr))
		return fail(err, errlen, "%s: zn.nafs: must be an array", f);
	c->nafs = calloc(json_array_size(arr) + 1, sizeof *c->nafs);
	if (!c->nafs)
		return fail(err, errlen, "out of memory");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i), *v;
		struct bsf_naf *n = &c->nafs[i];
		char at[300];

		c->n_nafs++;
		snprintf(at, sizeof at, "%s: zn.nafs[%zu]", f, i);
		if (!json_is_object(o))
			return fail(err, errlen, "%s: must be an object", at);
		if (check_keys(o, keys, at, err, errlen))
			return -1;
		v = json_object_get(o, "name");
		if (!json_is_string(v) || !json_string_length(v))
			return fail(err, errlen, "%s.name: must be a non-empty string", at);
		n->name = strdup(json_string_value(v));
		if ((v = json_object_get(o, "token"))) {
			if (!json_is_string(v) || json_string_length(v) < 8 ||
			    strpbrk(json_string_value(v), " \t\r\n"))
				return fail(err, errlen, "%s.token: must be a string of at least 8 "
					    "characters without whitespace", at);
			n->has_token = true;
			bsf_token_hash(json_string_value(v), json_string_length(v), n->token_hash);
		}
		if ((v = json_object_get(o, "client_dn"))) {
			if (!json_is_string(v) || !json_string_length(v))
				return fail(err, errlen, "%s.client_dn: must be a non-empty string", at);
			n->client_dn = strdup(json_string_value(v));
		}
		if (!n->has_token && !n->client_dn)
			return fail(err, errlen, "%s: needs a \"token\" or a \"client_dn\"", at);
		if (!(v = json_object_get(o, "fqdns")))
			return fail(err, errlen, "%s: \"fqdns\" is missing", at);
		snprintf(at + strlen(at), sizeof at - strlen(at), ".fqdns");
		if (str_list(v, &n->fqdns, &n->n_fqdns, true, at, err, errlen))
			return -1;
		at[strlen(at) - 6] = 0;
		v = json_object_get(o, "gsids");
		snprintf(at + strlen(at), sizeof at - strlen(at), ".gsids");
		if (v && str_list(v, &n->gsids, &n->n_gsids, false, at, err, errlen))
			return -1;
	}
	return 0;
}

static int get_str(const json_t *o, const char *key, char **field, const char *at, char *err,
		   size_t errlen)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_string(v) || !json_string_length(v))
		return fail(err, errlen, "%s%s: must be a non-empty string", at, key);
	return bsf_config_set(field, json_string_value(v)) ? fail(err, errlen, "out of memory") : 0;
}

static int get_long(const json_t *o, const char *key, long *field, long min, long max,
		    const char *at, char *err, size_t errlen)
{
	const json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(err, errlen, "%s%s: must be an integer in %ld..%ld", at, key, min, max);
	*field = (long)json_integer_value(v);
	return 0;
}

int bsf_config_load(struct bsf_config *c, const char *path, char *err, size_t errlen)
{
	static const char *const top[] = { "fqdn", "ub", "zn", "lifetime", "max_sessions",
					    "state_dir", "subscribers", "subscriber_list",
					    "threads", NULL };
	static const char *const ubk[] = { "listen", NULL };
	static const char *const znk[] = { "listen", "tls", "nafs", NULL };
	static const char *const tlsk[] = { "cert", "key", "client_ca", NULL };
	json_error_t je;
	json_t *doc, *o, *v;
	char at[300];
	long threads = c->threads;
	int rc = -1;

	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!doc)
		return fail(err, errlen, "%s: line %d column %d: %s", path, je.line, je.column, je.text);
	if (bsf_config_set(&c->file, path))
		goto out;
	if (!json_is_object(doc)) {
		fail(err, errlen, "%s: the configuration must be a JSON object", path);
		goto out;
	}
	snprintf(at, sizeof at, "%s", path);
	if (check_keys(doc, top, at, err, errlen))
		goto out;
	snprintf(at, sizeof at, "%s: ", path);
	if (get_str(doc, "fqdn", &c->fqdn, at, err, errlen) ||
	    get_long(doc, "lifetime", &c->lifetime, 1, 7L * 86400 * 365, at, err, errlen) ||
	    get_long(doc, "max_sessions", &c->max_sessions, 1, 10000000, at, err, errlen) ||
	    get_long(doc, "threads", &threads, 1, 256, at, err, errlen) ||
	    get_str(doc, "state_dir", &c->state_dir, at, err, errlen) ||
	    get_str(doc, "subscribers", &c->subscribers, at, err, errlen))
		goto out;
	c->threads = (unsigned)threads;
	if (!fqdn_ok(c->fqdn)) {
		fail(err, errlen, "%s: fqdn: \"%s\" is not a DNS name", path, c->fqdn);
		goto out;
	}
	if ((v = json_object_get(doc, "subscriber_list"))) {
		if (json_object_get(doc, "subscribers")) {
			fail(err, errlen, "%s: give \"subscribers\" (a file) or \"subscriber_list\", not both",
			     path);
			goto out;
		}
		if (!json_is_array(v)) {
			fail(err, errlen, "%s: subscriber_list: must be an array", path);
			goto out;
		}
		json_decref(c->subscriber_list);
		c->subscriber_list = json_incref(v);
	}
	if ((o = json_object_get(doc, "ub"))) {
		snprintf(at, sizeof at, "%s: ub", path);
		if (!json_is_object(o)) {
			fail(err, errlen, "%s: must be an object", at);
			goto out;
		}
		if (check_keys(o, ubk, at, err, errlen))
			goto out;
		snprintf(at, sizeof at, "%s: ub.", path);
		if (get_str(o, "listen", &c->ub_listen, at, err, errlen))
			goto out;
	}
	if ((o = json_object_get(doc, "zn"))) {
		snprintf(at, sizeof at, "%s: zn", path);
		if (!json_is_object(o)) {
			fail(err, errlen, "%s: must be an object", at);
			goto out;
		}
		if (check_keys(o, znk, at, err, errlen))
			goto out;
		snprintf(at, sizeof at, "%s: zn.", path);
		if (get_str(o, "listen", &c->zn_listen, at, err, errlen))
			goto out;
		if ((v = json_object_get(o, "tls"))) {
			snprintf(at, sizeof at, "%s: zn.tls", path);
			if (!json_is_object(v)) {
				fail(err, errlen, "%s: must be an object", at);
				goto out;
			}
			if (check_keys(v, tlsk, at, err, errlen))
				goto out;
			snprintf(at, sizeof at, "%s: zn.tls.", path);
			if (get_str(v, "cert", &c->tls_cert, at, err, errlen) ||
			    get_str(v, "key", &c->tls_key, at, err, errlen) ||
			    get_str(v, "client_ca", &c->tls_client_ca, at, err, errlen))
				goto out;
			if (!c->tls_cert || !c->tls_key) {
				fail(err, errlen, "%s: zn.tls: needs both \"cert\" and \"key\"", path);
				goto out;
			}
		}
		if ((v = json_object_get(o, "nafs")) && load_nafs(c, v, path, err, errlen))
			goto out;
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}

int bsf_config_check(const struct bsf_config *c, char *err, size_t errlen)
{
	const char *f = c->file ? c->file : "(command line)";
	struct sockaddr_storage ss;
	socklen_t sl;
	char e[200];

	if (tk_http_parse_listen(c->ub_listen, &ss, &sl, e, sizeof e) != 0)
		return fail(err, errlen, "%s: ub.listen: %s", f, e);
	if (tk_http_parse_listen(c->zn_listen, &ss, &sl, e, sizeof e) != 0)
		return fail(err, errlen, "%s: zn.listen: %s", f, e);
	for (size_t i = 0; i < c->n_nafs; i++)
		if (c->nafs[i].client_dn && !c->tls_client_ca)
			return fail(err, errlen, "%s: zn.nafs[%zu].client_dn: needs zn.tls.client_ca", f, i);
	return 0;
}

static json_t *strs(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

char *bsf_config_dump(const struct bsf_config *c)
{
	json_t *doc = json_object(), *zn = json_object(), *nafs = json_array(), *ub = json_object();
	char *s;

	json_object_set_new(doc, "fqdn", json_string(c->fqdn));
	json_object_set_new(ub, "listen", json_string(c->ub_listen));
	json_object_set_new(doc, "ub", ub);
	json_object_set_new(zn, "listen", json_string(c->zn_listen));
	if (c->tls_cert) {
		json_t *tls = json_object();

		json_object_set_new(tls, "cert", json_string(c->tls_cert));
		json_object_set_new(tls, "key", json_string("(set)"));
		if (c->tls_client_ca)
			json_object_set_new(tls, "client_ca", json_string(c->tls_client_ca));
		json_object_set_new(zn, "tls", tls);
	}
	for (size_t i = 0; i < c->n_nafs; i++) {
		const struct bsf_naf *n = &c->nafs[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(n->name));
		if (n->has_token)
			json_object_set_new(o, "token", json_string("(set)"));
		if (n->client_dn)
			json_object_set_new(o, "client_dn", json_string(n->client_dn));
		json_object_set_new(o, "fqdns", strs(n->fqdns, n->n_fqdns));
		json_object_set_new(o, "gsids", strs(n->gsids, n->n_gsids));
		json_array_append_new(nafs, o);
	}
	json_object_set_new(zn, "nafs", nafs);
	json_object_set_new(doc, "zn", zn);
	json_object_set_new(doc, "lifetime", json_integer(c->lifetime));
	json_object_set_new(doc, "max_sessions", json_integer(c->max_sessions));
	json_object_set_new(doc, "threads", json_integer(c->threads));
	json_object_set_new(doc, "state_dir", json_string(c->state_dir));
	if (c->subscribers) {
		json_object_set_new(doc, "subscribers", json_string(c->subscribers));
	} else if (c->subscriber_list) {
		/* Subscriber keys are secrets like the tokens: shown as set, never printed. */
		static const char *const secret[] = { "k", "opc", "op" };
		json_t *list = json_deep_copy(c->subscriber_list), *sub;
		size_t i;

		json_array_foreach(list, i, sub)
			for (size_t j = 0; j < sizeof secret / sizeof *secret; j++)
				if (json_object_get(sub, secret[j]))
					json_object_set_new(sub, secret[j], json_string("(set)"));
		json_object_set_new(doc, "subscriber_list", list);
	} else {
		/* The demo values are documentation (contracts.md A), not secrets. */
		json_t *demo = json_loads(bsf_store_demo_json(), 0, NULL);

		json_object_set(doc, "subscriber_list", json_object_get(demo, "subscribers"));
		json_decref(demo);
	}
	s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return s;
}
