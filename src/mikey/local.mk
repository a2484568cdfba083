# src/mikey: rules added by the module
# Shared by mcrypto and codec: the library and its flags. Each part adds its
# own files below with '+=' (automake needs this one '=' first).
noinst_LIBRARIES += src/mikey/libmikey.a
src_mikey_libmikey_a_SOURCES =
src_mikey_libmikey_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)

# -- mcrypto (PRF, derivations, KEMAC encryption, MAC) and ntp (timestamps)
src_mikey_libmikey_a_SOURCES += src/mikey/mcrypto.c src/mikey/mcrypto.h \
	src/mikey/ntp.c src/mikey/ntp.h
check_PROGRAMS += tests/unit/test-mcrypto
tests_unit_test_mcrypto_SOURCES = tests/unit/test-mcrypto.c tests/unit/tk_test.h
tests_unit_test_mcrypto_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_mcrypto_LDADD = src/mikey/libmikey.a $(TK_TEST_LIBS)
TESTS += tests/unit/test-mcrypto
# -- end mcrypto

# -- codec (payloads, messages, protection, base ticket)
src_mikey_libmikey_a_SOURCES += src/mikey/mikey.h src/mikey/payload.h \
	src/mikey/payload.c src/mikey/message.c \
	src/mikey/mprotect.h src/mikey/mprotect.c
check_PROGRAMS += tests/unit/test-codec
tests_unit_test_codec_SOURCES = tests/unit/test-codec.c tests/unit/codec-samples.h \
	tests/unit/tk_test.h
tests_unit_test_codec_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_codec_LDADD = src/mikey/libmikey.a $(TK_TEST_LIBS)
TESTS += tests/unit/test-codec
check_PROGRAMS += tests/unit/test-codec-malformed
tests_unit_test_codec_malformed_SOURCES = tests/unit/test-codec-malformed.c \
	tests/unit/codec-samples.h tests/unit/tk_test.h
tests_unit_test_codec_malformed_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_codec_malformed_LDADD = src/mikey/libmikey.a $(TK_TEST_LIBS)
TESTS += tests/unit/test-codec-malformed
# -- end codec
