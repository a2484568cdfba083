/*
 * naf.c: the B-TID key cache in front of Zn (see naf.h; profile P-1, P-3,
 * P-17; gba.md 2.5, 6 "NAF stops using the SA after Key-ExpiryTime").
 *
 * Layout: NAF_SHARDS shards (one when max_entries < 1024), each a mutex,
 * a condition variable, a chained hash table and an LRU list of entries.
 * An entry is one B-TID: its shared identity record and up to NAF_SLOTS
 * keys, one per Ua security protocol id (a KMS uses the MIKEY id plus one
 * or two TLS ids per B-TID, P-1).  A slot
 * is EMPTY, PENDING (a Zn request is in flight: later callers wait for its
 * outcome instead of asking again), OK (key valid until `until`) or NEG
 * (404/403 remembered until `until`).  UNAVAILABLE and PROTOCOL outcomes are
 * handed to the callers that waited for them but never cached.
 *
 * The hash is keyed with a random seed so that B-TIDs chosen by a client
 * cannot be made to collide.  When a shard is full it first drops every
 * expired entry (at most once a second), then the least recently used ones;
 * an entry with a request in flight is never evicted.  Keys are wiped when a
 * slot is reused, an entry evicted and the cache freed.
 */
#include "naf/naf.h"

#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naf/ids.h"
#include "naf/naf_int.h"
#include "naf/ua_digest.h"
#include "naf/zn.h"
#include "util/secret.h"

#define NAF_SHARDS 16
#define NAF_SLOTS 4

enum { S_EMPTY, S_PENDING, S_OK, S_NEG };

/* One Zn request in progress and its outcome, shared with the waiters. */
struct flight {
	unsigned refs; /* under the shard lock */
	bool done;
	struct naf_zn_result res;
};

struct slot {
	tk_ua_id ua;
	uint8_t state;
	int neg_status;
	int64_t until_ms;
	uint64_t used; /* shard tick of the last use, picks the slot to reuse */
	uint8_t key[NAF_KEY_LEN];
	struct flight *flight;
};

struct entry {
	struct entry *hnext, *prev, *next;
	uint64_t hash;
	const struct naf_ids *ids;
	int64_t expiry, created;
	unsigned pending;
	struct slot slots[NAF_SLOTS];
	size_t len;
	char btid[];
};

struct shard {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry **buckets;
	size_t mask;
	struct entry lru; /* sentinel: lru.next is the most recently used */
	size_t count, cap;
	int64_t last_sweep_ms;
	uint64_t tick;
	uint64_t hits, neg_hits, misses, collapsed, zn_requests, evictions;
};

struct naf {
	char *fqdn, *gsid, *realm;
	struct naf_zn *zn;
	unsigned neg_ttl_ms, max_ttl_s, nonce_ttl_s;
	uint64_t seed;
	uint8_t nonce_key[NAF_NONCE_KEY_LEN];
	unsigned nshards;
	struct shard shards[NAF_SHARDS];
};

const char *naf_status_str(int status)
{
	switch (status) {
	case NAF_OK: return "ok";
	case NAF_NOT_FOUND: return "B-TID not found";
	case NAF_NOT_AUTHORIZED: return "NAF not authorized";
	case NAF_UNAVAILABLE: return "BSF unavailable";
	case NAF_PROTOCOL: return "Zn protocol error";
	case NAF_BAD_BTID: return "malformed B-TID";
	case NAF_NOMEM: return "out of memory";
	default: return "unknown status";
	}
}

int64_t naf_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *naf_fqdn(const struct naf *naf) { return naf->fqdn; }
const char *naf_realm(const struct naf *naf) { return naf->realm; }
const uint8_t *naf_nonce_key(const struct naf *naf) { return naf->nonce_key; }
unsigned naf_nonce_ttl(const struct naf *naf) { return naf->nonce_ttl_s; }

void naf_key_clear(struct naf_key *key)
{
	if (!key)
		return;
	tk_wipe(key->ks_naf, sizeof key->ks_naf);
	naf_ids_unref(key->ids);
	key->ids = NULL;
}

/* FNV-1a over a random seed, then a 64-bit finaliser (splitmix64). */
static uint64_t hash_btid(uint64_t seed, const char *s, size_t len)
{
	uint64_t h = seed ^ 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

struct naf *naf_new(const struct naf_config *cfg, char *err, size_t errlen)
{
	struct naf_zn_config zc = { 0 };
	struct naf *naf;
	unsigned max_entries;

	if (!cfg->fqdn || !naf_fqdn_valid(cfg->fqdn, strlen(cfg->fqdn))) {
		snprintf(err, errlen, "NAF FQDN missing or not a DNS name");
		return NULL;
	}
	if (cfg->gsid && (!*cfg->gsid || strlen(cfg->gsid) > 64)) {
		snprintf(err, errlen, "GAA service id must be 1..64 characters");
		return NULL;
	}
	if (cfg->nonce_secret && cfg->nonce_secret_len < 16) {
		snprintf(err, errlen, "Digest nonce secret shorter than 16 octets");
		return NULL;
	}
	naf = calloc(1, sizeof *naf);
	if (!naf || !(naf->fqdn = strdup(cfg->fqdn)) ||
	    !(naf->gsid = strdup(cfg->gsid ? cfg->gsid : "0")) ||
	    !(naf->realm = malloc(sizeof NAF_REALM_PREFIX + strlen(cfg->fqdn)))) {
		snprintf(err, errlen, "out of memory");
		naf_free(naf);
		return NULL;
	}
	memcpy(naf->realm, NAF_REALM_PREFIX, sizeof NAF_REALM_PREFIX - 1);
	strcpy(naf->realm + sizeof NAF_REALM_PREFIX - 1, cfg->fqdn);
	zc.url = cfg->zn_url;
	zc.token = cfg->token;
	zc.ca_file = cfg->ca_file;
	zc.cert_file = cfg->cert_file;
	zc.key_file = cfg->key_file;
	zc.connect_timeout_ms = cfg->connect_timeout_ms;
	zc.timeout_ms = cfg->timeout_ms;
	zc.pool_size = cfg->pool_size;
	naf->zn = naf_zn_new(&zc, err, errlen);
	if (!naf->zn) {
		naf_free(naf);
		return NULL;
	}
	naf->neg_ttl_ms = cfg->neg_ttl_ms ? cfg->neg_ttl_ms : 5000;
	naf->max_ttl_s = cfg->max_ttl_s;
	naf->nonce_ttl_s = cfg->nonce_ttl_s ? cfg->nonce_ttl_s : 300;
	if (cfg->nonce_secret)
		gnutls_hash_fast(GNUTLS_DIG_SHA256, cfg->nonce_secret, cfg->nonce_secret_len,
				 naf->nonce_key);
	else if (gnutls_rnd(GNUTLS_RND_KEY, naf->nonce_key, sizeof naf->nonce_key) < 0)
		goto rnd;
	if (gnutls_rnd(GNUTLS_RND_NONCE, &naf->seed, sizeof naf->seed) < 0)
		goto rnd;

	max_entries = cfg->max_entries ? cfg->max_entries : 100000;
	/* small caches (tests, tiny deployments) keep one exact LRU order */
	naf->nshards = max_entries >= 1024 ? NAF_SHARDS : 1;
	for (unsigned i = 0; i < naf->nshards; i++) {
		struct shard *sh = &naf->shards[i];
		size_t nb = 16;

		sh->cap = (max_entries + naf->nshards - 1) / naf->nshards;
		while (nb < sh->cap)
			nb <<= 1;
		sh->buckets = calloc(nb, sizeof *sh->buckets);
		if (!sh->buckets) {
			snprintf(err, errlen, "out of memory");
			naf_free(naf);
			return NULL;
		}
		sh->mask = nb - 1;
		sh->lru.next = sh->lru.prev = &sh->lru;
		pthread_mutex_init(&sh->mu, NULL);
		pthread_cond_init(&sh->cv, NULL);
	}
	return naf;
rnd:
	snprintf(err, errlen, "random generator failed");
	naf_free(naf);
	return NULL;
}

static void entry_free(struct entry *e)
{
	for (int i = 0; i < NAF_SLOTS; i++)
		tk_wipe(e->slots[i].key, NAF_KEY_LEN);
	naf_ids_unref(e->ids);
	free(e);
}

void naf_free(struct naf *naf)
{
	if (!naf)
		return;
	for (unsigned i = 0; i < naf->nshards; i++) {
		struct shard *sh = &naf->shards[i];
		if (!sh->buckets)
			continue;
		for (struct entry *e = sh->lru.next, *n; e != &sh->lru; e = n) {
			n = e->next;
			entry_free(e);
		}
		free(sh->buckets);
		pthread_mutex_destroy(&sh->mu);
		pthread_cond_destroy(&sh->cv);
	}
	naf_zn_free(naf->zn);
	tk_wipe(naf->nonce_key, sizeof naf->nonce_key);
	free(naf->fqdn);
	free(naf->gsid);
	free(naf->realm);
	free(naf);
}

/* ---- shard internals (shard lock held) --------------------------------- */

static struct entry *lookup(struct shard *sh, uint64_t h, const char *btid, size_t len)
{
	for (struct entry *e = sh->buckets[h & sh->mask]; e; e = e->hnext)
		if (e->hash == h && e->len == len && memcmp(e->btid, btid, len) == 0)
			return e;
	return NULL;
}

static void lru_unlink(struct entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
}

static void lru_front(struct shard *sh, struct entry *e)
{
	e->next = sh->lru.next;
	e->prev = &sh->lru;
	sh->lru.next->prev = e;
	sh->lru.next = e;
}

static void remove_entry(struct shard *sh, struct entry *e)
{
	struct entry **pp = &sh->buckets[e->hash & sh->mask];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(e);
	sh->count--;
	sh->evictions++;
	entry_free(e);
}

static bool entry_expired(const struct entry *e, int64_t now)
{
	if (e->pending)
		return false;
	for (int i = 0; i < NAF_SLOTS; i++)
		if (e->slots[i].state != S_EMPTY && e->slots[i].until_ms > now)
			return false;
	return true;
}

/* Expired entries first (a full sweep at most once a second), then LRU. */
static bool make_room(struct shard *sh, int64_t now)
{
	if (sh->count < sh->cap)
		return true;
	if (now - sh->last_sweep_ms >= 1000) {
		sh->last_sweep_ms = now;
		for (struct entry *e = sh->lru.prev, *p; e != &sh->lru; e = p) {
			p = e->prev;
			if (entry_expired(e, now))
				remove_entry(sh, e);
		}
	}
	for (struct entry *e = sh->lru.prev; sh->count >= sh->cap && e != &sh->lru;) {
		struct entry *p = e->prev;
		if (!e->pending)
			remove_entry(sh, e);
		e = p;
	}
	return sh->count < sh->cap;
}

static struct entry *insert(struct shard *sh, uint64_t h, const char *btid, size_t len,
			    int64_t now)
{
	struct entry *e;

	if (!make_room(sh, now))
		return NULL;
	e = calloc(1, sizeof *e + len + 1);
	if (!e)
		return NULL;
	e->hash = h;
	e->len = len;
	memcpy(e->btid, btid, len);
	e->hnext = sh->buckets[h & sh->mask];
	sh->buckets[h & sh->mask] = e;
	lru_front(sh, e);
	sh->count++;
	return e;
}

static struct slot *find_slot(struct entry *e, tk_ua_id ua)
{
	for (int i = 0; i < NAF_SLOTS; i++)
		if (e->slots[i].state != S_EMPTY && tk_ua_id_equal(e->slots[i].ua, ua))
			return &e->slots[i];
	return NULL;
}

/* A slot for a new Ua id: an empty or expired one, else the least recently
 * used one that has no request in flight. */
static struct slot *claim_slot(struct entry *e, tk_ua_id ua, int64_t now)
{
	struct slot *best = NULL;

	for (int i = 0; i < NAF_SLOTS; i++) {
		struct slot *s = &e->slots[i];
		if (s->state == S_PENDING)
			continue;
		if (s->state == S_EMPTY || s->until_ms <= now) {
			best = s;
			break;
		}
		if (!best || s->used < best->used)
			best = s;
	}
	if (best) {
		tk_wipe(best->key, NAF_KEY_LEN);
		best->ua = ua;
		best->state = S_EMPTY;
	}
	return best;
}

static void copy_out(const struct naf_zn_result *r, struct naf_key *out)
{
	out->ids = NULL;
	out->expiry = r->expiry;
	out->created = r->created;
	if (r->status == NAF_OK) {
		memcpy(out->ks_naf, r->ks_naf, NAF_KEY_LEN);
		out->ids = naf_ids_ref(r->ids);
		out->detail[0] = '\0';
	} else {
		snprintf(out->detail, sizeof out->detail, "%s", r->detail);
	}
}

static void flight_unref(struct flight *f)
{
	if (--f->refs == 0) {
		naf_zn_result_clear(&f->res);
		free(f);
	}
}

/* The outcome lands in the slot (OK and NEG are kept, the rest dropped). */
static void store(struct naf *naf, struct entry *e, struct slot *s,
		  const struct naf_zn_result *r, int64_t now)
{
	s->flight = NULL;
	e->pending--;
	s->state = S_EMPTY;
	if (r->status == NAF_OK) {
		int64_t until = r->expiry * 1000;
		if (naf->max_ttl_s && until > now + (int64_t)naf->max_ttl_s * 1000)
			until = now + (int64_t)naf->max_ttl_s * 1000;
		naf_ids_unref(e->ids);
		e->ids = naf_ids_ref(r->ids);
		e->expiry = r->expiry;
		e->created = r->created;
		if (until > now) {
			memcpy(s->key, r->ks_naf, NAF_KEY_LEN);
			s->until_ms = until;
			s->state = S_OK;
		}
	} else if (r->status == NAF_NOT_FOUND || r->status == NAF_NOT_AUTHORIZED) {
		s->neg_status = r->status;
		s->until_ms = now + naf->neg_ttl_ms;
		s->state = S_NEG;
	}
}

static int fetch(struct naf *naf, const char *btid, size_t len, tk_ua_id ua,
		 struct naf_zn_result *r)
{
	char b[NAF_BTID_MAX + 1];

	memcpy(b, btid, len);
	b[len] = '\0';
	return naf_zn_fetch(naf->zn, b, naf->fqdn, ua, naf->gsid, r);
}

int naf_fetch_uncached(struct naf *naf, const char *btid, size_t len, tk_ua_id ua,
		       struct naf_key *out)
{
	struct naf_zn_result r;

	memset(out, 0, sizeof *out);
	if (!naf_btid_valid(btid, len)) {
		snprintf(out->detail, sizeof out->detail, "malformed B-TID");
		return NAF_BAD_BTID;
	}
	fetch(naf, btid, len, ua, &r);
	copy_out(&r, out);
	naf_zn_result_clear(&r);
	return r.status;
}

int naf_get_key(struct naf *naf, const char *btid, size_t len, tk_ua_id ua,
		struct naf_key *out)
{
	struct shard *sh;
	struct entry *e;
	struct slot *s;
	struct flight *f;
	uint64_t h;
	int64_t now;
	int st;

	out->ids = NULL;
	if (!naf_btid_valid(btid, len)) {
		memset(out, 0, sizeof *out);
		snprintf(out->detail, sizeof out->detail, "malformed B-TID");
		return NAF_BAD_BTID;
	}
	h = hash_btid(naf->seed, btid, len);
	sh = &naf->shards[naf->nshards == 1 ? 0 : h >> 60];
	now = naf_now_ms();

	pthread_mutex_lock(&sh->mu);
	e = lookup(sh, h, btid, len);
	s = e ? find_slot(e, ua) : NULL;
	if (s && s->state == S_OK && s->until_ms > now) {
		memcpy(out->ks_naf, s->key, NAF_KEY_LEN);
		out->expiry = e->expiry;
		out->created = e->created;
		out->ids = naf_ids_ref(e->ids);
		out->detail[0] = '\0';
		s->used = ++sh->tick;
		lru_unlink(e);
		lru_front(sh, e);
		sh->hits++;
		pthread_mutex_unlock(&sh->mu);
		return NAF_OK;
	}
	if (s && s->state == S_NEG && s->until_ms > now) {
		st = s->neg_status;
		sh->neg_hits++;
		pthread_mutex_unlock(&sh->mu);
		snprintf(out->detail, sizeof out->detail, "%s (cached)", naf_status_str(st));
		return st;
	}
	if (s && s->state == S_PENDING) {
		f = s->flight;
		f->refs++;
		sh->collapsed++;
		while (!f->done)
			pthread_cond_wait(&sh->cv, &sh->mu);
		copy_out(&f->res, out);
		st = f->res.status;
		flight_unref(f);
		pthread_mutex_unlock(&sh->mu);
		return st;
	}
	if (!e)
		e = insert(sh, h, btid, len, now);
	if (s)
		tk_wipe(s->key, NAF_KEY_LEN); /* expired: reused for this fetch */
	else if (e)
		s = claim_slot(e, ua, now);
	f = e && s ? calloc(1, sizeof *f) : NULL;
	sh->misses++;
	sh->zn_requests++;
	if (!f) {
		/* no room (every candidate busy) or no memory: ask Zn uncached */
		pthread_mutex_unlock(&sh->mu);
		return naf_fetch_uncached(naf, btid, len, ua, out);
	}
	f->refs = 1;
	s->state = S_PENDING;
	s->ua = ua;
	s->flight = f;
	s->used = ++sh->tick;
	e->pending++;
	pthread_mutex_unlock(&sh->mu);

	fetch(naf, btid, len, ua, &f->res);

	pthread_mutex_lock(&sh->mu);
	now = naf_now_ms();
	store(naf, e, s, &f->res, now);
	f->done = true;
	pthread_cond_broadcast(&sh->cv);
	copy_out(&f->res, out);
	st = f->res.status;
	flight_unref(f);
	pthread_mutex_unlock(&sh->mu);
	return st;
}

void naf_get_stats(struct naf *naf, struct naf_stats *st)
{
	memset(st, 0, sizeof *st);
	for (unsigned i = 0; i < naf->nshards; i++) {
		struct shard *sh = &naf->shards[i];
		pthread_mutex_lock(&sh->mu);
		st->hits += sh->hits;
		st->neg_hits += sh->neg_hits;
		st->misses += sh->misses;
		st->collapsed += sh->collapsed;
		st->zn_requests += sh->zn_requests;
		st->evictions += sh->evictions;
		st->entries += sh->count;
		pthread_mutex_unlock(&sh->mu);
	}
}
