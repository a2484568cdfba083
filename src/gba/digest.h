/*
 * digest.h: HTTP Digest authentication (RFC 2617) with the AKA extensions of
 * RFC 3310 (AKAv1-MD5; AKAv2 password of RFC 4169) for both sides of Ub and
 * of Digest on Ua (gba.md 2.1-2.3, 4.4, 5.2; profile P-1, P-16, P-27):
 *
 *  - a strict, bounded, allocation-free parser of untrusted header values:
 *    `WWW-Authenticate: Digest ...` (challenge), `Authorization: Digest ...`
 *    (credentials) and `Authentication-Info: ...`;
 *  - builders for the same three header values;
 *  - response, rspauth and the AKA nonce (base64(RAND || AUTN [|| data])).
 *
 * Parser rules: the scheme must be "Digest" (any case); directives are
 * `name = token | quoted-string` separated by commas (RFC 7235 auth-param,
 * optional whitespace, empty list elements allowed); names are matched case-
 * insensitively; each known directive may appear once (else
 * TK_DIGEST_E_DUPLICATE); unknown directives are syntax-checked and ignored.
 * Either value form (token or quoted) is accepted for every directive; the
 * value is then checked against that directive's own syntax.  Control
 * characters (NUL, CR, LF, ... except HTAB) anywhere refuse the header.
 *
 * Octets >= 0x80 are accepted inside quoted strings only (obs-text, UTF-8).
 *
 * The parsed structure owns a private copy of every value (unescaped, NUL-
 * terminated) in its pool; the pointers stay valid as long as the structure
 * and point into it, so never copy a parsed structure by assignment.
 * Builders read the same structure, with pointers set by the caller.
 *
 * MD5 (nettle) is what HTTP Digest prescribes; hashes are lowercase hex.
 */
#ifndef TK_GBA_DIGEST_H
#define TK_GBA_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TK_DIGEST_HDR_MAX   4096 /* longest header value accepted (octets) */
#define TK_DIGEST_VALUE_MAX 1024 /* longest single directive value after unescaping */
#define TK_DIGEST_HEX_LEN   32   /* response / rspauth: 32 hex digits */
#define TK_DIGEST_AUTS_LEN  14
#define TK_DIGEST_NONCE_MIN 32   /* RAND || AUTN inside an AKA nonce */

enum tk_digest_err {
	TK_DIGEST_OK = 0,
	TK_DIGEST_E_ARG = -1,        /* NULL pointer / bad kind from the caller */
	TK_DIGEST_E_SCHEME = -2,     /* scheme is not "Digest" */
	TK_DIGEST_E_SYNTAX = -3,     /* malformed auth-param list (missing '=', junk, bad token) */
	TK_DIGEST_E_QUOTE = -4,      /* unterminated quoted string or dangling backslash */
	TK_DIGEST_E_CHAR = -5,       /* control character (NUL, CR, LF, DEL, ...) */
	TK_DIGEST_E_TOOLONG = -6,    /* header > TK_DIGEST_HDR_MAX or value > TK_DIGEST_VALUE_MAX */
	TK_DIGEST_E_DUPLICATE = -7,  /* a known directive twice */
	TK_DIGEST_E_MISSING = -8,    /* a required directive is absent */
	TK_DIGEST_E_NC = -9,         /* nc not exactly 8 hex digits, or zero */
	TK_DIGEST_E_QOP = -10,       /* unknown qop; qop without nc/cnonce or nc/cnonce without qop */
	TK_DIGEST_E_RESPONSE = -11,  /* response/rspauth not 32 hex digits (response may be empty) */
	TK_DIGEST_E_ALGORITHM = -12, /* algorithm not MD5[-sess] / AKAv1|2-MD5[-sess] */
	TK_DIGEST_E_AUTS = -13,      /* auts not base64 of 14 octets */
	TK_DIGEST_E_STALE = -14,     /* stale neither true nor false */
	TK_DIGEST_E_EMPTY = -15,     /* a directive that must not be empty is (username, realm, uri, cnonce; challenge nonce) */
	TK_DIGEST_E_NOSPACE = -16,   /* builder: output buffer too small */
	TK_DIGEST_E_MISMATCH = -17,  /* response / rspauth verification failed */
	TK_DIGEST_E_NONCE = -18,     /* AKA nonce not base64 of >= 32 octets */
};

const char *tk_digest_strerror(int err);

/* Which header value is parsed or built. */
enum tk_digest_kind {
	TK_DIGEST_CHALLENGE = 1,   /* WWW-Authenticate value, "Digest ..." */
	TK_DIGEST_CREDENTIALS = 2, /* Authorization value, "Digest ..." */
	TK_DIGEST_AUTH_INFO = 3,   /* Authentication-Info value (no scheme) */
};

enum tk_digest_alg {
	TK_DIGEST_ALG_ABSENT = 0,  /* no algorithm directive: plain MD5 */
	TK_DIGEST_ALG_MD5,
	TK_DIGEST_ALG_MD5_SESS,
	TK_DIGEST_ALG_AKAV1_MD5,
	TK_DIGEST_ALG_AKAV1_MD5_SESS,
	TK_DIGEST_ALG_AKAV2_MD5,
	TK_DIGEST_ALG_AKAV2_MD5_SESS,
};

/* qop as a bit set: a challenge may offer both, credentials and
 * Authentication-Info carry at most one. */
#define TK_DIGEST_QOP_AUTH     1u
#define TK_DIGEST_QOP_AUTH_INT 2u

struct tk_digest {
	/* NULL = directive absent; "" = present and empty. */
	const char *username;  /* credentials (required) */
	const char *realm;     /* challenge, credentials (required) */
	const char *nonce;     /* challenge, credentials (required; may be "" in credentials: 24.109 first request) */
	const char *uri;       /* credentials (required, non-empty) */
	const char *response;  /* credentials (required; "" or 32 hex, stored lowercase) */
	const char *cnonce;    /* credentials, auth-info */
	const char *opaque;    /* challenge, credentials */
	const char *domain;    /* challenge (kept verbatim, unused) */
	const char *rspauth;   /* auth-info (32 hex, stored lowercase) */
	const char *nextnonce; /* auth-info */
	enum tk_digest_alg alg;
	unsigned qop;          /* TK_DIGEST_QOP_* bits; 0 = absent */
	uint32_t nc;           /* 0 = absent (a real nc is never 0) */
	bool stale;            /* challenge */
	bool has_auts;         /* credentials: RFC 3310 resynchronisation */
	uint8_t auts[TK_DIGEST_AUTS_LEN];
	/* private: storage of the parsed values */
	char pool[TK_DIGEST_HDR_MAX + 16];
	size_t pool_used;
};

/* Reset to "everything absent". */
void tk_digest_init(struct tk_digest *d);

/* Parse one header value of `kind` (len octets, not NUL-terminated needed).
 * Required directives:
 *   challenge:   realm, nonce (non-empty); qop list (unknown options are
 *                ignored, but at least one known one if qop is present);
 *   credentials: username, realm, nonce, uri, response; with qop: nc and
 *                cnonce; without qop: neither nc nor cnonce;
 *   auth-info:   none (rspauth, qop, nc, cnonce checked when present).
 * On error *d is reset and the negative tk_digest_err is returned. */
int tk_digest_parse(enum tk_digest_kind kind, const char *hdr, size_t len,
		    struct tk_digest *d);

/* Build a header value of `kind` (with the "Digest " scheme for challenge
 * and credentials) into out (NUL-terminated).  Only the directives that
 * kind carries are written; the parser's required-directive rules apply
 * (TK_DIGEST_E_MISSING, _EMPTY, _QOP), response/rspauth must be 32 hex
 * digits (response may be ""), control characters give TK_DIGEST_E_CHAR,
 * a value over TK_DIGEST_VALUE_MAX or a header over TK_DIGEST_HDR_MAX gives
 * TK_DIGEST_E_TOOLONG, a small buffer TK_DIGEST_E_NOSPACE.  Values are
 * emitted quoted (with '"' and '\' escaped), except algorithm, qop in
 * credentials/auth-info, nc and stale, which are tokens. */
int tk_digest_build(enum tk_digest_kind kind, const struct tk_digest *d,
		    char *out, size_t cap);

/* Digest response of credentials d (username, realm, nonce, uri, alg, qop,
 * nc, cnonce) for `method` and the request body (used with qop auth-int;
 * body may be NULL when body_len is 0).  The password is raw octets: RES
 * for AKAv1 (P-16), "" for the AUTS request, base64(Ks_NAF) text on Ua.
 *   HA1 = MD5(username ":" realm ":" password)
 *         [-sess: MD5(hex(HA1) ":" nonce ":" cnonce)]
 *   HA2 = MD5(method ":" uri [":" hex(MD5(body))])
 *   response = MD5(HA1 ":" nonce [":" nc ":" cnonce ":" qop] ":" HA2) */
int tk_digest_response(const struct tk_digest *d, const char *method,
		       const uint8_t *pw, size_t pw_len,
		       const uint8_t *body, size_t body_len,
		       char out[TK_DIGEST_HEX_LEN + 1]);

/* Server side: recompute the response of parsed credentials d and compare
 * it to d->response in constant time.  TK_DIGEST_OK or
 * TK_DIGEST_E_MISMATCH (also for an empty response). */
int tk_digest_verify(const struct tk_digest *d, const char *method,
		     const uint8_t *pw, size_t pw_len,
		     const uint8_t *body, size_t body_len);

/* rspauth for the Authentication-Info of the answer to credentials d:
 * as the response, but HA2 = MD5(":" uri [":" hex(MD5(resp_body))]) where
 * resp_body is the body of the 200 OK that carries it (P-27).  Server side
 * passes XRES as password (RFC 3310 3.5). */
int tk_digest_rspauth(const struct tk_digest *d, const uint8_t *pw, size_t pw_len,
		      const uint8_t *resp_body, size_t resp_body_len,
		      char out[TK_DIGEST_HEX_LEN + 1]);

/* Client side: check the rspauth of parsed Authentication-Info `info`
 * against credentials d that were sent (also checks that info's qop, nc and
 * cnonce, when present, equal those of d).  Constant-time compare. */
int tk_digest_rspauth_verify(const struct tk_digest *d, const struct tk_digest *info,
			     const uint8_t *pw, size_t pw_len,
			     const uint8_t *resp_body, size_t resp_body_len);

/* AKA nonce = base64(RAND || AUTN || extra) (RFC 3310 3.2); extra may be
 * NULL/0.  NUL-terminated. */
int tk_digest_aka_nonce(const uint8_t rand[16], const uint8_t autn[16],
			const uint8_t *extra, size_t extra_len,
			char *out, size_t cap);

/* Split a received AKA nonce: base64 of at least 32 octets (at most
 * TK_DIGEST_VALUE_MAX chars); RAND and AUTN are its first 32 octets. */
int tk_digest_aka_nonce_parse(const char *nonce, size_t len,
			      uint8_t rand[16], uint8_t autn[16]);

/* AKAv2 password (RFC 4169): base64(HMAC-MD5(RES || IK || CK,
 * "http-digest-akav2-password")), 24 chars + NUL. */
int tk_digest_akav2_password(const uint8_t *res, size_t res_len,
			     const uint8_t ik[16], const uint8_t ck[16],
			     char out[25]);

/* Name of an algorithm as written in the header ("AKAv1-MD5", ...); NULL
 * for TK_DIGEST_ALG_ABSENT. */
const char *tk_digest_alg_name(enum tk_digest_alg alg);

#endif
