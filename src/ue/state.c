/*
 * state.c: the UE state file (see state.h).  Key material passes through
 * jansson as hex strings; those strings, the file buffer and the rendered
 * document are wiped before they are freed.
 */
#include "ue/state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "naf/zn.h"
#include "util/hexb64.h"
#include "util/secret.h"

#define STATE_MAX 16384

const char *ue_state_default_path(void)
{
	const char *p = getenv("TKMS_UE_STATE");
	return p && *p ? p : "./tkms-ue.state";
}

void ue_state_wipe(struct ue_state *st)
{
	tk_wipe(st, sizeof *st);
}

void ue_format_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

bool ue_state_valid(const struct ue_state *st, int64_t now)
{
	return st->have_boot && now < st->expiry;
}

/* jansson keeps its own copy of every string: wipe secret ones in place. */
static void wipe_jstr(json_t *v)
{
	if (json_is_string(v))
		tk_wipe((char *)json_string_value(v), json_string_length(v));
}

static int hex_field(json_t *obj, const char *name, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);
	int ok = s && json_string_length(v) == 2 * n && tk_hex_decode(s, out, n) == (long)n;

	wipe_jstr(v);
	return ok ? 0 : -1;
}

static int str_field(json_t *obj, const char *name, char *out, size_t cap)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);

	if (!s || json_string_length(v) == 0 || json_string_length(v) >= cap ||
	    strlen(s) != json_string_length(v))
		return -1;
	memcpy(out, s, json_string_length(v) + 1);
	return 0;
}

static int time_field(json_t *obj, const char *name, int64_t *out)
{
	const char *s = json_string_value(json_object_get(obj, name));
	return s ? naf_parse_time(s, strlen(s), out) : -1;
}

static int parse_doc(json_t *root, struct ue_state *st, const char **why)
{
	json_t *usim = json_object_get(root, "usim"), *boot = json_object_get(root, "bootstrap");
	uint8_t sqn[TK_MIL_SQN_LEN];

	*why = "not a tkms-ue state document";
	if (!json_is_object(root) || json_integer_value(json_object_get(root, "version")) != 1)
		return -1;
	*why = "bad impi";
	if (json_object_get(root, "impi") && str_field(root, "impi", st->impi, sizeof st->impi))
		return -1;
	if (usim) {
		*why = "bad usim (k, opc: 32 hex; sqn: 12 hex)";
		if (!json_is_object(usim) || hex_field(usim, "k", st->usim.k, TK_MIL_K_LEN) ||
		    hex_field(usim, "opc", st->usim.opc, TK_MIL_OP_LEN) ||
		    hex_field(usim, "sqn", sqn, TK_MIL_SQN_LEN))
			return -1;
		st->usim.sqn = tk_mil_sqn_get(sqn);
		st->have_usim = true;
	}
	if (boot) {
		*why = "bad bootstrap record";
		if (!json_is_object(boot) || str_field(boot, "bsf", st->bsf_url, sizeof st->bsf_url) ||
		    str_field(boot, "btid", st->btid, sizeof st->btid) ||
		    !tk_gba_btid_valid(st->btid, strlen(st->btid)) ||
		    hex_field(boot, "rand", st->rand, sizeof st->rand) ||
		    hex_field(boot, "ks", st->ks, sizeof st->ks) ||
		    time_field(boot, "expiry", &st->expiry) || time_field(boot, "created", &st->created))
			return -1;
		*why = "bootstrap record without impi";
		if (!st->impi[0])
			return -1;
		st->have_boot = true;
	}
	return 0;
}

int ue_state_load(const char *path, struct ue_state *st, char *err, size_t errlen)
{
	char *buf = NULL;
	struct stat sb;
	json_error_t jerr;
	json_t *root;
	const char *why;
	ssize_t n;
	int fd, rc;

	memset(st, 0, sizeof *st);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0) {
		snprintf(err, errlen, "cannot open state file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > STATE_MAX) {
		snprintf(err, errlen, "state file %s is not a regular file of at most %d octets",
			 path, STATE_MAX);
		close(fd);
		return -1;
	}
	if (sb.st_mode & 077) {
		snprintf(err, errlen, "state file %s holds keys but has mode %03o (want 600)", path,
			 (unsigned)(sb.st_mode & 0777));
		close(fd);
		return -1;
	}
	buf = malloc(STATE_MAX + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = read(fd, buf, STATE_MAX + 1);
	close(fd);
	if (n < 0 || n > STATE_MAX) {
		snprintf(err, errlen, "cannot read state file %s", path);
		free(buf);
		return -1;
	}
	root = json_loadb(buf, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
	tk_wipe(buf, (size_t)n);
	free(buf);
	if (!root) {
		snprintf(err, errlen, "state file %s: bad JSON at line %d: %s", path, jerr.line,
			 jerr.text);
		return -1;
	}
	rc = parse_doc(root, st, &why);
	json_decref(root);
	if (rc) {
		ue_state_wipe(st);
		snprintf(err, errlen, "state file %s: %s", path, why);
		return -1;
	}
	return 0;
}

static json_t *hex_json(const uint8_t *p, size_t n)
{
	char hex[2 * TK_GBA_KEY_LEN + 1];
	json_t *v;

	tk_hex_encode(p, n, hex);
	v = json_string(hex);
	tk_wipe(hex, sizeof hex);
	return v;
}

static json_t *time_json(int64_t t)
{
	char s[32];
	ue_format_time(t, s);
	return json_string(s);
}

static json_t *render(const struct ue_state *st)
{
	json_t *root = json_object();
	uint8_t sqn[TK_MIL_SQN_LEN];

	json_object_set_new(root, "version", json_integer(1));
	if (st->impi[0])
		json_object_set_new(root, "impi", json_string(st->impi));
	if (st->have_usim) {
		tk_mil_sqn_put(st->usim.sqn, sqn);
		json_object_set_new(root, "usim",
				    json_pack("{s:o, s:o, s:o}", "k", hex_json(st->usim.k, TK_MIL_K_LEN),
					      "opc", hex_json(st->usim.opc, TK_MIL_OP_LEN), "sqn",
					      hex_json(sqn, sizeof sqn)));
	}
	if (st->have_boot)
		json_object_set_new(root, "bootstrap",
				    json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "bsf", st->bsf_url,
					      "btid", st->btid, "rand", hex_json(st->rand, sizeof st->rand),
					      "ks", hex_json(st->ks, sizeof st->ks), "expiry",
					      time_json(st->expiry), "created", time_json(st->created)));
	return root;
}

static void wipe_doc(json_t *root)
{
	json_t *u = json_object_get(root, "usim"), *b = json_object_get(root, "bootstrap");

	wipe_jstr(json_object_get(u, "k"));
	wipe_jstr(json_object_get(u, "opc"));
	wipe_jstr(json_object_get(b, "ks"));
	wipe_jstr(json_object_get(b, "rand"));
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ue_state_save(const char *path, const struct ue_state *st, char *err, size_t errlen)
{
	char *doc = NULL, tmp[4096], dir[4096];
	size_t len = 0;
	json_t *root;
	int fd = -1, dfd, rc = -1;

	if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp) {
		snprintf(err, errlen, "state file path too long");
		return -1;
	}
	root = render(st);
	if (root) {
		doc = malloc(STATE_MAX);
		len = doc ? json_dumpb(root, doc, STATE_MAX - 1, JSON_INDENT(2) | JSON_SORT_KEYS) : 0;
		wipe_doc(root);
		json_decref(root);
	}
	if (!doc || len == 0 || len >= STATE_MAX - 1) {
		snprintf(err, errlen, "cannot render the state");
		goto out;
	}
	doc[len++] = '\n';
	fd = mkstemp(tmp); /* mode 0600 whatever the umask */
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, doc, len) != 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	snprintf(dir, sizeof dir, "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd); /* the rename itself is durable */
		close(dfd);
	}
	rc = 0;
out:
	if (doc)
		tk_wipe(doc, STATE_MAX);
	free(doc);
	return rc;
}

int ue_state_naf_key(const struct ue_state *st, const char *naf_fqdn, tk_ua_id ua,
		     uint8_t out[TK_GBA_KEY_LEN], char *err, size_t errlen)
{
	int64_t now = (int64_t)time(NULL);
	char when[32];

	if (!st->have_boot) {
		snprintf(err, errlen, "not bootstrapped: run tkms-ue bootstrap first");
		return -1;
	}
	if (!ue_state_valid(st, now)) {
		ue_format_time(st->expiry, when);
		snprintf(err, errlen, "bootstrap of B-TID %s expired at %s: bootstrap again",
			 st->btid, when);
		return -1;
	}
	if (tk_gba_ks_naf_for(st->ks, st->rand, st->impi, naf_fqdn, ua, out) != TK_GBA_OK) {
		snprintf(err, errlen, "cannot derive Ks_NAF for NAF %s", naf_fqdn);
		return -1;
	}
	return 0;
}
