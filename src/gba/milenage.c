/*
 * milenage.c: MILENAGE f1, f1*, f2-f5, f5* (TS 35.206 via gba.md 5.3),
 * authentication vectors, AUTN check and AUTS (TS 33.102 6.3.3).
 * AES-128 is nettle's; every intermediate that depends on K is wiped.
 */
#include "gba/milenage.h"

#include <string.h>
#include <nettle/aes.h>

#include "util/secret.h"

/* Rotation amounts r1..r5 (bits) and the last octet of c1..c5. */
enum { R1 = 64, R2 = 0, R3 = 32, R4 = 64, R5 = 96 };
static const uint8_t c_last[6] = { 0, 0x00, 0x01, 0x02, 0x04, 0x08 };

static void xor16(uint8_t *dst, const uint8_t *a, const uint8_t *b)
{
	for (int i = 0; i < 16; i++)
		dst[i] = a[i] ^ b[i];
}

/* Cyclic left rotation by r bits; every r used here is a multiple of 8. */
static void rot16(uint8_t out[16], const uint8_t in[16], unsigned r)
{
	unsigned s = r / 8;

	for (unsigned i = 0; i < 16; i++)
		out[i] = in[(i + s) % 16];
}

void tk_mil_opc(const uint8_t k[TK_MIL_K_LEN], const uint8_t op[TK_MIL_OP_LEN],
		uint8_t opc[TK_MIL_OP_LEN])
{
	struct aes128_ctx ctx;
	uint8_t t[16];

	aes128_set_encrypt_key(&ctx, k);
	aes128_encrypt(&ctx, 16, t, op);
	xor16(opc, t, op);
	tk_wipe(&ctx, sizeof ctx);
	tk_wipe(t, sizeof t);
}

/* TEMP = E_K[RAND xor OPc]. */
static void temp_of(const struct aes128_ctx *ctx, const uint8_t *opc,
		    const uint8_t *rand, uint8_t temp[16])
{
	uint8_t x[16];

	xor16(x, rand, opc);
	aes128_encrypt(ctx, 16, temp, x);
	tk_wipe(x, sizeof x);
}

/* OUTi = E_K[rot(TEMP xor OPc, ri) xor ci] xor OPc, i = 2..5. */
static void out_i(const struct aes128_ctx *ctx, const uint8_t *opc,
		  const uint8_t *temp, unsigned r, int i, uint8_t out[16])
{
	uint8_t x[16], y[16];

	xor16(x, temp, opc);
	rot16(y, x, r);
	y[15] ^= c_last[i];
	aes128_encrypt(ctx, 16, x, y);
	xor16(out, x, opc);
	tk_wipe(x, sizeof x);
	tk_wipe(y, sizeof y);
}

void tk_mil_f1(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
	       const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t sqn[TK_MIL_SQN_LEN],
	       const uint8_t amf[TK_MIL_AMF_LEN], uint8_t mac_a[TK_MIL_MAC_LEN],
	       uint8_t mac_s[TK_MIL_MAC_LEN])
{
	struct aes128_ctx ctx;
	uint8_t temp[16], in1[16], x[16], y[16];

	aes128_set_encrypt_key(&ctx, k);
	temp_of(&ctx, opc, rand, temp);

	/* IN1 = SQN || AMF || SQN || AMF */
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, sqn, 6);
	memcpy(in1 + 14, amf, 2);

	/* OUT1 = E_K[TEMP xor rot(IN1 xor OPc, r1) xor c1] xor OPc */
	xor16(x, in1, opc);
	rot16(y, x, R1);
	y[15] ^= c_last[1];
	xor16(x, y, temp);
	aes128_encrypt(&ctx, 16, y, x);
	xor16(x, y, opc);

	if (mac_a)
		memcpy(mac_a, x, 8);
	if (mac_s)
		memcpy(mac_s, x + 8, 8);

	tk_wipe(&ctx, sizeof ctx);
	tk_wipe(temp, sizeof temp);
	tk_wipe(in1, sizeof in1);
	tk_wipe(x, sizeof x);
	tk_wipe(y, sizeof y);
}

void tk_mil_f2345(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		  const uint8_t rand[TK_MIL_RAND_LEN], uint8_t res[TK_MIL_RES_LEN],
		  uint8_t ck[TK_MIL_CK_LEN], uint8_t ik[TK_MIL_IK_LEN],
		  uint8_t ak[TK_MIL_AK_LEN], uint8_t ak_star[TK_MIL_AK_LEN])
{
	struct aes128_ctx ctx;
	uint8_t temp[16], out[16];

	aes128_set_encrypt_key(&ctx, k);
	temp_of(&ctx, opc, rand, temp);

	if (res || ak) {
		out_i(&ctx, opc, temp, R2, 2, out);
		if (ak)
			memcpy(ak, out, 6);
		if (res)
			memcpy(res, out + 8, 8);
	}
	if (ck)
		out_i(&ctx, opc, temp, R3, 3, ck);
	if (ik)
		out_i(&ctx, opc, temp, R4, 4, ik);
	if (ak_star) {
		out_i(&ctx, opc, temp, R5, 5, out);
		memcpy(ak_star, out, 6);
	}

	tk_wipe(&ctx, sizeof ctx);
	tk_wipe(temp, sizeof temp);
	tk_wipe(out, sizeof out);
}

void tk_mil_generate(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		     const uint8_t sqn[TK_MIL_SQN_LEN], const uint8_t amf[TK_MIL_AMF_LEN],
		     const uint8_t rand[TK_MIL_RAND_LEN], struct tk_mil_av *av)
{
	uint8_t ak[TK_MIL_AK_LEN];

	memmove(av->rand, rand, TK_MIL_RAND_LEN);
	tk_mil_f2345(k, opc, av->rand, av->xres, av->ck, av->ik, ak, NULL);
	for (int i = 0; i < TK_MIL_SQN_LEN; i++)
		av->autn[i] = sqn[i] ^ ak[i];
	memcpy(av->autn + 6, amf, 2);
	tk_mil_f1(k, opc, av->rand, sqn, amf, av->autn + 8, NULL);
	tk_wipe(ak, sizeof ak);
}

int tk_mil_usim_check(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		      const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t autn[TK_MIL_AUTN_LEN],
		      uint8_t sqn[TK_MIL_SQN_LEN], uint8_t res[TK_MIL_RES_LEN],
		      uint8_t ck[TK_MIL_CK_LEN], uint8_t ik[TK_MIL_IK_LEN])
{
	uint8_t ak[TK_MIL_AK_LEN], s[TK_MIL_SQN_LEN], mac[TK_MIL_MAC_LEN];
	uint8_t r[TK_MIL_RES_LEN], c[TK_MIL_CK_LEN], i_[TK_MIL_IK_LEN];
	int rc = TK_MIL_OK;

	tk_mil_f2345(k, opc, rand, r, c, i_, ak, NULL);
	for (int i = 0; i < TK_MIL_SQN_LEN; i++)
		s[i] = autn[i] ^ ak[i];
	tk_mil_f1(k, opc, rand, s, autn + 6, mac, NULL);
	if (!tk_ct_equal(mac, autn + 8, TK_MIL_MAC_LEN)) {
		rc = TK_MIL_MAC_FAIL;
		tk_wipe(s, sizeof s);
		tk_wipe(r, sizeof r);
		tk_wipe(c, sizeof c);
		tk_wipe(i_, sizeof i_);
	}
	if (sqn)
		memcpy(sqn, s, sizeof s);
	if (res)
		memcpy(res, r, sizeof r);
	if (ck)
		memcpy(ck, c, sizeof c);
	if (ik)
		memcpy(ik, i_, sizeof i_);

	tk_wipe(ak, sizeof ak);
	tk_wipe(s, sizeof s);
	tk_wipe(mac, sizeof mac);
	tk_wipe(r, sizeof r);
	tk_wipe(c, sizeof c);
	tk_wipe(i_, sizeof i_);
	return rc;
}

static const uint8_t amf_resync[TK_MIL_AMF_LEN] = { 0, 0 };

void tk_mil_auts_build(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		       const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t sqn_ms[TK_MIL_SQN_LEN],
		       uint8_t auts[TK_MIL_AUTS_LEN])
{
	uint8_t ak_s[TK_MIL_AK_LEN], mac_s[TK_MIL_MAC_LEN];

	tk_mil_f2345(k, opc, rand, NULL, NULL, NULL, NULL, ak_s);
	tk_mil_f1(k, opc, rand, sqn_ms, amf_resync, NULL, mac_s);
	for (int i = 0; i < TK_MIL_SQN_LEN; i++)
		auts[i] = sqn_ms[i] ^ ak_s[i];
	memcpy(auts + 6, mac_s, sizeof mac_s);
	tk_wipe(ak_s, sizeof ak_s);
	tk_wipe(mac_s, sizeof mac_s);
}

int tk_mil_auts_verify(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		       const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t auts[TK_MIL_AUTS_LEN],
		       uint8_t sqn_ms[TK_MIL_SQN_LEN])
{
	uint8_t ak_s[TK_MIL_AK_LEN], s[TK_MIL_SQN_LEN], mac_s[TK_MIL_MAC_LEN];
	int rc = TK_MIL_OK;

	tk_mil_f2345(k, opc, rand, NULL, NULL, NULL, NULL, ak_s);
	for (int i = 0; i < TK_MIL_SQN_LEN; i++)
		s[i] = auts[i] ^ ak_s[i];
	tk_mil_f1(k, opc, rand, s, amf_resync, NULL, mac_s);
	if (!tk_ct_equal(mac_s, auts + 6, TK_MIL_MAC_LEN)) {
		rc = TK_MIL_MAC_FAIL;
		memset(s, 0, sizeof s);
	}
	memcpy(sqn_ms, s, sizeof s);
	tk_wipe(ak_s, sizeof ak_s);
	tk_wipe(s, sizeof s);
	tk_wipe(mac_s, sizeof mac_s);
	return rc;
}

uint64_t tk_mil_sqn_get(const uint8_t sqn[TK_MIL_SQN_LEN])
{
	uint64_t v = 0;

	for (int i = 0; i < TK_MIL_SQN_LEN; i++)
		v = v << 8 | sqn[i];
	return v;
}

void tk_mil_sqn_put(uint64_t v, uint8_t sqn[TK_MIL_SQN_LEN])
{
	for (int i = TK_MIL_SQN_LEN - 1; i >= 0; i--) {
		sqn[i] = (uint8_t)v;
		v >>= 8;
	}
}
