/*
 * pkauth.c: authentication of the PK variants at the KMS (see pkauth.h;
 * RFC 6043 4.2, mikey.md 3.4 CERT / CHASH / PKE / SIGN, 5.6).
 */
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <nettle/sha2.h>

#include "kms/pkauth.h"
#include "util/secret.h"

const char *kms_pk_status_str(enum kms_pk_status st)
{
	switch (st) {
	case KMS_PK_OK: return "ok";
	case KMS_PK_NO_CERT: return "no X.509 certificate in CERT";
	case KMS_PK_UNTRUSTED: return "certificate chain not trusted";
	case KMS_PK_UNMAPPED: return "certificate subject is no configured user";
	case KMS_PK_CHASH: return "CHASH names another KMS certificate";
	case KMS_PK_BAD_HASH: return "CHASH hash function not SHA-256";
	case KMS_PK_BAD_SIGN: return "signature wrong";
	case KMS_PK_BAD_PKE: return "PKE does not decrypt";
	case KMS_PK_INTERNAL: break;
	}
	return "internal error";
}

/* The chain of CERT payloads (own certificate first) verifies against the
 * CAs, every certificate valid at `now` (checked here, so that the KMS
 * clock, not the host's, decides). */
static enum kms_pk_status chain_ok(const struct kms_pk_config *pk, gnutls_x509_crt_t *crts,
				   unsigned n, int64_t now)
{
	unsigned status = 0, i;

	if (gnutls_x509_trust_list_verify_crt2(pk->cas, crts, n, NULL, 0,
					       GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
					       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
					       &status, NULL) < 0 || status != 0)
		return KMS_PK_UNTRUSTED;
	for (i = 0; i < n; i++) {
		time_t a = gnutls_x509_crt_get_activation_time(crts[i]);
		time_t b = gnutls_x509_crt_get_expiration_time(crts[i]);

		if (a == (time_t)-1 || b == (time_t)-1 || now < (int64_t)a || now > (int64_t)b)
			return KMS_PK_UNTRUSTED;
	}
	return KMS_PK_OK;
}

static const struct kms_cert_user *find_user(const struct kms_pk_config *pk, const char *dn)
{
	size_t i;

	for (i = 0; i < pk->n_users; i++)
		if (pk->users[i].subject && strcmp(pk->users[i].subject, dn) == 0)
			return &pk->users[i];
	return NULL;
}

/* The URIs of the certificate's subjectAltName as a user (san_impus). */
static const struct kms_cert_user *san_user(gnutls_x509_crt_t crt, struct kms_pk_sender *s)
{
	unsigned i, n = 0;

	for (i = 0; n < KMS_PK_SAN_MAX && i < 64; i++) {
		size_t sz = KMS_PK_SAN_LEN - 1;
		int t = gnutls_x509_crt_get_subject_alt_name(crt, i, s->san[n], &sz, NULL);

		if (t == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (t != GNUTLS_SAN_URI || sz == 0 || memchr(s->san[n], 0, sz))
			continue;
		s->san[n][sz] = 0;
		s->san_ptr[n] = s->san[n];
		n++;
	}
	if (!n)
		return NULL;
	s->san_user.subject = s->subject;
	s->san_user.impus = s->san_ptr;
	s->san_user.n_impus = n;
	s->san_user.name = NULL;
	return &s->san_user;
}

static enum kms_pk_status chash_ok(const struct kms_pk_config *pk, const struct mk_chash *c)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx h;

	if (!c->pl.present)
		return KMS_PK_OK;
	if (c->func != MK_HASH_SHA256 || c->hash.n != sizeof(d))
		return KMS_PK_BAD_HASH;
	sha256_init(&h);
	sha256_update(&h, pk->cert_len, pk->cert_der);
	sha256_digest(&h, sizeof(d), d);
	return tk_ct_equal(d, c->hash.p, sizeof(d)) ? KMS_PK_OK : KMS_PK_CHASH;
}

enum kms_pk_status kms_pk_authenticate(const struct kms_pk_config *pk, const struct mk_msg *m,
				       const char *kms_id, int64_t now, struct kms_pk_sender *s)
{
	gnutls_x509_crt_t crts[MK_MAX_CERT];
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t der, dn = { NULL, 0 };
	struct mk_ids ids;
	enum kms_pk_status st;
	unsigned n = 0, i;

	memset(s, 0, sizeof(*s));
	if (!pk || !pk->key || !pk->cas)
		return KMS_PK_INTERNAL;
	if (!m->ncert)
		return KMS_PK_NO_CERT;
	for (i = 0; i < m->ncert; i++) {
		if (m->cert[i].type != MK_CERT_X509 && m->cert[i].type != MK_CERT_X509_SIGN) {
			st = KMS_PK_NO_CERT;
			goto out;
		}
		der.data = (unsigned char *)m->cert[i].data.p;
		der.size = (unsigned)m->cert[i].data.n;
		if (gnutls_x509_crt_init(&crts[n]) < 0) {
			st = KMS_PK_INTERNAL;
			goto out;
		}
		n++;
		if (gnutls_x509_crt_import(crts[n - 1], &der, GNUTLS_X509_FMT_DER) < 0) {
			st = KMS_PK_NO_CERT;
			goto out;
		}
	}
	if ((st = chain_ok(pk, crts, n, now)) != KMS_PK_OK)
		goto out;
	if (gnutls_x509_crt_get_dn3(crts[0], &dn, 0) < 0 || dn.size >= sizeof(s->subject)) {
		st = KMS_PK_UNTRUSTED;
		goto out;
	}
	memcpy(s->subject, dn.data, dn.size);
	s->subject[dn.size] = 0;
	s->user = find_user(pk, s->subject);
	if (!s->user && pk->san_impus)
		s->user = san_user(crts[0], s);
	if (!s->user || !s->user->n_impus) {
		s->user = NULL;
		st = KMS_PK_UNMAPPED;
		goto out;
	}
	if ((st = chash_ok(pk, &m->chash)) != KMS_PK_OK)
		goto out;
	/* 5.6 suffix: own identity (IDR payload, else the user's first IMPU,
	 * P-4) || KMS identity. */
	memset(&ids, 0, sizeof(ids));
	ids.i = ids.r = (struct mk_bytes){ (const uint8_t *)s->user->impus[0],
					   strlen(s->user->impus[0]) };
	ids.kms = (struct mk_bytes){ (const uint8_t *)kms_id, strlen(kms_id) };
	if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, crts[0], 0) < 0) {
		st = KMS_PK_INTERNAL;
		goto out;
	}
	if (mk_msg_verify_sign(m, pub, &ids) != MK_OK) {
		st = KMS_PK_BAD_SIGN;
		goto out;
	}
	st = mk_pke_open(pk->key, &m->pke, s->env_key) == MK_OK ? KMS_PK_OK : KMS_PK_BAD_PKE;
out:
	if (pub)
		gnutls_pubkey_deinit(pub);
	gnutls_free(dn.data);
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (st != KMS_PK_OK)
		tk_wipe(s->env_key, sizeof(s->env_key));
	return st;
}
