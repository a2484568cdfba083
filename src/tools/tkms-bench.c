/*
 * tkms-bench.c: load generator for tkmsd.  Bootstraps test subscribers once
 * over Ub (bsf-stub, ue_bootstrap), derives Ks_NAF for the MIKEY layer
 * (Ua 01 00 00 00 06) and for the PSK-TLS transport (01 00 01 yy zz of the
 * one suite it offers, or 01 00 00 00 07 for TLS 1.3; profile P-1, P-7),
 * then sends REQUEST_INIT_PSK and/or RESOLVE_INIT_PSK as fast as the KMS
 * answers (POST /mikey, P-5), verifies every answer and prints the rate,
 * latency percentiles, failures by kind, and the server's CPU time per
 * exchange and resident set size (from /proc).  Exit status 1 when any
 * exchange failed.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "gba/kdf.h"
#include "tools/bench-load.h"
#include "ue/kmsclient.h"
#include "ue/state.h"
#include "ue/ui_boot.h"
#include "util/hexb64.h"
#include "util/json.h"
#include "util/secret.h"

static const char usage[] =
	"usage: tkms-bench --kms HOST:PORT --bsf URL [options]\n"
	"  --kms HOST:PORT      tkmsd PSK-TLS listener (or the plain HTTP one with --plain)\n"
	"  --bsf URL            bsf-stub Ub URL, e.g. http://127.0.0.1:8080\n"
	"  --fqdn NAME          KMS FQDN (NAF_Id, IDRkms); default kms.home1.net\n"
	"  --plain              plain HTTP (MIKEY authenticates itself, P-2)\n"
	"  --tls SUITE          psk (TLS_PSK_WITH_AES_128_GCM_SHA256, default),\n"
	"                       dhe-psk (TLS_DHE_PSK_WITH_AES_128_GCM_SHA256),\n"
	"                       ecdhe-psk (TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256),\n"
	"                       tls13 (TLS 1.3 psk_ke), tls13-ecdhe (TLS 1.3 psk_dhe_ke)\n"
	"  --identity bare|prefixed  PSK identity B-TID or 3GPP-bootstrapping.B-TID (default bare)\n"
	"  --new-connection     a new connection (and TLS handshake) per exchange\n"
	"  --mix request|resolve|both|chain   what to send (default request); chain: each\n"
	"                       connection requests a ticket and then resolves it, so tickets\n"
	"                       issued during the run are resolved (key rotation, scale-out)\n"
	"  --algs 128|256       MIKEY algorithm set (P-8), default 128\n"
	"  --threads N          load threads (default 2)\n"
	"  --connections N      connections in total, spread over the threads (default 32)\n"
	"  --seconds S          run time (default 10) | --count N  exchanges in total\n"
	"  --users N            first N demo subscribers alice..eve (1..5, default 5)\n"
	"  --subscribers FILE   bsf-stub subscribers file (or configuration with\n"
	"                       subscriber_list) instead of the demo set (impi, k, opc, first\n"
	"                       guss uid as IMPU); --users N takes the first N\n"
	"  --server-pid PID|auto  tkmsd to watch (CPU, RSS); auto: --pid-file, else the one\n"
	"                       process named tkmsd\n"
	"  --pid-file FILE      tkmsd pid file (implies --server-pid auto)\n"
	"  --timeout MS         per exchange (default 10000)\n"
	"  --sample S           every S seconds print the exchanges so far, the rate since the\n"
	"                       last line and the server's VmRSS\n"
	"  -v                   print setup steps\n"
	"exit status: 0 every exchange verified, 1 some failed (or none made), 2 usage or\n"
	"setup error (bootstrap, tickets to resolve).\n"
	"SIGTERM or SIGINT ends the run early as --seconds would (exchanges in flight\n"
	"finish, the results are printed).\n"
	"example: tkms-bench --kms 127.0.0.1:8443 --bsf http://127.0.0.1:8080 --seconds 10\n";

/* Demo subscribers of bsf-stub (contracts.md A): Milenage test set 1 K with
 * the last byte = index, test set 1 OPc. */
static const char *const demo_names[] = { "alice", "bob", "carol", "dave", "eve" };
#define DEMO_K_PREFIX "465b5ce8b199b49faa5f0a2ee238a6"
#define DEMO_OPC "cd63cb71954a9f4e48a5994e37a02baf"

struct sub {
	char impi[UE_MAX_ID], impu[UE_MAX_ID];
	char k[33], opc[33];
};

static int verbose;
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_signal = 1;
}

#define die(...) do { fprintf(stderr, "tkms-bench: " __VA_ARGS__); fputc('\n', stderr); exit(2); } while (0)

static int load_subscribers(const char *path, struct sub *s, unsigned cap, unsigned *n)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *arr, *o;
	size_t i;

	if (!root)
		die("%s: %s (line %d)", path, je.text, je.line);
	/* a bsf-stub subscribers file, or a bsf-stub configuration with an
	 * inline list (as bsf-stub --print-config shows it) */
	arr = json_object_get(root, "subscribers");
	if (!json_is_array(arr))
		arr = json_object_get(root, "subscriber_list");
	if (!json_is_array(arr))
		die("%s: no \"subscribers\" (or \"subscriber_list\") array", path);
	*n = 0;
	json_array_foreach(arr, i, o) {
		const char *impi = json_string_value(json_object_get(o, "impi"));
		const char *k = json_string_value(json_object_get(o, "k"));
		const char *opc = json_string_value(json_object_get(o, "opc"));
		const char *uid = json_string_value(json_array_get(json_object_get(
			json_array_get(json_object_get(json_object_get(o, "guss"), "uss"), 0),
			"uids"), 0));

		if (*n == cap)
			break;
		if (!impi || !k || !opc || strlen(k) != 32 || strlen(opc) != 32)
			die("%s: subscriber %zu needs impi, k and opc (32 hex each; op is not supported here)",
			    path, i);
		snprintf(s[*n].impi, sizeof s[*n].impi, "%s", impi);
		if (uid)
			snprintf(s[*n].impu, sizeof s[*n].impu, "%s", uid);
		else
			snprintf(s[*n].impu, sizeof s[*n].impu, "sip:%s", impi);
		memcpy(s[*n].k, k, 33);
		memcpy(s[*n].opc, opc, 33);
		(*n)++;
	}
	json_decref(root);
	return 0;
}

/* TLS priority offering exactly one suite (so the PSK's Ua id is known
 * before the handshake, P-1), and that suite's number. */
static void tls_setup(const char *name, gnutls_priority_t *prio, int *suite)
{
	static const struct { const char *name, *prio; } t[] = {
		{ "psk", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-GCM:"
			 "-MAC-ALL:+AEAD" },
		{ "dhe-psk", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+DHE-PSK:-CIPHER-ALL:"
			     "+AES-128-GCM:-MAC-ALL:+AEAD" },
		{ "ecdhe-psk", "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-PSK:-CIPHER-ALL:"
			       "+CHACHA20-POLY1305:-MAC-ALL:+AEAD" },
		{ "tls13", "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+PSK:-CIPHER-ALL:+AES-128-GCM" },
		{ "tls13-ecdhe", "NORMAL:-VERS-ALL:+VERS-TLS1.3:-KX-ALL:+ECDHE-PSK:-CIPHER-ALL:"
				 "+AES-128-GCM" },
	};
	unsigned i, idx, sidx, found = 0;
	const char *err = NULL;
	int e;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!strcmp(name, t[i].name))
			break;
	if (i == sizeof t / sizeof t[0])
		die("--tls %s: unknown (psk, dhe-psk, ecdhe-psk, tls13, tls13-ecdhe)", name);
	e = gnutls_priority_init(prio, t[i].prio, &err);
	if (e < 0)
		die("GnuTLS priority %s: %s", t[i].prio, gnutls_strerror(e));
	*suite = -1;
	if (!strncmp(name, "tls13", 5))
		return;
	for (idx = 0;; idx++) {
		unsigned char id[2];
		gnutls_kx_algorithm_t kx;
		gnutls_cipher_algorithm_t c;
		gnutls_mac_algorithm_t m;
		gnutls_protocol_t v;

		e = gnutls_priority_get_cipher_suite_index(*prio, idx, &sidx);
		if (e == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (e < 0 || !gnutls_cipher_suite_info(sidx, id, &kx, &c, &m, &v) ||
		    v == GNUTLS_TLS1_3)
			continue;
		*suite = id[0] << 8 | id[1];
		found++;
	}
	if (found != 1)
		die("--tls %s: GnuTLS offers %u TLS 1.2 suites for it, need exactly 1", name, found);
}

struct nafkey_ctx {
	const struct ue_state *st;
	const char *fqdn;
};

static int naf_key_cb(void *ctx, const uint8_t ua[5], uint8_t out[32])
{
	const struct nafkey_ctx *k = ctx;
	tk_ua_id id;
	char err[256];

	memcpy(id.b, ua, 5);
	return ue_state_naf_key(k->st, k->fqdn, id, out, err, sizeof err) ? -1 : 0;
}

/* Bootstrap one subscriber and derive its keys. */
static void user_setup(struct bench_user *u, const struct sub *s, const char *bsf,
		       const char *fqdn, int suite, bool prefixed, bool tls, struct ue_state *st)
{
	struct ue_boot_opts bo = { .bsf_url = bsf, .timeout_ms = 10000 };
	struct ue_boot_report rep;
	char err[512], ident[UE_MAX_ID + 32];
	uint8_t key[TK_GBA_KEY_LEN];
	gnutls_datum_t d = { key, sizeof key };
	tk_ua_id ua;
	int e;

	memset(st, 0, sizeof *st);
	snprintf(st->impi, sizeof st->impi, "%s", s->impi);
	if (tk_hex_decode(s->k, st->usim.k, sizeof st->usim.k) != (long)sizeof st->usim.k ||
	    tk_hex_decode(s->opc, st->usim.opc, sizeof st->usim.opc) != (long)sizeof st->usim.opc)
		die("%s: K / OPc not hex", s->impi);
	st->have_usim = true;
	if (ue_bootstrap(st, &bo, &rep, err, sizeof err) != UE_BOOT_OK)
		die("bootstrap of %s at %s: %s", s->impi, bsf, err);
	snprintf(u->impi, sizeof u->impi, "%s", s->impi);
	snprintf(u->impu, sizeof u->impu, "%s", s->impu);
	snprintf(u->cred.btid, sizeof u->cred.btid, "%s", st->btid);
	if (ue_state_naf_key(st, fqdn, TK_UA_IMS_KMS, u->cred.psk, err, sizeof err))
		die("Ks_NAF of %s: %s", s->impi, err);
	if (verbose)
		fprintf(stderr, "tkms-bench: %s bootstrapped, B-TID %s%s\n", s->impi, st->btid,
			rep.resynced ? " (after SQN resynchronisation)" : "");
	if (!tls)
		return;
	ua = suite < 0 ? TK_UA_TLS13_PSK : tk_ua_id_tls((uint16_t)suite);
	if (ue_state_naf_key(st, fqdn, ua, key, err, sizeof err))
		die("Ks_NAF (TLS) of %s: %s", s->impi, err);
	snprintf(ident, sizeof ident, "%s%s", prefixed ? "3GPP-bootstrapping." : "", st->btid);
	e = gnutls_psk_allocate_client_credentials(&u->tlscred);
	if (e >= 0)
		e = gnutls_psk_set_client_credentials2(u->tlscred, &(gnutls_datum_t){
			(unsigned char *)ident, (unsigned)strlen(ident) }, &d, GNUTLS_PSK_KEY_RAW);
	tk_wipe(key, sizeof key);
	if (e < 0)
		die("PSK credentials: %s", gnutls_strerror(e));
}

/* For resolving: user u asks for a ticket for user u+1 and hands its
 * TRANSFER_INIT to u+1, once, before the load starts. */
static int tickets_setup(struct bench_cfg *cfg, struct ue_state *states, const char *kms)
{
	struct ue_kms_reply *r = malloc(sizeof *r);
	struct ue_call *c = calloc(1, sizeof *c);
	uint8_t msg[UE_MAX_MSG];
	char url[300];
	unsigned i;
	int rc = -1;

	if (!r || !c)
		goto out;
	snprintf(url, sizeof url, "%s://%s/mikey", cfg->tls ? "psk" : "http", kms);
	for (i = 0; i < cfg->nusers; i++) {
		struct bench_user *u = &cfg->users[i], *peer = &cfg->users[(i + 1) % cfg->nusers];
		struct nafkey_ctx kc = { &states[i], cfg->fqdn };
		struct ue_kms_target tg = { .url = url, .btid = u->cred.btid, .naf_key = naf_key_cb,
					    .naf_key_ctx = &kc };
		struct ue_request_opts o;
		struct ue_transfer_opts to = { 0 };
		struct ue_err e;
		size_t len;

		ue_request_opts_default(&o);
		o.impu = u->impu;
		o.kms = cfg->fqdn;
		o.peers[0] = peer->impu;
		o.npeers = 1;
		o.algset = cfg->algset;
		if (ue_request_build(c, &o, &u->cred, msg, sizeof msg, &len, &e)) {
			fprintf(stderr, "tkms-bench: setup REQUEST_INIT: %s\n", e.msg);
			goto out;
		}
		if (ue_kms_post(&tg, msg, len, r) != UE_KMS_OK) {
			fprintf(stderr, "tkms-bench: setup POST %s: %s\n", url, r->err);
			goto out;
		}
		if (r->status != 200) {
			fprintf(stderr, "tkms-bench: setup ticket for %s: HTTP %ld %.*s\n", u->impi,
				r->status, r->is_mikey ? 0 : (int)(r->body_len < 200 ? r->body_len : 200),
				(const char *)r->body);
			goto out;
		}
		if (ue_request_finish(c, &o, &u->cred, r->body, r->body_len, &e) ||
		    ue_transfer_init(c, &to, peer->tinit, sizeof peer->tinit, &peer->tinit_len, &e)) {
			fprintf(stderr, "tkms-bench: setup ticket for %s: %s\n", u->impi, e.msg);
			goto out;
		}
		if (verbose)
			fprintf(stderr, "tkms-bench: ticket %s -> %s issued (%s)\n", u->impu,
				peer->impu, r->transport);
	}
	rc = 0;
out:
	if (c)
		ue_call_wipe(c);
	free(c);
	free(r);
	return rc;
}

/* ---- the server process, from /proc ---- */

static long pid_auto(const char *pid_file)
{
	DIR *d;
	struct dirent *de;
	long pid = -1;
	unsigned n = 0;

	if (pid_file) {
		FILE *f = fopen(pid_file, "r");

		if (!f || fscanf(f, "%ld", &pid) != 1)
			die("--pid-file %s: no pid in it", pid_file);
		fclose(f);
		return pid;
	}
	d = opendir("/proc");
	if (!d)
		die("/proc: %s", strerror(errno));
	while ((de = readdir(d))) {
		char path[300], comm[64] = "";
		FILE *f;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof path, "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof comm, f) && !strcmp(comm, "tkmsd\n")) {
			pid = atol(de->d_name);
			n++;
		}
		fclose(f);
	}
	closedir(d);
	if (n != 1)
		die("--server-pid auto: %u processes named tkmsd; give the pid or --pid-file", n);
	return pid;
}

/* utime + stime in microseconds; -1 when unreadable. */
static double proc_cpu_us(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* after ")": state(3) ... utime is field 14, stime 15 */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

static long proc_rss_kb(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void loadavg(char *out, size_t cap)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double a = 0, b = 0, c = 0;

	if (!f || fscanf(f, "%lf %lf %lf", &a, &b, &c) != 3)
		snprintf(out, cap, "?");
	else
		snprintf(out, cap, "%.2f %.2f %.2f", a, b, c);
	if (f)
		fclose(f);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Until the run ends: stop it after `seconds` (0: --count ends it) and
 * print a progress line every `sample` seconds (0: none). */
static void run_wait(struct bench_cfg *cfg, struct bench_thread *th, double seconds,
		     double sample, long pid, double t0)
{
	double next = sample, now;
	uint64_t last = 0;
	double last_t = t0;
	unsigned i, fin;

	for (;;) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		now = mono_s();
		for (fin = 0, i = 0; i < cfg->threads; i++)
			fin += (unsigned)__atomic_load_n(&th[i].finished, __ATOMIC_ACQUIRE);
		if (fin == cfg->threads)
			return;
		if ((seconds > 0 && now - t0 >= seconds) || stop_signal)
			__atomic_store_n(&cfg->stop, 1, __ATOMIC_RELAXED);
		if (sample > 0 && now - t0 >= next) {
			uint64_t p = 0;

			for (i = 0; i < cfg->threads; i++)
				p += __atomic_load_n(&th[i].st.progress, __ATOMIC_RELAXED);
			printf("sample: t=%.1f s exchanges=%llu rate=%.0f/s server_rss_kb=%ld\n",
			       now - t0, (unsigned long long)p, (double)(p - last) / (now - last_t),
			       pid > 0 ? proc_rss_kb(pid) : -1L);
			fflush(stdout);
			last = p;
			last_t = now;
			next += sample;
		}
	}
}

static void resolve_addr(struct bench_cfg *cfg, const char *hostport, char *host, size_t hcap)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *res;
	const char *colon = strrchr(hostport, ':');
	size_t hl;
	int e;

	if (!colon || colon == hostport)
		die("--kms %s: HOST:PORT expected", hostport);
	hl = (size_t)(colon - hostport);
	if (hostport[0] == '[' && hl > 2 && hostport[hl - 1] == ']')
		snprintf(host, hcap, "%.*s", (int)(hl - 2), hostport + 1);
	else
		snprintf(host, hcap, "%.*s", (int)hl, hostport);
	e = getaddrinfo(host, colon + 1, &hints, &res);
	if (e)
		die("--kms %s: %s (numeric host expected)", hostport, gai_strerror(e));
	memcpy(&cfg->addr, res->ai_addr, res->ai_addrlen);
	cfg->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
}

static unsigned long num_arg(const char *name, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		die("--%s %s: a number from %lu to %lu expected", name, s, lo, hi);
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "kms", 1, NULL, 'k' }, { "bsf", 1, NULL, 'b' }, { "fqdn", 1, NULL, 'f' },
		{ "plain", 0, NULL, 'P' }, { "tls", 1, NULL, 'T' }, { "identity", 1, NULL, 'I' },
		{ "new-connection", 0, NULL, 'N' }, { "mix", 1, NULL, 'm' },
		{ "algs", 1, NULL, 'a' }, { "threads", 1, NULL, 't' },
		{ "connections", 1, NULL, 'c' }, { "seconds", 1, NULL, 's' },
		{ "count", 1, NULL, 'n' }, { "users", 1, NULL, 'u' },
		{ "subscribers", 1, NULL, 'S' }, { "server-pid", 1, NULL, 'p' },
		{ "pid-file", 1, NULL, 'F' }, { "timeout", 1, NULL, 'o' },
		{ "sample", 1, NULL, 'R' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	static struct bench_cfg cfg;
	const char *kms = NULL, *bsf = NULL, *tls_name = "psk", *subs = NULL, *pid_arg = NULL,
		   *pid_file = NULL, *mix = "request";
	char host[256], la0[64], la1[64];
	bool prefixed = false;
	unsigned long seconds = 10, count = 0, nusers = 5, i;
	double sample = 0;
	struct sub *sv;
	unsigned nsub = 0;
	struct ue_state *states;
	struct bench_thread *th;
	struct bench_stats tot;
	long pid = -1, rss0 = -1, rss1 = -1;
	double cpu0 = -1, cpu1 = -1, t0, t1, self0, self1;
	uint64_t done, failed = 0, failed_transport = 0;
	int opt, k;

	tk_json_wipe_on_free(); /* a subscribers file carries k and opc as hex */
	memset(&cfg, 0, sizeof cfg);
	cfg.fqdn = "kms.home1.net";
	cfg.tls = true;
	cfg.threads = 2;
	cfg.connections = 32;
	cfg.timeout_ms = 10000;
	while ((opt = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (opt) {
		case 'k': kms = optarg; break;
		case 'b': bsf = optarg; break;
		case 'f': cfg.fqdn = optarg; break;
		case 'P': cfg.tls = false; break;
		case 'T': tls_name = optarg; break;
		case 'I':
			if (strcmp(optarg, "bare") && strcmp(optarg, "prefixed"))
				die("--identity bare|prefixed");
			prefixed = !strcmp(optarg, "prefixed");
			break;
		case 'N': cfg.new_conn = true; break;
		case 'm': mix = optarg; break;
		case 'a':
			if (strcmp(optarg, "128") && strcmp(optarg, "256"))
				die("--algs 128|256");
			cfg.algset = !strcmp(optarg, "256") ? UE_ALGS_256 : UE_ALGS_128;
			break;
		case 't': cfg.threads = (unsigned)num_arg("threads", optarg, 1, 256); break;
		case 'c': cfg.connections = (unsigned)num_arg("connections", optarg, 1, 100000); break;
		case 's': seconds = num_arg("seconds", optarg, 1, 86400); break;
		case 'n': count = num_arg("count", optarg, 1, 1000000000000ul); break;
		case 'u': nusers = num_arg("users", optarg, 1, 100000); break;
		case 'S': subs = optarg; break;
		case 'p': pid_arg = optarg; break;
		case 'F': pid_file = optarg; break;
		case 'R': sample = (double)num_arg("sample", optarg, 1, 86400); break;
		case 'o': cfg.timeout_ms = (long)num_arg("timeout", optarg, 1, 3600000); break;
		case 'v': verbose = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc || !kms || !bsf) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(mix, "request"))
		cfg.mix = BENCH_MIX_REQUEST;
	else if (!strcmp(mix, "resolve"))
		cfg.mix = BENCH_MIX_RESOLVE;
	else if (!strcmp(mix, "both"))
		cfg.mix = BENCH_MIX_BOTH;
	else if (!strcmp(mix, "chain"))
		cfg.mix = BENCH_MIX_CHAIN;
	else
		die("--mix request|resolve|both|chain");
	if (cfg.threads > cfg.connections)
		cfg.threads = cfg.connections;
	if (count) {
		cfg.counted = true;
		cfg.remaining = (long)count;
	}
	resolve_addr(&cfg, kms, host, sizeof host);
	cfg.host = cfg.fqdn;
	if (cfg.tls)
		tls_setup(tls_name, &cfg.prio, &cfg.suite);
	if (pid_arg || pid_file)
		pid = pid_arg && strcmp(pid_arg, "auto") ? (long)num_arg("server-pid", pid_arg, 1, 1ul << 30)
							 : pid_auto(pid_file);

	sv = calloc(nusers, sizeof *sv);
	if (!sv)
		die("out of memory");
	if (subs) {
		load_subscribers(subs, sv, (unsigned)nusers, &nsub);
		if (nsub < nusers)
			die("%s has %u subscribers, --users %lu", subs, nsub, nusers);
	} else {
		if (nusers > 5)
			die("--users %lu: the demo set has 5 (alice..eve); use --subscribers FILE", nusers);
		for (i = 0; i < nusers; i++) {
			snprintf(sv[i].impi, sizeof sv[i].impi, "%s@home1.net", demo_names[i]);
			snprintf(sv[i].impu, sizeof sv[i].impu, "sip:%s@home1.net", demo_names[i]);
			snprintf(sv[i].k, sizeof sv[i].k, "%s%02lx", DEMO_K_PREFIX, i + 1);
			snprintf(sv[i].opc, sizeof sv[i].opc, "%s", DEMO_OPC);
		}
	}
	cfg.nusers = (unsigned)nusers;
	cfg.users = calloc(nusers, sizeof *cfg.users);
	states = calloc(nusers, sizeof *states);
	th = calloc(cfg.threads, sizeof *th);
	if (!cfg.users || !states || !th)
		die("out of memory");
	for (i = 0; i < nusers; i++)
		user_setup(&cfg.users[i], &sv[i], bsf, cfg.fqdn, cfg.suite, prefixed, cfg.tls,
			   &states[i]);
	if ((cfg.mix == BENCH_MIX_RESOLVE || cfg.mix == BENCH_MIX_BOTH) &&
	    tickets_setup(&cfg, states, kms))
		die("could not get the tickets to resolve");
	for (i = 0; i < nusers; i++)
		ue_state_wipe(&states[i]);
	free(states);

	printf("tkms-bench: %s %s, %u connections on %u threads, mix %s, %u users, "
	       "%s-bit MIKEY set\n",
	       cfg.tls ? "PSK-TLS" : "plain HTTP", kms, cfg.connections, cfg.threads, mix, cfg.nusers, cfg.algset == UE_ALGS_256 ? "256" : "128");
	if (cfg.tls && cfg.suite >= 0)
		printf("tkms-bench: TLS 1.2 suite %s (%04x, Ua 010001%04x), %s\n", tls_name, cfg.suite,
		       cfg.suite, cfg.new_conn ? "new connection per exchange" : "keep-alive");
	else
		printf("tkms-bench: %s, %s\n", cfg.tls ? "TLS 1.3 (Ua 0100000007)" : "no TLS",
		       cfg.new_conn ? "new connection per exchange" : "keep-alive");
	fflush(stdout);

	loadavg(la0, sizeof la0);
	if (pid > 0) {
		cpu0 = proc_cpu_us(pid);
		rss0 = proc_rss_kb(pid);
		if (cpu0 < 0 || rss0 < 0)
			die("server pid %ld: cannot read /proc/%ld", pid, pid);
	}
	signal(SIGTERM, on_stop_signal);
	signal(SIGINT, on_stop_signal);
	self0 = self_cpu_s();
	t0 = mono_s();
	for (i = 0; i < cfg.threads; i++) {
		th[i].cfg = &cfg;
		th[i].id = (unsigned)i;
		if (pthread_create(&th[i].th, NULL, bench_thread_run, &th[i]))
			die("pthread_create failed");
	}
	run_wait(&cfg, th, count ? 0 : (double)seconds, sample, pid, t0);
	memset(&tot, 0, sizeof tot);
	for (i = 0; i < cfg.threads; i++) {
		pthread_join(th[i].th, NULL);
		tot.ok += th[i].st.ok;
		tot.connects += th[i].st.connects;
		for (k = 0; k < BF_N; k++) {
			if (!tot.fail[k] && th[i].st.fail[k])
				memcpy(tot.first[k], th[i].st.first[k], sizeof tot.first[k]);
			tot.fail[k] += th[i].st.fail[k];
		}
		for (k = 0; k < 600; k++)
			tot.status[k] += th[i].st.status[k];
		bench_hist_merge(&tot.hist, &th[i].st.hist);
	}
	t1 = t0;
	for (i = 0; i < cfg.threads; i++)
		if ((double)th[i].end_ns / 1e9 > t1)
			t1 = (double)th[i].end_ns / 1e9;
	self1 = self_cpu_s();
	if (pid > 0) {
		cpu1 = proc_cpu_us(pid);
		rss1 = proc_rss_kb(pid);
	}
	loadavg(la1, sizeof la1);

	for (k = 0; k < BF_N; k++) {
		failed += tot.fail[k];
		if (bench_fail_is_transport(k))
			failed_transport += tot.fail[k];
	}
	done = tot.ok + failed;
	printf("exchanges: %llu in %.2f s = %.0f/s (verified %llu, failed %llu)\n",
	       (unsigned long long)done, t1 - t0, (double)done / (t1 - t0),
	       (unsigned long long)tot.ok, (unsigned long long)failed);
	printf("latency (us, %llu answers): p50 %llu  p99 %llu  p99.9 %llu  max %llu  mean %.0f\n",
	       (unsigned long long)tot.hist.n,
	       (unsigned long long)bench_hist_quantile(&tot.hist, 0.50),
	       (unsigned long long)bench_hist_quantile(&tot.hist, 0.99),
	       (unsigned long long)bench_hist_quantile(&tot.hist, 0.999),
	       (unsigned long long)tot.hist.max_us,
	       tot.hist.n ? (double)tot.hist.sum_us / (double)tot.hist.n : 0.0);
	printf("connections opened: %llu\n", (unsigned long long)tot.connects);
	printf("http status:");
	for (k = 0; k < 600; k++)
		if (tot.status[k])
			printf(" %d x%llu", k, (unsigned long long)tot.status[k]);
	printf("\n");
	if (!failed)
		printf("failures: none\n");
	for (k = 0; k < BF_N; k++)
		if (tot.fail[k])
			printf("failures %s: %llu (first: %s)\n", bench_fail_name(k),
			       (unsigned long long)tot.fail[k], tot.first[k]);
	if (failed)
		printf("failures by class: transport %llu (connect, tls, io, timeout: no answer), "
		       "answers %llu (an answer came and was wrong)\n",
		       (unsigned long long)failed_transport,
		       (unsigned long long)(failed - failed_transport));
	if (pid > 0 && cpu1 >= 0)
		printf("server pid %ld: cpu %.2f s = %.1f us/exchange; VmRSS start %ld kB, end %ld kB\n",
		       pid, (cpu1 - cpu0) / 1e6, done ? (cpu1 - cpu0) / (double)done : 0.0, rss0, rss1);
	printf("client cpu: %.2f s = %.1f us/exchange\n", self1 - self0,
	       done ? (self1 - self0) * 1e6 / (double)done : 0.0);
	printf("load average: start %s, end %s (%ld cpus online)\n", la0, la1,
	       sysconf(_SC_NPROCESSORS_ONLN));
	printf("result: exchanges=%llu failed=%llu rate=%.0f p50_us=%llu p99_us=%llu p999_us=%llu "
	       "max_us=%llu server_cpu_us=%.1f rss_start_kb=%ld rss_end_kb=%ld "
	       "transport_failed=%llu answer_failed=%llu\n",
	       (unsigned long long)done, (unsigned long long)failed, (double)done / (t1 - t0),
	       (unsigned long long)bench_hist_quantile(&tot.hist, 0.50),
	       (unsigned long long)bench_hist_quantile(&tot.hist, 0.99),
	       (unsigned long long)bench_hist_quantile(&tot.hist, 0.999),
	       (unsigned long long)tot.hist.max_us,
	       pid > 0 && done ? (cpu1 - cpu0) / (double)done : -1.0, rss0, rss1,
	       (unsigned long long)failed_transport, (unsigned long long)(failed - failed_transport));

	for (i = 0; i < nusers; i++) {
		tk_wipe(&cfg.users[i].cred, sizeof cfg.users[i].cred);
		if (cfg.users[i].tlscred)
			gnutls_psk_free_client_credentials(cfg.users[i].tlscred);
	}
	free(cfg.users);
	free(sv);
	free(th);
	if (cfg.tls)
		gnutls_priority_deinit(cfg.prio);
	return failed || !done ? 1 : 0;
}
