/*
 * ue.h: the UE side of one Ub bootstrap (gba.md 2.1/2.2, P-16, P-27) over a
 * reusable libcurl easy handle, with a simulated USIM (MILENAGE). Used by the
 * system-test client tests/system/ub-client and by bsf-bench; not part of
 * the daemon.
 */
#ifndef BSF_UE_H
#define BSF_UE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "gba/kdf.h"
#include "gba/milenage.h"

struct bsf_ue {
	/* in */
	const char *impi;
	uint8_t k[TK_MIL_K_LEN], opc[TK_MIL_OP_LEN];
	uint64_t sqn_ms;        /* USIM's highest accepted SQN; updated */
	bool wrong_res;         /* answer with a corrupted RES (hostile test) */
	bool replay;            /* after success, send the same answer again */
	/* out */
	long status;            /* last HTTP status */
	long replay_status;     /* status of the replayed answer */
	int resyncs;            /* AUTS rounds needed */
	uint64_t sqn_used;      /* SQN of the accepted AUTN */
	char btid[TK_GBA_BTID_MAX];
	char lifetime[64];
	uint8_t rand[TK_MIL_RAND_LEN];
	uint8_t ks[TK_GBA_KEY_LEN];
	char body[8192];        /* the 200 OK body */
	size_t body_len;
	char err[512];
};

/* One bootstrap against url (the BSF's Ub base URL). 0 on success (rspauth
 * verified, B-TID and lifetime read), -1 with ue->err. */
int bsf_ue_bootstrap(CURL *c, const char *url, struct bsf_ue *ue);

#endif
