/*
 * store.h: the BSF's subscriber store (profile P-18), standing in for the
 * HSS behind Zh: IMPI, K, OPc (or OP), AMF, SQN and the GUSS of each
 * subscriber, plus authentication vectors (MILENAGE, gba.md 5.3).
 *
 * SQN scheme (TS 33.102 Annex C.1.1 with a 5-bit IND, IND always 0): SQN_HE
 * is the last SQN handed out; every vector takes SQN_HE + 32 (SEQ + 1).
 * After a resynchronisation SQN_HE = SQN_MS, so the next vector carries
 * SEQ_MS + 1. SQN_HE of every subscriber that has used one is kept in
 * STATE_DIR/sqn.json, written atomically (temp file, fsync, rename, fsync of
 * the directory) before the vector leaves the BSF; concurrent writers are
 * group-committed (one write covers every change made before it started).
 * All functions are thread-safe once loading is done.
 */
#ifndef BSF_STORE_H
#define BSF_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bsf-stub/xml.h"
#include "gba/milenage.h"

#define BSF_SQN_STEP 32u
#define BSF_SQN_MAX  0xffffffffffffull

struct bsf_sub {
	char *impi;
	uint8_t k[TK_MIL_K_LEN];
	uint8_t opc[TK_MIL_OP_LEN];
	uint8_t amf[TK_MIL_AMF_LEN];
	uint64_t sqn;          /* SQN_HE (guarded by the store lock) */
	bool sqn_saved;        /* sqn belongs in sqn.json (used or loaded) */
	struct bsf_guss guss;  /* n_uss == 0: no GUSS */
	char *guss_xml;        /* rendered, validated GUSS (namespaced) */
};

struct bsf_store {
	struct bsf_sub *subs;  /* sorted by IMPI */
	size_t n;
	char *state_dir;       /* NULL: SQN not persisted (unit tests only) */
	pthread_mutex_t lock;  /* SQN values and gen counters */
	pthread_mutex_t wlock; /* one writer of sqn.json at a time */
	uint64_t gen;          /* bumped at every SQN change */
	uint64_t saved_gen;    /* last gen known to be on disk */
};

/* The embedded demo subscriber list (contracts A): alice, bob, carol, dave,
 * eve @home1.net, K = MILENAGE set 1 K with the last octet 01..05, OPc of
 * set 1, AMF 8000, SQN 000000000020, IMPU sip:<name>@home1.net for GSID 0. */
const char *bsf_store_demo_json(void);

void bsf_store_init(struct bsf_store *st);
void bsf_store_free(struct bsf_store *st);

/* Load a subscriber list: the array under "subscribers" of a subscribers
 * document (where = its file name, used in messages). Strict: unknown keys,
 * wrong types, bad hex, duplicates are refused with "where: path: reason".
 * 0 or -1. May be called once per store. */
int bsf_store_load(struct bsf_store *st, const json_t *list, const char *where,
		   char *err, size_t errlen);
/* Same from a JSON file ({"subscribers": [...]}). */
int bsf_store_load_file(struct bsf_store *st, const char *path, char *err, size_t errlen);

/* Create state_dir (0700) if needed and apply its sqn.json, which overrides
 * the subscribers' initial SQN. Entries for IMPIs that are no longer
 * subscribers are ignored (and dropped at the next write). A sqn.json that
 * does not parse is an error, never silently reset. */
int bsf_store_open_state(struct bsf_store *st, const char *state_dir, char *err,
			 size_t errlen);

struct bsf_sub *bsf_store_find(const struct bsf_store *st, const char *impi);

/* Network side of AKA: next SQN (persisted before returning), fresh RAND,
 * MILENAGE vector. 0, or -1 (SQN space exhausted or state write failed;
 * err says which). */
int bsf_store_make_av(struct bsf_store *st, struct bsf_sub *sub,
		      struct tk_mil_av *av, char *err, size_t errlen);

/* Resynchronisation from AUTS for the RAND of the refused challenge:
 * MAC-S verified, then SQN_HE = SQN_MS (persisted). 0, or -1 with err. */
int bsf_store_resync(struct bsf_store *st, struct bsf_sub *sub,
		     const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t auts[TK_MIL_AUTS_LEN],
		     char *err, size_t errlen);

uint64_t bsf_store_sqn(struct bsf_store *st, struct bsf_sub *sub);

#endif
