/*
 * mikey_handler.h: the boundary between tkmsd's HTTP side and the ticket
 * engine. The route (routes.c) collects the body of POST /mikey, works out
 * what the transport authenticated and calls handle(); the verdict is mapped
 * to HTTP in exactly one table (routes.c, profile P-6).
 *
 * The transport identity kinds have the same order and meaning as
 * enum kms_tid_kind of the engine (KMS_TID_NONE .. KMS_TID_USER), so
 * glue code may convert by value.
 */
#ifndef TKMSD_MIKEY_HANDLER_H
#define TKMSD_MIKEY_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tkmsd_tid_kind {
	TKMSD_TID_NONE = 0,     /* plain HTTP without Digest */
	TKMSD_TID_PSK_BTID,     /* PSK-TLS: the B-TID of the client identity (P-7) */
	TKMSD_TID_DIGEST_BTID,  /* GBA Digest username (TS 33.222 5.3), verified */
	TKMSD_TID_CLIENT_CERT,  /* verified TLS client certificate subject DN (P-14) */
	TKMSD_TID_USER,         /* password user: Digest username of the users realm */
};

struct tkmsd_tid {
	enum tkmsd_tid_kind kind;
	const char *value;      /* NUL-terminated; NULL for TKMSD_TID_NONE */
	size_t len;
};

/* What the engine decided; routes.c turns it into HTTP (P-6). */
enum tkmsd_verdict {
	TKMSD_V_OK = 0,          /* 200, body = REQUEST_RESP / RESOLVE_RESP */
	TKMSD_V_BAD_REQUEST,     /* 400, body = MIKEY Error if resp_len, else reason */
	TKMSD_V_BOOTSTRAP,       /* 401 + Digest challenge (P-6, P-27); MIKEY Error body if any */
	TKMSD_V_FORBIDDEN,       /* 403, body = MIKEY Error 0 if resp_len, else reason */
	TKMSD_V_UNAVAILABLE,     /* 503 + Retry-After (BSF down, replay cache full); Error body if any */
	TKMSD_V_INTERNAL,        /* 500; Error body if any */
};

struct tkmsd_mikey_out {
	uint8_t *resp;           /* in: buffer for the MIKEY response (4 KiB) */
	size_t resp_cap;         /* in */
	size_t resp_len;         /* out: 0 when no MIKEY message was formed */
	enum tkmsd_verdict verdict;
	const char *reason;      /* out: short static text (log, text/plain bodies) */
};

/* handle() runs in a listener thread, concurrently; it may block (Zn). */
struct tkmsd_mikey_handler {
	void (*handle)(void *ctx, const uint8_t *req, size_t len,
		       const struct tkmsd_tid *tid, struct tkmsd_mikey_out *out);
	void *ctx;
};

/* Password users (tkmsd/creds.h) of the configuration in force: whether
 * there are any, and their HTTP Digest check (an enum tkmsd_user_digest).
 * any == NULL: no password users. */
struct naf;
struct tkmsd_users_hook {
	bool (*any)(void *ctx);
	int (*digest)(void *ctx, const struct naf *naf, const char *hdr, const char *method,
		      const char *uri, char *user, size_t cap);
	void *ctx;
};

#endif
