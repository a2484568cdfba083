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
check_PROGRAMS += tests/unit/test-codec-payloads
tests_unit_test_codec_payloads_SOURCES = tests/unit/test-codec-payloads.c \
	tests/unit/codec-samples.h tests/unit/tk_test.h
tests_unit_test_codec_payloads_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_codec_payloads_LDADD = src/mikey/libmikey.a $(TK_TEST_LIBS)
TESTS += tests/unit/test-codec-payloads

# tshark reads what libmikey writes (mikey.md 6.6)
check_PROGRAMS += tests/system/mikey-tshark-gen
tests_system_mikey_tshark_gen_SOURCES = tests/system/mikey-tshark-gen.c \
	tests/unit/codec-samples.h
tests_system_mikey_tshark_gen_CFLAGS = $(TK_TEST_CFLAGS) -I$(top_srcdir)/tests/unit
tests_system_mikey_tshark_gen_LDADD = src/mikey/libmikey.a $(TK_TEST_LIBS)
TESTS += tests/system/tshark-mikey.sh
dist_check_SCRIPTS += tests/system/tshark-mikey.sh

# libFuzzer harness (make fuzz); seeds in tests/fuzz/corpus/mikey, written
# by gen-mikey-corpus (make fuzz-mikey-corpus).
MIKEY_FUZZ_SRCS = $(top_srcdir)/src/mikey/payload.c $(top_srcdir)/src/mikey/message.c \
	$(top_srcdir)/src/mikey/mprotect.c $(top_srcdir)/src/mikey/mcrypto.c \
	$(top_srcdir)/src/mikey/ntp.c $(top_srcdir)/src/util/wire.c
EXTRA_DIST += tests/fuzz/fuzz-mikey.c tests/fuzz/gen-mikey-corpus.c
CLEANFILES += tests/fuzz/fuzz-mikey tests/fuzz/gen-mikey-corpus
.PHONY: fuzz-mikey fuzz-mikey-corpus
fuzz: fuzz-mikey
if HAVE_FUZZ_CC
fuzz-mikey: tests/fuzz/fuzz-mikey
tests/fuzz/fuzz-mikey: $(top_srcdir)/tests/fuzz/fuzz-mikey.c $(MIKEY_FUZZ_SRCS)
	@$(MKDIR_P) tests/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -I$(top_srcdir)/src \
		-I$(top_srcdir) -I$(top_builddir) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) \
		$(top_srcdir)/tests/fuzz/fuzz-mikey.c $(MIKEY_FUZZ_SRCS) \
		$(NETTLE_LIBS) $(GNUTLS_LIBS) -o $@
else
fuzz-mikey:
	@echo "fuzz-mikey: no clang (FUZZ_CC) found, harness not built"
endif
fuzz-mikey-corpus: src/mikey/libmikey.a src/util/libtkutil.a
	@$(MKDIR_P) tests/fuzz
	$(CC) $(AM_CFLAGS) $(CFLAGS) -I$(top_srcdir)/src -I$(top_srcdir) \
		-I$(top_srcdir)/tests/unit $(top_srcdir)/tests/fuzz/gen-mikey-corpus.c \
		src/mikey/libmikey.a src/util/libtkutil.a $(TK_CRYPTO_LIBS) \
		-o tests/fuzz/gen-mikey-corpus
	tests/fuzz/gen-mikey-corpus $(top_srcdir)/tests/fuzz/corpus/mikey
# -- end codec

# -- PK variants of mprotect (helper creds): SIGN, PKE, env_key key sets
check_PROGRAMS += tests/unit/test-mpk
tests_unit_test_mpk_SOURCES = tests/unit/test-mpk.c tests/unit/codec-samples.h \
	tests/unit/tk_test.h
tests_unit_test_mpk_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_mpk_LDADD = src/mikey/libmikey.a $(TK_TEST_LIBS)
TESTS += tests/unit/test-mpk
# -- end PK variants
