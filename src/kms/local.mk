# src/kms: the KMS library (ticket engine, TPK key ring, replay cache).
# The ticket engine adds its files with 'src_kms_libkms_a_SOURCES +=' below.
noinst_LIBRARIES += src/kms/libkms.a
src_kms_libkms_a_SOURCES = \
	src/kms/keyring.c src/kms/keyring.h \
	src/kms/replay.c src/kms/replay.h
src_kms_libkms_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS)
# Programs linking libkms.a also need: $(JANSSON_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/unit/test-keyring tests/unit/test-replay
tests_unit_test_keyring_SOURCES = tests/unit/test-keyring.c tests/unit/tk_test.h
tests_unit_test_keyring_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_keyring_LDADD = src/kms/libkms.a $(TK_TEST_LIBS) $(JANSSON_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test-keyring
tests_unit_test_replay_SOURCES = tests/unit/test-replay.c tests/unit/tk_test.h
tests_unit_test_replay_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_replay_LDADD = src/kms/libkms.a $(TK_TEST_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test-replay

# -- engine (ticket engine: verify, authorize, grant, issue, resolve)
src_kms_libkms_a_SOURCES += src/kms/engine.c src/kms/engine.h \
	src/kms/policy.c src/kms/policy.h src/kms/naf_keys.c src/kms/naf_keys.h
check_PROGRAMS += tests/unit/test-engine
tests_unit_test_engine_SOURCES = tests/unit/test-engine.c tests/unit/tk_test.h
tests_unit_test_engine_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_engine_LDADD = src/kms/libkms.a src/mikey/libmikey.a $(TK_TEST_LIBS) \
	$(JANSSON_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test-engine
check_PROGRAMS += tests/unit/test-engine-policy
tests_unit_test_engine_policy_SOURCES = tests/unit/test-engine-policy.c tests/unit/tk_test.h
tests_unit_test_engine_policy_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_engine_policy_LDADD = src/kms/libkms.a src/mikey/libmikey.a $(TK_TEST_LIBS) \
	$(JANSSON_LIBS) $(PTHREAD_LIBS)
TESTS += tests/unit/test-engine-policy
check_PROGRAMS += tests/unit/test-engine-naf
tests_unit_test_engine_naf_SOURCES = tests/unit/test-engine-naf.c tests/unit/tk_test.h \
	tests/unit/naf_zn_peer.c tests/unit/naf_zn_peer.h
tests_unit_test_engine_naf_CFLAGS = $(TK_TEST_CFLAGS) $(MHD_CFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_engine_naf_LDADD = src/kms/libkms.a src/mikey/libmikey.a $(TK_NAF_TEST_LIBS)
TESTS += tests/unit/test-engine-naf
noinst_PROGRAMS += src/kms/engine-bench
src_kms_engine_bench_SOURCES = src/kms/engine-bench.c
src_kms_engine_bench_CFLAGS = $(AM_CFLAGS)
src_kms_engine_bench_LDADD = src/kms/libkms.a src/mikey/libmikey.a src/util/libtkutil.a \
	$(JANSSON_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)
# -- end engine
