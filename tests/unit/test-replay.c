/*
 * test-replay.c: the replay cache (src/kms/replay.c, profile P-9): repeats
 * detected, keys kept apart, expiry frees slots, a full cache refuses and
 * counts (fail closed) without forgetting, slots are reclaimed oldest first
 * out of shared chains, expiry survives the 2^32-second wrap, the 80 % and
 * full events are reported once, and concurrent workers see each shared
 * message as new exactly once.
 */
#include "kms/replay.h"
#include "tk_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define NOW 1800000000LL

static enum kms_replay_result chk(struct kms_replay *rc, const char *btid,
				  const char *mac, int64_t expires, int64_t now)
{
	return kms_replay_check(rc, (const uint8_t *)btid, strlen(btid),
				(const uint8_t *)mac, strlen(mac), expires, now);
}

static void test_duplicates(void)
{
	struct kms_replay *rc = kms_replay_new(100, 4);
	struct kms_replay_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	CU_ASSERT_EQUAL(chk(rc, "btid1@bsf", "mac-a", NOW + 300, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "btid1@bsf", "mac-a", NOW + 300, NOW), KMS_REPLAY_SEEN);
	CU_ASSERT_EQUAL(chk(rc, "btid1@bsf", "mac-a", NOW + 300, NOW + 299), KMS_REPLAY_SEEN);
	/* same MAC from another B-TID, another MAC from the same B-TID */
	CU_ASSERT_EQUAL(chk(rc, "btid2@bsf", "mac-a", NOW + 300, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "btid1@bsf", "mac-b", NOW + 300, NOW), KMS_REPLAY_NEW);
	/* the boundary between B-TID and MAC is part of the key */
	CU_ASSERT_EQUAL(chk(rc, "ab", "c", NOW + 300, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "a", "bc", NOW + 300, NOW), KMS_REPLAY_NEW);
	kms_replay_get_stats(rc, &st);
	CU_ASSERT_EQUAL(st.inserted, 5);
	CU_ASSERT_EQUAL(st.replays, 2);
	CU_ASSERT_EQUAL(st.full, 0);
	CU_ASSERT_EQUAL(st.entries, 5);
	CU_ASSERT_EQUAL(st.capacity, 100);
	kms_replay_free(rc);
}

static void test_expiry_frees_slots(void)
{
	struct kms_replay *rc = kms_replay_new(3, 1);
	struct kms_replay_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	CU_ASSERT_EQUAL(chk(rc, "b", "1", NOW + 10, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "2", NOW + 20, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "3", NOW + 30, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "4", NOW + 40, NOW + 9), KMS_REPLAY_FULL);
	/* at NOW + 10 entry 1 has left the window: its slot is reused */
	CU_ASSERT_EQUAL(chk(rc, "b", "4", NOW + 40, NOW + 10), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "2", NOW + 20, NOW + 10), KMS_REPLAY_SEEN);
	/* an expired entry is no longer a replay (the timestamp check owns it) */
	CU_ASSERT_EQUAL(chk(rc, "b", "5", NOW + 50, NOW + 25), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "2", NOW + 20, NOW + 25), KMS_REPLAY_NEW);
	/* a message already out of the window is not stored */
	kms_replay_get_stats(rc, &st);
	CU_ASSERT_EQUAL(chk(rc, "b", "6", NOW + 25, NOW + 25), KMS_REPLAY_NEW);
	{
		struct kms_replay_stats st2;

		kms_replay_get_stats(rc, &st2);
		CU_ASSERT_EQUAL(st2.entries, st.entries);
		CU_ASSERT_EQUAL(st2.inserted, st.inserted);
	}
	/* everything expires */
	CU_ASSERT_EQUAL(chk(rc, "b", "7", NOW + 1000, NOW + 500), KMS_REPLAY_NEW);
	kms_replay_get_stats(rc, &st);
	CU_ASSERT_EQUAL(st.entries, 1);
	kms_replay_free(rc);
}

static void test_full_fails_closed(void)
{
	struct kms_replay *rc = kms_replay_new(8, 2);
	struct kms_replay_stats st;
	char mac[16];
	int news = 0, full = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	for (int i = 0; i < 40; i++) {
		enum kms_replay_result r;

		snprintf(mac, sizeof mac, "m%d", i);
		r = chk(rc, "btid", mac, NOW + 300, NOW);
		news += r == KMS_REPLAY_NEW;
		full += r == KMS_REPLAY_FULL;
	}
	CU_ASSERT_EQUAL(news, 8);
	CU_ASSERT_EQUAL(full, 32);
	kms_replay_get_stats(rc, &st);
	CU_ASSERT_EQUAL(st.full, 32);
	CU_ASSERT_EQUAL(st.entries, 8);
	/* being full did not make it forget: the remembered ones are replays */
	for (int i = 0, seen = 0; i < 40; i++) {
		snprintf(mac, sizeof mac, "m%d", i);
		seen += chk(rc, "btid", mac, NOW + 300, NOW) == KMS_REPLAY_SEEN;
		if (i == 39)
			CU_ASSERT_EQUAL(seen, 8);
	}
	/* an older entry with a later expiry holds the slots behind it (the
	 * documented insertion-order reclaim): still full until it expires */
	kms_replay_free(rc);
	rc = kms_replay_new(2, 1);
	CU_ASSERT_EQUAL(chk(rc, "b", "late", NOW + 100, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "early", NOW + 10, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "x", NOW + 200, NOW + 50), KMS_REPLAY_FULL);
	CU_ASSERT_EQUAL(chk(rc, "b", "x", NOW + 200, NOW + 100), KMS_REPLAY_NEW);
	kms_replay_free(rc);

	CU_ASSERT_PTR_NULL(kms_replay_new(0, 4));
}

/* Slots are reclaimed oldest first out of chains shared by many entries
 * (one shard, as many chain heads as slots): whatever is still in the
 * window stays a replay, whatever left it is gone. */
static void test_rolling_window(void)
{
	struct kms_replay *rc = kms_replay_new(64, 1);
	struct kms_replay_stats st;
	char mac[16];
	int t, j, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	for (t = 0; t < 2000; t++) {
		/* at time t, message t lives until t + 50 */
		snprintf(mac, sizeof mac, "m%d", t);
		bad += chk(rc, "b", mac, NOW + t + 50, NOW + t) != KMS_REPLAY_NEW;
		if (t % 97)
			continue;
		for (j = t - 60 < 0 ? 0 : t - 60; j <= t; j++) {
			snprintf(mac, sizeof mac, "m%d", j);
			bad += chk(rc, "b", mac, NOW + j + 50, NOW + t) !=
			       (j + 50 > t ? KMS_REPLAY_SEEN : KMS_REPLAY_NEW);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	kms_replay_get_stats(rc, &st);
	CU_ASSERT_EQUAL(st.full, 0);
	CU_ASSERT(st.entries <= 64);
	kms_replay_free(rc);
}

/* Expiry times are kept modulo 2^32 and compared as serial numbers: a
 * window across 2106-02-07T06:28:16Z works like any other. */
static void test_time_wrap(void)
{
	const int64_t wrap = 4294967296LL;
	struct kms_replay *rc = kms_replay_new(4, 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	CU_ASSERT_EQUAL(chk(rc, "b", "1", wrap + 100, wrap - 100), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "1", wrap + 100, wrap + 99), KMS_REPLAY_SEEN);
	CU_ASSERT_EQUAL(chk(rc, "b", "1", wrap + 100, wrap + 100), KMS_REPLAY_NEW);
	kms_replay_free(rc);
}

/* The 80 % and the first-refusal events, each reported exactly once. */
static void test_events(void)
{
	struct kms_replay *rc = kms_replay_new(10, 1);
	char mac[16];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	for (i = 0; i < 7; i++) {
		snprintf(mac, sizeof mac, "m%d", i);
		CU_ASSERT_EQUAL(chk(rc, "b", mac, NOW + 300, NOW), KMS_REPLAY_NEW);
	}
	CU_ASSERT_EQUAL(kms_replay_events(rc), 0);
	CU_ASSERT_EQUAL(chk(rc, "b", "m7", NOW + 300, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(kms_replay_events(rc), KMS_REPLAY_EV_HIGH);
	CU_ASSERT_EQUAL(kms_replay_events(rc), 0);
	CU_ASSERT_EQUAL(chk(rc, "b", "m8", NOW + 300, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(chk(rc, "b", "m9", NOW + 300, NOW), KMS_REPLAY_NEW);
	CU_ASSERT_EQUAL(kms_replay_events(rc), 0);
	CU_ASSERT_EQUAL(chk(rc, "b", "m10", NOW + 300, NOW), KMS_REPLAY_FULL);
	CU_ASSERT_EQUAL(chk(rc, "b", "m11", NOW + 300, NOW), KMS_REPLAY_FULL);
	CU_ASSERT_EQUAL(kms_replay_events(rc), KMS_REPLAY_EV_FULL);
	CU_ASSERT_EQUAL(kms_replay_events(rc), 0);
	/* drained and filled again: not reported twice */
	for (i = 0; i < 10; i++) {
		snprintf(mac, sizeof mac, "n%d", i);
		CU_ASSERT_EQUAL(chk(rc, "b", mac, NOW + 700, NOW + 400), KMS_REPLAY_NEW);
	}
	CU_ASSERT_EQUAL(chk(rc, "b", "n10", NOW + 700, NOW + 400), KMS_REPLAY_FULL);
	CU_ASSERT_EQUAL(kms_replay_events(rc), 0);
	kms_replay_free(rc);
}

/* ---- concurrency smoke test ---- */

#define THREADS 4
#define SHARED 2000
#define OWN 5000

struct worker {
	struct kms_replay *rc;
	int n;
	atomic_int *shared_new;
	int own_new, own_seen;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char btid[32], mac[32];

	for (int i = 0; i < SHARED; i++) {
		/* every thread sends the same shared messages */
		snprintf(mac, sizeof mac, "shared-%d", i);
		if (chk(w->rc, "btid-shared", mac, NOW + 300, NOW) == KMS_REPLAY_NEW)
			atomic_fetch_add(w->shared_new, 1);
		snprintf(btid, sizeof btid, "btid-%d", w->n);
		for (int j = 0; j < OWN / SHARED + 1; j++) {
			snprintf(mac, sizeof mac, "own-%d-%d", i, j);
			w->own_new += chk(w->rc, btid, mac, NOW + 300, NOW) == KMS_REPLAY_NEW;
			w->own_seen += chk(w->rc, btid, mac, NOW + 300, NOW) == KMS_REPLAY_SEEN;
		}
	}
	return NULL;
}

static void test_concurrent(void)
{
	struct kms_replay *rc = kms_replay_new(100000, 0);
	pthread_t th[THREADS];
	struct worker w[THREADS];
	atomic_int shared_new = 0;
	struct kms_replay_stats st;
	int per = SHARED * (OWN / SHARED + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rc);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .rc = rc, .n = i, .shared_new = &shared_new };
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(w[i].own_new, per);
		CU_ASSERT_EQUAL(w[i].own_seen, per);
	}
	CU_ASSERT_EQUAL(atomic_load(&shared_new), SHARED);
	kms_replay_get_stats(rc, &st);
	CU_ASSERT_EQUAL(st.entries, SHARED + THREADS * (size_t)per);
	CU_ASSERT_EQUAL(st.replays, (uint64_t)(SHARED * (THREADS - 1) + THREADS * per));
	CU_ASSERT_EQUAL(st.full, 0);
	kms_replay_free(rc);
}

int main(void)
{
	static const struct tk_test tests[] = {
		TK_TEST(test_duplicates),
		TK_TEST(test_expiry_frees_slots),
		TK_TEST(test_full_fails_closed),
		TK_TEST(test_rolling_window),
		TK_TEST(test_time_wrap),
		TK_TEST(test_events),
		TK_TEST(test_concurrent),
		{ NULL, NULL },
	};

	return tk_test_run("replay", tests);
}
