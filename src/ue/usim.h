/*
 * usim.h: a simulated USIM for GBA bootstrapping (gba.md 2.1, 2.2, 5.3):
 * K, OPc and the highest SQN it has accepted.  It checks AUTN (MAC-A via
 * Milenage) and the freshness of the SQN in it, TS 33.102 6.3 simplified to
 * "SQN must be greater than the stored SQN" (no SQN array, no delta limit);
 * a stale SQN gets AUTS = (SQN_MS xor AK*) || MAC-S for resynchronisation.
 */
#ifndef TK_UE_USIM_H
#define TK_UE_USIM_H

#include <stdbool.h>
#include <stdint.h>

#include "gba/milenage.h"

struct ue_usim {
	uint8_t k[TK_MIL_K_LEN];
	uint8_t opc[TK_MIL_OP_LEN];
	uint64_t sqn; /* highest accepted SQN (48 bits) */
};

enum ue_usim_rc {
	UE_USIM_OK = 0,       /* res, ck, ik filled; sqn advanced */
	UE_USIM_SYNC = 1,     /* SQN not fresh: auts filled (send it to the BSF) */
	UE_USIM_MAC_FAIL = 2, /* AUTN not from our home network: nothing filled */
};

int ue_usim_run(struct ue_usim *u, const uint8_t rand[TK_MIL_RAND_LEN],
		const uint8_t autn[TK_MIL_AUTN_LEN], uint8_t res[TK_MIL_RES_LEN],
		uint8_t ck[TK_MIL_CK_LEN], uint8_t ik[TK_MIL_IK_LEN],
		uint8_t auts[TK_MIL_AUTS_LEN]);

#endif
