# Shared helpers: bounded cursor and builder, hex/base64, secrets, atomic
# file I/O, RFC 3339 times, strict JSON members.
noinst_LIBRARIES += src/util/libtkutil.a
src_util_libtkutil_a_SOURCES = \
	src/util/wire.c src/util/wire.h \
	src/util/hexb64.c src/util/hexb64.h \
	src/util/fileio.c src/util/fileio.h \
	src/util/timefmt.c src/util/timefmt.h \
	src/util/json.c src/util/json.h \
	src/util/secret.h
src_util_libtkutil_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS)

check_PROGRAMS += tests/unit/test-fileio tests/unit/test-timefmt
TESTS += tests/unit/test-fileio tests/unit/test-timefmt
tests_unit_test_fileio_SOURCES = tests/unit/test-fileio.c tests/unit/tk_test.h
tests_unit_test_fileio_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_fileio_LDADD = $(TK_TEST_LIBS)
tests_unit_test_timefmt_SOURCES = tests/unit/test-timefmt.c tests/unit/tk_test.h
tests_unit_test_timefmt_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_timefmt_LDADD = $(TK_TEST_LIBS)

check_PROGRAMS += tests/unit/test-util-json
TESTS += tests/unit/test-util-json
tests_unit_test_util_json_SOURCES = tests/unit/test-util-json.c tests/unit/tk_test.h
tests_unit_test_util_json_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_util_json_LDADD = $(TK_TEST_LIBS) $(JANSSON_LIBS)
