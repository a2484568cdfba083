/*
 * gba-calc: check-time tool that prints the UMTS AKA vector libgba computes
 * for given K, OP/OPc, SQN, AMF and RAND, with the same labels and flags as
 * osmo-auc-gen, so tests/system/osmo-auc-gen.sh can compare the two line by
 * line.  With -S it prints the AUTS a USIM would send for SQN_MS.
 *
 *   gba-calc -k K (-o OPC | -O OP) -s SQN -f AMF -r RAND [-S SQN_MS]
 *   (SQN and SQN_MS in decimal, like osmo-auc-gen; the rest in hex)
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gba/digest.h"
#include "gba/milenage.h"
#include "util/hexb64.h"
#include "util/secret.h"

static int usage(void)
{
	fprintf(stderr, "usage: gba-calc -k K (-o OPC | -O OP) -s SQN -f AMF -r RAND [-S SQN_MS]\n");
	return 2;
}

static int hexarg(const char *s, uint8_t *out, size_t n, const char *what)
{
	if (strlen(s) != 2 * n || tk_hex_decode(s, out, n) != (long)n) {
		fprintf(stderr, "gba-calc: %s must be %zu hex digits\n", what, 2 * n);
		return -1;
	}
	return 0;
}

static int decarg(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || !*s || *end || *v >> 48) {
		fprintf(stderr, "gba-calc: bad 48-bit decimal SQN '%s'\n", s);
		return -1;
	}
	return 0;
}

static void hexline(const char *label, const uint8_t *p, size_t n)
{
	char buf[2 * 32 + 1];

	tk_hex_encode(p, n, buf);
	printf("%s:\t%s\n", label, buf);
}

int main(int argc, char **argv)
{
	uint8_t k[16], op[16], opc[16], amf[2] = { 0, 0 }, rand[16], sqn[6];
	uint64_t sqn_v = 0, sqn_ms_v = 0;
	bool have_k = false, have_op = false, have_opc = false, have_r = false;
	bool have_s = false, want_auts = false;
	struct tk_mil_av av;
	char nonce[64], res64[16];
	int c;

	while ((c = getopt(argc, argv, "k:o:O:s:f:r:S:")) != -1) {
		switch (c) {
		case 'k': if (hexarg(optarg, k, 16, "K")) return 2; have_k = true; break;
		case 'o': if (hexarg(optarg, opc, 16, "OPc")) return 2; have_opc = true; break;
		case 'O': if (hexarg(optarg, op, 16, "OP")) return 2; have_op = true; break;
		case 'f': if (hexarg(optarg, amf, 2, "AMF")) return 2; break;
		case 'r': if (hexarg(optarg, rand, 16, "RAND")) return 2; have_r = true; break;
		case 's': if (decarg(optarg, &sqn_v)) return 2; have_s = true; break;
		case 'S': if (decarg(optarg, &sqn_ms_v)) return 2; want_auts = true; break;
		default: return usage();
		}
	}
	if (optind != argc || !have_k || have_op == have_opc || !have_r || !have_s)
		return usage();
	if (have_op)
		tk_mil_opc(k, op, opc);

	tk_mil_sqn_put(sqn_v, sqn);
	tk_mil_generate(k, opc, sqn, amf, rand, &av);
	if (tk_digest_aka_nonce(av.rand, av.autn, NULL, 0, nonce, sizeof nonce))
		return 1;
	tk_b64_encode(av.xres, sizeof av.xres, res64);

	hexline("RAND", av.rand, sizeof av.rand);
	hexline("AUTN", av.autn, sizeof av.autn);
	hexline("IK", av.ik, sizeof av.ik);
	hexline("CK", av.ck, sizeof av.ck);
	hexline("RES", av.xres, sizeof av.xres);
	printf("IMS nonce:\t%s\n", nonce);
	printf("IMS res:\t%s\n", res64);
	printf("SQN:\t%" PRIu64 "\n", sqn_v);
	if (want_auts) {
		uint8_t sqn_ms[6], auts[TK_MIL_AUTS_LEN];

		tk_mil_sqn_put(sqn_ms_v, sqn_ms);
		tk_mil_auts_build(k, opc, rand, sqn_ms, auts);
		hexline("AUTS", auts, sizeof auts);
	}
	tk_wipe(k, sizeof k);
	tk_wipe(opc, sizeof opc);
	tk_wipe(&av, sizeof av);
	return 0;
}
