/*
 * srtp-mailbox.c: the media half of the demo's deferred delivery (a voice
 * message): protect RTP packets to a file with libsrtp2 under one side's SRTP
 * keys, and later unprotect the file under the other side's keys (mikey.md
 * 5.10; same libsrtp2 policy as src/ue/srtpproof.c). Keys come from
 * `tkms-ue srtp-keys --out FILE`; the crypto session used is the first one
 * the initiator sends. contrib/demo.sh compiles it on the fly:
 *     cc -o srtp-mailbox srtp-mailbox.c $(pkg-config --cflags --libs libsrtp2 jansson)
 *
 *   srtp-mailbox record KEYS.json OUT [N] [TEXT]   N packets (default 5)
 *   srtp-mailbox play KEYS.json IN                 prints the recovered text
 *
 * File format: per packet a 2-octet big-endian length, then the SRTP packet.
 * Exit status: 0 ok, 1 a packet failed to unprotect (or I/O), 2 usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <jansson.h>
#include <srtp2/srtp.h>

#define MAX_PKT 512
#define PAYLOAD 160

struct keys {
	uint8_t keysalt[46];   /* master key (16 or 32) then master salt (14) */
	size_t key_len;
	uint32_t ssrc, roc;
	uint16_t seq;
	unsigned cs_id;
};

static int hex_in(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h), i;
	unsigned v;

	if (n % 2 || n / 2 > cap)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

/* The first crypto session that the initiator sends (CS 1 by convention). */
static int load_keys(const char *path, struct keys *k)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *arr, *x;
	size_t i;
	int rc = -1, n;

	if (!j) {
		fprintf(stderr, "srtp-mailbox: %s: %s\n", path, je.text);
		return -1;
	}
	arr = json_object_get(j, "crypto_sessions");
	json_array_foreach(arr, i, x) {
		const char *sender = json_string_value(json_object_get(x, "sender"));
		const char *key = json_string_value(json_object_get(x, "master_key"));
		const char *salt = json_string_value(json_object_get(x, "master_salt"));

		if (!sender || strcmp(sender, "initiator") || !key || !salt)
			continue;
		n = hex_in(key, k->keysalt, 32);
		if (n != 16 && n != 32)
			break;
		k->key_len = (size_t)n;
		if (hex_in(salt, k->keysalt + n, 14) != 14)
			break;
		k->ssrc = (uint32_t)json_integer_value(json_object_get(x, "ssrc"));
		k->roc = (uint32_t)json_integer_value(json_object_get(x, "roc"));
		k->seq = (uint16_t)json_integer_value(json_object_get(x, "seq"));
		k->cs_id = (unsigned)json_integer_value(json_object_get(x, "cs_id"));
		rc = 0;
		break;
	}
	if (rc)
		fprintf(stderr, "srtp-mailbox: %s: no usable crypto session sent by the initiator\n",
			path);
	json_decref(j);
	return rc;
}

static int make_ctx(srtp_t *ctx, struct keys *k, int inbound)
{
	srtp_policy_t pol;
	srtp_err_status_t st;

	memset(&pol, 0, sizeof pol);
	if (k->key_len == 16) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol.rtcp);
	}
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = k->ssrc;
	pol.key = k->keysalt;
	pol.window_size = 1024;
	st = srtp_create(ctx, &pol);
	if (st == srtp_err_status_ok)
		st = srtp_set_stream_roc(*ctx, k->ssrc, k->roc);
	explicit_bzero(k->keysalt, sizeof k->keysalt);
	if (st != srtp_err_status_ok) {
		fprintf(stderr, "srtp-mailbox: libsrtp2 %s context: error %d\n",
			inbound ? "receiver" : "sender", (int)st);
		return -1;
	}
	return 0;
}

static int record(struct keys *k, const char *out, unsigned n, const char *text)
{
	FILE *f;
	srtp_t ctx;
	uint8_t pkt[MAX_PKT];
	char tmp[4096];
	unsigned i;
	int len;

	if (make_ctx(&ctx, k, 0))
		return 1;
	/* The mailbox keeps what it stores: temp file, fsync, rename. */
	snprintf(tmp, sizeof tmp, "%s.tmp", out);
	f = fopen(tmp, "wb");
	if (!f) {
		perror(tmp);
		srtp_dealloc(ctx);
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint16_t seq = (uint16_t)(k->seq + i);
		uint32_t ts = i * PAYLOAD;

		memset(pkt, 0, sizeof pkt);
		pkt[0] = 0x80;   /* V=2 */
		pkt[1] = 0;      /* PT 0 (PCMU) */
		pkt[2] = (uint8_t)(seq >> 8);
		pkt[3] = (uint8_t)seq;
		pkt[4] = (uint8_t)(ts >> 24);
		pkt[5] = (uint8_t)(ts >> 16);
		pkt[6] = (uint8_t)(ts >> 8);
		pkt[7] = (uint8_t)ts;
		pkt[8] = (uint8_t)(k->ssrc >> 24);
		pkt[9] = (uint8_t)(k->ssrc >> 16);
		pkt[10] = (uint8_t)(k->ssrc >> 8);
		pkt[11] = (uint8_t)k->ssrc;
		snprintf((char *)pkt + 12, PAYLOAD, "[%u/%u] %s", i + 1, n, text);
		len = 12 + PAYLOAD;
		if (srtp_protect(ctx, pkt, &len) != srtp_err_status_ok ||
		    fputc(len >> 8, f) == EOF || fputc(len & 0xff, f) == EOF ||
		    fwrite(pkt, 1, (size_t)len, f) != (size_t)len) {
			fprintf(stderr, "srtp-mailbox: packet %u: protect or write failed\n", i + 1);
			fclose(f);
			unlink(tmp);
			srtp_dealloc(ctx);
			return 1;
		}
	}
	srtp_dealloc(ctx);
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, out)) {
		perror(out);
		unlink(tmp);
		return 1;
	}
	printf("%u SRTP packets (CS %u, SSRC %08x, %s) written to %s\n", n, k->cs_id, k->ssrc,
	       k->key_len == 16 ? "AES_CM_128_HMAC_SHA1_80" : "AES_CM_256_HMAC_SHA1_80", out);
	return 0;
}

static int play(struct keys *k, const char *in)
{
	FILE *f = fopen(in, "rb");
	srtp_t ctx;
	uint8_t pkt[MAX_PKT];
	srtp_err_status_t st;
	unsigned n = 0;
	int hi, lo, len, rc = 0;

	if (!f) {
		perror(in);
		return 1;
	}
	if (make_ctx(&ctx, k, 1)) {
		fclose(f);
		return 1;
	}
	while ((hi = fgetc(f)) != EOF) {
		lo = fgetc(f);
		len = (hi << 8) | lo;
		if (lo == EOF || len < 12 + 10 || len > MAX_PKT ||
		    fread(pkt, 1, (size_t)len, f) != (size_t)len) {
			fprintf(stderr, "srtp-mailbox: %s: truncated or malformed record %u\n", in,
				n + 1);
			rc = 1;
			break;
		}
		st = srtp_unprotect(ctx, pkt, &len);
		n++;
		if (st != srtp_err_status_ok) {
			fprintf(stderr, "srtp-mailbox: packet %u: unprotect failed (%s)\n", n,
				st == srtp_err_status_auth_fail ? "authentication failure" : "error");
			rc = 1;
			break;
		}
		pkt[len < MAX_PKT ? len : MAX_PKT - 1] = 0;
		printf("  %s\n", (const char *)pkt + 12);
	}
	srtp_dealloc(ctx);
	fclose(f);
	if (!rc && n == 0) {
		fprintf(stderr, "srtp-mailbox: %s: no packets\n", in);
		rc = 1;
	}
	if (!rc)
		printf("%u SRTP packets authenticated and decrypted\n", n);
	explicit_bzero(pkt, sizeof pkt);
	return rc;
}

int main(int argc, char **argv)
{
	struct keys k;
	int rc;

	if (argc < 4 || (strcmp(argv[1], "record") && strcmp(argv[1], "play")) ||
	    (!strcmp(argv[1], "play") && argc != 4) || argc > 6) {
		fprintf(stderr, "usage: srtp-mailbox record KEYS.json OUT [N] [TEXT]\n"
				"       srtp-mailbox play KEYS.json IN\n");
		return 2;
	}
	memset(&k, 0, sizeof k);
	if (srtp_init() != srtp_err_status_ok || load_keys(argv[2], &k))
		return 1;
	if (!strcmp(argv[1], "record")) {
		unsigned long n = argc > 4 ? strtoul(argv[4], NULL, 10) : 5;

		if (n == 0 || n > 1000) {
			fprintf(stderr, "srtp-mailbox: N must be 1..1000\n");
			return 2;
		}
		rc = record(&k, argv[3], (unsigned)n, argc > 5 ? argv[5] : "voice message");
	}
	else
		rc = play(&k, argv[3]);
	explicit_bzero(&k, sizeof k);
	srtp_shutdown();
	return rc;
}
