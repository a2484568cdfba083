/*
 * engine_glue.h: the ticket engine (src/kms) behind tkmsd's
 * struct tkmsd_mikey_handler: configuration -> struct kms_engine_config,
 * outcome -> verdict (P-6, P-22), audit record -> P-15 JSON line, and the
 * live reload of SIGHUP.
 *
 * A "generation" is one engine with its own configuration tables and key
 * ring. Requests take a reference to the generation in force; a reload
 * builds a new one and swaps it in, and the old one is freed when its last
 * in-flight request drops it. The replay cache (P-9) and the NAF object
 * (Zn cache) are shared by all generations, so a reload neither forgets
 * seen messages nor fetched keys.
 */
#ifndef TKMSD_ENGINE_GLUE_H
#define TKMSD_ENGINE_GLUE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "kms/engine.h"
#include "tkmsd/conf.h"
#include "tkmsd/mikey_handler.h"

struct naf;
struct tkmsd_audit;
struct tkmsd_audit_line;
struct tkmsd_engine;

/* Build the first generation: key ring cfg->keyring (created with one fresh
 * key when the file does not exist), replay cache of
 * cfg->replay_cache_size entries. naf and audit are borrowed and must
 * outlive the result; clock may be NULL (real clock; tests move it). NULL
 * with a reason in err. */
struct tkmsd_engine *tkmsd_engine_start(const struct tkmsd_config *cfg, struct naf *naf,
					struct tkmsd_audit *audit,
					uint64_t (*clock)(void *), void *clock_ctx,
					char *err, size_t errlen);
/* SIGHUP: a new generation from cfg and its key ring file (which must
 * exist), swapped in atomically. On any error (bad key ring, a KMS FQDN
 * other than the running one: NAF keys depend on it) the running generation
 * stays and -1 is returned with the reason in err. */
int tkmsd_engine_reload(struct tkmsd_engine *e, const struct tkmsd_config *cfg,
			char *err, size_t errlen);
/* After the listeners have stopped. NULL is fine. */
void tkmsd_engine_stop(struct tkmsd_engine *e);

/* The handler routes.c calls (ctx = e). */
struct tkmsd_mikey_handler tkmsd_engine_handler(struct tkmsd_engine *e);

/* One line for the start-up / reload log: key ring file, key count, current
 * key id, replay cache size (no key bytes). */
void tkmsd_engine_describe(struct tkmsd_engine *e, char *out, size_t cap);

/* The password users of the generation in force, for routes.c (ctx = e). */
struct tkmsd_users_hook tkmsd_engine_users(struct tkmsd_engine *e);

/* The P-6 / P-22 mapping (exposed for the unit test). */
enum tkmsd_verdict tkmsd_verdict_of(enum kms_outcome o);
/* The P-15 line of one engine result ("time" = now), ready for
 * tkmsd_audit_write(). Never carries key material. */
void tkmsd_audit_event(const struct kms_audit *a, enum kms_outcome o, struct tkmsd_audit_line *l);

#endif
