/*
 * ub-client: a minimal GBA UE for the system tests (gba.md 2.1/2.2): one Ub
 * bootstrap against bsf-stub with a simulated USIM, printing key=value lines
 * (status, btid, lifetime, sqn, resyncs, ks_naf). The USIM's SQN can be kept
 * in a file between runs. Hostile variants: --wrong-res, --replay.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "bsf-stub/ue.h"
#include "util/hexb64.h"
#include "util/secret.h"

static int hexarg(const char *s, uint8_t *out, size_t n, const char *what)
{
	if (!s || strlen(s) != 2 * n || tk_hex_decode(s, out, n) != (long)n) {
		fprintf(stderr, "ub-client: --%s: need %zu hex digits\n", what, 2 * n);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bsf", required_argument, NULL, 'b' }, { "impi", required_argument, NULL, 'i' },
		{ "k", required_argument, NULL, 'k' },   { "opc", required_argument, NULL, 'o' },
		{ "sqn", required_argument, NULL, 's' }, { "usim-file", required_argument, NULL, 'f' },
		{ "naf", required_argument, NULL, 'n' }, { "ua", required_argument, NULL, 'u' },
		{ "wrong-res", no_argument, NULL, 'w' }, { "replay", no_argument, NULL, 'r' },
		{ "body-out", required_argument, NULL, 'B' }, { NULL, 0, NULL, 0 },
	};
	const char *bsf = NULL, *k = NULL, *opc = NULL, *sqn = "000000000000", *file = NULL,
		   *naf = NULL, *ua = "0100000006", *body_out = NULL;
	struct bsf_ue ue;
	static char buf[32];
	uint8_t s6[6];
	CURL *c;
	int opt, rc;

	memset(&ue, 0, sizeof ue);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': bsf = optarg; break;
		case 'i': ue.impi = optarg; break;
		case 'k': k = optarg; break;
		case 'o': opc = optarg; break;
		case 's': sqn = optarg; break;
		case 'f': file = optarg; break;
		case 'n': naf = optarg; break;
		case 'u': ua = optarg; break;
		case 'w': ue.wrong_res = true; break;
		case 'r': ue.replay = true; break;
		case 'B': body_out = optarg; break;
		default: return 2;
		}
	}
	if (!bsf || !ue.impi || hexarg(k, ue.k, 16, "k") || hexarg(opc, ue.opc, 16, "opc"))
		return 2;
	if (file) {
		FILE *f = fopen(file, "r");

		if (f) {
			if (!fgets(buf, sizeof buf, f))
				buf[0] = 0;
			fclose(f);
			buf[strcspn(buf, "\r\n")] = 0;
			sqn = buf;
		}
	}
	if (hexarg(sqn, s6, 6, "sqn"))
		return 2;
	ue.sqn_ms = tk_mil_sqn_get(s6);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	rc = bsf_ue_bootstrap(c, bsf, &ue);
	printf("status=%ld\n", ue.status);
	printf("resyncs=%d\n", ue.resyncs);
	if (rc == 0) {
		char hex[65], sqnhex[13];

		tk_mil_sqn_put(ue.sqn_used, s6);
		tk_hex_encode(s6, 6, sqnhex);
		printf("sqn=%s\nbtid=%s\nlifetime=%s\n", sqnhex, ue.btid, ue.lifetime);
		if (ue.replay)
			printf("replay_status=%ld\n", ue.replay_status);
		if (naf) {
			tk_ua_id id;
			uint8_t key[32];

			if (tk_ua_id_parse(ua, strlen(ua), &id) != 0 ||
			    tk_gba_ks_naf_for(ue.ks, ue.rand, ue.impi, naf, id, key) != 0) {
				fprintf(stderr, "ub-client: bad --naf/--ua\n");
				rc = -1;
			} else {
				tk_hex_encode(key, sizeof key, hex);
				printf("ks_naf=%s\n", hex);
				tk_wipe(key, sizeof key);
			}
		}
		if (body_out) {
			FILE *f = fopen(body_out, "w");

			if (!f || fwrite(ue.body, 1, ue.body_len, f) != ue.body_len)
				rc = -1;
			if (f)
				fclose(f);
		}
		if (file) {
			FILE *f = fopen(file, "w");

			if (!f || fprintf(f, "%s\n", sqnhex) < 0)
				rc = -1;
			if (f)
				fclose(f);
		}
	} else {
		fprintf(stderr, "ub-client: %s\n", ue.err);
	}
	tk_wipe(ue.ks, sizeof ue.ks);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc == 0 ? 0 : 1;
}
