/*
 * hexb64.c: hex and base64 (nettle's base64 codec; hex by table).
 */
#include "util/hexb64.h"

#include <string.h>
#include <nettle/base64.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void tk_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

long tk_hex_decode_ws(const char *hex, size_t len, uint8_t *out, size_t cap)
{
	size_t i, n = 0;
	int hi = -1;

	for (i = 0; i < len; i++) {
		int v;

		if (is_space((unsigned char)hex[i]))
			continue;
		v = hexval((unsigned char)hex[i]);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

long tk_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t i, len = strlen(hex);

	for (i = 0; i < len; i++)
		if (is_space((unsigned char)hex[i]))
			return -1;
	return tk_hex_decode_ws(hex, len, out, cap);
}

size_t tk_b64_encoded_len(size_t n)
{
	return BASE64_ENCODE_RAW_LENGTH(n);
}

size_t tk_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t len = BASE64_ENCODE_RAW_LENGTH(n);

	base64_encode_raw(out, n, in);
	out[len] = '\0';
	return len;
}

long tk_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	struct base64_decode_ctx ctx;
	size_t i, total = 0, chars = 0;

	base64_decode_init(&ctx);
	for (i = 0; i < len; i++) {
		uint8_t tmp[1];
		size_t got = sizeof tmp;

		if (is_space((unsigned char)in[i]))
			continue;
		chars++;
		/* one character yields at most one byte */
		if (!base64_decode_update(&ctx, &got, tmp, 1, &in[i]))
			return -1;
		if (got) {
			if (total >= cap)
				return -1;
			out[total++] = tmp[0];
		}
	}
	if (chars % 4 != 0 || !base64_decode_final(&ctx))
		return -1;
	return (long)total;
}
