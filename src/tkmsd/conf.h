/*
 * conf.h: tkmsd configuration: one JSON file (jansson) over embedded lab
 * defaults, validated with messages of the form "FILE: key.path: problem".
 *
 * With no file the defaults start a lab KMS on loopback next to a bsf-stub
 * with its own defaults (contracts.md A): Zn at http://127.0.0.1:8081 with
 * token "lab-token-kms", KMS FQDN kms.home1.net, GAA service id "0".
 * Every key is documented in contrib/tkmsd.example.json and in the comment
 * block of conf.c. Members whose name starts with "_" are comments.
 */
#ifndef TKMSD_CONFIG_H
#define TKMSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct tkmsd_listener_cfg {
	bool enabled;
	const char *listen;     /* HOST:PORT */
	const char *priority;   /* GnuTLS priority string, NULL = adapter default */
	/* https only */
	const char *cert, *key, *client_ca; /* files; cert/key NULL = ephemeral lab cert */
	const char *cert_out;   /* where to write the ephemeral certificate (PEM) */
};

struct tkmsd_group {
	const char *uri;
	const char **members;
	size_t n_members;
};

/* A network-function principal (P-14): by IMPI or by client certificate DN. */
struct tkmsd_nf {
	const char *name;
	const char *impi;          /* or NULL */
	const char *cert_subject;  /* or NULL */
	bool intercept;
};

/* A certificate user (issue 6 item 7): subject DN -> IMPUs. */
struct tkmsd_cert_user {
	const char *subject;
	const char **impus;
	size_t n_impus;
	const char *name;          /* or NULL */
};

/* P-11 flag letters D..O map onto these bits (RFC 6043 TP flags). */
#define TKMSD_FLAG_BIT(letter) (0x10000u >> ((letter) - 'D'))

struct tkmsd_config {
	const char *file;            /* "(defaults)" when none */
	const char *fqdn;
	struct tkmsd_listener_cfg psk, https, http;
	struct {
		const char *url, *token, *cert, *key, *ca, *gsid;
		long connect_timeout_ms, timeout_ms;
	} bsf;
	struct {
		unsigned default_lifetime, max_lifetime, clock_skew;
		bool set128, set256;
		uint32_t flags_default, flags_choosable;
	} policy;
	struct tkmsd_group *groups;
	size_t n_groups;
	struct tkmsd_nf *nfs;
	size_t n_nfs;
	/* credentials without GBA (tkmsd/creds.h) */
	struct {
		bool enabled;
		const char *cert, *key;     /* PEM files, made at start when absent */
		const char *client_ca;      /* PEM CAs; NULL = listeners.https.client_ca */
		bool san_impus;             /* unlisted certificates: subjectAltName URIs */
	} pk;
	struct tkmsd_cert_user *client_certs;
	size_t n_client_certs;
	const char *users;           /* password users file, or NULL */
	const char *keyring;
	unsigned replay_cache_size;
	struct {
		unsigned connections, threads, connection_timeout;
		size_t max_body;
	} limits;
	struct {
		int level;
		bool syslog;
	} log;
	const char *audit;           /* path or "stderr" */
	const char *pid_file;        /* NULL = none */
	json_t *root;                /* the merged document; strings point into it */
};

/* The embedded defaults as JSON text. */
extern const char tkmsd_default_config[];

/* Load file (NULL = defaults only) into *cfg. 0, or -1 with every problem
 * found, one per line, in err ("FILE: key.path: what is wrong"). */
int tkmsd_config_load(const char *file, struct tkmsd_config *cfg, char *err, size_t errlen);
void tkmsd_config_free(struct tkmsd_config *cfg);

/* A URI as used for IMPUs and groups (here and in the users file):
 * scheme ':' rest, no spaces or controls. */
bool tkmsd_uri_like(const char *s);

/* The effective configuration as JSON text (the BSF token masked); free(). */
char *tkmsd_config_dump(const struct tkmsd_config *cfg);

#endif
