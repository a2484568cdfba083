/*
 * naf-fetch: fetch one Ks_NAF over Zn through the NAF library and print it
 * (a check tool for the system tests; profile P-17).
 *
 *   naf-fetch --zn URL [--token T] [--ca PEM] [--cert PEM --key PEM]
 *             --fqdn FQDN [--ua HEX10] [--gsid G] [--ids] BTID
 *
 * Prints the key as 64 hex digits; with --ids also "impi X", "impu Y"
 * lines and "expiry N".  Exit status: 0 key, 2 not found (404), 3 not
 * authorized (403), 4 BSF unavailable, 5 protocol error, 6 malformed B-TID,
 * 1 usage.  The reason goes to stderr as one line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naf/naf.h"
#include "util/hexb64.h"

static void usage(void)
{
	fputs("usage: naf-fetch --zn URL [--token T] [--ca PEM] [--cert PEM --key PEM]\n"
	      "                 --fqdn FQDN [--ua HEX10] [--gsid G] [--ids] BTID\n", stderr);
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "zn", 1, NULL, 'z' }, { "token", 1, NULL, 't' }, { "fqdn", 1, NULL, 'f' },
		{ "ua", 1, NULL, 'u' }, { "gsid", 1, NULL, 'g' }, { "ids", 0, NULL, 'i' },
		{ "ca", 1, NULL, 'C' }, { "cert", 1, NULL, 'c' }, { "key", 1, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct naf_config cfg = { 0 };
	const char *ua_s = "0100000006";
	bool ids = false;
	struct naf_key k;
	struct naf *naf;
	tk_ua_id ua;
	char err[160], hex[2 * NAF_KEY_LEN + 1];
	int c, st;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'z': cfg.zn_url = optarg; break;
		case 't': cfg.token = optarg; break;
		case 'f': cfg.fqdn = optarg; break;
		case 'u': ua_s = optarg; break;
		case 'g': cfg.gsid = optarg; break;
		case 'i': ids = true; break;
		case 'C': cfg.ca_file = optarg; break;
		case 'c': cfg.cert_file = optarg; break;
		case 'k': cfg.key_file = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || !cfg.zn_url || !cfg.fqdn)
		usage();
	if (tk_ua_id_parse(ua_s, strlen(ua_s), &ua) != 0) {
		fprintf(stderr, "naf-fetch: --ua must be 10 hex digits\n");
		return 1;
	}
	naf = naf_new(&cfg, err, sizeof err);
	if (!naf) {
		fprintf(stderr, "naf-fetch: %s\n", err);
		return 1;
	}
	st = naf_get_key(naf, argv[optind], strlen(argv[optind]), ua, &k);
	if (st == NAF_OK) {
		tk_hex_encode(k.ks_naf, NAF_KEY_LEN, hex);
		printf("%s\n", hex);
		if (ids) {
			printf("impi %s\n", k.ids->impi);
			for (size_t i = 0; i < k.ids->n_impus; i++)
				printf("impu %s\n", k.ids->impus[i]);
			printf("expiry %lld\n", (long long)k.expiry);
		}
	} else {
		fprintf(stderr, "naf-fetch: %s: %s\n", naf_status_str(st), k.detail);
	}
	naf_key_clear(&k);
	naf_free(naf);
	switch (st) {
	case NAF_OK: return 0;
	case NAF_NOT_FOUND: return 2;
	case NAF_NOT_AUTHORIZED: return 3;
	case NAF_UNAVAILABLE: return 4;
	case NAF_BAD_BTID: return 6;
	default: return 5;
	}
}
