# src/ue: rules added by the module
# -- uecall: UE side of the MIKEY-TICKET flow, KMS client transports, SRTP proof
noinst_LIBRARIES += src/ue/libuecall.a
src_ue_libuecall_a_SOURCES = src/ue/call.c src/ue/call.h \
	src/ue/srtpproof.c src/ue/srtpproof.h \
	src/ue/kmsclient.c src/ue/kmsclient.h \
	src/ue/cmd_call.c src/ue/cmd_call.h \
	src/ue/cmd_common.c src/ue/cmd_common.h \
	src/ue/cmd_media.c src/ue/cmd_media.h
src_ue_libuecall_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) \
	$(CURL_CFLAGS) $(SRTP_CFLAGS)
TK_UECALL_LIBS = src/ue/libuecall.a src/mikey/libmikey.a src/gba/libgba.a src/util/libtkutil.a \
	$(CURL_LIBS) $(SRTP_LIBS) $(JANSSON_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/unit/test-ue-call
TESTS += tests/unit/test-ue-call
tests_unit_test_ue_call_SOURCES = tests/unit/test-ue-call.c tests/unit/tk_test.h
tests_unit_test_ue_call_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_ue_call_LDADD = $(TK_UECALL_LIBS) $(CUNIT_LIBS)

check_PROGRAMS += tests/unit/test-ue-kmsclient
TESTS += tests/unit/test-ue-kmsclient
tests_unit_test_ue_kmsclient_SOURCES = tests/unit/test-ue-kmsclient.c tests/unit/tk_test.h
tests_unit_test_ue_kmsclient_CFLAGS = $(TK_TEST_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_ue_kmsclient_LDADD = $(TK_UECALL_LIBS) src/http/libtkhttp.a src/util/libtkutil.a \
	$(MHD_LIBS) $(CUNIT_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

# The UE library against the real ticket engine, in-process.
check_PROGRAMS += tests/unit/test-ue-engine
TESTS += tests/unit/test-ue-engine
tests_unit_test_ue_engine_SOURCES = tests/unit/test-ue-engine.c tests/unit/tk_test.h
tests_unit_test_ue_engine_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_ue_engine_LDADD = src/ue/libuecall.a src/kms/libkms.a $(TK_UECALL_LIBS) \
	$(CUNIT_LIBS)
# -- end uecall
# -- ueboot: UE bootstrapping (simulated USIM, Ub client, state file) and tkms-ue
noinst_LIBRARIES += src/ue/libue.a
src_ue_libue_a_SOURCES = \
	src/ue/usim.c src/ue/usim.h \
	src/ue/state.c src/ue/state.h \
	src/ue/ui_boot.c src/ue/ui_boot.h \
	src/ue/ui_boot_cli.c src/ue/ui_boot_cli.h
src_ue_libue_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(XML_CFLAGS) \
	$(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) -DTK_UE_SCHEMADIR='"$(ueschemadir)"'
# The BootstrappingInfo XSD the UE validates the Ub answer with, installed.
ueschemadir = $(pkgdatadir)/schemas
ueschema_DATA = schemas/bootstrapping-info.xsd
TK_UE_LIBS = src/ue/libue.a src/gba/libgba.a src/util/libtkutil.a $(CURL_LIBS) \
	$(JANSSON_LIBS) $(XML_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

bin_PROGRAMS += src/ue/tkms-ue
src_ue_tkms_ue_SOURCES = src/ue/tkms-ue.c
src_ue_tkms_ue_CFLAGS = $(AM_CFLAGS)
src_ue_tkms_ue_LDADD = $(TK_UE_LIBS)

check_PROGRAMS += tests/unit/test-ue-boot
TESTS += tests/unit/test-ue-boot
tests_unit_test_ue_boot_SOURCES = tests/unit/test-ue-boot.c tests/unit/tk_test.h
tests_unit_test_ue_boot_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_ue_boot_LDADD = $(TK_UE_LIBS) $(TK_TEST_LIBS)

check_PROGRAMS += tests/unit/test-ue-ub
TESTS += tests/unit/test-ue-ub
tests_unit_test_ue_ub_SOURCES = tests/unit/test-ue-ub.c tests/unit/tk_test.h
tests_unit_test_ue_ub_CFLAGS = $(TK_TEST_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_ue_ub_LDADD = $(TK_UE_LIBS) $(MHD_LIBS) $(TK_TEST_LIBS)

TESTS += tests/system/gba-bootstrap.sh
dist_check_SCRIPTS += tests/system/gba-bootstrap.sh
# -- end ueboot
# -- uecall: tkms-ue links the call-flow subcommands (they use libue, hence libue again after)
src_ue_tkms_ue_LDADD += $(TK_UECALL_LIBS) $(TK_UE_LIBS)
# -- end uecall (tkms-ue link)
# -- uecall: system test of the whole flow through tkmsd and bsf-stub
TESTS += tests/system/ue-call.sh
dist_check_SCRIPTS += tests/system/ue-call.sh
# -- end uecall (system test)

# -- creds: PK variants and password users on the UE (helper creds)
src_ue_libuecall_a_SOURCES += src/ue/call_creds.c src/ue/call_creds.h \
	src/ue/cmd_creds.c src/ue/cmd_creds.h
# -- end creds
