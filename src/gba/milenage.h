/*
 * milenage.h: the 3GPP MILENAGE authentication functions (TS 35.205/35.206,
 * gba.md 5.3) over AES-128 (nettle), for both sides of UMTS AKA:
 *
 *  - network side (HSS/BSF): build an authentication vector from K, OPc,
 *    SQN, AMF and RAND; verify a resynchronisation token AUTS and recover
 *    SQN_MS;
 *  - USIM side (simulated UE): check AUTN for a RAND (MAC-A compared in
 *    constant time), return RES/CK/IK and the SQN it carried.  Whether that
 *    SQN is fresh is the caller's decision (it keeps the stored SQN); if not,
 *    the caller builds AUTS with tk_mil_auts_build().
 *
 * No I/O, no allocation.  All arrays have the fixed sizes below; outputs that
 * are documented as optional may be NULL.
 */
#ifndef TK_GBA_MILENAGE_H
#define TK_GBA_MILENAGE_H

#include <stdbool.h>
#include <stdint.h>

#define TK_MIL_K_LEN    16
#define TK_MIL_OP_LEN   16
#define TK_MIL_RAND_LEN 16
#define TK_MIL_SQN_LEN  6
#define TK_MIL_AMF_LEN  2
#define TK_MIL_MAC_LEN  8   /* MAC-A (f1) and MAC-S (f1*) */
#define TK_MIL_RES_LEN  8   /* f2 */
#define TK_MIL_CK_LEN   16  /* f3 */
#define TK_MIL_IK_LEN   16  /* f4 */
#define TK_MIL_AK_LEN   6   /* f5 and f5* */
#define TK_MIL_AUTN_LEN 16  /* (SQN xor AK) || AMF || MAC-A */
#define TK_MIL_AUTS_LEN 14  /* (SQN_MS xor AK*) || MAC-S */

/* Result codes (0 = success). */
enum tk_mil_err {
	TK_MIL_OK = 0,
	TK_MIL_MAC_FAIL = -1, /* MAC-A in AUTN (or MAC-S in AUTS) is wrong */
};

/* OPc = AES_K(OP) xor OP. */
void tk_mil_opc(const uint8_t k[TK_MIL_K_LEN], const uint8_t op[TK_MIL_OP_LEN],
		uint8_t opc[TK_MIL_OP_LEN]);

/* f1 (MAC-A) and f1* (MAC-S) for SQN and AMF; either output may be NULL. */
void tk_mil_f1(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
	       const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t sqn[TK_MIL_SQN_LEN],
	       const uint8_t amf[TK_MIL_AMF_LEN], uint8_t mac_a[TK_MIL_MAC_LEN],
	       uint8_t mac_s[TK_MIL_MAC_LEN]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK) and f5* (AK*); any output may be NULL. */
void tk_mil_f2345(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		  const uint8_t rand[TK_MIL_RAND_LEN], uint8_t res[TK_MIL_RES_LEN],
		  uint8_t ck[TK_MIL_CK_LEN], uint8_t ik[TK_MIL_IK_LEN],
		  uint8_t ak[TK_MIL_AK_LEN], uint8_t ak_star[TK_MIL_AK_LEN]);

/* An authentication vector (quintet) as the HSS hands it to the BSF. */
struct tk_mil_av {
	uint8_t rand[TK_MIL_RAND_LEN];
	uint8_t autn[TK_MIL_AUTN_LEN];
	uint8_t xres[TK_MIL_RES_LEN];
	uint8_t ck[TK_MIL_CK_LEN];
	uint8_t ik[TK_MIL_IK_LEN];
};

/* Network side: the vector for this RAND (the caller draws RAND with
 * gnutls_rnd and advances its SQN). AUTN = (SQN xor AK) || AMF || MAC-A. */
void tk_mil_generate(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		     const uint8_t sqn[TK_MIL_SQN_LEN], const uint8_t amf[TK_MIL_AMF_LEN],
		     const uint8_t rand[TK_MIL_RAND_LEN], struct tk_mil_av *av);

/* USIM side: recover SQN = AUTN[0..5] xor AK, recompute MAC-A with the AMF of
 * AUTN and compare it in constant time.  On TK_MIL_OK, sqn/res/ck/ik (each
 * optional) are filled and the caller must still check SQN freshness against
 * its stored SQN (and answer with AUTS if stale).  On TK_MIL_MAC_FAIL every
 * output is zeroed. */
int tk_mil_usim_check(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		      const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t autn[TK_MIL_AUTN_LEN],
		      uint8_t sqn[TK_MIL_SQN_LEN], uint8_t res[TK_MIL_RES_LEN],
		      uint8_t ck[TK_MIL_CK_LEN], uint8_t ik[TK_MIL_IK_LEN]);

/* USIM side: AUTS = (SQN_MS xor f5*(RAND)) || f1*(K, SQN_MS, RAND, AMF*),
 * AMF* = 0000 (TS 33.102 6.3.3). */
void tk_mil_auts_build(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		       const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t sqn_ms[TK_MIL_SQN_LEN],
		       uint8_t auts[TK_MIL_AUTS_LEN]);

/* Network side: SQN_MS = AUTS[0..5] xor f5*(RAND), then MAC-S checked in
 * constant time.  TK_MIL_OK with sqn_ms filled, or TK_MIL_MAC_FAIL (sqn_ms
 * zeroed).  RAND is the one of the challenge the USIM refused. */
int tk_mil_auts_verify(const uint8_t k[TK_MIL_K_LEN], const uint8_t opc[TK_MIL_OP_LEN],
		       const uint8_t rand[TK_MIL_RAND_LEN], const uint8_t auts[TK_MIL_AUTS_LEN],
		       uint8_t sqn_ms[TK_MIL_SQN_LEN]);

/* SQN as a 48-bit integer and back (big-endian), for counters kept by callers. */
uint64_t tk_mil_sqn_get(const uint8_t sqn[TK_MIL_SQN_LEN]);
void tk_mil_sqn_put(uint64_t v, uint8_t sqn[TK_MIL_SQN_LEN]);

#endif
