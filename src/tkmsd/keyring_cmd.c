/*
 * keyring_cmd.c: `tkmsd keyring` subcommands (see keyring_cmd.h; P-10).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kms/keyring.h"
#include "tkmsd/keyring_cmd.h"
#include "util/timefmt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tkmsd [--config FILE] keyring COMMAND [--keyring FILE]\n"
		"  create                      new key ring with one fresh key (id 1, current);\n"
		"                              refused when the file exists\n"
		"  add [--current] [--not-after TIME]\n"
		"                              add a fresh key (id = highest + 1)\n"
		"  make-current ID             seal new tickets with key ID\n"
		"  list                        ids and dates (never key bytes)\n"
		"  retire                      remove keys whose not_after has passed\n"
		"  --keyring FILE              default: the configuration's \"keyring\"\n"
		"TIME is RFC 3339, e.g. 2026-12-31T00:00:00Z. Send SIGHUP to a running tkmsd\n"
		"to apply a change.\n");
}

static int save(struct kms_tpk_set *s, const char *file, const char *what)
{
	char err[512];

	if (kms_tpk_set_save(s, file, err, sizeof err) != 0) {
		fprintf(stderr, "tkmsd keyring: %s\n", err);
		kms_tpk_set_unref(s);
		return 1;
	}
	printf("%s: %s\n", file, what);
	kms_tpk_set_list(s, stdout);
	kms_tpk_set_unref(s);
	return 0;
}

static bool parse_id(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

int tkmsd_keyring_cmd(int argc, char **argv, const char *default_file)
{
	static const struct option opts[] = {
		{ "keyring", required_argument, NULL, 'k' },
		{ "current", no_argument, NULL, 'c' },
		{ "not-after", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = default_file, *cmd, *not_after_s = NULL;
	bool make_current = false;
	int64_t now = (int64_t)time(NULL), not_after = KMS_NO_EXPIRY;
	struct kms_tpk_set *s, *n;
	char err[512], what[128];
	struct stat st;
	uint32_t id;
	int opt;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	/* A fresh scan (optind 0) over the command's own arguments, options
	 * and operands in any order. */
	argc--;
	argv++;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k': file = optarg; break;
		case 'c': make_current = true; break;
		case 'n': not_after_s = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if ((make_current || not_after_s) && strcmp(cmd, "add") != 0) {
		fprintf(stderr, "tkmsd keyring: --current and --not-after belong to add\n");
		return 2;
	}
	if (not_after_s && tk_time_parse(not_after_s, strlen(not_after_s), &not_after) != 0) {
		fprintf(stderr, "tkmsd keyring: --not-after %s: not an RFC 3339 time\n", not_after_s);
		return 2;
	}
	if (strcmp(cmd, "make-current") == 0) {
		if (optind + 1 != argc || !parse_id(argv[optind], &id)) {
			fprintf(stderr, "tkmsd keyring make-current: one key id (a number) expected\n");
			return 2;
		}
	} else if (optind != argc) {
		fprintf(stderr, "tkmsd keyring %s: unexpected argument \"%s\"\n", cmd, argv[optind]);
		return 2;
	}

	if (strcmp(cmd, "create") == 0) {
		if (stat(file, &st) == 0 || errno != ENOENT) {
			fprintf(stderr, "tkmsd keyring create: %s exists; refused\n", file);
			return 1;
		}
		s = kms_tpk_set_generate(now, err, sizeof err);
		if (!s) {
			fprintf(stderr, "tkmsd keyring: %s\n", err);
			return 1;
		}
		return save(s, file, "created");
	}
	if (strcmp(cmd, "add") && strcmp(cmd, "make-current") && strcmp(cmd, "list") &&
	    strcmp(cmd, "retire")) {
		fprintf(stderr, "tkmsd keyring: unknown command \"%s\"\n", cmd);
		usage(stderr);
		return 2;
	}
	s = kms_tpk_set_load(file, err, sizeof err);
	if (!s) {
		fprintf(stderr, "tkmsd keyring: %s\n", err);
		return 1;
	}
	if (strcmp(cmd, "list") == 0) {
		kms_tpk_set_list(s, stdout);
		kms_tpk_set_unref(s);
		return 0;
	}
	if (strcmp(cmd, "add") == 0) {
		if (not_after != KMS_NO_EXPIRY && not_after <= now) {
			fprintf(stderr, "tkmsd keyring add: --not-after %s is in the past\n",
				not_after_s);
			kms_tpk_set_unref(s);
			return 1;
		}
		n = kms_tpk_set_add(s, now, not_after, make_current, &id, err, sizeof err);
		snprintf(what, sizeof what, "key %lu added%s", (unsigned long)id,
			 make_current ? " and made current" : "");
	} else if (strcmp(cmd, "make-current") == 0) {
		n = kms_tpk_set_make_current(s, id, err, sizeof err);
		snprintf(what, sizeof what, "key %lu is current", (unsigned long)id);
	} else {
		size_t removed = 0;
		bool cur_expired = false;

		n = kms_tpk_set_retire(s, now, &removed, &cur_expired, err, sizeof err);
		snprintf(what, sizeof what, "%zu expired key%s removed", removed,
			 removed == 1 ? "" : "s");
		if (n && cur_expired)
			fprintf(stderr, "tkmsd keyring: warning: the current key has expired and was "
				"kept; add a new current key\n");
	}
	kms_tpk_set_unref(s);
	if (!n) {
		fprintf(stderr, "tkmsd keyring %s: %s\n", cmd, err);
		return 1;
	}
	return save(n, file, what);
}
