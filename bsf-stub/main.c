/*
 * main.c: bsf-stub, a small real BSF (contracts.md A): command line,
 * configuration, subscriber store, the Ub and Zn listeners, and a clean
 * shutdown on SIGTERM/SIGINT (in-flight requests finish).
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bsf-stub/bsf.h"
#include "bsf-stub/log.h"
#include "bsf-stub/xml.h"
#include "http/http.h"
#include "util/json.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bsf-stub [--config FILE] [--ub-listen HOST:PORT] [--zn-listen HOST:PORT]\n"
		"                [--state-dir DIR] [--subscribers FILE] [--print-config]\n"
		"                [--check-config] [-v]\n"
		"Without a configuration: demo subscribers, Ub on 127.0.0.1:8080, Zn on\n"
		"127.0.0.1:8081, FQDN bsf.home1.net, state in ./bsf-state.\n");
}

static void http_log(void *cls, int level, const char *msg)
{
	(void)cls;
	bsf_log(level, "%s", msg);
}

static bool is_pem(const char *s) { return strncmp(s, "-----BEGIN", 10) == 0; }

static int start(struct bsf *b, const struct bsf_config *cfg, struct tk_http_server **ub,
		 struct tk_http_server **zn)
{
	struct tk_http_config hc;
	char err[256];

	memset(&hc, 0, sizeof hc);
	hc.listen = cfg->ub_listen;
	hc.mode = TK_HTTP_PLAIN;
	hc.threads = cfg->threads;
	hc.max_body = 4096; /* Ub requests are GETs */
	hc.handler = bsf_ub_handle;
	hc.handler_cls = b;
	hc.log = http_log;
	hc.log_cls = "ub";
	hc.name = "ub";
	if (tk_http_start(&hc, ub, err, sizeof err) != 0) {
		bsf_log(BSF_LOG_ERR, "ub listener %s: %s", cfg->ub_listen, err);
		return -1;
	}
	memset(&hc, 0, sizeof hc);
	hc.listen = cfg->zn_listen;
	hc.mode = cfg->tls_cert ? TK_HTTP_HTTPS : TK_HTTP_PLAIN;
	if (cfg->tls_cert) {
		*(is_pem(cfg->tls_cert) ? &hc.cert_pem : &hc.cert_file) = cfg->tls_cert;
		*(is_pem(cfg->tls_key) ? &hc.key_pem : &hc.key_file) = cfg->tls_key;
		if (cfg->tls_client_ca) {
			*(is_pem(cfg->tls_client_ca) ? &hc.client_ca_pem : &hc.client_ca_file) =
				cfg->tls_client_ca;
			hc.client_cert = TK_HTTP_CLIENT_CERT_OPTIONAL;
		}
	}
	hc.threads = cfg->threads;
	hc.max_body = BSF_ZN_MAX_BODY;
	hc.handler = bsf_zn_handle;
	hc.handler_cls = b;
	hc.log = http_log;
	hc.log_cls = "zn";
	hc.name = "zn";
	if (tk_http_start(&hc, zn, err, sizeof err) != 0) {
		bsf_log(BSF_LOG_ERR, "zn listener %s: %s", cfg->zn_listen, err);
		tk_http_stop(*ub, 0);
		*ub = NULL;
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ub-listen", required_argument, NULL, 'u' },
		{ "zn-listen", required_argument, NULL, 'z' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "subscribers", required_argument, NULL, 'S' },
		{ "print-config", no_argument, NULL, 'p' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL, *ub_listen = NULL, *zn_listen = NULL, *state_dir = NULL,
		   *subscribers = NULL;
	bool print = false, check = false;
	int verbose = 0, opt, rc = 1, sig;
	struct bsf_config cfg;
	struct bsf_store store;
	struct bsf b;
	struct tk_http_server *ub = NULL, *zn = NULL;
	sigset_t set;
	char err[512];

	tk_json_wipe_on_free(); /* keys travel as hex in JSON documents */
	while ((opt = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'u': ub_listen = optarg; break;
		case 'z': zn_listen = optarg; break;
		case 's': state_dir = optarg; break;
		case 'S': subscribers = optarg; break;
		case 'p': print = true; break;
		case 'k': check = true; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	bsf_log_set_level(verbose ? BSF_LOG_DEBUG : BSF_LOG_INFO);
	if (bsf_config_defaults(&cfg) != 0) {
		fprintf(stderr, "bsf-stub: out of memory\n");
		return 1;
	}
	bsf_store_init(&store);
	memset(&b, 0, sizeof b);
	if (config && bsf_config_load(&cfg, config, err, sizeof err) != 0) {
		fprintf(stderr, "bsf-stub: %s\n", err);
		goto out;
	}
	if ((ub_listen && bsf_config_set(&cfg.ub_listen, ub_listen)) ||
	    (zn_listen && bsf_config_set(&cfg.zn_listen, zn_listen)) ||
	    (state_dir && bsf_config_set(&cfg.state_dir, state_dir)))
		goto out;
	if (subscribers) {
		if (bsf_config_set(&cfg.subscribers, subscribers))
			goto out;
		json_decref(cfg.subscriber_list);
		cfg.subscriber_list = NULL;
	}
	if (bsf_config_check(&cfg, err, sizeof err) != 0) {
		fprintf(stderr, "bsf-stub: %s\n", err);
		goto out;
	}
	if (print) {
		char *s = bsf_config_dump(&cfg);

		if (s)
			printf("%s\n", s);
		free(s);
		rc = s ? 0 : 1;
		goto out;
	}
	if (bsf_xml_init(err, sizeof err) != 0) {
		fprintf(stderr, "bsf-stub: schemas: %s\n", err);
		goto out;
	}
	if (cfg.subscribers) {
		if (bsf_store_load_file(&store, cfg.subscribers, err, sizeof err) != 0)
			goto bad;
	} else {
		json_t *demo = cfg.subscriber_list ? NULL : json_loads(bsf_store_demo_json(), 0, NULL);
		const char *where = cfg.subscriber_list ? (cfg.file ? cfg.file : "config")
							: "(demo subscribers)";
		int r = bsf_store_load(&store, cfg.subscriber_list ? cfg.subscriber_list
								   : json_object_get(demo, "subscribers"),
				       where, err, sizeof err);

		json_decref(demo);
		if (r != 0)
			goto bad;
	}
	if (check) {
		printf("bsf-stub: configuration OK (%zu subscribers, %zu NAFs)\n", store.n, cfg.n_nafs);
		rc = 0;
		goto out;
	}
	if (bsf_store_open_state(&store, cfg.state_dir, err, sizeof err) != 0)
		goto bad;
	if (bsf_init(&b, &cfg, &store) != 0) {
		fprintf(stderr, "bsf-stub: out of memory\n");
		goto out;
	}
	/* Signals are taken by sigwait below; every server thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (start(&b, &cfg, &ub, &zn) != 0)
		goto out;
	bsf_log(BSF_LOG_INFO, "BSF %s: Ub on %s (port %u), Zn on %s (port %u), %zu subscribers, state in %s",
		cfg.fqdn, cfg.ub_listen, tk_http_port(ub), cfg.zn_listen, tk_http_port(zn), store.n,
		cfg.state_dir);
	sig = 0;
	sigwait(&set, &sig);
	bsf_log(BSF_LOG_INFO, "signal %d: shutting down", sig);
	tk_http_quiesce(ub);
	tk_http_quiesce(zn);
	tk_http_stop(ub, 2000);
	tk_http_stop(zn, 2000);
	rc = 0;
	goto out;
bad:
	fprintf(stderr, "bsf-stub: %s\n", err);
out:
	bsf_free(&b);
	bsf_store_free(&store);
	bsf_config_free(&cfg);
	bsf_xml_cleanup();
	return rc;
}
