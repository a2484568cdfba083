/*
 * json.h: strict reading of JSON configuration and state files (jansson):
 * an unknown member is refused, so a misspelt key never silently falls back
 * to a default (profile P-10 key ring, P-18 BSF configuration).
 */
#ifndef TK_UTIL_JSON_H
#define TK_UTIL_JSON_H

#include <jansson.h>

/* The first member of object o whose name is not in allowed (a NULL-ended
 * list), or NULL when there is none. */
const char *tk_json_unknown_key(const json_t *o, const char *const *allowed);

/* Make jansson wipe every block it frees. Configuration, key ring, state and
 * Zn documents carry keys as hex strings that jansson copies into its own
 * heap blocks; call this first thing in main(), before any JSON is parsed. */
void tk_json_wipe_on_free(void);

#endif
