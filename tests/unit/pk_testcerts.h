/*
 * pk_testcerts.h: RSA keys and X.509 certificates made at test time with
 * GnuTLS (a CA, certificates it issues, self-signed ones) for the tests of
 * the PK variants.  Keys are 2048-bit RSA; validity is now-1h .. now+1d.
 */
#ifndef TK_PK_TESTCERTS_H
#define TK_PK_TESTCERTS_H

#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

struct tc_cred {
	gnutls_x509_privkey_t xkey;
	gnutls_privkey_t key;
	gnutls_pubkey_t pub;
	gnutls_x509_crt_t crt;
	uint8_t der[4096];
	size_t der_len;
};

/* dn: "CN=...,O=..." ; issuer NULL = self-signed; ca: may sign others;
 * san_uri: a subjectAltName URI or NULL. */
static inline int tc_make_san(struct tc_cred *c, const char *dn, const struct tc_cred *issuer,
			      bool ca, unsigned serial, const char *san_uri)
{
	unsigned char ser[4] = { 0, 0, (unsigned char)(serial >> 8), (unsigned char)serial };
	time_t now = time(NULL);
	size_t n = sizeof(c->der);

	memset(c, 0, sizeof(*c));
	if (gnutls_x509_privkey_init(&c->xkey) < 0 ||
	    gnutls_x509_privkey_generate(c->xkey, GNUTLS_PK_RSA, 2048, 0) < 0 ||
	    gnutls_privkey_init(&c->key) < 0 ||
	    gnutls_privkey_import_x509(c->key, c->xkey, 0) < 0 ||
	    gnutls_pubkey_init(&c->pub) < 0 ||
	    gnutls_pubkey_import_privkey(c->pub, c->key, 0, 0) < 0 ||
	    gnutls_x509_crt_init(&c->crt) < 0 ||
	    gnutls_x509_crt_set_version(c->crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(c->crt, ser, sizeof(ser)) < 0 ||
	    gnutls_x509_crt_set_dn(c->crt, dn, NULL) < 0 ||
	    gnutls_x509_crt_set_activation_time(c->crt, now - 3600) < 0 ||
	    gnutls_x509_crt_set_expiration_time(c->crt, now + 86400) < 0 ||
	    gnutls_x509_crt_set_key(c->crt, c->xkey) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(c->crt, ca, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(c->crt, ca ? GNUTLS_KEY_KEY_CERT_SIGN :
					  GNUTLS_KEY_DIGITAL_SIGNATURE |
					  GNUTLS_KEY_KEY_ENCIPHERMENT) < 0)
		return -1;
	if (san_uri && gnutls_x509_crt_set_subject_alt_name(c->crt, GNUTLS_SAN_URI, san_uri,
							     (unsigned)strlen(san_uri),
							     GNUTLS_FSAN_APPEND) < 0)
		return -1;
	if (gnutls_x509_crt_privkey_sign(c->crt, issuer ? issuer->crt : c->crt,
					 issuer ? issuer->key : c->key, GNUTLS_DIG_SHA256, 0) < 0 ||
	    gnutls_x509_crt_export(c->crt, GNUTLS_X509_FMT_DER, c->der, &n) < 0)
		return -1;
	c->der_len = n;
	return 0;
}

static inline int tc_make(struct tc_cred *c, const char *dn, const struct tc_cred *issuer,
			  bool ca, unsigned serial)
{
	return tc_make_san(c, dn, issuer, ca, serial, NULL);
}

static inline void tc_free(struct tc_cred *c)
{
	if (c->crt)
		gnutls_x509_crt_deinit(c->crt);
	if (c->pub)
		gnutls_pubkey_deinit(c->pub);
	if (c->key)
		gnutls_privkey_deinit(c->key);
	if (c->xkey)
		gnutls_x509_privkey_deinit(c->xkey);
	memset(c, 0, sizeof(*c));
}

/* A trust list holding one CA certificate (a copy). */
static inline gnutls_x509_trust_list_t tc_trust(const struct tc_cred *ca)
{
	gnutls_x509_trust_list_t tl;
	gnutls_x509_crt_t copy;
	gnutls_datum_t d = { (unsigned char *)ca->der, (unsigned)ca->der_len };

	if (gnutls_x509_trust_list_init(&tl, 0) < 0)
		return NULL;
	if (gnutls_x509_crt_init(&copy) < 0 ||
	    gnutls_x509_crt_import(copy, &d, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_trust_list_add_cas(tl, &copy, 1, 0) != 1) {
		gnutls_x509_trust_list_deinit(tl, 1);
		return NULL;
	}
	return tl;
}

#endif
