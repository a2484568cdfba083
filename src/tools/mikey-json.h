/*
 * mikey-json.h: a parsed MIKEY / MIKEY-TICKET message as a JSON tree
 * (jansson) for tkms-mikey.  Field names follow the RFC field names of
 * mikey.md 3 (HDR, payloads, TP/TICKET, Ticket Data, Initiator Data); code
 * points are shown as {"value": n, "name": "..."} with the names of
 * mikey.md 2 and 3.5 ("name": null for an unknown value); timestamps also
 * as ISO 8601 UTC with the era rule of mikey.md 3.4.  Nothing here sees a
 * key: decrypted Key data is added by the caller through mj_keylist, which
 * prints key bytes only when asked to.
 */
#ifndef TK_TOOLS_MIKEY_JSON_H
#define TK_TOOLS_MIKEY_JSON_H

#include <stdbool.h>
#include <jansson.h>

#include "mikey/mikey.h"

/* The whole message: {"HDR": {...}, "payloads": [...], ...}. */
json_t *mj_message(const struct mk_msg *m);

/*
 * A Key data chain (decrypted KEMAC, or the wanted keys of a TP KEMAC when
 * `desired`).  Keys and salts are shown by length and fingerprint (first
 * 8 hex digits of their SHA-256); the bytes themselves only if show_keys.
 * roles[i] (may be NULL) labels key i, e.g. "MPKi".
 */
json_t *mj_keylist(const struct mk_keylist *kl, const char *const *roles,
		   unsigned nroles, bool desired, bool show_keys);

/* Key fingerprint: first 8 hex digits of SHA-256(key); out has >= 9 bytes. */
void mj_fingerprint(const uint8_t *p, size_t n, char out[9]);

/* Lower-case hex of a byte string as a new JSON string. */
json_t *mj_hex(const uint8_t *p, size_t n);

/* First object of array `a` whose "payload" member equals `name`. */
json_t *mj_find_payload(json_t *a, const char *name);

#endif
