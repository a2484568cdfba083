/*
 * kms-client.c: a UE for the KMS system tests that can also misbehave.
 * It builds REQUEST_INIT_PSK / RESOLVE_INIT_PSK with the UE library
 * (src/ue/call.h), optionally spoils them, POSTs them with the UE's KMS
 * transports (src/ue/kmsclient.h: plain HTTP, HTTPS + GBA Digest, PSK-TLS)
 * and prints the HTTP status; the body goes to a file for tkms-mikey decode.
 *
 *   kms-client --state UE.state --kms URL [--kms-fqdn F] [--cacert PEM]
 *              [--mikey-state OTHER.state] [--btid B-TID] [--ignore-expiry]
 *              [--body OUT] [--save-req OUT] COMMAND ...
 *     request --impu IDRi --to IDRr [--lifetime S] [--mutate mac|ts-old]
 *     resolve --impu IDRr --in TRANSFER_INIT [--tamper-ticket] [--call OUT]
 *     post --in FILE                      (send bytes as they are: replay)
 *
 * --mikey-state: the MIKEY message is keyed with (and names in IDRpsk) the
 * B-TID of another UE while the transport uses --state (P-2 mismatch).
 * --btid: use this B-TID everywhere (unknown B-TID tests; keys stay those
 * of the state). --ignore-expiry: derive keys from an expired bootstrap.
 * Output: one line "status=N mikey=0|1 retry_after=S transport=..." (exit 0
 * when an HTTP answer came back, 1 otherwise). Test program: the keys of a
 * successful request / resolve are not printed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "mikey/ntp.h"
#include "ue/call.h"
#include "ue/kmsclient.h"
#include "ue/state.h"
#include "util/secret.h"

struct ue {
	struct ue_state st;
	const char *fqdn;
};

static int naf_key(void *ctx, const uint8_t ua[5], uint8_t out[32])
{
	struct ue *u = ctx;
	tk_ua_id id;
	char err[128];

	memcpy(id.b, ua, 5);
	return ue_state_naf_key(&u->st, u->fqdn, id, out, err, sizeof err) == 0 ? 0 : -1;
}

static void die(const char *what, const char *detail) __attribute__((noreturn));

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "kms-client: %s%s\n", what, detail);
	exit(2);
}

static void load(struct ue *u, const char *path, bool ignore_expiry)
{
	char err[256];

	if (ue_state_load(path, &u->st, err, sizeof err) != 0)
		die("", err);
	if (ignore_expiry)
		u->st.expiry = (int64_t)time(NULL) + 3600;
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		die("cannot open ", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void write_file(const char *path, const uint8_t *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		die("cannot write ", path);
}

/* T one hour in the past, V recomputed: a correctly MACed stale message. */
static void make_old(uint8_t *buf, size_t len, const struct ue_cred *cred, const char *impu,
		     const char *fqdn)
{
	struct mk_msg *m = calloc(1, sizeof *m);
	struct mk_keyset ks;
	struct mk_ids ids;
	uint64_t ts;
	uint8_t *t;
	unsigned i;

	if (!m || mk_parse(buf, len, m) != MK_OK || !m->t.pl.present ||
	    m->t.ts_type != MK_TS_NTP_UTC)
		die("", "cannot re-time the request");
	ts = mk_ntp_now() - ((uint64_t)3600 << 32);
	t = buf + m->t.pl.off + 2;
	for (i = 0; i < 8; i++)
		t[i] = (uint8_t)(ts >> (56 - 8 * i));
	if (mk_parse(buf, len, m) != MK_OK)
		die("", "re-timed request does not parse");
	memset(&ids, 0, sizeof ids);
	ids.i = ids.r = (struct mk_bytes){ (const uint8_t *)impu, strlen(impu) };
	ids.kms = (struct mk_bytes){ (const uint8_t *)fqdn, strlen(fqdn) };
	if (mk_msg_keyset(&ks, m, NULL, cred->psk, sizeof cred->psk) != MK_OK ||
	    mk_msg_protect(buf, m, &ks, NULL, &ids) != MK_OK)
		die("", "cannot re-MAC the request");
	mk_keyset_wipe(&ks);
	free(m);
}

/* Invert one octet in the middle of the (encrypted) Ticket Data. */
static void tamper_ticket(uint8_t *buf, size_t len)
{
	struct mk_msg *m = calloc(1, sizeof *m);
	size_t off;

	if (!m || mk_parse(buf, len, m) != MK_OK || !m->ticket.pl.present ||
	    m->ticket.ticket_data.n < 2)
		die("", "no ticket in the TRANSFER_INIT");
	off = (size_t)(m->ticket.ticket_data.p - buf) + m->ticket.ticket_data.n / 2;
	buf[off] ^= 0xff;
	free(m);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "mikey-state", required_argument, NULL, 'm' },
		{ "kms", required_argument, NULL, 'k' },
		{ "kms-fqdn", required_argument, NULL, 'f' },
		{ "cacert", required_argument, NULL, 'c' },
		{ "btid", required_argument, NULL, 'b' },
		{ "ignore-expiry", no_argument, NULL, 'x' },
		{ "body", required_argument, NULL, 'o' },
		{ "save-req", required_argument, NULL, 'r' },
		{ "impu", required_argument, NULL, 'i' },
		{ "to", required_argument, NULL, 't' },
		{ "lifetime", required_argument, NULL, 'l' },
		{ "mutate", required_argument, NULL, 'M' },
		{ "in", required_argument, NULL, 'n' },
		{ "tamper-ticket", no_argument, NULL, 'T' },
		{ "call", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	const char *state = NULL, *mstate = NULL, *url = NULL, *fqdn = "kms.home1.net";
	const char *cacert = NULL, *btid = NULL, *body_out = NULL, *req_out = NULL;
	const char *impu = NULL, *mutate = NULL, *in = NULL, *call_out = NULL, *cmd;
	const char *to[UE_MAX_PEERS];
	unsigned nto = 0, lifetime = 0;
	bool ignore_expiry = false, tamper = false;
	struct ue tu, mu;
	struct ue_cred cred;
	struct ue_err e;
	struct ue_call *c = calloc(1, sizeof *c);
	struct ue_kms_reply *r = malloc(sizeof *r);
	struct ue_kms_target t;
	static uint8_t msg[UE_MAX_MSG], tinit[UE_MAX_MSG];
	size_t len = 0, tlen;
	char err[256];
	int opt, rc;

	if (!c || !r)
		die("", "out of memory");
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 's': state = optarg; break;
		case 'm': mstate = optarg; break;
		case 'k': url = optarg; break;
		case 'f': fqdn = optarg; break;
		case 'c': cacert = optarg; break;
		case 'b': btid = optarg; break;
		case 'x': ignore_expiry = true; break;
		case 'o': body_out = optarg; break;
		case 'r': req_out = optarg; break;
		case 'i': impu = optarg; break;
		case 't': if (nto < UE_MAX_PEERS) to[nto++] = optarg; break;
		case 'l': lifetime = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'M': mutate = optarg; break;
		case 'n': in = optarg; break;
		case 'T': tamper = true; break;
		case 'C': call_out = optarg; break;
		default: die("", "usage: see the comment at the top of kms-client.c");
		}
	}
	if (optind >= argc || !state || !url)
		die("", "--state, --kms and a command are needed");
	cmd = argv[optind];
	/* options may also follow the command */
	optind++;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': impu = optarg; break;
		case 't': if (nto < UE_MAX_PEERS) to[nto++] = optarg; break;
		case 'l': lifetime = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'M': mutate = optarg; break;
		case 'n': in = optarg; break;
		case 'T': tamper = true; break;
		case 'C': call_out = optarg; break;
		case 'o': body_out = optarg; break;
		case 'r': req_out = optarg; break;
		default: die("", "unknown command option");
		}
	}
	memset(&tu, 0, sizeof tu);
	memset(&mu, 0, sizeof mu);
	tu.fqdn = mu.fqdn = fqdn;
	load(&tu, state, ignore_expiry);
	load(&mu, mstate ? mstate : state, ignore_expiry);
	if (btid) {
		snprintf(tu.st.btid, sizeof tu.st.btid, "%s", btid);
		snprintf(mu.st.btid, sizeof mu.st.btid, "%s", btid);
	}
	memset(&cred, 0, sizeof cred);
	snprintf(cred.btid, sizeof cred.btid, "%s", mu.st.btid);
	if (ue_state_naf_key(&mu.st, fqdn, TK_UA_IMS_KMS, cred.psk, err, sizeof err) != 0)
		die("", err);

	if (strcmp(cmd, "request") == 0) {
		struct ue_request_opts o;
		unsigned i;

		if (!impu || !nto)
			die("", "request needs --impu and --to");
		ue_request_opts_default(&o);
		o.impu = impu;
		o.kms = fqdn;
		for (i = 0; i < nto; i++)
			o.peers[i] = to[i];
		o.npeers = nto;
		o.lifetime = lifetime;
		if (ue_request_build(c, &o, &cred, msg, sizeof msg, &len, &e) != UE_OK)
			die("request: ", e.msg);
		if (mutate && strcmp(mutate, "mac") == 0)
			msg[len - 1] ^= 0x01; /* V's MAC is the last field */
		else if (mutate && strcmp(mutate, "ts-old") == 0)
			make_old(msg, len, &cred, impu, fqdn);
		else if (mutate)
			die("unknown --mutate ", mutate);
	} else if (strcmp(cmd, "resolve") == 0) {
		if (!impu || !in)
			die("", "resolve needs --impu and --in");
		tlen = read_file(in, tinit, sizeof tinit);
		if (tamper)
			tamper_ticket(tinit, tlen);
		if (ue_resolve_begin(c, impu, fqdn, &cred, tinit, tlen, msg, sizeof msg, &len,
				     &e) != UE_OK)
			die("resolve: ", e.msg);
	} else if (strcmp(cmd, "post") == 0) {
		if (!in)
			die("", "post needs --in");
		len = read_file(in, msg, sizeof msg);
	} else {
		die("unknown command ", cmd);
	}
	if (req_out)
		write_file(req_out, msg, len);

	memset(&t, 0, sizeof t);
	t.url = url;
	t.cacert = cacert;
	t.btid = tu.st.btid;
	t.naf_key = naf_key;
	t.naf_key_ctx = &tu;
	rc = ue_kms_post(&t, msg, len, r);
	if (rc != UE_KMS_OK) {
		printf("status=000 error=%s\n", r->err);
		return 1;
	}
	if (body_out)
		write_file(body_out, r->body, r->body_len);
	printf("status=%ld mikey=%d retry_after=%ld transport=%s\n", r->status, r->is_mikey ? 1 : 0,
	       r->retry_after, r->transport);
	/* A resolve that went through: the responder's view must verify. */
	if (strcmp(cmd, "resolve") == 0 && r->status == 200) {
		rc = ue_resolve_finish(c, &cred, r->body, r->body_len, &e);
		printf("resolve_finish=%s\n", rc == UE_OK ? "ok" : e.msg);
		if (rc == UE_OK && call_out && ue_call_save(c, call_out, &e) != UE_OK)
			die("", e.msg);
	}
	tk_wipe(&cred, sizeof cred);
	ue_state_wipe(&tu.st);
	ue_state_wipe(&mu.st);
	ue_call_wipe(c);
	free(c);
	free(r);
	return 0;
}
