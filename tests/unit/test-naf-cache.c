/*
 * test-naf-cache.c: the B-TID key cache (naf/naf.h) against a real HTTP Zn
 * peer in the same process (naf_zn_peer.c), counting the Zn requests that
 * actually reach it: hits, Ua ids, key expiry, negative caching, outcomes
 * that must not be cached, eviction bound (expired first, then LRU),
 * collapse of concurrent misses, timeouts and an unreachable BSF.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "naf/naf.h"
#include "naf_zn_peer.h"
#include "tk_test.h"
#include "util/hexb64.h"

static struct zn_peer *peer;

static struct naf *mk(unsigned max_entries, unsigned neg_ttl_ms, long timeout_ms)
{
	struct naf_config c = {
		.fqdn = "kms.test", .zn_url = zn_peer_url(peer), .token = "tok",
		.max_entries = max_entries, .neg_ttl_ms = neg_ttl_ms, .timeout_ms = timeout_ms,
	};
	char err[128];
	struct naf *n = naf_new(&c, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	return n;
}

static int get(struct naf *n, const char *btid, tk_ua_id ua, struct naf_key *k)
{
	return naf_get_key(n, btid, strlen(btid), ua, k);
}

static bool key_is(const struct naf_key *k, const char *btid, tk_ua_id ua)
{
	uint8_t want[32];
	char hex[11];

	tk_ua_id_format(ua, hex);
	zn_peer_key(btid, "kms.test", hex, want);
	return memcmp(k->ks_naf, want, 32) == 0;
}

static void sleep_ms(unsigned ms) { usleep(ms * 1000); }

static void test_hit(void)
{
	const char *b = "AAAAAAAAAAAAAAAAAAAAAA==@bsf.test";
	struct naf *n = mk(100, 0, 0);
	struct naf_key k;
	struct naf_stats st;
	unsigned r0 = zn_peer_requests(peer);

	CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
	CU_ASSERT(key_is(&k, b, TK_UA_IMS_KMS));
	CU_ASSERT_STRING_EQUAL(k.ids->impi, "user@test");
	CU_ASSERT(naf_ids_has_impu(k.ids, "sip:user@test", 13));
	CU_ASSERT(k.expiry > time(NULL) + 3000);
	naf_key_clear(&k);
	CU_ASSERT_PTR_NULL(k.ids);
	CU_ASSERT_EQUAL(k.ks_naf[0] | k.ks_naf[31], 0);
	for (int i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
		CU_ASSERT(key_is(&k, b, TK_UA_IMS_KMS));
		naf_key_clear(&k);
	}
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 1);
	/* another Ua id of the same B-TID is another NAF key: one more request */
	CU_ASSERT_EQUAL(get(n, b, tk_ua_id_tls(0x00aa), &k), NAF_OK);
	CU_ASSERT(key_is(&k, b, tk_ua_id_tls(0x00aa)));
	CU_ASSERT_FALSE(key_is(&k, b, TK_UA_IMS_KMS));
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 2);
	naf_get_stats(n, &st);
	CU_ASSERT_EQUAL(st.hits, 6);
	CU_ASSERT_EQUAL(st.misses, 2);
	CU_ASSERT_EQUAL(st.entries, 1);
	/* the cache is per NAF: the same B-TID through an uncached fetch asks again */
	CU_ASSERT_EQUAL(naf_fetch_uncached(n, b, strlen(b), TK_UA_IMS_KMS, &k), NAF_OK);
	CU_ASSERT(key_is(&k, b, TK_UA_IMS_KMS));
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 3);
	naf_free(n);
}

static void test_expiry(void)
{
	const char *b = "BBBBBBBBBBBBBBBBBBBBBA==@bsf.test";
	struct naf *n = mk(100, 0, 0);
	struct naf_key k;
	unsigned r0 = zn_peer_requests(peer);

	zn_peer_set_lifetime(peer, 1);
	CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
	naf_key_clear(&k);
	zn_peer_set_lifetime(peer, 3600);
	sleep_ms(1100); /* keyExpiryTime (whole seconds) has passed */
	CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
	CU_ASSERT(k.expiry > time(NULL) + 3000);
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 2);
	/* a key the BSF says has already expired is handed out but not kept */
	zn_peer_set_lifetime(peer, -10);
	b = "BBBBBBBBBBBBBBBBBBBBBB==@bsf.test";
	CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 4);
	zn_peer_set_lifetime(peer, 3600);
	naf_free(n);

	/* max_ttl_s caps how long a key is kept, whatever its keyExpiryTime */
	{
		struct naf_config c = { .fqdn = "kms.test", .zn_url = zn_peer_url(peer),
					.token = "tok", .max_ttl_s = 1 };
		char err[128];

		n = naf_new(&c, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		r0 = zn_peer_requests(peer);
		CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
		naf_key_clear(&k);
		CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
		naf_key_clear(&k);
		CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 1);
		sleep_ms(1100);
		CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
		CU_ASSERT(k.expiry > time(NULL) + 3000); /* the BSF's expiry is still reported */
		naf_key_clear(&k);
		CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 2);
		naf_free(n);
	}
}

static void test_negative(void)
{
	struct naf *n = mk(100, 300, 0);
	struct naf_key k;
	struct naf_stats st;
	unsigned r0 = zn_peer_requests(peer);

	CU_ASSERT_EQUAL(get(n, "NFAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_NOT_FOUND);
	CU_ASSERT_PTR_NULL(k.ids);
	CU_ASSERT_EQUAL(get(n, "NFAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_NOT_FOUND);
	CU_ASSERT_EQUAL(get(n, "FBAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_NOT_AUTHORIZED);
	CU_ASSERT_EQUAL(get(n, "FBAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_NOT_AUTHORIZED);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 2);
	naf_get_stats(n, &st);
	CU_ASSERT_EQUAL(st.neg_hits, 2);
	sleep_ms(400); /* past neg_ttl_ms */
	CU_ASSERT_EQUAL(get(n, "NFAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_NOT_FOUND);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 3);
	/* failures that say nothing about the B-TID are never cached */
	CU_ASSERT_EQUAL(get(n, "E5AAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_UNAVAILABLE);
	CU_ASSERT_EQUAL(get(n, "E5AAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_UNAVAILABLE);
	CU_ASSERT_EQUAL(get(n, "BJAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(get(n, "BJAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_PROTOCOL);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 7);
	/* an answer beyond NAF_ZN_BODY_MAX is refused, and the next request works */
	CU_ASSERT_EQUAL(get(n, "BGAAAAAAAAAAAAAAAAAAAA==@bsf.test", TK_UA_IMS_KMS, &k), NAF_PROTOCOL);
	CU_ASSERT(strstr(k.detail, "larger") != NULL);
	CU_ASSERT_EQUAL(get(n, "AAAAAAAAAAAAAAAAAAAAAB==@bsf.test", TK_UA_IMS_KMS, &k), NAF_OK);
	naf_key_clear(&k);
	r0 += 2;
	/* a malformed B-TID never reaches the BSF */
	CU_ASSERT_EQUAL(get(n, "not a btid", TK_UA_IMS_KMS, &k), NAF_BAD_BTID);
	CU_ASSERT_EQUAL(get(n, "AAAA@bsf.test\r\nX: y", TK_UA_IMS_KMS, &k), NAF_BAD_BTID);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 7);
	naf_free(n);
}

static void btid_n(char *out, int i)
{
	/* 24 base64 chars: "C" + 5 digits + padding */
	snprintf(out, 64, "C%05dAAAAAAAAAAAAAAAA==@bsf.test", i);
}

static void test_eviction(void)
{
	struct naf *n = mk(4, 0, 0);
	struct naf_key k;
	struct naf_stats st;
	char b[64];
	unsigned r0 = zn_peer_requests(peer), r;

	for (int i = 0; i < 200; i++) {
		btid_n(b, i);
		CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
		naf_key_clear(&k);
	}
	naf_get_stats(n, &st);
	CU_ASSERT_EQUAL(st.entries, 4);
	CU_ASSERT_EQUAL(st.evictions, 196);
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 200);

	/* LRU: 196..199 cached; touch 196, add 1000 -> 197 goes */
	r0 = zn_peer_requests(peer);
	btid_n(b, 196);
	get(n, b, TK_UA_IMS_KMS, &k);
	naf_key_clear(&k);
	btid_n(b, 1000);
	get(n, b, TK_UA_IMS_KMS, &k);
	naf_key_clear(&k);
	r = zn_peer_requests(peer);
	CU_ASSERT_EQUAL(r - r0, 1);
	btid_n(b, 196);
	get(n, b, TK_UA_IMS_KMS, &k);
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(zn_peer_requests(peer), r); /* still cached */
	btid_n(b, 197);
	get(n, b, TK_UA_IMS_KMS, &k); /* evicted: asks again (and evicts 198) */
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(zn_peer_requests(peer), r + 1);
	naf_free(n);

	/* expired entries go before the least recently used ones */
	n = mk(4, 0, 0);
	for (int i = 0; i < 3; i++) {
		btid_n(b, i);
		get(n, b, TK_UA_IMS_KMS, &k);
		naf_key_clear(&k);
	}
	zn_peer_set_lifetime(peer, 1);
	btid_n(b, 3); /* most recently used, but expires first */
	get(n, b, TK_UA_IMS_KMS, &k);
	naf_key_clear(&k);
	zn_peer_set_lifetime(peer, 3600);
	sleep_ms(1100);
	btid_n(b, 4);
	get(n, b, TK_UA_IMS_KMS, &k);
	naf_key_clear(&k);
	r = zn_peer_requests(peer);
	btid_n(b, 0); /* the LRU entry survived */
	CU_ASSERT_EQUAL(get(n, b, TK_UA_IMS_KMS, &k), NAF_OK);
	naf_key_clear(&k);
	CU_ASSERT_EQUAL(zn_peer_requests(peer), r);
	naf_get_stats(n, &st);
	CU_ASSERT_EQUAL(st.entries, 4);
	CU_ASSERT_EQUAL(st.evictions, 1);
	naf_free(n);
}

struct worker {
	struct naf *n;
	const char *btid;
	int status;
	bool key_ok;
	pthread_barrier_t *bar;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct naf_key k;

	pthread_barrier_wait(w->bar);
	w->status = get(w->n, w->btid, TK_UA_IMS_KMS, &k);
	w->key_ok = w->status == NAF_OK && key_is(&k, w->btid, TK_UA_IMS_KMS) && k.ids &&
		    strcmp(k.ids->impi, "user@test") == 0;
	naf_key_clear(&k);
	return NULL;
}

static void run_threads(struct naf *n, const char *btid, struct worker *w, int nt)
{
	pthread_t th[16];
	pthread_barrier_t bar;

	pthread_barrier_init(&bar, NULL, (unsigned)nt);
	for (int i = 0; i < nt; i++) {
		w[i] = (struct worker){ .n = n, .btid = btid, .bar = &bar };
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < nt; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
}

static void test_collapse(void)
{
	struct naf *n = mk(100, 0, 0);
	struct worker w[12];
	struct naf_stats st;
	unsigned r0 = zn_peer_requests(peer);

	zn_peer_set_delay_ms(peer, 300);
	run_threads(n, "DDDDDDDDDDDDDDDDDDDDDA==@bsf.test", w, 12);
	for (int i = 0; i < 12; i++) {
		CU_ASSERT_EQUAL(w[i].status, NAF_OK);
		CU_ASSERT(w[i].key_ok);
	}
	CU_ASSERT_EQUAL(zn_peer_requests(peer) - r0, 1);
	naf_get_stats(n, &st);
	CU_ASSERT_EQUAL(st.misses, 1);
	CU_ASSERT_EQUAL(st.collapsed + st.hits, 11);
	CU_ASSERT(st.collapsed >= 1);

	/* a failure is shared with the waiters too, and not cached */
	r0 = zn_peer_requests(peer);
	run_threads(n, "E5DDDDDDDDDDDDDDDDDDDA==@bsf.test", w, 8);
	for (int i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(w[i].status, NAF_UNAVAILABLE);
	CU_ASSERT(zn_peer_requests(peer) - r0 >= 1);
	CU_ASSERT(zn_peer_requests(peer) - r0 < 8);
	zn_peer_set_delay_ms(peer, 0);
	naf_free(n);
}

static void test_unavailable(void)
{
	struct naf_config c = { .fqdn = "kms.test", .zn_url = "http://127.0.0.1:1",
				.connect_timeout_ms = 300 };
	struct naf_key k;
	char err[128];
	struct naf *n = naf_new(&c, err, sizeof err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(n);
	CU_ASSERT_EQUAL(get(n, "AAAA@bsf.test", TK_UA_IMS_KMS, &k), NAF_UNAVAILABLE);
	CU_ASSERT(strlen(k.detail) > 0);
	naf_free(n);

	/* a BSF slower than the total timeout */
	n = mk(100, 0, 200);
	zn_peer_set_delay_ms(peer, 600);
	CU_ASSERT_EQUAL(get(n, "AAAB@bsf.test", TK_UA_IMS_KMS, &k), NAF_UNAVAILABLE);
	zn_peer_set_delay_ms(peer, 0);
	naf_free(n);

	/* wrong bearer token: the BSF says 401, a configuration error */
	c.zn_url = zn_peer_url(peer);
	c.token = "wrong";
	n = naf_new(&c, err, sizeof err);
	CU_ASSERT_EQUAL(get(n, "AAAC@bsf.test", TK_UA_IMS_KMS, &k), NAF_PROTOCOL);
	CU_ASSERT(strstr(k.detail, "401") != NULL);
	naf_free(n);

	/* configuration checks */
	c.fqdn = "kms..test";
	CU_ASSERT_PTR_NULL(naf_new(&c, err, sizeof err));
	c.fqdn = NULL;
	CU_ASSERT_PTR_NULL(naf_new(&c, err, sizeof err));
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_hit), TK_TEST(test_expiry), TK_TEST(test_negative),
		TK_TEST(test_eviction), TK_TEST(test_collapse), TK_TEST(test_unavailable), { 0 },
	};
	int rc;

	peer = zn_peer_start();
	if (!peer)
		return 2;
	rc = tk_test_run("naf-cache", tests);
	zn_peer_stop(peer);
	return rc;
}
