/*
 * call_creds.c: PK variants and password users on the UE (see
 * call_creds.h; RFC 6043 4.2, mikey.md 3.4, 4, 5.6).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <nettle/sha2.h>

#include "mikey/mprotect.h"
#include "ue/call_creds.h"
#include "util/secret.h"

static int fail(struct ue_err *e, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ue_err *e, int rc, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		e->mikey_error = -1;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool is_kms_initial(uint8_t dt)
{
	return dt == MK_DT_REQUEST_INIT_PSK || dt == MK_DT_RESOLVE_INIT_PSK;
}

int ue_pk_cred_begin(struct ue_cred *cred, struct ue_err *e)
{
	memset(cred, 0, sizeof *cred);
	snprintf(cred->btid, sizeof cred->btid, "pk");
	if (gnutls_rnd(GNUTLS_RND_KEY, cred->psk, sizeof cred->psk) != 0)
		return fail(e, UE_E_CRYPTO, "random generator failed");
	return UE_OK;
}

/* Parse the message just built, let edit() change it, build it again into
 * out (through a scratch buffer: the description points into out). */
static int rebuild(struct ue_call *c, uint8_t *out, size_t cap, size_t *len,
		   int (*edit)(struct mk_msg *m, const void *ctx, uint8_t *scratch, size_t scap),
		   int (*protect)(uint8_t *buf, struct mk_msg *m, const void *ctx),
		   const void *ctx, struct ue_err *e)
{
	struct mk_msg *m = calloc(1, sizeof *m);
	uint8_t *tmp = malloc(UE_MAX_MSG), *scratch = malloc(1024);
	size_t n = 0;
	int rc;

	if (!m || !tmp || !scratch) {
		rc = fail(e, UE_E_CRYPTO, "out of memory");
		goto out;
	}
	if (mk_parse(out, *len, m) != MK_OK || !is_kms_initial(m->hdr.data_type)) {
		rc = fail(e, UE_E_STATE, "not a REQUEST_INIT_PSK / RESOLVE_INIT_PSK to convert");
		goto out;
	}
	rc = edit(m, ctx, scratch, 1024);
	if (rc != UE_OK) {
		rc = fail(e, rc, "cannot prepare the message for this credential");
		goto out;
	}
	rc = mk_build(m, tmp, UE_MAX_MSG, &n);
	if (rc != MK_OK || n > cap || n > sizeof c->kreq) {
		rc = fail(e, UE_E_ARG, "cannot build the message: %s", mk_strerror(rc));
		goto out;
	}
	rc = protect(tmp, m, ctx);
	if (rc != MK_OK) {
		rc = fail(e, UE_E_CRYPTO, "cannot protect the message: %s", mk_strerror(rc));
		goto out;
	}
	memcpy(out, tmp, n);
	memcpy(c->kreq, tmp, n);
	c->kreq_len = n;
	*len = n;
	rc = UE_OK;
out:
	free(scratch);
	free(tmp);
	free(m);
	return rc;
}

/* ---- PK variants ---- */

struct pk_ctx {
	const struct ue_pk_cred *pk;
	const struct ue_cred *cred;
	uint8_t chash[SHA256_DIGEST_SIZE];
};

static int pk_edit(struct mk_msg *m, const void *vctx, uint8_t *scratch, size_t scap)
{
	const struct pk_ctx *x = vctx;
	const struct ue_pk_cred *pk = x->pk;
	size_t n = 0, slen = mk_sign_len(pk->key);
	unsigned i;

	if (!slen || !pk->nchain || pk->nchain > MK_MAX_CERT)
		return UE_E_ARG;
	m->hdr.data_type = m->hdr.data_type == MK_DT_REQUEST_INIT_PSK ? MK_DT_REQUEST_INIT_PK :
			   MK_DT_RESOLVE_INIT_PK;
	m->idr[MK_IDR_PSK].pl.present = false;
	m->v.pl.present = false;
	m->ncert = pk->nchain;
	for (i = 0; i < pk->nchain; i++) {
		m->cert[i].pl.present = true;
		m->cert[i].type = MK_CERT_X509;
		m->cert[i].data = (struct mk_bytes){ pk->chain[i], pk->chain_len[i] };
	}
	if (pk->kms_cert) {
		m->chash.pl.present = true;
		m->chash.func = MK_HASH_SHA256;
		m->chash.hash = (struct mk_bytes){ x->chash, sizeof x->chash };
	}
	if (mk_pke_seal(pk->kms_pub, x->cred->psk, scratch, scap, &n) != MK_OK)
		return UE_E_CRYPTO;
	m->pke.pl.present = true;
	m->pke.cache = MK_PKE_NO_CACHE;
	m->pke.data = (struct mk_bytes){ scratch, n };
	m->sign.pl.present = true;
	m->sign.s_type = pk->s_type;
	m->sign.sig = (struct mk_bytes){ NULL, slen };
	return UE_OK;
}

static int pk_protect(uint8_t *buf, struct mk_msg *m, const void *vctx)
{
	const struct pk_ctx *x = vctx;

	return mk_msg_sign(buf, m, x->pk->key, NULL);
}

int ue_pk_convert(struct ue_call *c, const struct ue_pk_cred *pk, const struct ue_cred *cred,
		  uint8_t *out, size_t cap, size_t *len, struct ue_err *e)
{
	struct pk_ctx x;
	struct sha256_ctx h;

	if (!pk || !pk->key || !pk->kms_pub || !pk->nchain)
		return fail(e, UE_E_ARG, "the PK variant needs an own key and certificate and "
			    "the KMS certificate");
	if (pk->s_type != MK_SIGN_RSA_PKCS1 && pk->s_type != MK_SIGN_RSA_PSS)
		return fail(e, UE_E_ARG, "signature type %u not offered", pk->s_type);
	memset(&x, 0, sizeof x);
	x.pk = pk;
	x.cred = cred;
	if (pk->kms_cert) {
		sha256_init(&h);
		sha256_update(&h, pk->kms_cert_len, pk->kms_cert);
		sha256_digest(&h, sizeof x.chash, x.chash);
	}
	return rebuild(c, out, cap, len, pk_edit, pk_protect, &x, e);
}

/* ---- password users ---- */

static int user_edit(struct mk_msg *m, const void *ctx, uint8_t *scratch, size_t scap)
{
	(void)ctx;
	(void)scratch;
	(void)scap;
	if (!m->idr[MK_IDR_PSK].pl.present)
		return UE_E_STATE;
	m->idr[MK_IDR_PSK].id_type = MK_ID_BYTES;
	m->v.mac.p = NULL; /* computed again */
	return UE_OK;
}

static int user_protect(uint8_t *buf, struct mk_msg *m, const void *ctx)
{
	const struct ue_cred *cred = ctx;
	struct mk_keyset ks;
	int rc;

	rc = mk_msg_keyset(&ks, m, NULL, cred->psk, sizeof cred->psk);
	if (rc == MK_OK)
		rc = mk_msg_protect(buf, m, &ks, NULL, NULL);
	mk_keyset_wipe(&ks);
	return rc;
}

int ue_user_convert(struct ue_call *c, const struct ue_cred *cred, uint8_t *out, size_t cap,
		    size_t *len, struct ue_err *e)
{
	return rebuild(c, out, cap, len, user_edit, user_protect, cred, e);
}
