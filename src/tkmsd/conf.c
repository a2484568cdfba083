/*
 * conf.c: tkmsd's JSON configuration (see conf.h).
 *
 * Every key, its default and its meaning (the defaults below are the lab set
 * that works next to `bsf-stub` without arguments; P-n = docs profile.md):
 *
 *   fqdn                         KMS FQDN: NAF_Id (P-1), IDRkms (P-3), Digest
 *                                realm 3GPP-bootstrapping@<fqdn> (P-27).
 *                                "kms.home1.net"
 *   listeners.psk.enabled        PSK-TLS listener (P-7, TS 33.222 5.4). true
 *   listeners.psk.listen         "127.0.0.1:8443" ("[::1]:8443" for IPv6)
 *   listeners.psk.priority       GnuTLS priority string; null = PSK suites of
 *                                TLS 1.2 (ECDHE-PSK, DHE-PSK, PSK with AES-GCM
 *                                or ChaCha20-Poly1305) and TLS 1.3.
 *   listeners.https.enabled      HTTPS + GBA Digest (TS 33.222 5.3). true
 *   listeners.https.listen       "127.0.0.1:8444"
 *   listeners.https.cert, .key   PEM files; both null = an ephemeral
 *                                self-signed lab certificate made at start,
 *                                its SHA-256 fingerprint logged. null
 *   listeners.https.cert_out     write that ephemeral certificate here (so
 *                                clients can trust it). null
 *   listeners.https.client_ca    PEM CA file: ask for client certificates
 *                                (network functions, P-14). null
 *   listeners.https.priority     GnuTLS priority string; null = ECDHE with
 *                                AES-GCM / ChaCha20-Poly1305, TLS 1.2 and 1.3.
 *   listeners.http.enabled       plain HTTP, lab use only (P-7). false
 *   listeners.http.listen        "127.0.0.1:8082"
 *   bsf.url                      Zn apiRoot (P-17). "http://127.0.0.1:8081"
 *   bsf.token                    Zn bearer token. "lab-token-kms"
 *   bsf.cert, bsf.key, bsf.ca    mutual TLS to the BSF (PEM files). null
 *   bsf.connect_timeout_ms       2000
 *   bsf.timeout_ms               whole Zn request. 5000
 *   bsf.gsid                     GAA service id of the KMS (P-3). "0"
 *   policy.default_lifetime      ticket TRe - TRs in s when not asked (P-11). 86400
 *   policy.max_lifetime          most a UE may ask for, s. 604800
 *   policy.allowed_sets          algorithm sets (P-8). ["128", "256"]
 *   policy.clock_skew            timestamp window +-s (P-9). 300
 *   policy.flags_default         granted Ticket Policy flags (P-11).
 *                                ["D","E","F","G","H","I","J","N","O"]
 *   policy.flags_choosable       flags a UE request may change (P-23).
 *                                ["F","G","H","I","J"]
 *   groups                       group URI -> member IMPUs (P-14). {}
 *   network_functions            [{"name", "impi" | "cert_subject",
 *                                "intercept": bool}] may resolve any ticket
 *                                (P-14). []
 *   pk.enabled                   accept REQUEST_INIT_PK / RESOLVE_INIT_PK from
 *                                certificate users (docs/operations.md
 *                                "Credentials without GBA"). false
 *   pk.cert, pk.key              the KMS's RSA certificate and key (PEM) for
 *                                PKE and CHASH; made (self-signed, RSA 2048)
 *                                at start when neither file exists.
 *                                "./tkms-pk-cert.pem", "./tkms-pk-key.pem"
 *   pk.client_ca                 PEM CAs that issue users' certificates;
 *                                null = listeners.https.client_ca. null
 *   pk.san_impus                 a trusted certificate whose subject is not
 *                                in client_certs speaks for the URIs of its
 *                                subjectAltName. false
 *   client_certs                 [{"subject": RFC 4514 DN, "impus": [URI...],
 *                                "name"}]: certificate users and their IMPUs
 *                                (P-3, P-13, P-14). []
 *   users                        password users file (JSON {"users": [{
 *                                "username", "ha1", "impus", "name"}]}, HA1 of
 *                                realm tkms-users@<fqdn>; `tkmsd user-hash`).
 *                                null
 *   keyring                      Ticket Protection Key file (P-10), created
 *                                at the first start; `tkmsd keyring`.
 *                                "./tkms-keyring.json"
 *   replay_cache_size            entries of the replay cache (P-9). 1000000
 *   limits.connections           simultaneous connections per listener. 1024
 *   limits.threads               worker threads per listener. 4
 *   limits.connection_timeout    idle seconds before a connection closes. 30
 *   limits.max_body              request body cap in octets (P-5). 65536
 *   log.level                    error|warning|notice|info|debug. "info"
 *   log.syslog                   syslog instead of stderr. false
 *   audit.path                   P-15 audit lines: a file or "stderr". "stderr"
 *   pid_file                     written at start, removed at exit. null
 *
 * SIGHUP (tkmsd.c, engine_glue.c): policy, groups, network_functions,
 * pk, client_certs, users, keyring and log.level apply at once; fqdn needs a restart (refused);
 * listeners, bsf, limits, audit, pid_file, replay_cache_size, log.syslog
 * wait for the next restart.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "http/http.h"
#include "tkmsd/conf.h"
#include "tkmsd/log.h"
#include "util/json.h"

const char tkmsd_default_config[] =
	"{\n"
	"  \"fqdn\": \"kms.home1.net\",\n"
	"  \"listeners\": {\n"
	"    \"psk\":   { \"enabled\": true,  \"listen\": \"127.0.0.1:8443\", \"priority\": null },\n"
	"    \"https\": { \"enabled\": true,  \"listen\": \"127.0.0.1:8444\", \"priority\": null,\n"
	"               \"cert\": null, \"key\": null, \"cert_out\": null, \"client_ca\": null },\n"
	"    \"http\":  { \"enabled\": false, \"listen\": \"127.0.0.1:8082\" }\n"
	"  },\n"
	"  \"bsf\": { \"url\": \"http://127.0.0.1:8081\", \"token\": \"lab-token-kms\",\n"
	"           \"cert\": null, \"key\": null, \"ca\": null,\n"
	"           \"connect_timeout_ms\": 2000, \"timeout_ms\": 5000, \"gsid\": \"0\" },\n"
	"  \"policy\": { \"default_lifetime\": 86400, \"max_lifetime\": 604800,\n"
	"              \"allowed_sets\": [\"128\", \"256\"], \"clock_skew\": 300,\n"
	"              \"flags_default\": [\"D\", \"E\", \"F\", \"G\", \"H\", \"I\", \"J\", \"N\", \"O\"],\n"
	"              \"flags_choosable\": [\"F\", \"G\", \"H\", \"I\", \"J\"] },\n"
	"  \"groups\": {},\n"
	"  \"network_functions\": [],\n"
	"  \"pk\": { \"enabled\": false, \"cert\": \"./tkms-pk-cert.pem\",\n"
	"          \"key\": \"./tkms-pk-key.pem\", \"client_ca\": null, \"san_impus\": false },\n"
	"  \"client_certs\": [],\n"
	"  \"users\": null,\n"
	"  \"keyring\": \"./tkms-keyring.json\",\n"
	"  \"replay_cache_size\": 1000000,\n"
	"  \"limits\": { \"connections\": 1024, \"threads\": 4, \"connection_timeout\": 30,\n"
	"              \"max_body\": 65536 },\n"
	"  \"log\": { \"level\": \"info\", \"syslog\": false },\n"
	"  \"audit\": { \"path\": \"stderr\" },\n"
	"  \"pid_file\": null\n"
	"}\n";

/* Objects whose member names are data, not keys of the schema. */
static const char *const free_objects[] = { "groups" };

struct errs {
	char *buf;
	size_t cap, len;
	const char *file;
	unsigned n;
};

static void err_add(struct errs *e, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void err_add(struct errs *e, const char *path, const char *fmt, ...)
{
	va_list ap;
	int k;

	e->n++;
	if (e->len + 1 >= e->cap)
		return;
	k = snprintf(e->buf + e->len, e->cap - e->len, "%s%s: %s: ", e->len ? "\n" : "",
		     e->file, path);
	if (k < 0 || (size_t)k >= e->cap - e->len) {
		e->len = e->cap - 1;
		return;
	}
	e->len += (size_t)k;
	va_start(ap, fmt);
	k = vsnprintf(e->buf + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= e->cap - e->len)
		e->len = e->cap - 1;
	else
		e->len += (size_t)k;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* Unknown keys and object/non-object mismatches, against the defaults'
 * shape. Comment members ("_...") are removed. */
static void check_shape(struct errs *e, json_t *user, const json_t *def, const char *path)
{
	const char *k;
	json_t *v;
	void *tmp;
	char sub[256];
	size_t i;

	json_object_foreach_safe(user, tmp, k, v) {
		const json_t *d;
		bool free_obj = false;

		if (k[0] == '_') {
			json_object_del(user, k);
			continue;
		}
		snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
		d = json_object_get(def, k);
		if (!d) {
			err_add(e, sub, "unknown key");
			continue;
		}
		if (!json_is_object(d))
			continue;
		if (!json_is_object(v)) {
			err_add(e, sub, "must be an object, not %s", type_name(v));
			continue;
		}
		for (i = 0; i < sizeof free_objects / sizeof free_objects[0]; i++)
			free_obj |= strcmp(sub, free_objects[i]) == 0;
		if (!free_obj)
			check_shape(e, v, d, sub);
	}
}

static json_t *at(json_t *root, const char *path)
{
	char buf[128], *p, *save = NULL;
	json_t *v = root;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = strtok_r(buf, ".", &save); p && v; p = strtok_r(NULL, ".", &save))
		v = json_object_get(v, p);
	return v;
}

enum { OPT = 1, NONEMPTY = 2 };

static const char *get_str(struct errs *e, json_t *root, const char *path, int flags)
{
	json_t *v = at(root, path);

	if (!v || json_is_null(v)) {
		if (!(flags & OPT))
			err_add(e, path, "missing (a string is required)");
		return NULL;
	}
	if (!json_is_string(v)) {
		err_add(e, path, "must be a string%s, not %s", flags & OPT ? " or null" : "",
			type_name(v));
		return NULL;
	}
	if ((flags & NONEMPTY) && json_string_length(v) == 0) {
		err_add(e, path, "must not be empty");
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		err_add(e, path, "must not contain NUL characters");
		return NULL;
	}
	return json_string_value(v);
}

static bool get_bool(struct errs *e, json_t *root, const char *path)
{
	json_t *v = at(root, path);

	if (!json_is_boolean(v)) {
		err_add(e, path, "must be true or false, not %s", v ? type_name(v) : "missing");
		return false;
	}
	return json_is_true(v);
}

static unsigned long get_uint(struct errs *e, json_t *root, const char *path,
			      unsigned long lo, unsigned long hi)
{
	json_t *v = at(root, path);
	json_int_t n;

	if (!json_is_integer(v)) {
		err_add(e, path, "must be an integer %lu..%lu, not %s", lo, hi,
			v ? type_name(v) : "missing");
		return lo;
	}
	n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n < lo || (unsigned long long)n > hi) {
		err_add(e, path, "%lld is out of range %lu..%lu", (long long)n, lo, hi);
		return lo;
	}
	return (unsigned long)n;
}

static bool dns_name(const char *s)
{
	size_t label = 0, n = strlen(s), i;

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if (isalnum((unsigned char)c) || c == '-') {
			if ((label == 0 && c == '-') || ++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

bool tkmsd_uri_like(const char *s)
{
	const char *c = strchr(s, ':');
	const char *p;

	if (!c || c == s || !c[1])
		return false;
	for (p = s; p < c; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
			return false;
	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return false;
	return true;
}

static void check_file(struct errs *e, const char *path, const char *file)
{
	if (file && access(file, R_OK) != 0)
		err_add(e, path, "cannot read \"%s\": %s", file, strerror(errno));
}

static void check_priority(struct errs *e, const char *path, const char *prio)
{
	gnutls_priority_t p;
	const char *where = NULL;

	if (!prio)
		return;
	if (gnutls_priority_init(&p, prio, &where) < 0) {
		err_add(e, path, "not a valid GnuTLS priority string (error near \"%.40s\")",
			where ? where : prio);
		return;
	}
	gnutls_priority_deinit(p);
}

static void listener(struct errs *e, json_t *root, const char *name,
		     struct tkmsd_listener_cfg *l)
{
	char p[64], perr[200];
	struct sockaddr_storage ss;
	socklen_t sl;
	bool https = strcmp(name, "https") == 0;

	snprintf(p, sizeof p, "listeners.%s.enabled", name);
	l->enabled = get_bool(e, root, p);
	snprintf(p, sizeof p, "listeners.%s.listen", name);
	l->listen = get_str(e, root, p, NONEMPTY);
	if (l->listen && tk_http_parse_listen(l->listen, &ss, &sl, perr, sizeof perr) != 0)
		err_add(e, p, "%s", perr);
	if (strcmp(name, "http") == 0)
		return;
	snprintf(p, sizeof p, "listeners.%s.priority", name);
	l->priority = get_str(e, root, p, OPT | NONEMPTY);
	check_priority(e, p, l->priority);
	if (!https)
		return;
	l->cert = get_str(e, root, "listeners.https.cert", OPT | NONEMPTY);
	l->key = get_str(e, root, "listeners.https.key", OPT | NONEMPTY);
	l->cert_out = get_str(e, root, "listeners.https.cert_out", OPT | NONEMPTY);
	l->client_ca = get_str(e, root, "listeners.https.client_ca", OPT | NONEMPTY);
	if (!l->cert != !l->key)
		err_add(e, l->cert ? "listeners.https.key" : "listeners.https.cert",
			"cert and key go together (leave both null for an ephemeral lab certificate)");
	if (l->cert && l->cert_out)
		err_add(e, "listeners.https.cert_out",
			"only for the ephemeral certificate (cert and key are set)");
	check_file(e, "listeners.https.cert", l->cert);
	check_file(e, "listeners.https.key", l->key);
	check_file(e, "listeners.https.client_ca", l->client_ca);
}

static uint32_t flag_list(struct errs *e, json_t *root, const char *path)
{
	json_t *a = at(root, path), *v;
	size_t i;
	uint32_t bits = 0;
	char sub[80];

	if (!json_is_array(a)) {
		err_add(e, path, "must be an array of flag letters (D..O), not %s",
			a ? type_name(a) : "missing");
		return 0;
	}
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		snprintf(sub, sizeof sub, "%s[%zu]", path, i);
		if (!s || strlen(s) != 1 || !strchr("DEFGHIJLMNO", s[0])) {
			err_add(e, sub, "must be one of the flag letters D E F G H I J L M N O "
				"(K is computed, P-23)");
			continue;
		}
		if (bits & TKMSD_FLAG_BIT(s[0]))
			err_add(e, sub, "flag %s listed twice", s);
		bits |= TKMSD_FLAG_BIT(s[0]);
	}
	return bits;
}

static void policy(struct errs *e, json_t *root, struct tkmsd_config *c)
{
	json_t *a, *v;
	size_t i;
	char sub[64];

	c->policy.default_lifetime = (unsigned)get_uint(e, root, "policy.default_lifetime",
							60, 366UL * 86400);
	c->policy.max_lifetime = (unsigned)get_uint(e, root, "policy.max_lifetime",
						    60, 366UL * 86400);
	if (c->policy.default_lifetime > c->policy.max_lifetime)
		err_add(e, "policy.default_lifetime", "%u exceeds policy.max_lifetime (%u)",
			c->policy.default_lifetime, c->policy.max_lifetime);
	c->policy.clock_skew = (unsigned)get_uint(e, root, "policy.clock_skew", 1, 3600);
	a = at(root, "policy.allowed_sets");
	if (!json_is_array(a) || json_array_size(a) == 0) {
		err_add(e, "policy.allowed_sets", "must be a non-empty array of \"128\" / \"256\"");
	} else {
		json_array_foreach(a, i, v) {
			const char *s = json_string_value(v);
			snprintf(sub, sizeof sub, "policy.allowed_sets[%zu]", i);
			if (s && strcmp(s, "128") == 0 && !c->policy.set128)
				c->policy.set128 = true;
			else if (s && strcmp(s, "256") == 0 && !c->policy.set256)
				c->policy.set256 = true;
			else
				err_add(e, sub, "must be \"128\" or \"256\", each at most once (P-8)");
		}
	}
	c->policy.flags_default = flag_list(e, root, "policy.flags_default");
	c->policy.flags_choosable = flag_list(e, root, "policy.flags_choosable");
	if (!(c->policy.flags_default & TKMSD_FLAG_BIT('D')) && json_is_array(at(root, "policy.flags_default")))
		err_add(e, "policy.flags_default", "must contain \"D\" (the ticket goes to the KMS)");
}

static void groups(struct errs *e, json_t *root, struct tkmsd_config *c)
{
	json_t *g = at(root, "groups"), *m, *v;
	const char *k;
	char sub[300];
	size_t i;

	if (!json_is_object(g)) {
		err_add(e, "groups", "must be an object (group URI -> array of member URIs)");
		return;
	}
	c->groups = calloc(json_object_size(g) + 1, sizeof *c->groups);
	if (!c->groups) {
		err_add(e, "groups", "out of memory");
		return;
	}
	json_object_foreach(g, k, m) {
		struct tkmsd_group *gr = &c->groups[c->n_groups];
		snprintf(sub, sizeof sub, "groups.%.200s", k);
		if (!tkmsd_uri_like(k))
			err_add(e, sub, "group name must be a URI such as \"sip:team@home1.net\"");
		if (!json_is_array(m) || json_array_size(m) == 0) {
			err_add(e, sub, "must be a non-empty array of member URIs");
			continue;
		}
		gr->uri = k;
		gr->members = calloc(json_array_size(m), sizeof *gr->members);
		if (!gr->members) {
			err_add(e, sub, "out of memory");
			continue;
		}
		json_array_foreach(m, i, v) {
			const char *s = json_string_value(v);
			if (!s || !tkmsd_uri_like(s)) {
				snprintf(sub, sizeof sub, "groups.%.200s[%zu]", k, i);
				err_add(e, sub, "must be a member URI such as \"sip:carol@home1.net\"");
				continue;
			}
			gr->members[gr->n_members++] = s;
		}
		c->n_groups++;
	}
}

/* An optional non-empty string member of a network function entry. */
static const char *nf_str(struct errs *e, json_t *o, const char *sub, const char *key)
{
	json_t *v = json_object_get(o, key);
	char p[120];

	if (!v || json_is_null(v))
		return NULL;
	snprintf(p, sizeof p, "%s.%s", sub, key);
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		err_add(e, p, "must be a non-empty string");
		return NULL;
	}
	return json_string_value(v);
}

static void network_functions(struct errs *e, json_t *root, struct tkmsd_config *c)
{
	json_t *a = at(root, "network_functions"), *o, *v;
	size_t i, j;
	const char *k;
	char sub[80], sub2[120];

	if (!json_is_array(a)) {
		err_add(e, "network_functions", "must be an array of objects");
		return;
	}
	c->nfs = calloc(json_array_size(a) + 1, sizeof *c->nfs);
	if (!c->nfs) {
		err_add(e, "network_functions", "out of memory");
		return;
	}
	json_array_foreach(a, i, o) {
		struct tkmsd_nf *nf = &c->nfs[c->n_nfs];
		snprintf(sub, sizeof sub, "network_functions[%zu]", i);
		if (!json_is_object(o)) {
			err_add(e, sub, "must be an object {\"name\", \"impi\" or \"cert_subject\", "
				"\"intercept\"}");
			continue;
		}
		json_object_foreach(o, k, v)
			if (k[0] != '_' && strcmp(k, "name") && strcmp(k, "impi") &&
			    strcmp(k, "cert_subject") && strcmp(k, "intercept")) {
				snprintf(sub2, sizeof sub2, "%s.%.30s", sub, k);
				err_add(e, sub2, "unknown key");
			}
		nf->name = nf_str(e, o, sub, "name");
		if (!nf->name && !json_object_get(o, "name")) {
			snprintf(sub2, sizeof sub2, "%s.name", sub);
			err_add(e, sub2, "a name is required");
		}
		nf->impi = nf_str(e, o, sub, "impi");
		nf->cert_subject = nf_str(e, o, sub, "cert_subject");
		if (!nf->impi == !nf->cert_subject &&
		    !json_object_get(o, "impi") == !json_object_get(o, "cert_subject"))
			err_add(e, sub, "give exactly one of \"impi\" and \"cert_subject\"");
		v = json_object_get(o, "intercept");
		if (v && !json_is_boolean(v)) {
			snprintf(sub2, sizeof sub2, "%s.intercept", sub);
			err_add(e, sub2, "must be true or false");
		}
		nf->intercept = json_is_true(v);
		for (j = 0; nf->name && j < c->n_nfs; j++)
			if (c->nfs[j].name && strcmp(c->nfs[j].name, nf->name) == 0) {
				snprintf(sub2, sizeof sub2, "%s.name", sub);
				err_add(e, sub2, "name \"%s\" used twice", nf->name);
			}
		c->n_nfs++;
	}
}

/* Certificate users: subject, impus (URIs), optional name; subjects unique. */
static void client_certs(struct errs *e, json_t *root, struct tkmsd_config *c)
{
	static const char *const allowed[] = { "subject", "impus", "name", NULL };
	json_t *a = at(root, "client_certs"), *o, *im, *v;
	size_t i, j;
	char sub[80], sub2[120];
	const char *bad;

	if (!json_is_array(a)) {
		err_add(e, "client_certs", "must be an array of objects");
		return;
	}
	c->client_certs = calloc(json_array_size(a) + 1, sizeof *c->client_certs);
	if (!c->client_certs) {
		err_add(e, "client_certs", "out of memory");
		return;
	}
	json_array_foreach(a, i, o) {
		struct tkmsd_cert_user *u = &c->client_certs[c->n_client_certs];

		snprintf(sub, sizeof sub, "client_certs[%zu]", i);
		if (!json_is_object(o)) {
			err_add(e, sub, "must be an object {\"subject\", \"impus\", \"name\"}");
			continue;
		}
		if ((bad = tk_json_unknown_key(o, allowed))) {
			snprintf(sub2, sizeof sub2, "%s.%.30s", sub, bad);
			err_add(e, sub2, "unknown key");
		}
		u->subject = nf_str(e, o, sub, "subject");
		u->name = nf_str(e, o, sub, "name");
		if (!u->subject && !json_object_get(o, "subject")) {
			snprintf(sub2, sizeof sub2, "%s.subject", sub);
			err_add(e, sub2, "the certificate subject DN is required");
		}
		im = json_object_get(o, "impus");
		snprintf(sub2, sizeof sub2, "%s.impus", sub);
		if (!json_is_array(im) || json_array_size(im) == 0) {
			err_add(e, sub2, "must be a non-empty array of IMPU URIs");
			continue;
		}
		u->impus = calloc(json_array_size(im) + 1, sizeof *u->impus);
		if (!u->impus) {
			err_add(e, sub2, "out of memory");
			continue;
		}
		json_array_foreach(im, j, v) {
			if (!json_is_string(v) || !tkmsd_uri_like(json_string_value(v))) {
				snprintf(sub2, sizeof sub2, "%s.impus[%zu]", sub, j);
				err_add(e, sub2, "must be a URI such as \"sip:user@example.net\"");
				continue;
			}
			u->impus[u->n_impus++] = json_string_value(v);
		}
		for (j = 0; u->subject && j < c->n_client_certs; j++)
			if (c->client_certs[j].subject && !strcmp(c->client_certs[j].subject, u->subject)) {
				snprintf(sub2, sizeof sub2, "%s.subject", sub);
				err_add(e, sub2, "subject \"%s\" listed twice", u->subject);
			}
		c->n_client_certs++;
	}
}

static void pk_and_users(struct errs *e, json_t *root, struct tkmsd_config *c)
{
	c->pk.enabled = get_bool(e, root, "pk.enabled");
	c->pk.cert = get_str(e, root, "pk.cert", NONEMPTY);
	c->pk.key = get_str(e, root, "pk.key", NONEMPTY);
	c->pk.client_ca = get_str(e, root, "pk.client_ca", OPT | NONEMPTY);
	c->pk.san_impus = get_bool(e, root, "pk.san_impus");
	if (!c->pk.client_ca)
		c->pk.client_ca = c->https.client_ca;
	if (c->pk.enabled && !c->pk.client_ca)
		err_add(e, "pk.client_ca", "needed to verify users' certificates (or set "
			"listeners.https.client_ca)");
	check_file(e, "pk.client_ca", c->pk.enabled ? c->pk.client_ca : NULL);
	client_certs(e, root, c);
	c->users = get_str(e, root, "users", OPT | NONEMPTY);
	check_file(e, "users", c->users);
}

int tkmsd_config_load(const char *file, struct tkmsd_config *c, char *err, size_t errlen)
{
	struct errs e = { err, errlen, 0, file ? file : "(defaults)", 0 };
	json_t *def, *user = NULL;
	json_error_t je;
	const char *lvl, *url;
	int level;

	memset(c, 0, sizeof *c);
	err[0] = 0;
	def = json_loads(tkmsd_default_config, JSON_REJECT_DUPLICATES, &je);
	if (!def) {
		snprintf(err, errlen, "embedded defaults: %s", je.text); /* a build bug */
		return -1;
	}
	c->root = def;
	c->file = e.file;
	if (file) {
		user = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
		if (!user) {
			if (je.line > 0)
				snprintf(err, errlen, "%s:%d:%d: invalid JSON: %s", file, je.line,
					 je.column, je.text);
			else
				snprintf(err, errlen, "%s: %s", file, je.text);
			goto fail;
		}
		if (!json_is_object(user)) {
			snprintf(err, errlen, "%s: the configuration must be a JSON object", file);
			goto fail;
		}
		check_shape(&e, user, def, "");
		if (e.n)
			goto fail;
		/* Arrays and free objects replace the default; fixed objects merge. */
		if (json_object_update_recursive(def, user) != 0) {
			snprintf(err, errlen, "%s: out of memory", file);
			goto fail;
		}
		json_decref(user);
		user = NULL;
	}

	c->fqdn = get_str(&e, def, "fqdn", NONEMPTY);
	if (c->fqdn && !dns_name(c->fqdn))
		err_add(&e, "fqdn", "\"%s\" is not a DNS name (letters, digits, '-', dots)",
			c->fqdn);
	listener(&e, def, "psk", &c->psk);
	listener(&e, def, "https", &c->https);
	listener(&e, def, "http", &c->http);
	if (!c->psk.enabled && !c->https.enabled && !c->http.enabled && !e.n)
		err_add(&e, "listeners", "no listener is enabled");
	if (c->psk.listen && c->https.listen && c->psk.enabled && c->https.enabled &&
	    strcmp(c->psk.listen, c->https.listen) == 0)
		err_add(&e, "listeners.https.listen", "same address as listeners.psk.listen");
	if (c->http.listen && c->http.enabled &&
	    ((c->psk.enabled && c->psk.listen && strcmp(c->http.listen, c->psk.listen) == 0) ||
	     (c->https.enabled && c->https.listen && strcmp(c->http.listen, c->https.listen) == 0)))
		err_add(&e, "listeners.http.listen", "same address as another listener");

	url = c->bsf.url = get_str(&e, def, "bsf.url", NONEMPTY);
	if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		err_add(&e, "bsf.url", "\"%s\" must start with http:// or https://", url);
	c->bsf.token = get_str(&e, def, "bsf.token", OPT | NONEMPTY);
	c->bsf.cert = get_str(&e, def, "bsf.cert", OPT | NONEMPTY);
	c->bsf.key = get_str(&e, def, "bsf.key", OPT | NONEMPTY);
	c->bsf.ca = get_str(&e, def, "bsf.ca", OPT | NONEMPTY);
	if (!c->bsf.cert != !c->bsf.key)
		err_add(&e, c->bsf.cert ? "bsf.key" : "bsf.cert", "cert and key go together");
	check_file(&e, "bsf.cert", c->bsf.cert);
	check_file(&e, "bsf.key", c->bsf.key);
	check_file(&e, "bsf.ca", c->bsf.ca);
	c->bsf.connect_timeout_ms = (long)get_uint(&e, def, "bsf.connect_timeout_ms", 1, 600000);
	c->bsf.timeout_ms = (long)get_uint(&e, def, "bsf.timeout_ms", 1, 600000);
	c->bsf.gsid = get_str(&e, def, "bsf.gsid", NONEMPTY);

	policy(&e, def, c);
	groups(&e, def, c);
	network_functions(&e, def, c);
	pk_and_users(&e, def, c);
	c->keyring = get_str(&e, def, "keyring", NONEMPTY);
	c->replay_cache_size = (unsigned)get_uint(&e, def, "replay_cache_size", 16, 100000000);
	c->limits.connections = (unsigned)get_uint(&e, def, "limits.connections", 1, 100000);
	c->limits.threads = (unsigned)get_uint(&e, def, "limits.threads", 1, 256);
	c->limits.connection_timeout = (unsigned)get_uint(&e, def, "limits.connection_timeout",
							  1, 3600);
	c->limits.max_body = get_uint(&e, def, "limits.max_body", 1024, 16UL << 20);
	lvl = get_str(&e, def, "log.level", NONEMPTY);
	level = lvl ? tkmsd_log_level_parse(lvl) : LOG_INFO;
	if (level < 0) {
		err_add(&e, "log.level", "\"%s\" is not one of error, warning, notice, info, debug",
			lvl);
		level = LOG_INFO;
	}
	c->log.level = level;
	c->log.syslog = get_bool(&e, def, "log.syslog");
	c->audit = get_str(&e, def, "audit.path", NONEMPTY);
	c->pid_file = get_str(&e, def, "pid_file", OPT | NONEMPTY);
	if (e.n)
		goto fail;
	return 0;
fail:
	json_decref(user);
	tkmsd_config_free(c);
	return -1;
}

void tkmsd_config_free(struct tkmsd_config *c)
{
	size_t i;

	for (i = 0; c->groups && i < c->n_groups; i++)
		free(c->groups[i].members);
	free(c->groups);
	free(c->nfs);
	for (i = 0; c->client_certs && i < c->n_client_certs; i++)
		free(c->client_certs[i].impus);
	free(c->client_certs);
	json_decref(c->root);
	memset(c, 0, sizeof *c);
}

char *tkmsd_config_dump(const struct tkmsd_config *c)
{
	json_t *copy = json_deep_copy(c->root);
	json_t *bsf = json_object_get(copy, "bsf");
	char *s;

	if (json_is_string(json_object_get(bsf, "token")))
		json_object_set_new(bsf, "token", json_string("(set, not shown)"));
	s = json_dumps(copy, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(copy);
	return s;
}
