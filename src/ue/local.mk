# src/ue: rules added by the module
# -- uecall: UE side of the MIKEY-TICKET flow, KMS client transports, SRTP proof
noinst_LIBRARIES += src/ue/libuecall.a
src_ue_libuecall_a_SOURCES = src/ue/call.c src/ue/call.h \
	src/ue/srtpproof.c src/ue/srtpproof.h
src_ue_libuecall_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) \
	$(CURL_CFLAGS) $(SRTP_CFLAGS)
TK_UECALL_LIBS = src/ue/libuecall.a src/mikey/libmikey.a src/gba/libgba.a src/util/libtkutil.a \
	$(CURL_LIBS) $(SRTP_LIBS) $(JANSSON_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/unit/test-ue-call
TESTS += tests/unit/test-ue-call
tests_unit_test_ue_call_SOURCES = tests/unit/test-ue-call.c tests/unit/tk_test.h
tests_unit_test_ue_call_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_ue_call_LDADD = $(TK_UECALL_LIBS) $(CUNIT_LIBS)
# -- end uecall
