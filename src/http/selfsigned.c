/*
 * selfsigned.c: ephemeral self-signed certificates for lab HTTPS listeners
 * and for tests (ECDSA P-256, generated with GnuTLS at run time).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "http/http.h"
#include "util/secret.h"

static char *pem_dup(const gnutls_datum_t *d)
{
	char *s = malloc(d->size + 1);

	if (s) {
		memcpy(s, d->data, d->size);
		s[d->size] = 0;
	}
	return s;
}

int tk_http_selfsigned(const char *cn, unsigned days, char **cert_pem, char **key_pem,
		       char fpr[TK_HTTP_FPR_LEN], char *err, size_t errlen)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t cd = { NULL, 0 }, kd = { NULL, 0 };
	unsigned char serial[16], dig[32];
	size_t dl = sizeof dig, i;
	unsigned char lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
	time_t now = time(NULL);
	int rc;

	*cert_pem = *key_pem = NULL;
	if ((rc = gnutls_x509_privkey_init(&key)) < 0 ||
	    (rc = gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL, 0)) < 0 ||
	    (rc = gnutls_x509_crt_init(&crt)) < 0 ||
	    (rc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
		goto fail;
	serial[0] &= 0x7f; /* positive */
	if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
						cn, (unsigned)strlen(cn))) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(crt, now - 300)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400)) < 0 ||
	    (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (rc = gnutls_x509_crt_set_basic_constraints(crt, 1, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
						GNUTLS_KEY_KEY_CERT_SIGN)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, cn,
						       (unsigned)strlen(cn), GNUTLS_FSAN_APPEND)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, "localhost", 9,
						       GNUTLS_FSAN_APPEND)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, lo4, 4,
						       GNUTLS_FSAN_APPEND)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, lo6, 16,
						       GNUTLS_FSAN_APPEND)) < 0 ||
	    (rc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
	    (rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd)) < 0 ||
	    (rc = gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &kd)) < 0 ||
	    (rc = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, dig, &dl)) < 0)
		goto fail;
	*cert_pem = pem_dup(&cd);
	*key_pem = pem_dup(&kd);
	if (!*cert_pem || !*key_pem) {
		rc = GNUTLS_E_MEMORY_ERROR;
		goto fail;
	}
	for (i = 0; i < dl && i < 32; i++)
		snprintf(fpr + 3 * i, TK_HTTP_FPR_LEN - 3 * i, "%02X%s", dig[i],
			 i + 1 < dl ? ":" : "");
	gnutls_free(cd.data);
	tk_wipe(kd.data, kd.size);
	gnutls_free(kd.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return 0;
fail:
	snprintf(err, errlen, "cannot create a self-signed certificate: %s", gnutls_strerror(rc));
	free(*cert_pem);
	if (*key_pem)
		tk_wipe(*key_pem, strlen(*key_pem));
	free(*key_pem);
	*cert_pem = *key_pem = NULL;
	gnutls_free(cd.data);
	if (kd.data)
		tk_wipe(kd.data, kd.size);
	gnutls_free(kd.data);
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (key)
		gnutls_x509_privkey_deinit(key);
	return -1;
}
