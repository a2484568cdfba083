/*
 * zn-bench: Zn key fetches per second through the NAF library, several
 * threads: "cold" bypasses the cache (every call is one HTTP/JSON Zn request
 * on a pooled keep-alive connection), "cached" goes through naf_get_key()
 * for B-TIDs already in the cache (the path the KMS takes per request).
 *
 *   zn-bench [--threads N] [--seconds S] [--zn URL --token T --fqdn F BTID]
 *
 * Without --zn it starts the in-process Zn test peer (tests/unit/
 * naf_zn_peer.c, libmicrohttpd on 127.0.0.1) and uses made-up B-TIDs; with
 * --zn it asks a real BSF (e.g. bsf-stub) for the given B-TID.
 */
#include <getopt.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naf/naf.h"
#include "naf_zn_peer.h"

#define NBTID 4096

struct run {
	struct naf *naf;
	char (*btids)[64];
	size_t nbtids;
	bool cached;
	double seconds;
	uint64_t ops, errors;
	pthread_barrier_t *bar;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	struct run *r = arg;
	struct naf_key k;
	size_t next = (size_t)(uintptr_t)r * 7919;
	double end;

	pthread_barrier_wait(r->bar);
	end = now_s() + r->seconds;
	while (now_s() < end) {
		for (int i = 0; i < 64; i++) {
			const char *b = r->btids[next++ % r->nbtids];
			size_t len = strlen(b);
			int st = r->cached ? naf_get_key(r->naf, b, len, TK_UA_IMS_KMS, &k)
					   : naf_fetch_uncached(r->naf, b, len, TK_UA_IMS_KMS, &k);
			r->ops++;
			r->errors += st != NAF_OK;
			naf_key_clear(&k);
			if (!r->cached)
				break;
		}
	}
	return NULL;
}

static void bench(struct naf *naf, char (*btids)[64], size_t n, bool cached, int threads,
		  double secs)
{
	pthread_t th[64];
	struct run runs[64];
	pthread_barrier_t bar;
	uint64_t ops = 0, errs = 0;
	double t0, t1;

	pthread_barrier_init(&bar, NULL, (unsigned)threads + 1);
	for (int i = 0; i < threads; i++) {
		runs[i] = (struct run){ .naf = naf, .btids = btids, .nbtids = n, .cached = cached,
					.seconds = secs, .bar = &bar };
		pthread_create(&th[i], NULL, worker, &runs[i]);
	}
	pthread_barrier_wait(&bar);
	t0 = now_s();
	for (int i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		ops += runs[i].ops;
		errs += runs[i].errors;
	}
	t1 = now_s();
	pthread_barrier_destroy(&bar);
	printf("%-6s threads=%-2d ops=%-10llu %12.0f ops/s  %9.2f us/op/thread  errors=%llu\n",
	       cached ? "cached" : "cold", threads, (unsigned long long)ops, ops / (t1 - t0),
	       1e6 * (t1 - t0) * threads / (double)(ops ? ops : 1), (unsigned long long)errs);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", 1, NULL, 'n' }, { "seconds", 1, NULL, 's' }, { "zn", 1, NULL, 'z' },
		{ "token", 1, NULL, 't' }, { "fqdn", 1, NULL, 'f' }, { NULL, 0, NULL, 0 },
	};
	struct naf_config cfg = { .fqdn = "kms.home1.net", .token = "tok", .pool_size = 64 };
	struct zn_peer *peer = NULL;
	static char btids[NBTID][64];
	size_t nb = 1;
	int threads = 4, c, counts[] = { 1, 0, 0 };
	double secs = 2;
	struct naf_key k;
	struct naf *naf;
	char err[160];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': threads = atoi(optarg); break;
		case 's': secs = atof(optarg); break;
		case 'z': cfg.zn_url = optarg; break;
		case 't': cfg.token = optarg; break;
		case 'f': cfg.fqdn = optarg; break;
		default:
			fputs("usage: zn-bench [--threads N] [--seconds S] [--zn URL --token T --fqdn F BTID]\n",
			      stderr);
			return 1;
		}
	}
	if (threads < 1 || threads > 64 || secs <= 0)
		return fputs("zn-bench: 1..64 threads, seconds > 0\n", stderr), 1;
	if (cfg.zn_url) {
		if (optind != argc - 1)
			return fputs("zn-bench: --zn needs a B-TID argument\n", stderr), 1;
		snprintf(btids[0], sizeof btids[0], "%s", argv[optind]);
	} else {
		nb = NBTID;
		for (size_t i = 0; i < nb; i++)
			snprintf(btids[i], sizeof btids[i], "B%07zuAAAAAAAAAAAAAA==@bsf.home1.net", i);
		peer = zn_peer_start();
		if (!peer)
			return fputs("zn-bench: cannot start the Zn peer\n", stderr), 1;
		cfg.zn_url = zn_peer_url(peer);
	}
	naf = naf_new(&cfg, err, sizeof err);
	if (!naf)
		return fprintf(stderr, "zn-bench: %s\n", err), 1;
	for (size_t i = 0; i < nb; i++) {
		if (naf_get_key(naf, btids[i], strlen(btids[i]), TK_UA_IMS_KMS, &k) != NAF_OK) {
			fprintf(stderr, "zn-bench: first fetch failed: %s\n", k.detail);
			return 1;
		}
		naf_key_clear(&k);
	}
	printf("zn-bench: Zn at %s%s, %zu B-TID(s), %.1f s per run\n", cfg.zn_url,
	       peer ? " (in-process libmicrohttpd peer)" : "", nb, secs);
	counts[1] = threads > 1 ? threads : 0;
	for (int i = 0; i < 2; i++) {
		if (!counts[i])
			continue;
		bench(naf, btids, nb, false, counts[i], secs);
		bench(naf, btids, nb, true, counts[i], secs);
	}
	naf_free(naf);
	zn_peer_stop(peer);
	return 0;
}
