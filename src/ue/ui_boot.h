/*
 * ui_boot.h: the UE side of GBA bootstrapping over Ub (gba.md 2.1, 2.2,
 * 4.3, 4.4, 5.2; profile P-16, P-27), with the simulated USIM of usim.h:
 *
 *   GET / with Authorization: Digest username=IMPI, realm=<BSF host>,
 *     nonce="", uri="/", response=""
 *   401 (AKAv1-MD5, nonce = base64(RAND || AUTN)) -> USIM:
 *     fresh SQN: response with password RES (qop auth-int when offered)
 *     stale SQN: auts + response over the empty password, once; the BSF
 *       answers with a new 401 and the round is repeated
 *   200 application/vnd.3gpp.bsf+xml: rspauth checked when present (over the
 *     body, password RES), BootstrappingInfo parsed (libxml2, no DTD, no
 *     network) and validated against schemas/bootstrapping-info.xsd when it
 *     is found ($TKMS_SCHEMA_DIR, $TK_SRCDIR/schemas, the installed
 *     $(pkgdatadir)/schemas, the build's source tree), and always checked
 *     structurally.
 *
 * On success the state gets B-TID, RAND, Ks = CK || IK, the key lifetime
 * (corrected for clock skew when the BSF sends Extension/currenttime) and
 * the BSF URL; the USIM's SQN is advanced whether or not the run succeeds
 * (so the caller saves the state in both cases).
 */
#ifndef TK_UE_UI_BOOT_H
#define TK_UE_UI_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "ue/state.h"

enum ue_boot_rc {
	UE_BOOT_OK = 0,
	UE_BOOT_E_ARG = 1,   /* bad URL, no IMPI or USIM in the state */
	UE_BOOT_E_NET = 2,   /* BSF unreachable, timeout, unexpected HTTP status */
	UE_BOOT_E_AUTH = 3,  /* AUTN wrong, BSF refused our response, rspauth wrong */
	UE_BOOT_E_PROTO = 4, /* malformed challenge or BootstrappingInfo */
};

/* Hostile-client hooks for the BSF's system tests (tests/system/ub-client);
 * tkms-ue never sets them. */
struct ue_boot_test_hooks {
	bool corrupt_res;          /* in: answer with RES xor 0x01 in its first octet,
				      which the BSF must refuse */
	bool replay_after_success; /* in: after the 200, send the accepted
				      Authorization once more (a replayed nonce) */
	long replay_status;        /* out: HTTP status of that replay (-1: no answer) */
	char *body;                /* in: when set, gets a copy of the 200 body,
				      NUL-terminated, cut to body_cap - 1 octets */
	size_t body_cap;
	size_t body_len;           /* out: octets copied */
};

struct ue_boot_opts {
	const char *bsf_url;     /* e.g. http://127.0.0.1:8080 (path default "/") */
	long timeout_ms;         /* per request; 0 = 10000 */
	const char *schema_path; /* BootstrappingInfo XSD; NULL = search */
	void *curl;              /* a libcurl easy handle (CURL *) to reuse, so
				    connections stay alive across bootstraps
				    (bsf-bench); it is curl_easy_reset on return.
				    NULL = a fresh one per call */
	struct ue_boot_test_hooks *test; /* NULL outside hostile tests */
};

struct ue_boot_report {
	bool resynced;           /* an AUTS round was needed */
	bool schema_validated;   /* the XSD was found and the body validated */
	bool rspauth_verified;   /* the 200 carried rspauth and it verified */
	long http_status;        /* the BSF's last HTTP status (0: none) */
	uint64_t sqn_before, sqn_after;
};

/* st must hold impi and the USIM. */
int ue_bootstrap(struct ue_state *st, const struct ue_boot_opts *o, struct ue_boot_report *rep,
		 char *err, size_t errlen);

/* Parse and check a BootstrappingInfo body (exposed for tests): btid (cap
 * UE_STATE_ID_MAX), lifetime, and currenttime (0 when absent).  xsd may be
 * NULL.  0 or -1 (err). */
int ue_boot_parse_info(const char *body, size_t len, const char *xsd, char *btid,
		       int64_t *lifetime, int64_t *currenttime, char *err, size_t errlen);

/* The XSD path found by the search described above, or NULL. */
const char *ue_boot_schema_path(char *buf, size_t cap);

#endif
