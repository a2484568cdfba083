/*
 * policy.h: the Ticket Policy the KMS grants for a REQUEST_INIT (profile
 * P-11 defaults, P-19 key sizes, P-23 K flag, P-24 timestamp types) and the
 * desired-policy checks behind Error 14 / 15 (P-22).  Pure functions of the
 * desired TP, the limits and the clock: no I/O, no keys.
 */
#ifndef KMS_POLICY_H
#define KMS_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "mikey/mikey.h"

/* P-11 defaults: D E F G H I J N O (L = M = 0). */
#define KMS_FLAGS_DEFAULT (MK_TF_D | MK_TF_E | MK_TF_F | MK_TF_G | MK_TF_H | \
			   MK_TF_I | MK_TF_J | MK_TF_N | MK_TF_O)
/* What a UE may choose unless configured otherwise: the transfer exchange's
 * shape (F G H), forking (I) and reuse (J). */
#define KMS_FLAGS_CHOOSABLE (MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_I | MK_TF_J)

#define KMS_SPI_LEN 4     /* P-19 */
#define KMS_SALT_LEN 14   /* P-11, P-12: 112-bit SRTP master salt */

struct kms_policy_limits {
	uint32_t flags_default;
	uint32_t flags_choosable;
	uint32_t lifetime_default_s;
	uint32_t lifetime_max_s;
	unsigned skew_s;
	unsigned max_keys;
	unsigned max_key_len;     /* 16 in the 128-bit set, 32 in the 256-bit set (mikey.md 5.4) */
};

/* One session key of the grant (its SPI is always KMS_SPI_LEN octets). */
struct kms_keyspec {
	uint8_t type;             /* enum mk_key_type: TGK/TEK/GTGK (+SALT) */
	uint8_t key_len;
	uint8_t salt_len;         /* 0 unless a *+SALT type */
};

struct kms_grant {
	uint32_t flags;           /* with K set exactly when changed (P-23) */
	uint8_t prf;              /* TP PRF: always PRF-HMAC-SHA-256 (P-10) */
	int64_t trs, tre;         /* Unix seconds; sent as NTP-UTC-32 (P-24) */
	bool have_trr;
	uint32_t trr;             /* rekey interval, seconds, copied */
	unsigned nkeys;
	struct kms_keyspec keys[MK_MAX_KEYS];
	bool changed;
};

enum kms_policy_status {
	KMS_POLICY_OK = 0,
	KMS_POLICY_TYPE,          /* Ticket Type / subtype / version not 1 (Error 14) */
	KMS_POLICY_PARAM,         /* a parameter the KMS cannot honour at all (Error 15) */
};

/* Grant a policy for the desired TP at time now (Unix seconds).  On
 * KMS_POLICY_PARAM *why names the parameter. */
enum kms_policy_status kms_policy_grant(const struct kms_policy_limits *lim,
					const struct mk_ticket *desired,
					int64_t now, struct kms_grant *g,
					const char **why);

/* True when keys of type t are forked (row F) with the I flag: TGKs only. */
bool kms_key_is_tgk(uint8_t t);

/* A well-formed identity URI of IDRi / IDRr (P-3, P-13): ID type URI, a
 * scheme of sip, sips or tel, something after the colon, no control
 * characters, spaces or NULs. */
bool kms_identity_valid(uint8_t id_type, const uint8_t *p, size_t n);

#endif
