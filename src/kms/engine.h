/*
 * engine.h: the ticket engine of the KMS.  It decides; it speaks no HTTP.
 *
 * Input: one MIKEY message (REQUEST_INIT_PSK or RESOLVE_INIT_PSK, or with
 * cfg.pk their PK variants) as bytes plus the identity the transport
 * authenticated.  Output: a typed outcome,
 * the MIKEY response (REQUEST_RESP / RESOLVE_RESP, or an Error message) in a
 * caller buffer, and one audit record.  Implements profile P-2, P-4, P-6
 * (bodies), P-8..P-15, P-19..P-25 and mikey.md 4, 5.7, 5.8, 6.
 *
 * Use (tkmsd): fill struct kms_engine_config (key source = the NAF library's
 * naf_get_key with TK_UA_IMS_KMS behind lookup()/release(), keyring, replay
 * cache, policy and principals from the configuration), kms_engine_new()
 * once, then per POST /mikey body kms_engine_handle() with the transport
 * identity and a 4 KiB response buffer; map res.outcome to HTTP (table
 * below), send res.resp[0..resp_len) as application/mikey when resp_len > 0,
 * and write res.audit as the P-15 line.  kms_engine_free() at shutdown.
 *
 * Thread safety: an engine is read-only after kms_engine_new(); the only
 * shared mutable state lives behind the key source, the keyring and the
 * replay cache, which are themselves thread-safe.  The engine keeps no
 * per-ticket state (P-10) and allocates nothing while handling a request.
 */
#ifndef KMS_ENGINE_H
#define KMS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gba/kdf.h" /* tk_ua_id, TK_GBA_KEY_LEN */

struct kms_keyring;
struct kms_replay;
struct kms_pk_config;

/*
 * Outcome of one message.  The HTTP status is the daemon's business (one
 * table in tkmsd); the intended mapping from P-6 / P-22 is given per value.
 */
enum kms_outcome {
	KMS_OUT_OK = 0,             /* 200, body REQUEST_RESP / RESOLVE_RESP */
	KMS_OUT_MALFORMED,          /* 400, Error 12 (7: no IDRpsk) if the HDR was readable */
	KMS_OUT_UNSUPPORTED,        /* 400, Error 11 data type, 2 PRF / set disabled, 3 MAC:
				     * NULL MAC or mixed sets (P-8); no body for version != 1 */
	KMS_OUT_BAD_TIMESTAMP,      /* 400, Error 1 (P-9) */
	KMS_OUT_REPLAY,             /* 400, MACed Error 1 (P-9, P-21) */
	KMS_OUT_BOOTSTRAP_REQUIRED, /* 401 + Digest challenge (P-6, P-27): unknown / expired
				     * B-TID; body (optional) unauthenticated Error 0 */
	KMS_OUT_AUTH_FAILED,        /* 403, Error 0: MAC wrong, transport B-TID != IDRpsk (P-2) */
	KMS_OUT_FORBIDDEN,          /* 403, MACed Error 0: identity not the subscriber's, not an
				     * authorized resolver, IDRkms not us (P-13, P-14);
				     * unauthenticated Error 0: the BSF does not authorize us */
	KMS_OUT_TICKET_INVALID,     /* 403, MACed Error 0 (P-22) */
	KMS_OUT_TICKET_TYPE,        /* 400, MACed Error 14 (P-22) */
	KMS_OUT_TP_PARAM,           /* 400, MACed Error 15 (P-22) */
	KMS_OUT_BSF_UNAVAILABLE,    /* 503 + Retry-After; unauthenticated Error 12 */
	KMS_OUT_REPLAY_FULL,        /* 503 + Retry-After (P-9: fail closed); MACed Error 12 */
	KMS_OUT_INTERNAL,           /* 500; Error 12 */
	KMS_OUT_END
};

const char *kms_outcome_str(enum kms_outcome o);

/* What the transport authenticated (P-2, P-7, P-14). value is not
 * NUL-terminated; len is its length. */
enum kms_tid_kind {
	KMS_TID_NONE = 0,     /* plain HTTP, or server-only TLS without Digest */
	KMS_TID_PSK_BTID,     /* the B-TID of the PSK-TLS identity (the transport strips a
			       * "3GPP-bootstrapping." prefix, P-7, naf_psk_identity_btid) */
	KMS_TID_DIGEST_BTID,  /* GBA Digest username = B-TID */
	KMS_TID_CLIENT_CERT,  /* TLS client certificate subject DN */
	KMS_TID_USER,         /* password user: the Digest username of the users realm
			       * (must equal a Byte-string IDRpsk, P-2) */
};

struct kms_transport_id {
	enum kms_tid_kind kind;
	const char *value;
	size_t len;
};

/* ---- key source: B-TID -> Ks_NAF, IMPI, IMPUs (P-1, P-3) ------------------ */

enum kms_key_status {
	KMS_KEY_OK = 0,
	KMS_KEY_NOT_FOUND,       /* unknown / expired B-TID: bootstrap again (401) */
	KMS_KEY_NOT_AUTHORIZED,  /* the BSF refuses the KMS this subscriber (403) */
	KMS_KEY_UNAVAILABLE,     /* BSF unreachable (503) */
};

struct kms_subscriber {
	uint8_t ks_naf[TK_GBA_KEY_LEN];
	int64_t expiry;             /* Unix seconds; the engine refuses an expired key */
	const char *impi;
	size_t n_impus;
	const char *const *impus;   /* IMPUs for the KMS's GAA service, first = default (P-4) */
	void *handle;               /* the source's own reference, for release() */
};

/*
 * The production implementation is the NAF library (naf_get_key with
 * TK_UA_IMS_KMS), ready made in kms/naf_keys.h.  lookup() fills *out on KMS_KEY_OK and the
 * engine then calls release() exactly once (after wiping ks_naf itself).
 */
struct kms_key_source {
	enum kms_key_status (*lookup)(void *ctx, const char *btid, size_t len,
				      tk_ua_id ua, struct kms_subscriber *out);
	void (*release)(void *ctx, struct kms_subscriber *sub);
	void *ctx;
};

/* ---- configuration (tkmsd fills it from its JSON) -------------------------- */

struct kms_group {
	const char *uri;              /* group identity as it appears in a ticket's IDRr */
	const char *const *members;   /* member IMPUs */
	size_t n_members;
};

/*
 * A network-function principal (P-14), identified by the IMPI of its GBA
 * subscription or by the subject DN of its TLS client certificate (the
 * transport identity KMS_TID_CLIENT_CERT); either may be NULL.  Its MIKEY
 * message is still keyed and MACed by its own B-TID.  It may resolve any
 * ticket within the ticket's validity.
 *  - intercept = false (media gateway, ...): it gets what any responder gets,
 *    keys forked for its own IDRr (P-25) - it terminates a leg itself.
 *  - intercept = true (lawful interception): it gets the unforked keys, i.e.
 *    MPKi, MPKr and the ticket's TGKs exactly as the initiator received them
 *    in REQUEST_RESP, and no IDRr / RANDRkms.  With forking on, each
 *    responder's TGK' = row F(TGK, IDRr, RANDRkms) and both values travel in
 *    clear in TRANSFER_RESP, so the interceptor follows any fork from the
 *    signalling, as the initiator does.  A RESOLVE_RESP without RANDRkms
 *    already means "unforked keys" on the wire, so no new syntax is needed.
 * Every NF resolve is audited with its own authorization kind.
 */
struct kms_nf_principal {
	const char *impi;
	const char *cert_subject;
	bool intercept;
	const char *name;             /* for the audit line (P-15); may be NULL */
};

/* Algorithm sets (P-8). */
enum { KMS_SET_128 = 1u << 0, KMS_SET_256 = 1u << 1 };

struct kms_engine_config {
	const char *fqdn;            /* IDRkms (P-3), also the implied identity (P-4) */
	unsigned skew_s;             /* P-9 timestamp window; 0 = 300 */
	uint32_t lifetime_default_s; /* TRe - TRs when not asked (P-11); 0 = 86400 */
	uint32_t lifetime_max_s;     /* most a UE may ask for; 0 = 7 * 86400 */
	unsigned sets;               /* allowed KMS_SET_* ; 0 = both */
	/* Ticket Policy flags (enum mk_tp_flag of mikey/mikey.h).  The grant
	 * takes a flag from the request when it is in flags_choosable, else
	 * from flags_default; D is always set and K computed (P-11, P-23). */
	uint32_t flags_default;      /* 0 = P-11 defaults */
	uint32_t flags_choosable;    /* 0 = F G H I J */
	unsigned max_keys;           /* session keys per ticket; 0 = 4 */
	const struct kms_group *groups;
	size_t n_groups;
	const struct kms_nf_principal *nfs;
	size_t n_nfs;
	struct kms_key_source keys;
	struct kms_keyring *keyring; /* TPKs (P-10), owned by the caller */
	struct kms_replay *replay;   /* replay cache (P-9), owned by the caller */
	/* Credentials without GBA (issue 6 item 7, kms/pkauth.h, design.md
	 * "Other credentials"):
	 *  - pk: the KMS's key and certificate, the client CAs and the
	 *    certificate users, for REQUEST_INIT_PK / RESOLVE_INIT_PK; NULL:
	 *    those are answered with Error 11;
	 *  - users: password users, looked up by the username that their
	 *    IDRpsk carries as ID type Byte string (2) (a B-TID is a NAI);
	 *    lookup NULL: no password users. */
	const struct kms_pk_config *pk;
	struct kms_key_source users;
	/* Current time as a 64-bit NTP timestamp; NULL = the real clock.
	 * (Tests move the clock to check validity windows.) */
	uint64_t (*clock)(void *ctx);
	void *clock_ctx;
};

/* ---- the result of one message -------------------------------------------- */

#define KMS_AUDIT_ID_MAX 128

enum kms_op { KMS_OP_UNKNOWN = 0, KMS_OP_REQUEST, KMS_OP_RESOLVE };

/* Why a resolver was let in (P-14) or who asked (P-13). */
enum kms_authz {
	KMS_AUTHZ_NONE = 0,
	KMS_AUTHZ_SUBSCRIBER,     /* request: IDRi is one of the requester's IMPUs */
	KMS_AUTHZ_LISTED,         /* resolve: IDRr listed in the ticket */
	KMS_AUTHZ_GROUP,          /* resolve: member of a listed group (audit.group) */
	KMS_AUTHZ_NF,             /* resolve: network function, forked keys */
	KMS_AUTHZ_NF_INTERCEPT,   /* resolve: network function, unforked keys */
};

const char *kms_op_str(enum kms_op op);
const char *kms_authz_str(enum kms_authz a);

/* P-15 audit record: identities and ticket facts, never a key.  Strings are
 * NUL-terminated and truncated to fit (the daemon JSON-escapes them). */
struct kms_audit {
	enum kms_op op;
	enum kms_authz authz;
	char btid[KMS_AUDIT_ID_MAX];
	char impi[KMS_AUDIT_ID_MAX];
	char initiator[KMS_AUDIT_ID_MAX];  /* IDRi (request) / ticket's IDRi (resolve) */
	char resolver[KMS_AUDIT_ID_MAX];   /* resolve: the resolver's IDRr */
	char group[KMS_AUDIT_ID_MAX];      /* resolve via a group: its URI */
	char nf[KMS_AUDIT_ID_MAX];         /* resolve by a network function: its name */
	char responders[4 * KMS_AUDIT_ID_MAX]; /* ticket IDRr list, space separated */
	bool have_ticket;
	uint32_t key_id;                   /* TPK id of the ticket */
	char fingerprint[17];              /* hex of SHA-256(Ticket Data)[0..8) */
	int64_t trs, tre;                  /* ticket validity, Unix seconds */
	bool forked;                       /* resolve answered with forked keys */
	bool k_flag;                       /* request: policy changed (P-23) */
};

struct kms_result {
	/* in: where the response goes; 4 KiB always suffices (desired policies
	 * whose TP Data exceeds 2 KiB are refused with KMS_OUT_TP_PARAM) */
	uint8_t *resp;
	size_t resp_cap;
	/* out */
	size_t resp_len;            /* 0 when no MIKEY message could be formed */
	enum kms_outcome outcome;
	int mikey_error;            /* Error no sent, -1 when none */
	bool error_maced;           /* the Error carries a V MAC (P-6, P-21) */
	const char *detail;         /* short static reason for the log */
	struct kms_audit audit;
};

struct kms_engine;

/* NULL on error with a reason in err.  The config's pointed-to tables, key
 * source, keyring and replay cache must outlive the engine; fqdn is copied. */
struct kms_engine *kms_engine_new(const struct kms_engine_config *cfg,
				  char *err, size_t errlen);
void kms_engine_free(struct kms_engine *e);

/*
 * Handle one message.  res->resp / resp_cap must be set by the caller; all
 * other fields of *res are written.  Returns res->outcome.
 */
enum kms_outcome kms_engine_handle(const struct kms_engine *e,
				   const uint8_t *req, size_t len,
				   const struct kms_transport_id *tid,
				   struct kms_result *res);

#endif
