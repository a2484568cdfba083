/*
 * mprotect.h: protection of MIKEY-TICKET messages on top of mcrypto.h:
 * the rows C/D key sets with the RANDs of mikey.md 5.3, the V MAC over the
 * coverage of mikey.md 5.6 (P-4 identities, P-26), KEMAC encryption of a
 * Key data chain (IV from the carrying message's T, P-12), the Initiator
 * Data Vi/Vr (row E, P-12), and the MIKEY base ticket (P-10, mikey.md 5.7,
 * 5.8: seal and open with a KMS-only TPK, MPKi/MPKr by row G).
 *
 * Usage for a sender: fill a struct mk_msg description, derive its key set
 * with mk_msg_keyset (the description suffices), encrypt its KEMAC with
 * mk_kemac_seal, mk_build, then mk_msg_protect (and for a forking
 * TRANSFER_INIT mk_init_data_protect).  A receiver: mk_parse, mk_msg_keyset,
 * mk_msg_verify, mk_kemac_open.  Nothing allocates (but GnuTLS, for a
 * signature or PKE of the PK variants); keys are wiped.
 */
#ifndef TK_MIKEY_MPROTECT_H
#define TK_MIKEY_MPROTECT_H

#include "mikey/mikey.h"

/* Identities to use in MAC suffixes when the message omits the IDR
 * payload (P-4, P-25); any may be {NULL, 0} when not known. */
struct mk_ids {
	struct mk_bytes i, r, kms;
};

/*
 * Rows C/D key set protecting message m (parsed or a description): PRF
 * from m's HDR, MAC from m's V, encryption from m's KEMAC or else the
 * AES-CM of the PRF's set (P-8).  RANDs per the table of mikey.md 5.3;
 * for a response, `init` is the initial message it answers (for
 * TRANSFER_RESP: the TRANSFER_INIT, whose G flag decides on RANDRr).
 * key = PSK / env_key / MPKi / MPKr'.  Refuses a NULL MAC and mixed sets
 * (MK_ERR_ALG), CSB updates and Error messages (MK_ERR_BAD_ARG: they reuse
 * the key set of the exchange they belong to).
 */
int mk_msg_keyset(struct mk_keyset *ks, const struct mk_msg *m,
		  const struct mk_msg *init, const uint8_t *key, size_t key_len);

/* The MAC input of mikey.md 5.6 as at most 5 spans.  MK_ERR_MISSING_PAYLOAD
 * when an identity is neither in the message nor in ids. */
int mk_msg_mac_input(const struct mk_msg *m, const struct mk_msg *init,
		     const struct mk_ids *ids, struct mk_span sp[5], size_t *nsp);

/* Compute V's MAC of a message built by mk_build into buf (== m->buf).
 * For a TRANSFER_INIT with Initiator Data, Vi is set to the same MAC. */
int mk_msg_protect(uint8_t *buf, const struct mk_msg *m, const struct mk_keyset *ks,
		   const struct mk_msg *init, const struct mk_ids *ids);
/* Check V's MAC (constant time): MK_OK or MK_ERR_MAC. */
int mk_msg_verify(const struct mk_msg *m, const struct mk_keyset *ks,
		  const struct mk_msg *init, const struct mk_ids *ids);

/* Vr of a built TRANSFER_INIT's Initiator Data: MAC keyed by row E from
 * MPKr with the TP PRF (P-12), over the Initiator Data except Vr's MAC. */
int mk_init_data_protect(uint8_t *buf, const struct mk_msg *m,
			 const uint8_t *mpkr, size_t mpkr_len);
/* KMS at resolve: Vr of a ticket's Initiator Data. MK_OK or MK_ERR_MAC. */
int mk_init_data_verify_vr(const struct mk_ticket *tk, const uint8_t *mpkr,
			   size_t mpkr_len);
/* Responder: TRANSFER_INIT's V MAC equals Vi (constant time). */
int mk_init_data_check_vi(const struct mk_msg *transfer_init);

/* KEMAC content: build the Key data chain and encrypt it with ks (IV from
 * csb_id and the carrying message's T, 5.5) into out. */
int mk_kemac_seal(const struct mk_keylist *kl, const struct mk_keyset *ks,
		  uint32_t csb_id, const struct mk_t *t,
		  uint8_t *out, size_t cap, size_t *out_len);
/* Decrypt a KEMAC into plain and parse its Key data chain (kl points into
 * plain; the caller wipes plain). */
int mk_kemac_open(const struct mk_kemac *k, const struct mk_keyset *ks,
		  uint32_t csb_id, const struct mk_t *t,
		  uint8_t *plain, size_t cap, struct mk_keylist *kl);

/* ---- PK variants: REQUEST_INIT_PK, RESOLVE_INIT_PK (RFC 6043 4.2) ----
 *
 * The sender picks a random env_key (MK_ENV_KEY_LEN octets, the length of
 * a Ks_NAF so that rows C/D and the RAND rule of P-20 stay as for PSK),
 * sends it in PKE encrypted under the KMS's RSA public key (PKCS#1 v1.5,
 * C = 0: no caching), and signs the message.  SIGN covers mikey.md 5.6:
 * the message up to the signature field (SIGN's S type / length octets
 * included) || own identity || KMS identity.  S type 0 = RSASSA-PKCS1-v1_5
 * and 1 = RSASSA-PSS (salt = hash length), both with SHA-256 (neither RFC
 * names the hash; tkms chooses SHA-256).  The KMS answers with the rows D
 * keys of env_key (mk_msg_keyset with key = env_key); a PK initial
 * message's own key set (for a MACed Error) takes the MAC of its PRF's set.
 * Key types are GnuTLS's, declared here by their struct tags. */
struct gnutls_privkey_st;
struct gnutls_pubkey_st;

enum { MK_ENV_KEY_LEN = 32 };

/* PKE data for env_key (MK_ENV_KEY_LEN octets). */
int mk_pke_seal(struct gnutls_pubkey_st *kms, const uint8_t *env_key,
		uint8_t *out, size_t cap, size_t *out_len);
/* env_key from a parsed PKE: MK_ERR_PKE when it does not decrypt to exactly
 * MK_ENV_KEY_LEN octets (no other detail, to give no padding oracle). */
int mk_pke_open(struct gnutls_privkey_st *kms, const struct mk_pke *pke,
		uint8_t env_key[MK_ENV_KEY_LEN]);
/* Length of a signature made with key (RSA: the modulus length), 0 when
 * the key is not RSA. */
size_t mk_sign_len(struct gnutls_privkey_st *key);
/* Fill SIGN's signature of a message built by mk_build into buf (== m->buf;
 * m->sign.sig was given as {NULL, mk_sign_len(key)}). */
int mk_msg_sign(uint8_t *buf, const struct mk_msg *m, struct gnutls_privkey_st *key,
		const struct mk_ids *ids);
/* Check SIGN with the sender's public key: MK_OK or MK_ERR_SIGN. */
int mk_msg_verify_sign(const struct mk_msg *m, struct gnutls_pubkey_st *pub,
		       const struct mk_ids *ids);

/* ---- MIKEY base ticket (P-10) ---- */

/* THDR data: format version 1 + 4-octet key id. */
enum { MK_THDR_VERSION = 1, MK_THDR_LEN = 5 };

struct mk_tpk {
	uint32_t key_id;
	const uint8_t *key;
	size_t len;
};

struct mk_seal_in {
	const struct mk_tpk *tpk;
	uint64_t t;                    /* NTP-UTC time of issue (P-24) */
	struct mk_bytes rand;          /* >= max(|TPK|, |MPK|) octets */
	const struct mk_keylist *keys; /* MPK (type 6) first, then session keys */
	const struct mk_idr *idrpsk;   /* optional */
};

/*
 * Seal: tk holds the granted policy (fields and tp; tp_data_raw NULL).
 * Writes into out the TP Data then the Ticket Data (THDR, T, RAND, KEMAC
 * under AES-CM-256, [IDRpsk], V with HMAC-SHA-256-256 over the TICKET
 * payload coverage of mikey.md 3.6), row H keys from the TPK with the TP
 * PRF; sets tk->is_ticket, tk->tp_data_raw and tk->ticket_data to point
 * into out, ready for mk_build.
 */
int mk_ticket_seal(struct mk_ticket *tk, const struct mk_seal_in *in,
		   uint8_t *out, size_t cap, size_t *out_len);

struct mk_ticket_keys {
	uint32_t key_id;
	struct mk_ticket_data td;      /* parsed Ticket Data (points into the ticket) */
	struct mk_keylist keys;        /* decrypted: k[0] = MPK (points into plain) */
	uint8_t mpki[32], mpkr[32];    /* row G */
	size_t mpk_len;
};

/* Open a parsed TICKET: Ticket Type 1 (else MK_ERR_BAD_VALUE), THDR key id
 * among tpks (else MK_ERR_UNKNOWN_KEY), ticket MAC (else MK_ERR_MAC),
 * decrypt into plain, MPKi/MPKr. */
int mk_ticket_open(const struct mk_ticket *tk, const struct mk_tpk *tpks,
		   unsigned ntpk, uint8_t *plain, size_t cap,
		   struct mk_ticket_keys *out);
void mk_ticket_keys_wipe(struct mk_ticket_keys *k);

#endif
