# src/tools: rules added by the module
# -- uecall: SRTP proof between two UEs' srtp-keys outputs (libsrtp2)
bin_PROGRAMS += src/tools/tkms-srtp-proof
src_tools_tkms_srtp_proof_SOURCES = src/tools/tkms-srtp-proof.c
src_tools_tkms_srtp_proof_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SRTP_CFLAGS)
src_tools_tkms_srtp_proof_LDADD = src/ue/libuecall.a src/util/libtkutil.a $(SRTP_LIBS) \
	$(JANSSON_LIBS) $(TK_CRYPTO_LIBS) $(PTHREAD_LIBS)
# -- end uecall
