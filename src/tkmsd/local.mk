# src/tkmsd: the KMS daemon shell (configuration, logging, audit, routes,
# PSK lookup, the ticket engine glue, key ring admin, life cycle).
noinst_LIBRARIES += src/tkmsd/libtkmsd.a
src_tkmsd_libtkmsd_a_SOURCES = \
	src/tkmsd/conf.c src/tkmsd/conf.h \
	src/tkmsd/log.c src/tkmsd/log.h \
	src/tkmsd/audit.c src/tkmsd/audit.h \
	src/tkmsd/routes.c src/tkmsd/routes.h src/tkmsd/mikey_handler.h \
	src/tkmsd/psk.c src/tkmsd/psk.h \
	src/tkmsd/engine_glue.c src/tkmsd/engine_glue.h \
	src/tkmsd/keyring_cmd.c src/tkmsd/keyring_cmd.h
src_tkmsd_libtkmsd_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) \
	$(CURL_CFLAGS)

sbin_PROGRAMS += src/tkmsd/tkmsd
src_tkmsd_tkmsd_SOURCES = src/tkmsd/tkmsd.c
src_tkmsd_tkmsd_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS)
TK_TKMSD_LIBS = src/tkmsd/libtkmsd.a src/kms/libkms.a src/mikey/libmikey.a $(TK_HTTP_LIBS) \
	$(TK_NAF_LIBS) $(JANSSON_LIBS) $(PTHREAD_LIBS)
src_tkmsd_tkmsd_LDADD = $(TK_TKMSD_LIBS)

TESTS += tests/system/tkmsd-basic.sh tests/system/tkmsd-config.sh tests/system/tkmsd-psk.sh
dist_check_SCRIPTS += tests/system/tkmsd-basic.sh tests/system/tkmsd-config.sh tests/system/tkmsd-psk.sh

check_PROGRAMS += tests/unit/test-tkmsd
tests_unit_test_tkmsd_SOURCES = tests/unit/test-tkmsd.c tests/unit/tk_test.h
tests_unit_test_tkmsd_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_tkmsd_LDADD = $(TK_TKMSD_LIBS) $(CURL_LIBS) $(TK_TEST_LIBS)
TESTS += tests/unit/test-tkmsd

# System tests of the KMS with real bsf-stub, tkmsd and UEs (issue 4).
# kms-client: a UE that can also misbehave (spoiled MAC, old T, tampered
# ticket, foreign IDRpsk), on the UE library.
check_PROGRAMS += tests/system/kms-client
tests_system_kms_client_SOURCES = tests/system/kms-client.c
tests_system_kms_client_CFLAGS = $(AM_CFLAGS)
tests_system_kms_client_LDADD = $(TK_UECALL_LIBS) $(TK_UE_LIBS)
TESTS += tests/system/kms-flow.sh
dist_check_SCRIPTS += tests/system/kms-flow.sh
TESTS += tests/system/kms-refuse.sh
dist_check_SCRIPTS += tests/system/kms-refuse.sh
TESTS += tests/system/kms-admin.sh
dist_check_SCRIPTS += tests/system/kms-admin.sh
TESTS += tests/system/kms-hostile.sh
dist_check_SCRIPTS += tests/system/kms-hostile.sh

# -- creds: PK credentials, certificate users and password users (helper creds)
src_tkmsd_libtkmsd_a_SOURCES += src/tkmsd/creds.c src/tkmsd/creds.h
TESTS += tests/system/kms-creds.sh
dist_check_SCRIPTS += tests/system/kms-creds.sh
# -- end creds
