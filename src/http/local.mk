# src/http: the libmicrohttpd adapter shared by tkmsd and bsf-stub.
noinst_LIBRARIES += src/http/libtkhttp.a
src_http_libtkhttp_a_SOURCES = \
	src/http/http.c src/http/http.h \
	src/http/selfsigned.c
src_http_libtkhttp_a_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS) $(NETTLE_CFLAGS)
# Link order for users: src/http/libtkhttp.a src/util/libtkutil.a $(MHD_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)
TK_HTTP_LIBS = src/http/libtkhttp.a src/util/libtkutil.a $(MHD_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)

check_PROGRAMS += tests/unit/test-http
tests_unit_test_http_SOURCES = tests/unit/test-http.c tests/unit/tk_test.h
tests_unit_test_http_CFLAGS = $(TK_TEST_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) $(GNUTLS_CFLAGS)
tests_unit_test_http_LDADD = $(TK_HTTP_LIBS) $(CURL_LIBS) $(TK_TEST_LIBS)
TESTS += tests/unit/test-http
