/*
 * test-mcrypto.c: MIKEY crypto (src/mikey/mcrypto.c) and timestamps
 * (src/mikey/ntp.c). Known answers come from tests/vectors/mikey-prf.txt
 * (mikey.md 5.9 worked examples and self-computed [X] rows) and
 * tests/vectors/mikey-kemac.txt (RFC 3711 B.2, RFC 3394 4.1, [X]).
 */
#include "mikey/mcrypto.h"
#include "mikey/ntp.h"
#include "util/hexb64.h"
#include "tk_test.h"

#include <stdlib.h>
#include <string.h>

/* ---- vector files: blank-line separated records of "name: value" ---- */

#define MAX_FIELDS 16
#define MAX_VAL 256

struct rec {
	int n;
	char name[MAX_FIELDS][16];
	char val[MAX_FIELDS][MAX_VAL];
};

struct vfile {
	int n;
	struct rec r[48];
};

static struct vfile *load(const char *rel)
{
	char path[512], line[600];
	struct vfile *v = calloc(1, sizeof *v);
	FILE *f = fopen(tk_srcpath(rel, path, sizeof path), "r");
	struct rec *cur = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof line, f)) {
		char *colon;

		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '#')
			continue;
		if (!line[0]) {
			cur = NULL;
			continue;
		}
		colon = strstr(line, ": ");
		CU_ASSERT_PTR_NOT_NULL_FATAL(colon);
		if (!cur) {
			CU_ASSERT_FATAL(v->n < (int)(sizeof v->r / sizeof v->r[0]));
			cur = &v->r[v->n++];
		}
		CU_ASSERT_FATAL(cur->n < MAX_FIELDS);
		*colon = 0;
		CU_ASSERT_FATAL(strlen(line) < 16 && strlen(colon + 2) < MAX_VAL);
		strcpy(cur->name[cur->n], line);
		strcpy(cur->val[cur->n], colon + 2);
		cur->n++;
	}
	fclose(f);
	CU_ASSERT_FATAL(v->n > 0);
	return v;
}

static const char *field(const struct rec *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->name[i], name))
			return r->val[i];
	return NULL;
}

/* Hex field into buf; absent fields give length 0 and a NULL pointer. */
static const uint8_t *hexf(const struct rec *r, const char *name, uint8_t *buf,
			   size_t cap, size_t *len)
{
	const char *s = field(r, name);
	long n;

	*len = 0;
	if (!s)
		return NULL;
	n = tk_hex_decode(s, buf, cap);
	CU_ASSERT_FATAL(n >= 0);
	*len = (size_t)n;
	return buf;
}

static unsigned long numf(const struct rec *r, const char *name, int base)
{
	const char *s = field(r, name);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return strtoul(s, NULL, base);
}

/* ---- PRF and derivations ---- */

static int run_row(const struct rec *r, uint8_t *out, size_t out_len)
{
	uint8_t key[128], ri[64], rr[64], rnd[64], id[128], kms[64];
	size_t key_len, ri_len, rr_len, rnd_len, id_len, kms_len;
	const uint8_t *k = hexf(r, "key", key, sizeof key, &key_len);
	const uint8_t *pri = hexf(r, "ri", ri, sizeof ri, &ri_len);
	const uint8_t *prr = hexf(r, "rr", rr, sizeof rr, &rr_len);
	const uint8_t *prn = hexf(r, "rand", rnd, sizeof rnd, &rnd_len);
	const uint8_t *pid = hexf(r, "idrr", id, sizeof id, &id_len);
	const uint8_t *pk = hexf(r, "kms", kms, sizeof kms, &kms_len);
	enum mk_prf prf = (enum mk_prf)numf(r, "prf", 10);
	const char *fn = field(r, "fn");

	if (!strcmp(fn, "row-a"))
		return mk_derive_3830_tgk(prf, k, key_len, (uint32_t)numf(r, "c", 16),
					  (uint8_t)numf(r, "cs", 10),
					  (uint32_t)numf(r, "csb", 16), prn, rnd_len,
					  out, out_len);
	if (!strcmp(fn, "row-b"))
		return mk_derive_3830_prot(prf, k, key_len, (uint32_t)numf(r, "c", 16),
					   (uint32_t)numf(r, "csb", 16), prn, rnd_len,
					   out, out_len);
	if (!strcmp(fn, "row-cd"))
		return mk_derive_6043_prot(prf, k, key_len, (uint32_t)numf(r, "c", 16),
					   (uint32_t)numf(r, "csb", 16),
					   (enum mk_dir)numf(r, "dir", 10),
					   pri, ri_len, prr, rr_len, out, out_len);
	if (!strcmp(fn, "row-e"))
		return mk_derive_vr_key(prf, k, key_len, out, out_len);
	if (!strcmp(fn, "row-f-mpkr") || !strcmp(fn, "row-f-tgk")) {
		CU_ASSERT_EQUAL(out_len, key_len);
		return (fn[6] == 'm' ? mk_derive_mpkr_forked : mk_derive_tgk_forked)
			(prf, k, key_len, pid, id_len, pk, kms_len, out);
	}
	if (!strcmp(fn, "row-g-mpki") || !strcmp(fn, "row-g-mpkr")) {
		CU_ASSERT_EQUAL(out_len, key_len);
		return (fn[9] == 'i' ? mk_derive_mpki : mk_derive_mpkr)
			(prf, k, key_len, prn, rnd_len, out);
	}
	if (!strcmp(fn, "row-h"))
		return mk_derive_ticket_key(prf, k, key_len, (uint32_t)numf(r, "c", 16),
					    prn, rnd_len, out, out_len);
	if (!strcmp(fn, "row-i"))
		return mk_derive_6043_tek(prf, k, key_len, (uint32_t)numf(r, "c", 16),
					  (uint8_t)numf(r, "cs", 10),
					  pri, ri_len, prr, rr_len, out, out_len);
	CU_FAIL("unknown fn in mikey-prf.txt");
	return -99;
}

static void test_prf_and_rows_vectors(void)
{
	struct vfile *v = load("tests/vectors/mikey-prf.txt");
	int worked = 0, rows[10] = { 0 };

	for (int i = 0; i < v->n; i++) {
		const struct rec *r = &v->r[i];
		uint8_t want[128], got[128], key[128], label[512];
		size_t want_len, key_len, label_len;

		hexf(r, "out", want, sizeof want, &want_len);
		CU_ASSERT_FATAL(want_len > 0);
		memset(got, 0xAA, sizeof got);
		CU_ASSERT_EQUAL(run_row(r, got, want_len), MK_OK);
		if (memcmp(got, want, want_len))
			fprintf(stderr, "\nrecord %d (%s, %s) differs\n", i,
				field(r, "fn"), field(r, "source"));
		CU_ASSERT_EQUAL(memcmp(got, want, want_len), 0);
		CU_ASSERT_EQUAL(got[want_len], 0xAA);	/* no write past out_len */
		if (hexf(r, "label", label, sizeof label, &label_len)) {
			hexf(r, "key", key, sizeof key, &key_len);
			memset(got, 0, sizeof got);
			CU_ASSERT_EQUAL(mk_prf((enum mk_prf)numf(r, "prf", 10), key,
					       key_len, label, label_len, got,
					       want_len), MK_OK);
			CU_ASSERT_EQUAL(memcmp(got, want, want_len), 0);
		}
		if (!strcmp(field(r, "source"), "mikey.md 5.9"))
			worked++;
		/* row-cd is row C with dir 1 and row D with dir 2 */
		if (!strcmp(field(r, "fn"), "row-cd") && numf(r, "dir", 10) == 2)
			rows[3]++;
		else
			rows[field(r, "fn")[4] - 'a']++;
	}
	CU_ASSERT_EQUAL(worked, 5);
	for (int i = 0; i < 9; i++)	/* rows A..I each covered */
		CU_ASSERT(rows[i] > 0);
	free(v);
}

/* Keys longer than 256 bits are cut into 256-bit pieces whose P outputs are
 * XORed: a 64-octet key of two equal halves therefore gives all zeros. */
static void test_prf_inkey_split(void)
{
	uint8_t key[64], out[40], zero[40] = { 0 }, one[40];
	static const uint8_t label[] = "label";

	for (int i = 0; i < 32; i++)
		key[i] = key[32 + i] = (uint8_t)(i * 7);
	CU_ASSERT_EQUAL(mk_prf(MK_PRF_MIKEY1, key, 64, label, 5, out, 40), MK_OK);
	CU_ASSERT_EQUAL(memcmp(out, zero, 40), 0);
	CU_ASSERT_EQUAL(mk_prf(MK_PRF_HMAC_SHA256, key, 64, label, 5, out, 40), MK_OK);
	CU_ASSERT_EQUAL(memcmp(out, zero, 40), 0);
	/* 33 octets: the second piece is one octet long and must count. */
	CU_ASSERT_EQUAL(mk_prf(MK_PRF_MIKEY1, key, 32, label, 5, one, 40), MK_OK);
	CU_ASSERT_EQUAL(mk_prf(MK_PRF_MIKEY1, key, 33, label, 5, out, 40), MK_OK);
	CU_ASSERT_NOT_EQUAL(memcmp(out, one, 40), 0);
	/* a truncated output is the prefix of a longer one */
	CU_ASSERT_EQUAL(mk_prf(MK_PRF_MIKEY1, key, 32, label, 5, out, 7), MK_OK);
	CU_ASSERT_EQUAL(memcmp(out, one, 7), 0);
}

static void test_prf_bad_args(void)
{
	uint8_t key[16] = { 1 }, out[16], big[300];

	CU_ASSERT_EQUAL(mk_prf((enum mk_prf)2, key, 16, key, 1, out, 16), MK_ERR_ALG);
	CU_ASSERT_EQUAL(mk_prf(MK_PRF_MIKEY1, key, 0, key, 1, out, 16), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_prf(MK_PRF_MIKEY1, NULL, 16, key, 1, out, 16), MK_ERR_LEN);
	memset(big, 1, sizeof big);
	/* a RAND that does not fit its length octet */
	CU_ASSERT_EQUAL(mk_derive_6043_prot(MK_PRF_MIKEY1, key, 16, MK_C_AUTH, 1,
					    MK_DIR_INITIAL, big, 256, NULL, 0,
					    out, 16), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_derive_6043_prot(MK_PRF_MIKEY1, key, 16, MK_C_AUTH, 1,
					    (enum mk_dir)3, big, 16, NULL, 0,
					    out, 16), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_derive_mpki(MK_PRF_HMAC_SHA256, key, 16, big, 256, out),
			MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_derive_tgk_forked(MK_PRF_HMAC_SHA256, key, 16, big, 10,
					     big, 256, out), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_derive_6043_tek(MK_PRF_MIKEY1, key, 16, MK_C_TEK, 1,
					   NULL, 5, NULL, 0, out, 16), MK_ERR_LEN);
	/* the longest RAND a length octet can carry is fine */
	CU_ASSERT_EQUAL(mk_derive_6043_prot(MK_PRF_MIKEY1, key, 16, MK_C_AUTH, 1,
					    MK_DIR_INITIAL, big, 255, big, 255,
					    out, 16), MK_OK);
}

/* Row I puts 0xFFFFFFFF where row A has the CSB ID and appends 0x03 and the
 * length-prefixed RANDs: the two must differ for the same inputs. The row D
 * direction byte must matter too. */
static void test_rows_are_distinct(void)
{
	uint8_t tgk[16] = { 9 }, r[16] = { 3 }, a[16], b[16];

	mk_derive_3830_tgk(MK_PRF_MIKEY1, tgk, 16, MK_C_TEK, 1, 0xFFFFFFFFu, r, 16, a, 16);
	mk_derive_6043_tek(MK_PRF_MIKEY1, tgk, 16, MK_C_TEK, 1, r, 16, NULL, 0, b, 16);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 16), 0);
	mk_derive_6043_prot(MK_PRF_MIKEY1, tgk, 16, MK_C_ENCR, 7, MK_DIR_INITIAL,
			    r, 16, NULL, 0, a, 16);
	mk_derive_6043_prot(MK_PRF_MIKEY1, tgk, 16, MK_C_ENCR, 7, MK_DIR_RESPONSE,
			    r, 16, NULL, 0, b, 16);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 16), 0);
	/* RANDRi absent vs RANDRr absent: the length octets keep them apart */
	mk_derive_6043_prot(MK_PRF_MIKEY1, tgk, 16, MK_C_ENCR, 7, MK_DIR_INITIAL,
			    r, 16, NULL, 0, a, 16);
	mk_derive_6043_prot(MK_PRF_MIKEY1, tgk, 16, MK_C_ENCR, 7, MK_DIR_INITIAL,
			    NULL, 0, r, 16, b, 16);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 16), 0);
}

/* A key set is the three row C/D derivations with MK_C_ENCR/AUTH/SALT. */
static void test_keysets(void)
{
	uint8_t key[32], ri[32], e[32], au[32], sa[14];
	struct mk_keyset ks;

	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)i, ri[i] = (uint8_t)(0x80 + i);
	CU_ASSERT_EQUAL(mk_keyset_6043(&ks, MK_PRF_HMAC_SHA256, MK_ENCR_AES_CM_256,
				       MK_MAC_HMAC_SHA256_256, key, 32, 0x11223344,
				       MK_DIR_RESPONSE, NULL, 0, ri, 32), MK_OK);
	CU_ASSERT_EQUAL(ks.encr_len, 32);
	CU_ASSERT_EQUAL(ks.auth_len, 32);
	CU_ASSERT_EQUAL(ks.salt_len, 14);
	mk_derive_6043_prot(MK_PRF_HMAC_SHA256, key, 32, MK_C_ENCR, 0x11223344,
			    MK_DIR_RESPONSE, NULL, 0, ri, 32, e, 32);
	mk_derive_6043_prot(MK_PRF_HMAC_SHA256, key, 32, MK_C_AUTH, 0x11223344,
			    MK_DIR_RESPONSE, NULL, 0, ri, 32, au, 32);
	mk_derive_6043_prot(MK_PRF_HMAC_SHA256, key, 32, MK_C_SALT, 0x11223344,
			    MK_DIR_RESPONSE, NULL, 0, ri, 32, sa, 14);
	CU_ASSERT_EQUAL(memcmp(ks.encr_key, e, 32), 0);
	CU_ASSERT_EQUAL(memcmp(ks.auth_key, au, 32), 0);
	CU_ASSERT_EQUAL(memcmp(ks.salt, sa, 14), 0);

	CU_ASSERT_EQUAL(mk_keyset_ticket(&ks, MK_PRF_HMAC_SHA256, MK_ENCR_AES_CM_256,
					 MK_MAC_HMAC_SHA256_256, key, 32, ri, 32), MK_OK);
	mk_derive_ticket_key(MK_PRF_HMAC_SHA256, key, 32, MK_C_SALT, ri, 32, sa, 14);
	CU_ASSERT_EQUAL(memcmp(ks.salt, sa, 14), 0);

	CU_ASSERT_EQUAL(mk_keyset_3830(&ks, MK_PRF_MIKEY1, MK_ENCR_AES_KW_128,
				       MK_MAC_HMAC_SHA1_160, key, 16, 1, ri, 16), MK_OK);
	CU_ASSERT_EQUAL(ks.encr_len, 16);
	CU_ASSERT_EQUAL(ks.auth_len, 20);
	CU_ASSERT_EQUAL(ks.salt_len, 8);
	mk_derive_3830_prot(MK_PRF_MIKEY1, key, 16, MK_C_AUTH, 1, ri, 16, au, 20);
	CU_ASSERT_EQUAL(memcmp(ks.auth_key, au, 20), 0);

	CU_ASSERT_EQUAL(mk_keyset_6043(&ks, MK_PRF_MIKEY1, MK_ENCR_NULL, MK_MAC_NULL,
				       key, 16, 1, MK_DIR_INITIAL, ri, 16, NULL, 0),
			MK_OK);
	CU_ASSERT_EQUAL(ks.encr_len + ks.auth_len + ks.salt_len, 0);
	CU_ASSERT_EQUAL(mk_keyset_6043(&ks, MK_PRF_MIKEY1, (enum mk_encr)4, MK_MAC_NULL,
				       key, 16, 1, MK_DIR_INITIAL, ri, 16, NULL, 0),
			MK_ERR_ALG);
	mk_keyset_wipe(&ks);
	CU_ASSERT_EQUAL(ks.auth_len, 0);
}

static void test_lengths_and_sets(void)
{
	CU_ASSERT_EQUAL(mk_encr_key_len(MK_ENCR_AES_CM_128), 16);
	CU_ASSERT_EQUAL(mk_encr_key_len(MK_ENCR_AES_KW_128), 16);
	CU_ASSERT_EQUAL(mk_encr_key_len(MK_ENCR_AES_CM_256), 32);
	CU_ASSERT_EQUAL(mk_encr_key_len(MK_ENCR_NULL), 0);
	CU_ASSERT_EQUAL(mk_salt_len(MK_ENCR_AES_CM_256), 14);
	CU_ASSERT_EQUAL(mk_salt_len(MK_ENCR_AES_KW_128), 8);
	CU_ASSERT_EQUAL(mk_auth_key_len(MK_MAC_HMAC_SHA1_160), 20);
	CU_ASSERT_EQUAL(mk_mac_len(MK_MAC_HMAC_SHA256_256), 32);
	CU_ASSERT_EQUAL(mk_mac_len(MK_MAC_NULL), 0);
	CU_ASSERT_TRUE(mk_prf_valid(1));
	CU_ASSERT_FALSE(mk_prf_valid(2));
	CU_ASSERT_TRUE(mk_encr_valid(3));
	CU_ASSERT_FALSE(mk_encr_valid(4));
	CU_ASSERT_FALSE(mk_mac_valid(3));
	CU_ASSERT_TRUE(mk_algs_same_set(MK_PRF_MIKEY1, MK_ENCR_AES_CM_128,
					MK_MAC_HMAC_SHA1_160));
	CU_ASSERT_TRUE(mk_algs_same_set(MK_PRF_HMAC_SHA256, MK_ENCR_AES_CM_256,
					MK_MAC_HMAC_SHA256_256));
	CU_ASSERT_FALSE(mk_algs_same_set(MK_PRF_MIKEY1, MK_ENCR_AES_CM_256,
					 MK_MAC_HMAC_SHA1_160));
	CU_ASSERT_FALSE(mk_algs_same_set(MK_PRF_HMAC_SHA256, MK_ENCR_AES_CM_256,
					 MK_MAC_HMAC_SHA1_160));
	CU_ASSERT_FALSE(mk_algs_same_set(MK_PRF_HMAC_SHA256, MK_ENCR_AES_KW_128,
					 MK_MAC_HMAC_SHA256_256));
}

/* ---- MAC ---- */

static void test_mac(void)
{
	/* RFC 4231 test case 2 and RFC 2202 test case 2 ("Jefe"), spread over
	 * several spans to check the concatenation. */
	static const uint8_t key[] = "Jefe";
	static const char *msg = "what do ya want for nothing?";
	struct mk_span s[3] = {
		{ (const uint8_t *)msg, 4 }, { NULL, 0 }, { (const uint8_t *)msg + 4, 24 },
	};
	uint8_t want256[32], want1[20], mac[32];

	tk_hex_decode("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		      want256, 32);
	tk_hex_decode("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", want1, 20);
	CU_ASSERT_EQUAL(mk_mac_compute(MK_MAC_HMAC_SHA256_256, key, 4, s, 3, mac), MK_OK);
	CU_ASSERT_EQUAL(memcmp(mac, want256, 32), 0);
	CU_ASSERT_TRUE(mk_mac_verify(MK_MAC_HMAC_SHA256_256, key, 4, s, 3, want256, 32));
	CU_ASSERT_EQUAL(mk_mac_compute(MK_MAC_HMAC_SHA1_160, key, 4, s, 3, mac), MK_OK);
	CU_ASSERT_EQUAL(memcmp(mac, want1, 20), 0);
	CU_ASSERT_TRUE(mk_mac_verify(MK_MAC_HMAC_SHA1_160, key, 4, s, 3, want1, 20));

	/* tampering: one MAC bit, one message bit, the key, the length */
	want1[19] ^= 1;
	CU_ASSERT_FALSE(mk_mac_verify(MK_MAC_HMAC_SHA1_160, key, 4, s, 3, want1, 20));
	want1[19] ^= 1;
	s[2].n = 23;
	CU_ASSERT_FALSE(mk_mac_verify(MK_MAC_HMAC_SHA1_160, key, 4, s, 3, want1, 20));
	s[2].n = 24;
	CU_ASSERT_FALSE(mk_mac_verify(MK_MAC_HMAC_SHA1_160, key, 3, s, 3, want1, 20));
	CU_ASSERT_FALSE(mk_mac_verify(MK_MAC_HMAC_SHA1_160, key, 4, s, 3, want1, 19));
	CU_ASSERT_FALSE(mk_mac_verify(MK_MAC_HMAC_SHA256_256, key, 4, s, 3, want1, 20));
	CU_ASSERT_FALSE(mk_mac_verify((enum mk_mac)7, key, 4, s, 3, want1, 20));
	CU_ASSERT_TRUE(mk_mac_verify(MK_MAC_HMAC_SHA1_160, key, 4, s, 3, want1, 20));
	/* NULL MAC: nothing to check, but only with an empty MAC field */
	CU_ASSERT_TRUE(mk_mac_verify(MK_MAC_NULL, NULL, 0, s, 3, NULL, 0));
	CU_ASSERT_FALSE(mk_mac_verify(MK_MAC_NULL, NULL, 0, s, 3, want1, 20));
	CU_ASSERT_EQUAL(mk_mac_compute((enum mk_mac)3, key, 4, s, 3, mac), MK_ERR_ALG);
}

/* ---- KEMAC encryption ---- */

static void keyset_from(const struct rec *r, enum mk_encr e, struct mk_keyset *ks)
{
	size_t n;

	memset(ks, 0, sizeof *ks);
	ks->encr = e;
	hexf(r, "key", ks->encr_key, sizeof ks->encr_key, &ks->encr_len);
	if (e == MK_ENCR_AES_KW_128)
		hexf(r, "iv", ks->salt, sizeof ks->salt, &n);
	else
		hexf(r, "salt", ks->salt, sizeof ks->salt, &n);
	ks->salt_len = n;
}

static void test_kemac_vectors(void)
{
	struct vfile *v = load("tests/vectors/mikey-kemac.txt");
	int cm = 0, kw = 0;

	for (int i = 0; i < v->n; i++) {
		const struct rec *r = &v->r[i];
		uint8_t in[128], want[128], out[160], back[160];
		size_t in_len, want_len, out_len, back_len;
		struct mk_keyset ks;
		uint32_t csb;
		uint64_t t;

		hexf(r, "out", want, sizeof want, &want_len);
		if (!strcmp(field(r, "fn"), "aes-kw")) {
			keyset_from(r, MK_ENCR_AES_KW_128, &ks);
			hexf(r, "in", in, sizeof in, &in_len);
			CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 0, 0, in, in_len, out,
							 sizeof out, &out_len), MK_OK);
			CU_ASSERT_EQUAL(out_len, want_len);
			CU_ASSERT_EQUAL(memcmp(out, want, want_len), 0);
			CU_ASSERT_EQUAL(mk_kemac_encrypted_len(MK_ENCR_AES_KW_128, in_len),
					want_len);
			CU_ASSERT_EQUAL(mk_kemac_decrypt(&ks, 0, 0, out, out_len, back,
							 sizeof back, &back_len), MK_OK);
			/* P-8: the padding comes back as trailing zeros */
			CU_ASSERT_EQUAL(back_len, (in_len + 7) / 8 * 8);
			CU_ASSERT_EQUAL(memcmp(back, in, in_len), 0);
			for (size_t j = in_len; j < back_len; j++)
				CU_ASSERT_EQUAL(back[j], 0);
			kw++;
			continue;
		}
		keyset_from(r, strlen(field(r, "key")) == 64 ? MK_ENCR_AES_CM_256
							     : MK_ENCR_AES_CM_128, &ks);
		csb = (uint32_t)numf(r, "csb", 16);
		t = strtoull(field(r, "t"), NULL, 16);
		if (field(r, "block")) {
			/* a keystream of len octets, checked at block..block+n */
			size_t len = numf(r, "len", 10), blk = numf(r, "block", 16);
			uint8_t *buf = calloc(1, len);
			size_t got;

			CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
			CU_ASSERT_FATAL(blk * 16 + want_len <= len);
			CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, csb, t, buf, len, buf, len,
							 &got), MK_OK);
			CU_ASSERT_EQUAL(got, len);
			CU_ASSERT_EQUAL(memcmp(buf + blk * 16, want, want_len), 0);
			free(buf);
		} else {
			hexf(r, "in", in, sizeof in, &in_len);
			CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, csb, t, in, in_len, out,
							 sizeof out, &out_len), MK_OK);
			CU_ASSERT_EQUAL(out_len, want_len);
			CU_ASSERT_EQUAL(memcmp(out, want, want_len), 0);
			/* in place decryption restores the input */
			CU_ASSERT_EQUAL(mk_kemac_decrypt(&ks, csb, t, out, out_len, out,
							 out_len, &back_len), MK_OK);
			CU_ASSERT_EQUAL(memcmp(out, in, in_len), 0);
		}
		cm++;
	}
	CU_ASSERT_EQUAL(cm, 4);
	CU_ASSERT_EQUAL(kw, 2);
	free(v);
}

static void test_kemac_round_trips_and_errors(void)
{
	struct mk_keyset ks;
	uint8_t key[32] = { 5 }, rnd[32] = { 6 }, in[100], buf[200], back[200];
	size_t n, m;

	for (size_t i = 0; i < sizeof in; i++)
		in[i] = (uint8_t)(i * 3 + 1);
	mk_keyset_ticket(&ks, MK_PRF_HMAC_SHA256, MK_ENCR_AES_CM_256,
			 MK_MAC_HMAC_SHA256_256, key, 32, rnd, 32);
	for (size_t len = 0; len <= 100; len += 17) {
		CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 0xFFFFFFFFu, 0x0102030405060708ull,
						 in, len, buf, sizeof buf, &n), MK_OK);
		CU_ASSERT_EQUAL(n, len);
		if (len)
			CU_ASSERT_NOT_EQUAL(memcmp(buf, in, len), 0);
		CU_ASSERT_EQUAL(mk_kemac_decrypt(&ks, 0xFFFFFFFFu, 0x0102030405060708ull,
						 buf, n, back, sizeof back, &m), MK_OK);
		CU_ASSERT_EQUAL(memcmp(back, in, len), 0);
	}
	/* the IV depends on CSB ID and T */
	mk_kemac_encrypt(&ks, 1, 2, in, 32, buf, sizeof buf, &n);
	mk_kemac_encrypt(&ks, 1, 3, in, 32, back, sizeof back, &n);
	CU_ASSERT_NOT_EQUAL(memcmp(buf, back, 32), 0);
	mk_kemac_encrypt(&ks, 2, 2, in, 32, back, sizeof back, &n);
	CU_ASSERT_NOT_EQUAL(memcmp(buf, back, 32), 0);
	/* too small an output buffer, wrong key lengths */
	CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 1, 2, in, 32, buf, 31, &n), MK_ERR_LEN);
	CU_ASSERT_EQUAL(n, 0);
	ks.salt_len = 8;
	CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 1, 2, in, 32, buf, sizeof buf, &n), MK_ERR_LEN);
	ks.encr = (enum mk_encr)9;
	CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 1, 2, in, 32, buf, sizeof buf, &n), MK_ERR_ALG);

	/* NULL encryption copies, in place too */
	ks.encr = MK_ENCR_NULL;
	CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 1, 2, in, 50, buf, sizeof buf, &n), MK_OK);
	CU_ASSERT_EQUAL(n, 50);
	CU_ASSERT_EQUAL(memcmp(buf, in, 50), 0);

	/* AES-KW: tampering is detected and the output wiped; short input and
	 * overlapping buffers are refused */
	mk_keyset_3830(&ks, MK_PRF_MIKEY1, MK_ENCR_AES_KW_128, MK_MAC_HMAC_SHA1_160,
		       key, 16, 1, rnd, 16);
	CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 0, 0, in, 37, buf, sizeof buf, &n), MK_OK);
	CU_ASSERT_EQUAL(n, 48);
	CU_ASSERT_EQUAL(mk_kemac_decrypt(&ks, 0, 0, buf, n, back, sizeof back, &m), MK_OK);
	CU_ASSERT_EQUAL(m, 40);
	CU_ASSERT_EQUAL(memcmp(back, in, 37), 0);
	buf[20] ^= 0x40;
	memset(back, 0x55, sizeof back);
	CU_ASSERT_EQUAL(mk_kemac_decrypt(&ks, 0, 0, buf, n, back, sizeof back, &m),
			MK_ERR_AUTH);
	CU_ASSERT_EQUAL(m, 0);
	for (int i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(back[i], 0);
	CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 0, 0, in, 8, buf, sizeof buf, &n), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_kemac_decrypt(&ks, 0, 0, buf, 16, back, sizeof back, &m), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_kemac_decrypt(&ks, 0, 0, buf, 47, back, sizeof back, &m), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_kemac_encrypt(&ks, 0, 0, buf, 32, buf + 8, 100, &n), MK_ERR_LEN);
	CU_ASSERT_EQUAL(mk_kemac_encrypted_len(MK_ENCR_AES_KW_128, 37), 48);
	CU_ASSERT_EQUAL(mk_kemac_encrypted_len(MK_ENCR_AES_CM_128, 37), 37);
	mk_keyset_wipe(&ks);
}

/* ---- NTP ---- */

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };

	return (int64_t)timegm(&tm);
}

static void test_ntp_eras(void)
{
	static const int years[] = { 1990, 2030, 2040, 2100 };

	for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
		int64_t t = utc(years[i], 6, 15, 12, 34, 56);
		struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = 123456789 }, back;
		uint64_t ntp = mk_ntp_from_timespec(&ts);
		uint32_t n32 = mk_ntp32_from_unix(t);
		int ok;

		/* era 0 (top bit 1) before 2036, era 1 (top bit 0) after */
		CU_ASSERT_EQUAL(!!(n32 & 0x80000000u), years[i] < 2036);
		CU_ASSERT_EQUAL(mk_ntp32_to_unix(n32), t);
		CU_ASSERT_EQUAL((uint32_t)(ntp >> 32), n32);
		mk_ntp_to_timespec(ntp, &back);
		CU_ASSERT_EQUAL((int64_t)back.tv_sec, t);
		CU_ASSERT_EQUAL(back.tv_nsec, 123456789);
		CU_ASSERT_EQUAL(mk_ts_to_unix(MK_TS_NTP_UTC, ntp, &ok), t);
		CU_ASSERT_EQUAL(ok, 1);
		CU_ASSERT_EQUAL(mk_ts_to_unix(MK_TS_NTP_UTC_32, n32, &ok), t);
	}
	/* fixed points: 1990-01-01 is NTP second 2840140800 (era 0); the era
	 * boundary 2036-02-07 06:28:16 UTC is second 0 of era 1 */
	CU_ASSERT_EQUAL(mk_ntp32_from_unix(utc(1990, 1, 1, 0, 0, 0)), 2840140800u);
	CU_ASSERT_EQUAL(mk_ntp32_to_unix(0), utc(2036, 2, 7, 6, 28, 16));
	CU_ASSERT_EQUAL(mk_ntp32_to_unix(0x7FFFFFFFu), utc(2036, 2, 7, 6, 28, 16) + 0x7FFFFFFF);
	CU_ASSERT_EQUAL(mk_ntp32_to_unix(0x80000000u), utc(2036, 2, 7, 6, 28, 16) - 0x80000000LL);
	CU_ASSERT_EQUAL(mk_ntp32_from_unix(0), (uint32_t)MK_NTP_UNIX_DELTA);
}

static void test_ntp_fraction_and_now(void)
{
	struct timespec ts = { .tv_sec = 1700000000, .tv_nsec = 500000000 }, back, now;
	uint64_t ntp = mk_ntp_from_timespec(&ts);
	int64_t d;

	CU_ASSERT_EQUAL((uint32_t)ntp, 0x80000000u);	/* half a second */
	for (long ns = 0; ns < 1000000000L; ns += 999999) {
		ts.tv_nsec = ns;
		mk_ntp_to_timespec(mk_ntp_from_timespec(&ts), &back);
		CU_ASSERT_EQUAL(back.tv_nsec, ns);
		CU_ASSERT_EQUAL(back.tv_sec, ts.tv_sec);
	}
	ts.tv_nsec = 999999999;
	mk_ntp_to_timespec(mk_ntp_from_timespec(&ts), &back);
	CU_ASSERT_EQUAL(back.tv_nsec, 999999999);

	clock_gettime(CLOCK_REALTIME, &now);
	mk_ntp_to_timespec(mk_ntp_now(), &back);
	d = (int64_t)back.tv_sec - (int64_t)now.tv_sec;
	CU_ASSERT(d >= 0 && d <= 2);
}

static void test_ts_iv_and_lengths(void)
{
	int ok;

	CU_ASSERT_EQUAL(mk_ts_iv_value(MK_TS_NTP_UTC, 0x1122334455667788ull),
			0x1122334455667788ull);
	CU_ASSERT_EQUAL(mk_ts_iv_value(MK_TS_NTP, 0x1122334455667788ull),
			0x1122334455667788ull);
	CU_ASSERT_EQUAL(mk_ts_iv_value(MK_TS_NTP_UTC_32, 0xE1234567u), 0xE123456700000000ull);
	CU_ASSERT_EQUAL(mk_ts_iv_value(MK_TS_COUNTER, 0xE1234567u), 0xE1234567ull);
	CU_ASSERT_EQUAL(mk_ts_len(MK_TS_NTP_UTC), 8);
	CU_ASSERT_EQUAL(mk_ts_len(MK_TS_NTP), 8);
	CU_ASSERT_EQUAL(mk_ts_len(MK_TS_COUNTER), 4);
	CU_ASSERT_EQUAL(mk_ts_len(MK_TS_NTP_UTC_32), 4);
	CU_ASSERT_EQUAL(mk_ts_len(4), 0);
	mk_ts_to_unix(MK_TS_COUNTER, 5, &ok);
	CU_ASSERT_EQUAL(ok, 0);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_prf_and_rows_vectors),
		TK_TEST(test_prf_inkey_split),
		TK_TEST(test_prf_bad_args),
		TK_TEST(test_rows_are_distinct),
		TK_TEST(test_keysets),
		TK_TEST(test_lengths_and_sets),
		TK_TEST(test_mac),
		TK_TEST(test_kemac_vectors),
		TK_TEST(test_kemac_round_trips_and_errors),
		TK_TEST(test_ntp_eras),
		TK_TEST(test_ntp_fraction_and_now),
		TK_TEST(test_ts_iv_and_lengths),
		{ NULL, NULL },
	};

	return tk_test_run("mcrypto", tests);
}
