/*
 * bsf-bench: throughput of a running bsf-stub with the demo subscribers.
 * Several threads, each with one reused libcurl easy handle (keep-alive):
 *   1. Ub bootstraps per second with the UE library (ue/ui_boot.h: 2 round
 *      trips, MILENAGE on both sides, one durable SQN write per vector, the
 *      UE parsing and schema-validating each BootstrappingInfo);
 *   2. Zn fetches per second, cold: every B-TID from phase 1 fetched once;
 *   3. Zn fetches per second, repeated: the same B-TID again and again.
 *   usage: bsf-bench [--ub URL] [--zn URL] [--token T] [--threads N] [--seconds S]
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "ue/ui_boot.h"
#include "util/hexb64.h"

#define MAX_BTIDS 20000

static const char *ub_url = "http://127.0.0.1:8080";
static const char *zn_url = "http://127.0.0.1:8081";
static const char *token = "lab-token-kms";
static double seconds = 3;
static atomic_bool stop;

struct worker {
	int idx;
	CURL *c;
	struct ue_state ue;
	char (*btids)[UE_STATE_ID_MAX];
	size_t n_btids;
	unsigned long ok, failed;
	char err[512];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t sink(char *p, size_t sz, size_t n, void *cls)
{
	(void)p;
	(void)cls;
	return sz * n;
}

static void *ub_phase(void *p)
{
	struct worker *w = p;
	struct ue_boot_opts o = { .bsf_url = ub_url, .curl = w->c };
	struct ue_boot_report rep;
	char err[sizeof w->err];

	while (!atomic_load(&stop)) {
		if (ue_bootstrap(&w->ue, &o, &rep, err, sizeof err) != UE_BOOT_OK) {
			if (!w->failed++)
				snprintf(w->err, sizeof w->err, "%s", err);
			continue;
		}
		w->ok++;
		if (w->n_btids < MAX_BTIDS)
			memcpy(w->btids[w->n_btids++], w->ue.btid, sizeof w->ue.btid);
	}
	return NULL;
}

static int zn_fetch(struct worker *w, const char *btid, struct curl_slist *h, const char *url)
{
	char body[512];
	long status = 0;

	snprintf(body, sizeof body,
		 "{\"btId\": \"%s\", \"nafId\": {\"nafFqdn\": \"kms.home1.net\", \"uaSecProtId\": "
		 "\"0100000006\"}, \"gsIds\": [\"0\"]}", btid);
	curl_easy_setopt(w->c, CURLOPT_URL, url);
	curl_easy_setopt(w->c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(w->c, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(w->c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(w->c, CURLOPT_HEADERFUNCTION, sink);
	if (curl_easy_perform(w->c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(w->c, CURLINFO_RESPONSE_CODE, &status);
	return status == 200 ? 0 : -1;
}

static bool repeated;

static void *zn_phase(void *p)
{
	struct worker *w = p;
	struct curl_slist *h = NULL;
	char auth[256], url[512];
	size_t i = 0;

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	snprintf(url, sizeof url, "%s/nbsp-gba/v1/bootstrapping-info-retrieval", zn_url);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	while (!atomic_load(&stop) && w->n_btids) {
		if (!repeated && i == w->n_btids)
			break;
		if (zn_fetch(w, w->btids[repeated ? 0 : i++], h, url) == 0)
			w->ok++;
		else
			w->failed++;
	}
	curl_easy_setopt(w->c, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h);
	return NULL;
}

static void run(const char *name, void *(*fn)(void *), struct worker *w, int n, bool timed)
{
	pthread_t t[256];
	unsigned long ok = 0, failed = 0;
	double t0 = now(), dt;

	atomic_store(&stop, false);
	for (int i = 0; i < n; i++) {
		w[i].ok = w[i].failed = 0;
		w[i].err[0] = 0;
		pthread_create(&t[i], NULL, fn, &w[i]);
	}
	if (timed) {
		struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };

		nanosleep(&ts, NULL);
		atomic_store(&stop, true);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		ok += w[i].ok;
		failed += w[i].failed;
	}
	dt = now() - t0;
	printf("%-26s %8lu in %5.2f s = %9.0f /s  (%lu failed)\n", name, ok, dt, (double)ok / dt, failed);
	for (int i = 0; i < n; i++)
		if (w[i].err[0]) {
			printf("  first failure: %s\n", w[i].err);
			break;
		}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ub", required_argument, NULL, 'u' }, { "zn", required_argument, NULL, 'z' },
		{ "token", required_argument, NULL, 't' }, { "threads", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 },
	};
	static const char *const names[] = { "alice", "bob", "carol", "dave", "eve" };
	struct worker *w;
	int threads = 4, opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'u': ub_url = optarg; break;
		case 'z': zn_url = optarg; break;
		case 't': token = optarg; break;
		case 'n': threads = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		default:
			fprintf(stderr, "usage: bsf-bench [--ub URL] [--zn URL] [--token T] [--threads N] [--seconds S]\n");
			return 2;
		}
	}
	if (threads < 1 || threads > 256 || seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "bsf-bench: threads 1..256, seconds 0..3600\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w = calloc((size_t)threads, sizeof *w);
	for (int i = 0; i < threads; i++) {
		w[i].idx = i;
		w[i].c = curl_easy_init();
		w[i].btids = calloc(MAX_BTIDS, sizeof *w[i].btids);
		snprintf(w[i].ue.impi, sizeof w[i].ue.impi, "%s@home1.net", names[i % 5]);
		/* Demo subscribers (contracts A): set 1 K with the last octet = index. */
		tk_hex_decode("465b5ce8b199b49faa5f0a2ee238a600", w[i].ue.usim.k, 16);
		w[i].ue.usim.k[15] = (uint8_t)(i % 5 + 1);
		tk_hex_decode("cd63cb71954a9f4e48a5994e37a02baf", w[i].ue.usim.opc, 16);
		w[i].ue.have_usim = true;
	}
	printf("bsf-bench: Ub %s, Zn %s, %d threads, %.1f s per timed phase, keep-alive\n", ub_url,
	       zn_url, threads, seconds);
	run("Ub bootstraps", ub_phase, w, threads, true);
	repeated = false;
	run("Zn fetches (cold B-TIDs)", zn_phase, w, threads, false);
	repeated = true;
	run("Zn fetches (repeated)", zn_phase, w, threads, true);
	for (int i = 0; i < threads; i++) {
		curl_easy_cleanup(w[i].c);
		free(w[i].btids);
		ue_state_wipe(&w[i].ue);
	}
	free(w);
	curl_global_cleanup();
	return 0;
}
