/*
 * usim.c: the simulated USIM (see usim.h; TS 33.102 6.3 simplified,
 * gba.md 2.2, 5.3).
 */
#include "ue/usim.h"

#include "util/secret.h"

int ue_usim_run(struct ue_usim *u, const uint8_t rand[TK_MIL_RAND_LEN],
		const uint8_t autn[TK_MIL_AUTN_LEN], uint8_t res[TK_MIL_RES_LEN],
		uint8_t ck[TK_MIL_CK_LEN], uint8_t ik[TK_MIL_IK_LEN],
		uint8_t auts[TK_MIL_AUTS_LEN])
{
	uint8_t sqn[TK_MIL_SQN_LEN], sqn_ms[TK_MIL_SQN_LEN];
	uint64_t s;

	if (tk_mil_usim_check(u->k, u->opc, rand, autn, sqn, res, ck, ik) != TK_MIL_OK)
		return UE_USIM_MAC_FAIL;
	s = tk_mil_sqn_get(sqn);
	if (s <= u->sqn) {
		tk_wipe(res, TK_MIL_RES_LEN);
		tk_wipe(ck, TK_MIL_CK_LEN);
		tk_wipe(ik, TK_MIL_IK_LEN);
		tk_mil_sqn_put(u->sqn, sqn_ms);
		tk_mil_auts_build(u->k, u->opc, rand, sqn_ms, auts);
		return UE_USIM_SYNC;
	}
	u->sqn = s;
	return UE_USIM_OK;
}
