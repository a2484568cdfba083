/*
 * srtpproof.c: SRTP round trip between the keys of two UEs (mikey.md 5.10):
 * libsrtp2 policy key = master key immediately followed by master salt.
 */
#include "ue/srtpproof.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "util/secret.h"

static pthread_once_t srtp_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t srtp_init_status;

static void do_srtp_init(void)
{
	srtp_init_status = srtp_init();
}

int ue_srtp_ctx(srtp_t *ctx, const struct ue_srtp_stream *s, char *err, size_t errlen)
{
	srtp_policy_t pol;
	uint8_t keysalt[32 + 14];
	srtp_err_status_t st;

	memset(&pol, 0, sizeof pol);
	if (s->key_len == 16) {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	} else if (s->key_len == 32) {
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&pol.rtcp);
	} else {
		snprintf(err, errlen, "unsupported SRTP master key length %zu", s->key_len);
		return -1;
	}
	memcpy(keysalt, s->key, s->key_len);
	memcpy(keysalt + s->key_len, s->salt, sizeof s->salt);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = s->ssrc;
	pol.key = keysalt;
	pol.window_size = 1024;
	pol.next = NULL;
	st = srtp_create(ctx, &pol);
	tk_wipe(keysalt, sizeof keysalt);
	if (st != srtp_err_status_ok) {
		snprintf(err, errlen, "srtp_create failed: %d", (int)st);
		return -1;
	}
	st = srtp_set_stream_roc(*ctx, s->ssrc, s->roc);
	if (st != srtp_err_status_ok) {
		snprintf(err, errlen, "srtp_set_stream_roc failed: %d", (int)st);
		srtp_dealloc(*ctx);
		return -1;
	}
	return 0;
}

/* A 12-octet RTP header (V=2, PT 0) and a payload that depends on i. */
static int make_rtp(uint8_t *p, uint32_t ssrc, uint16_t seq, unsigned i)
{
	const int plen = 160;
	int k;

	p[0] = 0x80;
	p[1] = 0x00;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(i >> 24);
	p[5] = (uint8_t)(i >> 16);
	p[6] = (uint8_t)(i >> 8);
	p[7] = (uint8_t)i;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
	for (k = 0; k < plen; k++)
		p[12 + k] = (uint8_t)(i * 7 + (unsigned)k);
	return 12 + plen;
}

/* An RTCP sender report header only (8 octets) plus 20 octets of SR body. */
static int make_rtcp(uint8_t *p, uint32_t ssrc)
{
	int k;

	p[0] = 0x80;
	p[1] = 200;
	p[2] = 0;
	p[3] = 6;
	p[4] = (uint8_t)(ssrc >> 24);
	p[5] = (uint8_t)(ssrc >> 16);
	p[6] = (uint8_t)(ssrc >> 8);
	p[7] = (uint8_t)ssrc;
	for (k = 8; k < 28; k++)
		p[k] = (uint8_t)k;
	return 28;
}

int ue_srtp_proof(const struct ue_srtp_stream *tx, const struct ue_srtp_stream *rx,
		  unsigned npackets, char *err, size_t errlen)
{
	srtp_t stx = NULL, srx = NULL;
	uint8_t pkt[512], ref[512];
	int len, ref_len, rc = -1;
	srtp_err_status_t st;
	uint16_t seq = tx->seq;
	unsigned i;

	pthread_once(&srtp_once, do_srtp_init);
	if (srtp_init_status != srtp_err_status_ok) {
		snprintf(err, errlen, "srtp_init failed: %d", (int)srtp_init_status);
		return -1;
	}
	if (tx->ssrc != rx->ssrc || tx->roc != rx->roc) {
		snprintf(err, errlen, "sender and receiver disagree on SSRC/ROC (%08x/%u vs %08x/%u)",
			 tx->ssrc, tx->roc, rx->ssrc, rx->roc);
		return -1;
	}
	if (ue_srtp_ctx(&stx, tx, err, errlen) || ue_srtp_ctx(&srx, rx, err, errlen))
		goto out;
	for (i = 0; i < npackets; i++, seq++) {
		ref_len = make_rtp(ref, tx->ssrc, seq, i);
		memcpy(pkt, ref, (size_t)ref_len);
		len = ref_len;
		st = srtp_protect(stx, pkt, &len);
		if (st != srtp_err_status_ok) {
			snprintf(err, errlen, "srtp_protect packet %u: %d", i, (int)st);
			goto out;
		}
		if (len != ref_len + 10 || !memcmp(pkt + 12, ref + 12, (size_t)ref_len - 12)) {
			snprintf(err, errlen, "packet %u was not encrypted and tagged", i);
			goto out;
		}
		st = srtp_unprotect(srx, pkt, &len);
		if (st != srtp_err_status_ok) {
			snprintf(err, errlen, "srtp_unprotect packet %u (seq %u): %s (%d)", i,
				 (unsigned)seq,
				 st == srtp_err_status_auth_fail ? "authentication failure" : "error",
				 (int)st);
			goto out;
		}
		if (len != ref_len || memcmp(pkt, ref, (size_t)len)) {
			snprintf(err, errlen, "packet %u differs after unprotect", i);
			goto out;
		}
	}
	ref_len = make_rtcp(ref, tx->ssrc);
	memcpy(pkt, ref, (size_t)ref_len);
	len = ref_len;
	st = srtp_protect_rtcp(stx, pkt, &len);
	if (st == srtp_err_status_ok)
		st = srtp_unprotect_rtcp(srx, pkt, &len);
	if (st != srtp_err_status_ok || len != ref_len || memcmp(pkt, ref, (size_t)len)) {
		snprintf(err, errlen, "SRTCP round trip failed: %d", (int)st);
		goto out;
	}
	rc = 0;
out:
	if (stx)
		srtp_dealloc(stx);
	if (srx)
		srtp_dealloc(srx);
	tk_wipe(pkt, sizeof pkt);
	return rc;
}
