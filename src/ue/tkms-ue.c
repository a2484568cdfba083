/*
 * tkms-ue: the UE command line (contracts D).  main() handles the global
 * options and dispatches to one subcommand from the table below; each
 * subcommand parses its own options and returns an enum ue_exit.  A new
 * subcommand is one function and one row.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ue/cmd_call.h"
#include "ue/cmd_media.h"
#include "ue/state.h"
#include "ue/ui_boot_cli.h"
#include "util/json.h"

struct ue_cmd {
	const char *name;
	ue_cmd_fn run;
	const char *summary;
};

static const struct ue_cmd commands[] = {
	{ "bootstrap", ue_cmd_bootstrap, "GBA bootstrapping with the BSF (Ub), result kept in the state" },
	{ "naf-key", ue_cmd_naf_key, "print Ks_NAF for a NAF FQDN and Ua security protocol id" },
	{ "show", ue_cmd_show, "show the stored bootstrap (no keys)" },
	{ "request", ue_cmd_request, "initiator: ticket from the KMS (REQUEST_INIT/RESP)" },
	{ "make-ticket", ue_cmd_make_ticket, "initiator: UNPROTECTED ticket of its own (keys in clear)" },
	{ "transfer-init", ue_cmd_transfer_init, "initiator: TRANSFER_INIT to a file / SDP line" },
	{ "resolve", ue_cmd_resolve, "responder: TRANSFER_INIT in, ticket resolved at the KMS" },
	{ "transfer-resp", ue_cmd_transfer_resp, "responder: TRANSFER_RESP to a file / SDP line" },
	{ "accept", ue_cmd_accept, "initiator: TRANSFER_RESP in" },
	{ "observe", ue_cmd_observe, "network function (resolve --intercept): TRANSFER_RESP in" },
	{ "srtp-keys", ue_cmd_srtp_keys, "SRTP master key and salt per crypto session" },
	{ "srtp-record", ue_cmd_srtp_record, "SRTP-protect RTP packets to a file (stored message)" },
	{ "srtp-play", ue_cmd_srtp_play, "unprotect a stored SRTP file with a call's keys" },
};

static void usage(FILE *f)
{
	fputs("usage: tkms-ue [--state FILE] COMMAND [OPTIONS]   (COMMAND --help for its options)\n\n"
	      "commands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fputs("\nstate file: --state, else $TKMS_UE_STATE, else ./tkms-ue.state (mode 0600)\n"
	      "exit status: 0 ok, 1 usage, 2 network, 3 authentication failed,\n"
	      "             4 not bootstrapped or bootstrap expired, 5 state file, 6 protocol\n", f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", 1, NULL, 's' }, { "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct ue_cli cli = { .prog = "tkms-ue", .state_path = ue_state_default_path() };
	int c;

	/* "+": stop at the subcommand, whose options are its own */
	tk_json_wipe_on_free(); /* keys travel as hex in JSON documents */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 's': cli.state_path = optarg; break;
		case 'h': usage(stdout); return UE_EXIT_OK;
		default: usage(stderr); return UE_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return UE_EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			return commands[i].run(&cli, argc - optind, argv + optind);
	return ue_cli_error(UE_EXIT_USAGE, "unknown command \"%s\" (tkms-ue --help)", argv[optind]);
}
