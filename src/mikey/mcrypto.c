/*
 * mcrypto.c: MIKEY / MIKEY-TICKET cryptography (mikey.md 5.1-5.6; P-8, P-12).
 * HMAC, AES, CTR and key wrap are nettle's; this file only arranges labels,
 * IVs and lengths. Labels are passed to the PRF as span lists, so long
 * identities (row F) need no copy and nothing is allocated.
 */
#include "mikey/mcrypto.h"
#include "util/secret.h"

#include <string.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/hmac.h>
#include <nettle/memxor.h>
#include <nettle/nist-keywrap.h>

#define PRF_INKEY_PIECE 32	/* 256-bit inkey pieces (5.1 step 1) */
#define CM_MAX_IN (1u << 20)	/* 2^23 bits (5.5) */
#define KW_MAX_PADDED 1024	/* stack copy used only when padding is needed */

bool mk_prf_valid(unsigned v)
{
	return v == MK_PRF_MIKEY1 || v == MK_PRF_HMAC_SHA256;
}

bool mk_encr_valid(unsigned v)
{
	return v <= MK_ENCR_AES_CM_256;
}

bool mk_mac_valid(unsigned v)
{
	return v <= MK_MAC_HMAC_SHA256_256;
}

size_t mk_encr_key_len(enum mk_encr e)
{
	switch (e) {
	case MK_ENCR_AES_CM_128:
	case MK_ENCR_AES_KW_128:
		return 16;
	case MK_ENCR_AES_CM_256:
		return 32;
	default:
		return 0;
	}
}

size_t mk_salt_len(enum mk_encr e)
{
	switch (e) {
	case MK_ENCR_AES_CM_128:
	case MK_ENCR_AES_CM_256:	/* P-12: 112 bits for AES-CM-256 too */
		return 14;
	case MK_ENCR_AES_KW_128:
		return 8;
	default:
		return 0;
	}
}

size_t mk_auth_key_len(enum mk_mac m)
{
	switch (m) {
	case MK_MAC_HMAC_SHA1_160:
		return SHA1_DIGEST_SIZE;
	case MK_MAC_HMAC_SHA256_256:
		return SHA256_DIGEST_SIZE;
	default:
		return 0;
	}
}

size_t mk_mac_len(enum mk_mac m)
{
	return mk_auth_key_len(m);
}

bool mk_algs_same_set(enum mk_prf prf, enum mk_encr e, enum mk_mac m)
{
	if (prf == MK_PRF_MIKEY1)
		return (e == MK_ENCR_NULL || e == MK_ENCR_AES_CM_128 ||
			e == MK_ENCR_AES_KW_128) &&
		       (m == MK_MAC_NULL || m == MK_MAC_HMAC_SHA1_160);
	if (prf == MK_PRF_HMAC_SHA256)
		return (e == MK_ENCR_NULL || e == MK_ENCR_AES_CM_256) &&
		       (m == MK_MAC_NULL || m == MK_MAC_HMAC_SHA256_256);
	return false;
}

/* ---- HMAC over either hash, keyed once, reused per message ---- */

struct mac {
	bool sha256;
	union {
		struct hmac_sha1_ctx s1;
		struct hmac_sha256_ctx s256;
	} u;
};

static void mac_init(struct mac *h, bool sha256, const uint8_t *key, size_t n)
{
	h->sha256 = sha256;
	if (sha256)
		hmac_sha256_set_key(&h->u.s256, n, key);
	else
		hmac_sha1_set_key(&h->u.s1, n, key);
}

static void mac_update(struct mac *h, const uint8_t *p, size_t n)
{
	if (h->sha256)
		hmac_sha256_update(&h->u.s256, n, p);
	else
		hmac_sha1_update(&h->u.s1, n, p);
}

static void mac_update_spans(struct mac *h, const struct mk_span *s, size_t ns)
{
	for (size_t i = 0; i < ns; i++)
		if (s[i].n)
			mac_update(h, s[i].p, s[i].n);
}

/* Writes the full digest; nettle leaves the context keyed for the next one. */
static size_t mac_digest(struct mac *h, uint8_t *out)
{
	if (h->sha256) {
		hmac_sha256_digest(&h->u.s256, SHA256_DIGEST_SIZE, out);
		return SHA256_DIGEST_SIZE;
	}
	hmac_sha1_digest(&h->u.s1, SHA1_DIGEST_SIZE, out);
	return SHA1_DIGEST_SIZE;
}

/* ---- PRF (5.1) ---- */

/* out ^= leftmost out_len octets of P(s, label, m). */
static void p_xor(bool sha256, const uint8_t *s, size_t s_len,
		  const struct mk_span *label, size_t nlabel,
		  uint8_t *out, size_t out_len)
{
	struct mac h;
	uint8_t a[SHA256_DIGEST_SIZE], blk[SHA256_DIGEST_SIZE];
	size_t hl, done = 0;

	mac_init(&h, sha256, s, s_len);
	/* A_1 = HMAC(s, label) */
	mac_update_spans(&h, label, nlabel);
	hl = mac_digest(&h, a);
	while (done < out_len) {
		size_t take = out_len - done < hl ? out_len - done : hl;

		/* block_i = HMAC(s, A_i || label) */
		mac_update(&h, a, hl);
		mac_update_spans(&h, label, nlabel);
		mac_digest(&h, blk);
		memxor(out + done, blk, take);
		done += take;
		if (done < out_len) {
			/* A_(i+1) = HMAC(s, A_i) */
			mac_update(&h, a, hl);
			mac_digest(&h, a);
		}
	}
	tk_wipe(&h, sizeof h);
	tk_wipe(a, sizeof a);
	tk_wipe(blk, sizeof blk);
}

static int prf_spans(enum mk_prf prf, const uint8_t *inkey, size_t inkey_len,
		     const struct mk_span *label, size_t nlabel,
		     uint8_t *out, size_t out_len)
{
	if (!mk_prf_valid(prf))
		return MK_ERR_ALG;
	if (!inkey || inkey_len == 0 || (out_len && !out))
		return MK_ERR_LEN;
	if (out_len)
		memset(out, 0, out_len);
	for (size_t off = 0; off < inkey_len; off += PRF_INKEY_PIECE) {
		size_t n = inkey_len - off;

		if (n > PRF_INKEY_PIECE)
			n = PRF_INKEY_PIECE;
		p_xor(prf == MK_PRF_HMAC_SHA256, inkey + off, n, label, nlabel,
		      out, out_len);
	}
	return MK_OK;
}

int mk_prf(enum mk_prf prf, const uint8_t *inkey, size_t inkey_len,
	   const uint8_t *label, size_t label_len, uint8_t *out, size_t out_len)
{
	struct mk_span l = { label, label_len };

	return prf_spans(prf, inkey, inkey_len, &l, 1, out, out_len);
}

/* ---- MAC (5.6) ---- */

int mk_mac_compute(enum mk_mac mac, const uint8_t *key, size_t key_len,
		   const struct mk_span *spans, size_t nspans, uint8_t *out)
{
	struct mac h;

	if (mac == MK_MAC_NULL)
		return MK_OK;
	if (mac != MK_MAC_HMAC_SHA1_160 && mac != MK_MAC_HMAC_SHA256_256)
		return MK_ERR_ALG;
	mac_init(&h, mac == MK_MAC_HMAC_SHA256_256, key, key_len);
	mac_update_spans(&h, spans, nspans);
	mac_digest(&h, out);
	tk_wipe(&h, sizeof h);
	return MK_OK;
}

bool mk_mac_verify(enum mk_mac mac, const uint8_t *key, size_t key_len,
		   const struct mk_span *spans, size_t nspans,
		   const uint8_t *mac_val, size_t mac_len)
{
	uint8_t want[MK_MAX_MAC];
	bool ok;

	if (!mk_mac_valid(mac) || mac_len != mk_mac_len(mac))
		return false;
	if (mac == MK_MAC_NULL)
		return true;
	if (mk_mac_compute(mac, key, key_len, spans, nspans, want) != MK_OK)
		return false;
	ok = tk_ct_equal(want, mac_val, mac_len);
	tk_wipe(want, sizeof want);
	return ok;
}

/* ---- Derivations (5.3) ---- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define LEN8_OK(p, n) ((n) <= 255 && ((n) == 0 || (p)))

int mk_derive_3830_tgk(enum mk_prf prf, const uint8_t *tgk, size_t tgk_len,
		       uint32_t c, uint8_t cs_id, uint32_t csb_id,
		       const uint8_t *rand, size_t rand_len,
		       uint8_t *out, size_t out_len)
{
	uint8_t head[9];
	struct mk_span l[2] = { { head, sizeof head }, { rand, rand_len } };

	if (rand_len && !rand)
		return MK_ERR_LEN;
	put32(head, c);
	head[4] = cs_id;
	put32(head + 5, csb_id);
	return prf_spans(prf, tgk, tgk_len, l, 2, out, out_len);
}

int mk_derive_3830_prot(enum mk_prf prf, const uint8_t *key, size_t key_len,
			uint32_t c, uint32_t csb_id,
			const uint8_t *rand, size_t rand_len,
			uint8_t *out, size_t out_len)
{
	return mk_derive_3830_tgk(prf, key, key_len, c, 0xFF, csb_id,
				  rand, rand_len, out, out_len);
}

/* C | b4 | w | b9 | lenRi | Ri | lenRr | Rr: the common shape of rows C, D, I. */
static int derive_two_rands(enum mk_prf prf, const uint8_t *key, size_t key_len,
			    uint32_t c, uint8_t b4, uint32_t w, uint8_t b9,
			    const uint8_t *ri, size_t ri_len,
			    const uint8_t *rr, size_t rr_len,
			    uint8_t *out, size_t out_len)
{
	uint8_t head[11], lrr = (uint8_t)rr_len;
	struct mk_span l[4] = {
		{ head, sizeof head }, { ri, ri_len }, { &lrr, 1 }, { rr, rr_len },
	};

	if (!LEN8_OK(ri, ri_len) || !LEN8_OK(rr, rr_len))
		return MK_ERR_LEN;
	put32(head, c);
	head[4] = b4;
	put32(head + 5, w);
	head[9] = b9;
	head[10] = (uint8_t)ri_len;
	return prf_spans(prf, key, key_len, l, 4, out, out_len);
}

int mk_derive_6043_prot(enum mk_prf prf, const uint8_t *key, size_t key_len,
			uint32_t c, uint32_t csb_id, enum mk_dir dir,
			const uint8_t *randri, size_t randri_len,
			const uint8_t *randrr, size_t randrr_len,
			uint8_t *out, size_t out_len)
{
	if (dir != MK_DIR_INITIAL && dir != MK_DIR_RESPONSE)
		return MK_ERR_LEN;
	return derive_two_rands(prf, key, key_len, c, 0xFF, csb_id, (uint8_t)dir,
				randri, randri_len, randrr, randrr_len,
				out, out_len);
}

int mk_derive_6043_tek(enum mk_prf prf, const uint8_t *tgk, size_t tgk_len,
		       uint32_t c, uint8_t cs_id,
		       const uint8_t *randri, size_t randri_len,
		       const uint8_t *randrr, size_t randrr_len,
		       uint8_t *out, size_t out_len)
{
	return derive_two_rands(prf, tgk, tgk_len, c, cs_id, 0xFFFFFFFFu, 0x03,
				randri, randri_len, randrr, randrr_len,
				out, out_len);
}

/* C | 0xFF | 0xFFFFFFFF | b9 [| lenRAND | RAND]: rows E, G, H. */
static int derive_ticket_label(enum mk_prf prf, const uint8_t *key, size_t key_len,
			       uint32_t c, uint8_t b9, bool with_rand,
			       const uint8_t *rand, size_t rand_len,
			       uint8_t *out, size_t out_len)
{
	uint8_t head[11];
	struct mk_span l[2] = {
		{ head, with_rand ? 11u : 10u }, { rand, rand_len },
	};

	if (with_rand && !LEN8_OK(rand, rand_len))
		return MK_ERR_LEN;
	put32(head, c);
	head[4] = 0xFF;
	put32(head + 5, 0xFFFFFFFFu);
	head[9] = b9;
	head[10] = (uint8_t)rand_len;
	return prf_spans(prf, key, key_len, l, with_rand ? 2 : 1, out, out_len);
}

int mk_derive_vr_key(enum mk_prf tp_prf, const uint8_t *mpkr, size_t mpkr_len,
		     uint8_t *out, size_t out_len)
{
	return derive_ticket_label(tp_prf, mpkr, mpkr_len, MK_C_AUTH, 0x04,
				   false, NULL, 0, out, out_len);
}

static int derive_forked(enum mk_prf prf, uint32_t c,
			 const uint8_t *key, size_t key_len,
			 const uint8_t *idrr, size_t idrr_len,
			 const uint8_t *kr, size_t kr_len, uint8_t *out)
{
	uint8_t head[12], lkr = (uint8_t)kr_len;
	struct mk_span l[4] = {
		{ head, sizeof head }, { idrr, idrr_len }, { &lkr, 1 }, { kr, kr_len },
	};

	if (idrr_len > 0xFFFF || (idrr_len && !idrr) || !LEN8_OK(kr, kr_len))
		return MK_ERR_LEN;
	put32(head, c);
	head[4] = 0xFF;
	put32(head + 5, 0xFFFFFFFFu);
	head[9] = 0x00;
	head[10] = (uint8_t)(idrr_len >> 8);
	head[11] = (uint8_t)idrr_len;
	return prf_spans(prf, key, key_len, l, 4, out, key_len);
}

int mk_derive_mpkr_forked(enum mk_prf tp_prf, const uint8_t *mpkr, size_t mpkr_len,
			  const uint8_t *idrr, size_t idrr_len,
			  const uint8_t *randrkms, size_t randrkms_len,
			  uint8_t *out)
{
	return derive_forked(tp_prf, MK_C_FORK_MPKR, mpkr, mpkr_len,
			     idrr, idrr_len, randrkms, randrkms_len, out);
}

int mk_derive_tgk_forked(enum mk_prf tp_prf, const uint8_t *tgk, size_t tgk_len,
			 const uint8_t *idrr, size_t idrr_len,
			 const uint8_t *randrkms, size_t randrkms_len,
			 uint8_t *out)
{
	return derive_forked(tp_prf, MK_C_FORK_TGK, tgk, tgk_len,
			     idrr, idrr_len, randrkms, randrkms_len, out);
}

int mk_derive_mpki(enum mk_prf tp_prf, const uint8_t *mpk, size_t mpk_len,
		   const uint8_t *rand, size_t rand_len, uint8_t *out)
{
	return derive_ticket_label(tp_prf, mpk, mpk_len, MK_C_MPKI, 0x06, true,
				   rand, rand_len, out, mpk_len);
}

int mk_derive_mpkr(enum mk_prf tp_prf, const uint8_t *mpk, size_t mpk_len,
		   const uint8_t *rand, size_t rand_len, uint8_t *out)
{
	return derive_ticket_label(tp_prf, mpk, mpk_len, MK_C_MPKR, 0x06, true,
				   rand, rand_len, out, mpk_len);
}

int mk_derive_ticket_key(enum mk_prf tp_prf, const uint8_t *tpk, size_t tpk_len,
			 uint32_t c, const uint8_t *rand, size_t rand_len,
			 uint8_t *out, size_t out_len)
{
	return derive_ticket_label(tp_prf, tpk, tpk_len, c, 0x05, true,
				   rand, rand_len, out, out_len);
}

/* ---- Key sets ---- */

void mk_keyset_wipe(struct mk_keyset *ks)
{
	tk_wipe(ks, sizeof *ks);
}

/* Computes one key of the set through a caller-bound derivation. */
struct kdf {
	int row;	/* 'B', 'C' or 'H' */
	enum mk_prf prf;
	const uint8_t *key;
	size_t key_len;
	uint32_t csb_id;
	enum mk_dir dir;
	const uint8_t *r1, *r2;
	size_t r1_len, r2_len;
};

static int kdf_one(const struct kdf *k, uint32_t c, uint8_t *out, size_t n)
{
	if (n == 0)
		return MK_OK;
	switch (k->row) {
	case 'B':
		return mk_derive_3830_prot(k->prf, k->key, k->key_len, c,
					   k->csb_id, k->r1, k->r1_len, out, n);
	case 'C':
		return mk_derive_6043_prot(k->prf, k->key, k->key_len, c,
					   k->csb_id, k->dir, k->r1, k->r1_len,
					   k->r2, k->r2_len, out, n);
	default:
		return mk_derive_ticket_key(k->prf, k->key, k->key_len, c,
					    k->r1, k->r1_len, out, n);
	}
}

static int keyset_fill(struct mk_keyset *ks, enum mk_encr encr, enum mk_mac mac,
		       const struct kdf *k)
{
	int rc;

	mk_keyset_wipe(ks);
	if (!mk_encr_valid(encr) || !mk_mac_valid(mac) || !mk_prf_valid(k->prf))
		return MK_ERR_ALG;
	ks->encr = encr;
	ks->mac = mac;
	ks->encr_len = mk_encr_key_len(encr);
	ks->auth_len = mk_auth_key_len(mac);
	ks->salt_len = mk_salt_len(encr);
	rc = kdf_one(k, MK_C_ENCR, ks->encr_key, ks->encr_len);
	if (rc == MK_OK)
		rc = kdf_one(k, MK_C_AUTH, ks->auth_key, ks->auth_len);
	if (rc == MK_OK)
		rc = kdf_one(k, MK_C_SALT, ks->salt, ks->salt_len);
	if (rc != MK_OK)
		mk_keyset_wipe(ks);
	return rc;
}

int mk_keyset_3830(struct mk_keyset *ks, enum mk_prf prf, enum mk_encr encr,
		   enum mk_mac mac, const uint8_t *key, size_t key_len,
		   uint32_t csb_id, const uint8_t *rand, size_t rand_len)
{
	struct kdf k = { .row = 'B', .prf = prf, .key = key, .key_len = key_len,
			 .csb_id = csb_id, .r1 = rand, .r1_len = rand_len };

	return keyset_fill(ks, encr, mac, &k);
}

int mk_keyset_6043(struct mk_keyset *ks, enum mk_prf prf, enum mk_encr encr,
		   enum mk_mac mac, const uint8_t *key, size_t key_len,
		   uint32_t csb_id, enum mk_dir dir,
		   const uint8_t *randri, size_t randri_len,
		   const uint8_t *randrr, size_t randrr_len)
{
	struct kdf k = { .row = 'C', .prf = prf, .key = key, .key_len = key_len,
			 .csb_id = csb_id, .dir = dir,
			 .r1 = randri, .r1_len = randri_len,
			 .r2 = randrr, .r2_len = randrr_len };

	return keyset_fill(ks, encr, mac, &k);
}

int mk_keyset_ticket(struct mk_keyset *ks, enum mk_prf tp_prf, enum mk_encr encr,
		     enum mk_mac mac, const uint8_t *tpk, size_t tpk_len,
		     const uint8_t *rand, size_t rand_len)
{
	struct kdf k = { .row = 'H', .prf = tp_prf, .key = tpk, .key_len = tpk_len,
			 .r1 = rand, .r1_len = rand_len };

	return keyset_fill(ks, encr, mac, &k);
}

/* ---- KEMAC encryption (5.5) ---- */

size_t mk_kemac_encrypted_len(enum mk_encr e, size_t in_len)
{
	switch (e) {
	case MK_ENCR_NULL:
	case MK_ENCR_AES_CM_128:
	case MK_ENCR_AES_CM_256:
		return in_len;
	case MK_ENCR_AES_KW_128:
		return ((in_len + 7) & ~(size_t)7) + MK_KW_OVERHEAD;
	default:
		return 0;
	}
}

/* AES counter mode with the IV (S XOR (0x0000 | CSB ID | T)) | 0x0000;
 * nettle's 128-bit big-endian counter increment equals the SRTP "IV + i"
 * for the at most 2^16 blocks allowed here. Its own inverse. */
static int aes_cm(const struct mk_keyset *ks, uint32_t csb_id, uint64_t t64,
		  const uint8_t *in, size_t n, uint8_t *out)
{
	union {
		struct aes128_ctx a128;
		struct aes256_ctx a256;
	} c;
	uint8_t iv[AES_BLOCK_SIZE] = { 0 };
	bool big = ks->encr == MK_ENCR_AES_CM_256;

	if (ks->encr_len != mk_encr_key_len(ks->encr) || ks->salt_len != 14)
		return MK_ERR_LEN;
	if (n > CM_MAX_IN)
		return MK_ERR_LEN;
	put32(iv + 2, csb_id);
	put32(iv + 6, (uint32_t)(t64 >> 32));
	put32(iv + 10, (uint32_t)t64);
	memxor(iv, ks->salt, 14);
	if (big) {
		aes256_set_encrypt_key(&c.a256, ks->encr_key);
		ctr_crypt(&c.a256, (nettle_cipher_func *)aes256_encrypt,
			  AES_BLOCK_SIZE, iv, n, out, in);
	} else {
		aes128_set_encrypt_key(&c.a128, ks->encr_key);
		ctr_crypt(&c.a128, (nettle_cipher_func *)aes128_encrypt,
			  AES_BLOCK_SIZE, iv, n, out, in);
	}
	tk_wipe(&c, sizeof c);
	tk_wipe(iv, sizeof iv);
	return MK_OK;
}

static bool overlap(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return an && bn && a < b + bn && b < a + an;
}

static int kw_wrap(const struct mk_keyset *ks, const uint8_t *in, size_t n,
		   uint8_t *out)
{
	struct aes128_ctx c;
	uint8_t pad[KW_MAX_PADDED];
	size_t padded = (n + 7) & ~(size_t)7;

	if (ks->encr_len != 16 || ks->salt_len != 8)
		return MK_ERR_LEN;
	if (padded < 16 || overlap(in, n, out, padded + MK_KW_OVERHEAD))
		return MK_ERR_LEN;
	/* P-8: zero padding to a multiple of 8; nettle wants the padded input
	 * as one buffer, so only that case goes through a bounded copy. */
	if (padded != n && padded > sizeof pad)
		return MK_ERR_LEN;
	aes128_set_encrypt_key(&c, ks->encr_key);
	if (padded == n) {
		aes128_keywrap(&c, ks->salt, padded + MK_KW_OVERHEAD, out, in);
	} else {
		memcpy(pad, in, n);
		memset(pad + n, 0, padded - n);
		aes128_keywrap(&c, ks->salt, padded + MK_KW_OVERHEAD, out, pad);
		tk_wipe(pad, padded);
	}
	tk_wipe(&c, sizeof c);
	return MK_OK;
}

static int kw_unwrap(const struct mk_keyset *ks, const uint8_t *in, size_t n,
		     uint8_t *out)
{
	struct aes128_ctx c;
	int ok;

	if (ks->encr_len != 16 || ks->salt_len != 8)
		return MK_ERR_LEN;
	if (n < 24 || n % 8 || overlap(in, n, out, n - MK_KW_OVERHEAD))
		return MK_ERR_LEN;
	aes128_set_decrypt_key(&c, ks->encr_key);
	ok = aes128_keyunwrap(&c, ks->salt, n - MK_KW_OVERHEAD, out, in);
	tk_wipe(&c, sizeof c);
	if (!ok) {
		tk_wipe(out, n - MK_KW_OVERHEAD);
		return MK_ERR_AUTH;
	}
	return MK_OK;
}

static int kemac_crypt(bool enc, const struct mk_keyset *ks, uint32_t csb_id,
		       uint64_t t64, const uint8_t *in, size_t in_len,
		       uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t need;
	int rc;

	*out_len = 0;
	if (!mk_encr_valid(ks->encr))
		return MK_ERR_ALG;
	if (in_len && (!in || !out))
		return MK_ERR_LEN;
	if (ks->encr == MK_ENCR_AES_KW_128)
		need = enc ? mk_kemac_encrypted_len(ks->encr, in_len)
			   : (in_len >= MK_KW_OVERHEAD ? in_len - MK_KW_OVERHEAD : 0);
	else
		need = in_len;
	if (need > out_cap)
		return MK_ERR_LEN;
	switch (ks->encr) {
	case MK_ENCR_NULL:
		if (in_len)
			memmove(out, in, in_len);
		rc = MK_OK;
		break;
	case MK_ENCR_AES_KW_128:
		rc = enc ? kw_wrap(ks, in, in_len, out)
			 : kw_unwrap(ks, in, in_len, out);
		break;
	default:
		rc = aes_cm(ks, csb_id, t64, in, in_len, out);
		break;
	}
	if (rc == MK_OK)
		*out_len = need;
	return rc;
}

int mk_kemac_encrypt(const struct mk_keyset *ks, uint32_t csb_id, uint64_t t64,
		     const uint8_t *in, size_t in_len,
		     uint8_t *out, size_t out_cap, size_t *out_len)
{
	return kemac_crypt(true, ks, csb_id, t64, in, in_len, out, out_cap, out_len);
}

int mk_kemac_decrypt(const struct mk_keyset *ks, uint32_t csb_id, uint64_t t64,
		     const uint8_t *in, size_t in_len,
		     uint8_t *out, size_t out_cap, size_t *out_len)
{
	return kemac_crypt(false, ks, csb_id, t64, in, in_len, out, out_cap, out_len);
}
