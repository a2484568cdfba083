/*
 * wire.h: the one cursor type for reading untrusted bytes (tk_rd) and the one
 * builder for writing them (tk_wr).
 *
 * Both are modelled on LibreSSL's CBS/CBB and Knot DNS's wire_ctx: every read
 * or write is bounds-checked and the first error is sticky, so a decoder reads
 * straight down a layout and checks tk_rd_ok() once at the end.  Failed reads
 * return zero / NULL and never touch memory outside the buffer.
 *
 * Neither type allocates: the reader points into the caller's buffer, the
 * builder writes into a caller-provided buffer and fails (sticky) when it is
 * full.  Length fields are reserved with tk_wr_len_begin() and filled in by
 * tk_wr_len_end() from the bytes actually written, never by hand.
 */
#ifndef TK_WIRE_H
#define TK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes shared by the reader and the builder (first one wins). */
enum tk_wire_err {
	TK_WIRE_OK = 0,
	TK_WIRE_TRUNCATED,   /* read past the end of the input */
	TK_WIRE_NOSPACE,     /* builder buffer full */
	TK_WIRE_TOOLONG,     /* value does not fit its length field */
	TK_WIRE_TRAILING,    /* bytes left where the layout ends */
	TK_WIRE_INVALID,     /* set by a decoder via tk_rd_fail() */
};

/* ---- reader ---------------------------------------------------------- */

typedef struct tk_rd {
	const uint8_t *base; /* start of the whole input (for offsets) */
	const uint8_t *p;    /* next unread byte */
	size_t left;         /* bytes left */
	int err;             /* sticky; TK_WIRE_OK while healthy */
} tk_rd;

void tk_rd_init(tk_rd *rd, const uint8_t *buf, size_t len);

static inline bool tk_rd_ok(const tk_rd *rd) { return rd->err == TK_WIRE_OK; }
static inline size_t tk_rd_left(const tk_rd *rd) { return rd->err ? 0 : rd->left; }
static inline size_t tk_rd_offset(const tk_rd *rd) { return (size_t)(rd->p - rd->base); }
static inline const uint8_t *tk_rd_ptr(const tk_rd *rd) { return rd->p; }

/* Record an error (only the first one is kept). Returns false for chaining. */
bool tk_rd_fail(tk_rd *rd, int err);

/* Pointer to the next n bytes, consumed; NULL with a sticky
 * TK_WIRE_TRUNCATED if short.  Inline because decoders call it once per
 * field (hot parse path). */
static inline const uint8_t *tk_rd_bytes(tk_rd *rd, size_t n)
{
	const uint8_t *q;

	if (rd->err)
		return NULL;
	if (n > rd->left) {
		tk_rd_fail(rd, TK_WIRE_TRUNCATED);
		return NULL;
	}
	q = rd->p;
	rd->p += n;
	rd->left -= n;
	return q;
}

static inline uint8_t tk_rd_u8(tk_rd *rd)
{
	const uint8_t *q = tk_rd_bytes(rd, 1);
	return q ? q[0] : 0;
}

static inline uint16_t tk_rd_u16(tk_rd *rd)
{
	const uint8_t *q = tk_rd_bytes(rd, 2);
	return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

static inline uint32_t tk_rd_u32(tk_rd *rd)
{
	const uint8_t *q = tk_rd_bytes(rd, 4);
	return q ? ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) |
		   ((uint32_t)q[2] << 8) | q[3] : 0;
}

uint64_t tk_rd_u64(tk_rd *rd);
/* Peek at the next byte without consuming it (0 on error/empty). */
uint8_t tk_rd_peek_u8(const tk_rd *rd);
/* Copy n bytes out. On error the destination is zeroed. */
bool tk_rd_copy(tk_rd *rd, void *dst, size_t n);
bool tk_rd_skip(tk_rd *rd, size_t n);
/* A sub-reader over the next n bytes (consumed from rd). The sub-reader keeps
 * rd's base so offsets stay relative to the whole input. */
bool tk_rd_sub(tk_rd *rd, size_t n, tk_rd *sub);
/* Fails with TK_WIRE_TRAILING when bytes are left. */
bool tk_rd_end(tk_rd *rd);

/* ---- builder --------------------------------------------------------- */

typedef struct tk_wr {
	uint8_t *buf;
	size_t cap;
	size_t len;
	int err;
} tk_wr;

/* Mark of a reserved length field. */
typedef struct tk_wr_mark {
	size_t pos;   /* offset of the length field */
	uint8_t width; /* 1, 2 or 4 bytes */
} tk_wr_mark;

void tk_wr_init(tk_wr *wr, uint8_t *buf, size_t cap);
static inline bool tk_wr_ok(const tk_wr *wr) { return wr->err == TK_WIRE_OK; }
static inline size_t tk_wr_len(const tk_wr *wr) { return wr->len; }
bool tk_wr_fail(tk_wr *wr, int err);

bool tk_wr_u8(tk_wr *wr, uint8_t v);
bool tk_wr_u16(tk_wr *wr, uint16_t v);
bool tk_wr_u32(tk_wr *wr, uint32_t v);
bool tk_wr_u64(tk_wr *wr, uint64_t v);
bool tk_wr_bytes(tk_wr *wr, const void *src, size_t n);
/* Reserve n bytes and return a pointer to them (NULL on error). */
uint8_t *tk_wr_reserve(tk_wr *wr, size_t n);
/* Overwrite one byte already written (e.g. a Next Payload slot). */
bool tk_wr_patch_u8(tk_wr *wr, size_t pos, uint8_t v);

/* Reserve a length field of `width` bytes (1, 2 or 4). */
tk_wr_mark tk_wr_len_begin(tk_wr *wr, unsigned width);
/* Fill it with the number of bytes written since tk_wr_len_begin(). */
bool tk_wr_len_end(tk_wr *wr, tk_wr_mark m);
/* Same, for a length sharing its field with flag bits: the length must fit
 * in `bits` bits and `high` (already shifted into place) is OR-ed in.  Used by
 * PKE (2+14 bits) and SIGN (4+12 bits). */
bool tk_wr_len_end_bits(tk_wr *wr, tk_wr_mark m, unsigned bits, uint32_t high);

#endif
