/*
 * srtpproof.h: the SRTP proof that two UEs derived the same media keys
 * (mikey.md 5.10): packets protected with libsrtp2 under one side's master
 * key and salt for a crypto session must unprotect, byte for byte, under the
 * other side's keys for the same crypto session.
 */
#ifndef TK_UE_SRTPPROOF_H
#define TK_UE_SRTPPROOF_H

#include <stddef.h>
#include <stdint.h>

/* One side's view of one SRTP crypto session (one SSRC). */
struct ue_srtp_stream {
	uint8_t key[32];   /* SRTP master key: TEK (16, or 32 for AES-CM-256) */
	size_t key_len;
	uint8_t salt[14];  /* SRTP master salt (112 bits) */
	uint32_t ssrc;
	uint32_t roc;      /* initial ROC from the CS map */
	uint16_t seq;      /* first sequence number sent */
};

/*
 * A libsrtp2 context (srtp_t *) for stream s: AES_CM_128_HMAC_SHA1_80, or
 * AES_CM_256_HMAC_SHA1_80 for a 32-octet key; ssrc-specific; ROC set with
 * srtp_set_stream_roc.  srtp_init must have run.  0, or -1 with a reason in
 * err; the caller srtp_dealloc()s it.
 */
struct srtp_ctx_t_;
int ue_srtp_ctx(struct srtp_ctx_t_ **ctx, const struct ue_srtp_stream *s, char *err,
		size_t errlen);

/*
 * Protect npackets RTP packets (and one RTCP packet) with `tx` and unprotect
 * them with `rx` (policy AES_CM_128_HMAC_SHA1_80, or AES_CM_256_HMAC_SHA1_80
 * for 32-octet keys; ssrc-specific; ROC set with srtp_set_stream_roc).
 * Every packet must come back identical.  Returns 0 on success, -1 with a
 * reason in err on any failure or mismatch.
 */
int ue_srtp_proof(const struct ue_srtp_stream *tx, const struct ue_srtp_stream *rx,
		  unsigned npackets, char *err, size_t errlen);

#endif
