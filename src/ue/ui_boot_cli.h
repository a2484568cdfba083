/*
 * ui_boot_cli.h: the tkms-ue subcommands of bootstrapping (contracts D):
 * bootstrap, naf-key, show; and what every tkms-ue subcommand shares: the
 * CLI context and the exit codes.
 */
#ifndef TK_UE_UI_BOOT_CLI_H
#define TK_UE_UI_BOOT_CLI_H

/* Exit codes of tkms-ue (documented in its usage text). */
enum ue_exit {
	UE_EXIT_OK = 0,
	UE_EXIT_USAGE = 1,   /* bad command line */
	UE_EXIT_NET = 2,     /* server unreachable, timeout, unexpected HTTP status */
	UE_EXIT_AUTH = 3,    /* authentication failed (either direction) */
	UE_EXIT_NOBOOT = 4,  /* no valid bootstrap: none yet, or expired */
	UE_EXIT_STATE = 5,   /* state file unreadable or unwritable */
	UE_EXIT_PROTO = 6,   /* malformed answer from a server */
};

/* What main() hands to every subcommand. */
struct ue_cli {
	const char *prog;       /* "tkms-ue" */
	const char *state_path; /* --state, $TKMS_UE_STATE or ./tkms-ue.state */
};

/* A subcommand: argv[0] is its name; returns an enum ue_exit. */
typedef int (*ue_cmd_fn)(const struct ue_cli *cli, int argc, char **argv);

/* Prints "tkms-ue: <message>" as one line on stderr and returns code. */
int ue_cli_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int ue_cmd_bootstrap(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_naf_key(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_show(const struct ue_cli *cli, int argc, char **argv);

#endif
