/*
 * test-ue-ub.c: the Ub client (ue/ui_boot.h) against a BSF that misbehaves
 * on purpose: an in-process libmicrohttpd peer speaking real Digest AKA
 * (Milenage, digest.h) that can send a wrong rspauth, answer 200 before
 * authentication, use the wrong media type, send an oversized or non-XML
 * body, challenge forever, come from another home network, offer plain MD5,
 * refuse with 403 or stall.  The well-behaved path runs against the real
 * bsf-stub in tests/system/gba-bootstrap.sh; here the peer checks each
 * failure is refused with the right code and leaves no bootstrap behind.
 * Also the hooks tests/system/ub-client and bsf-bench use: a reused curl
 * handle (keep-alive), corrupted RES, replayed answer, copy of the body.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gba/digest.h"
#include "gba/milenage.h"
#include "tk_test.h"
#include "ue/ui_boot.h"
#include "util/hexb64.h"

enum mode { M_GOOD, M_BAD_RSPAUTH, M_EARLY_200, M_CTYPE, M_BIG, M_LOOP401, M_NONHOME, M_MD5,
	    M_SLOW, M_BADXML, M_403, M_NO_RSPAUTH };

static enum mode mode;
static uint8_t K[16], OPC[16], RAND[16], XRES[8], CK[16], IK[16];
static uint64_t sqn_he = 0x100;
static char url[64];
static char big[100000];
static int requests, connections;

#define INFO_XML "<BootstrappingInfo xmlns=\"uri:3gpp-gba\"><btid>%s</btid>" \
	"<lifetime>%s</lifetime></BootstrappingInfo>"

static enum MHD_Result reply(struct MHD_Connection *c, unsigned st, const char *ctype,
			     const char *body, size_t len, const char *hname, const char *hval)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", ctype);
	if (hname)
		MHD_add_response_header(r, hname, hval);
	ret = MHD_queue_response(c, st, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result challenge(struct MHD_Connection *c)
{
	struct tk_mil_av av;
	struct tk_digest d;
	uint8_t sqn[6], amf[2] = { 0x80, 0 }, k[16];
	char nonce[64], hdr[512];

	memcpy(k, K, 16);
	if (mode == M_NONHOME)
		k[0] ^= 0xff;
	gnutls_rnd(GNUTLS_RND_NONCE, RAND, 16);
	tk_mil_sqn_put(++sqn_he, sqn);
	tk_mil_generate(k, OPC, sqn, amf, RAND, &av);
	memcpy(XRES, av.xres, 8);
	memcpy(CK, av.ck, 16);
	memcpy(IK, av.ik, 16);
	tk_digest_aka_nonce(RAND, av.autn, NULL, 0, nonce, sizeof nonce);
	tk_digest_init(&d);
	d.realm = "bsf.test";
	d.nonce = nonce;
	d.qop = TK_DIGEST_QOP_AUTH_INT;
	d.alg = mode == M_MD5 ? TK_DIGEST_ALG_MD5 : TK_DIGEST_ALG_AKAV1_MD5;
	tk_digest_build(TK_DIGEST_CHALLENGE, &d, hdr, sizeof hdr);
	return reply(c, 401, "text/plain", "", 0, "WWW-Authenticate", hdr);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *u,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **con_cls)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	struct tk_digest d, info;
	char body[512], b64[32], btid[64], life[32], rsp[TK_DIGEST_HEX_LEN + 1], hdr[512];
	time_t t = time(NULL) + 3600;
	struct tm tm;
	size_t len;

	static int seen;

	/* answering only on the second call keeps the connection alive */
	if (!*con_cls) {
		*con_cls = &seen;
		return MHD_YES;
	}
	requests++;
	if (!auth || tk_digest_parse(TK_DIGEST_CREDENTIALS, auth, strlen(auth), &d) != 0)
		return reply(c, 400, "text/plain", "bad", 3, NULL, NULL);
	tk_b64_encode(RAND, 16, b64);
	snprintf(btid, sizeof btid, "%s@bsf.test", b64);
	gmtime_r(&t, &tm);
	strftime(life, sizeof life, "%Y-%m-%dT%H:%M:%SZ", &tm);
	len = (size_t)snprintf(body, sizeof body, INFO_XML, btid, life);
	if (mode == M_EARLY_200)
		return reply(c, 200, "application/vnd.3gpp.bsf+xml", body, len, NULL, NULL);
	if (mode == M_SLOW)
		sleep(2);
	if (d.nonce[0] == '\0' || mode == M_LOOP401 || d.has_auts)
		return challenge(c);
	if (tk_digest_verify(&d, method, XRES, 8, NULL, 0) != TK_DIGEST_OK)
		return reply(c, 403, "text/plain", "wrong RES", 9, NULL, NULL);
	if (mode == M_403)
		return reply(c, 403, "text/plain", "barred\nsecond line", 18, NULL, NULL);
	if (mode == M_BADXML)
		len = (size_t)snprintf(body, sizeof body, "<x>not it</x>");
	tk_digest_rspauth(&d, XRES, 8, (const uint8_t *)body, len, rsp);
	if (mode == M_BAD_RSPAUTH)
		rsp[0] = rsp[0] == '0' ? '1' : '0';
	tk_digest_init(&info);
	info.rspauth = rsp;
	info.qop = d.qop;
	info.nc = d.nc;
	info.cnonce = d.cnonce;
	tk_digest_build(TK_DIGEST_AUTH_INFO, &info, hdr, sizeof hdr);
	if (mode == M_BIG)
		return reply(c, 200, "application/vnd.3gpp.bsf+xml", big, sizeof big, NULL, NULL);
	return reply(c, 200, mode == M_CTYPE ? "text/xml" : "application/vnd.3gpp.bsf+xml", body,
		     len, mode == M_NO_RSPAUTH ? NULL : "Authentication-Info", hdr);
}

static void state(struct ue_state *st)
{
	memset(st, 0, sizeof *st);
	snprintf(st->impi, sizeof st->impi, "alice@test");
	st->have_usim = true;
	memcpy(st->usim.k, K, 16);
	memcpy(st->usim.opc, OPC, 16);
	st->usim.sqn = 0x20;
}

static int run(enum mode m, struct ue_state *st, char *err, size_t errlen)
{
	struct ue_boot_opts o = { .bsf_url = url, .timeout_ms = 1000 };
	struct ue_boot_report rep;

	mode = m;
	state(st);
	return ue_bootstrap(st, &o, &rep, err, errlen);
}

static void test_good(void)
{
	struct ue_state st;
	char err[256];
	uint8_t ks[32];

	CU_ASSERT_EQUAL_FATAL(run(M_GOOD, &st, err, sizeof err), UE_BOOT_OK);
	CU_ASSERT(st.have_boot);
	memcpy(ks, CK, 16);
	memcpy(ks + 16, IK, 16);
	CU_ASSERT(memcmp(st.ks, ks, 32) == 0);
	CU_ASSERT(memcmp(st.rand, RAND, 16) == 0);
	CU_ASSERT_EQUAL(st.usim.sqn, sqn_he);
	CU_ASSERT(st.expiry > time(NULL) + 3000);
	/* rspauth is optional */
	CU_ASSERT_EQUAL(run(M_NO_RSPAUTH, &st, err, sizeof err), UE_BOOT_OK);
}

static void refused(enum mode m, int want, const char *word)
{
	struct ue_state st;
	char err[256] = "";

	CU_ASSERT_EQUAL(run(m, &st, err, sizeof err), want);
	CU_ASSERT_FALSE(st.have_boot);
	CU_ASSERT(strstr(err, word) != NULL);
	CU_ASSERT(strchr(err, '\n') == NULL); /* one line */
	if (!strstr(err, word) || strchr(err, '\n'))
		fprintf(stderr, "mode %d: \"%s\"\n", m, err);
}

static void test_refusals(void)
{
	refused(M_BAD_RSPAUTH, UE_BOOT_E_AUTH, "rspauth");
	refused(M_EARLY_200, UE_BOOT_E_PROTO, "before authentication");
	refused(M_CTYPE, UE_BOOT_E_PROTO, "Content-Type");
	refused(M_BIG, UE_BOOT_E_NET, "too large");
	refused(M_LOOP401, UE_BOOT_E_AUTH, "refused our response");
	refused(M_NONHOME, UE_BOOT_E_AUTH, "AUTN");
	refused(M_MD5, UE_BOOT_E_PROTO, "AKAv1-MD5");
	refused(M_BADXML, UE_BOOT_E_PROTO, "BootstrappingInfo");
	refused(M_403, UE_BOOT_E_AUTH, "barred");
	refused(M_SLOW, UE_BOOT_E_NET, "BSF");
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls, (void)c, (void)socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		connections++;
}

static void test_hooks(void)
{
	char body[1024], err[256];
	struct ue_boot_test_hooks t = { .body = body, .body_cap = sizeof body };
	struct ue_boot_opts o = { .bsf_url = url, .timeout_ms = 1000, .test = &t };
	struct ue_boot_report rep;
	struct ue_state st;

	/* body copy, status and rspauth in the report */
	mode = M_GOOD;
	state(&st);
	CU_ASSERT_EQUAL_FATAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_OK);
	CU_ASSERT_EQUAL(rep.http_status, 200);
	CU_ASSERT_TRUE(rep.rspauth_verified);
	CU_ASSERT_EQUAL(t.body_len, strlen(body));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, st.btid));
	mode = M_NO_RSPAUTH;
	state(&st);
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_OK);
	CU_ASSERT_FALSE(rep.rspauth_verified);
	/* a body longer than the copy is cut, still NUL-terminated */
	mode = M_GOOD;
	t.body_cap = 11;
	state(&st);
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_OK);
	CU_ASSERT_EQUAL(t.body_len, 10);
	CU_ASSERT_EQUAL(strlen(body), 10);
	t.body_cap = sizeof body;

	/* corrupted RES: the peer checks RES and refuses with 403 */
	t.corrupt_res = true;
	state(&st);
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_E_AUTH);
	CU_ASSERT_EQUAL(rep.http_status, 403);
	CU_ASSERT_FALSE(st.have_boot);
	t.corrupt_res = false;

	/* replay: one more request with the same answer (this peer accepts it;
	 * bsf-stub refuses it, tests/system/bsf-hostile.sh) */
	t.replay_after_success = true;
	state(&st);
	requests = 0;
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_OK);
	CU_ASSERT_EQUAL(requests, 3);
	CU_ASSERT_EQUAL(t.replay_status, 200);
	t.replay_after_success = false;
}

static void test_reused_handle(void)
{
	struct ue_boot_opts o = { .bsf_url = url, .timeout_ms = 1000 };
	struct ue_boot_report rep;
	struct ue_state st;
	char err[256];
	CURL *h = curl_easy_init();

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	o.curl = h;
	mode = M_GOOD;
	/* a handle that last POSTed still bootstraps with GET */
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, "x");
	connections = 0;
	for (int i = 0; i < 3; i++) {
		state(&st);
		CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_OK);
		CU_ASSERT_TRUE(st.have_boot);
	}
	CU_ASSERT_EQUAL(connections, 1); /* six requests, one connection */
	curl_easy_cleanup(h);
}

static void test_args(void)
{
	struct ue_state st;
	struct ue_boot_opts o = { .bsf_url = "ftp://x/" };
	struct ue_boot_report rep;
	char err[256];

	state(&st);
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_E_ARG);
	o.bsf_url = "http://127.0.0.1:1/";
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_E_NET);
	snprintf(st.impi, sizeof st.impi, "alice@test\r\nX-Injected: 1");
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_E_ARG);
	st.have_usim = false;
	CU_ASSERT_EQUAL(ue_bootstrap(&st, &o, &rep, err, sizeof err), UE_BOOT_E_ARG);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_good), TK_TEST(test_refusals), TK_TEST(test_hooks),
		TK_TEST(test_reused_handle), TK_TEST(test_args), { 0 },
	};
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct MHD_Daemon *d;
	int rc;

	tk_hex_decode("465b5ce8b199b49faa5f0a2ee238a601", K, 16);
	tk_hex_decode("cd63cb71954a9f4e48a5994e37a02baf", OPC, 16);
	memset(big, 'x', sizeof big);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL, handler, NULL,
			     MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
			     NULL, MHD_OPTION_END);
	if (!d)
		return 2;
	snprintf(url, sizeof url, "http://127.0.0.1:%u/",
		 MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
	rc = tk_test_run("ue-ub", tests);
	MHD_stop_daemon(d);
	return rc;
}
