/*
 * tkms-srtp-proof: the end-to-end proof that a MIKEY-TICKET exchange gave
 * both UEs the same media keys (mikey.md 5.10).  Reads the two outputs of
 * `tkms-ue srtp-keys --json` (initiator and responder), and for every
 * crypto session protects N RTP packets and one RTCP packet with libsrtp2
 * under the sending side's master key and salt (ssrc-specific policy, ROC
 * from the CS map) and unprotects them under the receiving side's keys;
 * the sessions sent by the initiator and those sent by the responder give
 * both directions.  Exit 0 only when every packet came back identical;
 * any mismatch is reported on stderr with exit status 1 (usage: 2).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ue/srtpproof.h"
#include "util/hexb64.h"
#include "util/json.h"
#include "util/secret.h"

#define MAX_CS 16

struct side {
	const char *path;
	const char *role;
	unsigned n;
	struct {
		unsigned cs_id;
		bool init_sends;
		struct ue_srtp_stream s;
	} cs[MAX_CS];
};

static int load(struct side *sd, json_t **keep)
{
	json_error_t je;
	json_t *j, *arr, *x;
	size_t i;
	long n;

	j = json_load_file(sd->path, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		fprintf(stderr, "tkms-srtp-proof: %s: %s (line %d)\n", sd->path, je.text, je.line);
		return -1;
	}
	*keep = j;
	sd->role = json_string_value(json_object_get(j, "role"));
	arr = json_object_get(j, "crypto_sessions");
	if (!sd->role || !json_is_array(arr) || json_array_size(arr) == 0 ||
	    json_array_size(arr) > MAX_CS) {
		fprintf(stderr, "tkms-srtp-proof: %s: not an srtp-keys output\n", sd->path);
		return -1;
	}
	json_array_foreach(arr, i, x) {
		const char *sender = json_string_value(json_object_get(x, "sender"));
		const char *key = json_string_value(json_object_get(x, "master_key"));
		const char *salt = json_string_value(json_object_get(x, "master_salt"));
		json_int_t id = json_integer_value(json_object_get(x, "cs_id"));
		struct ue_srtp_stream *s = &sd->cs[i].s;

		if (!sender || !key || !salt || id < 1 || id > 255) {
			fprintf(stderr, "tkms-srtp-proof: %s: crypto session %zu incomplete\n",
				sd->path, i);
			return -1;
		}
		sd->cs[i].cs_id = (unsigned)id;
		sd->cs[i].init_sends = !strcmp(sender, "initiator");
		n = tk_hex_decode(key, s->key, sizeof s->key);
		if (n != 16 && n != 32) {
			fprintf(stderr, "tkms-srtp-proof: %s: CS %u master key not 16/32 octets\n",
				sd->path, sd->cs[i].cs_id);
			return -1;
		}
		s->key_len = (size_t)n;
		if (tk_hex_decode(salt, s->salt, sizeof s->salt) != 14) {
			fprintf(stderr, "tkms-srtp-proof: %s: CS %u master salt not 14 octets\n",
				sd->path, sd->cs[i].cs_id);
			return -1;
		}
		s->ssrc = (uint32_t)json_integer_value(json_object_get(x, "ssrc"));
		s->roc = (uint32_t)json_integer_value(json_object_get(x, "roc"));
		s->seq = (uint16_t)json_integer_value(json_object_get(x, "seq"));
	}
	sd->n = (unsigned)json_array_size(arr);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tkms-srtp-proof --initiator KEYS.json --responder KEYS.json "
		   "[--packets N]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "initiator", required_argument, NULL, 'i' },
		{ "responder", required_argument, NULL, 'r' },
		{ "packets", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct side *I = calloc(1, sizeof *I), *R = calloc(1, sizeof *R);
	json_t *ji = NULL, *jr = NULL;
	unsigned long npk = 100;
	unsigned k, m, bad = 0, dirs = 0;
	char err[256], *end;
	int c, rc = 1;

	if (!I || !R)
		return 1;
	tk_json_wipe_on_free(); /* the key files carry master keys as hex */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': I->path = optarg; break;
		case 'r': R->path = optarg; break;
		case 'n':
			npk = strtoul(optarg, &end, 10);
			if (*end || npk == 0 || npk > 1000000) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!I->path || !R->path || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (load(I, &ji) || load(R, &jr))
		goto out;
	if (strcmp(I->role, "initiator") || strcmp(R->role, "responder")) {
		fprintf(stderr, "tkms-srtp-proof: FAIL: expected an initiator's and a responder's keys "
				"(got %s and %s)\n", I->role, R->role);
		goto out;
	}
	if (I->n != R->n) {
		fprintf(stderr, "tkms-srtp-proof: FAIL: %u crypto sessions vs %u\n", I->n, R->n);
		goto out;
	}
	for (k = 0; k < I->n; k++) {
		struct ue_srtp_stream *tx, *rx;

		for (m = 0; m < R->n && R->cs[m].cs_id != I->cs[k].cs_id; m++)
			;
		if (m == R->n || R->cs[m].init_sends != I->cs[k].init_sends) {
			fprintf(stderr, "tkms-srtp-proof: FAIL: CS %u missing or with another sender "
					"on the responder\n", I->cs[k].cs_id);
			bad++;
			continue;
		}
		tx = I->cs[k].init_sends ? &I->cs[k].s : &R->cs[m].s;
		rx = I->cs[k].init_sends ? &R->cs[m].s : &I->cs[k].s;
		if (ue_srtp_proof(tx, rx, (unsigned)npk, err, sizeof err)) {
			fprintf(stderr, "tkms-srtp-proof: FAIL: CS %u (%s -> %s, SSRC %08x): %s\n",
				I->cs[k].cs_id, I->cs[k].init_sends ? "initiator" : "responder",
				I->cs[k].init_sends ? "responder" : "initiator", tx->ssrc, err);
			bad++;
			continue;
		}
		dirs |= I->cs[k].init_sends ? 1u : 2u;
		printf("CS %u %s -> %s SSRC %08x: %lu RTP + 1 RTCP packets protected and "
		       "unprotected OK\n", I->cs[k].cs_id,
		       I->cs[k].init_sends ? "initiator" : "responder",
		       I->cs[k].init_sends ? "responder" : "initiator", tx->ssrc, npk);
	}
	if (bad) {
		fprintf(stderr, "tkms-srtp-proof: FAIL: %u of %u crypto sessions do not match\n", bad,
			I->n);
		goto out;
	}
	if (dirs != 3)
		printf("note: only one direction present in the CS map\n");
	printf("SRTP proof passed: %u crypto sessions\n", I->n);
	rc = 0;
out:
	tk_wipe(I, sizeof *I);
	tk_wipe(R, sizeof *R);
	free(I);
	free(R);
	json_decref(ji);
	json_decref(jr);
	return rc;
}
