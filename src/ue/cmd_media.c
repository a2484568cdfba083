/*
 * cmd_media.c: stored SRTP media for deferred delivery (a voice message):
 * `tkms-ue srtp-record` protects RTP packets with libsrtp2 under the SRTP
 * keys of a call file and writes them to a mailbox file; `srtp-play`
 * unprotects such a file under the keys of another call file (mikey.md
 * 5.10, the same libsrtp2 policy as srtpproof.c).  The keys never leave the
 * process.  The crypto session is the first one the initiator sends (CS 1
 * by convention, call.h), or the one given with --cs.
 *
 * Mailbox file: per packet a 2-octet big-endian length, then the SRTP
 * packet; written atomically (temp file, fsync, rename).
 */
#include "ue/cmd_media.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "ue/call.h"
#include "ue/srtpproof.h"
#include "util/fileio.h"
#include "util/secret.h"

#define MAX_PKT 512
#define PAYLOAD 160
#define MAX_PACKETS 1000

struct media_args {
	const char *call, *file, *text;
	unsigned long packets, cs;
	bool help;
};

static int parse(int argc, char **argv, bool record, struct media_args *a)
{
	static const struct option opts[] = {
		{ "call", 1, NULL, 'c' }, { "out", 1, NULL, 'o' }, { "in", 1, NULL, 'i' },
		{ "packets", 1, NULL, 'n' }, { "text", 1, NULL, 't' }, { "cs", 1, NULL, 's' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *usage = record ?
		"--call FILE --out MAILBOX-FILE [--packets N] [--text TEXT] [--cs ID]" :
		"--call FILE --in MAILBOX-FILE [--cs ID]";
	char *end;
	int c;

	memset(a, 0, sizeof *a);
	a->packets = 5;
	a->text = "voice message";
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->call = optarg; break;
		case 'o': if (!record) goto bad; a->file = optarg; break;
		case 'i': if (record) goto bad; a->file = optarg; break;
		case 't': if (!record) goto bad; a->text = optarg; break;
		case 'n':
			if (!record)
				goto bad;
			errno = 0;
			a->packets = strtoul(optarg, &end, 10);
			if (errno || *end || a->packets == 0 || a->packets > MAX_PACKETS)
				return ue_cli_error(UE_EXIT_USAGE, "--packets 1..%d", MAX_PACKETS);
			break;
		case 's':
			errno = 0;
			a->cs = strtoul(optarg, &end, 10);
			if (errno || *end || a->cs == 0 || a->cs > 255)
				return ue_cli_error(UE_EXIT_USAGE, "--cs 1..255");
			break;
		case 'h': a->help = true; break;
		default: goto bad;
		}
	}
	if (a->help) {
		printf("usage: tkms-ue %s %s\n", argv[0], usage);
		return -1;
	}
	if (optind == argc && a->call && a->file)
		return 0;
bad:
	fprintf(stderr, "usage: tkms-ue %s %s\n", argv[0], usage);
	return UE_EXIT_USAGE;
}

/* The libsrtp2 context of the chosen crypto session of a call file. */
static int media_ctx(const struct media_args *a, srtp_t *ctx, struct ue_srtp_cs *cs)
{
	struct ue_call *c = calloc(1, sizeof *c);
	struct ue_srtp_cs ks[UE_MAX_CS];
	struct ue_err e = { -1, "" };
	struct ue_srtp_stream st = { .key_len = 0 };
	unsigned n = 0, i;
	int rc = UE_EXIT_PROTO;

	if (!c)
		return ue_cli_error(UE_EXIT_USAGE, "out of memory");
	if (ue_call_load(c, a->call, &e) != UE_OK) {
		free(c);
		return ue_cli_error(UE_EXIT_STATE, "%s", e.msg);
	}
	if (ue_srtp_keys(c, ks, UE_MAX_CS, &n, &e) != UE_OK) {
		ue_cli_error(UE_EXIT_USAGE, "%s: no SRTP keys: %s", a->call, e.msg);
		rc = UE_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < n; i++)
		if (a->cs ? ks[i].cs_id == a->cs : ks[i].initiator_sends)
			break;
	if (i == n) {
		ue_cli_error(UE_EXIT_USAGE, "%s: no crypto session %s", a->call,
			     a->cs ? "with that id" : "sent by the initiator");
		rc = UE_EXIT_USAGE;
		goto out;
	}
	*cs = ks[i];
	memcpy(st.key, cs->key, cs->key_len);
	st.key_len = cs->key_len;
	memcpy(st.salt, cs->salt, sizeof st.salt);
	st.ssrc = cs->ssrc;
	st.roc = cs->roc;
	if (ue_srtp_ctx(ctx, &st, e.msg, sizeof e.msg)) {
		ue_cli_error(UE_EXIT_PROTO, "libsrtp2 refused the keys: %s", e.msg);
		goto out;
	}
	rc = UE_EXIT_OK;
out:
	tk_wipe(&st, sizeof st);
	tk_wipe(ks, sizeof ks);
	tk_wipe(cs->key, sizeof cs->key);
	tk_wipe(cs->salt, sizeof cs->salt);
	ue_call_wipe(c);
	free(c);
	return rc;
}

static const char *policy_name(const struct ue_srtp_cs *cs)
{
	return cs->key_len == 32 ? "AES_CM_256_HMAC_SHA1_80" : "AES_CM_128_HMAC_SHA1_80";
}

int ue_cmd_srtp_record(const struct ue_cli *cli, int argc, char **argv)
{
	struct media_args a;
	struct ue_srtp_cs cs;
	srtp_t ctx;
	uint8_t *buf = NULL, *p;
	char err[256];
	unsigned i;
	int rc, len;

	(void)cli;
	if ((rc = parse(argc, argv, true, &a)))
		return rc < 0 ? UE_EXIT_OK : rc;
	if (srtp_init() != srtp_err_status_ok)
		return ue_cli_error(UE_EXIT_PROTO, "libsrtp2 did not initialise");
	if ((rc = media_ctx(&a, &ctx, &cs)))
		goto out_shutdown;
	buf = malloc(a.packets * (2 + MAX_PKT));
	if (!buf) {
		rc = ue_cli_error(UE_EXIT_USAGE, "out of memory");
		goto out;
	}
	for (p = buf, i = 0; i < a.packets; i++) {
		uint16_t seq = (uint16_t)(cs.seq + i);
		uint32_t ts = i * PAYLOAD;
		uint8_t *pkt = p + 2;

		memset(pkt, 0, MAX_PKT);
		pkt[0] = 0x80; /* V=2, PT 0 (PCMU) */
		pkt[2] = (uint8_t)(seq >> 8);
		pkt[3] = (uint8_t)seq;
		pkt[4] = (uint8_t)(ts >> 24);
		pkt[5] = (uint8_t)(ts >> 16);
		pkt[6] = (uint8_t)(ts >> 8);
		pkt[7] = (uint8_t)ts;
		pkt[8] = (uint8_t)(cs.ssrc >> 24);
		pkt[9] = (uint8_t)(cs.ssrc >> 16);
		pkt[10] = (uint8_t)(cs.ssrc >> 8);
		pkt[11] = (uint8_t)cs.ssrc;
		snprintf((char *)pkt + 12, PAYLOAD, "[%u/%lu] %s", i + 1, a.packets, a.text);
		len = 12 + PAYLOAD;
		if (srtp_protect(ctx, pkt, &len) != srtp_err_status_ok || len > MAX_PKT) {
			rc = ue_cli_error(UE_EXIT_PROTO, "packet %u: SRTP protect failed", i + 1);
			goto out;
		}
		p[0] = (uint8_t)(len >> 8);
		p[1] = (uint8_t)len;
		p += 2 + len;
	}
	if (tk_file_write_atomic(a.file, buf, (size_t)(p - buf), 0644, err, sizeof err)) {
		rc = ue_cli_error(UE_EXIT_STATE, "%s", err);
		goto out;
	}
	printf("%lu SRTP packets (CS %u, SSRC %08x, %s) written to %s\n", a.packets, cs.cs_id,
	       cs.ssrc, policy_name(&cs), a.file);
	rc = UE_EXIT_OK;
out:
	free(buf);
	srtp_dealloc(ctx);
out_shutdown:
	srtp_shutdown();
	return rc;
}

int ue_cmd_srtp_play(const struct ue_cli *cli, int argc, char **argv)
{
	struct media_args a;
	struct ue_srtp_cs cs;
	srtp_t ctx;
	srtp_err_status_t st;
	uint8_t pkt[MAX_PKT];
	FILE *f = NULL;
	unsigned n = 0;
	int rc, hi, lo, len;

	(void)cli;
	if ((rc = parse(argc, argv, false, &a)))
		return rc < 0 ? UE_EXIT_OK : rc;
	f = fopen(a.file, "rb");
	if (!f)
		return ue_cli_error(UE_EXIT_USAGE, "%s: %s", a.file, strerror(errno));
	if (srtp_init() != srtp_err_status_ok) {
		fclose(f);
		return ue_cli_error(UE_EXIT_PROTO, "libsrtp2 did not initialise");
	}
	if ((rc = media_ctx(&a, &ctx, &cs)))
		goto out_shutdown;
	rc = UE_EXIT_OK;
	while ((hi = fgetc(f)) != EOF) {
		lo = fgetc(f);
		len = (hi << 8) | lo;
		if (lo == EOF || len < 12 + 10 || len > MAX_PKT ||
		    fread(pkt, 1, (size_t)len, f) != (size_t)len) {
			rc = ue_cli_error(UE_EXIT_PROTO, "%s: record %u truncated or malformed",
					  a.file, n + 1);
			break;
		}
		st = srtp_unprotect(ctx, pkt, &len);
		n++;
		if (st != srtp_err_status_ok) {
			rc = ue_cli_error(UE_EXIT_AUTH, "packet %u: SRTP unprotect failed (%s)", n,
					  st == srtp_err_status_auth_fail ? "authentication failure" :
					  "error");
			break;
		}
		pkt[len < MAX_PKT ? len : MAX_PKT - 1] = 0;
		printf("  %s\n", (const char *)pkt + 12);
	}
	if (rc == UE_EXIT_OK && n == 0)
		rc = ue_cli_error(UE_EXIT_PROTO, "%s: no packets", a.file);
	if (rc == UE_EXIT_OK)
		printf("%u SRTP packets (CS %u, %s) authenticated and decrypted\n", n, cs.cs_id,
		       policy_name(&cs));
	tk_wipe(pkt, sizeof pkt);
	srtp_dealloc(ctx);
out_shutdown:
	srtp_shutdown();
	fclose(f);
	return rc;
}
