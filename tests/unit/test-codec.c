/*
 * test-codec.c: MIKEY-TICKET codec (mikey.md 3, 4): round trips of every
 * message type in both algorithm sets (P-8), nested structures, and the
 * refusal of malformed input with a specific error.
 */
#include <stdio.h>
#include <string.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "tk_test.h"
#include "codec-samples.h"

static uint8_t b1[4096], b2[4096];

static void roundtrip(uint8_t dt, bool big)
{
	struct mk_msg d, p;
	size_t n1 = 0, n2 = 0;
	int e;

	smp_msg(&d, dt, big);
	e = mk_build(&d, b1, sizeof(b1), &n1);
	if (e)
		fprintf(stderr, "build dt %u: %s at %zu\n", dt, mk_strerror(e), d.err_off);
	CU_ASSERT_EQUAL_FATAL(e, MK_OK);
	CU_ASSERT(n1 > 10);
	e = mk_parse(b1, n1, &p);
	CU_ASSERT_EQUAL_FATAL(e, MK_OK);
	CU_ASSERT_EQUAL(p.hdr.data_type, dt);
	CU_ASSERT_EQUAL(p.nskipped, 0);
	CU_ASSERT_EQUAL(p.hdr.csb_id, 0x01020304);
	CU_ASSERT(p.t.pl.present);
	CU_ASSERT_EQUAL(p.t.ts, d.t.ts);
	if (d.v.pl.present) {
		CU_ASSERT_EQUAL(p.v.alg, big ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160);
		CU_ASSERT_EQUAL(p.v.mac.n, big ? 32u : 20u);
		CU_ASSERT_EQUAL(p.v.mac_off + p.v.mac.n, n1);
		CU_ASSERT_EQUAL(p.v.mac_off, d.v.mac_off);
	}
	e = mk_build(&p, b2, sizeof(b2), &n2);
	CU_ASSERT_EQUAL_FATAL(e, MK_OK);
	CU_ASSERT_EQUAL(n1, n2);
	CU_ASSERT(memcmp(b1, b2, n1) == 0);
}

static void test_roundtrip_all(void)
{
	unsigned i;

	for (i = 0; i < sizeof(smp_types); i++) {
		roundtrip(smp_types[i], false);
		roundtrip(smp_types[i], true);
	}
}

/* ---- protection: a full mode-1 flow in both algorithm sets ---- */

static const uint8_t psk_i[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const uint8_t psk_r[32] = { 11, 12, 13, 14, 15 };
static const uint8_t tpk_key[32] = { 0x77, 0x66, 0x55 };
static const uint8_t mpk_val[32] = { 0x4d, 0x50, 0x4b };
static const uint8_t tgk_val[16] = { 0x54, 0x47, 0x4b };
static const uint8_t salt_val[14] = { 0x53, 0x41, 0x4c, 0x54 };

static void keydata(struct mk_keydata *k, uint8_t type, const uint8_t *key,
		    size_t n, const uint8_t *salt, size_t sn)
{
	memset(k, 0, sizeof(*k));
	k->pl.present = true;
	k->type = type;
	k->key = (struct mk_bytes){ key, n };
	k->salt = (struct mk_bytes){ salt, sn };
	k->kv.type = MK_KV_SPI;
	k->kv.spi = (struct mk_bytes){ smp_spi, 4 };
}

/* Is the (possibly corrupted) message in buf refused by the receiver? */
typedef bool (*refuse_fn)(const uint8_t *buf, size_t n, const void *ctx);

static unsigned flip_all(uint8_t *buf, size_t n, refuse_fn f, const void *ctx)
{
	unsigned bad = 0;
	size_t i;
	int bit;

	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (uint8_t)(1u << bit);
			if (!f(buf, n, ctx)) {
				bad++;
				fprintf(stderr, "bit %zu.%d accepted\n", i, bit);
			}
			buf[i] ^= (uint8_t)(1u << bit);
		}
	return bad;
}

struct vctx {
	const uint8_t *key;
	size_t key_len;
	const struct mk_msg *init;
	const uint8_t *mpkr; /* TRANSFER_INIT: also Vi and Vr */
	size_t mpk_len;
	const struct mk_tpk *tpk; /* REQUEST_RESP: also open the ticket */
};

static bool refused(const uint8_t *buf, size_t n, const void *c)
{
	const struct vctx *v = c;
	static uint8_t plain[512];
	struct mk_ticket_keys tk;
	struct mk_keyset ks;
	struct mk_msg m;
	bool bad;

	if (mk_parse(buf, n, &m) != MK_OK)
		return true;
	if (mk_msg_keyset(&ks, &m, v->init, v->key, v->key_len) != MK_OK)
		return true;
	bad = mk_msg_verify(&m, &ks, v->init, NULL) != MK_OK;
	mk_keyset_wipe(&ks);
	if (v->mpkr && !bad)
		bad = mk_init_data_check_vi(&m) != MK_OK ||
		      mk_init_data_verify_vr(&m.ticket, v->mpkr, v->mpk_len) != MK_OK;
	if (v->tpk && !bad) {
		bad = mk_ticket_open(&m.ticket, v->tpk, 1, plain, sizeof(plain), &tk) != MK_OK;
		mk_ticket_keys_wipe(&tk);
	}
	return bad;
}

static void flow(bool big)
{
	static uint8_t rq[1024], rs[2048], ti[2048], tr[1024], ri[2048], rr[1024];
	static uint8_t tdbuf[1024], kem[512], plain[512];
	size_t mpk_len = big ? 32 : 16, nrq, nrs, nti, ntr, nri, nrr, n;
	struct mk_msg req, resp, tinit, tresp, rinit, rresp, p;
	struct mk_tpk tpk = { 0x01020304, tpk_key, 32 };
	struct mk_tpk other = { 0x0a0b0c0d, tpk_key, 32 };
	struct mk_keylist kl, got;
	struct mk_ticket_keys tkeys;
	struct mk_seal_in si;
	struct mk_keyset ks;
	struct vctx vc;
	uint8_t mpki[32], mpkr[32];
	size_t eoff;

	/* 1. REQUEST_INIT_PSK, MACed with the PSK */
	smp_msg(&req, MK_DT_REQUEST_INIT_PSK, big);
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &req, NULL, psk_i, 32), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_build(&req, rq, sizeof(rq), &nrq), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_protect(rq, &req, &ks, NULL, NULL), MK_OK);
	mk_keyset_wipe(&ks);
	vc = (struct vctx){ psk_i, 32, NULL, NULL, 0, NULL };
	CU_ASSERT_FALSE(refused(rq, nrq, &vc));
	CU_ASSERT_EQUAL(flip_all(rq, nrq, refused, &vc), 0);
	vc.key = psk_r;
	CU_ASSERT_TRUE(refused(rq, nrq, &vc));
	CU_ASSERT_EQUAL_FATAL(mk_parse(rq, nrq, &req), MK_OK);

	/* 2. KMS seals a ticket and answers REQUEST_RESP */
	smp_msg(&resp, MK_DT_REQUEST_RESP, big);
	resp.ticket.prf = MK_PRF_HMAC_SHA256; /* P-10 */
	resp.ticket.ticket_data = (struct mk_bytes){ NULL, 0 };
	kl.n = 2;
	keydata(&kl.k[0], MK_KEY_MPK, mpk_val, mpk_len, NULL, 0);
	keydata(&kl.k[1], MK_KEY_TGK_SALT, tgk_val, 16, salt_val, 14);
	si = (struct mk_seal_in){ &tpk, 0xeb00000012345678ull,
				  { smp_rand32, 32 }, &kl, NULL };
	CU_ASSERT_EQUAL_FATAL(mk_ticket_seal(&resp.ticket, &si, tdbuf, sizeof(tdbuf), &n), MK_OK);
	/* the KMS derives MPKi/MPKr by opening its own ticket */
	CU_ASSERT_EQUAL_FATAL(mk_build(&resp, rs, sizeof(rs), &nrs), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_parse(rs, nrs, &p), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_ticket_open(&p.ticket, &tpk, 1, plain, sizeof(plain), &tkeys), MK_OK);
	CU_ASSERT_EQUAL(tkeys.key_id, 0x01020304);
	CU_ASSERT_EQUAL(tkeys.mpk_len, mpk_len);
	CU_ASSERT_EQUAL(tkeys.keys.n, 2);
	CU_ASSERT(memcmp(tkeys.keys.k[0].key.p, mpk_val, mpk_len) == 0);
	CU_ASSERT(memcmp(tkeys.keys.k[1].salt.p, salt_val, 14) == 0);
	CU_ASSERT(memcmp(tkeys.mpki, tkeys.mpkr, mpk_len) != 0);
	memcpy(mpki, tkeys.mpki, mpk_len);
	memcpy(mpkr, tkeys.mpkr, mpk_len);
	mk_ticket_keys_wipe(&tkeys);
	CU_ASSERT_EQUAL(mk_ticket_open(&p.ticket, &other, 1, plain, sizeof(plain), &tkeys),
			MK_ERR_UNKNOWN_KEY);
	/* KEMAC to I: MPKi, MPKr, TGK */
	keydata(&kl.k[0], MK_KEY_MPK, mpki, mpk_len, NULL, 0);
	keydata(&kl.k[2], MK_KEY_TGK_SALT, tgk_val, 16, salt_val, 14);
	keydata(&kl.k[1], MK_KEY_MPK, mpkr, mpk_len, NULL, 0);
	kl.n = 3;
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &resp, &req, psk_i, 32), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_kemac_seal(&kl, &ks, resp.hdr.csb_id, &resp.t, kem,
					    sizeof(kem), &n), MK_OK);
	resp.kemac.encr = (struct mk_bytes){ kem, n };
	CU_ASSERT_EQUAL_FATAL(mk_build(&resp, rs, sizeof(rs), &nrs), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_protect(rs, &resp, &ks, &req, NULL), MK_OK);
	mk_keyset_wipe(&ks);
	vc = (struct vctx){ psk_i, 32, &req, NULL, 0, &tpk };
	CU_ASSERT_FALSE(refused(rs, nrs, &vc));
	CU_ASSERT_EQUAL(flip_all(rs, nrs, refused, &vc), 0);
	/* the ticket MAC alone: every bit of the TICKET payload but its NP
	 * byte (the Initiator Data is empty here) */
	{
		struct mk_msg q;
		unsigned i, bit, bad = 0;

		CU_ASSERT_EQUAL_FATAL(mk_parse(rs, nrs, &q), MK_OK);
		for (i = q.ticket.pl.off + 1; i < q.ticket.pl.off + q.ticket.pl.len; i++)
			for (bit = 0; bit < 8; bit++) {
				struct mk_msg x;
				int e;

				rs[i] ^= (uint8_t)(1u << bit);
				e = mk_parse(rs, nrs, &x);
				if (e == MK_OK) {
					e = mk_ticket_open(&x.ticket, &tpk, 1, plain,
							   sizeof(plain), &tkeys);
					mk_ticket_keys_wipe(&tkeys);
				}
				bad += e == MK_OK;
				rs[i] ^= (uint8_t)(1u << bit);
			}
		CU_ASSERT_EQUAL(bad, 0);
	}
	/* I decrypts */
	CU_ASSERT_EQUAL_FATAL(mk_parse(rs, nrs, &resp), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &resp, &req, psk_i, 32), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_kemac_open(&resp.kemac, &ks, resp.hdr.csb_id, &resp.t,
					    plain, sizeof(plain), &got), MK_OK);
	mk_keyset_wipe(&ks);
	CU_ASSERT_EQUAL(got.n, 3);
	CU_ASSERT(memcmp(got.k[0].key.p, mpki, mpk_len) == 0);
	CU_ASSERT(memcmp(got.k[1].key.p, mpkr, mpk_len) == 0);
	CU_ASSERT_EQUAL(got.k[2].type, MK_KEY_TGK_SALT);

	/* 3. TRANSFER_INIT with the ticket, V by MPKi, Vi/Vr (forking) */
	smp_msg(&tinit, MK_DT_TRANSFER_INIT, big);
	tinit.ticket = resp.ticket;
	tinit.ticket.init_data = (struct mk_bytes){ NULL, 0 };
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &tinit, NULL, mpki, mpk_len), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_build(&tinit, ti, sizeof(ti), &nti), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_protect(ti, &tinit, &ks, NULL, NULL), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_init_data_protect(ti, &tinit, mpkr, mpk_len), MK_OK);
	mk_keyset_wipe(&ks);
	vc = (struct vctx){ mpki, mpk_len, NULL, mpkr, mpk_len, &tpk };
	CU_ASSERT_FALSE(refused(ti, nti, &vc));
	CU_ASSERT_EQUAL(flip_all(ti, nti, refused, &vc), 0);
	CU_ASSERT_EQUAL_FATAL(mk_parse(ti, nti, &tinit), MK_OK);
	CU_ASSERT_EQUAL(mk_init_data_check_vi(&tinit), MK_OK);
	/* Rebuilding from the parsed message with shifted offsets (a longer
	 * IDRi, Initiator Data copied raw) still protects the right bytes. */
	{
		static uint8_t ti2[2048];
		struct mk_msg t2 = tinit;
		size_t n2;

		t2.idr[MK_IDR_I].data = BS("sip:alice.longer.name@home1.net");
		CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &t2, NULL, mpki, mpk_len), MK_OK);
		CU_ASSERT_EQUAL_FATAL(mk_build(&t2, ti2, sizeof(ti2), &n2), MK_OK);
		CU_ASSERT_EQUAL(n2, nti + 12);
		CU_ASSERT_EQUAL_FATAL(mk_msg_protect(ti2, &t2, &ks, NULL, NULL), MK_OK);
		CU_ASSERT_EQUAL_FATAL(mk_init_data_protect(ti2, &t2, mpkr, mpk_len), MK_OK);
		mk_keyset_wipe(&ks);
		CU_ASSERT_FALSE(refused(ti2, n2, &vc));
	}

	/* 4. RESOLVE_INIT_PSK carrying the ticket; KMS opens it, checks Vr */
	smp_msg(&rinit, MK_DT_RESOLVE_INIT_PSK, big);
	rinit.ticket = tinit.ticket;
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &rinit, NULL, psk_r, 32), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_build(&rinit, ri, sizeof(ri), &nri), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_protect(ri, &rinit, &ks, NULL, NULL), MK_OK);
	mk_keyset_wipe(&ks);
	vc = (struct vctx){ psk_r, 32, NULL, NULL, 0, &tpk };
	CU_ASSERT_EQUAL(flip_all(ri, nri, refused, &vc), 0);
	CU_ASSERT_EQUAL_FATAL(mk_parse(ri, nri, &rinit), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_ticket_open(&rinit.ticket, &tpk, 1, plain, sizeof(plain), &tkeys), MK_OK);
	CU_ASSERT(memcmp(tkeys.mpki, mpki, mpk_len) == 0);
	CU_ASSERT_EQUAL(mk_init_data_verify_vr(&rinit.ticket, tkeys.mpkr, mpk_len), MK_OK);
	CU_ASSERT_EQUAL(mk_init_data_verify_vr(&rinit.ticket, tkeys.mpki, mpk_len), MK_ERR_MAC);
	mk_ticket_keys_wipe(&tkeys);

	/* 5. RESOLVE_RESP */
	smp_msg(&rresp, MK_DT_RESOLVE_RESP, big);
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &rresp, &rinit, psk_r, 32), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_kemac_seal(&kl, &ks, rresp.hdr.csb_id, &rresp.t, kem,
					    sizeof(kem), &n), MK_OK);
	rresp.kemac.encr = (struct mk_bytes){ kem, n };
	CU_ASSERT_EQUAL_FATAL(mk_build(&rresp, rr, sizeof(rr), &nrr), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_protect(rr, &rresp, &ks, &rinit, NULL), MK_OK);
	mk_keyset_wipe(&ks);
	vc = (struct vctx){ psk_r, 32, &rinit, NULL, 0, NULL };
	CU_ASSERT_EQUAL(flip_all(rr, nrr, refused, &vc), 0);

	/* 6. TRANSFER_RESP keyed by MPKi (G flag: RANDRr in the label) */
	smp_msg(&tresp, MK_DT_TRANSFER_RESP, big);
	CU_ASSERT_EQUAL_FATAL(mk_msg_keyset(&ks, &tresp, &tinit, mpki, mpk_len), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_build(&tresp, tr, sizeof(tr), &ntr), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_msg_protect(tr, &tresp, &ks, &tinit, NULL), MK_OK);
	mk_keyset_wipe(&ks);
	vc = (struct vctx){ mpki, mpk_len, &tinit, NULL, 0, NULL };
	CU_ASSERT_EQUAL(flip_all(tr, ntr, refused, &vc), 0);
	/* P-26: the TRANSFER_RESP MAC covers TRANSFER_INIT's Initiator Data */
	ti[tinit.ticket.init.vr.mac_off] ^= 1;
	CU_ASSERT_TRUE(refused(tr, ntr, &vc));
	ti[tinit.ticket.init.vr.mac_off] ^= 1;
	CU_ASSERT_FALSE(refused(tr, ntr, &vc));
	(void)eoff;
}

static void test_flow_128(void) { flow(false); }
static void test_flow_256(void) { flow(true); }

static void test_downgrade_refused(void)
{
	struct mk_msg m;
	struct mk_keyset ks;

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.v.alg = MK_MAC_NULL;
	CU_ASSERT_EQUAL(mk_msg_keyset(&ks, &m, NULL, psk_i, 32), MK_ERR_ALG);
	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, true);
	m.v.alg = MK_MAC_HMAC_SHA1_160;
	CU_ASSERT_EQUAL(mk_msg_keyset(&ks, &m, NULL, psk_i, 32), MK_ERR_ALG);
	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.hdr.prf = MK_PRF_HMAC_SHA256;
	CU_ASSERT_EQUAL(mk_msg_keyset(&ks, &m, NULL, psk_i, 32), MK_ERR_ALG);
	smp_msg(&m, MK_DT_REQUEST_RESP, false);
	CU_ASSERT_EQUAL(mk_msg_keyset(&ks, &m, NULL, psk_i, 32), MK_ERR_BAD_ARG);
}

/* Does buf hold 16 consecutive octets of the marker key? */
static bool has_marker(const uint8_t *buf, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		run = buf[i] == 0xa5 ? run + 1 : 0;
		if (run == 16)
			return true;
	}
	return false;
}

/* A seal that runs out of room leaves no plaintext key chain in its output
 * buffer, whichever step fails. */
static void test_seal_failure_leaves_no_key(void)
{
	static uint8_t out[512];
	uint8_t secret[32];
	struct mk_tpk tpk = { 1, tpk_key, 32 };
	struct mk_keylist kl;
	struct mk_keyset ks;
	struct mk_seal_in si;
	struct mk_msg resp;
	size_t cap, n;
	unsigned fails = 0;

	memset(secret, 0xa5, sizeof(secret));
	kl.n = 2;
	keydata(&kl.k[0], MK_KEY_MPK, secret, 32, NULL, 0);
	keydata(&kl.k[1], MK_KEY_TGK, secret, 32, NULL, 0);
	si = (struct mk_seal_in){ &tpk, 0xeb00000012345678ull, { smp_rand32, 32 }, &kl, NULL };
	for (cap = 0; cap < sizeof(out); cap++) {
		smp_msg(&resp, MK_DT_REQUEST_RESP, true);
		resp.ticket.prf = MK_PRF_HMAC_SHA256;
		memset(out, 0, sizeof(out));
		if (mk_ticket_seal(&resp.ticket, &si, out, cap, &n) == MK_OK)
			break;
		fails++;
		CU_ASSERT_FALSE(has_marker(out, sizeof(out)));
	}
	CU_ASSERT(fails > 100); /* the loop went through every failing step */
	CU_ASSERT(cap < sizeof(out));

	CU_ASSERT_EQUAL_FATAL(mk_keyset_6043(&ks, MK_PRF_MIKEY1, MK_ENCR_AES_CM_128,
					     MK_MAC_HMAC_SHA1_160, psk_i, 32, 1,
					     MK_DIR_RESPONSE, smp_rand32, 16, NULL, 0), MK_OK);
	smp_msg(&resp, MK_DT_REQUEST_RESP, false);
	for (cap = 0; cap < sizeof(out); cap++) {
		memset(out, 0, sizeof(out));
		if (mk_kemac_seal(&kl, &ks, 1, &resp.t, out, cap, &n) == MK_OK)
			break;
		CU_ASSERT_FALSE(has_marker(out, sizeof(out)));
	}
	CU_ASSERT(cap > 64 && cap < sizeof(out));
	CU_ASSERT_FALSE(has_marker(out, n));
	mk_keyset_wipe(&ks);
}

static const struct tk_test tests[] = {
	TK_TEST(test_roundtrip_all),
	TK_TEST(test_flow_128),
	TK_TEST(test_flow_256),
	TK_TEST(test_downgrade_refused),
	TK_TEST(test_seal_failure_leaves_no_key),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("codec", tests);
}
