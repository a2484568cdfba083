/*
 * tkmsd.c: the KMS daemon's life cycle: command line, configuration,
 * logging, PID file, listeners (PSK-TLS, HTTPS, plain HTTP; profile P-7),
 * signals (SIGTERM/SIGINT: clean stop with in-flight requests finishing;
 * SIGHUP: reopen the audit file, re-read the configuration and the key ring
 * and swap in a new ticket engine, engine_glue.h), and the `keyring` subcommands
 * (keyring_cmd.h).
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "http/http.h"
#include "naf/naf.h"
#include "tkmsd/audit.h"
#include "tkmsd/conf.h"
#include "tkmsd/engine_glue.h"
#include "tkmsd/keyring_cmd.h"
#include "tkmsd/log.h"
#include "tkmsd/psk.h"
#include "tkmsd/routes.h"
#include "tkmsd/creds.h"
#include "util/fileio.h"
#include "util/secret.h"
#include "util/json.h"

#define STOP_GRACE_MS 10000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tkmsd [--config FILE] [--check-config] [--print-config]\n"
		"             [--pid-file FILE] [-v]\n"
		"       tkmsd [--config FILE] keyring create|add|make-current ID|list|retire [ID]\n"
		"             [--keyring FILE]   (tkmsd keyring --help)\n"
		"       tkmsd [--config FILE] user-hash USERNAME [IMPU...] < password\n"
		"             (an entry of the password users file, HA1 of tkms-users@<fqdn>)\n"
		"  --config FILE    JSON configuration (default: embedded lab defaults:\n"
		"                   PSK-TLS on 127.0.0.1:8443, HTTPS on 127.0.0.1:8444 with an\n"
		"                   ephemeral certificate, Zn at http://127.0.0.1:8081)\n"
		"  --check-config   validate the configuration and exit (0 when valid)\n"
		"  --print-config   print the effective configuration and exit\n"
		"  --pid-file FILE  write the process id here (overrides pid_file)\n"
		"  -v               log at debug level\n");
}

/* Configuration parts a running daemon cannot change (listeners, Zn,
 * limits, files opened at start): a reload keeps them and says so. */
static void note_restart_only(const struct tkmsd_config *running, const struct tkmsd_config *fresh)
{
	static const char *const keys[] = { "listeners", "bsf", "limits", "audit", "pid_file",
					     "replay_cache_size" };
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!json_equal(json_object_get(running->root, keys[i]),
				json_object_get(fresh->root, keys[i])))
			tkmsd_log(LOG_WARNING, "SIGHUP: \"%s\" changed; it takes effect at the next "
				  "restart", keys[i]);
	if (!json_equal(json_object_get(json_object_get(running->root, "log"), "syslog"),
			json_object_get(json_object_get(fresh->root, "log"), "syslog")))
		tkmsd_log(LOG_WARNING, "SIGHUP: \"log.syslog\" changed; it takes effect at the "
			  "next restart");
}

/* SIGHUP: new configuration and key ring, swapped in as one new engine;
 * in-flight requests finish on the old one. Anything wrong: the running
 * engine stays. */
static void reload(const char *file, const struct tkmsd_config *running, bool verbose,
		   struct tkmsd_engine *eng)
{
	struct tkmsd_config fresh;
	char err[4096], desc[512];

	if (!file)
		tkmsd_log(LOG_NOTICE, "SIGHUP: running on embedded defaults; reloading the key ring");
	if (tkmsd_config_load(file, &fresh, err, sizeof err) != 0) {
		tkmsd_log(LOG_ERR, "SIGHUP: configuration not valid, keeping the running one: %s",
			  err);
		return;
	}
	if (tkmsd_engine_reload(eng, &fresh, err, sizeof err) != 0) {
		tkmsd_log(LOG_ERR, "SIGHUP: %s: %s; keeping the running configuration and key ring",
			  fresh.file, err);
		tkmsd_config_free(&fresh);
		return;
	}
	note_restart_only(running, &fresh);
	tkmsd_log_setup(verbose ? LOG_DEBUG : fresh.log.level, running->log.syslog);
	tkmsd_engine_describe(eng, desc, sizeof desc);
	tkmsd_log(LOG_NOTICE, "SIGHUP: %s reloaded: ticket engine with %s", fresh.file, desc);
	tkmsd_config_free(&fresh);
}

struct listeners {
	struct tk_http_server *psk, *https, *http;
	char *cert_pem, *key_pem; /* ephemeral HTTPS credentials */
};

static void stop_all(struct listeners *l)
{
	/* Close every door first, then wait for each listener's in-flight
	 * requests. */
	tk_http_quiesce(l->psk);
	tk_http_quiesce(l->https);
	tk_http_quiesce(l->http);
	tk_http_stop(l->psk, STOP_GRACE_MS);
	tk_http_stop(l->https, STOP_GRACE_MS);
	tk_http_stop(l->http, STOP_GRACE_MS);
	l->psk = l->https = l->http = NULL;
	free(l->cert_pem);
	if (l->key_pem)
		tk_wipe(l->key_pem, strlen(l->key_pem));
	free(l->key_pem);
	l->cert_pem = l->key_pem = NULL;
}

static int start_one(const struct tkmsd_config *c, const char *name, enum tk_http_mode mode,
		     const struct tkmsd_listener_cfg *lc, struct tkmsd_routes *routes,
		     struct naf *naf, struct listeners *l, struct tk_http_server **out)
{
	struct tk_http_config hc;
	char err[512];

	memset(&hc, 0, sizeof hc);
	hc.listen = lc->listen;
	hc.mode = mode;
	hc.name = name;
	hc.priority = lc->priority;
	hc.threads = c->limits.threads;
	hc.max_connections = c->limits.connections;
	hc.connection_timeout = c->limits.connection_timeout;
	hc.max_body = c->limits.max_body;
	hc.handler = tkmsd_route;
	hc.handler_cls = routes;
	hc.log = tkmsd_log_http;
	if (mode == TK_HTTP_PSK) {
		hc.psk_cb = tkmsd_psk_lookup;
		hc.psk_cls = naf;
	}
	if (mode == TK_HTTP_HTTPS) {
		if (lc->cert) {
			hc.cert_file = lc->cert;
			hc.key_file = lc->key;
		} else {
			char fpr[TK_HTTP_FPR_LEN];
			if (tk_http_selfsigned(c->fqdn, 30, &l->cert_pem, &l->key_pem, fpr,
					       err, sizeof err) != 0) {
				tkmsd_log(LOG_ERR, "https: %s", err);
				return -1;
			}
			tkmsd_log(LOG_WARNING, "https: no certificate configured; using an "
				  "ephemeral self-signed one for %s (lab use), SHA-256 %s",
				  c->fqdn, fpr);
			if (lc->cert_out &&
			    tk_file_write_atomic(lc->cert_out, l->cert_pem, strlen(l->cert_pem),
						 0644, err, sizeof err) != 0) {
				tkmsd_log(LOG_ERR, "https: cannot write the certificate: %s", err);
				return -1;
			}
			hc.cert_pem = l->cert_pem;
			hc.key_pem = l->key_pem;
		}
		if (lc->client_ca) {
			hc.client_ca_file = lc->client_ca;
			hc.client_cert = TK_HTTP_CLIENT_CERT_OPTIONAL;
		}
	}
	if (tk_http_start(&hc, out, err, sizeof err) != 0) {
		tkmsd_log(LOG_ERR, "%s: %s", name, err);
		return -1;
	}
	tkmsd_log(LOG_NOTICE, "%s listener on %s (port %u)", name, lc->listen,
		  tk_http_port(*out));
	return 0;
}

static int start_listeners(const struct tkmsd_config *c, struct tkmsd_routes *routes,
			   struct naf *naf, struct listeners *l)
{
	if ((c->psk.enabled &&
	     start_one(c, "psk", TK_HTTP_PSK, &c->psk, routes, naf, l, &l->psk) != 0) ||
	    (c->https.enabled &&
	     start_one(c, "https", TK_HTTP_HTTPS, &c->https, routes, naf, l, &l->https) != 0) ||
	    (c->http.enabled &&
	     start_one(c, "http", TK_HTTP_PLAIN, &c->http, routes, naf, l, &l->http) != 0)) {
		stop_all(l);
		return -1;
	}
	return 0;
}

static struct naf *make_naf(const struct tkmsd_config *c)
{
	struct naf_config nc;
	char err[256];
	struct naf *naf;

	memset(&nc, 0, sizeof nc);
	nc.fqdn = c->fqdn;
	nc.gsid = c->bsf.gsid;
	nc.zn_url = c->bsf.url;
	nc.token = c->bsf.token;
	nc.ca_file = c->bsf.ca;
	nc.cert_file = c->bsf.cert;
	nc.key_file = c->bsf.key;
	nc.connect_timeout_ms = c->bsf.connect_timeout_ms;
	nc.timeout_ms = c->bsf.timeout_ms;
	naf = naf_new(&nc, err, sizeof err);
	if (!naf)
		tkmsd_log(LOG_ERR, "NAF library: %s", err);
	return naf;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "print-config", no_argument, NULL, 'P' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = NULL, *pid_file;
	bool check = false, print = false, verbose = false;
	struct tkmsd_config cfg;
	struct tkmsd_routes routes;
	struct listeners lis;
	struct naf *naf;
	struct tkmsd_audit *audit;
	struct tkmsd_engine *eng;
	char *pid_override = NULL, err[4096], pidtext[32], desc[512];
	sigset_t sigs;
	int opt, sig, rc = 0;

	tk_json_wipe_on_free(); /* keys travel as hex in JSON documents */
	while ((opt = getopt_long(argc, argv, "+c:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': file = optarg; break;
		case 'C': check = true; break;
		case 'P': print = true; break;
		case 'p': pid_override = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "keyring") == 0) {
		if (tkmsd_config_load(file, &cfg, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		rc = tkmsd_keyring_cmd(argc - optind, argv + optind, cfg.keyring,
				       cfg.policy.max_lifetime, cfg.policy.clock_skew);
		tkmsd_config_free(&cfg);
		return rc;
	}
	if (optind < argc && strcmp(argv[optind], "user-hash") == 0) {
		if (tkmsd_config_load(file, &cfg, err, sizeof err) != 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		rc = tkmsd_user_hash_main(cfg.fqdn, argc - optind, argv + optind);
		tkmsd_config_free(&cfg);
		return rc;
	}
	if (optind != argc) {
		fprintf(stderr, "tkmsd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (tkmsd_config_load(file, &cfg, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: configuration OK\n", cfg.file);
		tkmsd_config_free(&cfg);
		return 0;
	}
	if (print) {
		char *s = tkmsd_config_dump(&cfg);
		printf("%s\n", s ? s : "");
		free(s);
		tkmsd_config_free(&cfg);
		return s ? 0 : 1;
	}
	tkmsd_log_setup(verbose ? LOG_DEBUG : cfg.log.level, cfg.log.syslog);
	pid_file = pid_override ? pid_override : cfg.pid_file;

	/* Signals are taken by sigwait() in this thread only; every thread
	 * started below inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	audit = tkmsd_audit_open(cfg.audit, 0, err, sizeof err);
	if (!audit) {
		tkmsd_log(LOG_ERR, "%s", err);
		tkmsd_config_free(&cfg);
		return 1;
	}
	naf = make_naf(&cfg);
	if (!naf) {
		tkmsd_audit_close(audit);
		tkmsd_config_free(&cfg);
		return 1;
	}
	eng = tkmsd_engine_start(&cfg, naf, audit, NULL, NULL, err, sizeof err);
	if (!eng) {
		tkmsd_log(LOG_ERR, "%s: %s", cfg.file, err);
		naf_free(naf);
		tkmsd_audit_close(audit);
		tkmsd_config_free(&cfg);
		return 1;
	}
	routes.naf = naf;
	routes.mikey = tkmsd_engine_handler(eng);
	routes.users = tkmsd_engine_users(eng);
	memset(&lis, 0, sizeof lis);
	if (start_listeners(&cfg, &routes, naf, &lis) != 0) {
		rc = 1;
		goto out;
	}
	if (pid_file) {
		snprintf(pidtext, sizeof pidtext, "%ld\n", (long)getpid());
		if (tk_file_write_atomic(pid_file, pidtext, strlen(pidtext), 0644, err,
					 sizeof err) != 0) {
			tkmsd_log(LOG_ERR, "cannot write PID file: %s", err);
			stop_all(&lis);
			pid_file = NULL;
			rc = 1;
			goto out;
		}
	}
	tkmsd_engine_describe(eng, desc, sizeof desc);
	tkmsd_log(LOG_NOTICE, "tkmsd %s started: KMS %s, Zn %s, config %s, ticket engine with %s",
		  PACKAGE_VERSION, cfg.fqdn, cfg.bsf.url, cfg.file, desc);

	for (;;) {
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* log rotation: the audit file is opened again by name */
			if (tkmsd_audit_reopen(audit, err, sizeof err) != 0)
				tkmsd_log(LOG_ERR, "SIGHUP: %s; audit lines still go to the old file", err);
			reload(file, &cfg, verbose, eng);
			continue;
		}
		tkmsd_log(LOG_NOTICE, "%s: stopping (in-flight requests finish first)",
			  sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	}
	stop_all(&lis);
	if (pid_file && unlink(pid_file) != 0 && errno != ENOENT) {
		tkmsd_log(LOG_WARNING, "cannot remove PID file %s: %s", pid_file, strerror(errno));
		rc = 1;
	}
out:
	tkmsd_engine_stop(eng);
	naf_free(naf);
	tkmsd_audit_close(audit);
	if (rc == 0)
		tkmsd_log(LOG_NOTICE, "stopped");
	tkmsd_log_close();
	tkmsd_config_free(&cfg);
	return rc;
}
