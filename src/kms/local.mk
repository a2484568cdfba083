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
# libFuzzer harness of the engine (make fuzz); seeds: tests/fuzz/corpus/mikey.
ENGINE_FUZZ_SRCS = $(top_srcdir)/src/kms/engine.c $(top_srcdir)/src/kms/policy.c \
	$(top_srcdir)/src/kms/keyring.c $(top_srcdir)/src/kms/replay.c \
	$(top_srcdir)/src/util/hexb64.c $(MIKEY_FUZZ_SRCS)
EXTRA_DIST += tests/fuzz/fuzz-engine.c
CLEANFILES += tests/fuzz/fuzz-engine
.PHONY: fuzz-engine
fuzz: fuzz-engine
if HAVE_FUZZ_CC
fuzz-engine: tests/fuzz/fuzz-engine
tests/fuzz/fuzz-engine: $(top_srcdir)/tests/fuzz/fuzz-engine.c $(ENGINE_FUZZ_SRCS)
	@$(MKDIR_P) tests/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -I$(top_srcdir)/src \
		-I$(top_srcdir) -I$(top_builddir) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) \
		$(top_srcdir)/tests/fuzz/fuzz-engine.c $(ENGINE_FUZZ_SRCS) \
		$(JANSSON_LIBS) $(NETTLE_LIBS) $(GNUTLS_LIBS) -pthread -o $@
else
fuzz-engine:
	@echo "fuzz-engine: no clang (FUZZ_CC) found, harness not built"
endif
# -- end engine

# -- creds: PK variants at the KMS (certificate chain, certificate users, SIGN, PKE)
src_kms_libkms_a_SOURCES += src/kms/pkauth.c src/kms/pkauth.h
ENGINE_FUZZ_SRCS += $(top_srcdir)/src/kms/pkauth.c
# GBA, password and certificate users through the engine with the UE library
check_PROGRAMS += tests/unit/test-engine-creds
tests_unit_test_engine_creds_SOURCES = tests/unit/test-engine-creds.c \
	tests/unit/pk_testcerts.h tests/unit/tk_test.h
tests_unit_test_engine_creds_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_engine_creds_LDADD = src/ue/libuecall.a src/kms/libkms.a $(TK_UECALL_LIBS) \
	$(CUNIT_LIBS)
TESTS += tests/unit/test-engine-creds
# -- end creds
