/*
 * ub-client: the UE library's Ub bootstrap (ue/ui_boot.h, gba.md 2.1/2.2)
 * driven for the BSF system tests: one bootstrap against bsf-stub with a
 * simulated USIM, printing key=value lines (status, resyncs, sqn, btid,
 * lifetime, replay_status, ks_naf). The USIM's SQN can be kept in a file
 * between runs. Hostile variants through the library's test hooks:
 * --wrong-res (corrupted RES), --replay (the accepted answer sent again).
 * Unlike tkms-ue it insists on rspauth (the BSF must always send it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ue/ui_boot.h"
#include "util/hexb64.h"
#include "util/secret.h"
#include "util/timefmt.h"

static int hexarg(const char *s, uint8_t *out, size_t n, const char *what)
{
	if (!s || strlen(s) != 2 * n || tk_hex_decode(s, out, n) != (long)n) {
		fprintf(stderr, "ub-client: --%s: need %zu hex digits\n", what, 2 * n);
		return -1;
	}
	return 0;
}

/* What the BSF wrote: B-TID and lifetime before any clock-skew correction. */
static int print_info(const struct ue_boot_test_hooks *t)
{
	char btid[UE_STATE_ID_MAX], life[TK_TIME_STR], err[256];
	int64_t lifetime, current;

	if (ue_boot_parse_info(t->body, t->body_len, NULL, btid, &lifetime, &current, err,
			       sizeof err) != 0) {
		fprintf(stderr, "ub-client: %s\n", err);
		return -1;
	}
	tk_time_format(lifetime, life);
	printf("btid=%s\nlifetime=%s\n", btid, life);
	return 0;
}

static int print_ks_naf(const struct ue_state *st, const char *naf, const char *ua)
{
	char hex[2 * TK_GBA_KEY_LEN + 1], err[256];
	uint8_t key[TK_GBA_KEY_LEN];
	tk_ua_id id;

	if (tk_ua_id_parse(ua, strlen(ua), &id) != 0 ||
	    ue_state_naf_key(st, naf, id, key, err, sizeof err) != 0) {
		fprintf(stderr, "ub-client: bad --naf/--ua\n");
		return -1;
	}
	tk_hex_encode(key, sizeof key, hex);
	printf("ks_naf=%s\n", hex);
	tk_wipe(key, sizeof key);
	tk_wipe(hex, sizeof hex);
	return 0;
}

static int write_text(const char *path, const char *p, size_t n)
{
	FILE *f = fopen(path, "w");
	int rc = f && fwrite(p, 1, n, f) == n ? 0 : -1;

	if (f && fclose(f) != 0)
		rc = -1;
	return rc;
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
	const char *impi = NULL, *k = NULL, *opc = NULL, *sqn = "000000000000", *file = NULL,
		   *naf = NULL, *ua = "0100000006", *body_out = NULL;
	static char body[65536 + 1];
	struct ue_boot_test_hooks hooks = { .body = body, .body_cap = sizeof body };
	struct ue_boot_opts o = { .test = &hooks };
	struct ue_boot_report rep;
	static struct ue_state st;
	char buf[32], err[512], sqnhex[13];
	uint8_t s6[TK_MIL_SQN_LEN];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'b': o.bsf_url = optarg; break;
		case 'i': impi = optarg; break;
		case 'k': k = optarg; break;
		case 'o': opc = optarg; break;
		case 's': sqn = optarg; break;
		case 'f': file = optarg; break;
		case 'n': naf = optarg; break;
		case 'u': ua = optarg; break;
		case 'w': hooks.corrupt_res = true; break;
		case 'r': hooks.replay_after_success = true; break;
		case 'B': body_out = optarg; break;
		default: return 2;
		}
	}
	if (!o.bsf_url || !impi || strlen(impi) >= sizeof st.impi ||
	    hexarg(k, st.usim.k, sizeof st.usim.k, "k") ||
	    hexarg(opc, st.usim.opc, sizeof st.usim.opc, "opc"))
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
	if (hexarg(sqn, s6, sizeof s6, "sqn"))
		return 2;
	snprintf(st.impi, sizeof st.impi, "%s", impi);
	st.usim.sqn = tk_mil_sqn_get(s6);
	st.have_usim = true;

	rc = ue_bootstrap(&st, &o, &rep, err, sizeof err);
	if (rc == UE_BOOT_OK && !rep.rspauth_verified) {
		snprintf(err, sizeof err, "the BSF's 200 carries no rspauth");
		rc = -1;
	}
	printf("status=%ld\n", rep.http_status);
	printf("resyncs=%d\n", rep.resynced ? 1 : 0);
	if (rc == UE_BOOT_OK) {
		tk_mil_sqn_put(rep.sqn_after, s6);
		tk_hex_encode(s6, sizeof s6, sqnhex);
		printf("sqn=%s\n", sqnhex);
		if (print_info(&hooks) != 0)
			rc = -1;
		if (hooks.replay_after_success)
			printf("replay_status=%ld\n", hooks.replay_status);
		if (naf && print_ks_naf(&st, naf, ua) != 0)
			rc = -1;
		if (body_out && write_text(body_out, body, hooks.body_len) != 0)
			rc = -1;
		if (file) {
			snprintf(buf, sizeof buf, "%s\n", sqnhex);
			if (write_text(file, buf, strlen(buf)) != 0)
				rc = -1;
		}
	} else {
		fprintf(stderr, "ub-client: %s\n", err);
	}
	ue_state_wipe(&st);
	return rc == UE_BOOT_OK ? 0 : 1;
}
