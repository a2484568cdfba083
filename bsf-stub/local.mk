# bsf-stub: a small real BSF (Ub Digest AKA, Zn HTTP/JSON, subscriber store).
noinst_LIBRARIES += bsf-stub/libbsf.a
bsf_stub_libbsf_a_SOURCES = \
	bsf-stub/log.c bsf-stub/log.h \
	bsf-stub/xml.c bsf-stub/xml.h \
	bsf-stub/table.c bsf-stub/table.h \
	bsf-stub/store.c bsf-stub/store.h \
	bsf-stub/config.c bsf-stub/config.h \
	bsf-stub/bsf.h bsf-stub/ub.c bsf-stub/zn.c
nodist_bsf_stub_libbsf_a_SOURCES = bsf-stub/xsd-data.c
bsf_stub_libbsf_a_CFLAGS = $(AM_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS) $(JANSSON_CFLAGS) \
	$(XML_CFLAGS) $(MHD_CFLAGS)

# The XSDs of schemas/ compiled in, so the daemon needs no install path.
BSF_XSDS = $(top_srcdir)/schemas/bootstrapping-info.xsd $(top_srcdir)/schemas/guss.xsd
bsf-stub/xsd-data.c: $(BSF_XSDS) $(top_srcdir)/bsf-stub/embed-xsd.sh
	@$(MKDIR_P) bsf-stub
	$(SHELL) $(top_srcdir)/bsf-stub/embed-xsd.sh \
		bsf_xsd_bootstrapping_info $(top_srcdir)/schemas/bootstrapping-info.xsd \
		bsf_xsd_guss $(top_srcdir)/schemas/guss.xsd > $@.tmp && mv $@.tmp $@
CLEANFILES += bsf-stub/xsd-data.c
EXTRA_DIST += bsf-stub/embed-xsd.sh

BSF_LIBS = bsf-stub/libbsf.a src/http/libtkhttp.a src/gba/libgba.a src/util/libtkutil.a \
	$(MHD_LIBS) $(JANSSON_LIBS) $(XML_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

bin_PROGRAMS += bsf-stub/bsf-stub
bsf_stub_bsf_stub_SOURCES = bsf-stub/main.c
bsf_stub_bsf_stub_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(XML_CFLAGS)
bsf_stub_bsf_stub_LDADD = $(BSF_LIBS)

# The UE side of Ub for the test client and the benchmark is the UE library
# (src/ue: TK_UE_LIBS).
check_PROGRAMS += tests/system/ub-client
tests_system_ub_client_SOURCES = tests/system/ub-client.c
tests_system_ub_client_CFLAGS = $(AM_CFLAGS)
tests_system_ub_client_LDADD = $(TK_UE_LIBS)

# System tests on tests/system/lib.sh (real bsf-stub on free loopback ports).
BSF_SYSTEM_TESTS = tests/system/bsf-ub.sh tests/system/bsf-hostile.sh tests/system/bsf-state.sh \
	tests/system/bsf-config.sh tests/system/bsf-zn-tls.sh
TESTS += $(BSF_SYSTEM_TESTS)
dist_check_SCRIPTS += $(BSF_SYSTEM_TESTS) tests/system/lib.sh

# Unit tests.
BSF_TEST_LIBS = $(BSF_LIBS) $(CUNIT_LIBS)
BSF_TEST_CFLAGS = $(TK_TEST_CFLAGS) $(JANSSON_CFLAGS) $(XML_CFLAGS)
check_PROGRAMS += tests/unit/test-bsf-xml tests/unit/test-bsf-store tests/unit/test-bsf-table
TESTS += tests/unit/test-bsf-xml tests/unit/test-bsf-store tests/unit/test-bsf-table
tests_unit_test_bsf_xml_SOURCES = tests/unit/test-bsf-xml.c tests/unit/tk_test.h
tests_unit_test_bsf_xml_CFLAGS = $(BSF_TEST_CFLAGS)
tests_unit_test_bsf_xml_LDADD = $(BSF_TEST_LIBS)
tests_unit_test_bsf_store_SOURCES = tests/unit/test-bsf-store.c tests/unit/tk_test.h
tests_unit_test_bsf_store_CFLAGS = $(BSF_TEST_CFLAGS)
tests_unit_test_bsf_store_LDADD = $(BSF_TEST_LIBS)
tests_unit_test_bsf_table_SOURCES = tests/unit/test-bsf-table.c tests/unit/tk_test.h
tests_unit_test_bsf_table_CFLAGS = $(BSF_TEST_CFLAGS)
tests_unit_test_bsf_table_LDADD = $(BSF_TEST_LIBS)

# Benchmark (prints figures; run against a demo bsf-stub).
noinst_PROGRAMS += bsf-stub/bsf-bench
bsf_stub_bsf_bench_SOURCES = bsf-stub/bsf-bench.c
bsf_stub_bsf_bench_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS)
bsf_stub_bsf_bench_LDADD = $(TK_UE_LIBS)
