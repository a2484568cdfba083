/*
 * naf.h: the NAF library, i.e. what a GBA Network Application Function (the
 * KMS) needs to turn a B-TID into a key (gba.md 2.3-2.5; profile P-1, P-3,
 * P-17):
 *
 *  - naf_get_key(): Ks_NAF for (B-TID, Ua security protocol id), together
 *    with the subscriber's IMPI and the IMPUs of its USS for the NAF's GAA
 *    service (P-3), from a bounded, sharded in-memory cache in front of a Zn
 *    client (naf/zn.h).  Keys are honoured until their keyExpiryTime;
 *    unknown B-TIDs and refusals are negatively cached for a short time;
 *    concurrent misses for one key collapse into one Zn request.
 *  - GBA HTTP Digest on Ua (naf/ua_digest.h) and PSK-TLS identities
 *    (naf/btid.h) build on it.
 *
 * A hit takes one shard lock, allocates nothing and copies 32 octets plus a
 * reference to the shared, immutable identity record.  Thread-safe.
 */
#ifndef NAF_NAF_H
#define NAF_NAF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gba/kdf.h"
#include "naf/btid.h"

#define NAF_KEY_LEN TK_GBA_KEY_LEN

/* Outcome of a key lookup or Zn fetch. */
enum naf_status {
	NAF_OK = 0,
	NAF_NOT_FOUND,      /* Zn 404 BTID_NOT_FOUND: unknown or expired B-TID -> UE re-bootstraps */
	NAF_NOT_AUTHORIZED, /* Zn 403 NAF_NOT_AUTHORIZED, or no USS for our GAA service */
	NAF_UNAVAILABLE,    /* BSF unreachable, timeout, 5xx */
	NAF_PROTOCOL,       /* unusable answer: bad JSON, unexpected status (400, 401, ...) */
	NAF_BAD_BTID,       /* the B-TID is not syntactically valid (never sent to the BSF) */
	NAF_NOMEM,
};

const char *naf_status_str(int status);

/* The subscriber behind a B-TID: shared and immutable, reference counted. */
struct naf_ids {
	const char *impi;
	size_t n_impus;
	const char *const *impus; /* ueIds of the USS for the NAF's gsid (P-3) */
};

/* Is uri[0..len) one of the IMPUs (exact octet comparison)? */
bool naf_ids_has_impu(const struct naf_ids *ids, const char *uri, size_t len);

/* A key handed to the caller.  Release with naf_key_clear() (wipes it and
 * drops the identity reference). */
struct naf_key {
	uint8_t ks_naf[NAF_KEY_LEN];
	int64_t expiry;             /* keyExpiryTime, seconds since the epoch */
	int64_t created;            /* bootstrappingInfoCreationTime (0 if absent) */
	const struct naf_ids *ids;  /* NULL unless NAF_OK */
	char detail[128];           /* why, when the status is not NAF_OK */
};

void naf_key_clear(struct naf_key *key);

struct naf_config {
	const char *fqdn;            /* NAF FQDN: NAF_Id and Digest realm (required) */
	const char *gsid;            /* GAA service id sent in gsIds (P-3); NULL = "0" */
	const char *zn_url;          /* BSF Zn apiRoot, e.g. http://127.0.0.1:8081 (required) */
	const char *token;           /* bearer token for Zn (NULL = none) */
	const char *ca_file;         /* TLS: CA bundle for the BSF certificate */
	const char *cert_file;       /* TLS: client certificate (mutual TLS) */
	const char *key_file;        /* TLS: its private key */
	long connect_timeout_ms;     /* 0 = 2000 */
	long timeout_ms;             /* whole Zn request; 0 = 5000 */
	unsigned pool_size;          /* idle curl handles kept; 0 = 16 */
	unsigned max_entries;        /* cached B-TIDs; 0 = 100000 */
	unsigned neg_ttl_ms;         /* negative caching of 404/403; 0 = 5000 */
	unsigned max_ttl_s;          /* cap on how long a key is cached; 0 = until keyExpiryTime */
	unsigned nonce_ttl_s;        /* Digest nonce lifetime; 0 = 300 */
	const uint8_t *nonce_secret; /* Digest nonce HMAC key (shared by a KMS cluster); NULL = random */
	size_t nonce_secret_len;
};

struct naf;

/* NULL on error, with a one-line reason in err. */
struct naf *naf_new(const struct naf_config *cfg, char *err, size_t errlen);
void naf_free(struct naf *naf);

const char *naf_fqdn(const struct naf *naf);

/* Ks_NAF for NAF_Id = our FQDN || ua and the B-TID btid[0..len).  Returns a
 * naf_status; out is filled (NAF_OK) or carries the detail. */
int naf_get_key(struct naf *naf, const char *btid, size_t len, tk_ua_id ua,
		struct naf_key *out);

/* The same straight from Zn, bypassing (and not filling) the cache. */
int naf_fetch_uncached(struct naf *naf, const char *btid, size_t len, tk_ua_id ua,
		       struct naf_key *out);

struct naf_stats {
	uint64_t hits, neg_hits, misses, collapsed, zn_requests, evictions;
	uint64_t entries;
};

void naf_get_stats(struct naf *naf, struct naf_stats *st);

#endif
