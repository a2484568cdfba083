# Unit tests (CUnit) and system tests. Modules add their own test programs here.
TK_TEST_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
TK_TEST_LIBS = src/util/libtkutil.a $(CUNIT_LIBS) $(TK_CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test-wire
tests_unit_test_wire_SOURCES = tests/unit/test-wire.c tests/unit/tk_test.h
tests_unit_test_wire_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_wire_LDADD = $(TK_TEST_LIBS)
TESTS += tests/unit/test-wire
