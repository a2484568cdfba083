# src/tkmsd: the KMS daemon shell (configuration, logging, audit, routes,
# PSK lookup, life cycle). The ticket engine (src/kms) plugs in through
# src/tkmsd/mikey_handler.h.
noinst_LIBRARIES += src/tkmsd/libtkmsd.a
src_tkmsd_libtkmsd_a_SOURCES = \
	src/tkmsd/conf.c src/tkmsd/conf.h \
	src/tkmsd/log.c src/tkmsd/log.h \
	src/tkmsd/audit.c src/tkmsd/audit.h \
	src/tkmsd/routes.c src/tkmsd/routes.h src/tkmsd/mikey_handler.h \
	src/tkmsd/psk.c src/tkmsd/psk.h
src_tkmsd_libtkmsd_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) \
	$(CURL_CFLAGS)

sbin_PROGRAMS += src/tkmsd/tkmsd
src_tkmsd_tkmsd_SOURCES = src/tkmsd/tkmsd.c
src_tkmsd_tkmsd_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS)
src_tkmsd_tkmsd_LDADD = src/tkmsd/libtkmsd.a $(TK_HTTP_LIBS) $(TK_NAF_LIBS) $(JANSSON_LIBS)

TESTS += tests/system/tkmsd-basic.sh tests/system/tkmsd-config.sh tests/system/tkmsd-psk.sh
dist_check_SCRIPTS += tests/system/tkmsd-basic.sh tests/system/tkmsd-config.sh tests/system/tkmsd-psk.sh

check_PROGRAMS += tests/unit/test-tkmsd
tests_unit_test_tkmsd_SOURCES = tests/unit/test-tkmsd.c tests/unit/tk_test.h
tests_unit_test_tkmsd_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_tkmsd_LDADD = src/tkmsd/libtkmsd.a $(TK_HTTP_LIBS) $(TK_NAF_LIBS) $(JANSSON_LIBS) \
	$(CURL_LIBS) $(TK_TEST_LIBS)
TESTS += tests/unit/test-tkmsd
