/*
 * gen-mikey-corpus.c: writes the seed corpus of fuzz-mikey into the
 * directory given as argv[1]: one file per sample message of
 * tests/unit/codec-samples.h in both algorithm sets, plus messages protected
 * with the harness's fixed key (REQUEST_INIT_PSK, a REQUEST_RESP whose
 * ticket the harness can open, a TRANSFER_INIT with valid Vi/Vr) so that
 * fuzzing reaches the MAC, decryption and ticket code.
 */
#include <stdio.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "codec-samples.h"

static const uint8_t key[32] = { 1, 2, 3, 4 }; /* as in fuzz-mikey.c */

static int put(const char *dir, const char *name, unsigned big,
	       const uint8_t *b, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%s.mikey", dir, name, big ? "256" : "128");
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f))
		return 1;
	return 0;
}

/* Protected messages of one algorithm set. */
static int protected_set(const char *dir, unsigned big)
{
	static uint8_t b[4096], td[1024], kem[512];
	static const struct mk_tpk tpk = { 0x01020304, key, 32 };
	size_t n, kn, mpk = big ? 32 : 16;
	struct mk_msg m, resp;
	struct mk_keylist kl;
	struct mk_seal_in si;
	struct mk_keyset ks;
	unsigned i;

	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, big);
	if (mk_msg_keyset(&ks, &m, NULL, key, 32) || mk_build(&m, b, sizeof(b), &n) ||
	    mk_msg_protect(b, &m, &ks, NULL, NULL) || put(dir, "req-init-mac", big, b, n))
		return 1;

	smp_msg(&resp, MK_DT_REQUEST_RESP, big);
	resp.ticket.prf = MK_PRF_HMAC_SHA256;
	memset(&kl, 0, sizeof(kl));
	kl.n = 2;
	for (i = 0; i < 2; i++) {
		kl.k[i].type = i ? MK_KEY_TGK_SALT : MK_KEY_MPK;
		kl.k[i].key = (struct mk_bytes){ smp_rand32, i ? 16 : mpk };
		kl.k[i].salt = (struct mk_bytes){ smp_rand32, i ? 14 : 0 };
		kl.k[i].kv.type = MK_KV_SPI;
		kl.k[i].kv.spi = (struct mk_bytes){ smp_spi, 4 };
	}
	si = (struct mk_seal_in){ &tpk, 0xeb00000012345678ull, { smp_rand32, 32 }, &kl, NULL };
	if (mk_ticket_seal(&resp.ticket, &si, td, sizeof(td), &n))
		return 1;
	if (mk_msg_keyset(&ks, &resp, &m, key, 32) ||
	    mk_kemac_seal(&kl, &ks, resp.hdr.csb_id, &resp.t, kem, sizeof(kem), &kn))
		return 1;
	resp.kemac.encr = (struct mk_bytes){ kem, kn };
	if (mk_build(&resp, b, sizeof(b), &n) || mk_msg_protect(b, &resp, &ks, &m, NULL) ||
	    put(dir, "req-resp-ticket", big, b, n) || mk_parse(b, n, &resp))
		return 1;

	smp_msg(&m, MK_DT_TRANSFER_INIT, big);
	m.ticket = resp.ticket;
	m.ticket.init_data = (struct mk_bytes){ NULL, 0 };
	if (mk_msg_keyset(&ks, &m, NULL, key, 32) || mk_build(&m, td, sizeof(td), &n) ||
	    mk_msg_protect(td, &m, &ks, NULL, NULL) || mk_init_data_protect(td, &m, key, 16) ||
	    put(dir, "transfer-init-mac", big, td, n))
		return 1;
	mk_keyset_wipe(&ks);
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t buf[4096];
	struct mk_msg m;
	char path[32];
	unsigned i, big;
	size_t n;

	if (argc != 2)
		return 2;
	for (i = 0; i < sizeof(smp_types); i++)
		for (big = 0; big < 2; big++) {
			smp_msg(&m, smp_types[i], big);
			if (mk_build(&m, buf, sizeof(buf), &n) != MK_OK)
				return 1;
			snprintf(path, sizeof(path), "dt%02u", smp_types[i]);
			if (put(argv[1], path, big, buf, n))
				return 1;
		}
	return protected_set(argv[1], 0) || protected_set(argv[1], 1);
}
