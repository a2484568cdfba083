/*
 * test-tool-json.c: the JSON view of tkms-mikey (src/tools/mikey-json.c):
 * names of code points and null for unknown ones (mikey.md 2), the era
 * rule and fractions of ISO 8601 times (3.4), COUNTER, ID data as text or
 * hex, the SRTP-ID map, and key lists that show key bytes only on request.
 */
#include <string.h>

#include "mikey/mikey.h"
#include "tools/mikey-json.h"
#include "tk_test.h"

#define BS(s) ((struct mk_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

static uint8_t buf[2048];

static json_t *payload(json_t *root, const char *name, unsigned nth)
{
	json_t *a = json_object_get(root, "payloads"), *v;
	size_t i;

	json_array_foreach(a, i, v) {
		const char *s = json_string_value(json_object_get(v, "payload"));

		if (s && !strcmp(s, name) && nth-- == 0)
			return v;
	}
	return NULL;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *build_parse(struct mk_msg *d, struct mk_msg *p)
{
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(mk_build(d, buf, sizeof(buf), &n), MK_OK);
	CU_ASSERT_EQUAL_FATAL(mk_parse(buf, n, p), MK_OK);
	return mj_message(p);
}

static void error_msg(struct mk_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->hdr.version = MK_VERSION;
	m->hdr.data_type = MK_DT_ERROR;
	m->hdr.csb_id = 0x01020304;
	m->hdr.map_type = MK_MAP_EMPTY;
	m->t.pl.present = true;
	m->nerr = 2;
	m->err[0].pl.present = m->err[1].pl.present = true;
	m->err[0].code = 13; /* defined by no document read (mikey.md 2.4) */
	m->err[1].code = MK_E_INVALID_TICKET;
	m->v.pl.present = true;
	m->v.alg = MK_MAC_HMAC_SHA1_160;
}

static void test_names_and_null(void)
{
	static struct mk_msg d, p;
	json_t *j, *e0, *e1, *hdr;

	error_msg(&d);
	d.t.ts_type = MK_TS_NTP_UTC_32;
	d.t.ts = 0x00000010u; /* top bit 0: era 1, 2036-02-07T06:28:16Z + 16 s */
	j = build_parse(&d, &p);
	hdr = json_object_get(j, "HDR");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(hdr, "data_type"), "name"), "Error");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(hdr, "CSB_ID")), 0x01020304);
	CU_ASSERT_STRING_EQUAL(str(json_object_get(hdr, "CS_ID_map_type"), "name"), "Empty map");
	e0 = payload(j, "ERR", 0);
	e1 = payload(j, "ERR", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(e0, "Error_no"), "value")), 13);
	CU_ASSERT_TRUE(json_is_null(json_object_get(json_object_get(e0, "Error_no"), "name")));
	CU_ASSERT_STRING_EQUAL(str(json_object_get(e1, "Error_no"), "name"), "Invalid TICKET");
	CU_ASSERT_STRING_EQUAL(str(payload(j, "T", 0), "time"), "2036-02-07T06:28:32Z");
	CU_ASSERT_STRING_EQUAL(str(payload(j, "T", 0), "TS_value"), "00000010");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(payload(j, "V", 0), "Auth_alg"), "name"),
			       "HMAC-SHA-1-160");
	json_decref(j);
}

static void test_times(void)
{
	static struct mk_msg d, p;
	json_t *j, *t;

	/* NTP-UTC with half a second: 2026-11-27T12:00:00.5Z */
	error_msg(&d);
	d.t.ts_type = MK_TS_NTP_UTC;
	d.t.ts = 0xeeb3ef4080000000ull;
	j = build_parse(&d, &p);
	CU_ASSERT_STRING_EQUAL(str(payload(j, "T", 0), "time"), "2026-11-27T12:00:00.500000Z");
	json_decref(j);

	/* top bit 1 of NTP-UTC-32: era 0, counted from 1900 */
	error_msg(&d);
	d.t.ts_type = MK_TS_NTP_UTC_32;
	d.t.ts = 0x83aa7e80u; /* 1970-01-01T00:00:00Z */
	j = build_parse(&d, &p);
	CU_ASSERT_STRING_EQUAL(str(payload(j, "T", 0), "time"), "1970-01-01T00:00:00Z");
	json_decref(j);

	/* COUNTER: a number, no time */
	error_msg(&d);
	d.t.ts_type = MK_TS_COUNTER;
	d.t.ts = 4711;
	j = build_parse(&d, &p);
	t = payload(j, "T", 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(t, "counter")), 4711);
	CU_ASSERT_PTR_NULL(json_object_get(t, "time"));
	CU_ASSERT_STRING_EQUAL(str(json_object_get(t, "TS_type"), "name"), "COUNTER");
	json_decref(j);
}

static void test_id_text_or_hex(void)
{
	static const uint8_t rnd[32] = { 1 };
	static const uint8_t bin[5] = { 0x00, 0xff, 0x41, 0x0a, 0x7f };
	static struct mk_msg d, p;
	json_t *j, *idr;
	size_t i;

	memset(&d, 0, sizeof(d));
	d.hdr.version = MK_VERSION;
	d.hdr.data_type = MK_DT_RESOLVE_INIT_PSK;
	d.hdr.v = true;
	d.hdr.map_type = MK_MAP_EMPTY;
	d.t.pl.present = true;
	d.randr[MK_RANDR_R].pl.present = true;
	d.randr[MK_RANDR_R].rand = (struct mk_bytes){ rnd, 32 };
	d.idr[MK_IDR_R] = (struct mk_idr){ { true, 0, 0, 0 }, MK_IDR_R, MK_ID_URI,
					   BS("sip:bob@home1.net") };
	d.idr[MK_IDR_PSK] = (struct mk_idr){ { true, 0, 0, 0 }, MK_IDR_PSK, MK_ID_BYTES,
					     { bin, sizeof(bin) } };
	d.ticket.pl.present = true;
	d.ticket.is_ticket = true;
	d.ticket.ticket_type = 0x1234; /* not a base ticket: Ticket Data shown opaque */
	d.ticket.flags = MK_TF_D | MK_TF_F | MK_TF_G | MK_TF_H;
	d.ticket.tp.nr = 1;
	d.ticket.tp.idrr[0] = d.idr[MK_IDR_R];
	d.ticket.ticket_data = BS("opaque");
	d.v.pl.present = true;
	d.v.alg = MK_MAC_HMAC_SHA256_256;
	d.hdr.prf = MK_PRF_HMAC_SHA256;
	j = build_parse(&d, &p);
	for (i = 0; (idr = payload(j, "IDR", (unsigned)i)); i++) {
		const char *role = str(json_object_get(idr, "ID_role"), "name");

		if (!strcmp(role, "IDRr")) {
			CU_ASSERT_STRING_EQUAL(str(idr, "ID_data"), "sip:bob@home1.net");
			CU_ASSERT_STRING_EQUAL(str(idr, "ID_data_encoding"), "text");
		} else {
			CU_ASSERT_STRING_EQUAL(role, "IDRpsk");
			CU_ASSERT_STRING_EQUAL(str(idr, "ID_data"), "00ff410a7f");
			CU_ASSERT_STRING_EQUAL(str(idr, "ID_data_encoding"), "hex");
			CU_ASSERT_STRING_EQUAL(str(json_object_get(idr, "ID_type"), "name"),
					       "Byte string");
		}
	}
	CU_ASSERT_EQUAL(i, 2);
	idr = payload(j, "TICKET", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(idr);
	CU_ASSERT_TRUE(json_is_null(json_object_get(json_object_get(idr, "Ticket_type"), "name")));
	CU_ASSERT_STRING_EQUAL(str(json_object_get(idr, "Ticket_data"), "opaque"), "6f7061717565");
	CU_ASSERT_STRING_EQUAL(str(json_object_get(idr, "flags"), "set"), "DFGH");
	json_decref(j);
}

static void test_srtp_id_map(void)
{
	static struct mk_msg d, p;
	json_t *j, *e;

	/* RFC 3830 SRTP-ID map entries */
	error_msg(&d);
	d.hdr.map_type = MK_MAP_SRTP_ID;
	d.hdr.ncs = 1;
	d.hdr.cs.srtp[0] = (struct mk_cs_srtp){ 3, 0xdeadbeef, 7 };
	j = build_parse(&d, &p);
	CU_ASSERT_STRING_EQUAL(str(json_object_get(json_object_get(j, "HDR"), "CS_ID_map_type"),
				   "name"), "SRTP-ID");
	e = json_array_get(json_object_get(json_object_get(j, "HDR"), "CS_ID_map_info"), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "Policy_no")), 3);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "SSRC")), 0xdeadbeef);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "ROC")), 7);
	json_decref(j);
}

static void test_keylist(void)
{
	static const uint8_t zero16[16], spi[4] = { 0, 0, 0, 9 }, salt[14] = { 1 };
	struct mk_keylist kl;
	static const char *const roles[] = { "MPKi" };
	json_t *a, *k;
	char fp[9];

	memset(&kl, 0, sizeof(kl));
	kl.n = 2;
	kl.k[0].type = MK_KEY_MPK;
	kl.k[0].key = (struct mk_bytes){ zero16, 16 };
	kl.k[0].kv.type = MK_KV_SPI;
	kl.k[0].kv.spi = (struct mk_bytes){ spi, 4 };
	kl.k[1].type = MK_KEY_TGK_SALT;
	kl.k[1].key = (struct mk_bytes){ zero16, 16 };
	kl.k[1].salt = (struct mk_bytes){ salt, 14 };
	mj_fingerprint(zero16, 16, fp);
	CU_ASSERT_STRING_EQUAL(fp, "374708ff"); /* SHA-256 of 16 zero octets */

	a = mj_keylist(&kl, roles, 1, false, false);
	k = json_array_get(a, 0);
	CU_ASSERT_STRING_EQUAL(str(k, "role"), "MPKi");
	CU_ASSERT_STRING_EQUAL(str(k, "key_fingerprint"), "374708ff");
	CU_ASSERT_STRING_EQUAL(str(k, "SPI"), "00000009");
	CU_ASSERT_PTR_NULL(json_object_get(k, "Key_data"));
	k = json_array_get(a, 1);
	CU_ASSERT_PTR_NULL(json_object_get(k, "role"));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(k, "Salt_len")), 14);
	CU_ASSERT_PTR_NULL(json_object_get(k, "Salt_data"));
	CU_ASSERT_STRING_EQUAL(str(json_object_get(k, "KV"), "name"), "Null");
	json_decref(a);

	a = mj_keylist(&kl, NULL, 0, false, true);
	CU_ASSERT_STRING_EQUAL(str(json_array_get(a, 0), "Key_data"),
			       "00000000000000000000000000000000");
	CU_ASSERT_STRING_EQUAL(str(json_array_get(a, 1), "Salt_data"),
			       "0100000000000000000000000000");
	json_decref(a);

	/* desired keys (TP KEMAC): lengths only, no fingerprints */
	a = mj_keylist(&kl, NULL, 0, true, true);
	CU_ASSERT_PTR_NULL(json_object_get(json_array_get(a, 0), "key_fingerprint"));
	CU_ASSERT_PTR_NULL(json_object_get(json_array_get(a, 0), "Key_data"));
	json_decref(a);
}

static const struct tk_test tests[] = {
	TK_TEST(test_names_and_null),
	TK_TEST(test_times),
	TK_TEST(test_id_text_or_hex),
	TK_TEST(test_srtp_id_map),
	TK_TEST(test_keylist),
	{ NULL, NULL },
};

int main(void)
{
	return tk_test_run("tool-json", tests);
}
