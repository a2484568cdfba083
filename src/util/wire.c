/*
 * wire.c: bounds-checked reader and builder with sticky errors (see wire.h).
 */
#include "util/wire.h"

#include <string.h>

void tk_rd_init(tk_rd *rd, const uint8_t *buf, size_t len)
{
	rd->base = buf;
	rd->p = buf;
	rd->left = buf ? len : 0;
	rd->err = TK_WIRE_OK;
}

bool tk_rd_fail(tk_rd *rd, int err)
{
	if (rd->err == TK_WIRE_OK)
		rd->err = err ? err : TK_WIRE_INVALID;
	rd->left = 0;
	return false;
}

uint64_t tk_rd_u64(tk_rd *rd)
{
	uint64_t hi = tk_rd_u32(rd);
	uint64_t lo = tk_rd_u32(rd);
	return rd->err ? 0 : (hi << 32) | lo;
}

uint8_t tk_rd_peek_u8(const tk_rd *rd)
{
	return (rd->err || rd->left == 0) ? 0 : rd->p[0];
}

bool tk_rd_copy(tk_rd *rd, void *dst, size_t n)
{
	const uint8_t *q = tk_rd_bytes(rd, n);

	if (!q) {
		if (n)
			memset(dst, 0, n);
		return false;
	}
	if (n)
		memcpy(dst, q, n);
	return true;
}

bool tk_rd_skip(tk_rd *rd, size_t n)
{
	return tk_rd_bytes(rd, n) != NULL || (n == 0 && !rd->err);
}

bool tk_rd_sub(tk_rd *rd, size_t n, tk_rd *sub)
{
	const uint8_t *q = tk_rd_bytes(rd, n);

	sub->base = rd->base;
	sub->p = q;
	sub->left = q ? n : 0;
	sub->err = q || (n == 0 && !rd->err) ? TK_WIRE_OK : TK_WIRE_TRUNCATED;
	if (!sub->p)
		sub->p = rd->p;
	return sub->err == TK_WIRE_OK;
}

bool tk_rd_end(tk_rd *rd)
{
	if (rd->err)
		return false;
	if (rd->left)
		return tk_rd_fail(rd, TK_WIRE_TRAILING);
	return true;
}

/* ---- builder --------------------------------------------------------- */

void tk_wr_init(tk_wr *wr, uint8_t *buf, size_t cap)
{
	wr->buf = buf;
	wr->cap = buf ? cap : 0;
	wr->len = 0;
	wr->err = TK_WIRE_OK;
}

bool tk_wr_fail(tk_wr *wr, int err)
{
	if (wr->err == TK_WIRE_OK)
		wr->err = err ? err : TK_WIRE_INVALID;
	return false;
}

uint8_t *tk_wr_reserve(tk_wr *wr, size_t n)
{
	uint8_t *q;

	if (wr->err)
		return NULL;
	if (n > wr->cap - wr->len) {
		tk_wr_fail(wr, TK_WIRE_NOSPACE);
		return NULL;
	}
	q = wr->buf + wr->len;
	wr->len += n;
	return q;
}

static bool put_be(tk_wr *wr, uint64_t v, unsigned n)
{
	uint8_t *q = tk_wr_reserve(wr, n);
	unsigned i;

	if (!q)
		return false;
	for (i = 0; i < n; i++)
		q[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return true;
}

bool tk_wr_u8(tk_wr *wr, uint8_t v) { return put_be(wr, v, 1); }
bool tk_wr_u16(tk_wr *wr, uint16_t v) { return put_be(wr, v, 2); }
bool tk_wr_u32(tk_wr *wr, uint32_t v) { return put_be(wr, v, 4); }
bool tk_wr_u64(tk_wr *wr, uint64_t v) { return put_be(wr, v, 8); }

bool tk_wr_bytes(tk_wr *wr, const void *src, size_t n)
{
	uint8_t *q;

	if (n == 0)
		return !wr->err;
	if (!src)
		return tk_wr_fail(wr, TK_WIRE_INVALID);
	q = tk_wr_reserve(wr, n);
	if (!q)
		return false;
	memcpy(q, src, n);
	return true;
}

bool tk_wr_patch_u8(tk_wr *wr, size_t pos, uint8_t v)
{
	if (wr->err)
		return false;
	if (pos >= wr->len)
		return tk_wr_fail(wr, TK_WIRE_INVALID);
	wr->buf[pos] = v;
	return true;
}

tk_wr_mark tk_wr_len_begin(tk_wr *wr, unsigned width)
{
	tk_wr_mark m = { wr->len, (uint8_t)width };

	if (width != 1 && width != 2 && width != 4) {
		tk_wr_fail(wr, TK_WIRE_INVALID);
		return m;
	}
	if (tk_wr_reserve(wr, width))
		memset(wr->buf + m.pos, 0, width);
	return m;
}

bool tk_wr_len_end_bits(tk_wr *wr, tk_wr_mark m, unsigned bits, uint32_t high)
{
	size_t n;
	uint32_t v;
	unsigned i;

	if (wr->err)
		return false;
	if (m.pos + m.width > wr->len || bits > 8u * m.width || bits > 32)
		return tk_wr_fail(wr, TK_WIRE_INVALID);
	n = wr->len - m.pos - m.width;
	if (bits < 32 && n >= ((size_t)1 << bits))
		return tk_wr_fail(wr, TK_WIRE_TOOLONG);
	v = (uint32_t)n | high;
	for (i = 0; i < m.width; i++)
		wr->buf[m.pos + i] = (uint8_t)(v >> (8 * (m.width - 1 - i)));
	return true;
}

bool tk_wr_len_end(tk_wr *wr, tk_wr_mark m)
{
	return tk_wr_len_end_bits(wr, m, 8u * m.width, 0);
}
