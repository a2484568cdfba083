# Shared helpers: bounded cursor and builder, hex/base64, secrets.
noinst_LIBRARIES += src/util/libtkutil.a
src_util_libtkutil_a_SOURCES = \
	src/util/wire.c src/util/wire.h \
	src/util/hexb64.c src/util/hexb64.h \
	src/util/secret.h
src_util_libtkutil_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)
