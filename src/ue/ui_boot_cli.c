/*
 * ui_boot_cli.c: tkms-ue bootstrap, naf-key and show (contracts D; gba.md
 * 2.1, 5.1; profile P-1, P-16).  Keys never reach stdout except the one
 * Ks_NAF that naf-key is asked for.
 */
#include "ue/ui_boot_cli.h"

#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ue/state.h"
#include "ue/ui_boot.h"
#include "util/hexb64.h"
#include "util/secret.h"
#include "util/timefmt.h"

int ue_cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("tkms-ue: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static int load(const struct ue_cli *cli, struct ue_state *st, bool must_exist)
{
	char err[512];
	int rc = ue_state_load(cli->state_path, st, err, sizeof err);

	if (rc < 0)
		return ue_cli_error(UE_EXIT_STATE, "%s", err);
	if (rc == 1 && must_exist)
		return ue_cli_error(UE_EXIT_NOBOOT, "no state file %s: run tkms-ue bootstrap first",
				    cli->state_path);
	return UE_EXIT_OK;
}

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(o);
}

static int hex_arg(const char *name, const char *s, uint8_t *out, size_t n)
{
	if (!s || strlen(s) != 2 * n || tk_hex_decode(s, out, n) != (long)n)
		return ue_cli_error(UE_EXIT_USAGE, "--%s must be %zu hex digits", name, 2 * n);
	return UE_EXIT_OK;
}

/* --usim-file: {"impi"?, "k", "opc" | "op", "sqn"?} (a subscriber entry of
 * the bsf-stub subscribers file has this shape). */
static int usim_file(const char *path, struct ue_state *st, char *impi, size_t icap,
		     bool *have_sqn, uint64_t *sqn)
{
	json_error_t jerr;
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	const char *k, *opc, *op, *s, *i;
	uint8_t opbuf[TK_MIL_OP_LEN], sq[TK_MIL_SQN_LEN];
	int rc = UE_EXIT_USAGE;

	if (!o)
		return ue_cli_error(UE_EXIT_USAGE, "--usim-file %s: %s", path, jerr.text);
	k = json_string_value(json_object_get(o, "k"));
	opc = json_string_value(json_object_get(o, "opc"));
	op = json_string_value(json_object_get(o, "op"));
	s = json_string_value(json_object_get(o, "sqn"));
	i = json_string_value(json_object_get(o, "impi"));
	if (hex_arg("usim-file k", k, st->usim.k, TK_MIL_K_LEN))
		goto out;
	if (opc ? hex_arg("usim-file opc", opc, st->usim.opc, TK_MIL_OP_LEN)
		: hex_arg("usim-file op", op, opbuf, TK_MIL_OP_LEN))
		goto out;
	if (!opc)
		tk_mil_opc(st->usim.k, opbuf, st->usim.opc);
	if (s) {
		if (hex_arg("usim-file sqn", s, sq, TK_MIL_SQN_LEN))
			goto out;
		*sqn = tk_mil_sqn_get(sq);
		*have_sqn = true;
	}
	if (i)
		snprintf(impi, icap, "%s", i);
	rc = UE_EXIT_OK;
out:
	tk_wipe(opbuf, sizeof opbuf);
	/* jansson's copies of the key strings */
	for (const char *const *n = (const char *const[]){ "k", "opc", "op", NULL }; *n; n++) {
		json_t *v = json_object_get(o, *n);
		if (json_is_string(v))
			tk_wipe((char *)json_string_value(v), json_string_length(v));
	}
	json_decref(o);
	return rc;
}

static const char boot_usage[] =
	"usage: tkms-ue [--state FILE] bootstrap --bsf URL --impi IMPI --k HEX --opc HEX\n"
	"               [--op HEX] [--sqn HEX12] [--usim-file FILE] [--timeout SECS] [--json]\n";

int ue_cmd_bootstrap(const struct ue_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bsf", 1, NULL, 'b' }, { "impi", 1, NULL, 'i' }, { "k", 1, NULL, 'k' },
		{ "opc", 1, NULL, 'o' }, { "op", 1, NULL, 'O' }, { "sqn", 1, NULL, 's' },
		{ "usim-file", 1, NULL, 'u' }, { "timeout", 1, NULL, 't' }, { "json", 0, NULL, 'j' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *bsf = NULL, *impi = NULL, *k = NULL, *opc = NULL, *op = NULL, *sqn_s = NULL;
	const char *ufile = NULL;
	char fimpi[UE_STATE_ID_MAX] = "", err[512], when[TK_TIME_STR];
	bool json = false, have_sqn = false, new_usim;
	struct ue_state st, old;
	struct ue_boot_opts bo = { 0 };
	struct ue_boot_report rep;
	uint8_t buf[TK_MIL_OP_LEN], sq[TK_MIL_SQN_LEN];
	uint64_t sqn = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bsf = optarg; break;
		case 'i': impi = optarg; break;
		case 'k': k = optarg; break;
		case 'o': opc = optarg; break;
		case 'O': op = optarg; break;
		case 's': sqn_s = optarg; break;
		case 'u': ufile = optarg; break;
		case 't': bo.timeout_ms = atol(optarg) * 1000; break;
		case 'j': json = true; break;
		case 'h': fputs(boot_usage, stdout); return UE_EXIT_OK;
		default: fputs(boot_usage, stderr); return UE_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return ue_cli_error(UE_EXIT_USAGE, "bootstrap: unexpected argument \"%s\"", argv[optind]);
	if ((rc = load(cli, &st, false)) != UE_EXIT_OK)
		return rc;
	old = st;
	new_usim = k || opc || op || ufile;
	if (ufile && (k || opc || op)) {
		rc = ue_cli_error(UE_EXIT_USAGE, "bootstrap: --usim-file or --k/--opc, not both");
		goto out;
	}
	if (ufile && (rc = usim_file(ufile, &st, fimpi, sizeof fimpi, &have_sqn, &sqn)))
		goto out;
	if (!ufile && new_usim) {
		if ((rc = hex_arg("k", k, st.usim.k, TK_MIL_K_LEN)))
			goto out;
		if (opc && op) {
			rc = ue_cli_error(UE_EXIT_USAGE, "bootstrap: --opc or --op, not both");
			goto out;
		}
		if ((rc = hex_arg(opc ? "opc" : "op", opc ? opc : op, buf, TK_MIL_OP_LEN)))
			goto out;
		if (opc)
			memcpy(st.usim.opc, buf, sizeof buf);
		else
			tk_mil_opc(st.usim.k, buf, st.usim.opc);
		tk_wipe(buf, sizeof buf);
	}
	if (sqn_s) {
		if ((rc = hex_arg("sqn", sqn_s, sq, TK_MIL_SQN_LEN)))
			goto out;
		sqn = tk_mil_sqn_get(sq);
		have_sqn = true;
	}
	if (!impi)
		impi = fimpi[0] ? fimpi : NULL;
	if (impi) {
		if (strlen(impi) >= sizeof st.impi || !*impi) {
			rc = ue_cli_error(UE_EXIT_USAGE, "bootstrap: --impi empty or too long");
			goto out;
		}
		if (strcmp(impi, st.impi) != 0)
			st.have_boot = false; /* another subscriber: the old result is not ours */
		snprintf(st.impi, sizeof st.impi, "%s", impi);
	}
	if (new_usim) {
		/* the same card keeps its SQN unless told otherwise */
		bool same = old.have_usim && memcmp(old.usim.k, st.usim.k, TK_MIL_K_LEN) == 0 &&
			    memcmp(old.usim.opc, st.usim.opc, TK_MIL_OP_LEN) == 0;
		st.usim.sqn = same ? old.usim.sqn : 0;
		if (!same)
			st.have_boot = false;
		st.have_usim = true;
	}
	if (have_sqn)
		st.usim.sqn = sqn;
	if (!st.impi[0] || !st.have_usim) {
		rc = ue_cli_error(UE_EXIT_USAGE, "bootstrap: --impi, --k and --opc are needed "
						 "(or a state file that has them)");
		goto out;
	}
	bo.bsf_url = bsf ? bsf : (st.bsf_url[0] ? st.bsf_url : NULL);
	if (!bo.bsf_url) {
		rc = ue_cli_error(UE_EXIT_USAGE, "bootstrap: --bsf URL is needed");
		goto out;
	}
	if (bo.bsf_url == st.bsf_url) {
		/* ue_bootstrap writes st.bsf_url on success */
		snprintf(old.bsf_url, sizeof old.bsf_url, "%s", st.bsf_url);
		bo.bsf_url = old.bsf_url;
	}

	rc = ue_bootstrap(&st, &bo, &rep, err, sizeof err);
	/* Saved on success, and when the USIM accepted a challenge (its SQN
	 * moved) even though the run failed later; otherwise (wrong K, BSF
	 * down) the stored state stays as it was. */
	if (rc == UE_BOOT_OK || rep.sqn_after != rep.sqn_before) {
		char serr[512];
		if (ue_state_save(cli->state_path, &st, serr, sizeof serr) != 0) {
			rc = ue_cli_error(UE_EXIT_STATE, "%s", serr);
			goto out;
		}
	}
	switch (rc) {
	case UE_BOOT_OK: break;
	case UE_BOOT_E_ARG: rc = ue_cli_error(UE_EXIT_USAGE, "bootstrap: %s", err); goto out;
	case UE_BOOT_E_NET: rc = ue_cli_error(UE_EXIT_NET, "bootstrap: %s", err); goto out;
	case UE_BOOT_E_AUTH: rc = ue_cli_error(UE_EXIT_AUTH, "bootstrap: %s", err); goto out;
	default: rc = ue_cli_error(UE_EXIT_PROTO, "bootstrap: %s", err); goto out;
	}
	tk_time_format(st.expiry, when);
	tk_mil_sqn_put(st.usim.sqn, sq);
	tk_hex_encode(sq, sizeof sq, err);
	if (json)
		print_json(json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:b}", "btid", st.btid, "impi",
				     st.impi, "bsf", st.bsf_url, "expiry", when, "resynced",
				     rep.resynced, "sqn", err, "schema_validated",
				     rep.schema_validated));
	else
		printf("bootstrapped %s: B-TID %s valid until %s%s\n", st.impi, st.btid, when,
		       rep.resynced ? " (SQN resynchronised)" : "");
	rc = UE_EXIT_OK;
out:
	ue_state_wipe(&st);
	ue_state_wipe(&old);
	return rc;
}

static const char nafkey_usage[] =
	"usage: tkms-ue [--state FILE] naf-key --naf FQDN --ua HEX10 [--json]\n";

int ue_cmd_naf_key(const struct ue_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "naf", 1, NULL, 'n' }, { "ua", 1, NULL, 'u' }, { "json", 0, NULL, 'j' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *naf = NULL, *ua_s = NULL;
	char err[512], hex[2 * TK_GBA_KEY_LEN + 1], b64[48], when[TK_TIME_STR], uah[11];
	uint8_t key[TK_GBA_KEY_LEN];
	struct ue_state st;
	bool json = false;
	tk_ua_id ua;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': naf = optarg; break;
		case 'u': ua_s = optarg; break;
		case 'j': json = true; break;
		case 'h': fputs(nafkey_usage, stdout); return UE_EXIT_OK;
		default: fputs(nafkey_usage, stderr); return UE_EXIT_USAGE;
		}
	}
	if (optind != argc || !naf || !ua_s) {
		fputs(nafkey_usage, stderr);
		return UE_EXIT_USAGE;
	}
	if (tk_ua_id_parse(ua_s, strlen(ua_s), &ua) != 0)
		return ue_cli_error(UE_EXIT_USAGE, "naf-key: --ua must be 10 hex digits, e.g. 0100000006");
	if ((rc = load(cli, &st, true)) != UE_EXIT_OK)
		return rc;
	if (ue_state_naf_key(&st, naf, ua, key, err, sizeof err) != 0) {
		rc = ue_cli_error(st.have_boot && ue_state_valid(&st, time(NULL)) ? UE_EXIT_USAGE
										 : UE_EXIT_NOBOOT,
				  "naf-key: %s", err);
		ue_state_wipe(&st);
		return rc;
	}
	tk_hex_encode(key, sizeof key, hex);
	if (json) {
		/* Ua Digest password = base64(Ks_NAF) (gba.md 2.3, P-1) */
		tk_b64_encode(key, sizeof key, b64);
		tk_time_format(st.expiry, when);
		tk_ua_id_format(ua, uah);
		print_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "btid", st.btid, "impi",
				     st.impi, "naf", naf, "ua", uah, "ks_naf", hex, "password", b64,
				     "expiry", when));
	} else {
		printf("%s\n", hex);
	}
	tk_wipe(key, sizeof key);
	tk_wipe(hex, sizeof hex);
	tk_wipe(b64, sizeof b64);
	ue_state_wipe(&st);
	return UE_EXIT_OK;
}

static const char show_usage[] = "usage: tkms-ue [--state FILE] show [--json]\n";

int ue_cmd_show(const struct ue_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", 0, NULL, 'j' }, { "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct ue_state st;
	bool json = false, valid;
	char when[TK_TIME_STR] = "", made[TK_TIME_STR] = "", sqn[13] = "";
	uint8_t sq[TK_MIL_SQN_LEN];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': fputs(show_usage, stdout); return UE_EXIT_OK;
		default: fputs(show_usage, stderr); return UE_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(show_usage, stderr);
		return UE_EXIT_USAGE;
	}
	if ((rc = load(cli, &st, true)) != UE_EXIT_OK)
		return rc;
	valid = ue_state_valid(&st, time(NULL));
	if (st.have_boot) {
		tk_time_format(st.expiry, when);
		tk_time_format(st.created, made);
	}
	if (st.have_usim) {
		tk_mil_sqn_put(st.usim.sqn, sq);
		tk_hex_encode(sq, sizeof sq, sqn);
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:b}", "state", cli->state_path, "impi", st.impi,
				      "valid", valid);
		if (st.have_usim)
			json_object_set_new(o, "sqn", json_string(sqn));
		if (st.have_boot) {
			json_object_set_new(o, "btid", json_string(st.btid));
			json_object_set_new(o, "bsf", json_string(st.bsf_url));
			json_object_set_new(o, "expiry", json_string(when));
			json_object_set_new(o, "created", json_string(made));
		}
		print_json(o);
	} else {
		printf("state   %s\nimpi    %s\n", cli->state_path, st.impi[0] ? st.impi : "-");
		if (st.have_usim)
			printf("sqn     %s\n", sqn);
		if (st.have_boot)
			printf("bsf     %s\nbtid    %s\ncreated %s\nexpiry  %s (%s)\n", st.bsf_url,
			       st.btid, made, when, valid ? "valid" : "expired");
		else
			printf("btid    - (not bootstrapped)\n");
	}
	ue_state_wipe(&st);
	return UE_EXIT_OK;
}
