/*
 * test-gba-digest.c: HTTP Digest AKA. Worked example of gba.md 5.2 and the
 * RFC 2617 example (tests/vectors/gba/gba-examples.json), the header parser
 * on valid and hostile input, builders, client <-> server round trips (qop
 * auth-int with a body, rspauth over the 200 OK body, P-27), AUTS in headers.
 */
#include "gba/digest.h"
#include "gba/milenage.h"
#include "util/hexb64.h"
#include "tk_test.h"

#include <jansson.h>
#include <nettle/md5.h>
#include <string.h>

static json_t *ex_root;

static const char *ex(const char *section, const char *name)
{
	const char *s;

	if (!ex_root) {
		char path[1024];
		json_error_t err;

		ex_root = json_load_file(tk_srcpath("tests/vectors/gba/gba-examples.json",
						    path, sizeof path), 0, &err);
		if (!ex_root)
			fprintf(stderr, "%s: %s\n", path, err.text);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex_root);
	s = json_string_value(json_object_get(json_object_get(ex_root, section), name));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

static void exhex(const char *section, const char *name, uint8_t *out, size_t n)
{
	CU_ASSERT_EQUAL_FATAL(tk_hex_decode(ex(section, name), out, n), (long)n);
}

static void md5hex(const char *s, char out[33])
{
	struct md5_ctx c;
	uint8_t h[16];

	md5_init(&c);
	md5_update(&c, strlen(s), (const uint8_t *)s);
	md5_digest(&c, 16, h);
	tk_hex_encode(h, 16, out);
}

static int parse_s(enum tk_digest_kind kind, const char *s, struct tk_digest *d)
{
	return tk_digest_parse(kind, s, strlen(s), d);
}

/* ---- worked examples -------------------------------------------------- */

static void test_gba_5_2_example(void)
{
	uint8_t res[8], ck[16], ik[16], rand[16], autn[16], r2[16], a2[16];
	char nonce[64], out[33], a1[256], ha1[33], ha2[33], pw2[25], hdr[1024];
	struct tk_digest d, srv;

	exhex("digest", "res", res, 8);
	exhex("digest", "ck", ck, 16);
	exhex("digest", "ik", ik, 16);
	exhex("digest", "rand", rand, 16);
	exhex("digest", "autn", autn, 16);

	/* nonce = base64(RAND || AUTN) and back */
	CU_ASSERT_EQUAL(tk_digest_aka_nonce(rand, autn, NULL, 0, nonce, sizeof nonce), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(nonce, ex("digest", "nonce"));
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse(nonce, strlen(nonce), r2, a2), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(memcmp(r2, rand, 16), 0);
	CU_ASSERT_EQUAL(memcmp(a2, autn, 16), 0);

	/* HA1/HA2 of the example are what RFC 2617 says they are */
	snprintf(a1, sizeof a1, "%s:%s:", ex("digest", "username"), ex("digest", "realm"));
	{
		struct md5_ctx c;
		uint8_t h[16];

		md5_init(&c);
		md5_update(&c, strlen(a1), (const uint8_t *)a1);
		md5_update(&c, 8, res); /* RES as raw octets */
		md5_digest(&c, 16, h);
		tk_hex_encode(h, 16, ha1);
	}
	CU_ASSERT_STRING_EQUAL(ha1, ex("digest", "ha1"));
	{
		char hbody[33], a2s[128];

		md5hex(ex("digest", "body"), hbody);
		snprintf(a2s, sizeof a2s, "%s:%s:%s", ex("digest", "method"), ex("digest", "uri"), hbody);
		md5hex(a2s, ha2);
	}
	CU_ASSERT_STRING_EQUAL(ha2, ex("digest", "ha2"));

	/* our response */
	tk_digest_init(&d);
	d.username = ex("digest", "username");
	d.realm = ex("digest", "realm");
	d.nonce = nonce;
	d.uri = ex("digest", "uri");
	d.cnonce = ex("digest", "cnonce");
	d.alg = TK_DIGEST_ALG_AKAV1_MD5;
	d.qop = TK_DIGEST_QOP_AUTH_INT;
	d.nc = 1;
	CU_ASSERT_STRING_EQUAL(ex("digest", "qop"), "auth-int");
	CU_ASSERT_STRING_EQUAL(ex("digest", "nc"), "00000001");
	CU_ASSERT_STRING_EQUAL(tk_digest_alg_name(d.alg), ex("digest", "algorithm"));
	CU_ASSERT_EQUAL(tk_digest_response(&d, ex("digest", "method"), res, 8, NULL, 0, out), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(out, ex("digest", "response"));

	/* through the header: build, parse, verify with XRES */
	d.response = out;
	CU_ASSERT_EQUAL(tk_digest_build(TK_DIGEST_CREDENTIALS, &d, hdr, sizeof hdr), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(parse_s(TK_DIGEST_CREDENTIALS, hdr, &srv), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "GET", res, 8, NULL, 0), TK_DIGEST_OK);
	res[7] ^= 1;
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "GET", res, 8, NULL, 0), TK_DIGEST_E_MISMATCH);

	CU_ASSERT_EQUAL(tk_digest_akav2_password(res, 8, ik, ck, pw2), TK_DIGEST_OK);
	CU_ASSERT_STRING_NOT_EQUAL(pw2, ex("digest", "akav2_password"));
	res[7] ^= 1;
	CU_ASSERT_EQUAL(tk_digest_akav2_password(res, 8, ik, ck, pw2), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(pw2, ex("digest", "akav2_password"));
}

static void test_rfc2617_example(void)
{
	char hdr[1024], out[33];
	struct tk_digest d;
	const char *pw = ex("rfc2617", "password");

	snprintf(hdr, sizeof hdr,
		 "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", qop=%s, "
		 "nc=%s, cnonce=\"%s\", response=\"%s\", opaque=\"%s\"",
		 ex("rfc2617", "username"), ex("rfc2617", "realm"), ex("rfc2617", "nonce"),
		 ex("rfc2617", "uri"), ex("rfc2617", "qop"), ex("rfc2617", "nc"),
		 ex("rfc2617", "cnonce"), ex("rfc2617", "response"), ex("rfc2617", "opaque"));
	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_CREDENTIALS, hdr, &d), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(d.qop, TK_DIGEST_QOP_AUTH);
	CU_ASSERT_EQUAL(d.nc, 1);
	CU_ASSERT_EQUAL(d.alg, TK_DIGEST_ALG_ABSENT);
	CU_ASSERT_EQUAL(tk_digest_response(&d, ex("rfc2617", "method"), (const uint8_t *)pw,
					   strlen(pw), NULL, 0, out), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(out, ex("rfc2617", "response"));
	CU_ASSERT_EQUAL(tk_digest_verify(&d, "GET", (const uint8_t *)pw, strlen(pw), NULL, 0),
			TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_verify(&d, "POST", (const uint8_t *)pw, strlen(pw), NULL, 0),
			TK_DIGEST_E_MISMATCH);
}

/* ---- parser: valid input ---------------------------------------------- */

static void test_parse_first_request(void)
{
	static const char h[] = "Digest username=\"user1_private@home1.net\", realm=\"bsf.home1.net\", "
				"nonce=\"\", uri=\"/\", response=\"\"";
	struct tk_digest d;

	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_CREDENTIALS, h, &d), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(d.username, "user1_private@home1.net");
	CU_ASSERT_STRING_EQUAL(d.realm, "bsf.home1.net");
	CU_ASSERT_STRING_EQUAL(d.nonce, "");
	CU_ASSERT_STRING_EQUAL(d.uri, "/");
	CU_ASSERT_STRING_EQUAL(d.response, "");
	CU_ASSERT_EQUAL(d.qop, 0);
	CU_ASSERT_EQUAL(d.nc, 0);
	CU_ASSERT_PTR_NULL(d.cnonce);
	CU_ASSERT_FALSE(d.has_auts);
	/* an empty response never verifies */
	CU_ASSERT_EQUAL(tk_digest_verify(&d, "GET", NULL, 0, NULL, 0), TK_DIGEST_E_MISMATCH);
}

static void test_parse_valid_variants(void)
{
	struct tk_digest d;

	/* BSF challenge (gba.md 2.1) */
	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_CHALLENGE,
		"Digest realm=\"bsf.home1.net\", nonce=\"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=\", "
		"algorithm=AKAv1-MD5, qop=\"auth-int\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", &d),
		TK_DIGEST_OK);
	CU_ASSERT_EQUAL(d.alg, TK_DIGEST_ALG_AKAV1_MD5);
	CU_ASSERT_EQUAL(d.qop, TK_DIGEST_QOP_AUTH_INT);
	CU_ASSERT_STRING_EQUAL(d.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
	CU_ASSERT_FALSE(d.stale);

	/* NAF challenge with both realms, qop list with an unknown option */
	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_CHALLENGE,
		"Digest realm=\"3GPP-bootstrapping-uicc@naf.home1.net;3GPP-bootstrapping@naf.home1.net\", "
		"nonce=\"abc\", qop=\"auth , auth-int,auth-future\", stale=TRUE, domain=\"/ /x\"", &d),
		TK_DIGEST_OK);
	CU_ASSERT_EQUAL(d.qop, TK_DIGEST_QOP_AUTH | TK_DIGEST_QOP_AUTH_INT);
	CU_ASSERT_TRUE(d.stale);
	CU_ASSERT_STRING_EQUAL(d.domain, "/ /x");
	CU_ASSERT_STRING_EQUAL(d.realm, "3GPP-bootstrapping-uicc@naf.home1.net;3GPP-bootstrapping@naf.home1.net");

	/* curl style: unquoted qop/nc/algorithm, uppercase hex response lowered */
	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_CREDENTIALS,
		"Digest username=\"I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net\", realm=\"3GPP-bootstrapping@kms\", "
		"nonce=\"n\", uri=\"/mikey\", cnonce=\"NjM2\", nc=0000000a, qop=auth, "
		"response=\"D47E4AFD3245638428C815924BC5BC69\", algorithm=MD5", &d), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(d.response, "d47e4afd3245638428c815924bc5bc69");
	CU_ASSERT_EQUAL(d.nc, 10);
	CU_ASSERT_EQUAL(d.qop, TK_DIGEST_QOP_AUTH);
	CU_ASSERT_EQUAL(d.alg, TK_DIGEST_ALG_MD5);

	/* escapes, case-insensitive names/scheme/algorithm, empty list elements,
	 * whitespace around '=', token values, unknown directives, obs-text */
	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_CREDENTIALS,
		" DIGEST ,USERNAME = \"a\\\"b\\\\c\\d\",, Realm=r\t, x-unknown=\"q,\\\"w\",future=tok, "
		"nonce=\"n\", uri=\"/\xc3\xa9\", response=\"\", algorithm=akav1-md5-SESS ,", &d),
		TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(d.username, "a\"b\\cd");
	CU_ASSERT_STRING_EQUAL(d.realm, "r");
	CU_ASSERT_STRING_EQUAL(d.uri, "/\xc3\xa9");
	CU_ASSERT_EQUAL(d.alg, TK_DIGEST_ALG_AKAV1_MD5_SESS);

	/* AUTS (RFC 3310 3.4) */
	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_CREDENTIALS,
		"Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\", "
		"auts=\"hxGg7J4WN98X+As4TuQ=\"", &d), TK_DIGEST_OK);
	CU_ASSERT_TRUE(d.has_auts);
	{
		static const uint8_t want[14] = { 0x87, 0x11, 0xa0, 0xec, 0x9e, 0x16, 0x37, 0xdf,
						  0x17, 0xf8, 0x0b, 0x38, 0x4e, 0xe4 };
		CU_ASSERT_EQUAL(memcmp(d.auts, want, 14), 0);
	}

	/* Authentication-Info (no scheme) */
	CU_ASSERT_EQUAL_FATAL(parse_s(TK_DIGEST_AUTH_INFO,
		"qop=auth-int, rspauth=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\", "
		"nc=00000001, nextnonce=\"nn\"", &d), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(d.qop, TK_DIGEST_QOP_AUTH_INT);
	CU_ASSERT_STRING_EQUAL(d.rspauth, "6629fae49393a05397450978507c4ef1");
	CU_ASSERT_STRING_EQUAL(d.nextnonce, "nn");
	CU_ASSERT_EQUAL(parse_s(TK_DIGEST_AUTH_INFO, "", &d), TK_DIGEST_OK);
	CU_ASSERT_PTR_NULL(d.rspauth);

	/* directives of another header kind are ignored, not errors */
	CU_ASSERT_EQUAL(parse_s(TK_DIGEST_CHALLENGE,
		"Digest realm=r, nonce=n, username=\"x\", username=\"y\", auts=bad", &d), TK_DIGEST_OK);
	CU_ASSERT_PTR_NULL(d.username);
	CU_ASSERT_FALSE(d.has_auts);

	/* a value of exactly the maximum length */
	{
		static char h[TK_DIGEST_VALUE_MAX + 128];
		int n = snprintf(h, sizeof h, "Digest realm=\"");

		memset(h + n, 'v', TK_DIGEST_VALUE_MAX);
		snprintf(h + n + TK_DIGEST_VALUE_MAX, sizeof h - n - TK_DIGEST_VALUE_MAX, "\", nonce=n");
		CU_ASSERT_EQUAL(parse_s(TK_DIGEST_CHALLENGE, h, &d), TK_DIGEST_OK);
		CU_ASSERT_EQUAL(strlen(d.realm), TK_DIGEST_VALUE_MAX);
	}
}

/* ---- parser: hostile input -------------------------------------------- */

struct bad {
	enum tk_digest_kind kind;
	const char *h;
	size_t len; /* 0: strlen */
	int err;
};

#define CR TK_DIGEST_CREDENTIALS
#define CH TK_DIGEST_CHALLENGE
#define AI TK_DIGEST_AUTH_INFO
#define BADN(k, s, e) { (k), (s), sizeof(s) - 1, (e) }
#define BASE "username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/\""

static const struct bad bad[] = {
	{ CR, "", 0, TK_DIGEST_E_SCHEME },
	{ CR, "   ", 0, TK_DIGEST_E_SCHEME },
	{ CR, "Basic dXNlcjpwYXNz", 0, TK_DIGEST_E_SCHEME },
	{ CR, "Bearer abc.def", 0, TK_DIGEST_E_SCHEME },
	{ CR, "Digestive " BASE ", response=\"\"", 0, TK_DIGEST_E_SCHEME },
	{ CH, "Negotiate YIIB", 0, TK_DIGEST_E_SCHEME },
	{ CH, "\"Digest\" realm=r, nonce=n", 0, TK_DIGEST_E_SCHEME },
	{ CR, "Digest," BASE ", response=\"\"", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest username=\"u", 0, TK_DIGEST_E_QUOTE },
	{ CR, "Digest username=\"u\\", 0, TK_DIGEST_E_QUOTE },
	{ CR, "Digest " BASE ", response=\"\", opaque=\"never closed", 0, TK_DIGEST_E_QUOTE },
	{ CR, "Digest " BASE ", response=\"\", realm=\"r2\"", 0, TK_DIGEST_E_DUPLICATE },
	{ CR, "Digest " BASE ", response=\"\", REALM=r", 0, TK_DIGEST_E_DUPLICATE },
	{ CR, "Digest " BASE ", response=\"\", response=\"\"", 0, TK_DIGEST_E_DUPLICATE },
	{ CR, "Digest realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_MISSING },
	{ CR, "Digest username=\"u\", nonce=\"n\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_MISSING },
	{ CR, "Digest username=\"u\", realm=\"r\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_MISSING },
	{ CR, "Digest username=\"u\", realm=\"r\", nonce=\"n\", response=\"\"", 0, TK_DIGEST_E_MISSING },
	{ CR, "Digest " BASE, 0, TK_DIGEST_E_MISSING },
	{ CR, "Digest", 0, TK_DIGEST_E_MISSING },
	{ CR, "Digest username=\"\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_EMPTY },
	{ CR, "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"\", response=\"\"", 0, TK_DIGEST_E_EMPTY },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=00000001, cnonce=\"\"", 0, TK_DIGEST_E_EMPTY },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=0000001, cnonce=\"c\"", 0, TK_DIGEST_E_NC },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=000000001, cnonce=\"c\"", 0, TK_DIGEST_E_NC },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=0000000g, cnonce=\"c\"", 0, TK_DIGEST_E_NC },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=00000000, cnonce=\"c\"", 0, TK_DIGEST_E_NC },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=0000000A, cnonce=\"c\"", 0, TK_DIGEST_E_NC },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=-0000001, cnonce=\"c\"", 0, TK_DIGEST_E_NC },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, cnonce=\"c\"", 0, TK_DIGEST_E_QOP },
	{ CR, "Digest " BASE ", response=\"\", qop=auth, nc=00000001", 0, TK_DIGEST_E_QOP },
	{ CR, "Digest " BASE ", response=\"\", nc=00000001, cnonce=\"c\"", 0, TK_DIGEST_E_QOP },
	{ CR, "Digest " BASE ", response=\"\", qop=auth-conf, nc=00000001, cnonce=\"c\"", 0, TK_DIGEST_E_QOP },
	{ CR, "Digest " BASE ", response=\"\", qop=\"auth,auth-int\", nc=00000001, cnonce=\"c\"", 0, TK_DIGEST_E_QOP },
	{ CR, "Digest " BASE ", response=\"\", qop=\"\", nc=00000001, cnonce=\"c\"", 0, TK_DIGEST_E_QOP },
	{ CR, "Digest " BASE ", response=\"abc\"", 0, TK_DIGEST_E_RESPONSE },
	{ CR, "Digest " BASE ", response=\"6629fae49393a05397450978507c4ef1a\"", 0, TK_DIGEST_E_RESPONSE },
	{ CR, "Digest " BASE ", response=\"6629fae49393a05397450978507c4efz\"", 0, TK_DIGEST_E_RESPONSE },
	{ CR, "Digest " BASE ", response=\" 629fae49393a05397450978507c4ef1\"", 0, TK_DIGEST_E_RESPONSE },
	{ CR, "Digest " BASE ", response=\"\", algorithm=SHA-256", 0, TK_DIGEST_E_ALGORITHM },
	{ CR, "Digest " BASE ", response=\"\", algorithm=AKAv3-MD5", 0, TK_DIGEST_E_ALGORITHM },
	{ CR, "Digest " BASE ", response=\"\", algorithm=\"\"", 0, TK_DIGEST_E_ALGORITHM },
	{ CR, "Digest " BASE ", response=\"\", auts=\"short\"", 0, TK_DIGEST_E_AUTS },
	{ CR, "Digest " BASE ", response=\"\", auts=\"hxGg7J4WN98X+As4TuQ!\"", 0, TK_DIGEST_E_AUTS },
	{ CR, "Digest " BASE ", response=\"\", auts=\"hxGg7J4WN98X+As4TuQA\"", 0, TK_DIGEST_E_AUTS },
	{ CR, "Digest " BASE ", response=\"\", auts=\"hxGg7J4WN98X+As4 TuQ=\"", 0, TK_DIGEST_E_AUTS },
	{ CR, "Digest " BASE ", response=\"\", auts=\"hxGg7J4WN98X+As4TuQ=\", auts=\"hxGg7J4WN98X+As4TuQ=\"", 0,
	  TK_DIGEST_E_DUPLICATE },
	BADN(CR, "Digest username=\"u\0v\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", TK_DIGEST_E_CHAR),
	BADN(CR, "Digest " BASE ", response=\"\"\0", TK_DIGEST_E_CHAR),
	{ CR, "Digest " BASE ",\r\n response=\"\"", 0, TK_DIGEST_E_CHAR },
	{ CR, "Digest username=\"u\r\nX-Evil: 1\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", 0,
	  TK_DIGEST_E_CHAR },
	{ CR, "Digest " BASE ", response=\"\", opaque=\"\x7f\"", 0, TK_DIGEST_E_CHAR },
	{ CR, "Digest " BASE ", response=\"\", opaque=\"\x1b[31m\"", 0, TK_DIGEST_E_CHAR },
	{ CH, "Digest realm=\"r\"\n, nonce=\"n\"", 0, TK_DIGEST_E_CHAR },
	{ CR, "Digest username \"u\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest username=\"u\"x, realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest =\"u\", " BASE ", response=\"\"", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest username=, realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest " BASE ", response=\"\", uri2=/path", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest username=\"u\"; realm=\"r\"; nonce=\"n\"; uri=\"/\"; response=\"\"", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest username=\"u\" realm=\"r\", nonce=\"n\", uri=\"/\", response=\"\"", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest " BASE ", response=\"\", x==y", 0, TK_DIGEST_E_SYNTAX },
	{ CR, "Digest " BASE ", response=\"\", \xc3\xa9=1", 0, TK_DIGEST_E_SYNTAX },
	{ CH, "Digest nonce=\"n\"", 0, TK_DIGEST_E_MISSING },
	{ CH, "Digest realm=\"r\"", 0, TK_DIGEST_E_MISSING },
	{ CH, "Digest realm=\"r\", nonce=\"\"", 0, TK_DIGEST_E_EMPTY },
	{ CH, "Digest realm=\"\", nonce=\"n\"", 0, TK_DIGEST_E_EMPTY },
	{ CH, "Digest realm=\"r\", nonce=\"n\", stale=maybe", 0, TK_DIGEST_E_STALE },
	{ CH, "Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"", 0, TK_DIGEST_E_QOP },
	{ CH, "Digest realm=\"r\", nonce=\"n\", qop=\"auth;auth-int\"", 0, TK_DIGEST_E_QOP },
	{ CH, "Digest realm=\"r\", nonce=\"n\", qop=\"\"", 0, TK_DIGEST_E_QOP },
	{ CH, "Digest realm=\"r\", nonce=\"n\", nonce=\"m\"", 0, TK_DIGEST_E_DUPLICATE },
	{ CH, "Digest realm=\"r\", nonce=\"n\", algorithm=MD5, algorithm=AKAv1-MD5", 0, TK_DIGEST_E_DUPLICATE },
	{ AI, "rspauth=\"xyz\"", 0, TK_DIGEST_E_RESPONSE },
	{ AI, "rspauth=\"\"", 0, TK_DIGEST_E_RESPONSE },
	{ AI, "qop=auth-int, cnonce=\"c\", nc=00000001", 0, TK_DIGEST_E_MISSING },
	{ AI, "qop=auth-int, rspauth=\"6629fae49393a05397450978507c4ef1\", cnonce=\"c\"", 0, TK_DIGEST_E_QOP },
	{ AI, "rspauth=\"6629fae49393a05397450978507c4ef1\", nc=00000001", 0, TK_DIGEST_E_QOP },
	{ AI, "rspauth=\"6629fae49393a05397450978507c4ef1\", rspauth=\"6629fae49393a05397450978507c4ef1\"", 0,
	  TK_DIGEST_E_DUPLICATE },
	{ AI, "Digest rspauth=\"6629fae49393a05397450978507c4ef1\"", 0, TK_DIGEST_E_SYNTAX },
	{ AI, "nextnonce=\"abc", 0, TK_DIGEST_E_QUOTE },
};

static void test_parse_hostile(void)
{
	struct tk_digest d;

	CU_ASSERT(sizeof bad / sizeof bad[0] >= 40);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].h);
		int rc;

		memset(&d, 0x55, sizeof d);
		rc = tk_digest_parse(bad[i].kind, bad[i].h, len, &d);
		if (rc != bad[i].err)
			fprintf(stderr, "case %zu: got %d (%s), want %d: %.80s\n", i, rc,
				tk_digest_strerror(rc), bad[i].err, bad[i].h);
		CU_ASSERT_EQUAL(rc, bad[i].err);
		/* nothing half-parsed is left behind */
		CU_ASSERT_PTR_NULL(d.username);
		CU_ASSERT_PTR_NULL(d.realm);
		CU_ASSERT_PTR_NULL(d.nonce);
		CU_ASSERT_FALSE(d.has_auts);
		CU_ASSERT_EQUAL(d.qop, 0);
	}
}

static void test_parse_size_limits(void)
{
	static char h[TK_DIGEST_HDR_MAX + 64];
	struct tk_digest d;
	int n;

	/* whole header one octet too long (even though it is well formed) */
	n = snprintf(h, sizeof h, "Digest realm=r, nonce=n, x=\"");
	memset(h + n, 'a', sizeof h - n);
	h[TK_DIGEST_HDR_MAX] = '"';
	CU_ASSERT_EQUAL(tk_digest_parse(CH, h, TK_DIGEST_HDR_MAX + 1, &d), TK_DIGEST_E_TOOLONG);
	CU_ASSERT_EQUAL(tk_digest_parse(CH, h, TK_DIGEST_HDR_MAX, &d), TK_DIGEST_E_TOOLONG);
	h[TK_DIGEST_HDR_MAX - 1] = '"'; /* value > TK_DIGEST_VALUE_MAX */
	CU_ASSERT_EQUAL(tk_digest_parse(CH, h, TK_DIGEST_HDR_MAX, &d), TK_DIGEST_E_TOOLONG);

	/* a quoted known value one octet over the limit */
	n = snprintf(h, sizeof h, "Digest nonce=n, realm=\"");
	memset(h + n, 'b', TK_DIGEST_VALUE_MAX + 1);
	h[n + TK_DIGEST_VALUE_MAX + 1] = '"';
	CU_ASSERT_EQUAL(tk_digest_parse(CH, h, (size_t)n + TK_DIGEST_VALUE_MAX + 2, &d), TK_DIGEST_E_TOOLONG);
	/* the same as a token */
	n = snprintf(h, sizeof h, "Digest nonce=n, realm=");
	memset(h + n, 'c', TK_DIGEST_VALUE_MAX + 1);
	CU_ASSERT_EQUAL(tk_digest_parse(CH, h, (size_t)n + TK_DIGEST_VALUE_MAX + 1, &d), TK_DIGEST_E_TOOLONG);
	/* escapes count after unescaping: 1024 escaped octets are fine */
	n = snprintf(h, sizeof h, "Digest nonce=n, realm=\"");
	for (int i = 0; i < TK_DIGEST_VALUE_MAX; i++) {
		h[n++] = '\\';
		h[n++] = 'q';
	}
	h[n++] = '"';
	CU_ASSERT_EQUAL(tk_digest_parse(CH, h, (size_t)n, &d), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(strlen(d.realm), TK_DIGEST_VALUE_MAX);

	/* many short known and unknown directives fill the pool safely */
	n = snprintf(h, sizeof h, "Digest realm=r, nonce=n, opaque=o, domain=d");
	while (n < TK_DIGEST_HDR_MAX - 8)
		n += snprintf(h + n, sizeof h - n, ",z=1");
	CU_ASSERT_EQUAL(tk_digest_parse(CH, h, (size_t)n, &d), TK_DIGEST_OK);

	CU_ASSERT_EQUAL(tk_digest_parse(CH, NULL, 0, &d), TK_DIGEST_E_ARG);
	CU_ASSERT_EQUAL(tk_digest_parse(CH, "x", 1, NULL), TK_DIGEST_E_ARG);
	CU_ASSERT_EQUAL(tk_digest_parse((enum tk_digest_kind)9, "x", 1, &d), TK_DIGEST_E_ARG);
}

/* Every prefix and many byte mutations of valid headers: never a crash or
 * an out-of-bounds access (run under valgrind/ASan), only OK or a known
 * error, and OK only with the required directives present. */
static void test_parse_mutations(void)
{
	static const char *const seeds[][2] = {
		{ "c", "Digest username=\"I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net\", realm=\"bsf.home1.net\", "
		       "nonce=\"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=\", uri=\"/\", qop=auth-int, "
		       "nc=00000001, cnonce=\"0a4f113b\", response=\"d47e4afd3245638428c815924bc5bc69\", "
		       "algorithm=AKAv1-MD5, auts=\"hxGg7J4WN98X+As4TuQ=\", opaque=\"a\\\"b\"" },
		{ "h", "Digest realm=\"bsf.home1.net\", nonce=\"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=\", "
		       "algorithm=AKAv1-MD5, qop=\"auth,auth-int\", opaque=\"x\", stale=false" },
		{ "a", "qop=auth-int, rspauth=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\", nc=00000001" },
	};
	static const char pool[] = "\"\\,= \t\0\r\nAz0-/+@\x80\xff";
	uint32_t x = 12345;
	char buf[512];
	struct tk_digest d;
	unsigned ok = 0, refused = 0;

	for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
		enum tk_digest_kind kind = seeds[s][0][0] == 'c' ? CR : seeds[s][0][0] == 'h' ? CH : AI;
		const char *seed = seeds[s][1];
		size_t len = strlen(seed);

		CU_ASSERT_EQUAL_FATAL(tk_digest_parse(kind, seed, len, &d), TK_DIGEST_OK);
		for (size_t cut = 0; cut <= len; cut++) {
			int rc = tk_digest_parse(kind, seed, cut, &d);

			CU_ASSERT(rc <= 0 && rc >= TK_DIGEST_E_NONCE);
			rc ? refused++ : ok++;
		}
		for (int round = 0; round < 4000; round++) {
			size_t n = len;
			int rc;

			memcpy(buf, seed, len);
			for (int m = 0; m < 1 + round % 4; m++) {
				x = x * 1103515245u + 12345u;
				buf[(x >> 8) % n] = pool[(x >> 20) % (sizeof pool - 1)];
			}
			rc = tk_digest_parse(kind, buf, n, &d);
			CU_ASSERT(rc <= 0 && rc >= TK_DIGEST_E_NONCE);
			if (rc == 0) {
				ok++;
				if (kind == CR)
					CU_ASSERT(d.username && d.realm && d.nonce && d.uri && d.response);
				if (kind == CH)
					CU_ASSERT(d.realm && d.nonce && d.nonce[0]);
			} else {
				refused++;
			}
		}
	}
	CU_ASSERT(ok > 0);
	CU_ASSERT(refused > 0);
}

/* ---- builders --------------------------------------------------------- */

static void test_build_first_request_and_challenge(void)
{
	struct tk_digest d, p;
	char out[1024];

	tk_digest_init(&d);
	d.username = "user1_private@home1.net";
	d.realm = "bsf.home1.net";
	d.nonce = "";
	d.uri = "/";
	d.response = "";
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(out, "Digest username=\"user1_private@home1.net\", realm=\"bsf.home1.net\", "
				    "nonce=\"\", uri=\"/\", response=\"\"");
	/* exact fit, then one octet short */
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, strlen(out) + 1), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, strlen(out)), TK_DIGEST_E_NOSPACE);
	CU_ASSERT_STRING_EQUAL(out, "");

	tk_digest_init(&d);
	d.realm = "bsf.home1.net";
	d.nonce = "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=";
	d.opaque = "op";
	d.alg = TK_DIGEST_ALG_AKAV1_MD5;
	d.qop = TK_DIGEST_QOP_AUTH_INT;
	CU_ASSERT_EQUAL(tk_digest_build(CH, &d, out, sizeof out), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(out, "Digest realm=\"bsf.home1.net\", "
				    "nonce=\"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=\", opaque=\"op\", "
				    "algorithm=AKAv1-MD5, qop=\"auth-int\"");
	CU_ASSERT_EQUAL(parse_s(CH, out, &p), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(p.nonce, d.nonce);

	/* P-27: the NAF challenge, qop auth, stale */
	tk_digest_init(&d);
	d.realm = "3GPP-bootstrapping@kms.home1.net";
	d.nonce = "abc";
	d.qop = TK_DIGEST_QOP_AUTH | TK_DIGEST_QOP_AUTH_INT;
	d.stale = true;
	CU_ASSERT_EQUAL(tk_digest_build(CH, &d, out, sizeof out), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(out, "Digest realm=\"3GPP-bootstrapping@kms.home1.net\", nonce=\"abc\", "
				    "stale=true, qop=\"auth,auth-int\"");
}

static void test_build_refuses(void)
{
	struct tk_digest d, p;
	char out[512];

	tk_digest_init(&d);
	d.username = "a\"b\\c";
	d.realm = "r";
	d.nonce = "n";
	d.uri = "/";
	d.response = "";
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(parse_s(CR, out, &p), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(p.username, "a\"b\\c");

	d.username = "a\r\nb";
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_E_CHAR);
	d.username = NULL;
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_E_MISSING);
	d.username = "u";
	d.qop = TK_DIGEST_QOP_AUTH; /* no nc / cnonce */
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_E_QOP);
	d.qop = TK_DIGEST_QOP_AUTH | TK_DIGEST_QOP_AUTH_INT; /* one qop in credentials */
	d.nc = 1;
	d.cnonce = "c";
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_E_QOP);
	d.qop = TK_DIGEST_QOP_AUTH;
	d.response = "not-hex";
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_E_RESPONSE);
	d.response = "";
	d.alg = (enum tk_digest_alg)77;
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_E_ALGORITHM);
	d.alg = TK_DIGEST_ALG_MD5;
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, sizeof out), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, NULL, 10), TK_DIGEST_E_ARG);
	CU_ASSERT_EQUAL(tk_digest_build(CR, &d, out, 0), TK_DIGEST_E_ARG);

	tk_digest_init(&d);
	d.realm = "r";
	CU_ASSERT_EQUAL(tk_digest_build(CH, &d, out, sizeof out), TK_DIGEST_E_MISSING);
	d.nonce = "";
	CU_ASSERT_EQUAL(tk_digest_build(CH, &d, out, sizeof out), TK_DIGEST_E_EMPTY);

	tk_digest_init(&d);
	d.qop = TK_DIGEST_QOP_AUTH;
	d.rspauth = "6629fae49393a05397450978507c4ef";
	d.nc = 1;
	d.cnonce = "c";
	CU_ASSERT_EQUAL(tk_digest_build(AI, &d, out, sizeof out), TK_DIGEST_E_RESPONSE);

	/* one value over the limit; a header over the limit in a big buffer */
	{
		static char v[TK_DIGEST_VALUE_MAX + 2], big[2 * TK_DIGEST_HDR_MAX];

		memset(v, 'v', sizeof v - 1);
		tk_digest_init(&d);
		d.realm = "r";
		d.nonce = v;
		CU_ASSERT_EQUAL(tk_digest_build(CH, &d, big, sizeof big), TK_DIGEST_E_TOOLONG);
		v[TK_DIGEST_VALUE_MAX] = '\0';
		d.realm = v;
		d.opaque = v;
		CU_ASSERT_EQUAL(tk_digest_build(CH, &d, big, sizeof big), TK_DIGEST_OK);
		CU_ASSERT_EQUAL(tk_digest_parse(CH, big, strlen(big), &p), TK_DIGEST_OK);
		d.domain = v; /* 4 values of 1024 octets: the header is too long */
		CU_ASSERT_EQUAL(tk_digest_build(CH, &d, big, sizeof big), TK_DIGEST_E_TOOLONG);
		CU_ASSERT_STRING_EQUAL(big, "");
		CU_ASSERT_EQUAL(tk_digest_build(CH, &d, big, 100), TK_DIGEST_E_NOSPACE);
	}
}

/* ---- round trips ------------------------------------------------------ */

/* Ua on TLS (P-1): password = base64(Ks_NAF) text, qop auth-int over a
 * MIKEY body with NULs; the server answers with rspauth over its body. */
static void test_round_trip_auth_int(void)
{
	static const uint8_t req_body[] = { 0x01, 0x00, 0x0a, 0x00, 0xff, 0x7f, 'M', 'I', 'K', 'E', 'Y' };
	static const uint8_t resp_body[] = { 0x01, 0x00, 0x0b, 0x00, 0x00, 0x42 };
	const char *pw = "1LzB0w7Vs/kttc7QGMsCqhF+iizSUyNWeVcKlMXbJCg=";
	struct tk_digest ch, cl, srv, ai, info;
	char hdr[1024], resp[33], rsp[33];

	/* server challenge */
	tk_digest_init(&ch);
	ch.realm = "3GPP-bootstrapping@kms.home1.net";
	ch.nonce = "MTcwMDAwMDAwMDpyYW5kb20=";
	ch.opaque = "opq";
	ch.qop = TK_DIGEST_QOP_AUTH | TK_DIGEST_QOP_AUTH_INT;
	CU_ASSERT_EQUAL_FATAL(tk_digest_build(CH, &ch, hdr, sizeof hdr), TK_DIGEST_OK);

	/* client: parse the challenge, answer */
	CU_ASSERT_EQUAL_FATAL(parse_s(CH, hdr, &ch), TK_DIGEST_OK);
	CU_ASSERT(ch.qop & TK_DIGEST_QOP_AUTH_INT);
	tk_digest_init(&cl);
	cl.username = "I1U8vpY3qJ0hiuZNrke/NQ==@bsf.home1.net";
	cl.realm = ch.realm;
	cl.nonce = ch.nonce;
	cl.opaque = ch.opaque;
	cl.uri = "/mikey";
	cl.qop = TK_DIGEST_QOP_AUTH_INT;
	cl.nc = 1;
	cl.cnonce = "Y25vbmNl";
	cl.alg = TK_DIGEST_ALG_MD5;
	CU_ASSERT_EQUAL(tk_digest_response(&cl, "POST", (const uint8_t *)pw, strlen(pw),
					   req_body, sizeof req_body, resp), TK_DIGEST_OK);
	cl.response = resp;
	CU_ASSERT_EQUAL_FATAL(tk_digest_build(CR, &cl, hdr, sizeof hdr), TK_DIGEST_OK);

	/* server: parse and verify */
	CU_ASSERT_EQUAL_FATAL(parse_s(CR, hdr, &srv), TK_DIGEST_OK);
	CU_ASSERT_STRING_EQUAL(srv.username, cl.username);
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "POST", (const uint8_t *)pw, strlen(pw),
					 req_body, sizeof req_body), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "POST", (const uint8_t *)pw, strlen(pw),
					 req_body, sizeof req_body - 1), TK_DIGEST_E_MISMATCH);
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "GET", (const uint8_t *)pw, strlen(pw),
					 req_body, sizeof req_body), TK_DIGEST_E_MISMATCH);
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "POST", (const uint8_t *)pw, strlen(pw) - 1,
					 req_body, sizeof req_body), TK_DIGEST_E_MISMATCH);
	{
		uint8_t tampered[sizeof req_body];

		memcpy(tampered, req_body, sizeof tampered);
		tampered[1] ^= 0x80;
		CU_ASSERT_EQUAL(tk_digest_verify(&srv, "POST", (const uint8_t *)pw, strlen(pw),
						 tampered, sizeof tampered), TK_DIGEST_E_MISMATCH);
	}

	/* server: Authentication-Info with rspauth over the 200 OK body */
	CU_ASSERT_EQUAL(tk_digest_rspauth(&srv, (const uint8_t *)pw, strlen(pw),
					  resp_body, sizeof resp_body, rsp), TK_DIGEST_OK);
	tk_digest_init(&ai);
	ai.qop = srv.qop;
	ai.rspauth = rsp;
	ai.cnonce = srv.cnonce;
	ai.nc = srv.nc;
	CU_ASSERT_EQUAL_FATAL(tk_digest_build(AI, &ai, hdr, sizeof hdr), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(strncmp(hdr, "qop=auth-int, rspauth=\"", 23), 0);

	/* client checks it */
	CU_ASSERT_EQUAL_FATAL(parse_s(AI, hdr, &info), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_rspauth_verify(&cl, &info, (const uint8_t *)pw, strlen(pw),
						 resp_body, sizeof resp_body), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_rspauth_verify(&cl, &info, (const uint8_t *)pw, strlen(pw),
						 resp_body, sizeof resp_body - 1), TK_DIGEST_E_MISMATCH);
	CU_ASSERT_EQUAL(tk_digest_rspauth_verify(&cl, &info, (const uint8_t *)"x", 1,
						 resp_body, sizeof resp_body), TK_DIGEST_E_MISMATCH);
	/* rspauth is not the request's response (A2 has no method) */
	CU_ASSERT_STRING_NOT_EQUAL(rsp, resp);
	info.nc = 2;
	CU_ASSERT_EQUAL(tk_digest_rspauth_verify(&cl, &info, (const uint8_t *)pw, strlen(pw),
						 resp_body, sizeof resp_body), TK_DIGEST_E_MISMATCH);
	info.nc = 1;
	info.cnonce = "other";
	CU_ASSERT_EQUAL(tk_digest_rspauth_verify(&cl, &info, (const uint8_t *)pw, strlen(pw),
						 resp_body, sizeof resp_body), TK_DIGEST_E_MISMATCH);
	info.cnonce = NULL;
	info.rspauth = NULL;
	CU_ASSERT_EQUAL(tk_digest_rspauth_verify(&cl, &info, (const uint8_t *)pw, strlen(pw),
						 resp_body, sizeof resp_body), TK_DIGEST_E_MISSING);
}

/* qop auth, MD5-sess and RFC 2069 style (no qop) also round trip. */
static void test_round_trip_variants(void)
{
	static const struct { unsigned qop; enum tk_digest_alg alg; } v[] = {
		{ TK_DIGEST_QOP_AUTH, TK_DIGEST_ALG_ABSENT },
		{ TK_DIGEST_QOP_AUTH, TK_DIGEST_ALG_MD5_SESS },
		{ TK_DIGEST_QOP_AUTH_INT, TK_DIGEST_ALG_AKAV1_MD5_SESS },
		{ 0, TK_DIGEST_ALG_MD5 },
		{ 0, TK_DIGEST_ALG_AKAV2_MD5 },
	};
	const uint8_t pw[] = { 0x00, 0xff, 0x10 };

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct tk_digest cl, srv;
		char hdr[1024], resp[33];

		tk_digest_init(&cl);
		cl.username = "alice";
		cl.realm = "r";
		cl.nonce = "n0";
		cl.uri = "/x?y=1";
		cl.qop = v[i].qop;
		cl.alg = v[i].alg;
		if (v[i].qop) {
			cl.nc = 0xffffffff;
			cl.cnonce = "cn";
		}
		CU_ASSERT_EQUAL(tk_digest_response(&cl, "PUT", pw, sizeof pw, (const uint8_t *)"b", 1, resp),
				TK_DIGEST_OK);
		cl.response = resp;
		CU_ASSERT_EQUAL_FATAL(tk_digest_build(CR, &cl, hdr, sizeof hdr), TK_DIGEST_OK);
		CU_ASSERT_EQUAL_FATAL(parse_s(CR, hdr, &srv), TK_DIGEST_OK);
		CU_ASSERT_EQUAL(srv.nc, cl.nc);
		CU_ASSERT_EQUAL(srv.alg, cl.alg);
		CU_ASSERT_EQUAL(tk_digest_verify(&srv, "PUT", pw, sizeof pw, (const uint8_t *)"b", 1),
				TK_DIGEST_OK);
		/* the body counts only with auth-int */
		CU_ASSERT_EQUAL(tk_digest_verify(&srv, "PUT", pw, sizeof pw, (const uint8_t *)"c", 1),
				v[i].qop == TK_DIGEST_QOP_AUTH_INT ? TK_DIGEST_E_MISMATCH : TK_DIGEST_OK);
		CU_ASSERT_EQUAL(tk_digest_verify(&srv, "PUT", pw, 2, (const uint8_t *)"b", 1),
				TK_DIGEST_E_MISMATCH);
	}
	/* MD5-sess needs a cnonce */
	{
		struct tk_digest d;
		char out[33];

		tk_digest_init(&d);
		d.username = "u";
		d.realm = "r";
		d.nonce = "n";
		d.uri = "/";
		d.alg = TK_DIGEST_ALG_MD5_SESS;
		CU_ASSERT_EQUAL(tk_digest_response(&d, "GET", NULL, 0, NULL, 0, out), TK_DIGEST_E_MISSING);
		d.alg = TK_DIGEST_ALG_MD5;
		d.uri = NULL;
		CU_ASSERT_EQUAL(tk_digest_response(&d, "GET", NULL, 0, NULL, 0, out), TK_DIGEST_E_MISSING);
		d.uri = "/";
		CU_ASSERT_EQUAL(tk_digest_response(&d, NULL, NULL, 0, NULL, 0, out), TK_DIGEST_E_ARG);
		CU_ASSERT_EQUAL(tk_digest_response(&d, "GET", NULL, 3, NULL, 0, out), TK_DIGEST_E_ARG);
	}
}

/* Ub resynchronisation (gba.md 2.2): the UE sends auts with a response over
 * the empty password; the BSF gets AUTS back byte for byte, verifies the
 * response and recovers SQN_MS. */
static void test_auts_in_headers(void)
{
	static const uint8_t k[16] = { 0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
				       0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc };
	static const uint8_t opc[16] = { 0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
					 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf };
	static const uint8_t amf[2] = { 0x80, 0x00 };
	uint8_t sqn[6], sqn_ms[6], got[6], rand[16], autn[16], auts[14];
	struct tk_mil_av av;
	struct tk_digest cl, srv;
	char nonce[64], hdr[1024], resp[33];

	memset(rand, 0xa5, sizeof rand);
	tk_mil_sqn_put(0x20, sqn);
	tk_mil_generate(k, opc, sqn, amf, rand, &av);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce(av.rand, av.autn, NULL, 0, nonce, sizeof nonce), TK_DIGEST_OK);

	/* UE: AUTN is authentic but its SQN is older than ours -> AUTS */
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse(nonce, strlen(nonce), rand, autn), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_mil_usim_check(k, opc, rand, autn, got, NULL, NULL, NULL), TK_MIL_OK);
	tk_mil_sqn_put(0x1234, sqn_ms);
	CU_ASSERT(tk_mil_sqn_get(got) < tk_mil_sqn_get(sqn_ms));
	tk_mil_auts_build(k, opc, rand, sqn_ms, auts);

	tk_digest_init(&cl);
	cl.username = "user1_private@home1.net";
	cl.realm = "bsf.home1.net";
	cl.nonce = nonce;
	cl.uri = "/";
	cl.alg = TK_DIGEST_ALG_AKAV1_MD5;
	cl.qop = TK_DIGEST_QOP_AUTH_INT;
	cl.nc = 1;
	cl.cnonce = "abcdef";
	cl.has_auts = true;
	memcpy(cl.auts, auts, sizeof auts);
	CU_ASSERT_EQUAL(tk_digest_response(&cl, "GET", (const uint8_t *)"", 0, NULL, 0, resp), TK_DIGEST_OK);
	cl.response = resp;
	CU_ASSERT_EQUAL_FATAL(tk_digest_build(CR, &cl, hdr, sizeof hdr), TK_DIGEST_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(hdr, "auts=\""));

	/* BSF */
	CU_ASSERT_EQUAL_FATAL(parse_s(CR, hdr, &srv), TK_DIGEST_OK);
	CU_ASSERT_TRUE(srv.has_auts);
	CU_ASSERT_EQUAL(memcmp(srv.auts, auts, 14), 0);
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "GET", NULL, 0, NULL, 0), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_digest_verify(&srv, "GET", av.xres, 8, NULL, 0), TK_DIGEST_E_MISMATCH);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse(srv.nonce, strlen(srv.nonce), rand, autn), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(tk_mil_auts_verify(k, opc, rand, srv.auts, got), TK_MIL_OK);
	CU_ASSERT_EQUAL(tk_mil_sqn_get(got), 0x1234);
	srv.auts[13] ^= 1;
	CU_ASSERT_EQUAL(tk_mil_auts_verify(k, opc, rand, srv.auts, got), TK_MIL_MAC_FAIL);
}

static void test_aka_nonce(void)
{
	uint8_t rand[16], autn[16], r[16], a[16], extra[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char nonce[128], small[40];
	char big[TK_DIGEST_VALUE_MAX + 8];

	memset(rand, 1, 16);
	memset(autn, 2, 16);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce(rand, autn, extra, sizeof extra, nonce, sizeof nonce), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(strlen(nonce), 56);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse(nonce, strlen(nonce), r, a), TK_DIGEST_OK);
	CU_ASSERT_EQUAL(memcmp(r, rand, 16), 0);
	CU_ASSERT_EQUAL(memcmp(a, autn, 16), 0);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce(rand, autn, NULL, 0, small, sizeof small), TK_DIGEST_E_NOSPACE);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce(rand, autn, extra, 1000, nonce, sizeof nonce), TK_DIGEST_E_TOOLONG);

	/* 30 octets, not base64, whitespace, empty, huge */
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse("AQEBAQEBAQEBAQEBAQEBAgICAgICAgICAgICAgIC", 40, r, a),
			TK_DIGEST_E_NONCE);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse("AQEBAQEBAQEBAQEBAQEBAgICAgICAgICAgICAgICAg*=", 44, r, a),
			TK_DIGEST_E_NONCE);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse("AQEBAQEBAQEBAQEBAQEBAgICAgICAgICAgICAgIC Ag==", 45, r, a),
			TK_DIGEST_E_NONCE);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse("", 0, r, a), TK_DIGEST_E_NONCE);
	memset(big, 'A', sizeof big);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse(big, sizeof big, r, a), TK_DIGEST_E_TOOLONG);
	CU_ASSERT_EQUAL(tk_digest_aka_nonce_parse(big, TK_DIGEST_VALUE_MAX, r, a), TK_DIGEST_OK);
}

static void test_strerror(void)
{
	for (int e = TK_DIGEST_OK; e >= TK_DIGEST_E_NONCE; e--)
		CU_ASSERT_STRING_NOT_EQUAL(tk_digest_strerror(e), "unknown digest error");
	CU_ASSERT_STRING_EQUAL(tk_digest_strerror(5), "unknown digest error");
	CU_ASSERT_PTR_NULL(tk_digest_alg_name(TK_DIGEST_ALG_ABSENT));
	CU_ASSERT_STRING_EQUAL(tk_digest_alg_name(TK_DIGEST_ALG_AKAV2_MD5_SESS), "AKAv2-MD5-sess");
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_gba_5_2_example),
		TK_TEST(test_rfc2617_example),
		TK_TEST(test_parse_first_request),
		TK_TEST(test_parse_valid_variants),
		TK_TEST(test_parse_hostile),
		TK_TEST(test_parse_size_limits),
		TK_TEST(test_parse_mutations),
		TK_TEST(test_build_first_request_and_challenge),
		TK_TEST(test_build_refuses),
		TK_TEST(test_round_trip_auth_int),
		TK_TEST(test_round_trip_variants),
		TK_TEST(test_auts_in_headers),
		TK_TEST(test_aka_nonce),
		TK_TEST(test_strerror),
		{ NULL, NULL },
	};
	int rc = tk_test_run("gba-digest", tests);

	json_decref(ex_root);
	return rc;
}
