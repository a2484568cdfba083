/*
 * digest.c: HTTP Digest (RFC 2617) with AKA (RFC 3310, RFC 4169 password):
 * bounded parser (tk_rd cursor) and builder (tk_wr) of WWW-Authenticate,
 * Authorization and Authentication-Info values; response, rspauth (P-27)
 * and AKA nonce helpers (gba.md 2.1, 4.4, 5.2; profile P-16).
 */
#include "gba/digest.h"

#include <stdio.h>
#include <string.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>

#include "util/hexb64.h"
#include "util/secret.h"
#include "util/wire.h"

const char *tk_digest_strerror(int err)
{
	switch (err) {
	case TK_DIGEST_OK: return "ok";
	case TK_DIGEST_E_ARG: return "invalid argument";
	case TK_DIGEST_E_SCHEME: return "authentication scheme is not Digest";
	case TK_DIGEST_E_SYNTAX: return "malformed Digest parameter list";
	case TK_DIGEST_E_QUOTE: return "unterminated quoted string";
	case TK_DIGEST_E_CHAR: return "control character in header";
	case TK_DIGEST_E_TOOLONG: return "header or value too long";
	case TK_DIGEST_E_DUPLICATE: return "duplicate Digest directive";
	case TK_DIGEST_E_MISSING: return "required Digest directive missing";
	case TK_DIGEST_E_NC: return "bad nonce count";
	case TK_DIGEST_E_QOP: return "bad or inconsistent qop";
	case TK_DIGEST_E_RESPONSE: return "response/rspauth is not 32 hex digits";
	case TK_DIGEST_E_ALGORITHM: return "unsupported Digest algorithm";
	case TK_DIGEST_E_AUTS: return "auts is not base64 of 14 octets";
	case TK_DIGEST_E_STALE: return "stale is neither true nor false";
	case TK_DIGEST_E_EMPTY: return "directive must not be empty";
	case TK_DIGEST_E_NOSPACE: return "output buffer too small";
	case TK_DIGEST_E_MISMATCH: return "digest mismatch";
	case TK_DIGEST_E_NONCE: return "bad AKA nonce";
	}
	return "unknown digest error";
}

/* ---- algorithm names -------------------------------------------------- */

static const char *const alg_names[] = {
	[TK_DIGEST_ALG_MD5] = "MD5",
	[TK_DIGEST_ALG_MD5_SESS] = "MD5-sess",
	[TK_DIGEST_ALG_AKAV1_MD5] = "AKAv1-MD5",
	[TK_DIGEST_ALG_AKAV1_MD5_SESS] = "AKAv1-MD5-sess",
	[TK_DIGEST_ALG_AKAV2_MD5] = "AKAv2-MD5",
	[TK_DIGEST_ALG_AKAV2_MD5_SESS] = "AKAv2-MD5-sess",
};

const char *tk_digest_alg_name(enum tk_digest_alg alg)
{
	if (alg <= TK_DIGEST_ALG_ABSENT || alg > TK_DIGEST_ALG_AKAV2_MD5_SESS)
		return NULL;
	return alg_names[alg];
}

static bool is_sess(enum tk_digest_alg alg)
{
	return alg == TK_DIGEST_ALG_MD5_SESS || alg == TK_DIGEST_ALG_AKAV1_MD5_SESS ||
	       alg == TK_DIGEST_ALG_AKAV2_MD5_SESS;
}

/* ---- character classes ------------------------------------------------ */

static bool is_tchar(uint8_t c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool eq_ci(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* ---- directive table -------------------------------------------------- */

enum field {
	F_USERNAME, F_REALM, F_NONCE, F_URI, F_RESPONSE, F_CNONCE, F_OPAQUE,
	F_DOMAIN, F_RSPAUTH, F_NEXTNONCE, F_ALGORITHM, F_QOP, F_NC, F_STALE,
	F_AUTS,
};

#define K_CH (1u << TK_DIGEST_CHALLENGE)
#define K_CR (1u << TK_DIGEST_CREDENTIALS)
#define K_AI (1u << TK_DIGEST_AUTH_INFO)

static const struct directive {
	const char *name;
	enum field f;
	unsigned kinds; /* header kinds in which it is known */
} directives[] = {
	{ "username", F_USERNAME, K_CR },
	{ "realm", F_REALM, K_CH | K_CR },
	{ "nonce", F_NONCE, K_CH | K_CR },
	{ "uri", F_URI, K_CR },
	{ "response", F_RESPONSE, K_CR },
	{ "cnonce", F_CNONCE, K_CR | K_AI },
	{ "opaque", F_OPAQUE, K_CH | K_CR },
	{ "domain", F_DOMAIN, K_CH },
	{ "rspauth", F_RSPAUTH, K_AI },
	{ "nextnonce", F_NEXTNONCE, K_AI },
	{ "algorithm", F_ALGORITHM, K_CH | K_CR },
	{ "qop", F_QOP, K_CH | K_CR | K_AI },
	{ "nc", F_NC, K_CR | K_AI },
	{ "stale", F_STALE, K_CH },
	{ "auts", F_AUTS, K_CR },
};

static const char **field_ptr(struct tk_digest *d, enum field f)
{
	switch (f) {
	case F_USERNAME: return &d->username;
	case F_REALM: return &d->realm;
	case F_NONCE: return &d->nonce;
	case F_URI: return &d->uri;
	case F_RESPONSE: return &d->response;
	case F_CNONCE: return &d->cnonce;
	case F_OPAQUE: return &d->opaque;
	case F_DOMAIN: return &d->domain;
	case F_RSPAUTH: return &d->rspauth;
	case F_NEXTNONCE: return &d->nextnonce;
	default: return NULL;
	}
}

void tk_digest_init(struct tk_digest *d)
{
	memset(d, 0, offsetof(struct tk_digest, pool));
	d->pool[0] = '\0';
	d->pool_used = 0;
}

/* ---- value checks ----------------------------------------------------- */

static bool is_hex32(const char *v)
{
	size_t n = strnlen(v, TK_DIGEST_HEX_LEN + 1);

	for (size_t i = 0; i < n; i++)
		if (!is_hex(v[i]))
			return false;
	return n == TK_DIGEST_HEX_LEN;
}

/* n octets at v (room for a NUL after them): 32 hex digits, lowered in place. */
static bool hex32_lower(char *v, size_t n)
{
	v[n] = '\0';
	if (n != TK_DIGEST_HEX_LEN || !is_hex32(v))
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 'A' && v[i] <= 'F')
			v[i] = (char)(v[i] - 'A' + 'a');
	return true;
}

static int parse_alg(const char *v, size_t n, enum tk_digest_alg *alg)
{
	for (int a = TK_DIGEST_ALG_MD5; a <= TK_DIGEST_ALG_AKAV2_MD5_SESS; a++)
		if (eq_ci(v, n, alg_names[a])) {
			*alg = (enum tk_digest_alg)a;
			return TK_DIGEST_OK;
		}
	return TK_DIGEST_E_ALGORITHM;
}

static unsigned qop_bit(const char *v, size_t n)
{
	if (eq_ci(v, n, "auth"))
		return TK_DIGEST_QOP_AUTH;
	if (eq_ci(v, n, "auth-int"))
		return TK_DIGEST_QOP_AUTH_INT;
	return 0;
}

/* Challenge qop-options: a comma list of tokens; unknown ones ignored. */
static int parse_qop_list(const char *v, size_t n, unsigned *out)
{
	size_t i = 0;
	unsigned bits = 0;

	while (i < n) {
		size_t s;

		while (i < n && (is_ows((uint8_t)v[i]) || v[i] == ','))
			i++;
		s = i;
		while (i < n && is_tchar((uint8_t)v[i]))
			i++;
		if (i == s) {
			if (i < n)
				return TK_DIGEST_E_QOP; /* a non-token character */
			break;
		}
		bits |= qop_bit(v + s, i - s);
		while (i < n && is_ows((uint8_t)v[i]))
			i++;
		if (i < n && v[i] != ',')
			return TK_DIGEST_E_QOP;
	}
	if (!bits)
		return TK_DIGEST_E_QOP;
	*out = bits;
	return TK_DIGEST_OK;
}

/* nc-value = 8LHEX, never 0. */
static int parse_nc(const char *v, size_t n, uint32_t *nc)
{
	uint32_t x = 0;

	if (n != 8)
		return TK_DIGEST_E_NC;
	for (size_t i = 0; i < 8; i++) {
		char c = v[i];

		if (c >= '0' && c <= '9')
			x = x << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x = x << 4 | (uint32_t)(c - 'a' + 10);
		else
			return TK_DIGEST_E_NC;
	}
	if (!x)
		return TK_DIGEST_E_NC;
	*nc = x;
	return TK_DIGEST_OK;
}

/* Strict base64 alphabet check (no whitespace), then decode. */
static long b64_strict(const char *v, size_t n, uint8_t *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		char c = v[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '='))
			return -1;
	}
	return tk_b64_decode(v, n, out, cap);
}

/* Store the checked value of a known directive into d. */
static int store(struct tk_digest *d, enum tk_digest_kind kind, enum field f,
		 char *v, size_t n)
{
	const char **slot = field_ptr(d, f);

	switch (f) {
	case F_RESPONSE:
		if (n && !hex32_lower(v, n))
			return TK_DIGEST_E_RESPONSE;
		break;
	case F_RSPAUTH:
		if (!hex32_lower(v, n))
			return TK_DIGEST_E_RESPONSE;
		break;
	case F_ALGORITHM:
		return parse_alg(v, n, &d->alg);
	case F_QOP:
		if (kind == TK_DIGEST_CHALLENGE)
			return parse_qop_list(v, n, &d->qop);
		d->qop = qop_bit(v, n);
		return d->qop ? TK_DIGEST_OK : TK_DIGEST_E_QOP;
	case F_NC:
		return parse_nc(v, n, &d->nc);
	case F_STALE:
		if (eq_ci(v, n, "true"))
			d->stale = true;
		else if (!eq_ci(v, n, "false"))
			return TK_DIGEST_E_STALE;
		return TK_DIGEST_OK;
	case F_AUTS:
		if (n != 20 || b64_strict(v, n, d->auts, sizeof d->auts) != TK_DIGEST_AUTS_LEN) {
			memset(d->auts, 0, sizeof d->auts);
			return TK_DIGEST_E_AUTS;
		}
		d->has_auts = true;
		return TK_DIGEST_OK;
	default:
		break;
	}
	if (slot) {
		v[n] = '\0';
		*slot = v;
		d->pool_used += n + 1;
	}
	return TK_DIGEST_OK;
}

/* ---- the parser ------------------------------------------------------- */

static void skip_ows(tk_rd *rd)
{
	while (tk_rd_left(rd) && is_ows(tk_rd_peek_u8(rd)))
		tk_rd_skip(rd, 1);
}

/* token: 1*tchar; returns its length (0 = none) and the start in *p. */
static size_t read_token(tk_rd *rd, const char **p)
{
	size_t n = 0;

	*p = (const char *)tk_rd_ptr(rd);
	while (tk_rd_left(rd) && is_tchar(tk_rd_peek_u8(rd))) {
		tk_rd_skip(rd, 1);
		n++;
	}
	return n;
}

/* Value (token or quoted-string) unescaped into dst (cap octets incl. NUL);
 * the length goes to *n. */
static int read_value(tk_rd *rd, char *dst, size_t cap, size_t *n)
{
	size_t len = 0;

	if (tk_rd_peek_u8(rd) != '"' || !tk_rd_left(rd)) {
		const char *p;
		size_t t = read_token(rd, &p);

		if (!t)
			return TK_DIGEST_E_SYNTAX;
		if (t > TK_DIGEST_VALUE_MAX || t >= cap)
			return TK_DIGEST_E_TOOLONG;
		memcpy(dst, p, t);
		*n = t;
		return TK_DIGEST_OK;
	}
	tk_rd_skip(rd, 1);
	for (;;) {
		uint8_t c;

		if (!tk_rd_left(rd))
			return TK_DIGEST_E_QUOTE;
		c = tk_rd_u8(rd);
		if (c == '"')
			break;
		if (c == '\\') {
			if (!tk_rd_left(rd))
				return TK_DIGEST_E_QUOTE;
			c = tk_rd_u8(rd);
		}
		if (len >= TK_DIGEST_VALUE_MAX || len + 1 >= cap)
			return TK_DIGEST_E_TOOLONG;
		dst[len++] = (char)c;
	}
	*n = len;
	return TK_DIGEST_OK;
}

static int check_required(enum tk_digest_kind kind, const struct tk_digest *d)
{
	switch (kind) {
	case TK_DIGEST_CHALLENGE:
		if (!d->realm || !d->nonce)
			return TK_DIGEST_E_MISSING;
		if (!d->realm[0] || !d->nonce[0])
			return TK_DIGEST_E_EMPTY;
		return TK_DIGEST_OK;
	case TK_DIGEST_CREDENTIALS:
		if (!d->username || !d->realm || !d->nonce || !d->uri || !d->response)
			return TK_DIGEST_E_MISSING;
		if (!d->username[0] || !d->realm[0] || !d->uri[0] || (d->cnonce && !d->cnonce[0]))
			return TK_DIGEST_E_EMPTY;
		if (d->qop ? (!d->nc || !d->cnonce) : (d->nc || d->cnonce))
			return TK_DIGEST_E_QOP;
		return TK_DIGEST_OK;
	case TK_DIGEST_AUTH_INFO:
		if (d->cnonce && !d->cnonce[0])
			return TK_DIGEST_E_EMPTY;
		if (d->qop && !d->rspauth)
			return TK_DIGEST_E_MISSING;
		if (d->qop ? (!d->nc || !d->cnonce) : (d->nc || d->cnonce))
			return TK_DIGEST_E_QOP;
		return TK_DIGEST_OK;
	}
	return TK_DIGEST_E_ARG;
}

static int parse(enum tk_digest_kind kind, const char *hdr, size_t len, struct tk_digest *d)
{
	tk_rd rd;
	unsigned seen = 0;

	if (len > TK_DIGEST_HDR_MAX)
		return TK_DIGEST_E_TOOLONG;
	for (size_t i = 0; i < len; i++)
		if (is_ctl((uint8_t)hdr[i]))
			return TK_DIGEST_E_CHAR;

	tk_rd_init(&rd, (const uint8_t *)hdr, len);
	skip_ows(&rd);
	if (kind != TK_DIGEST_AUTH_INFO) {
		const char *p;
		size_t n = read_token(&rd, &p);

		if (!eq_ci(p, n, "Digest"))
			return TK_DIGEST_E_SCHEME;
		if (tk_rd_left(&rd) && !is_ows(tk_rd_peek_u8(&rd)))
			return TK_DIGEST_E_SYNTAX;
	}

	for (;;) {
		const char *name;
		size_t nlen, vlen;
		char *v = d->pool + d->pool_used;
		const struct directive *dir = NULL;
		int rc;

		skip_ows(&rd);
		if (!tk_rd_left(&rd))
			break;
		if (tk_rd_peek_u8(&rd) == ',') {
			tk_rd_skip(&rd, 1);
			continue;
		}
		nlen = read_token(&rd, &name);
		if (!nlen)
			return TK_DIGEST_E_SYNTAX;
		skip_ows(&rd);
		if (tk_rd_u8(&rd) != '=')
			return TK_DIGEST_E_SYNTAX;
		skip_ows(&rd);
		rc = read_value(&rd, v, sizeof d->pool - d->pool_used, &vlen);
		if (rc)
			return rc;
		skip_ows(&rd);
		if (tk_rd_left(&rd) && tk_rd_peek_u8(&rd) != ',')
			return TK_DIGEST_E_SYNTAX;

		for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++)
			if ((directives[i].kinds & (1u << kind)) &&
			    eq_ci(name, nlen, directives[i].name)) {
				dir = &directives[i];
				break;
			}
		if (!dir)
			continue; /* unknown directive: ignored (RFC 2617 3.2.1) */
		if (seen & (1u << dir->f))
			return TK_DIGEST_E_DUPLICATE;
		seen |= 1u << dir->f;
		rc = store(d, kind, dir->f, v, vlen);
		if (rc)
			return rc;
	}
	if (!tk_rd_ok(&rd))
		return TK_DIGEST_E_SYNTAX;
	return check_required(kind, d);
}

int tk_digest_parse(enum tk_digest_kind kind, const char *hdr, size_t len,
		    struct tk_digest *d)
{
	int rc;

	if (!d)
		return TK_DIGEST_E_ARG;
	tk_digest_init(d);
	if (!hdr || kind < TK_DIGEST_CHALLENGE || kind > TK_DIGEST_AUTH_INFO)
		return TK_DIGEST_E_ARG;
	rc = parse(kind, hdr, len, d);
	if (rc)
		tk_digest_init(d);
	return rc;
}

/* ---- the builder ------------------------------------------------------ */

struct out {
	tk_wr wr;
	bool first;
	int err;
};

static void put_str(struct out *o, const char *s)
{
	tk_wr_bytes(&o->wr, s, strlen(s));
}

static void put_name(struct out *o, const char *name)
{
	if (!o->first)
		put_str(o, ", ");
	o->first = false;
	put_str(o, name);
	put_str(o, "=");
}

static void put_quoted(struct out *o, const char *name, const char *v)
{
	if (!v)
		return;
	if (strlen(v) > TK_DIGEST_VALUE_MAX && !o->err)
		o->err = TK_DIGEST_E_TOOLONG;
	put_name(o, name);
	tk_wr_u8(&o->wr, '"');
	for (; *v; v++) {
		if (is_ctl((uint8_t)*v) && !o->err)
			o->err = TK_DIGEST_E_CHAR;
		if (*v == '"' || *v == '\\')
			tk_wr_u8(&o->wr, '\\');
		tk_wr_u8(&o->wr, (uint8_t)*v);
	}
	tk_wr_u8(&o->wr, '"');
}

static void put_token(struct out *o, const char *name, const char *v)
{
	put_name(o, name);
	put_str(o, v);
}

static const char *qop_name(unsigned qop)
{
	return qop == TK_DIGEST_QOP_AUTH ? "auth" : qop == TK_DIGEST_QOP_AUTH_INT ? "auth-int" : NULL;
}

int tk_digest_build(enum tk_digest_kind kind, const struct tk_digest *d,
		    char *out, size_t cap)
{
	struct out o = { .first = true };
	char nc[9], auts[32];
	int rc;

	if (!d || !out || !cap || kind < TK_DIGEST_CHALLENGE || kind > TK_DIGEST_AUTH_INFO)
		return TK_DIGEST_E_ARG;
	out[0] = '\0';
	if (d->alg && !tk_digest_alg_name(d->alg))
		return TK_DIGEST_E_ALGORITHM;
	if (d->qop & ~(TK_DIGEST_QOP_AUTH | TK_DIGEST_QOP_AUTH_INT))
		return TK_DIGEST_E_QOP;
	if (kind != TK_DIGEST_CHALLENGE && d->qop && !qop_name(d->qop))
		return TK_DIGEST_E_QOP;
	rc = check_required(kind, d);
	if (rc)
		return rc;
	if ((kind == TK_DIGEST_CREDENTIALS && d->response[0] && !is_hex32(d->response)) ||
	    (d->rspauth && !is_hex32(d->rspauth)))
		return TK_DIGEST_E_RESPONSE;
	snprintf(nc, sizeof nc, "%08x", (unsigned)d->nc);

	/* the parser's limit on the whole header applies to what we emit */
	tk_wr_init(&o.wr, (uint8_t *)out, cap - 1 < TK_DIGEST_HDR_MAX ? cap - 1 : TK_DIGEST_HDR_MAX);
	switch (kind) {
	case TK_DIGEST_CHALLENGE:
		put_str(&o, "Digest ");
		put_quoted(&o, "realm", d->realm);
		put_quoted(&o, "domain", d->domain);
		put_quoted(&o, "nonce", d->nonce);
		put_quoted(&o, "opaque", d->opaque);
		if (d->stale)
			put_token(&o, "stale", "true");
		if (d->alg)
			put_token(&o, "algorithm", tk_digest_alg_name(d->alg));
		if (d->qop)
			put_quoted(&o, "qop", d->qop == TK_DIGEST_QOP_AUTH ? "auth" :
				   d->qop == TK_DIGEST_QOP_AUTH_INT ? "auth-int" : "auth,auth-int");
		break;
	case TK_DIGEST_CREDENTIALS:
		put_str(&o, "Digest ");
		put_quoted(&o, "username", d->username);
		put_quoted(&o, "realm", d->realm);
		put_quoted(&o, "nonce", d->nonce);
		put_quoted(&o, "uri", d->uri);
		put_quoted(&o, "response", d->response);
		if (d->alg)
			put_token(&o, "algorithm", tk_digest_alg_name(d->alg));
		put_quoted(&o, "cnonce", d->cnonce);
		put_quoted(&o, "opaque", d->opaque);
		if (d->qop)
			put_token(&o, "qop", qop_name(d->qop));
		if (d->nc)
			put_token(&o, "nc", nc);
		if (d->has_auts) {
			tk_b64_encode(d->auts, TK_DIGEST_AUTS_LEN, auts);
			put_quoted(&o, "auts", auts);
		}
		break;
	case TK_DIGEST_AUTH_INFO:
		if (d->qop)
			put_token(&o, "qop", qop_name(d->qop));
		put_quoted(&o, "rspauth", d->rspauth);
		put_quoted(&o, "cnonce", d->cnonce);
		if (d->nc)
			put_token(&o, "nc", nc);
		put_quoted(&o, "nextnonce", d->nextnonce);
		break;
	}
	if (o.err || !tk_wr_ok(&o.wr)) {
		out[0] = '\0';
		if (o.err)
			return o.err;
		return cap - 1 > TK_DIGEST_HDR_MAX ? TK_DIGEST_E_TOOLONG : TK_DIGEST_E_NOSPACE;
	}
	out[tk_wr_len(&o.wr)] = '\0';
	return TK_DIGEST_OK;
}

/* ---- digest computation ----------------------------------------------- */

struct part {
	const void *p;
	size_t n;
};

#define STR(s) ((struct part){ (s), strlen(s) })

/* hex(MD5(p0 ":" p1 ":" ... )) */
static void md5_hex(char out[TK_DIGEST_HEX_LEN + 1], const struct part *parts, size_t n)
{
	struct md5_ctx ctx;
	uint8_t h[MD5_DIGEST_SIZE];

	md5_init(&ctx);
	for (size_t i = 0; i < n; i++) {
		if (i)
			md5_update(&ctx, 1, (const uint8_t *)":");
		if (parts[i].n)
			md5_update(&ctx, parts[i].n, parts[i].p);
	}
	md5_digest(&ctx, sizeof h, h);
	tk_hex_encode(h, sizeof h, out);
	tk_wipe(&ctx, sizeof ctx);
	tk_wipe(h, sizeof h);
}

/* The shared core of response and rspauth: method "" gives rspauth's A2. */
static int compute(const struct tk_digest *d, const char *method,
		   const uint8_t *pw, size_t pw_len, const uint8_t *body, size_t body_len,
		   char out[TK_DIGEST_HEX_LEN + 1])
{
	char ha1[33], ha2[33], hbody[33], nc[9];
	const char *qop;

	if (!d || !method || !out || (pw_len && !pw) || (body_len && !body))
		return TK_DIGEST_E_ARG;
	if (!d->username || !d->realm || !d->nonce || !d->uri)
		return TK_DIGEST_E_MISSING;
	if (d->qop & ~(TK_DIGEST_QOP_AUTH | TK_DIGEST_QOP_AUTH_INT))
		return TK_DIGEST_E_QOP;
	qop = qop_name(d->qop);
	if (d->qop && (!qop || !d->nc || !d->cnonce))
		return TK_DIGEST_E_QOP;
	if (is_sess(d->alg) && !d->cnonce)
		return TK_DIGEST_E_MISSING;

	md5_hex(ha1, (struct part[]){ STR(d->username), STR(d->realm), { pw, pw_len } }, 3);
	if (is_sess(d->alg))
		md5_hex(ha1, (struct part[]){ STR(ha1), STR(d->nonce), STR(d->cnonce) }, 3);

	if (d->qop == TK_DIGEST_QOP_AUTH_INT) {
		md5_hex(hbody, (struct part[]){ { body, body_len } }, 1);
		md5_hex(ha2, (struct part[]){ STR(method), STR(d->uri), STR(hbody) }, 3);
	} else {
		md5_hex(ha2, (struct part[]){ STR(method), STR(d->uri) }, 2);
	}

	if (qop) {
		snprintf(nc, sizeof nc, "%08x", (unsigned)d->nc);
		md5_hex(out, (struct part[]){ STR(ha1), STR(d->nonce), STR(nc), STR(d->cnonce),
					      STR(qop), STR(ha2) }, 6);
	} else {
		md5_hex(out, (struct part[]){ STR(ha1), STR(d->nonce), STR(ha2) }, 3);
	}
	tk_wipe(ha1, sizeof ha1);
	return TK_DIGEST_OK;
}

int tk_digest_response(const struct tk_digest *d, const char *method,
		       const uint8_t *pw, size_t pw_len,
		       const uint8_t *body, size_t body_len,
		       char out[TK_DIGEST_HEX_LEN + 1])
{
	return compute(d, method, pw, pw_len, body, body_len, out);
}

static int ct_check(const char *expect, const char *got, int rc)
{
	if (rc)
		return rc;
	if (!got || strlen(got) != TK_DIGEST_HEX_LEN)
		return TK_DIGEST_E_MISMATCH;
	return tk_ct_equal(expect, got, TK_DIGEST_HEX_LEN) ? TK_DIGEST_OK : TK_DIGEST_E_MISMATCH;
}

int tk_digest_verify(const struct tk_digest *d, const char *method,
		     const uint8_t *pw, size_t pw_len,
		     const uint8_t *body, size_t body_len)
{
	char expect[TK_DIGEST_HEX_LEN + 1] = "";
	int rc;

	if (!d)
		return TK_DIGEST_E_ARG;
	rc = ct_check(expect, d->response,
		      compute(d, method, pw, pw_len, body, body_len, expect));
	tk_wipe(expect, sizeof expect);
	return rc;
}

int tk_digest_rspauth(const struct tk_digest *d, const uint8_t *pw, size_t pw_len,
		      const uint8_t *resp_body, size_t resp_body_len,
		      char out[TK_DIGEST_HEX_LEN + 1])
{
	return compute(d, "", pw, pw_len, resp_body, resp_body_len, out);
}

int tk_digest_rspauth_verify(const struct tk_digest *d, const struct tk_digest *info,
			     const uint8_t *pw, size_t pw_len,
			     const uint8_t *resp_body, size_t resp_body_len)
{
	char expect[TK_DIGEST_HEX_LEN + 1] = "";
	int rc;

	if (!d || !info)
		return TK_DIGEST_E_ARG;
	if (!info->rspauth)
		return TK_DIGEST_E_MISSING;
	if ((info->qop && info->qop != d->qop) || (info->nc && info->nc != d->nc) ||
	    (info->cnonce && (!d->cnonce || strcmp(info->cnonce, d->cnonce) != 0)))
		return TK_DIGEST_E_MISMATCH;
	rc = ct_check(expect, info->rspauth,
		      compute(d, "", pw, pw_len, resp_body, resp_body_len, expect));
	tk_wipe(expect, sizeof expect);
	return rc;
}

/* ---- AKA helpers ------------------------------------------------------ */

#define NONCE_RAW_MAX (TK_DIGEST_VALUE_MAX / 4 * 3)

int tk_digest_aka_nonce(const uint8_t rand[16], const uint8_t autn[16],
			const uint8_t *extra, size_t extra_len,
			char *out, size_t cap)
{
	uint8_t raw[NONCE_RAW_MAX];

	if (!rand || !autn || !out || (extra_len && !extra))
		return TK_DIGEST_E_ARG;
	if (extra_len > NONCE_RAW_MAX - 32)
		return TK_DIGEST_E_TOOLONG;
	if (cap < tk_b64_encoded_len(32 + extra_len) + 1)
		return TK_DIGEST_E_NOSPACE;
	memcpy(raw, rand, 16);
	memcpy(raw + 16, autn, 16);
	if (extra_len)
		memcpy(raw + 32, extra, extra_len);
	tk_b64_encode(raw, 32 + extra_len, out);
	return TK_DIGEST_OK;
}

int tk_digest_aka_nonce_parse(const char *nonce, size_t len,
			      uint8_t rand[16], uint8_t autn[16])
{
	uint8_t raw[NONCE_RAW_MAX];
	long n;

	if (!nonce || !rand || !autn)
		return TK_DIGEST_E_ARG;
	if (len > TK_DIGEST_VALUE_MAX)
		return TK_DIGEST_E_TOOLONG;
	n = b64_strict(nonce, len, raw, sizeof raw);
	if (n < TK_DIGEST_NONCE_MIN)
		return TK_DIGEST_E_NONCE;
	memcpy(rand, raw, 16);
	memcpy(autn, raw + 16, 16);
	return TK_DIGEST_OK;
}

int tk_digest_akav2_password(const uint8_t *res, size_t res_len,
			     const uint8_t ik[16], const uint8_t ck[16],
			     char out[25])
{
	static const char label[] = "http-digest-akav2-password";
	uint8_t key[16 + 16 + 16], mac[MD5_DIGEST_SIZE];
	struct hmac_md5_ctx ctx;

	if (!res || !ik || !ck || !out || res_len > 16)
		return TK_DIGEST_E_ARG;
	memcpy(key, res, res_len);
	memcpy(key + res_len, ik, 16);
	memcpy(key + res_len + 16, ck, 16);
	hmac_md5_set_key(&ctx, res_len + 32, key);
	hmac_md5_update(&ctx, sizeof label - 1, (const uint8_t *)label);
	hmac_md5_digest(&ctx, sizeof mac, mac);
	tk_b64_encode(mac, sizeof mac, out);
	tk_wipe(&ctx, sizeof ctx);
	tk_wipe(key, sizeof key);
	tk_wipe(mac, sizeof mac);
	return TK_DIGEST_OK;
}
