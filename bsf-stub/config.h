/*
 * config.h: bsf-stub configuration (contracts.md A): embedded defaults, a
 * JSON file (every key optional, unknown keys refused), then command-line
 * overrides. Errors read "FILE: key.path: what is wrong".
 */
#ifndef BSF_CONFIG_H
#define BSF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct bsf_naf {
	char *name;
	bool has_token;
	uint8_t token_hash[32];  /* SHA-256 of the bearer token (compared in constant time) */
	char *client_dn;         /* with mTLS: the verified client certificate DN */
	char **fqdns;
	size_t n_fqdns;
	char **gsids;
	size_t n_gsids;
};

struct bsf_config {
	char *file;              /* config file name, NULL = embedded defaults */
	char *fqdn;
	char *ub_listen;
	char *zn_listen;
	char *tls_cert, *tls_key, *tls_client_ca; /* file names or PEM text */
	struct bsf_naf *nafs;
	size_t n_nafs;
	long lifetime;           /* seconds */
	long max_sessions;
	char *state_dir;
	char *subscribers;       /* file; NULL = inline list or the demo set */
	json_t *subscriber_list; /* inline "subscriber_list" (owned) */
	unsigned threads;
};

/* Defaults of contracts.md A. */
int bsf_config_defaults(struct bsf_config *c);
/* Apply a JSON config file on top. 0 or -1 with err. */
int bsf_config_load(struct bsf_config *c, const char *path, char *err, size_t errlen);
/* Check cross-field rules after the command line was applied. */
int bsf_config_check(const struct bsf_config *c, char *err, size_t errlen);
/* The effective configuration as JSON (tokens shown as "(set)"), plus the
 * demo subscribers when no other list is configured. Caller frees. */
char *bsf_config_dump(const struct bsf_config *c);
void bsf_config_free(struct bsf_config *c);

/* Replace a string field (strdup). */
int bsf_config_set(char **field, const char *value);

/* SHA-256 of a token, as stored in bsf_naf.token_hash. */
void bsf_token_hash(const char *token, size_t len, uint8_t out[32]);

#endif
