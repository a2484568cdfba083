/*
 * state.h: what a UE keeps between runs: the simulated USIM (K, OPc, SQN)
 * and the result of its last GBA bootstrapping (gba.md 2.1: B-TID, RAND,
 * Ks = CK || IK, IMPI, key lifetime; the BSF URL), and the derivation of
 * Ks_NAF from it (gba.md 5.1; profile P-1).
 *
 * The state file is JSON, mode 0600, replaced atomically (temp file in the
 * same directory, fsync, rename, fsync of the directory).  It holds keys:
 * it is never printed and every copy in memory is wiped (ue_state_wipe).
 */
#ifndef TK_UE_STATE_H
#define TK_UE_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gba/kdf.h"
#include "ue/usim.h"
#include "util/timefmt.h"

#define UE_STATE_ID_MAX 256  /* IMPI, B-TID incl. NUL */
#define UE_STATE_URL_MAX 512

struct ue_state {
	char impi[UE_STATE_ID_MAX];
	bool have_usim;
	struct ue_usim usim;
	bool have_boot;                  /* a bootstrap result is stored */
	char bsf_url[UE_STATE_URL_MAX];
	char btid[UE_STATE_ID_MAX];
	uint8_t rand[TK_GBA_RAND_LEN];
	uint8_t ks[TK_GBA_KEY_LEN];
	int64_t expiry;                  /* key lifetime from BootstrappingInfo (epoch s) */
	int64_t created;                 /* when we bootstrapped (epoch s) */
};

/* Default path: $TKMS_UE_STATE or ./tkms-ue.state. */
const char *ue_state_default_path(void);

/* 0 on success; 1 when the file does not exist (st is then empty); -1 on
 * any other error (err says why: unreadable, not 0600-safe, malformed). */
int ue_state_load(const char *path, struct ue_state *st, char *err, size_t errlen);

/* Atomic replace with mode 0600.  0 or -1 (err). */
int ue_state_save(const char *path, const struct ue_state *st, char *err, size_t errlen);

void ue_state_wipe(struct ue_state *st);

/* Is the stored bootstrap usable at time `now` (epoch s)? */
bool ue_state_valid(const struct ue_state *st, int64_t now);

/* Ks_NAF for NAF FQDN and Ua id from the stored bootstrap.  0, or -1 with
 * err (no bootstrap, expired, bad FQDN). */
int ue_state_naf_key(const struct ue_state *st, const char *naf_fqdn, tk_ua_id ua,
		     uint8_t out[TK_GBA_KEY_LEN], char *err, size_t errlen);

/* "2026-11-27T23:00:00Z": tk_time_format under the name cmd_call.c (uecall)
 * still uses. */
static inline void ue_format_time(int64_t t, char out[TK_TIME_STR])
{
	tk_time_format(t, out);
}

#endif
