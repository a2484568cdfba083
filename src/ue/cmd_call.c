/*
 * cmd_call.c: the tkms-ue call-flow subcommands (cmd_call.h): option
 * parsing, GBA key lookup from the UE state (state.h, profile P-1),
 * re-bootstrap on a 401 from the KMS (P-6: once per command, then the
 * message is rebuilt with the new B-TID and key and sent again), message
 * files and SDP lines (RFC 4567), and the call-state file (call.h).
 */
#include "ue/cmd_call.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "gba/kdf.h"
#include "ue/call.h"
#include "ue/cmd_common.h"
#include "ue/cmd_creds.h"
#include "ue/kmsclient.h"
#include "ue/state.h"
#include "ue/ui_boot.h"
#include "util/fileio.h"
#include "util/hexb64.h"
#include "util/secret.h"

/* Exit codes of tkms-ue (ui_boot_cli.h). */
enum {
	EX_OK = UE_EXIT_OK,
	EX_USAGE = UE_EXIT_USAGE,
	EX_TRANSPORT = UE_EXIT_NET,
	EX_AUTH = UE_EXIT_AUTH,
	EX_GBA = UE_EXIT_NOBOOT,
	EX_STATE = UE_EXIT_STATE,
	EX_REFUSED = UE_EXIT_PROTO,
};

/* ---- output ------------------------------------------------------------- */

struct out {
	bool json;
	json_t *j;    /* result object when json */
};

static void out_init(struct out *o, bool json)
{
	o->json = json;
	o->j = json ? json_object() : NULL;
}

static int finish(struct out *o, int code, const char *what, const struct ue_err *e,
		  const char *extra)
{
	if (o->json) {
		json_object_set_new(o->j, "ok", json_boolean(code == EX_OK));
		if (code != EX_OK) {
			json_object_set_new(o->j, "error", json_string(extra ? extra :
								       e ? e->msg : what));
			if (e && e->mikey_error >= 0)
				json_object_set_new(o->j, "mikey_error", json_integer(e->mikey_error));
		}
		json_dumpf(o->j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(o->j);
		o->j = NULL;
	} else if (code != EX_OK) {
		fprintf(stderr, "tkms-ue: %s: %s", what, extra ? extra : e ? e->msg : "failed");
		if (e && e->mikey_error >= 0)
			fprintf(stderr, " (MIKEY Error %d)", e->mikey_error);
		fputc('\n', stderr);
	}
	return code;
}

static void flags_str(uint32_t f, char out[16])
{
	static const struct { uint32_t bit; char c; } t[] = {
		{ MK_TF_D, 'D' }, { MK_TF_E, 'E' }, { MK_TF_F, 'F' }, { MK_TF_G, 'G' },
		{ MK_TF_H, 'H' }, { MK_TF_I, 'I' }, { MK_TF_J, 'J' }, { MK_TF_K, 'K' },
		{ MK_TF_L, 'L' }, { MK_TF_M, 'M' }, { MK_TF_N, 'N' }, { MK_TF_O, 'O' },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (f & t[i].bit)
			out[n++] = t[i].c;
	out[n] = '\0';
}

static void describe_call(struct out *o, const struct ue_call *c)
{
	char fl[16], ts[32];

	flags_str(c->flags, fl);
	if (o->json) {
		json_object_set_new(o->j, "role", json_string(c->role == UE_ROLE_INITIATOR ?
							      "initiator" : "responder"));
		json_object_set_new(o->j, "impu", json_string(c->impu));
		json_object_set_new(o->j, "peer", json_string(c->peer));
		json_object_set_new(o->j, "flags", json_string(fl));
		json_object_set_new(o->j, "forking", json_boolean(c->flags & MK_TF_I));
		json_object_set_new(o->j, "policy_changed", json_boolean(c->flags & MK_TF_K));
		json_object_set_new(o->j, "csb_id", json_integer(c->csb_id));
		if (c->valid_to) {
			ue_format_time(c->valid_to, ts);
			json_object_set_new(o->j, "valid_to", json_string(ts));
		}
		if (c->idrr_bound[0])
			json_object_set_new(o->j, "idrr", json_string(c->idrr_bound));
		if (c->observer)
			json_object_set_new(o->j, "observer", json_true());
	} else {
		printf("role: %s\nidentity: %s\n",
		       c->role == UE_ROLE_INITIATOR ? "initiator" : "responder", c->impu);
		if (c->peer[0])
			printf("peer: %s\n", c->peer);
		printf("ticket flags: %s%s\n", fl,
		       c->flags & MK_TF_K ? " (the KMS changed the requested policy)" : "");
		if (c->valid_to) {
			ue_format_time(c->valid_to, ts);
			printf("ticket valid to: %s\n", ts);
		}
		if (c->csb_id)
			printf("CSB ID: %08x\n", c->csb_id);
		if (c->idrr_bound[0])
			printf("responder bound by the KMS: %s\n", c->idrr_bound);
	}
}

/* ---- files -------------------------------------------------------------- */

static int write_file(const char *path, const void *p, size_t n, mode_t mode, char *err,
		      size_t errlen)
{
	if (!strcmp(path, "-"))
		return fwrite(p, 1, n, stdout) == n ? 0 : -1;
	return tk_file_write_atomic(path, p, n, mode, err, errlen);
}

/* Message file (binary) and, when asked, its SDP line in a second file. */
static int emit_msg(struct out *o, const char *path, const char *sdp_path, const uint8_t *msg,
		    size_t len, char *err, size_t errlen)
{
	char line[UE_MAX_MSG * 2];

	if (ue_sdp_key_mgmt(msg, len, line, sizeof line) != UE_OK) {
		snprintf(err, errlen, "message too large for SDP");
		return -1;
	}
	if (path && write_file(path, msg, len, 0644, err, errlen))
		return -1;
	if (sdp_path) {
		size_t l = strlen(line);

		line[l] = '\n';
		if (write_file(sdp_path, line, l + 1, 0644, err, errlen))
			return -1;
		line[l] = '\0';
	}
	if (o->json) {
		json_object_set_new(o->j, "length", json_integer((json_int_t)len));
		json_object_set_new(o->j, "sdp", json_string(line));
	} else {
		printf("message: %zu octets%s%s\n%s\n", len, path ? " written to " : "",
		       path ? path : "", line);
	}
	return 0;
}

/* ---- GBA credentials and the KMS exchange -------------------------------------------- */

struct gba {
	const char *path;
	struct ue_state st;
	const char *kms_fqdn;
	bool rebootstrapped;
};

static int naf_key_cb(void *ctx, const uint8_t ua[5], uint8_t out[32])
{
	struct gba *g = ctx;
	tk_ua_id id;
	char err[128];

	memcpy(id.b, ua, 5);
	return ue_state_naf_key(&g->st, g->kms_fqdn, id, out, err, sizeof err) == 0 ? 0 : -1;
}

static int gba_load(struct gba *g, char *err, size_t errlen)
{
	int rc;

	if (!g->path)
		g->path = ue_state_default_path();
	rc = ue_state_load(g->path, &g->st, err, errlen);
	if (rc == 1)
		snprintf(err, errlen, "no UE state %s: run tkms-ue bootstrap first", g->path);
	return rc == 0 ? 0 : -1;
}

/* P-6: the KMS does not know our B-TID any more: bootstrap again with the
 * stored USIM and BSF URL, save the state (the SQN advanced either way). */
static int gba_rebootstrap(struct gba *g, char *err, size_t errlen)
{
	struct ue_boot_opts bo;
	struct ue_boot_report rep;
	char serr[256], url[UE_STATE_URL_MAX];
	int rc;

	if (g->rebootstrapped) {
		snprintf(err, errlen, "the KMS refused the fresh bootstrap too");
		return -1;
	}
	g->rebootstrapped = true;
	if (!g->st.have_usim || !g->st.bsf_url[0]) {
		snprintf(err, errlen, "bootstrap needed but the state has no USIM / BSF URL");
		return -1;
	}
	/* ue_bootstrap rewrites the bootstrap record, URL included: pass a copy. */
	snprintf(url, sizeof url, "%s", g->st.bsf_url);
	memset(&bo, 0, sizeof bo);
	memset(&rep, 0, sizeof rep);
	bo.bsf_url = url;
	rc = ue_bootstrap(&g->st, &bo, &rep, err, errlen);
	if (ue_state_save(g->path, &g->st, serr, sizeof serr) != 0 && rc == UE_BOOT_OK) {
		snprintf(err, errlen, "%s", serr);
		return -1;
	}
	return rc == UE_BOOT_OK ? 0 : -1;
}

static int gba_cred(struct gba *g, struct ue_cred *cred, char *err, size_t errlen)
{
	memset(cred, 0, sizeof *cred);
	if (!ue_state_valid(&g->st, (int64_t)time(NULL))) {
		if (gba_rebootstrap(g, err, errlen))
			return -1;
	}
	if (strlen(g->st.btid) >= sizeof cred->btid) {
		snprintf(err, errlen, "B-TID too long");
		return -1;
	}
	strcpy(cred->btid, g->st.btid);
	return ue_state_naf_key(&g->st, g->kms_fqdn, TK_UA_IMS_KMS, cred->psk, err, errlen);
}

struct kms_opts {
	const char *url, *fqdn, *cacert;
	long timeout_ms;
};

/*
 * Build (callback), POST, and on a 401 re-bootstrap and do it all once more.
 * On success r holds the KMS's answer (any status); the caller interprets it.
 */
typedef int (*build_fn)(void *ctx, const struct ue_cred *cred, uint8_t *out, size_t cap,
			size_t *len, struct ue_err *e);

static int kms_exchange(struct gba *g, const struct kms_opts *ko, build_fn build, void *bctx,
			struct ue_cred *cred, struct ue_kms_reply *r, struct ue_err *e, int *exitc)
{
	struct ue_kms_target t;
	uint8_t msg[UE_MAX_MSG];
	size_t len = 0;
	int round, rc;

	for (round = 0; round < 2; round++) {
		if (gba_cred(g, cred, e->msg, sizeof e->msg)) {
			*exitc = EX_GBA;
			return -1;
		}
		rc = build(bctx, cred, msg, sizeof msg, &len, e);
		if (rc != UE_OK) {
			*exitc = ue_cmd_exit(rc, e);
			return -1;
		}
		memset(&t, 0, sizeof t);
		t.url = ko->url;
		t.cacert = ko->cacert;
		t.btid = cred->btid;
		t.naf_key = naf_key_cb;
		t.naf_key_ctx = g;
		t.timeout_ms = ko->timeout_ms;
		rc = ue_kms_post(&t, msg, len, r);
		if (rc == UE_KMS_E_KEY) {
			snprintf(e->msg, sizeof e->msg, "%s", r->err);
			*exitc = EX_GBA;
			return -1;
		}
		if (rc != UE_KMS_OK && !(rc == UE_KMS_E_TLS && r->bootstrap_required)) {
			snprintf(e->msg, sizeof e->msg, "KMS: %.250s", r->err);
			*exitc = EX_TRANSPORT;
			return -1;
		}
		if (rc != UE_KMS_OK && g->rebootstrapped) {
			snprintf(e->msg, sizeof e->msg, "KMS: %.200s (also after a new bootstrap)",
				 r->err);
			*exitc = EX_TRANSPORT;
			return -1;
		}
		if (!(r->status == 401 || r->bootstrap_required))
			return 0;
		if (gba_rebootstrap(g, e->msg, sizeof e->msg)) {
			*exitc = EX_GBA;
			return -1;
		}
	}
	snprintf(e->msg, sizeof e->msg, "KMS keeps answering 401 after a fresh bootstrap");
	*exitc = EX_GBA;
	return -1;
}

/* A non-200 answer without a MIKEY body: say what the KMS said. */
static int kms_status_error(struct out *o, const char *what, const struct ue_kms_reply *r)
{
	char msg[256];
	size_t n = r->body_len < 120 ? r->body_len : 120, i;
	char body[121];

	for (i = 0; i < n; i++)
		body[i] = (r->body[i] >= 0x20 && r->body[i] < 0x7f) ? (char)r->body[i] : '.';
	body[n] = '\0';
	if (r->retry_after >= 0)
		snprintf(msg, sizeof msg, "KMS answered HTTP %ld (retry after %ld s): %s", r->status,
			 r->retry_after, body);
	else
		snprintf(msg, sizeof msg, "KMS answered HTTP %ld: %s", r->status, body);
	if (o->json)
		json_object_set_new(o->j, "http_status", json_integer(r->status));
	return finish(o, EX_TRANSPORT, what, NULL, msg);
}

/* ---- option parsing -------------------------------------------------------------------- */

enum {
	O_JSON = 256, O_CALL, O_KMS, O_KMS_FQDN, O_CACERT, O_IMPU, O_TO, O_LIFETIME,
	O_NO_FORK, O_NO_REUSE, O_REQ_FORK, O_ALGS, O_OUT, O_SDP, O_IN, O_CS,
	O_ERR_OUT, O_TIMEOUT, O_HELP, O_DEFERRED, O_NO_SEND, O_RESPONSE, O_INTERCEPT,
	O_ACCEPT_UNPROT,
};

static const struct option all_opts[] = {
	{ "json", no_argument, NULL, O_JSON },
	{ "call", required_argument, NULL, O_CALL },
	{ "kms", required_argument, NULL, O_KMS },
	{ "kms-fqdn", required_argument, NULL, O_KMS_FQDN },
	{ "cacert", required_argument, NULL, O_CACERT },
	{ "impu", required_argument, NULL, O_IMPU },
	{ "to", required_argument, NULL, O_TO },
	{ "lifetime", required_argument, NULL, O_LIFETIME },
	{ "no-forking", no_argument, NULL, O_NO_FORK },
	{ "no-reuse", no_argument, NULL, O_NO_REUSE },
	{ "require-forking", no_argument, NULL, O_REQ_FORK },
	{ "algs", required_argument, NULL, O_ALGS },
	{ "out", required_argument, NULL, O_OUT },
	{ "sdp", required_argument, NULL, O_SDP },
	{ "in", required_argument, NULL, O_IN },
	{ "cs", required_argument, NULL, O_CS },
	{ "error-out", required_argument, NULL, O_ERR_OUT },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "help", no_argument, NULL, O_HELP },
	{ "deferred", no_argument, NULL, O_DEFERRED },
	{ "no-send", no_argument, NULL, O_NO_SEND },
	{ "response", required_argument, NULL, O_RESPONSE },
	{ "intercept", no_argument, NULL, O_INTERCEPT },
	{ "accept-unprotected", no_argument, NULL, O_ACCEPT_UNPROT },
	{ NULL, 0, NULL, 0 },
};

struct args {
	bool json, no_fork, no_reuse, req_fork, help, deferred, no_send, intercept, accept_unprot;
	const char *call, *kms, *kms_fqdn, *cacert, *impu, *out, *sdp, *in, *err_out, *response;
	const char *to[UE_MAX_PEERS];
	unsigned nto, cs, algs;
	unsigned long lifetime;
	long timeout_ms;
};

static bool parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return *s && !*end && !errno && *v <= max;
}

/* allowed: a string of O_* codes (as chars offset by 256) the command takes. */
static int parse_args(int argc, char **argv, const char *usage, const int *allowed,
		      struct args *a)
{
	unsigned long v;
	int c, i;
	bool ok;

	memset(a, 0, sizeof *a);
	a->cs = 2;
	a->algs = 128;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", all_opts, NULL)) != -1) {
		for (ok = false, i = 0; allowed[i]; i++)
			ok = ok || allowed[i] == c;
		if (c == '?' || !ok) {
			fprintf(stderr, "tkms-ue %s: unknown or misplaced option %s\nusage: tkms-ue %s %s\n",
				argv[0], argv[optind - 1], argv[0], usage);
			return EX_USAGE;
		}
		switch (c) {
		case O_JSON: a->json = true; break;
		case O_CALL: a->call = optarg; break;
		case O_KMS: a->kms = optarg; break;
		case O_KMS_FQDN: a->kms_fqdn = optarg; break;
		case O_CACERT: a->cacert = optarg; break;
		case O_IMPU: a->impu = optarg; break;
		case O_TO:
			if (a->nto == UE_MAX_PEERS) {
				fprintf(stderr, "tkms-ue: at most %d --to\n", UE_MAX_PEERS);
				return EX_USAGE;
			}
			a->to[a->nto++] = optarg;
			break;
		case O_LIFETIME:
			if (!parse_uint(optarg, 10UL * 365 * 86400, &a->lifetime)) {
				fprintf(stderr, "tkms-ue: --lifetime wants seconds\n");
				return EX_USAGE;
			}
			break;
		case O_NO_FORK: a->no_fork = true; break;
		case O_NO_REUSE: a->no_reuse = true; break;
		case O_REQ_FORK: a->req_fork = true; break;
		case O_ALGS:
			if (!parse_uint(optarg, 256, &v) || (v != 128 && v != 256)) {
				fprintf(stderr, "tkms-ue: --algs 128 or 256\n");
				return EX_USAGE;
			}
			a->algs = (unsigned)v;
			break;
		case O_OUT: a->out = optarg; break;
		case O_SDP: a->sdp = optarg; break;
		case O_IN: a->in = optarg; break;
		case O_CS:
			if (!parse_uint(optarg, UE_MAX_CS, &v) || v == 0) {
				fprintf(stderr, "tkms-ue: --cs 1..%d\n", UE_MAX_CS);
				return EX_USAGE;
			}
			a->cs = (unsigned)v;
			break;
		case O_ERR_OUT: a->err_out = optarg; break;
		case O_TIMEOUT:
			if (!parse_uint(optarg, 3600, &v) || v == 0) {
				fprintf(stderr, "tkms-ue: --timeout wants 1..3600 seconds\n");
				return EX_USAGE;
			}
			a->timeout_ms = (long)v * 1000;
			break;
		case O_HELP: a->help = true; break;
		case O_DEFERRED: a->deferred = true; break;
		case O_NO_SEND: a->no_send = true; break;
		case O_RESPONSE: a->response = optarg; break;
		case O_INTERCEPT: a->intercept = true; break;
		case O_ACCEPT_UNPROT: a->accept_unprot = true; break;
		}
	}
	if (a->help) {
		printf("usage: tkms-ue %s %s\n", argv[0], usage);
		return -1;
	}
	if (optind != argc) {
		fprintf(stderr, "tkms-ue %s: unexpected argument %s\nusage: tkms-ue %s %s\n", argv[0],
			argv[optind], argv[0], usage);
		return EX_USAGE;
	}
	if (!a->call) {
		fprintf(stderr, "tkms-ue %s: --call FILE is required\nusage: tkms-ue %s %s\n",
			argv[0], argv[0], usage);
		return EX_USAGE;
	}
	return 0;
}

#define KMS_USAGE "--kms URL (http://, https://, psk://host:port) [--kms-fqdn FQDN] " \
	"[--cacert PEM] [--timeout S]"

static struct ue_call *call_new(void)
{
	return calloc(1, sizeof(struct ue_call));
}

static void call_free(struct ue_call *c)
{
	if (c) {
		ue_call_wipe(c);
		free(c);
	}
}

/* The call of the call file; NULL when it cannot be had (reported, the exit
 * status in *exitc). */
static struct ue_call *call_load(struct out *o, const char *what, const char *path,
				 struct ue_err *e, int *exitc)
{
	struct ue_call *c = call_new();

	if (!c || ue_call_load(c, path, e) != UE_OK) {
		*exitc = finish(o, c ? EX_STATE : EX_USAGE, what, c ? e : NULL,
				c ? NULL : "out of memory");
		call_free(c);
		return NULL;
	}
	return c;
}

/* After a step on the call (result rc): its failure reported, else the call
 * saved.  0, or -1 with the exit status in *exitc. */
static int step_saved(struct out *o, const char *what, int rc, const struct ue_call *c,
		      const char *path, struct ue_err *e, int *exitc)
{
	if (rc != UE_OK) {
		*exitc = finish(o, ue_cmd_exit(rc, e), what, e, NULL);
		return -1;
	}
	if (ue_call_save(c, path, e) != UE_OK) {
		*exitc = finish(o, EX_STATE, what, e, NULL);
		return -1;
	}
	return 0;
}

static int succeed(struct out *o, const char *what, const struct ue_call *c)
{
	describe_call(o, c);
	return finish(o, EX_OK, what, NULL, NULL);
}

/* The end of a command: its call and unprinted result freed. */
static int done(struct out *o, struct ue_call *c, int exitc)
{
	call_free(c);
	json_decref(o->j);
	return exitc;
}

/* The same for a command that used the GBA keys. */
static int gba_done(struct out *o, struct gba *g, struct ue_cred *cred, struct ue_call *c,
		    int exitc)
{
	tk_wipe(cred, sizeof *cred);
	ue_state_wipe(&g->st);
	return done(o, c, exitc);
}

static int prep_kms(const struct args *a, struct kms_opts *ko, char *fqdn, size_t cap)
{
	memset(ko, 0, sizeof *ko);
	if (!a->kms) {
		fprintf(stderr, "tkms-ue: --kms URL is required\n");
		return EX_USAGE;
	}
	ko->url = a->kms;
	ko->cacert = a->cacert;
	ko->timeout_ms = a->timeout_ms;
	ue_cmd_kms_fqdn(a->kms_fqdn, a->kms, fqdn, cap);
	if (!fqdn[0]) {
		fprintf(stderr, "tkms-ue: cannot tell the KMS FQDN; give --kms-fqdn\n");
		return EX_USAGE;
	}
	ko->fqdn = fqdn;
	return 0;
}

/* --no-send: no URL needed, only the KMS FQDN (--kms-fqdn, else --kms's host). */
static int offline_fqdn(const struct args *a, char *fqdn, size_t cap)
{
	if (!a->out) {
		fprintf(stderr, "tkms-ue: --no-send needs --out FILE for the message\n");
		return EX_USAGE;
	}
	ue_cmd_kms_fqdn(a->kms_fqdn, a->kms, fqdn, cap);
	if (!fqdn[0]) {
		fprintf(stderr, "tkms-ue: --no-send needs --kms-fqdn FQDN (or --kms URL)\n");
		return EX_USAGE;
	}
	return 0;
}

/* --response: the key the stored message was MACed with, from the stored
 * bootstrap as it is (no re-bootstrap: a new Ks_NAF could not verify the
 * answer to a message built with the old one). */
static int cred_offline(struct gba *g, struct ue_cred *cred, char *err, size_t errlen)
{
	memset(cred, 0, sizeof *cred);
	if (strlen(g->st.btid) >= sizeof cred->btid) {
		snprintf(err, errlen, "B-TID too long");
		return -1;
	}
	strcpy(cred->btid, g->st.btid);
	return ue_state_naf_key(&g->st, g->kms_fqdn, TK_UA_IMS_KMS, cred->psk, err, errlen);
}

/* --response FILE: that key and the KMS's answer read from FILE.  0, or -1
 * (reported, the exit status in *exitc). */
static int response_inputs(const struct ue_cli *cli, const struct args *a, struct out *o,
			   const char *what, const struct ue_call *c, struct gba *g,
			   struct ue_cred *cred, uint8_t *msg, size_t cap, long *n,
			   struct ue_err *e, int *exitc)
{
	g->path = cli->state_path;
	g->kms_fqdn = c->kms;
	if (gba_load(g, e->msg, sizeof e->msg) || cred_offline(g, cred, e->msg, sizeof e->msg)) {
		*exitc = finish(o, EX_GBA, what, e, NULL);
		return -1;
	}
	*n = ue_cmd_read_msg(a->response, msg, cap, e->msg, sizeof e->msg);
	if (*n < 0) {
		*exitc = finish(o, EX_USAGE, what, e, NULL);
		return -1;
	}
	return 0;
}

/* --no-send: the message goes to a file; the call state keeps it for
 * --response.  Says what to do next. */
static int emit_unsent(struct out *o, const char *what, const char *path, const char *call,
		       const uint8_t *msg, size_t len, struct ue_err *e)
{
	if (write_file(path, msg, len, 0644, e->msg, sizeof e->msg))
		return finish(o, EX_STATE, what, e, NULL);
	if (o->json) {
		json_object_set_new(o->j, "length", json_integer((json_int_t)len));
		json_object_set_new(o->j, "out", json_string(path));
		json_object_set_new(o->j, "sent", json_false());
	} else {
		printf("%s: %zu octets written to %s, not sent. POST it to the KMS's /mikey as\n"
		       "application/mikey, keep the answer's body, then:\n"
		       "  tkms-ue %s --call %s --response ANSWER-FILE\n",
		       what, len, path, what, call);
	}
	return finish(o, EX_OK, what, NULL, NULL);
}

/* --no-send: the message built with the bootstrap as for sending, the call
 * saved, the message written to --out.  Returns the exit status. */
static int send_offline(struct out *o, const char *what, const struct args *a, struct gba *g,
			build_fn build, void *bctx, const struct ue_call *c,
			struct ue_cred *cred, struct ue_err *e)
{
	uint8_t msg[UE_MAX_MSG];
	size_t len = 0;
	int exitc;

	if (gba_cred(g, cred, e->msg, sizeof e->msg))
		return finish(o, EX_GBA, what, e, NULL);
	if (step_saved(o, what, build(bctx, cred, msg, sizeof msg, &len, e), c, a->call, e,
		       &exitc))
		return exitc;
	return emit_unsent(o, what, a->out, a->call, msg, len, e);
}

/* The KMS's answer to a sent message: its transport facts in the JSON
 * result; one without a MIKEY body is the command's failure.  0, or -1
 * (reported, the exit status in *exitc). */
static int kms_answer(struct out *o, const char *what, const struct ue_kms_reply *r,
		      const struct gba *g, int *exitc)
{
	if (o->json) {
		json_object_set_new(o->j, "http_status", json_integer(r->status));
		json_object_set_new(o->j, "transport", json_string(r->transport));
		json_object_set_new(o->j, "rebootstrapped", json_boolean(g->rebootstrapped));
	}
	if (!r->is_mikey || r->body_len == 0) {
		*exitc = kms_status_error(o, what, r);
		return -1;
	}
	return 0;
}

/* ---- request ------------------------------------------------------------ */

struct req_ctx {
	struct ue_call *c;
	struct ue_request_opts ro;
};

static int build_request(void *ctx, const struct ue_cred *cred, uint8_t *out, size_t cap,
			 size_t *len, struct ue_err *e)
{
	struct req_ctx *x = ctx;

	return ue_request_build(x->c, &x->ro, cred, out, cap, len, e);
}

/* The responders the stored REQUEST_INIT asked for, so that the answer is
 * checked as after a sent request (a ticket leaving one out is refused). */
static int stored_peers(const struct ue_call *c, struct ue_request_opts *ro,
			char peers[UE_MAX_PEERS][UE_MAX_ID])
{
	struct mk_msg *m = calloc(1, sizeof *m);
	unsigned i;
	int rc = -1;

	if (m && mk_parse(c->kreq, c->kreq_len, m) == MK_OK && m->ticket.pl.present &&
	    m->ticket.tp.nr <= UE_MAX_PEERS) {
		for (i = 0; i < m->ticket.tp.nr; i++) {
			const struct mk_bytes *d = &m->ticket.tp.idrr[i].data;

			if (d->n >= UE_MAX_ID)
				break;
			memcpy(peers[i], d->p, d->n);
			peers[i][d->n] = '\0';
			ro->peers[i] = peers[i];
		}
		ro->npeers = i;
		rc = i == m->ticket.tp.nr ? 0 : -1;
	}
	free(m);
	return rc;
}

/* request / resolve --response FILE: finish the REQUEST_INIT / RESOLVE_INIT
 * written with --no-send. */
static int response_finish(const struct ue_cli *cli, const struct args *a, bool req)
{
	const char *what = req ? "request" : "resolve";
	struct out o;
	struct gba g;
	struct ue_call *c;
	struct ue_request_opts ro;
	struct ue_cred cred;
	struct ue_err e = { -1, "" };
	uint8_t msg[UE_MAX_MSG];
	char peers[UE_MAX_PEERS][UE_MAX_ID];
	long n;
	int rc, exitc;

	out_init(&o, a->json);
	memset(&g, 0, sizeof g);
	memset(&cred, 0, sizeof cred);
	c = call_load(&o, what, a->call, &e, &exitc);
	if (!c)
		goto out;
	if (req ? c->role != UE_ROLE_INITIATOR || c->stage != UE_ST_NONE || !c->kreq_len :
		  c->role != UE_ROLE_RESPONDER || c->stage != UE_ST_RESOLVING) {
		exitc = finish(&o, EX_USAGE, what, NULL, req ?
			       "the call has no unsent REQUEST_INIT (tkms-ue request --no-send first)" :
			       "the call has no unsent RESOLVE_INIT (tkms-ue resolve --no-send first)");
		goto out;
	}
	if (response_inputs(cli, a, &o, what, c, &g, &cred, msg, sizeof msg, &n, &e, &exitc))
		goto out;
	if (req) {
		ue_request_opts_default(&ro);
		ro.deferred = a->deferred;
		ro.require_forking = a->req_fork;
		if (stored_peers(c, &ro, peers) != 0) {
			exitc = finish(&o, EX_STATE, what, NULL, "the stored REQUEST_INIT is unreadable");
			goto out;
		}
		rc = ue_request_finish(c, &ro, &cred, msg, (size_t)n, &e);
	} else {
		rc = ue_resolve_finish(c, &cred, msg, (size_t)n, &e);
	}
	if (step_saved(&o, what, rc, c, a->call, &e, &exitc))
		goto out;
	if (!o.json)
		printf("ticket %s (KMS answer read from %s)%s\n", req ? "received" : "resolved",
		       a->response, req ? "" : "; TRANSFER_INIT verified");
	exitc = succeed(&o, what, c);
out:
	return gba_done(&o, &g, &cred, c, exitc);
}

int ue_cmd_request(const struct ue_cli *cli, int argc, char **argv)
{
	static const int allowed[] = { O_JSON, O_CALL, O_KMS, O_KMS_FQDN, O_CACERT, O_IMPU, O_TO,
				       O_LIFETIME, O_NO_FORK, O_NO_REUSE, O_REQ_FORK, O_ALGS,
				       O_TIMEOUT, O_HELP, O_DEFERRED, O_NO_SEND, O_OUT, O_RESPONSE,
				       0 };
	static const char usage[] = "--call FILE --impu IMPU --to IMPU [--to ...] "
		"[--lifetime S] [--deferred] [--no-forking] [--no-reuse] [--require-forking] "
		"[--algs 128|256] " KMS_USAGE " [--json]\n"
		"  --no-send --out FILE: write the REQUEST_INIT to FILE instead of sending it "
		"(needs --kms-fqdn or --kms)\n"
		"  --response FILE (with --call only): read the KMS's answer to it from FILE\n"
		"  --deferred: a ticket for deferred delivery (F = G = I = 0, default lifetime "
		"7 days)\n"
		"  without GBA: --cert PEM --key PEM --kms-cert PEM, or --user NAME --password PW "
		"(tkms-ue request --user x --help)";
	struct args a;
	struct out o;
	struct kms_opts ko;
	struct gba g;
	struct req_ctx x;
	struct ue_cred cred;
	struct ue_kms_reply *r = NULL;
	struct ue_err e = { -1, "" };
	char fqdn[256];
	int rc, exitc = EX_OK;
	unsigned i;

	if (ue_creds_wanted(argc, argv)) /* certificate or password user */
		return ue_cmd_creds(cli, argc, argv);
	rc = parse_args(argc, argv, usage, allowed, &a);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (a.response)
		return response_finish(cli, &a, true);
	if (!a.impu || !a.nto) {
		fprintf(stderr, "tkms-ue request: --impu and at least one --to are required\n");
		return EX_USAGE;
	}
	if (a.deferred && a.no_fork) {
		fprintf(stderr, "tkms-ue request: --deferred already means no forking\n");
		return EX_USAGE;
	}
	if ((rc = a.no_send ? offline_fqdn(&a, fqdn, sizeof fqdn) :
			      prep_kms(&a, &ko, fqdn, sizeof fqdn)))
		return rc;
	out_init(&o, a.json);
	memset(&g, 0, sizeof g);
	memset(&x, 0, sizeof x);
	g.path = cli->state_path;
	g.kms_fqdn = fqdn;
	x.c = call_new();
	r = malloc(sizeof *r);
	if (!x.c || !r) {
		exitc = finish(&o, EX_USAGE, "request", NULL, "out of memory");
		goto out;
	}
	ue_request_opts_default(&x.ro);
	x.ro.impu = a.impu;
	x.ro.kms = fqdn;
	for (i = 0; i < a.nto; i++)
		x.ro.peers[i] = a.to[i];
	x.ro.npeers = a.nto;
	x.ro.lifetime = (unsigned)a.lifetime;
	x.ro.forking = !a.no_fork;
	x.ro.reuse = !a.no_reuse;
	x.ro.require_forking = a.req_fork;
	x.ro.deferred = a.deferred;
	x.ro.algset = a.algs == 256 ? UE_ALGS_256 : UE_ALGS_128;
	if (gba_load(&g, e.msg, sizeof e.msg)) {
		exitc = finish(&o, EX_GBA, "request", &e, NULL);
		goto out;
	}
	if (a.no_send) {
		exitc = send_offline(&o, "request", &a, &g, build_request, &x, x.c, &cred, &e);
		goto out;
	}
	if (kms_exchange(&g, &ko, build_request, &x, &cred, r, &e, &exitc)) {
		exitc = finish(&o, exitc, "request", &e, NULL);
		goto out;
	}
	if (kms_answer(&o, "request", r, &g, &exitc) ||
	    step_saved(&o, "request", ue_request_finish(x.c, &x.ro, &cred, r->body, r->body_len,
							&e), x.c, a.call, &e, &exitc))
		goto out;
	if (!o.json)
		printf("ticket received from %s over %s%s\n", a.kms, r->transport,
		       g.rebootstrapped ? " (after a new GBA bootstrap)" : "");
	exitc = succeed(&o, "request", x.c);
out:
	free(r);
	return gba_done(&o, &g, &cred, x.c, exitc);
}

/* ---- transfer-init and transfer-resp ------------------------------------ */

/* TRANSFER_INIT (initiator: init) or TRANSFER_RESP (responder) of the call,
 * to --out and / or as an SDP line to --sdp. */
static int emit_transfer(int argc, char **argv, const int *allowed, const char *usage, bool init)
{
	const char *what = argv[0];
	struct args a;
	struct out o;
	struct ue_call *c;
	struct ue_transfer_opts to;
	struct ue_err e = { -1, "" };
	uint8_t msg[UE_MAX_MSG];
	size_t len = 0;
	int rc, exitc;

	rc = parse_args(argc, argv, usage, allowed, &a);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (!a.out && !a.sdp) {
		fprintf(stderr, "tkms-ue %s: --out FILE (or --sdp FILE) is required\n", what);
		return EX_USAGE;
	}
	out_init(&o, a.json);
	c = call_load(&o, what, a.call, &e, &exitc);
	if (!c)
		goto out;
	if (init) {
		memset(&to, 0, sizeof to);
		to.to = a.nto ? a.to[0] : NULL;
		to.ncs = a.cs;
		rc = ue_transfer_init(c, &to, msg, sizeof msg, &len, &e);
	} else {
		rc = ue_transfer_resp(c, msg, sizeof msg, &len, &e);
	}
	if (step_saved(&o, what, rc, c, a.call, &e, &exitc))
		goto out;
	if (emit_msg(&o, a.out, a.sdp, msg, len, e.msg, sizeof e.msg)) {
		exitc = finish(&o, EX_STATE, what, &e, NULL);
		goto out;
	}
	exitc = succeed(&o, what, c);
out:
	return done(&o, c, exitc);
}

int ue_cmd_transfer_init(const struct ue_cli *cli, int argc, char **argv)
{
	static const int allowed[] = { O_JSON, O_CALL, O_TO, O_CS, O_OUT, O_SDP, O_HELP, 0 };

	(void)cli;
	return emit_transfer(argc, argv, allowed,
			     "--call FILE --out FILE [--sdp FILE] [--to IMPU] [--cs N] [--json]", true);
}

int ue_cmd_transfer_resp(const struct ue_cli *cli, int argc, char **argv)
{
	static const int allowed[] = { O_JSON, O_CALL, O_OUT, O_SDP, O_HELP, 0 };

	(void)cli;
	return emit_transfer(argc, argv, allowed, "--call FILE --out FILE [--sdp FILE] [--json]",
			     false);
}

/* ---- resolve ------------------------------------------------------------ */

/* --error-out FILE: the Transfer Error (code) for the initiator of tinit; a
 * failure to write it is added to e's message. */
static void transfer_error_out(const char *path, const uint8_t *tinit, size_t n, uint8_t code,
			       struct ue_err *e)
{
	uint8_t emsg[256];
	size_t elen = 0;

	if (path && ue_transfer_error(tinit, n, code, emsg, sizeof emsg, &elen) == UE_OK)
		write_file(path, emsg, elen, 0644, e->msg + strlen(e->msg),
			   sizeof e->msg - strlen(e->msg));
}

struct res_ctx {
	struct ue_call *c;
	bool intercept;
	const char *impu, *fqdn, *err_out;
	const uint8_t *tinit;
	size_t tinit_len;
};

/* An early refusal (a MIKEY Error while building RESOLVE_INIT) gets a
 * Transfer Error for the initiator. */
static int build_resolve(void *ctx, const struct ue_cred *cred, uint8_t *out, size_t cap,
			 size_t *len, struct ue_err *e)
{
	struct res_ctx *x = ctx;
	int rc = ue_resolve_begin(x->c, x->impu, x->fqdn, cred, x->tinit, x->tinit_len, out, cap,
				  len, e);

	x->c->observer = x->intercept;
	if (rc != UE_OK && e->mikey_error >= 0)
		transfer_error_out(x->err_out, x->tinit, x->tinit_len, (uint8_t)e->mikey_error, e);
	return rc;
}

static const char unprotected_warning[] =
	"UNPROTECTED ticket (D = 0, made by the caller itself, tkms-ue make-ticket): the keys\n"
	"travel in clear inside it. Anyone who saw this TRANSFER_INIT can decrypt the media and\n"
	"no KMS vouches for who sent it - like SDES over an unprotected channel.\n";

/* A TRANSFER_INIT with an unprotected ticket: refused unless
 * --accept-unprotected; then the keys come from the ticket, no KMS. */
static int resolve_unprotected(const struct args *a, const uint8_t *tinit, size_t n)
{
	struct out o;
	struct ue_call *c = NULL;
	struct ue_err e = { -1, "" };
	int exitc;

	if (a->no_send) {
		fprintf(stderr, "tkms-ue resolve: --no-send: an unprotected ticket is not sent to a KMS\n");
		return EX_USAGE;
	}
	out_init(&o, a->json);
	if (!a->accept_unprot) {
		fputs(unprotected_warning, stderr);
		e.mikey_error = MK_E_INVALID_TPPAR;
		snprintf(e.msg, sizeof e.msg, "refused; accept such a call only with "
			 "--accept-unprotected");
		transfer_error_out(a->err_out, tinit, n, MK_E_INVALID_TPPAR, &e);
		return finish(&o, EX_REFUSED, "resolve", &e, NULL);
	}
	c = call_new();
	if (!c) {
		exitc = finish(&o, EX_USAGE, "resolve", NULL, "out of memory");
		goto out;
	}
	if (step_saved(&o, "resolve", ue_resolve_unprotected(c, a->impu, tinit, n, &e), c, a->call,
		       &e, &exitc))
		goto out;
	if (o.json) {
		json_object_set_new(o.j, "unprotected", json_true());
	} else {
		fputs(unprotected_warning, stdout);
		printf("accepted as asked (--accept-unprotected): keys taken from the ticket, no KMS "
		       "involved; TRANSFER_INIT MAC verified\n");
	}
	exitc = succeed(&o, "resolve", c);
out:
	return done(&o, c, exitc);
}

int ue_cmd_resolve(const struct ue_cli *cli, int argc, char **argv)
{
	static const int allowed[] = { O_JSON, O_CALL, O_IN, O_IMPU, O_KMS, O_KMS_FQDN, O_CACERT,
				       O_TIMEOUT, O_ERR_OUT, O_HELP, O_NO_SEND, O_OUT, O_RESPONSE,
				       O_INTERCEPT, O_ACCEPT_UNPROT, 0 };
	static const char usage[] = "--call FILE --in TRANSFER_INIT-FILE --impu IMPU "
		KMS_USAGE " [--error-out FILE] [--json]\n"
		"  --no-send --out FILE: write the RESOLVE_INIT to FILE instead of sending it "
		"(needs --kms-fqdn or --kms)\n"
		"  --response FILE (with --call only): read the KMS's answer to it from FILE\n"
		"  --intercept: as a lawful-interception network function (unforked keys; then "
		"tkms-ue observe)\n"
		"  --accept-unprotected: accept a ticket its initiator made (tkms-ue make-ticket: "
		"keys in clear, no KMS)\n"
		"  without GBA: --cert PEM --key PEM --kms-cert PEM, or --user NAME --password PW "
		"(tkms-ue resolve --user x --help)";
	struct args a;
	struct out o;
	struct kms_opts ko;
	struct gba g;
	struct res_ctx x;
	struct ue_cred cred;
	struct ue_kms_reply *r = NULL;
	struct ue_err e = { -1, "" };
	uint8_t tinit[UE_MAX_MSG];
	char fqdn[256];
	long n;
	int rc, exitc = EX_OK;

	if (ue_creds_wanted(argc, argv)) /* certificate or password user */
		return ue_cmd_creds(cli, argc, argv);
	rc = parse_args(argc, argv, usage, allowed, &a);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (a.response)
		return response_finish(cli, &a, false);
	if (!a.in || !a.impu) {
		fprintf(stderr, "tkms-ue resolve: --in FILE and --impu IMPU are required\n");
		return EX_USAGE;
	}
	n = ue_cmd_read_msg(a.in, tinit, sizeof tinit, e.msg, sizeof e.msg);
	if (n > 0 && ue_ticket_unprotected(tinit, (size_t)n))
		return resolve_unprotected(&a, tinit, (size_t)n);
	if ((rc = a.no_send ? offline_fqdn(&a, fqdn, sizeof fqdn) :
			      prep_kms(&a, &ko, fqdn, sizeof fqdn)))
		return rc;
	out_init(&o, a.json);
	memset(&g, 0, sizeof g);
	memset(&cred, 0, sizeof cred);
	g.path = cli->state_path;
	g.kms_fqdn = fqdn;
	memset(&x, 0, sizeof x);
	x.c = call_new();
	r = malloc(sizeof *r);
	if (!x.c || !r) {
		exitc = finish(&o, EX_USAGE, "resolve", NULL, "out of memory");
		goto out;
	}
	if (n < 0) {
		exitc = finish(&o, EX_USAGE, "resolve", &e, NULL);
		goto out;
	}
	x.impu = a.impu;
	x.intercept = a.intercept;
	x.fqdn = fqdn;
	x.err_out = a.err_out;
	x.tinit = tinit;
	x.tinit_len = (size_t)n;
	if (gba_load(&g, e.msg, sizeof e.msg)) {
		exitc = finish(&o, EX_GBA, "resolve", &e, NULL);
		goto out;
	}
	if (a.no_send) {
		exitc = send_offline(&o, "resolve", &a, &g, build_resolve, &x, x.c, &cred, &e);
		goto out;
	}
	if (kms_exchange(&g, &ko, build_resolve, &x, &cred, r, &e, &exitc)) {
		exitc = finish(&o, exitc, "resolve", &e, NULL);
		goto out;
	}
	if (kms_answer(&o, "resolve", r, &g, &exitc) ||
	    step_saved(&o, "resolve", ue_resolve_finish(x.c, &cred, r->body, r->body_len, &e), x.c,
		       a.call, &e, &exitc))
		goto out;
	if (!o.json)
		printf("ticket resolved at %s over %s; TRANSFER_INIT verified%s\n", a.kms,
		       r->transport, x.c->observer && !x.c->randrkms_len ?
		       " (unforked keys: tkms-ue observe the answer)" : "");
	exitc = succeed(&o, "resolve", x.c);
out:
	free(r);
	return gba_done(&o, &g, &cred, x.c, exitc);
}

/* ---- accept and observe ------------------------------------------------- */

typedef int (*answer_fn)(struct ue_call *c, const uint8_t *msg, size_t len, struct ue_err *e);

/* A TRANSFER_RESP (--in) taken by step; then "TRANSFER_RESP verified",
 * forked_note when the keys were forked, and tail. */
static int take_answer(int argc, char **argv, const char *usage, answer_fn step,
		       const char *forked_note, const char *tail)
{
	static const int allowed[] = { O_JSON, O_CALL, O_IN, O_HELP, 0 };
	const char *what = argv[0];
	struct args a;
	struct out o;
	struct ue_call *c;
	struct ue_err e = { -1, "" };
	uint8_t msg[UE_MAX_MSG];
	long n;
	int rc, exitc;

	rc = parse_args(argc, argv, usage, allowed, &a);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (!a.in) {
		fprintf(stderr, "tkms-ue %s: --in FILE is required\n", what);
		return EX_USAGE;
	}
	out_init(&o, a.json);
	c = call_load(&o, what, a.call, &e, &exitc);
	if (!c)
		goto out;
	n = ue_cmd_read_msg(a.in, msg, sizeof msg, e.msg, sizeof e.msg);
	if (n < 0) {
		exitc = finish(&o, EX_USAGE, what, &e, NULL);
		goto out;
	}
	if (step_saved(&o, what, step(c, msg, (size_t)n, &e), c, a.call, &e, &exitc))
		goto out;
	if (!o.json)
		printf("TRANSFER_RESP verified%s%s\n", c->forked ? forked_note : "", tail);
	exitc = succeed(&o, what, c);
out:
	return done(&o, c, exitc);
}

int ue_cmd_accept(const struct ue_cli *cli, int argc, char **argv)
{
	(void)cli;
	return take_answer(argc, argv, "--call FILE --in TRANSFER_RESP-FILE [--json]", ue_accept,
			   "; forked keys derived", "");
}

int ue_cmd_observe(const struct ue_cli *cli, int argc, char **argv)
{
	(void)cli;
	return take_answer(argc, argv, "--call FILE --in TRANSFER_RESP-FILE [--json]\n"
			   "  (a call resolved with tkms-ue resolve --intercept)", ue_observe,
			   " with the forked MPKr'", "; the keys of this answer's call derived");
}

/* ---- make-ticket --------------------------------------------------------- */

int ue_cmd_make_ticket(const struct ue_cli *cli, int argc, char **argv)
{
	static const int allowed[] = { O_JSON, O_CALL, O_IMPU, O_TO, O_LIFETIME, O_NO_REUSE,
				       O_ALGS, O_HELP, 0 };
	static const char usage[] = "--call FILE --impu IMPU --to IMPU [--to ...] [--lifetime S] "
		"[--no-reuse] [--algs 128|256] [--json]\n"
		"  an UNPROTECTED ticket (D = 0): keys in clear, no KMS; the responder must "
		"accept it with tkms-ue resolve --accept-unprotected";
	struct args a;
	struct out o;
	struct ue_call *c = NULL;
	struct ue_request_opts ro;
	struct ue_err e = { -1, "" };
	unsigned i;
	int rc, exitc;

	(void)cli;
	rc = parse_args(argc, argv, usage, allowed, &a);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	if (!a.impu || !a.nto) {
		fprintf(stderr, "tkms-ue make-ticket: --impu and at least one --to are required\n");
		return EX_USAGE;
	}
	out_init(&o, a.json);
	c = call_new();
	if (!c) {
		exitc = finish(&o, EX_USAGE, "make-ticket", NULL, "out of memory");
		goto out;
	}
	ue_request_opts_default(&ro);
	ro.impu = a.impu;
	for (i = 0; i < a.nto; i++)
		ro.peers[i] = a.to[i];
	ro.npeers = a.nto;
	ro.lifetime = (unsigned)a.lifetime;
	ro.reuse = !a.no_reuse;
	ro.algset = a.algs == 256 ? UE_ALGS_256 : UE_ALGS_128;
	if (step_saved(&o, "make-ticket", ue_make_ticket(c, &ro, &e), c, a.call, &e, &exitc))
		goto out;
	if (o.json)
		json_object_set_new(o.j, "unprotected", json_true());
	else
		printf("WARNING: %s", unprotected_warning);
	exitc = succeed(&o, "make-ticket", c);
out:
	return done(&o, c, exitc);
}

/* ---- srtp-keys ---------------------------------------------------------- */

/*
 * Prints key material on explicit request only: the output (stdout or --out,
 * written 0600) is what an SRTP stack is configured with, and what
 * tkms-srtp-proof reads.  Format (JSON): {"role", "crypto_sessions": [{"cs_id",
 * "sender": "initiator"|"responder", "ssrc", "roc", "seq", "policy":
 * "AES_CM_128_HMAC_SHA1_80", "master_key" (hex), "master_salt" (hex)}]}.
 */
int ue_cmd_srtp_keys(const struct ue_cli *cli, int argc, char **argv)
{
	static const int allowed[] = { O_JSON, O_CALL, O_OUT, O_HELP, 0 };
	static const char usage[] = "--call FILE [--out FILE] [--json]";
	struct args a;
	struct out o;
	struct ue_call *c = NULL;
	struct ue_srtp_cs ks[UE_MAX_CS];
	struct ue_err e = { -1, "" };
	json_t *j = NULL, *arr;
	char hk[65], hs[29], *text = NULL;
	unsigned n = 0, i;
	int rc, exitc;

	(void)cli;
	rc = parse_args(argc, argv, usage, allowed, &a);
	if (rc)
		return rc < 0 ? EX_OK : rc;
	out_init(&o, false);
	c = call_load(&o, "srtp-keys", a.call, &e, &exitc);
	if (!c)
		goto out;
	rc = ue_srtp_keys(c, ks, UE_MAX_CS, &n, &e);
	if (rc != UE_OK) {
		exitc = finish(&o, ue_cmd_exit(rc, &e), "srtp-keys", &e, NULL);
		goto out;
	}
	j = json_object();
	arr = json_array();
	json_object_set_new(j, "role", json_string(c->role == UE_ROLE_INITIATOR ? "initiator" :
						   "responder"));
	for (i = 0; i < n; i++) {
		tk_hex_encode(ks[i].key, ks[i].key_len, hk);
		tk_hex_encode(ks[i].salt, sizeof ks[i].salt, hs);
		json_array_append_new(arr, json_pack("{s:i, s:s, s:I, s:I, s:i, s:s, s:s, s:s}",
			"cs_id", ks[i].cs_id,
			"sender", ks[i].initiator_sends ? "initiator" : "responder",
			"ssrc", (json_int_t)ks[i].ssrc, "roc", (json_int_t)ks[i].roc,
			"seq", ks[i].seq,
			"policy", ks[i].key_len == 32 ? "AES_CM_256_HMAC_SHA1_80" :
							 "AES_CM_128_HMAC_SHA1_80",
			"master_key", hk, "master_salt", hs));
		tk_wipe(hk, sizeof hk);
	}
	json_object_set_new(j, "crypto_sessions", arr);
	if (a.json || a.out) {
		text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (!text) {
			exitc = finish(&o, EX_USAGE, "srtp-keys", NULL, "out of memory");
			goto out;
		}
		if (a.out) {
			size_t l = strlen(text);

			text[l] = '\n'; /* json_dumps leaves room only for the NUL: write l+1 below */
			if (write_file(a.out, text, l + 1, 0600, e.msg, sizeof e.msg)) {
				text[l] = '\0';
				exitc = finish(&o, EX_USAGE, "srtp-keys", &e, NULL);
				goto out;
			}
			text[l] = '\0';
			printf("SRTP keys of %u crypto sessions written to %s\n", n, a.out);
		} else {
			printf("%s\n", text);
		}
	} else {
		for (i = 0; i < n; i++) {
			tk_hex_encode(ks[i].key, ks[i].key_len, hk);
			tk_hex_encode(ks[i].salt, sizeof ks[i].salt, hs);
			printf("CS %u (%s sends): SSRC %08x ROC %u SEQ %u\n  master key  %s\n"
			       "  master salt %s\n", ks[i].cs_id,
			       ks[i].initiator_sends ? "initiator" : "responder", ks[i].ssrc,
			       ks[i].roc, ks[i].seq, hk, hs);
			tk_wipe(hk, sizeof hk);
		}
	}
	exitc = EX_OK;
out:
	tk_wipe(ks, sizeof ks);
	tk_wipe(hs, sizeof hs);
	if (text) {
		tk_wipe(text, strlen(text));
		free(text);
	}
	json_decref(j);
	call_free(c);
	return exitc;
}
