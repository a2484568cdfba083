# naf: the NAF library (Zn client, B-TID key cache, PSK identity and GBA
# Digest checks), its check tool naf-fetch and the Zn benchmark zn-bench.
noinst_LIBRARIES += naf/libnaf.a
naf_libnaf_a_SOURCES = \
	naf/naf.c naf/naf.h naf/naf_int.h \
	naf/ids.c naf/ids.h \
	naf/zn.c naf/zn.h \
	naf/btid.c naf/btid.h \
	naf/ua_digest.c naf/ua_digest.h
naf_libnaf_a_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)
# Link order for users of the NAF library:
TK_NAF_LIBS = naf/libnaf.a src/gba/libgba.a src/util/libtkutil.a $(CURL_LIBS) $(JANSSON_LIBS) \
	$(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

# naf-fetch: fetch one Ks_NAF over Zn and print it (used by the system tests).
noinst_PROGRAMS += naf/naf-fetch
naf_naf_fetch_SOURCES = naf/naf-fetch.c
naf_naf_fetch_CFLAGS = $(AM_CFLAGS)
naf_naf_fetch_LDADD = $(TK_NAF_LIBS)

# zn-bench: Zn fetches per second, cold and through the cache.
noinst_PROGRAMS += naf/zn-bench
naf_zn_bench_SOURCES = naf/zn-bench.c tests/unit/naf_zn_peer.c tests/unit/naf_zn_peer.h
naf_zn_bench_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) -I$(top_srcdir)/tests/unit
naf_zn_bench_LDADD = $(TK_NAF_LIBS) $(MHD_LIBS)

TK_NAF_TEST_LIBS = $(TK_NAF_LIBS) $(MHD_LIBS) $(TK_TEST_LIBS)

check_PROGRAMS += tests/unit/test-naf-btid tests/unit/test-naf-zn tests/unit/test-naf-cache \
	tests/unit/test-naf-digest
TESTS += tests/unit/test-naf-btid tests/unit/test-naf-zn tests/unit/test-naf-cache \
	tests/unit/test-naf-digest

tests_unit_test_naf_btid_SOURCES = tests/unit/test-naf-btid.c tests/unit/tk_test.h
tests_unit_test_naf_btid_CFLAGS = $(TK_TEST_CFLAGS)
tests_unit_test_naf_btid_LDADD = $(TK_NAF_TEST_LIBS)

tests_unit_test_naf_zn_SOURCES = tests/unit/test-naf-zn.c tests/unit/tk_test.h
tests_unit_test_naf_zn_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_naf_zn_LDADD = $(TK_NAF_TEST_LIBS)

tests_unit_test_naf_cache_SOURCES = tests/unit/test-naf-cache.c tests/unit/naf_zn_peer.c \
	tests/unit/naf_zn_peer.h tests/unit/tk_test.h
tests_unit_test_naf_cache_CFLAGS = $(TK_TEST_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_naf_cache_LDADD = $(TK_NAF_TEST_LIBS)

tests_unit_test_naf_digest_SOURCES = tests/unit/test-naf-digest.c tests/unit/naf_zn_peer.c \
	tests/unit/naf_zn_peer.h tests/unit/tk_test.h
tests_unit_test_naf_digest_CFLAGS = $(TK_TEST_CFLAGS) $(MHD_CFLAGS)
tests_unit_test_naf_digest_LDADD = $(TK_NAF_TEST_LIBS)
