/*
 * call.h: the UE side of the MIKEY-TICKET flow (RFC 6043 mode 1, mikey.md
 * 1.2 and 4; profile P-2..P-4, P-11, P-12, P-19, P-20, P-25, P-26):
 *
 *   initiator: REQUEST_INIT_PSK -> REQUEST_RESP   (ue_request_build/_finish)
 *              TRANSFER_INIT                       (ue_transfer_init)
 *              TRANSFER_RESP                       (ue_accept)
 *   responder: TRANSFER_INIT -> RESOLVE_INIT_PSK  (ue_resolve_begin)
 *              RESOLVE_RESP                        (ue_resolve_finish)
 *              TRANSFER_RESP                       (ue_transfer_resp)
 *   both:      SRTP master keys per crypto session (ue_srtp_keys, row I)
 *
 * No network and no GBA here: the caller passes the MIKEY pre-shared key
 * (Ks_NAF for Ua id 01 00 00 00 06, P-1) and the B-TID, moves the bytes to
 * the KMS (kmsclient.h) or to the peer (files, SDP), and keeps the call state
 * (struct ue_call) across steps, on disk with ue_call_save/ue_call_load.
 */
#ifndef TK_UE_CALL_H
#define TK_UE_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mikey/mikey.h"

enum ue_rc {
	UE_OK = 0,
	UE_E_ARG = -1,     /* bad argument or option */
	UE_E_PARSE = -2,   /* message malformed or not the expected type */
	UE_E_AUTH = -3,    /* MAC wrong (message refused) */
	UE_E_POLICY = -4,  /* policy not acceptable (early reject, granted policy) */
	UE_E_PEER = -5,    /* the peer / KMS answered with a MIKEY Error */
	UE_E_STATE = -6,   /* call state does not allow this step */
	UE_E_CRYPTO = -7,  /* derivation / encryption failure */
	UE_E_IO = -8,      /* state file */
	UE_E_TS = -9,      /* timestamp outside the window */
};

/* What went wrong, for the user: text, and the MIKEY Error no that applies
 * (received from the peer for UE_E_PEER, to send back for UE_E_POLICY /
 * UE_E_AUTH / UE_E_TS), or -1. */
struct ue_err {
	int mikey_error;
	char msg[256];
};

const char *ue_rc_name(int rc);

enum {
	UE_MAX_ID = 256,      /* identity (IMPU, FQDN, B-TID) incl. NUL */
	UE_MAX_PEERS = 8,     /* IDRr wished in a request */
	UE_MAX_KEYS = 8,      /* session keys kept from a KEMAC */
	UE_MAX_CS = 8,        /* crypto sessions of a call */
	UE_MAX_SPI = 16,
	UE_MAX_MSG = 8192,    /* any MIKEY message the UE keeps */
	UE_RAND_LEN = 32,     /* P-20 */
	UE_TS_WINDOW = 300,   /* P-9: allowed clock skew, seconds */
	UE_DEFERRED_LIFETIME = 7 * 86400, /* deferred delivery: wished TRe - now (P-11 max) */
};

/* The MIKEY pre-shared key material of one UE (P-1, P-2). */
struct ue_cred {
	char btid[UE_MAX_ID];   /* IDRpsk */
	uint8_t psk[32];        /* Ks_NAF for (KMS FQDN, 01 00 00 00 06) */
};

/* One key out of a KEMAC (mikey.md 3.3). */
struct ue_key {
	uint8_t type;           /* enum mk_key_type */
	uint8_t key[32];
	size_t key_len;
	uint8_t salt[14];
	size_t salt_len;        /* 0 unless *+SALT */
	uint8_t spi[UE_MAX_SPI];
	size_t spi_len;
};

/* One crypto session of the GENERIC-ID map with what SRTP needs (3.1).
 * Convention (ours): odd CS ids are streams the initiator sends, even ones
 * streams the responder sends; each side fills SSRC/ROC/SEQ of its own. */
struct ue_cs {
	uint8_t cs_id;
	bool initiator_sends;
	bool filled;            /* Session Data known */
	uint8_t policy_no;
	uint32_t ssrc;
	uint32_t roc;
	uint16_t seq;
	uint8_t spi[UE_MAX_SPI];
	size_t spi_len;
};

enum ue_role { UE_ROLE_NONE = 0, UE_ROLE_INITIATOR = 1, UE_ROLE_RESPONDER = 2 };

enum ue_stage {
	UE_ST_NONE = 0,
	UE_ST_REQUESTED,     /* I: ticket and keys held */
	UE_ST_TRANSFERRED,   /* I: TRANSFER_INIT sent */
	UE_ST_ACCEPTED,      /* I: TRANSFER_RESP verified (or F = 0) */
	UE_ST_RESOLVING,     /* R: TRANSFER_INIT read, RESOLVE_INIT built */
	UE_ST_RESOLVED,      /* R: RESOLVE_RESP and TRANSFER_INIT verified */
	UE_ST_RESPONDED,     /* R: TRANSFER_RESP built */
};

/* Everything one side keeps between steps.  Contains keys: wipe with
 * ue_call_wipe, store only with ue_call_save (0600). */
struct ue_call {
	int role;
	int stage;
	char impu[UE_MAX_ID];         /* own identity (IDRi or IDRr) */
	char kms[UE_MAX_ID];          /* KMS FQDN (IDRkms) */
	char peer[UE_MAX_ID];         /* I: IDRr of TRANSFER_INIT; R: IDRi */
	uint8_t prf;                  /* HDR PRF of this side's messages */
	uint8_t mac;                  /* V MAC algorithm */
	uint8_t encr;                 /* KEMAC encryption */
	/* ticket (I: from REQUEST_RESP; R: from TRANSFER_INIT) */
	uint32_t flags;               /* granted Ticket Policy flags */
	uint8_t tp_prf;
	int64_t valid_to;             /* TRe as Unix seconds, 0 if unbounded */
	/* keys */
	struct ue_key mpki;
	struct ue_key mpkr;           /* I: MPKr; R: MPKr' (forking only) */
	unsigned nkeys;
	struct ue_key keys[UE_MAX_KEYS];  /* I: unforked; R: TGK' when forking */
	/* transfer */
	uint32_t csb_id;
	uint8_t randri[UE_RAND_LEN];
	size_t randri_len;
	uint8_t randrr[UE_RAND_LEN];
	size_t randrr_len;
	char idrr_bound[UE_MAX_ID];   /* IDRr of RESOLVE_RESP / TRANSFER_RESP */
	uint8_t randrkms[64];
	size_t randrkms_len;
	unsigned ncs;
	struct ue_cs cs[UE_MAX_CS];
	/* messages kept for later MACs / parsing */
	uint8_t reqresp[UE_MAX_MSG];  /* I: REQUEST_RESP (holds the TICKET) */
	size_t reqresp_len;
	uint8_t tinit[UE_MAX_MSG];    /* TRANSFER_INIT (suffix of TRANSFER_RESP, P-26) */
	size_t tinit_len;
	uint8_t kreq[UE_MAX_MSG];     /* REQUEST_INIT / RESOLVE_INIT last sent to the KMS */
	size_t kreq_len;
	/* I with forking after ue_accept: TGK' / MPKr' (keys[] stay unforked
	 * so that the requester could reuse the ticket) */
	bool forked;
	/* A lawful-interception network function (profile P-14, engine.h):
	 * its RESOLVE_RESP holds the unforked MPKi, MPKr and TGK, no IDRr and
	 * no RANDRkms; ue_observe then derives the fork of the responder that
	 * answers from its TRANSFER_RESP, as the initiator does. */
	bool observer;
	struct ue_key mpkr_f;
	struct ue_key fkeys[UE_MAX_KEYS];
	size_t srtp_key_len;          /* SP type 1 (16, or 32 for AES-CM-256) */
};

void ue_call_init(struct ue_call *c);
void ue_call_wipe(struct ue_call *c);

/* JSON state file, written atomically with mode 0600 (temp, fsync, rename). */
int ue_call_save(const struct ue_call *c, const char *path, struct ue_err *e);
int ue_call_load(struct ue_call *c, const char *path, struct ue_err *e);

/* ---- initiator: ticket request --------------------------------------- */

enum ue_algset { UE_ALGS_128 = 0, UE_ALGS_256 = 1 };  /* P-8 */

struct ue_request_opts {
	const char *impu;             /* IDRi */
	const char *kms;              /* IDRkms */
	const char *peers[UE_MAX_PEERS]; /* IDRr list (responders or group URIs) */
	unsigned npeers;
	unsigned lifetime;            /* wished TRe - now, seconds; 0: KMS default */
	bool forking;                 /* wish I (default true) */
	bool reuse;                   /* wish J (default true) */
	int algset;                   /* enum ue_algset */
	bool require_forking;         /* refuse a ticket granted without I */
	bool deferred;                /* deferred delivery (voice mail): wish F = G = I = 0,
				       * H = 1 and, without lifetime, 7 days; refuse a grant
				       * that would need an answer (F, G) or fork (I) */
};

void ue_request_opts_default(struct ue_request_opts *o);

/* Build REQUEST_INIT_PSK into out; the call remembers what it needs to
 * check the answer (c->kreq keeps the request). */
int ue_request_build(struct ue_call *c, const struct ue_request_opts *o,
		     const struct ue_cred *cred, uint8_t *out, size_t cap,
		     size_t *out_len, struct ue_err *e);

/* Verify REQUEST_RESP (row D, suffix = the whole REQUEST_INIT), decrypt its
 * KEMAC, check the granted policy; on success the call holds the ticket and
 * keys (stage REQUESTED).  A MIKEY Error from the KMS gives UE_E_PEER with
 * e->mikey_error set (MAC checked when it has one). */
int ue_request_finish(struct ue_call *c, const struct ue_request_opts *o,
		      const struct ue_cred *cred, const uint8_t *resp,
		      size_t resp_len, struct ue_err *e);

/* Unprotected ticket (D = 0, keys in clear; see call.c): the initiator
 * makes it itself from o (impu, peers, lifetime, reuse, algset; no KMS) and
 * holds it as after ue_request_finish (stage REQUESTED).  Whoever sees the
 * ticket has every key: use only where SDES over a plain channel would do. */
int ue_make_ticket(struct ue_call *c, const struct ue_request_opts *o, struct ue_err *e);

/* ---- initiator: transfer ----------------------------------------------- */

struct ue_transfer_opts {
	const char *to;               /* IDRr of TRANSFER_INIT; default: first IDRr of the ticket */
	unsigned ncs;                 /* crypto sessions, default 2 (CS 1 I->R, CS 2 R->I) */
};

int ue_transfer_init(struct ue_call *c, const struct ue_transfer_opts *o,
		     uint8_t *out, size_t cap, size_t *out_len, struct ue_err *e);

/* Verify TRANSFER_RESP (F = 1) and complete the CS map; with forking derive
 * MPKr' and TGK' first (row F, IDRr and RANDRkms of the message). */
int ue_accept(struct ue_call *c, const uint8_t *msg, size_t len, struct ue_err *e);

/* ---- responder ----------------------------------------------------------- */

/* Read TRANSFER_INIT, do the early policy checks of mikey.md 6.2 (on refusal
 * UE_E_POLICY with e->mikey_error = 14 / 15 / 10 / 1), and build
 * RESOLVE_INIT_PSK into out. */
int ue_resolve_begin(struct ue_call *c, const char *impu, const char *kms,
		     const struct ue_cred *cred, const uint8_t *tinit, size_t tinit_len,
		     uint8_t *out, size_t cap, size_t *out_len, struct ue_err *e);

/* True when a TRANSFER_INIT carries a ticket its initiator made (D = 0). */
bool ue_ticket_unprotected(const uint8_t *tinit, size_t len);

/* Responder side of ue_make_ticket: read TRANSFER_INIT (early checks as in
 * ue_resolve_begin), check the ticket names impu, take MPK and keys from
 * the Ticket Data in clear, verify the V MAC with MPKi; stage RESOLVED
 * without any KMS.  The caller decides whether it accepts such a call. */
int ue_resolve_unprotected(struct ue_call *c, const char *impu, const uint8_t *tinit,
			   size_t tinit_len, struct ue_err *e);

/* Verify RESOLVE_RESP (row D, suffix = RESOLVE_INIT), take MPKi, [MPKr'],
 * keys, IDRr, RANDRkms; then verify TRANSFER_INIT's V with MPKi and, with
 * forking, that it equals the Vi MAC. */
int ue_resolve_finish(struct ue_call *c, const struct ue_cred *cred,
		      const uint8_t *resp, size_t resp_len, struct ue_err *e);

/* Network function with intercept rights: after ue_resolve_begin set
 * c->observer = true; ue_resolve_finish then also accepts the unforked
 * RESOLVE_RESP of a forking ticket.  ue_observe reads a responder's
 * TRANSFER_RESP with those keys (the initiator's checks and derivations,
 * ue_accept): the call takes the initiator's view (role INITIATOR, stage
 * ACCEPTED) so that ue_srtp_keys gives the keys of the call that answer
 * set up.  An observer never answers (ue_transfer_resp refuses). */
int ue_observe(struct ue_call *c, const uint8_t *msg, size_t len, struct ue_err *e);

/* Build TRANSFER_RESP (F = 1; UE_E_STATE when the ticket says F = 0). */
int ue_transfer_resp(struct ue_call *c, uint8_t *out, size_t cap, size_t *out_len,
		     struct ue_err *e);

/* Transfer Error message (HDR copied from TRANSFER_INIT, T, ERR, no V):
 * what a responder sends back when it refuses early. */
int ue_transfer_error(const uint8_t *tinit, size_t tinit_len, uint8_t code,
		      uint8_t *out, size_t cap, size_t *out_len);

/* ---- both: SRTP keys ------------------------------------------------------ */

struct ue_srtp_cs {
	uint8_t cs_id;
	bool initiator_sends;
	uint32_t ssrc, roc;
	uint16_t seq;
	uint8_t key[32];    /* TEK, row I (MK_C_TEK) */
	size_t key_len;
	uint8_t salt[14];   /* key data salt, else row I (MK_C_TGK_SALT) */
};

/* One entry per crypto session of an accepted / responded call.  TEK from
 * the first TGK (or TGK'), RANDRi iff H, RANDRr iff G (mikey.md 5.3). */
int ue_srtp_keys(const struct ue_call *c, struct ue_srtp_cs *out, unsigned cap,
		 unsigned *n, struct ue_err *e);

/* RFC 4567 SDP attribute line "a=key-mgmt:mikey <base64>" (NUL-terminated). */
int ue_sdp_key_mgmt(const uint8_t *msg, size_t len, char *out, size_t cap);
/* Inverse: accepts the line with or without "a=" or the bare base64. */
long ue_sdp_parse(const char *text, size_t len, uint8_t *out, size_t cap);

#endif
