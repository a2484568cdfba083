/*
 * fuzz-mikey.c: libFuzzer harness for the MIKEY-TICKET codec (src/mikey).
 * Every decoder sees the input: mk_parse and, on success, the protection
 * entry points with fixed keys (MAC check, KEMAC decryption, ticket open,
 * Vi/Vr), a rebuild that must succeed and be stable (build(parse(build(x)))
 * == build(x)); the nested decoders (Key data chain, Ticket Data,
 * Initiator Data) parse the raw input too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mikey/mikey.h"
#include "mikey/mprotect.h"

static const uint8_t key[32] = { 1, 2, 3, 4 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t b1[70000], b2[70000], plain[70000];
	static const struct mk_tpk tpk = { 0x01020304, key, 32 };
	struct mk_msg m, m2;
	struct mk_keylist kl;
	struct mk_ticket_data td;
	struct mk_init_data id;
	struct mk_ticket_keys tk;
	struct mk_keyset ks;
	size_t eoff, n1, n2;

	mk_keylist_parse(data, size, &kl, &eoff);
	mk_ticket_data_parse(data, size, &td, &eoff);
	mk_init_data_parse(data, size, &id, &eoff);
	if (mk_parse(data, size, &m) != MK_OK)
		return 0;

	if (mk_msg_keyset(&ks, &m, &m, key, 32) == MK_OK) {
		mk_msg_verify(&m, &ks, &m, NULL);
		if (m.kemac.pl.present)
			mk_kemac_open(&m.kemac, &ks, m.hdr.csb_id, &m.t, plain,
				      sizeof(plain), &kl);
		mk_keyset_wipe(&ks);
	}
	if (m.ticket.pl.present && m.ticket.is_ticket) {
		if (mk_ticket_open(&m.ticket, &tpk, 1, plain, sizeof(plain), &tk) == MK_OK)
			mk_ticket_keys_wipe(&tk);
		mk_init_data_verify_vr(&m.ticket, key, 16);
		if (m.hdr.data_type == MK_DT_TRANSFER_INIT)
			mk_init_data_check_vi(&m);
	}

	/* What the parser accepts, the builder can write, and the result is
	 * a fixed point. */
	if (mk_build(&m, b1, sizeof(b1), &n1) != MK_OK)
		abort();
	if (mk_parse(b1, n1, &m2) != MK_OK)
		abort();
	if (mk_build(&m2, b2, sizeof(b2), &n2) != MK_OK || n1 != n2 ||
	    memcmp(b1, b2, n1) != 0)
		abort();
	return 0;
}
