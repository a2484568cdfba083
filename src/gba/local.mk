# src/gba: GBA algorithms (Milenage, GBA KDF / NAF keys / B-TID, HTTP Digest AKA).
# No I/O in the library; links nettle (AES-128, HMAC-SHA-256, MD5) and libtkutil.
noinst_LIBRARIES += src/gba/libgba.a
src_gba_libgba_a_SOURCES = \
	src/gba/milenage.c src/gba/milenage.h \
	src/gba/kdf.c src/gba/kdf.h \
	src/gba/digest.c src/gba/digest.h
src_gba_libgba_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)

TK_GBA_TEST_LIBS = src/gba/libgba.a $(TK_TEST_LIBS) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/test-gba-milenage tests/unit/test-gba-kdf tests/unit/test-gba-digest
TESTS += tests/unit/test-gba-milenage tests/unit/test-gba-kdf tests/unit/test-gba-digest

tests_unit_test_gba_milenage_SOURCES = tests/unit/test-gba-milenage.c tests/unit/tk_test.h
tests_unit_test_gba_milenage_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_gba_milenage_LDADD = $(TK_GBA_TEST_LIBS)

tests_unit_test_gba_kdf_SOURCES = tests/unit/test-gba-kdf.c tests/unit/tk_test.h
tests_unit_test_gba_kdf_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_gba_kdf_LDADD = $(TK_GBA_TEST_LIBS)

tests_unit_test_gba_digest_SOURCES = tests/unit/test-gba-digest.c tests/unit/tk_test.h
tests_unit_test_gba_digest_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_gba_digest_LDADD = $(TK_GBA_TEST_LIBS)

# gba-calc: prints our AKA vector for given inputs, for the osmo-auc-gen comparison.
check_PROGRAMS += src/gba/gba-calc
src_gba_gba_calc_SOURCES = src/gba/gba-calc.c
src_gba_gba_calc_CFLAGS = $(AM_CFLAGS) $(NETTLE_CFLAGS)
src_gba_gba_calc_LDADD = src/gba/libgba.a src/util/libtkutil.a $(TK_CRYPTO_LIBS)

TESTS += tests/system/osmo-auc-gen.sh
dist_check_SCRIPTS += tests/system/osmo-auc-gen.sh

# -- creds: HA1 and MIKEY PSK of password users (helper creds)
src_gba_libgba_a_SOURCES += src/gba/userpsk.c src/gba/userpsk.h
# -- end creds
