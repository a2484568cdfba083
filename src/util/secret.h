/*
 * secret.h: handling of key material. Keys are wiped with gnutls_memset (which
 * the compiler may not elide) and MACs are compared in constant time with
 * nettle's memeql_sec. Nothing here logs.
 */
#ifndef TK_SECRET_H
#define TK_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <gnutls/gnutls.h>
#include <nettle/memops.h>

static inline void tk_wipe(void *p, size_t n)
{
	if (p && n)
		gnutls_memset(p, 0, n);
}

/* Constant-time equality of two equally long buffers. */
static inline bool tk_ct_equal(const void *a, const void *b, size_t n)
{
	return memeql_sec(a, b, n) != 0;
}

#endif
