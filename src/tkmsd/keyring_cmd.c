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
		"  retire ID [--force]         remove key ID: refused while tickets it sealed\n"
		"                              may still be valid (before its not_after)\n"
		"                              unless --force (those tickets are then refused)\n"
		"  --keyring FILE              default: the configuration's \"keyring\"\n"
		"TIME is RFC 3339, e.g. 2026-12-31T00:00:00Z. A key that stops being current\n"
		"(add --current, make-current) gets not_after = now + 2 x policy.max_lifetime\n"
		"+ policy.clock_skew (a granted TRs may lie max_lifetime ahead and TRe\n"
		"max_lifetime after it), so it opens every ticket it sealed until that\n"
		"ticket's TRe and plain `retire` removes it afterwards. Send SIGHUP to every\n"
		"tkmsd using the file to apply a change. Several instances: rotate in two\n"
		"phases, `add` + SIGHUP to all, then `make-current ID` + SIGHUP to all, so\n"
		"that no instance seals with a key another one cannot open yet.\n");
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

/* How long after a key stops being current a ticket it sealed can still be
 * valid: TRs up to max_lifetime ahead of issue, TRe up to max_lifetime after
 * TRs (kms/policy.c), plus the clock skew between KMS instances (P-9). */
static int64_t ticket_reach(unsigned max_lifetime_s, unsigned clock_skew_s)
{
	return 2 * (int64_t)(max_lifetime_s ? max_lifetime_s : 604800) +
	       (int64_t)(clock_skew_s ? clock_skew_s : 300);
}

/* The key that was current in old stops being current in n: cap its
 * not_after (replaces *n) and say until when it opens tickets. */
static int demote(struct kms_tpk_set **n, const struct kms_tpk_set *old, int64_t until,
		  char *err, size_t errlen)
{
	const struct kms_tpk *was = kms_tpk_set_current(old);
	const struct kms_tpk *now_cur = kms_tpk_set_current(*n);
	struct kms_tpk_set *c;
	char t[32];

	if (!was || !now_cur || was->id == now_cur->id)
		return 0;
	c = kms_tpk_set_cap(*n, was->id, until, err, errlen);
	if (!c)
		return -1;
	kms_tpk_set_unref(*n);
	*n = c;
	tk_time_format(kms_tpk_set_find(c, was->id, INT64_MIN)->not_after, t);
	printf("key %u is no longer current: it opens the tickets it sealed until %s (not_after);\n"
	       "`tkmsd keyring retire` removes it after that\n", was->id, t);
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

int tkmsd_keyring_cmd(int argc, char **argv, const char *default_file,
		      unsigned max_lifetime_s, unsigned clock_skew_s)
{
	static const struct option opts[] = {
		{ "keyring", required_argument, NULL, 'k' },
		{ "current", no_argument, NULL, 'c' },
		{ "not-after", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *file = default_file, *cmd, *not_after_s = NULL;
	bool make_current = false, force = false, have_id = false;
	int64_t reach = ticket_reach(max_lifetime_s, clock_skew_s);
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
		case 'f': force = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if ((make_current || not_after_s) && strcmp(cmd, "add") != 0) {
		fprintf(stderr, "tkmsd keyring: --current and --not-after belong to add\n");
		return 2;
	}
	if (force && strcmp(cmd, "retire") != 0) {
		fprintf(stderr, "tkmsd keyring: --force belongs to retire ID\n");
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
	} else if (strcmp(cmd, "retire") == 0 && optind < argc) {
		if (optind + 1 != argc || !parse_id(argv[optind], &id)) {
			fprintf(stderr, "tkmsd keyring retire: at most one key id (a number)\n");
			return 2;
		}
		have_id = true;
	} else if (force) {
		fprintf(stderr, "tkmsd keyring retire: --force needs a key id\n");
		return 2;
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
		if (n && demote(&n, s, now + reach, err, sizeof err)) {
			kms_tpk_set_unref(n);
			n = NULL;
		}
		snprintf(what, sizeof what, "key %lu added%s", (unsigned long)id,
			 make_current ? " and made current" : "");
		if (n && !make_current)
			printf("key %lu opens tickets once loaded; reload every tkmsd using this "
			       "file (SIGHUP), then `make-current %lu` and reload them again\n",
			       (unsigned long)id, (unsigned long)id);
	} else if (strcmp(cmd, "make-current") == 0) {
		const struct kms_tpk *k = kms_tpk_set_find(s, id, INT64_MIN);

		n = kms_tpk_set_make_current(s, id, err, sizeof err);
		if (n && demote(&n, s, now + reach, err, sizeof err)) {
			kms_tpk_set_unref(n);
			n = NULL;
		}
		if (n && k && k->not_after != KMS_NO_EXPIRY && k->not_after - now < reach) {
			char t[32];

			tk_time_format(k->not_after, t);
			fprintf(stderr, "tkmsd keyring: warning: key %u has not_after %s, sooner than "
				"the longest ticket it may now seal (%lld s); such tickets stop "
				"resolving at %s: prefer `add --current`\n", id, t, (long long)reach, t);
		}
		snprintf(what, sizeof what, "key %lu is current", (unsigned long)id);
	} else if (have_id) {
		const struct kms_tpk *k = kms_tpk_set_find(s, id, INT64_MIN);
		char t[32] = "never (no not_after)";

		if (k && k->not_after != KMS_NO_EXPIRY)
			tk_time_format(k->not_after, t);
		if (k && k->id != kms_tpk_set_current(s)->id && k->not_after > now && !force) {
			fprintf(stderr, "tkmsd keyring retire: key %u may still open valid tickets "
				"until %s (not_after): a ticket stays valid up to 2 x max_lifetime + "
				"clock_skew = %lld s after its key stopped being current. Retire it "
				"after that, or use --force to refuse its tickets now\n",
				id, t, (long long)reach);
			kms_tpk_set_unref(s);
			return 1;
		}
		n = kms_tpk_set_remove(s, id, err, sizeof err);
		if (n && k && k->not_after > now)
			fprintf(stderr, "tkmsd keyring: warning: key %u retired before its not_after "
				"(%s) by --force: tickets it sealed are refused (403) from the next "
				"SIGHUP on\n", id, t);
		snprintf(what, sizeof what, "key %lu retired", (unsigned long)id);
	} else {
		size_t removed = 0;
		bool cur_expired = false;
		struct kms_tpk_info inf;

		n = kms_tpk_set_retire(s, now, &removed, &cur_expired, err, sizeof err);
		snprintf(what, sizeof what, "%zu expired key%s removed", removed,
			 removed == 1 ? "" : "s");
		if (n && cur_expired)
			fprintf(stderr, "tkmsd keyring: warning: the current key has expired and was "
				"kept; add a new current key\n");
		for (size_t i = 0; n && kms_tpk_set_info(n, i, &inf); i++)
			if (!inf.current && inf.not_after == KMS_NO_EXPIRY)
				fprintf(stderr, "tkmsd keyring: key %u is not current and has no "
					"not_after, so it is kept; once %lld s (2 x max_lifetime + "
					"clock_skew) have passed since it stopped being current, "
					"`retire %u --force` removes it\n", inf.id, (long long)reach,
					inf.id);
	}
	kms_tpk_set_unref(s);
	if (!n) {
		fprintf(stderr, "tkmsd keyring %s: %s\n", cmd, err);
		return 1;
	}
	return save(n, file, what);
}
