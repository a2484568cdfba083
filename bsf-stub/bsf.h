/*
 * bsf.h: the state one bsf-stub instance shares between its Ub and Zn
 * listeners, and their request handlers (gba.md 2.1, 2.2, 2.5; profile P-16,
 * P-17, P-27; contracts.md A).
 */
#ifndef BSF_BSF_H
#define BSF_BSF_H

#include <stdint.h>
#include <time.h>

#include "bsf-stub/config.h"
#include "bsf-stub/store.h"
#include "bsf-stub/table.h"
#include "gba/kdf.h"
#include "gba/milenage.h"

/* How long a Ub challenge waits for its answer. */
#define BSF_CHALLENGE_TTL 120
#define BSF_ZN_MAX_BODY   (16 * 1024)

/* A challenge sent on Ub, waiting for the UE's answer (keyed by nonce). */
struct bsf_challenge {
	struct bsf_sub *sub;
	uint8_t rand[TK_MIL_RAND_LEN];
	uint8_t xres[TK_MIL_RES_LEN];
	uint8_t ck[TK_MIL_CK_LEN];
	uint8_t ik[TK_MIL_IK_LEN];
	char opaque[32];
};

/* A bootstrapping session (keyed by B-TID): what 29.109 3.1 lists. */
struct bsf_session {
	struct bsf_sub *sub;
	uint8_t rand[TK_GBA_RAND_LEN];
	uint8_t ks[TK_GBA_KEY_LEN];
	time_t created, expires;
};

struct bsf {
	const struct bsf_config *cfg;
	struct bsf_store *store;
	struct bsf_table *challenges;
	struct bsf_table *sessions;
};

/* Set up the tables (the config and store must outlive bsf). 0 or -1. */
int bsf_init(struct bsf *b, const struct bsf_config *cfg, struct bsf_store *store);
void bsf_free(struct bsf *b);

struct tk_http_req;
/* tk_http handlers; cls is the struct bsf. */
void bsf_ub_handle(void *cls, struct tk_http_req *req);
void bsf_zn_handle(void *cls, struct tk_http_req *req);

#endif
