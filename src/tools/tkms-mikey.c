/*
 * tkms-mikey.c: the MIKEY decoder tool.  `tkms-mikey decode [FILE]` reads
 * one MIKEY message as binary, base64 (also an SDP `a=key-mgmt:mikey` line
 * or an RTSP `KeyMgmt: prot=mikey; data="..."` header, RFC 4567) or hex,
 * prints it as JSON (mikey-json.h), and with keys given on the command line
 * verifies the V MAC (mikey.md 5.6, P-4 identities), decrypts KEMACs
 * (mikey.md 5.5) and opens the base ticket (P-10).  Key bytes are printed
 * only with --show-keys; otherwise keys appear as lengths and fingerprints.
 *
 * Exit status: 0 decoded (and every requested verification ok), 1 a
 * verification failed or could not be done, 2 malformed input, 64 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "tools/mikey-json.h"
#include "util/hexb64.h"
#include "util/json.h"
#include "util/secret.h"

enum { EX_OK = 0, EX_VERIFY = 1, EX_MALFORMED = 2, EX_USAGE_ = 64 };
#define MAX_INPUT (64 * 1024) /* as P-5 caps a MIKEY body */
#define PLAIN_CAP 2048

enum fmt { FMT_AUTO, FMT_BIN, FMT_B64, FMT_HEX };

static const char *prog = "tkms-mikey";

struct key {
	uint8_t b[64];
	size_t n;
	bool set;
};

struct opts {
	enum fmt fmt;
	bool compact, show_keys;
	struct key psk, tpk, mpki;
	bool tpk_id_set;
	uint32_t tpk_id;
	const char *init_path;
	char *ids_buf;
	struct mk_ids ids;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: %s decode [OPTIONS] [FILE]\n"
"Decode one MIKEY / MIKEY-TICKET message (RFC 3830, RFC 6043) and print it as\n"
"JSON. FILE (\"-\" or absent: standard input, at most 64 KiB) holds the message\n"
"as binary, base64 (also an SDP line 'a=key-mgmt:mikey <base64>' or an RTSP\n"
"header 'KeyMgmt: prot=mikey; data=\"<base64>\"', RFC 4567) or hex (whitespace\n"
"allowed); the encoding is detected unless --format says it.\n"
"\n"
"Options:\n"
"  --format bin|b64|hex  input encoding (default: detect)\n"
"  --compact             one-line JSON (default: pretty)\n"
"  --psk HEX             pre-shared key (Ks_NAF) of a REQUEST_INIT_PSK,\n"
"                        RESOLVE_INIT_PSK, their responses or an Error: verify\n"
"                        the V MAC; decrypt a response's KEMAC\n"
"  --init FILE           the initial message a response (or an Error) answers;\n"
"                        needed to verify REQUEST_RESP, RESOLVE_RESP,\n"
"                        TRANSFER_RESP and Error messages\n"
"  --mpki HEX            MPKi of a TRANSFER_INIT / TRANSFER_RESP (MPKr' for a\n"
"                        TRANSFER_RESP of a forking ticket): verify, decrypt\n"
"  --tpk HEX             ticket protection key: open and verify the base ticket\n"
"                        of a TICKET payload (P-10); for a TRANSFER_INIT also\n"
"                        verify V with the ticket's MPKi and Vr with its MPKr\n"
"  --tpk-id N            key id of --tpk (default: the ticket's THDR key id)\n"
"  --ids i=ID,r=ID,kms=ID  identities for the MAC suffix where the message\n"
"                        has no IDRi / IDRr / IDRkms payload (P-4)\n"
"  --show-keys           also print decrypted key and salt bytes (otherwise\n"
"                        only lengths, SPIs and SHA-256 fingerprints)\n"
"  -h, --help            this text\n"
"\n"
"Examples (demo keys in contrib/samples/README):\n"
"  %s decode contrib/samples/request-init.hex\n"
"  %s decode --psk KS_NAF_HEX --init request-init.hex --tpk TPK_HEX request-resp.hex\n"
"  echo 'a=key-mgmt:mikey AQsF...' | %s decode --compact\n"
"\n"
"Output: {\"HDR\": {...}, \"payloads\": [...], \"verification\": {\"mac\": \"ok\" |\n"
"\"FAILED\" | \"not checked\", ...}}, field names as in the RFCs.\n"
"\n"
"Exit status: 0 decoded (and every verification the given keys allow is ok),\n"
"1 a verification failed or lacked its context (e.g. --init), 2 malformed\n"
"input (one line on stderr: \"%s: FILE: <reason> at offset N\"), 64 usage.\n",
		prog, prog, prog, prog, prog);
}

static void die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", prog, msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "Try '%s --help'.\n", prog);
	exit(EX_USAGE_);
}

static void parse_key(struct key *k, const char *hex, const char *what)
{
	long n = tk_hex_decode(hex, k->b, sizeof(k->b));

	if (n <= 0)
		die_usage("bad hex key (1 to 64 bytes)", what);
	k->n = (size_t)n;
	k->set = true;
}

static void parse_ids(struct opts *o, const char *arg)
{
	char *s, *tok, *save = NULL;

	free(o->ids_buf);
	o->ids_buf = s = strdup(arg);
	if (!s)
		exit(EX_USAGE_);
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		struct mk_bytes *b;

		if (!eq || eq[1] == 0)
			die_usage("bad --ids element (want i=, r= or kms=)", tok);
		*eq = 0;
		if (!strcmp(tok, "i"))
			b = &o->ids.i;
		else if (!strcmp(tok, "r"))
			b = &o->ids.r;
		else if (!strcmp(tok, "kms"))
			b = &o->ids.kms;
		else
			die_usage("bad --ids element (want i=, r= or kms=)", tok);
		b->p = (const uint8_t *)(eq + 1);
		b->n = strlen(eq + 1);
	}
}

/* ---- input ---- */

struct input {
	const char *name;     /* for messages */
	uint8_t raw[MAX_INPUT + 1];
	size_t nraw;
	uint8_t msg[MAX_INPUT];
	size_t n;
};

static int fail_input(const struct input *in, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", prog, in->name, why);
	return EX_MALFORMED;
}

static int read_input(const char *path, struct input *in)
{
	FILE *f = stdin;
	size_t r;

	in->name = "stdin";
	if (path && strcmp(path, "-")) {
		in->name = path;
		f = fopen(path, "rb");
		if (!f)
			return fail_input(in, strerror(errno));
	}
	in->nraw = 0;
	while ((r = fread(in->raw + in->nraw, 1, sizeof(in->raw) - in->nraw, f)) > 0)
		in->nraw += r;
	r = (size_t)ferror(f);
	if (f != stdin)
		fclose(f);
	if (r)
		return fail_input(in, "read error");
	if (in->nraw > MAX_INPUT)
		return fail_input(in, "input larger than 65536 bytes");
	in->raw[in->nraw] = 0;
	return EX_OK;
}

static bool is_text(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(isprint(p[i]) || isspace(p[i])))
			return false;
	return true;
}

/* Case-insensitive search in a NUL-terminated text. */
static const char *find_ci(const char *s, const char *needle)
{
	size_t k = strlen(needle);

	for (; *s; s++)
		if (!strncasecmp(s, needle, k))
			return s;
	return NULL;
}

/* The base64 of an RFC 4567 form, if the text is one: SDP
 * "key-mgmt:mikey <b64>" or RTSP "KeyMgmt: prot=mikey; ... data="<b64>"". */
static bool rfc4567(const char *text, const char **b64, size_t *len)
{
	const char *p = find_ci(text, "key-mgmt:");
	const char *q;

	if (p) {
		p += strlen("key-mgmt:");
	} else if ((p = find_ci(text, "keymgmt:"))) {
		p = find_ci(p, "data=\"");
		if (!p)
			return false;
		p += 6;
		q = strchr(p, '"');
		if (!q)
			return false;
		*b64 = p;
		*len = (size_t)(q - p);
		return true;
	} else {
		return false;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "mikey", 5))
		return false;
	p += 5;
	while (*p == ' ' || *p == '\t')
		p++;
	for (q = p; *q && !isspace((unsigned char)*q); q++)
		;
	*b64 = p;
	*len = (size_t)(q - p);
	return true;
}

static int decode_input(struct input *in, enum fmt fmt)
{
	const char *text = (const char *)in->raw, *b64 = text;
	size_t blen = in->nraw, i;
	long n;

	if (fmt == FMT_AUTO) {
		if (!is_text(in->raw, in->nraw)) {
			fmt = FMT_BIN;
		} else if (rfc4567(text, &b64, &blen)) {
			fmt = FMT_B64;
		} else {
			fmt = FMT_HEX;
			for (i = 0; i < in->nraw; i++)
				if (!isxdigit(in->raw[i]) && !isspace(in->raw[i]))
					fmt = FMT_B64;
		}
	} else if (fmt == FMT_B64 && is_text(in->raw, in->nraw)) {
		rfc4567(text, &b64, &blen);
	}
	switch (fmt) {
	case FMT_BIN:
		memcpy(in->msg, in->raw, in->nraw);
		in->n = in->nraw;
		return EX_OK;
	case FMT_HEX:
		n = tk_hex_decode_ws(text, in->nraw, in->msg, sizeof(in->msg));
		if (n < 0)
			return fail_input(in, "invalid hex input");
		break;
	default:
		n = tk_b64_decode(b64, blen, in->msg, sizeof(in->msg));
		if (n < 0)
			return fail_input(in, "invalid base64 input");
		break;
	}
	in->n = (size_t)n;
	return EX_OK;
}

static int load_message(const char *path, enum fmt fmt, struct input *in, struct mk_msg *m)
{
	int e = read_input(path, in);

	if (!e)
		e = decode_input(in, fmt);
	if (e)
		return e;
	if (!in->n)
		return fail_input(in, "empty input");
	e = mk_parse(in->msg, in->n, m);
	if (e) {
		fprintf(stderr, "%s: %s: %s at offset %zu\n", prog, in->name,
			mk_strerror(e), m->err_off);
		return EX_MALFORMED;
	}
	return EX_OK;
}

/* ---- verification ---- */

struct verdict {
	json_t *v;     /* the "verification" object */
	bool failed;   /* exit 1 */
};

static void report(struct verdict *vd, const char *what, int e, const char *reason)
{
	json_object_set_new(vd->v, what, json_string(e == MK_OK ? "ok" : "FAILED"));
	if (e != MK_OK) {
		char k[48];

		snprintf(k, sizeof(k), "%s_error", what);
		json_object_set_new(vd->v, k, json_string(reason ? reason : mk_strerror(e)));
		vd->failed = true;
	}
}

/* A check the given keys call for but whose context is missing. */
static void not_checked(struct verdict *vd, const char *what, const char *reason)
{
	char k[48];

	snprintf(k, sizeof(k), "%s_error", what);
	json_object_set_new(vd->v, what, json_string("not checked"));
	json_object_set_new(vd->v, k, json_string(reason));
	vd->failed = true;
}

static bool is_dt(const struct mk_msg *m, uint8_t a, uint8_t b)
{
	return m->hdr.data_type == a || m->hdr.data_type == b;
}

/* The initial message a response answers (data type of the request). */
static uint8_t request_of(uint8_t dt)
{
	switch (dt) {
	case MK_DT_REQUEST_RESP: return MK_DT_REQUEST_INIT_PSK;
	case MK_DT_RESOLVE_RESP: return MK_DT_RESOLVE_INIT_PSK;
	case MK_DT_TRANSFER_RESP: return MK_DT_TRANSFER_INIT;
	}
	return 0;
}

static void add_keys(json_t *kemac_json, const struct mk_keylist *kl, uint8_t dt,
		     bool show_keys)
{
	static const char *const req_roles[] = { "MPKi", "MPKr" };
	static const char *const res_roles[] = { "MPKi", "MPKr'" };
	static const char *const tkt_roles[] = { "MPK" };
	const char *const *roles = NULL;
	unsigned nroles = 0;

	if (dt == MK_DT_REQUEST_RESP)
		roles = req_roles, nroles = 2;
	else if (dt == MK_DT_RESOLVE_RESP)
		roles = res_roles, nroles = 2;
	else if (dt == 0)
		roles = tkt_roles, nroles = 1;
	if (kemac_json)
		json_object_set_new(kemac_json, "Key_data",
				    mj_keylist(kl, roles, nroles, false, show_keys));
}

static void fp_member(json_t *o, const char *k, const uint8_t *p, size_t n, bool show)
{
	char fp[9], name[48];

	mj_fingerprint(p, n, fp);
	snprintf(name, sizeof(name), "%s_fingerprint", k);
	json_object_set_new(o, name, json_string(fp));
	if (show)
		json_object_set_new(o, k, mj_hex(p, n));
}

/*
 * Open the ticket with --tpk.  On success copies MPKi/MPKr to the caller
 * (for a TRANSFER_INIT's V and Vr) and adds the ticket's keys to the JSON.
 */
static void check_ticket(const struct opts *o, const struct mk_msg *m, json_t *root,
			 struct verdict *vd, uint8_t *mpki, uint8_t *mpkr, size_t *mpk_len)
{
	static uint8_t plain[PLAIN_CAP];
	struct mk_ticket_keys tk;
	struct mk_tpk tpk = { o->tpk_id, o->tpk.b, o->tpk.n };
	json_t *tj, *tdj, *kj;
	int e;

	*mpk_len = 0;
	if (!o->tpk_id_set && m->ticket.ticket_data.n) {
		/* default key id: the THDR's (P-10), found by a plain parse */
		struct mk_ticket_data td;
		size_t eoff;

		if (mk_ticket_data_parse(m->ticket.ticket_data.p, m->ticket.ticket_data.n,
					 &td, &eoff) == MK_OK && td.thdr.data.n == MK_THDR_LEN)
			tpk.key_id = (uint32_t)td.thdr.data.p[1] << 24 |
				     (uint32_t)td.thdr.data.p[2] << 16 |
				     (uint32_t)td.thdr.data.p[3] << 8 | td.thdr.data.p[4];
	}
	e = mk_ticket_open(&m->ticket, &tpk, 1, plain, sizeof(plain), &tk);
	report(vd, "ticket", e, NULL);
	if (e)
		return;
	tj = mj_find_payload(json_object_get(root, "payloads"), "TICKET");
	tdj = json_object_get(tj, "Ticket_data");
	kj = mj_find_payload(json_object_get(tdj, "payloads"), "KEMAC");
	add_keys(kj, &tk.keys, 0, o->show_keys);
	if (tdj) {
		json_t *d = json_object();

		fp_member(d, "MPKi", tk.mpki, tk.mpk_len, o->show_keys);
		fp_member(d, "MPKr", tk.mpkr, tk.mpk_len, o->show_keys);
		json_object_set_new(tdj, "derived", d);
	}
	if (m->ticket.init_data.n)
		report(vd, "Vr", mk_init_data_verify_vr(&m->ticket, tk.mpkr, tk.mpk_len), NULL);
	memcpy(mpki, tk.mpki, tk.mpk_len);
	memcpy(mpkr, tk.mpkr, tk.mpk_len);
	*mpk_len = tk.mpk_len;
	mk_ticket_keys_wipe(&tk);
	tk_wipe(plain, sizeof(plain));
}

static void verify(const struct opts *o, const struct mk_msg *m, const struct mk_msg *init,
		   json_t *root, struct verdict *vd)
{
	static uint8_t plain[PLAIN_CAP];
	uint8_t dt = m->hdr.data_type, tmpki[32], tmpkr[32];
	const struct mk_msg *key_msg = m, *key_init = init;
	const struct key *key = NULL;
	const uint8_t *kp = NULL;
	size_t kn = 0, tlen = 0;
	struct mk_keyset ks;
	struct mk_keylist kl;
	int e;

	if (o->tpk.set && m->ticket.pl.present && m->ticket.is_ticket)
		check_ticket(o, m, root, vd, tmpki, tmpkr, &tlen);

	/* Which key the message's V is made with (mikey.md 4). */
	if (is_dt(m, MK_DT_REQUEST_INIT_PSK, MK_DT_RESOLVE_INIT_PSK) ||
	    is_dt(m, MK_DT_REQUEST_RESP, MK_DT_RESOLVE_RESP))
		key = o->psk.set ? &o->psk : NULL;
	else if (is_dt(m, MK_DT_TRANSFER_INIT, MK_DT_TRANSFER_RESP))
		key = o->mpki.set ? &o->mpki : NULL;
	else if (dt == MK_DT_ERROR)
		key = o->psk.set ? &o->psk : o->mpki.set ? &o->mpki : NULL;
	if (key) {
		kp = key->b;
		kn = key->n;
	} else if (dt == MK_DT_TRANSFER_INIT && tlen) {
		kp = tmpki; /* the ticket's MPKi */
		kn = tlen;
	}
	if (!kp) {
		json_object_set_new(vd->v, "mac", json_string("not checked"));
		goto out;
	}
	if (request_of(dt)) {
		if (!init) {
			not_checked(vd, "mac", "a response is verified with the message it "
				    "answers: give it with --init");
			goto out;
		}
		if (init->hdr.data_type != request_of(dt)) {
			not_checked(vd, "mac", "--init is not the initial message this answers");
			goto out;
		}
	} else if (dt == MK_DT_ERROR) {
		/* An Error is MACed with the key set of the failed message (6.4). */
		if (!init) {
			not_checked(vd, "mac", "an Error is MACed with the key set of the "
				    "failed message: give it with --init");
			goto out;
		}
		key_msg = init;
		key_init = NULL;
	} else {
		init = NULL;
	}
	e = mk_msg_keyset(&ks, key_msg, key_init, kp, kn);
	if (e) {
		report(vd, "mac", e, NULL);
		goto out;
	}
	e = mk_msg_verify(m, &ks, dt == MK_DT_ERROR ? NULL : init, &o->ids);
	report(vd, "mac", e, e == MK_ERR_MISSING_PAYLOAD ?
	       "identity for the MAC suffix missing: give it with --ids" : NULL);
	if (e == MK_OK && dt == MK_DT_TRANSFER_INIT && m->ticket.init_data.n)
		report(vd, "Vi", mk_init_data_check_vi(m), NULL);
	if (e == MK_OK && m->kemac.pl.present) {
		e = mk_kemac_open(&m->kemac, &ks, m->hdr.csb_id, &m->t, plain,
				  sizeof(plain), &kl);
		report(vd, "kemac", e, NULL);
		if (e == MK_OK)
			add_keys(mj_find_payload(json_object_get(root, "payloads"), "KEMAC"),
				 &kl, dt, o->show_keys);
		tk_wipe(plain, sizeof(plain));
	}
	mk_keyset_wipe(&ks);
out:
	tk_wipe(tmpki, sizeof(tmpki));
	tk_wipe(tmpkr, sizeof(tmpkr));
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "compact", no_argument, NULL, 'c' },
		{ "psk", required_argument, NULL, 'p' },
		{ "init", required_argument, NULL, 'i' },
		{ "tpk", required_argument, NULL, 't' },
		{ "tpk-id", required_argument, NULL, 'k' },
		{ "mpki", required_argument, NULL, 'm' },
		{ "ids", required_argument, NULL, 'd' },
		{ "show-keys", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct input in, in_init;
	static struct mk_msg m, init;
	struct opts o;
	struct verdict vd;
	const char *file = NULL;
	json_t *root;
	char *out, *end;
	int c, e;

	tk_json_wipe_on_free(); /* --show-keys puts decrypted keys in the JSON */
	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "bin"))
				o.fmt = FMT_BIN;
			else if (!strcmp(optarg, "b64") || !strcmp(optarg, "base64"))
				o.fmt = FMT_B64;
			else if (!strcmp(optarg, "hex"))
				o.fmt = FMT_HEX;
			else
				die_usage("--format wants bin, b64 or hex", optarg);
			break;
		case 'c': o.compact = true; break;
		case 'p': parse_key(&o.psk, optarg, "--psk"); break;
		case 't': parse_key(&o.tpk, optarg, "--tpk"); break;
		case 'm': parse_key(&o.mpki, optarg, "--mpki"); break;
		case 'i': o.init_path = optarg; break;
		case 'k':
			errno = 0;
			o.tpk_id = (uint32_t)strtoul(optarg, &end, 0);
			if (errno || *end || !*optarg || strtoul(optarg, NULL, 0) > 0xffffffffUL)
				die_usage("bad --tpk-id", optarg);
			o.tpk_id_set = true;
			break;
		case 'd': parse_ids(&o, optarg); break;
		case 's': o.show_keys = true; break;
		case 'h': usage(stdout); return EX_OK;
		default: die_usage("bad option", NULL);
		}
	}
	if (optind >= argc)
		die_usage("missing command (decode)", NULL);
	if (strcmp(argv[optind], "decode"))
		die_usage("unknown command", argv[optind]);
	if (argc - optind > 2)
		die_usage("at most one FILE", NULL);
	if (argc - optind == 2)
		file = argv[optind + 1];
	if (o.tpk_id_set && !o.tpk.set)
		die_usage("--tpk-id needs --tpk", NULL);

	e = load_message(file, o.fmt, &in, &m);
	if (!e && o.init_path)
		e = load_message(o.init_path, FMT_AUTO, &in_init, &init);
	if (e)
		return e;

	root = mj_message(&m);
	vd.v = json_object();
	vd.failed = false;
	verify(&o, &m, o.init_path ? &init : NULL, root, &vd);
	json_object_set_new(root, "verification", vd.v);

	out = json_dumps(root, (o.compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!out) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EX_MALFORMED;
	}
	puts(out);
	if (o.show_keys)
		tk_wipe(out, strlen(out));
	free(out);
	tk_wipe(&o.psk, sizeof(o.psk));
	tk_wipe(&o.tpk, sizeof(o.tpk));
	tk_wipe(&o.mpki, sizeof(o.mpki));
	free(o.ids_buf);
	if (fflush(stdout) || ferror(stdout))
		return EX_MALFORMED;
	return vd.failed ? EX_VERIFY : EX_OK;
}
