/*
 * kmsclient.h: the UE's HTTP binding to the KMS (profile P-5, P-6, P-7,
 * P-1, P-27): one MIKEY message POSTed to /mikey as application/mikey, over
 *
 *   http://host:port[/path]   plain HTTP (lab use), libcurl;
 *   https://host:port[/path]  server-authenticated TLS + GBA HTTP Digest
 *                             (TS 33.222 5.3), libcurl with CURLAUTH_DIGEST,
 *                             username B-TID, password base64(Ks_NAF) for Ua
 *                             id 01 00 01 yy zz (yy zz = negotiated suite);
 *   psk://host:port[/path]    PSK-TLS (TS 33.222 5.4) with GnuTLS directly
 *                             (libcurl's GnuTLS backend has no TLS-PSK):
 *                             identity = bare B-TID, PSK = Ks_NAF for
 *                             01 00 01 yy zz (TLS 1.2) or 01 00 00 00 07
 *                             (TLS 1.3).
 *
 * The NAF keys come from the caller (its GBA bootstrap state) through a
 * callback, so this module holds no long-term secret.  Users without GBA
 * (issue 6 item 7) present a TLS client certificate, or answer the Digest
 * challenge of the users realm with their password.
 */
#ifndef TK_UE_KMSCLIENT_H
#define TK_UE_KMSCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ks_NAF for the KMS FQDN and Ua security protocol id `ua` (5 octets). */
typedef int (*ue_naf_key_fn)(void *ctx, const uint8_t ua[5], uint8_t out[32]);

struct ue_kms_target {
	const char *url;
	const char *cacert;     /* https: CA bundle (PEM); NULL: system store */
	const char *btid;       /* Digest username / PSK identity (P-2) */
	ue_naf_key_fn naf_key;
	void *naf_key_ctx;
	long timeout_ms;        /* whole exchange; 0: 10 s */
	/* Credentials without GBA (call_creds.h), https only: */
	const char *client_cert, *client_key; /* TLS client certificate and key (PEM) */
	const char *user, *password;  /* password user: Digest of the realm
				       * "tkms-users@<fqdn>" instead of GBA Digest */
};

enum {
	UE_KMS_BODY_MAX = 65536, /* P-5: bodies above 64 KiB are refused */
};

enum ue_kms_rc {
	UE_KMS_OK = 0,          /* an HTTP response was received (see status) */
	UE_KMS_E_URL = -1,      /* URL not understood */
	UE_KMS_E_CONNECT = -2,  /* TCP connection / name resolution */
	UE_KMS_E_TLS = -3,      /* TLS handshake or certificate */
	UE_KMS_E_PROTO = -4,    /* HTTP response malformed / too big */
	UE_KMS_E_KEY = -5,      /* no NAF key (bootstrap missing or expired) */
};

struct ue_kms_reply {
	long status;                 /* HTTP status */
	size_t body_len;
	bool is_mikey;               /* Content-Type application/mikey */
	bool bootstrap_required;     /* P-6: 401 (Digest credentials refused, or no
				      * key for the MIKEY B-TID); PSK-TLS: every
				      * handshake failed (P-27) */
	long retry_after;            /* 503 Retry-After seconds, -1 if absent */
	char transport[96];          /* what was used, e.g. "PSK-TLS1.2 00a8" */
	char err[256];               /* reason for a negative return */
	uint8_t body[UE_KMS_BODY_MAX]; /* last: the rest is reset per call */
};

/* POST one MIKEY message and collect the answer.  Returns UE_KMS_OK when an
 * HTTP answer came back (whatever its status), or a negative ue_kms_rc. */
int ue_kms_post(const struct ue_kms_target *t, const uint8_t *msg, size_t len,
		struct ue_kms_reply *r);

/* TLS cipher suite number (the yy zz of Ua id 01 00 01 yy zz) of an
 * established GnuTLS session (gnutls_session_t passed as void *);
 * -1 when unknown. */
int ue_tls_suite_of(void *gnutls_session);

#endif
