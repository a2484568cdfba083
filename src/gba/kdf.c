/*
 * kdf.c: TS 33.220 Annex B KDF (HMAC-SHA-256, nettle), NAF keys, TMPI,
 * NAF_Id and B-TID (gba.md 3.1, 4.1, 4.2, 5.1; profile P-1, P-16).
 */
#include "gba/kdf.h"

#include <ctype.h>
#include <string.h>
#include <nettle/hmac.h>

#include "util/hexb64.h"
#include "util/secret.h"

int tk_gba_kdf(const uint8_t *key, size_t key_len, uint8_t fc,
	       const struct tk_gba_param *params, size_t nparams,
	       uint8_t out[TK_GBA_KEY_LEN])
{
	struct hmac_sha256_ctx ctx;

	for (size_t i = 0; i < nparams; i++)
		if (params[i].len > 0xffff || (params[i].len && !params[i].p))
			return TK_GBA_EINVAL;

	hmac_sha256_set_key(&ctx, key_len, key);
	hmac_sha256_update(&ctx, 1, &fc);
	for (size_t i = 0; i < nparams; i++) {
		uint8_t l[2] = { (uint8_t)(params[i].len >> 8), (uint8_t)params[i].len };

		if (params[i].len)
			hmac_sha256_update(&ctx, params[i].len, params[i].p);
		hmac_sha256_update(&ctx, 2, l);
	}
	hmac_sha256_digest(&ctx, TK_GBA_KEY_LEN, out);
	tk_wipe(&ctx, sizeof ctx);
	return TK_GBA_OK;
}

tk_ua_id tk_ua_id_tls(uint16_t cipher_suite)
{
	return TK_UA_ID_(0x01, 0x00, 0x01, (uint8_t)(cipher_suite >> 8), (uint8_t)cipher_suite);
}

int tk_ua_id_parse(const char *s, size_t len, tk_ua_id *out)
{
	tk_ua_id id;

	if (!s || !out || len != 2 * TK_GBA_UAID_LEN)
		return TK_GBA_EINVAL;
	/* tk_hex_decode_ws would skip whitespace: refuse it first */
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return TK_GBA_EINVAL;
	if (tk_hex_decode_ws(s, len, id.b, sizeof id.b) != TK_GBA_UAID_LEN)
		return TK_GBA_EINVAL;
	*out = id;
	return TK_GBA_OK;
}

void tk_ua_id_format(tk_ua_id id, char out[2 * TK_GBA_UAID_LEN + 1])
{
	tk_hex_encode(id.b, TK_GBA_UAID_LEN, out);
}

bool tk_ua_id_equal(tk_ua_id a, tk_ua_id b)
{
	return memcmp(a.b, b.b, TK_GBA_UAID_LEN) == 0;
}

/* Length of a FQDN argument, or 0 when it is missing, empty or too long. */
static size_t fqdn_len(const char *fqdn)
{
	size_t n;

	if (!fqdn)
		return 0;
	n = strnlen(fqdn, TK_GBA_FQDN_MAX + 1);
	return n > TK_GBA_FQDN_MAX ? 0 : n;
}

int tk_gba_naf_id(const char *fqdn, tk_ua_id ua, uint8_t *out, size_t cap,
		  size_t *out_len)
{
	size_t n = fqdn_len(fqdn);

	if (!n || !out || !out_len)
		return TK_GBA_EINVAL;
	if (cap < n + TK_GBA_UAID_LEN)
		return TK_GBA_ENOSPACE;
	memcpy(out, fqdn, n);
	memcpy(out + n, ua.b, TK_GBA_UAID_LEN);
	*out_len = n + TK_GBA_UAID_LEN;
	return TK_GBA_OK;
}

void tk_gba_ks(const uint8_t ck[16], const uint8_t ik[16], uint8_t ks[TK_GBA_KEY_LEN])
{
	memmove(ks, ck, 16);
	memmove(ks + 16, ik, 16);
}

static int naf_key(const char *label, const uint8_t ks[TK_GBA_KEY_LEN],
		   const uint8_t rand[TK_GBA_RAND_LEN], const char *impi,
		   const uint8_t *naf_id, size_t naf_id_len, uint8_t out[TK_GBA_KEY_LEN])
{
	struct tk_gba_param p[4];

	if (!ks || !rand || !impi || !naf_id || !naf_id_len || !out)
		return TK_GBA_EINVAL;
	p[0] = (struct tk_gba_param){ label, strlen(label) };
	p[1] = (struct tk_gba_param){ rand, TK_GBA_RAND_LEN };
	p[2] = (struct tk_gba_param){ impi, strnlen(impi, 0x10000) };
	p[3] = (struct tk_gba_param){ naf_id, naf_id_len };
	return tk_gba_kdf(ks, TK_GBA_KEY_LEN, TK_GBA_FC_NAF, p, 4, out);
}

int tk_gba_ks_naf(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		  const char *impi, const uint8_t *naf_id, size_t naf_id_len,
		  uint8_t out[TK_GBA_KEY_LEN])
{
	return naf_key("gba-me", ks, rand, impi, naf_id, naf_id_len, out);
}

int tk_gba_ks_int_naf(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		      const char *impi, const uint8_t *naf_id, size_t naf_id_len,
		      uint8_t out[TK_GBA_KEY_LEN])
{
	return naf_key("gba-u", ks, rand, impi, naf_id, naf_id_len, out);
}

int tk_gba_ks_naf_for(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		      const char *impi, const char *naf_fqdn, tk_ua_id ua,
		      uint8_t out[TK_GBA_KEY_LEN])
{
	uint8_t naf_id[TK_GBA_NAF_ID_MAX];
	size_t n;
	int rc = tk_gba_naf_id(naf_fqdn, ua, naf_id, sizeof naf_id, &n);

	return rc ? rc : tk_gba_ks_naf(ks, rand, impi, naf_id, n, out);
}

int tk_gba_btid(const uint8_t rand[TK_GBA_RAND_LEN], const char *bsf_fqdn,
		char *out, size_t cap)
{
	size_t n = fqdn_len(bsf_fqdn);

	if (!rand || !n || !out)
		return TK_GBA_EINVAL;
	if (cap < tk_b64_encoded_len(TK_GBA_RAND_LEN) + 1 + n + 1)
		return TK_GBA_ENOSPACE;
	size_t b = tk_b64_encode(rand, TK_GBA_RAND_LEN, out);
	out[b] = '@';
	memcpy(out + b + 1, bsf_fqdn, n);
	out[b + 1 + n] = '\0';
	return TK_GBA_OK;
}

bool tk_gba_btid_valid(const char *s, size_t len)
{
	size_t at = 0, ats = 0;

	if (!s || len == 0 || len >= TK_GBA_BTID_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
		if (c == '@') {
			at = i;
			ats++;
		}
	}
	return ats == 1 && at > 0 && at + 1 < len;
}

int tk_gba_tmpi(const uint8_t ks[TK_GBA_KEY_LEN], const uint8_t rand[TK_GBA_RAND_LEN],
		const char *impi, const char *bsf_fqdn, char *out, size_t cap)
{
	uint8_t bsf_id[TK_GBA_NAF_ID_MAX], t[TK_GBA_KEY_LEN];
	size_t n;
	int rc;

	if (!out)
		return TK_GBA_EINVAL;
	if (cap < TK_GBA_TMPI_MAX)
		return TK_GBA_ENOSPACE;
	rc = tk_gba_naf_id(bsf_fqdn, TK_UA_TMPI, bsf_id, sizeof bsf_id, &n);
	if (!rc)
		rc = tk_gba_ks_naf(ks, rand, impi, bsf_id, n, t);
	if (rc)
		return rc;
	n = tk_b64_encode(t, 24, out);
	tk_wipe(t, sizeof t);
	memcpy(out + n, "@" TK_GBA_TMPI_REALM, sizeof "@" TK_GBA_TMPI_REALM);
	return TK_GBA_OK;
}
