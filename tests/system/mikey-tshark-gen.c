/*
 * mikey-tshark-gen.c: writes MIKEY-TICKET messages built and MACed with
 * libmikey (128-bit set: MIKEY-1 PRF, HMAC-SHA-1-160, AES-CM-128, 64-bit T,
 * as tshark 4.0 needs, mikey.md 6.6) as a text2pcap hex dump, one packet per
 * message, for tests/system/tshark-mikey.sh.  Order of the packets:
 * RESOLVE_RESP, Error, SAKKE I_MESSAGE, REQUEST_INIT_PSK, REQUEST_RESP.
 */
#include <stdio.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"
#include "codec-samples.h"

static const uint8_t psk[32] = { 0x50, 0x53, 0x4b };

static void dump(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%02x%s", i % 16 ? "" : (printf("%06zx", i), " "), b[i],
		       i % 16 == 15 || i + 1 == n ? "\n" : " ");
}

static int protect(struct mk_msg *m, const struct mk_msg *init, uint8_t *b,
		   size_t cap, size_t *n)
{
	struct mk_keyset ks;
	int e = mk_msg_keyset(&ks, m, init, psk, sizeof(psk));

	if (!e)
		e = mk_build(m, b, cap, n);
	if (!e)
		e = mk_msg_protect(b, m, &ks, init, NULL);
	mk_keyset_wipe(&ks);
	return e;
}

int main(void)
{
	static uint8_t ri[2048], rr[2048], b[2048], kem[256];
	struct mk_msg init, m;
	struct mk_keylist kl;
	struct mk_keyset ks;
	size_t n, nri, kn;
	int e;

	/* RESOLVE_RESP: T, IDRkms, KEMAC (TGK with SPI), IDRr, V */
	smp_msg(&init, MK_DT_RESOLVE_INIT_PSK, false);
	if (protect(&init, NULL, ri, sizeof(ri), &nri) || mk_parse(ri, nri, &init))
		return 1;
	smp_msg(&m, MK_DT_RESOLVE_RESP, false);
	m.randr[MK_RANDR_KMS].pl.present = false; /* RANDR stops tshark 4.0 */
	memset(&kl, 0, sizeof(kl));
	kl.n = 1;
	kl.k[0].type = MK_KEY_TGK;
	kl.k[0].key = (struct mk_bytes){ smp_rand32, 16 };
	kl.k[0].kv.type = MK_KV_SPI;
	kl.k[0].kv.spi = (struct mk_bytes){ smp_spi, 4 };
	e = mk_msg_keyset(&ks, &m, &init, psk, sizeof(psk));
	if (!e)
		e = mk_kemac_seal(&kl, &ks, m.hdr.csb_id, &m.t, kem, sizeof(kem), &kn);
	mk_keyset_wipe(&ks);
	m.kemac.encr = (struct mk_bytes){ kem, kn };
	if (e || protect(&m, &init, rr, sizeof(rr), &n))
		return 1;
	dump(rr, n);

	/* Error: T, ERR x2, SP, General Ext, V (MACed like the failed message) */
	smp_msg(&m, MK_DT_ERROR, false);
	if (mk_build(&m, b, sizeof(b), &n))
		return 1;
	dump(b, n);

	/* SAKKE I_MESSAGE (RFC 6509): T, RAND, IDRi, IDRr, SAKKE, SIGN */
	smp_msg(&m, MK_DT_SAKKE, false);
	if (mk_build(&m, b, sizeof(b), &n))
		return 1;
	dump(b, n);

	/* REQUEST_INIT_PSK: tshark 4.0 stops silently at RANDR */
	smp_msg(&m, MK_DT_REQUEST_INIT_PSK, false);
	if (protect(&m, NULL, b, sizeof(b), &n))
		return 1;
	dump(b, n);
	return 0;
}
