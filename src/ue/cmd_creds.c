/*
 * cmd_creds.c: request / resolve as a certificate user or a password user
 * (see cmd_creds.h; call_creds.h for the MIKEY side, kmsclient.h for the
 * transport).
 */
#include "ue/cmd_creds.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "gba/userpsk.h"
#include "ue/call.h"
#include "ue/call_creds.h"
#include "ue/cmd_common.h"
#include "ue/kmsclient.h"
#include "util/fileio.h"
#include "util/secret.h"

enum {
	O_CALL = 300, O_KMS, O_KMS_FQDN, O_CACERT, O_IMPU, O_TO, O_LIFETIME, O_NO_FORK, O_ALGS,
	O_IN, O_TIMEOUT, O_JSON, O_CERT, O_KEY, O_KMS_CERT, O_PSS, O_USER, O_PASSWORD, O_HELP,
	O_NO_SEND, O_OUT,
};

static const struct option opts[] = {
	{ "call", required_argument, NULL, O_CALL },
	{ "kms", required_argument, NULL, O_KMS },
	{ "kms-fqdn", required_argument, NULL, O_KMS_FQDN },
	{ "cacert", required_argument, NULL, O_CACERT },
	{ "impu", required_argument, NULL, O_IMPU },
	{ "to", required_argument, NULL, O_TO },
	{ "lifetime", required_argument, NULL, O_LIFETIME },
	{ "no-forking", no_argument, NULL, O_NO_FORK },
	{ "algs", required_argument, NULL, O_ALGS },
	{ "in", required_argument, NULL, O_IN },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "json", no_argument, NULL, O_JSON },
	{ "cert", required_argument, NULL, O_CERT },
	{ "key", required_argument, NULL, O_KEY },
	{ "kms-cert", required_argument, NULL, O_KMS_CERT },
	{ "pss", no_argument, NULL, O_PSS },
	{ "user", required_argument, NULL, O_USER },
	{ "password", required_argument, NULL, O_PASSWORD },
	{ "help", no_argument, NULL, O_HELP },
	{ "no-send", no_argument, NULL, O_NO_SEND },
	{ "out", required_argument, NULL, O_OUT },
	{ NULL, 0, NULL, 0 },
};

#define USAGE_REQUEST "--call FILE --impu IMPU --to IMPU [--to ...] [--lifetime S] " \
	"[--no-forking] [--algs 128|256] --kms URL [--kms-fqdn FQDN] [--cacert PEM] " \
	"[--timeout S] [--json]\n" CRED_USAGE
#define USAGE_RESOLVE "--call FILE --in TRANSFER_INIT-FILE --impu IMPU --kms URL " \
	"[--kms-fqdn FQDN] [--cacert PEM] [--timeout S] [--json]\n" CRED_USAGE
#define CRED_USAGE "  certificate user: --cert PEM --key PEM --kms-cert PEM [--pss]\n" \
	"  password user:    --user NAME --password PW (or $TKMS_UE_PASSWORD)\n" \
	"  --no-send --out FILE: write the message to FILE instead of sending it " \
	"(the KMS's answer then cannot be read: its key stays in this process)"

struct args {
	const char *call, *kms, *kms_fqdn, *cacert, *impu, *in;
	const char *to[UE_MAX_PEERS];
	unsigned nto, algs;
	unsigned long lifetime;
	long timeout_ms;
	bool no_fork, json, pss, no_send;
	const char *cert, *key, *kms_cert, *user, *password, *out;
};

bool ue_creds_wanted(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--cert") || !strcmp(argv[i], "--user") ||
		    !strncmp(argv[i], "--cert=", 7) || !strncmp(argv[i], "--user=", 7))
			return true;
	return false;
}

static int usage_err(const char *cmd, const char *msg)
{
	fprintf(stderr, "tkms-ue %s: %s\nusage: tkms-ue %s %s\n", cmd, msg, cmd,
		strcmp(cmd, "request") ? USAGE_RESOLVE : USAGE_REQUEST);
	return UE_EXIT_USAGE;
}

static int parse(int argc, char **argv, struct args *a)
{
	const char *cmd = argv[0];
	bool req = !strcmp(cmd, "request");
	int c;

	memset(a, 0, sizeof *a);
	a->algs = 128;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		char *end;
		unsigned long v;

		switch (c) {
		case O_CALL: a->call = optarg; break;
		case O_KMS: a->kms = optarg; break;
		case O_KMS_FQDN: a->kms_fqdn = optarg; break;
		case O_CACERT: a->cacert = optarg; break;
		case O_IMPU: a->impu = optarg; break;
		case O_TO:
			if (!req || a->nto == UE_MAX_PEERS)
				return usage_err(cmd, "--to: only with request, at most 8");
			a->to[a->nto++] = optarg;
			break;
		case O_LIFETIME:
		case O_ALGS:
		case O_TIMEOUT:
			v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || (c == O_ALGS && v != 128 && v != 256) ||
			    (c == O_TIMEOUT && (v == 0 || v > 3600)) || v > 10UL * 365 * 86400)
				return usage_err(cmd, "bad number");
			if (c == O_LIFETIME)
				a->lifetime = v;
			else if (c == O_ALGS)
				a->algs = (unsigned)v;
			else
				a->timeout_ms = (long)v * 1000;
			break;
		case O_NO_FORK: a->no_fork = true; break;
		case O_IN: a->in = optarg; break;
		case O_JSON: a->json = true; break;
		case O_CERT: a->cert = optarg; break;
		case O_KEY: a->key = optarg; break;
		case O_KMS_CERT: a->kms_cert = optarg; break;
		case O_PSS: a->pss = true; break;
		case O_USER: a->user = optarg; break;
		case O_PASSWORD: a->password = optarg; break;
		case O_NO_SEND: a->no_send = true; break;
		case O_OUT: a->out = optarg; break;
		case O_HELP:
			printf("usage: tkms-ue %s %s\n", cmd, req ? USAGE_REQUEST : USAGE_RESOLVE);
			return -1;
		default:
			return usage_err(cmd, "unknown or misplaced option");
		}
	}
	if (optind != argc)
		return usage_err(cmd, "unexpected argument");
	if (!a->password)
		a->password = getenv("TKMS_UE_PASSWORD");
	if (!a->call || !(a->kms || (a->no_send && a->kms_fqdn)) || !a->impu ||
	    (req ? !a->nto : !a->in))
		return usage_err(cmd, req ? "--call, --kms, --impu and --to are required" :
				 "--call, --kms, --in and --impu are required");
	if (a->no_send != !!a->out)
		return usage_err(cmd, "--no-send and --out FILE go together");
	if (!a->cert == !a->user)
		return usage_err(cmd, "give either --cert (with --key, --kms-cert) or --user");
	if (a->cert && (!a->key || !a->kms_cert))
		return usage_err(cmd, "--cert needs --key and --kms-cert");
	if (a->user && (!a->password || !*a->password))
		return usage_err(cmd, "--user needs --password or $TKMS_UE_PASSWORD");
	return 0;
}

/* ---- PEM files -------------------------------------------------------------- */

struct pem {
	gnutls_privkey_t key;
	gnutls_x509_crt_t *chain;
	unsigned nchain;
	uint8_t *der[MK_MAX_CERT];
	gnutls_x509_crt_t kms;
	gnutls_pubkey_t kms_pub;
	uint8_t *kms_der;
};

static int read_datum(const char *path, unsigned flags, gnutls_datum_t *d, char *err, size_t cap)
{
	char *buf = NULL;
	size_t n = 0;

	if (tk_file_read(path, 256 * 1024, flags, &buf, &n, err, cap) != 0)
		return -1;
	d->data = (unsigned char *)buf;
	d->size = (unsigned)n;
	return 0;
}

static uint8_t *export_der(gnutls_x509_crt_t c, size_t *n)
{
	uint8_t *p = malloc(16384);

	*n = 16384;
	if (p && gnutls_x509_crt_export(c, GNUTLS_X509_FMT_DER, p, n) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static int pem_load(const struct args *a, struct pem *p, struct ue_pk_cred *pk, char *err,
		    size_t cap)
{
	gnutls_datum_t d = { NULL, 0 };
	unsigned i;
	int rc = -1;

	memset(p, 0, sizeof *p);
	if (read_datum(a->key, TK_FILE_PRIVATE, &d, err, cap))
		return -1;
	if (gnutls_privkey_init(&p->key) < 0 ||
	    gnutls_privkey_import_x509_raw(p->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0) < 0) {
		snprintf(err, cap, "%s: not a PEM private key", a->key);
		goto out;
	}
	tk_wipe(d.data, d.size);
	free(d.data);
	d.data = NULL;
	if (read_datum(a->cert, 0, &d, err, cap))
		goto out;
	if (gnutls_x509_crt_list_import2(&p->chain, &p->nchain, &d, GNUTLS_X509_FMT_PEM, 0) < 0 ||
	    !p->nchain || p->nchain > MK_MAX_CERT) {
		snprintf(err, cap, "%s: not 1..%d PEM certificates (own first)", a->cert, MK_MAX_CERT);
		goto out;
	}
	free(d.data);
	d.data = NULL;
	for (i = 0; i < p->nchain; i++) {
		p->der[i] = export_der(p->chain[i], &pk->chain_len[i]);
		if (!p->der[i]) {
			snprintf(err, cap, "%s: cannot export certificate %u", a->cert, i);
			goto out;
		}
		pk->chain[i] = p->der[i];
	}
	pk->nchain = p->nchain;
	if (read_datum(a->kms_cert, 0, &d, err, cap))
		goto out;
	if (gnutls_x509_crt_init(&p->kms) < 0 ||
	    gnutls_x509_crt_import(p->kms, &d, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_pubkey_init(&p->kms_pub) < 0 ||
	    gnutls_pubkey_import_x509(p->kms_pub, p->kms, 0) < 0 ||
	    !(p->kms_der = export_der(p->kms, &pk->kms_cert_len))) {
		snprintf(err, cap, "%s: not the KMS's PEM certificate", a->kms_cert);
		goto out;
	}
	pk->key = p->key;
	pk->kms_pub = p->kms_pub;
	pk->kms_cert = p->kms_der;
	pk->s_type = a->pss ? MK_SIGN_RSA_PSS : MK_SIGN_RSA_PKCS1;
	rc = 0;
out:
	if (d.data) {
		tk_wipe(d.data, d.size);
		free(d.data);
	}
	return rc;
}

static void pem_free(struct pem *p)
{
	unsigned i;

	if (p->key)
		gnutls_privkey_deinit(p->key);
	for (i = 0; i < p->nchain; i++) {
		gnutls_x509_crt_deinit(p->chain[i]);
		free(p->der[i]);
	}
	gnutls_free(p->chain);
	if (p->kms_pub)
		gnutls_pubkey_deinit(p->kms_pub);
	if (p->kms)
		gnutls_x509_crt_deinit(p->kms);
	free(p->kms_der);
}

/* ---- the command -------------------------------------------------------------- */

static int report(const struct args *a, const char *cmd, int code, long status,
		  const char *transport, int mikey_error, const char *msg)
{
	if (a->json) {
		json_t *j = json_pack("{s:s, s:b, s:I, s:s, s:s}", "command", cmd, "ok", code == 0,
				      "http_status", (json_int_t)status, "transport",
				      transport ? transport : "", "credential",
				      a->cert ? "certificate" : "password");
		char *s;

		if (mikey_error >= 0)
			json_object_set_new(j, "mikey_error", json_integer(mikey_error));
		if (msg && *msg)
			json_object_set_new(j, "error", json_string(msg));
		s = json_dumps(j, JSON_PRESERVE_ORDER);
		printf("%s\n", s ? s : "{}");
		free(s);
		json_decref(j);
	} else if (code == 0) {
		printf("%s: done over %s (%s)\n", cmd, transport, msg ? msg : "");
	} else {
		fprintf(stderr, "tkms-ue %s: %s\n", cmd, msg && *msg ? msg : "failed");
	}
	return code;
}

int ue_cmd_creds(const struct ue_cli *cli, int argc, char **argv)
{
	const char *cmd = argv[0];
	bool req = !strcmp(cmd, "request");
	struct args a;
	struct pem pem;
	struct ue_pk_cred pk;
	struct ue_cred cred;
	struct ue_request_opts ro;
	struct ue_kms_target t;
	struct ue_kms_reply *r = NULL;
	struct ue_call *c = NULL;
	struct ue_err e = { -1, "" };
	uint8_t msg[UE_MAX_MSG], tinit[UE_MAX_MSG];
	char fqdn[256], realm[300];
	uint8_t ha1[TK_HA1_LEN];
	size_t len = 0;
	long tn = 0;
	unsigned i;
	int rc, code;

	(void)cli;
	rc = parse(argc, argv, &a);
	if (rc)
		return rc < 0 ? UE_EXIT_OK : rc;
	memset(&pem, 0, sizeof pem);
	memset(&pk, 0, sizeof pk);
	memset(&cred, 0, sizeof cred);
	ue_cmd_kms_fqdn(a.kms_fqdn, a.kms, fqdn, sizeof fqdn);
	if (!fqdn[0])
		return usage_err(cmd, "cannot tell the KMS FQDN: give --kms-fqdn");
	c = calloc(1, sizeof *c);
	r = malloc(sizeof *r);
	if (!c || !r) {
		code = report(&a, cmd, UE_EXIT_USAGE, 0, NULL, -1, "out of memory");
		goto out;
	}
	/* the credential */
	if (a.cert) {
		if (pem_load(&a, &pem, &pk, e.msg, sizeof e.msg) != 0 ||
		    ue_pk_cred_begin(&cred, &e) != UE_OK) {
			code = report(&a, cmd, UE_EXIT_USAGE, 0, NULL, -1, e.msg);
			goto out;
		}
	} else {
		if (strlen(a.user) >= sizeof cred.btid) {
			code = report(&a, cmd, UE_EXIT_USAGE, 0, NULL, -1, "user name too long");
			goto out;
		}
		snprintf(cred.btid, sizeof cred.btid, "%s", a.user);
		tk_users_realm(fqdn, realm, sizeof realm);
		tk_user_ha1(a.user, realm, a.password, ha1);
		tk_user_psk(ha1, fqdn, cred.psk);
		tk_wipe(ha1, sizeof ha1);
	}
	/* the message, as for GBA, then the variant */
	if (req) {
		ue_request_opts_default(&ro);
		ro.impu = a.impu;
		ro.kms = fqdn;
		for (i = 0; i < a.nto; i++)
			ro.peers[i] = a.to[i];
		ro.npeers = a.nto;
		ro.lifetime = (unsigned)a.lifetime;
		ro.forking = !a.no_fork;
		ro.algset = a.algs == 256 ? UE_ALGS_256 : UE_ALGS_128;
		rc = ue_request_build(c, &ro, &cred, msg, sizeof msg, &len, &e);
	} else {
		tn = ue_cmd_read_msg(a.in, tinit, sizeof tinit, e.msg, sizeof e.msg);
		rc = tn < 0 ? UE_E_ARG :
		     ue_resolve_begin(c, a.impu, fqdn, &cred, tinit, (size_t)tn, msg, sizeof msg,
				      &len, &e);
	}
	if (rc == UE_OK)
		rc = a.cert ? ue_pk_convert(c, &pk, &cred, msg, sizeof msg, &len, &e) :
			      ue_user_convert(c, &cred, msg, sizeof msg, &len, &e);
	if (rc != UE_OK) {
		code = report(&a, cmd, ue_cmd_exit(rc, &e), 0, NULL, e.mikey_error, e.msg);
		goto out;
	}
	if (a.no_send) {
		if (tk_file_write_atomic(a.out, msg, len, 0644, e.msg, sizeof e.msg) != 0) {
			code = report(&a, cmd, UE_EXIT_STATE, 0, NULL, -1, e.msg);
			goto out;
		}
		code = report(&a, cmd, UE_EXIT_OK, 0, "none", -1, "message written, not sent");
		goto out;
	}
	/* the KMS */
	memset(&t, 0, sizeof t);
	t.url = a.kms;
	t.cacert = a.cacert;
	t.btid = cred.btid;
	t.timeout_ms = a.timeout_ms;
	if (a.cert) {
		t.client_cert = a.cert;
		t.client_key = a.key;
	} else {
		t.user = a.user;
		t.password = a.password;
	}
	rc = ue_kms_post(&t, msg, len, r);
	if (rc != UE_KMS_OK) {
		code = report(&a, cmd, rc == UE_KMS_E_KEY ? UE_EXIT_AUTH : UE_EXIT_NET, 0, NULL, -1,
			      r->err);
		goto out;
	}
	if (!r->is_mikey || !r->body_len) {
		snprintf(e.msg, sizeof e.msg, "KMS answered HTTP %ld", r->status);
		code = report(&a, cmd, r->status == 401 || r->status == 403 ? UE_EXIT_AUTH :
			      UE_EXIT_NET, r->status, r->transport, -1, e.msg);
		goto out;
	}
	rc = req ? ue_request_finish(c, &ro, &cred, r->body, r->body_len, &e) :
		   ue_resolve_finish(c, &cred, r->body, r->body_len, &e);
	if (rc != UE_OK) {
		if (r->status != 200) {
			size_t l = strlen(e.msg);

			snprintf(e.msg + l, sizeof e.msg - l, " (HTTP %ld)", r->status);
		}
		code = report(&a, cmd, ue_cmd_exit(rc, &e), r->status, r->transport, e.mikey_error,
			      e.msg);
		goto out;
	}
	if (ue_call_save(c, a.call, &e) != UE_OK) {
		code = report(&a, cmd, UE_EXIT_STATE, r->status, r->transport, -1, e.msg);
		goto out;
	}
	code = report(&a, cmd, UE_EXIT_OK, r->status, r->transport, -1,
		      req ? "ticket received" : "ticket resolved, TRANSFER_INIT verified");
out:
	tk_wipe(&cred, sizeof cred);
	pem_free(&pem);
	if (c) {
		ue_call_wipe(c);
		free(c);
	}
	if (r) {
		tk_wipe(r, sizeof *r);
		free(r);
	}
	return code;
}
