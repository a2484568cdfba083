/*
 * test-codec-payloads.c: every payload of mikey.md 3 written and read back
 * field by field (including those no MIKEY-TICKET message carries: ID, DH,
 * RAND, TR of every role, KV interval), the byte examples of mikey.md 3.6
 * and 3.1, and the SRTP-ID map.
 */
#include <string.h>

#include "mikey/payload.h"
#include "tk_test.h"
#include "codec-samples.h"

static uint8_t buf[2048];
static const uint8_t dhv[192] = { 0xd1 };

#define EQB(b, s, len) CU_ASSERT((b).n == (len) && memcmp((b).p, (s), (len)) == 0)

static void test_every_payload(void)
{
	struct mk_bw b;
	struct mk_thdr th = { 0 }, th2;
	struct mk_t t = { 0 }, t2;
	struct mk_tr tr = { 0 }, tr2;
	struct mk_rand r = { 0 }, r2;
	struct mk_randr rr = { 0 }, rr2;
	struct mk_id id = { 0 }, id2, ce = { 0 }, ce2;
	struct mk_idr idr = { 0 }, idr2;
	struct mk_chash ch = { 0 }, ch2;
	struct mk_pke pk = { 0 }, pk2;
	struct mk_dh dh = { 0 }, dh2;
	struct mk_errpl er = { 0 }, er2;
	struct mk_ext ex = { 0 }, ex2;
	struct mk_sp sp = { 0 }, sp2;
	struct mk_sakke sk = { 0 }, sk2;
	struct mk_kemac km = { 0 }, km2;
	struct mk_v v = { 0 }, v2;
	struct mk_sign sg = { 0 }, sg2;
	struct mk_bytes val;
	size_t eoff, pos = 0;
	uint8_t type;
	tk_rd rd;

	th.data = BS("\x01\x00\x00\x00\x09");
	t.ts_type = MK_TS_COUNTER;
	t.ts = 0x01020304;
	tr.role = MK_TR_REKEY;
	tr.ts_type = MK_TS_NTP_UTC_32;
	tr.ts = 3600;
	r.rand = (struct mk_bytes){ smp_rand32, 16 };
	rr.role = MK_RANDR_KMS;
	rr.rand = (struct mk_bytes){ smp_rand32, 32 };
	id.type = MK_ID_BYTES;
	id.data = BS("\x00\xff\x10");
	ce.type = MK_CERT_X509_URL;
	ce.data = BS("https://ca.example/cert");
	idr.role = MK_IDR_APP;
	idr.id_type = MK_ID_URI;
	idr.data = BS("urn:app:voice");
	ch.func = MK_HASH_MD5;
	ch.hash = (struct mk_bytes){ smp_rand32, 16 };
	pk.cache = MK_PKE_CACHE_CSB;
	pk.data = (struct mk_bytes){ smp_opaque, 48 };
	dh.group = MK_DH_OAKLEY5;
	dh.value = (struct mk_bytes){ dhv, 192 };
	dh.kv.type = MK_KV_INTERVAL;
	dh.kv.valid_from = BS("\x00\x00\x00\x00\x00\x01");
	dh.kv.valid_to = BS("\x00\x00\xff\xff\xff\xff");
	er.code = MK_E_INVALID_TICKET;
	ex.type = MK_EXT_KEY_ID;
	ex.data = BS("\x01\x00\x04kid1");
	sp.policy_no = 3;
	sp.prot_type = MK_PROT_SRTP;
	sp.params = (struct mk_bytes){ smp_srtp_params, sizeof(smp_srtp_params) };
	sk.params = MK_SAKKE_PARAMS_1;
	sk.id_scheme = MK_SAKKE_ID_SCHEME_TEL_MONTHLY;
	sk.data = (struct mk_bytes){ smp_opaque, 33 };
	km.encr_alg = MK_ENCR_AES_KW_128;
	km.encr = (struct mk_bytes){ smp_opaque, 24 };
	km.mac_alg = MK_MAC_HMAC_SHA1_160;
	km.mac = (struct mk_bytes){ smp_rand32, 20 };
	v.alg = MK_MAC_HMAC_SHA256_256;
	v.mac = (struct mk_bytes){ smp_rand32, 32 };
	sg.s_type = MK_SIGN_RSA_PSS;
	sg.sig = (struct mk_bytes){ smp_opaque, 40 };

	mkp_bw_init(&b, buf, sizeof(buf));
	mkp_wr_thdr(&b, &th);
	mkp_wr_t(&b, &t);
	mkp_wr_tr(&b, &tr);
	mkp_wr_rand(&b, &r);
	mkp_wr_randr(&b, &rr);
	mkp_wr_id(&b, MK_PT_ID, &id);
	mkp_wr_id(&b, MK_PT_CERT, &ce);
	mkp_wr_idr(&b, &idr);
	mkp_wr_chash(&b, &ch);
	mkp_wr_pke(&b, &pk);
	mkp_wr_dh(&b, &dh);
	mkp_wr_err(&b, &er);
	mkp_wr_ext(&b, &ex);
	mkp_wr_sp(&b, &sp);
	mkp_wr_sakke(&b, &sk);
	mkp_wr_kemac(&b, &km);
	mkp_wr_v(&b, &v);
	mkp_wr_sign(&b, &sg);
	CU_ASSERT_EQUAL_FATAL(mkp_bw_err(&b), MK_OK);
	/* nothing can follow SIGN */
	mkp_wr_err(&b, &er);
	CU_ASSERT_EQUAL(mkp_bw_err(&b), MK_ERR_BAD_ARG);

	tk_rd_init(&rd, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(mkp_rd_thdr(&rd, &th2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(th2.pl.np, MK_PT_T);
	EQB(th2.data, "\x01\x00\x00\x00\x09", 5);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_t(&rd, &t2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(t2.pl.np, MK_PT_TR);
	CU_ASSERT_EQUAL(t2.pl.len, 6);
	CU_ASSERT_EQUAL(t2.ts, 0x01020304);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_tr(&rd, &tr2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(tr2.role, MK_TR_REKEY);
	CU_ASSERT_EQUAL(tr2.ts, 3600);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_rand(&rd, &r2, &eoff), MK_OK);
	EQB(r2.rand, smp_rand32, 16);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_randr(&rd, &rr2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(rr2.role, MK_RANDR_KMS);
	EQB(rr2.rand, smp_rand32, 32);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_id(&rd, &id2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(id2.pl.np, MK_PT_CERT);
	EQB(id2.data, "\x00\xff\x10", 3);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_id(&rd, &ce2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(ce2.type, MK_CERT_X509_URL);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_idr(&rd, &idr2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(idr2.role, MK_IDR_APP);
	CU_ASSERT_EQUAL(idr2.id_type, MK_ID_URI);
	EQB(idr2.data, "urn:app:voice", 13);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_chash(&rd, &ch2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(ch2.hash.n, 16);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_pke(&rd, &pk2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(pk2.cache, MK_PKE_CACHE_CSB);
	CU_ASSERT_EQUAL(buf[pk2.pl.off + 1], 0x80); /* C in the top 2 bits */
	CU_ASSERT_EQUAL(pk2.data.n, 48);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_dh(&rd, &dh2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(dh2.value.n, 192);
	CU_ASSERT_EQUAL(dh2.kv.type, MK_KV_INTERVAL);
	EQB(dh2.kv.valid_to, "\x00\x00\xff\xff\xff\xff", 6);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_err(&rd, &er2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(er2.code, MK_E_INVALID_TICKET);
	CU_ASSERT_EQUAL(er2.pl.len, 4);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_ext(&rd, &ex2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(ex2.type, MK_EXT_KEY_ID);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_sp(&rd, &sp2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(sp2.policy_no, 3);
	CU_ASSERT_TRUE(mk_sp_param(&sp2, MK_SRTP_AUTH_TAG_LEN, &val));
	CU_ASSERT(val.n == 1 && val.p[0] == 10);
	CU_ASSERT_TRUE(mk_sp_param(&sp2, MK_SRTP_SALT_KEY_LEN, &val));
	CU_ASSERT(val.n == 1 && val.p[0] == 14);
	CU_ASSERT_FALSE(mk_sp_param(&sp2, 99, &val));
	CU_ASSERT_TRUE(mk_sp_next(&sp2, &pos, &type, &val));
	CU_ASSERT(type == MK_SRTP_ENCR_ALG && val.p[0] == 1);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_sakke(&rd, &sk2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(sk2.params, MK_SAKKE_PARAMS_1);
	CU_ASSERT_EQUAL(sk2.data.n, 33);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_kemac(&rd, &km2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(km2.encr_alg, MK_ENCR_AES_KW_128);
	CU_ASSERT_EQUAL(km2.encr.n, 24);
	CU_ASSERT_EQUAL(km2.encr_off, km2.pl.off + 4);
	EQB(km2.mac, smp_rand32, 20);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_v(&rd, &v2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(v2.pl.np, MK_PT_SIGN);
	CU_ASSERT_EQUAL(v2.mac_off, v2.pl.off + 2);
	CU_ASSERT_EQUAL_FATAL(mkp_rd_sign(&rd, &sg2, &eoff), MK_OK);
	CU_ASSERT_EQUAL(sg2.s_type, MK_SIGN_RSA_PSS);
	CU_ASSERT_EQUAL(sg2.sig.n, 40);
	CU_ASSERT_EQUAL(buf[sg2.pl.off], 0x10); /* S type 1 in the top nibble */
	CU_ASSERT_EQUAL(tk_rd_offset(&rd), b.wr.len);
}

/* mikey.md 3.6: base ticket, MIKEY-1 PRF, D E F G H I N O -> 01 F8 60 */
static void test_tp_flag_bytes(void)
{
	struct mk_msg m, p;
	size_t n;
	const uint8_t *tp;

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	m.ticket.flags = MK_TF_D | MK_TF_E | MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_I |
			 MK_TF_N | MK_TF_O;
	CU_ASSERT_EQUAL_FATAL(mk_build(&m, buf, sizeof(buf), &n), MK_OK);
	tp = buf + m.ticket.pl.off;
	CU_ASSERT_EQUAL(tp[0], MK_PT_IDR); /* IDRpsk follows */
	CU_ASSERT(tp[1] == 0x00 && tp[2] == 0x01 && tp[3] == 0x01 && tp[4] == 0x01);
	CU_ASSERT(tp[5] == 0x01 && tp[6] == 0xf8 && tp[7] == 0x60);
	CU_ASSERT_EQUAL_FATAL(mk_parse(buf, n, &p), MK_OK);
	CU_ASSERT_EQUAL(p.ticket.flags, m.ticket.flags);
	CU_ASSERT_EQUAL(p.ticket.prf, MK_PRF_MIKEY1);
	CU_ASSERT_EQUAL(p.ticket.tp.nr, 2);
	CU_ASSERT_EQUAL(p.ticket.tp.trs.ts, 0xeb000000u);
	CU_ASSERT(p.ticket.tp.kemac.pl.present);
	/* PRF-HMAC-SHA-256 sits in the upper 7 bits of byte 5 */
	m.ticket.prf = MK_PRF_HMAC_SHA256;
	CU_ASSERT_EQUAL_FATAL(mk_build(&m, buf, sizeof(buf), &n), MK_OK);
	CU_ASSERT_EQUAL(buf[m.ticket.pl.off + 5], 0x03);
	/* the flag rules of 3.6 */
	CU_ASSERT_EQUAL(mk_tp_flags_check(m.ticket.flags), MK_OK);
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_L | MK_TF_H), MK_OK);
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_H), MK_ERR_BAD_FLAGS);          /* ¬D⇒L */
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_D | MK_TF_G | MK_TF_H), MK_ERR_BAD_FLAGS); /* G⇒F */
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_D), MK_ERR_BAD_FLAGS);          /* ¬G⇒H */
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_D | MK_TF_G | MK_TF_F), MK_OK);
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_D | MK_TF_H | MK_TF_I), MK_ERR_BAD_FLAGS); /* I⇒E */
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_L | MK_TF_H | MK_TF_K), MK_ERR_BAD_FLAGS); /* K⇒D */
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_D | MK_TF_H | MK_TF_M), MK_ERR_BAD_FLAGS); /* M⇒F */
	CU_ASSERT_EQUAL(mk_tp_flags_check(MK_TF_D | MK_TF_H | MK_TF_M | MK_TF_F), MK_OK);
}

/* mikey.md 3.1: SRTP-ID entries, 9 octets each, in a TRANSFER_RESP */
static void test_srtp_id_map(void)
{
	struct mk_msg m, p;
	size_t n;
	static const uint8_t want[] = {
		0x01, MK_DT_TRANSFER_RESP, MK_PT_T, 0x00, 1, 2, 3, 4, 2, MK_MAP_SRTP_ID,
		0x00, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0,
		0x01, 0x00, 0x00, 0x00, 0x07, 0, 0, 0, 5,
	};

	smp_msg(&m, MK_DT_TRANSFER_RESP, false);
	m.hdr.map_type = MK_MAP_SRTP_ID;
	m.hdr.ncs = 2;
	m.hdr.cs.srtp[0] = (struct mk_cs_srtp){ 0, 0xdeadbeef, 0 };
	m.hdr.cs.srtp[1] = (struct mk_cs_srtp){ 1, 7, 5 };
	CU_ASSERT_EQUAL_FATAL(mk_build(&m, buf, sizeof(buf), &n), MK_OK);
	CU_ASSERT(memcmp(buf, want, sizeof(want)) == 0);
	CU_ASSERT_EQUAL(m.hdr.pl.len, sizeof(want));
	CU_ASSERT_EQUAL_FATAL(mk_parse(buf, n, &p), MK_OK);
	CU_ASSERT_EQUAL(p.hdr.ncs, 2);
	CU_ASSERT_EQUAL(p.hdr.cs.srtp[1].ssrc, 7);
	CU_ASSERT_EQUAL(p.hdr.cs.srtp[1].roc, 5);
	CU_ASSERT_EQUAL(p.t.pl.off, sizeof(want));
	/* GENERIC-ID of the sample TRANSFER_RESP: #P = 1, S = 1, SPI */
	smp_msg(&m, MK_DT_TRANSFER_RESP, true);
	CU_ASSERT_EQUAL_FATAL(mk_build(&m, buf, sizeof(buf), &n), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_parse(buf, n, &p), MK_OK);
	CU_ASSERT(p.hdr.cs.gen[0].s);
	CU_ASSERT_EQUAL(p.hdr.cs.gen[0].npolicy, 1);
	CU_ASSERT_EQUAL(p.hdr.cs.gen[0].session_data.n, 10);
	EQB(p.hdr.cs.gen[0].spi, smp_spi, 4);
}

static const struct tk_test tests[] = {
	TK_TEST(test_every_payload),
	TK_TEST(test_tp_flag_bytes),
	TK_TEST(test_srtp_id_map),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("codec-payloads", tests);
}
