/*
 * hexb64.h: hex and base64 conversions for keys, nonces and message dumps.
 * base64 is RFC 4648 with padding (what B-TIDs, Digest nonces and SDP
 * key-mgmt lines use). All decoders reject malformed input.
 */
#ifndef TK_HEXB64_H
#define TK_HEXB64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes 2*n lowercase hex digits and a NUL to out (size >= 2n+1). */
void tk_hex_encode(const uint8_t *in, size_t n, char *out);
/* Decodes exactly strlen(hex)/2 bytes; returns -1 on odd length, bad digit or
 * when the result would exceed cap; else the number of bytes. Whitespace is
 * not accepted. */
long tk_hex_decode(const char *hex, uint8_t *out, size_t cap);
/* Same over a length-delimited string; ASCII whitespace is skipped. */
long tk_hex_decode_ws(const char *hex, size_t len, uint8_t *out, size_t cap);

/* base64 with padding; out needs 4*((n+2)/3)+1 bytes. Returns length. */
size_t tk_b64_encode(const uint8_t *in, size_t n, char *out);
size_t tk_b64_encoded_len(size_t n);
/* Decodes padded base64 (ASCII whitespace skipped). Returns byte count or -1. */
long tk_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

#endif
