# src/tools: rules added by the module
# tkms-mikey: MIKEY decoder (JSON output, MAC/KEMAC/ticket checks with given keys).
bin_PROGRAMS += src/tools/tkms-mikey
src_tools_tkms_mikey_SOURCES = src/tools/tkms-mikey.c \
	src/tools/mikey-json.c src/tools/mikey-json.h
src_tools_tkms_mikey_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)
src_tools_tkms_mikey_LDADD = src/mikey/libmikey.a src/util/libtkutil.a $(JANSSON_LIBS) \
	$(TK_CRYPTO_LIBS)
check_PROGRAMS += tests/unit/test-tool-json
tests_unit_test_tool_json_SOURCES = tests/unit/test-tool-json.c tests/unit/tk_test.h \
	src/tools/mikey-json.c src/tools/mikey-json.h
tests_unit_test_tool_json_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS) $(NETTLE_CFLAGS)
tests_unit_test_tool_json_LDADD = src/mikey/libmikey.a $(JANSSON_LIBS) $(TK_TEST_LIBS)
TESTS += tests/unit/test-tool-json tests/system/tkms-mikey.sh
dist_check_SCRIPTS += tests/system/tkms-mikey.sh
# -- end tkms-mikey
# -- uecall: SRTP proof between two UEs' srtp-keys outputs (libsrtp2)
bin_PROGRAMS += src/tools/tkms-srtp-proof
src_tools_tkms_srtp_proof_SOURCES = src/tools/tkms-srtp-proof.c
src_tools_tkms_srtp_proof_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SRTP_CFLAGS)
src_tools_tkms_srtp_proof_LDADD = src/ue/libuecall.a src/util/libtkutil.a $(SRTP_LIBS) \
	$(JANSSON_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)
# -- end uecall

# mikey-bench: parse/build/verify/ticket rates of src/mikey (`make bench` runs it).
noinst_PROGRAMS += src/tools/mikey-bench
src_tools_mikey_bench_SOURCES = src/tools/mikey-bench.c
src_tools_mikey_bench_CFLAGS = $(AM_CFLAGS)
src_tools_mikey_bench_LDADD = src/mikey/libmikey.a src/util/libtkutil.a $(TK_CRYPTO_LIBS)
bench: src/tools/mikey-bench
	src/tools/mikey-bench
# -- end mikey-bench

# -- bench: tkms-bench, the load generator for tkmsd (docs/benchmarks.md)
bin_PROGRAMS += src/tools/tkms-bench
src_tools_tkms_bench_SOURCES = src/tools/tkms-bench.c \
	src/tools/bench-load.c src/tools/bench-load.h \
	src/tools/bench-hist.c src/tools/bench-hist.h
src_tools_tkms_bench_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(JANSSON_CFLAGS) $(PTHREAD_CFLAGS)
src_tools_tkms_bench_LDADD = $(TK_UECALL_LIBS) $(TK_UE_LIBS)
TESTS += tests/system/tkms-bench.sh
dist_check_SCRIPTS += tests/system/tkms-bench.sh
check_PROGRAMS += tests/unit/test-bench-hist
TESTS += tests/unit/test-bench-hist
tests_unit_test_bench_hist_SOURCES = tests/unit/test-bench-hist.c tests/unit/tk_test.h \
	src/tools/bench-hist.c src/tools/bench-hist.h
tests_unit_test_bench_hist_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_bench_hist_LDADD = $(TK_TEST_LIBS)
# -- end bench
