# src/mikey: rules added by the module
# Shared by mcrypto and codec: the library and its flags. Each part adds its
# own files below with '+=' (automake needs this one '=' first).
noinst_LIBRARIES += src/mikey/libmikey.a
src_mikey_libmikey_a_SOURCES =
src_mikey_libmikey_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)

# -- mcrypto (PRF, derivations, KEMAC encryption, MAC) and ntp (timestamps)
src_mikey_libmikey_a_SOURCES += src/mikey/mcrypto.c src/mikey/mcrypto.h \
	src/mikey/ntp.c src/mikey/ntp.h
# -- end mcrypto
