/*
 * creds.c: the KMS's PK credentials, certificate users and password users
 * (see creds.h).  Everything a generation's engine points to is owned
 * here or by the configuration's JSON document, which the generation keeps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>
#include <jansson.h>
#include <nettle/md5.h>

#include "gba/digest.h"
#include "gba/userpsk.h"
#include "kms/pkauth.h"
#include "naf/ua_digest.h"
#include "tkmsd/creds.h"
#include "tkmsd/log.h"
#include "util/fileio.h"
#include "util/hexb64.h"
#include "util/json.h"
#include "util/secret.h"

#define PEM_MAX (256 * 1024)
#define USERS_MAX (4u << 20)

struct user {
	const char *username;      /* points into users_root */
	uint8_t ha1[TK_HA1_LEN];
	const char **impus;
	size_t n_impus;
};

struct tkmsd_creds {
	char fqdn[256];
	bool pk_on;
	struct kms_pk_config pk;
	gnutls_privkey_t key;
	uint8_t *cert_der;
	gnutls_x509_trust_list_t cas;
	struct kms_cert_user *cusers;
	size_t n_cusers;
	json_t *users_root;
	struct user *users;
	size_t n_users;
};

/* ---- the KMS's PK key and certificate ---------------------------------------- */

/* Lab credentials on the first start: RSA 2048, self-signed, CN = fqdn. */
static int pk_create(const struct tkmsd_config *cfg, char *err, size_t errlen)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t cd = { NULL, 0 }, kd = { NULL, 0 };
	unsigned char serial[16];
	time_t now = time(NULL);
	int rc = -1;

	if (gnutls_x509_privkey_init(&key) < 0 ||
	    gnutls_x509_privkey_generate(key, GNUTLS_PK_RSA, 2048, 0) < 0 ||
	    gnutls_x509_crt_init(&crt) < 0 || gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial) < 0)
		goto gnutls_fail;
	serial[0] &= 0x7f;
	if (gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, serial, sizeof serial) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cfg->fqdn,
					  (unsigned)strlen(cfg->fqdn)) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now - 300) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, now + 3650L * 86400) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_KEY_ENCIPHERMENT) < 0 ||
	    gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd) < 0 ||
	    gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kd) < 0)
		goto gnutls_fail;
	if (tk_file_write_atomic(cfg->pk.key, kd.data, kd.size, 0600, err, errlen) == 0 &&
	    tk_file_write_atomic(cfg->pk.cert, cd.data, cd.size, 0644, err, errlen) == 0)
		rc = 0;
	goto out;
gnutls_fail:
	snprintf(err, errlen, "cannot make the PK key and certificate");
out:
	if (kd.data) {
		tk_wipe(kd.data, kd.size);
		gnutls_free(kd.data);
	}
	gnutls_free(cd.data);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return rc;
}

static int pk_load(struct tkmsd_creds *c, const struct tkmsd_config *cfg, char *err,
		   size_t errlen)
{
	char *pem = NULL, ferr[256];
	size_t n = 0, dl = 0;
	gnutls_datum_t d;
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pub = NULL;
	uint8_t id1[64], id2[64];
	size_t l1 = sizeof id1, l2 = sizeof id2;
	int rc = -1;

	if (access(cfg->pk.cert, F_OK) != 0 && access(cfg->pk.key, F_OK) != 0) {
		if (pk_create(cfg, err, errlen) != 0)
			return -1;
		tkmsd_log(LOG_NOTICE, "pk: %s and %s did not exist: made an RSA key and a "
			  "self-signed certificate (lab use; give UEs the certificate)",
			  cfg->pk.cert, cfg->pk.key);
	}
	/* certificate -> DER (CHASH) */
	if (tk_file_read(cfg->pk.cert, PEM_MAX, 0, &pem, &n, ferr, sizeof ferr) != 0) {
		snprintf(err, errlen, "pk.cert: %s", ferr);
		return -1;
	}
	d.data = (unsigned char *)pem;
	d.size = (unsigned)n;
	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM) < 0) {
		snprintf(err, errlen, "pk.cert: %s is not a PEM certificate", cfg->pk.cert);
		goto out;
	}
	free(pem);
	pem = NULL;
	c->cert_der = malloc(16384);
	dl = 16384;
	if (!c->cert_der || gnutls_x509_crt_export(crt, GNUTLS_X509_FMT_DER, c->cert_der, &dl) < 0) {
		snprintf(err, errlen, "pk.cert: cannot export %s", cfg->pk.cert);
		goto out;
	}
	/* private key, kept like an ssh key */
	if (tk_file_read(cfg->pk.key, PEM_MAX, TK_FILE_PRIVATE, &pem, &n, ferr, sizeof ferr) != 0) {
		snprintf(err, errlen, "pk.key: %s", ferr);
		goto out;
	}
	d.data = (unsigned char *)pem;
	d.size = (unsigned)n;
	if (gnutls_privkey_init(&c->key) < 0 ||
	    gnutls_privkey_import_x509_raw(c->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0) < 0 ||
	    gnutls_privkey_get_pk_algorithm(c->key, NULL) != GNUTLS_PK_RSA) {
		snprintf(err, errlen, "pk.key: %s is not a PEM RSA private key", cfg->pk.key);
		goto out;
	}
	if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_privkey(pub, c->key, 0, 0) < 0 ||
	    gnutls_pubkey_get_key_id(pub, 0, id1, &l1) < 0 ||
	    gnutls_x509_crt_get_key_id(crt, 0, id2, &l2) < 0 || l1 != l2 || memcmp(id1, id2, l1)) {
		snprintf(err, errlen, "pk.key does not belong to pk.cert");
		goto out;
	}
	/* the CAs of users' certificates */
	if (gnutls_x509_trust_list_init(&c->cas, 0) < 0 ||
	    gnutls_x509_trust_list_add_trust_file(c->cas, cfg->pk.client_ca, NULL,
						  GNUTLS_X509_FMT_PEM, 0, 0) <= 0) {
		snprintf(err, errlen, "pk.client_ca: no CA certificate in %s", cfg->pk.client_ca);
		goto out;
	}
	c->pk.key = c->key;
	c->pk.cert_der = c->cert_der;
	c->pk.cert_len = dl;
	c->pk.cas = c->cas;
	rc = 0;
out:
	if (pem) {
		tk_wipe(pem, n);
		free(pem);
	}
	if (pub)
		gnutls_pubkey_deinit(pub);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	return rc;
}

/* ---- password users ---------------------------------------------------------- */

/* The "ha1" strings of the parsed users file, before it is freed: an HA1
 * is what a user's PSK derives from, and jansson does not wipe what it
 * frees (the key ring does the same for its keys). */
static void wipe_json_ha1(json_t *root)
{
	json_t *a = json_object_get(root, "users"), *o, *v;
	size_t i;

	json_array_foreach(a, i, o) {
		v = json_object_get(o, "ha1");
		if (json_is_string(v))
			tk_wipe((char *)json_string_value(v), json_string_length(v));
	}
}

static int users_load(struct tkmsd_creds *c, const char *path, char *err, size_t errlen)
{
	static const char *const top[] = { "users", NULL };
	static const char *const member[] = { "username", "ha1", "impus", "name", NULL };
	char *text = NULL, ferr[256];
	size_t n = 0, i, j;
	json_error_t je;
	json_t *a, *o, *im, *v;
	const char *bad;

	if (tk_file_read(path, USERS_MAX, TK_FILE_PRIVATE, &text, &n, ferr, sizeof ferr) != 0) {
		snprintf(err, errlen, "users: %s", ferr);
		return -1;
	}
	c->users_root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	tk_wipe(text, n);
	free(text);
	if (!c->users_root) {
		snprintf(err, errlen, "users: %s:%d: %s", path, je.line, je.text);
		return -1;
	}
	a = json_object_get(c->users_root, "users");
	if (!json_is_object(c->users_root) || (bad = tk_json_unknown_key(c->users_root, top)) ||
	    !json_is_array(a)) {
		snprintf(err, errlen, "users: %s: must be {\"users\": [...]}", path);
		return -1;
	}
	c->users = calloc(json_array_size(a) + 1, sizeof *c->users);
	if (!c->users) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(a, i, o) {
		struct user *u = &c->users[c->n_users];
		const char *ha1 = json_string_value(json_object_get(o, "ha1"));

		u->username = json_string_value(json_object_get(o, "username"));
		im = json_object_get(o, "impus");
		if (!json_is_object(o) || (bad = tk_json_unknown_key(o, member)) || !u->username ||
		    !*u->username || strlen(u->username) > 255 ||
		    strlen(u->username) != json_string_length(json_object_get(o, "username")) ||
		    !ha1 || strlen(ha1) != 2 * TK_HA1_LEN ||
		    tk_hex_decode(ha1, u->ha1, sizeof u->ha1) != TK_HA1_LEN ||
		    !json_is_array(im) || json_array_size(im) == 0) {
			snprintf(err, errlen, "users: %s: users[%zu]: needs \"username\", \"ha1\" (32 hex "
				 "digits), \"impus\" (non-empty array); \"name\" optional", path, i);
			return -1;
		}
		u->impus = calloc(json_array_size(im) + 1, sizeof *u->impus);
		if (!u->impus) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		json_array_foreach(im, j, v) {
			if (!json_is_string(v) || !tkmsd_uri_like(json_string_value(v))) {
				snprintf(err, errlen, "users: %s: users[%zu].impus[%zu]: not a URI", path, i, j);
				return -1;
			}
			u->impus[u->n_impus++] = json_string_value(v);
		}
		for (j = 0; j < c->n_users; j++)
			if (strcmp(c->users[j].username, u->username) == 0) {
				snprintf(err, errlen, "users: %s: username \"%s\" twice", path, u->username);
				return -1;
			}
		c->n_users++;
	}
	return 0;
}

static const struct user *find_user(const struct tkmsd_creds *c, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->n_users; i++)
		if (strlen(c->users[i].username) == len && memcmp(c->users[i].username, name, len) == 0)
			return &c->users[i];
	return NULL;
}

static enum kms_key_status user_lookup(void *ctx, const char *name, size_t len, tk_ua_id ua,
				       struct kms_subscriber *out)
{
	const struct tkmsd_creds *c = ctx;
	const struct user *u = find_user(c, name, len);

	(void)ua;
	if (!u)
		return KMS_KEY_NOT_FOUND;
	tk_user_psk(u->ha1, c->fqdn, out->ks_naf);
	out->expiry = INT64_MAX;
	out->impi = NULL; /* not a GBA subscriber: never matches a network function's IMPI */
	out->impus = u->impus;
	out->n_impus = u->n_impus;
	out->handle = (void *)u;
	return KMS_KEY_OK;
}

static void user_release(void *ctx, struct kms_subscriber *sub)
{
	(void)ctx;
	(void)sub;
}

/* ---- life cycle -------------------------------------------------------------- */

struct tkmsd_creds *tkmsd_creds_new(const struct tkmsd_config *cfg, char *err, size_t errlen)
{
	struct tkmsd_creds *c = calloc(1, sizeof *c);
	size_t i;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(c->fqdn, sizeof c->fqdn, "%s", cfg->fqdn);
	if (cfg->pk.enabled) {
		if (pk_load(c, cfg, err, errlen) != 0)
			goto fail;
		c->cusers = calloc(cfg->n_client_certs + 1, sizeof *c->cusers);
		if (!c->cusers) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		/* Strings live in the configuration's JSON, which the engine
		 * generation holds; the pointer arrays are our own (a reload
		 * frees the configuration's). */
		for (i = 0; i < cfg->n_client_certs; i++) {
			const struct tkmsd_cert_user *u = &cfg->client_certs[i];
			const char **im = calloc(u->n_impus + 1, sizeof *im);

			if (!im) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			memcpy(im, u->impus, u->n_impus * sizeof *im);
			c->cusers[i].subject = u->subject;
			c->cusers[i].impus = im;
			c->cusers[i].n_impus = u->n_impus;
			c->cusers[i].name = u->name;
			c->n_cusers++;
		}
		c->pk.san_impus = cfg->pk.san_impus;
		c->pk.users = c->cusers;
		c->pk.n_users = cfg->n_client_certs;
		c->pk_on = true;
	}
	if (cfg->users && users_load(c, cfg->users, err, errlen) != 0)
		goto fail;
	return c;
fail:
	tkmsd_creds_free(c);
	return NULL;
}

void tkmsd_creds_free(struct tkmsd_creds *c)
{
	size_t i;

	if (!c)
		return;
	if (c->key)
		gnutls_privkey_deinit(c->key);
	if (c->cas)
		gnutls_x509_trust_list_deinit(c->cas, 1);
	free(c->cert_der);
	for (i = 0; c->cusers && i < c->n_cusers; i++)
		free((void *)c->cusers[i].impus);
	free(c->cusers);
	for (i = 0; c->users && i < c->n_users + 1; i++)
		free(c->users[i].impus);
	/* n_users + 1: a load that failed may have half-decoded the next HA1 */
	if (c->users)
		tk_wipe(c->users, (c->n_users + 1) * sizeof *c->users);
	free(c->users);
	wipe_json_ha1(c->users_root);
	json_decref(c->users_root);
	free(c);
}

const struct kms_pk_config *tkmsd_creds_pk(const struct tkmsd_creds *c)
{
	return c && c->pk_on ? &c->pk : NULL;
}

struct kms_key_source tkmsd_creds_users(struct tkmsd_creds *c)
{
	struct kms_key_source s = { NULL, NULL, NULL };

	if (c && c->n_users) {
		s.lookup = user_lookup;
		s.release = user_release;
		s.ctx = c;
	}
	return s;
}

size_t tkmsd_creds_n_users(const struct tkmsd_creds *c)
{
	return c ? c->n_users : 0;
}

/* ---- HTTP Digest of password users ------------------------------------------------ */

static void md5_hex(struct md5_ctx *h, char out[2 * MD5_DIGEST_SIZE + 1])
{
	uint8_t d[MD5_DIGEST_SIZE];

	md5_digest(h, sizeof d, d);
	tk_hex_encode(d, sizeof d, out);
	out[2 * MD5_DIGEST_SIZE] = 0;
}

static void md5_str(struct md5_ctx *h, const char *s)
{
	md5_update(h, strlen(s), (const uint8_t *)s);
}

enum tkmsd_user_digest tkmsd_creds_digest(const struct tkmsd_creds *c, const struct naf *naf,
					  const char *hdr, const char *method, const char *uri,
					  char *user, size_t user_cap)
{
	struct tk_digest d;
	struct md5_ctx h;
	char realm[300], ha1[33], ha2[33], resp[33], nc[9];
	const struct user *u;
	int r;

	if (!c || !c->n_users || tk_users_realm(c->fqdn, realm, sizeof realm) != 0)
		return TKMSD_UD_NOT_USERS;
	tk_digest_init(&d);
	if (tk_digest_parse(TK_DIGEST_CREDENTIALS, hdr, strlen(hdr), &d) != TK_DIGEST_OK)
		return TKMSD_UD_NOT_USERS; /* the GBA check reports what is wrong */
	if (strcmp(d.realm, realm) != 0)
		return TKMSD_UD_NOT_USERS;
	if ((d.alg != TK_DIGEST_ALG_ABSENT && d.alg != TK_DIGEST_ALG_MD5) ||
	    d.qop != TK_DIGEST_QOP_AUTH || !uri || strcmp(d.uri, uri) != 0)
		return TKMSD_UD_MALFORMED;
	r = naf_digest_nonce_check(naf, d.nonce, strlen(d.nonce));
	if (r == NAF_DIGEST_STALE)
		return TKMSD_UD_STALE;
	if (r != NAF_DIGEST_OK)
		return TKMSD_UD_REFUSED;
	u = find_user(c, d.username, strlen(d.username));
	if (!u || strlen(d.username) >= user_cap)
		return TKMSD_UD_REFUSED;
	/* RFC 2617 3.2.2.1 with the stored HA1, qop auth */
	tk_hex_encode(u->ha1, TK_HA1_LEN, ha1);
	ha1[32] = 0;
	md5_init(&h);
	md5_str(&h, method);
	md5_str(&h, ":");
	md5_str(&h, d.uri);
	md5_hex(&h, ha2);
	snprintf(nc, sizeof nc, "%08x", (unsigned)d.nc);
	md5_init(&h);
	md5_str(&h, ha1);
	md5_str(&h, ":");
	md5_str(&h, d.nonce);
	md5_str(&h, ":");
	md5_str(&h, nc);
	md5_str(&h, ":");
	md5_str(&h, d.cnonce);
	md5_str(&h, ":auth:");
	md5_str(&h, ha2);
	md5_hex(&h, resp);
	tk_wipe(ha1, sizeof ha1);
	if (strlen(d.response) != 32 || !tk_ct_equal(resp, d.response, 32))
		return TKMSD_UD_REFUSED;
	snprintf(user, user_cap, "%s", d.username);
	return TKMSD_UD_OK;
}

/* ---- tkmsd user-hash ------------------------------------------------------------ */

int tkmsd_user_hash_main(const char *fqdn, int argc, char **argv)
{
	char realm[300], pw[1024], hex[33];
	uint8_t ha1[TK_HA1_LEN];
	json_t *o, *im;
	char *s;
	size_t n;
	int i;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: tkmsd [--config FILE] user-hash USERNAME [IMPU...] < password\n"
			"prints a users-file entry with HA1 = MD5(USERNAME:tkms-users@<fqdn>:password)\n");
		return 2;
	}
	if (!fgets(pw, sizeof pw, stdin)) {
		fprintf(stderr, "tkmsd user-hash: no password on standard input\n");
		return 1;
	}
	n = strcspn(pw, "\r\n");
	pw[n] = 0;
	if (!n || tk_users_realm(fqdn, realm, sizeof realm) != 0) {
		fprintf(stderr, "tkmsd user-hash: empty password\n");
		return 1;
	}
	tk_user_ha1(argv[1], realm, pw, ha1);
	tk_wipe(pw, sizeof pw);
	tk_hex_encode(ha1, sizeof ha1, hex);
	hex[32] = 0;
	im = json_array();
	for (i = 2; i < argc; i++)
		json_array_append_new(im, json_string(argv[i]));
	o = json_pack("{s:s, s:s, s:o}", "username", argv[1], "ha1", hex, "impus", im);
	s = o ? json_dumps(o, JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!s)
		return 1;
	printf("%s\n", s);
	free(s);
	return 0;
}
