/*
 * btid.c: B-TID syntax and PSK identity parsing (see btid.h; gba.md 4.1,
 * 2.4; profile P-7).  Reads the untrusted bytes with the tk_rd cursor.
 */
#include "naf/btid.h"

#include <string.h>

#include "util/wire.h"

static bool is_b64(unsigned c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static bool is_ldh(unsigned c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* Padded base64 of at least one octet: groups of four, '=' only at the end
 * (one or two of them), and the bits under the padding zero would be a
 * canonical-form check we leave out: the BSF chose the string, we only bound
 * its shape. */
static bool local_valid(tk_rd *rd)
{
	size_t n = tk_rd_left(rd), pad = 0;
	const uint8_t *p = tk_rd_bytes(rd, n);

	if (!p || n < 4 || n > NAF_BTID_LOCAL_MAX || n % 4)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=') {
			pad++;
			continue;
		}
		if (pad || !is_b64(p[i]))
			return false;
	}
	return pad <= 2;
}

static bool domain_valid(tk_rd *rd)
{
	size_t n = tk_rd_left(rd), label = 0;
	unsigned prev = '.';

	if (n < 1 || n > NAF_BTID_DOMAIN_MAX)
		return false;
	while (tk_rd_left(rd)) {
		unsigned c = tk_rd_u8(rd);
		if (c == '.') {
			if (label == 0 || prev == '-')
				return false;
			label = 0;
		} else {
			if (!is_ldh(c) || (label == 0 && c == '-') || ++label > 63)
				return false;
		}
		prev = c;
	}
	return tk_rd_ok(rd) && prev != '.' && prev != '-';
}

bool naf_fqdn_valid(const char *s, size_t len)
{
	tk_rd rd;

	if (!s)
		return false;
	tk_rd_init(&rd, (const uint8_t *)s, len);
	return domain_valid(&rd);
}

bool naf_btid_valid(const char *s, size_t len)
{
	const char *at;
	tk_rd rd, local;

	if (!s || len < 6 || len > NAF_BTID_MAX)
		return false;
	at = memchr(s, '@', len);
	if (!at)
		return false;
	tk_rd_init(&rd, (const uint8_t *)s, len);
	if (!tk_rd_sub(&rd, (size_t)(at - s), &local) || !local_valid(&local))
		return false;
	tk_rd_skip(&rd, 1); /* the '@'; a second one fails the domain check */
	return domain_valid(&rd);
}

bool naf_psk_identity_btid(const char *id, size_t len, const char **btid,
			   size_t *btid_len)
{
	const size_t plen = sizeof NAF_PSK_PREFIX - 1;

	if (!id)
		return false;
	if (len > plen && memcmp(id, NAF_PSK_PREFIX, plen) == 0) {
		id += plen;
		len -= plen;
	}
	if (!naf_btid_valid(id, len))
		return false;
	*btid = id;
	*btid_len = len;
	return true;
}
