/*
 * codec-samples.h: typed descriptions of one sample of every MIKEY-TICKET
 * message (mikey.md 4) in either algorithm set of P-8, shared by the codec
 * unit tests and the fuzz corpus generator.  Header-only test helper.
 */
#ifndef TK_CODEC_SAMPLES_H
#define TK_CODEC_SAMPLES_H

#include <string.h>

#include "mikey/mikey.h"

#define BS(s) ((struct mk_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

static const uint8_t smp_rand32[32] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
	0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
	0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
};
static const uint8_t smp_srtp_params[] = {
	0, 1, 1, 1, 1, 16, 2, 1, 1, 3, 1, 20, 4, 1, 14, 5, 1, 0, 6, 1, 0,
	7, 1, 1, 8, 1, 1, 9, 1, 0, 10, 1, 1, 11, 1, 10, 12, 1, 0,
};
static const uint8_t smp_opaque[48] = { 0xa5, 0x5a, 0x01, 0x02, 0x03 };
/* Desired-policy KEMAC content: one TGK+SALT (16+14 zero octets), SPI 4. */
static const uint8_t smp_wanted[41] = {
	0x00, 0x11, 0x00, 0x10, [20] = 0x00, 0x0e, [36] = 0x04,
};
static const uint8_t smp_ssrc[4] = { 0xde, 0xad, 0xbe, 0xef };
static const uint8_t smp_spi[4] = { 0, 0, 0, 1 };

static inline void smp_idr(struct mk_idr *d, uint8_t role, uint8_t type,
			   struct mk_bytes v)
{
	d->pl.present = true;
	d->role = role;
	d->id_type = type;
	d->data = v;
}

/* A granted / desired Ticket Policy: base ticket, D E F G H I J N O. */
static inline void smp_policy(struct mk_ticket *tk, bool is_ticket, bool big)
{
	tk->pl.present = true;
	tk->is_ticket = is_ticket;
	tk->ticket_type = MK_TICKET_MIKEY_BASE;
	tk->subtype = MK_BASE_TICKET_SUBTYPE;
	tk->version = MK_BASE_TICKET_VERSION;
	tk->prf = big ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
	tk->flags = MK_TF_D | MK_TF_E | MK_TF_F | MK_TF_G | MK_TF_H | MK_TF_I |
		    MK_TF_J | MK_TF_N | MK_TF_O;
	smp_idr(&tk->tp.idrkms, MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
	smp_idr(&tk->tp.idri, MK_IDR_I, MK_ID_URI, BS("sip:alice@home1.net"));
	tk->tp.trs.pl.present = true;
	tk->tp.trs.ts_type = MK_TS_NTP_UTC_32;
	tk->tp.trs.ts = 0xeb000000u;
	tk->tp.tre.pl.present = true;
	tk->tp.tre.ts_type = MK_TS_NTP_UTC_32;
	tk->tp.tre.ts = 0xeb015180u;
	tk->tp.nr = 2;
	smp_idr(&tk->tp.idrr[0], MK_IDR_R, MK_ID_URI, BS("sip:bob@home1.net"));
	smp_idr(&tk->tp.idrr[1], MK_IDR_R, MK_ID_URI, BS("tel:+15551234"));
	if (is_ticket) {
		tk->ticket_data = (struct mk_bytes){ smp_opaque, sizeof(smp_opaque) };
	} else {
		tk->tp.kemac.pl.present = true; /* wanted keys announcement */
		tk->tp.kemac.encr = (struct mk_bytes){ smp_wanted, sizeof(smp_wanted) };
	}
}

/*
 * Fill *m with a sample of data type dt.  big selects the 256-bit set
 * (PRF 1, AES-CM-256, HMAC-SHA-256-256), else the 128-bit set.
 */
static inline void smp_msg(struct mk_msg *m, uint8_t dt, bool big)
{
	uint8_t mac = big ? MK_MAC_HMAC_SHA256_256 : MK_MAC_HMAC_SHA1_160;
	uint8_t encr = big ? MK_ENCR_AES_CM_256 : MK_ENCR_AES_CM_128;
	bool init = dt == MK_DT_REQUEST_INIT_PSK || dt == MK_DT_REQUEST_INIT_PK ||
		    dt == MK_DT_RESOLVE_INIT_PSK || dt == MK_DT_RESOLVE_INIT_PK;
	bool pk = dt == MK_DT_REQUEST_INIT_PK || dt == MK_DT_RESOLVE_INIT_PK;

	memset(m, 0, sizeof(*m));
	m->hdr.version = MK_VERSION;
	m->hdr.data_type = dt;
	m->hdr.v = init;
	m->hdr.prf = big ? MK_PRF_HMAC_SHA256 : MK_PRF_MIKEY1;
	m->hdr.csb_id = 0x01020304;
	m->hdr.map_type = MK_MAP_EMPTY;
	m->t.pl.present = true;
	m->t.ts_type = dt == MK_DT_TRANSFER_RESP ? MK_TS_NTP_UTC_32 : MK_TS_NTP_UTC;
	m->t.ts = dt == MK_DT_TRANSFER_RESP ? 0xeb001234u : 0xeb00123456789abcull;
	if (pk) {
		m->ncert = 1;
		m->cert[0].pl.present = true;
		m->cert[0].type = MK_CERT_X509;
		m->cert[0].data = (struct mk_bytes){ smp_opaque, 40 };
		m->chash.pl.present = true;
		m->chash.func = MK_HASH_SHA256;
		m->chash.hash = (struct mk_bytes){ smp_rand32, 32 };
		m->pke.pl.present = true;
		m->pke.cache = MK_PKE_CACHE;
		m->pke.data = (struct mk_bytes){ smp_opaque, 48 };
		m->sign.pl.present = true;
		m->sign.s_type = MK_SIGN_RSA_PKCS1;
		m->sign.sig = (struct mk_bytes){ smp_opaque, 48 };
	} else if (dt != MK_DT_SAKKE) {
		m->v.pl.present = true;
		m->v.alg = mac;
	}
	switch (dt) {
	case MK_DT_REQUEST_INIT_PSK:
	case MK_DT_REQUEST_INIT_PK:
		m->randr[MK_RANDR_I].pl.present = true;
		m->randr[MK_RANDR_I].rand = (struct mk_bytes){ smp_rand32, 32 };
		smp_idr(&m->idr[MK_IDR_I], MK_IDR_I, MK_ID_URI, BS("sip:alice@home1.net"));
		smp_idr(&m->idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
		if (!pk)
			smp_idr(&m->idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI,
				BS("dGVzdA==@bsf.home1.net"));
		smp_policy(&m->ticket, false, big);
		m->ticket.flags &= ~(uint32_t)MK_TF_K;
		break;
	case MK_DT_REQUEST_RESP:
	case MK_DT_RESOLVE_RESP:
		smp_idr(&m->idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
		if (dt == MK_DT_REQUEST_RESP) {
			smp_policy(&m->ticket, true, big);
		} else {
			smp_idr(&m->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, BS("sip:bob@home1.net"));
			m->randr[MK_RANDR_KMS].pl.present = true;
			m->randr[MK_RANDR_KMS].rand = (struct mk_bytes){ smp_rand32, 32 };
		}
		m->kemac.pl.present = true;
		m->kemac.encr_alg = encr;
		m->kemac.encr = (struct mk_bytes){ smp_opaque, 44 };
		break;
	case MK_DT_TRANSFER_INIT:
		m->hdr.map_type = MK_MAP_GENERIC_ID;
		m->hdr.ncs = 2;
		m->hdr.cs.gen[0].cs_id = 1;
		m->hdr.cs.gen[1].cs_id = 2;
		m->hdr.v = true;
		m->randr[MK_RANDR_I].pl.present = true;
		m->randr[MK_RANDR_I].rand = (struct mk_bytes){ smp_rand32, 32 };
		smp_idr(&m->idr[MK_IDR_I], MK_IDR_I, MK_ID_URI, BS("sip:alice@home1.net"));
		smp_idr(&m->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, BS("sip:bob@home1.net"));
		m->nsp = 1;
		m->sp[0].pl.present = true;
		m->sp[0].policy_no = 0;
		m->sp[0].prot_type = MK_PROT_SRTP;
		m->sp[0].params = (struct mk_bytes){ smp_srtp_params, sizeof(smp_srtp_params) };
		smp_policy(&m->ticket, true, big);
		/* Initiator Data placeholder is written by the builder (I flag). */
		break;
	case MK_DT_TRANSFER_RESP:
		m->hdr.map_type = MK_MAP_GENERIC_ID;
		m->hdr.ncs = 1;
		m->hdr.cs.gen[0].cs_id = 1;
		m->hdr.cs.gen[0].prot_type = MK_PROT_SRTP;
		m->hdr.cs.gen[0].s = true;
		m->hdr.cs.gen[0].npolicy = 1;
		m->hdr.cs.gen[0].session_data = (struct mk_bytes){ smp_opaque, 10 };
		m->hdr.cs.gen[0].spi = (struct mk_bytes){ smp_spi, 4 };
		m->randr[MK_RANDR_R].pl.present = true;
		m->randr[MK_RANDR_R].rand = (struct mk_bytes){ smp_rand32, 32 };
		smp_idr(&m->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, BS("sip:bob@home1.net"));
		m->randr[MK_RANDR_KMS].pl.present = true;
		m->randr[MK_RANDR_KMS].rand = (struct mk_bytes){ smp_rand32 + 1, 31 };
		m->nsp = 1;
		m->sp[0].pl.present = true;
		m->sp[0].policy_no = 1;
		m->sp[0].params = (struct mk_bytes){ smp_srtp_params, 6 };
		break;
	case MK_DT_RESOLVE_INIT_PSK:
	case MK_DT_RESOLVE_INIT_PK:
		m->randr[MK_RANDR_R].pl.present = true;
		m->randr[MK_RANDR_R].rand = (struct mk_bytes){ smp_rand32, 32 };
		smp_idr(&m->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, BS("sip:bob@home1.net"));
		smp_idr(&m->idr[MK_IDR_KMS], MK_IDR_KMS, MK_ID_NAI, BS("kms.home1.net"));
		if (!pk)
			smp_idr(&m->idr[MK_IDR_PSK], MK_IDR_PSK, MK_ID_NAI,
				BS("Ym9i@bsf.home1.net"));
		smp_policy(&m->ticket, true, big);
		{	/* Initiator Data as it came in TRANSFER_INIT (I flag) */
			static uint8_t idbuf[2][80];
			struct mk_init_data id;
			size_t n = 0;

			memset(&id, 0, sizeof(id));
			id.vi.alg = id.vr.alg = mac;
			id.vi.mac = (struct mk_bytes){ smp_opaque, mk_mac_len(mac) };
			mk_init_data_build(&id, idbuf[big], sizeof(idbuf[big]), &n);
			m->ticket.init_data = (struct mk_bytes){ idbuf[big], n };
		}
		break;
	case MK_DT_ERROR:
		m->nerr = 2;
		m->err[0].pl.present = m->err[1].pl.present = true;
		m->err[0].code = MK_E_INVALID_SPPAR;
		m->err[1].code = MK_E_INVALID_TPPAR;
		m->nsp = 1;
		m->sp[0].pl.present = true;
		m->sp[0].params = (struct mk_bytes){ smp_srtp_params, 9 };
		m->next = 1;
		m->ext[0].pl.present = true;
		m->ext[0].type = MK_EXT_VENDOR_ID;
		m->ext[0].data = BS("tkms");
		break;
	case MK_DT_SAKKE:
		m->rand.pl.present = true;
		m->rand.rand = (struct mk_bytes){ smp_rand32, 16 };
		smp_idr(&m->idr[MK_IDR_I], MK_IDR_I, MK_ID_URI, BS("tel:+15551234"));
		smp_idr(&m->idr[MK_IDR_R], MK_IDR_R, MK_ID_URI, BS("tel:+15555678"));
		m->sakke.pl.present = true;
		m->sakke.params = MK_SAKKE_PARAMS_1;
		m->sakke.id_scheme = MK_SAKKE_ID_SCHEME_TEL_MONTHLY;
		m->sakke.data = (struct mk_bytes){ smp_opaque, 48 };
		m->sign.pl.present = true;
		m->sign.s_type = MK_SIGN_ECCSI;
		m->sign.sig = (struct mk_bytes){ smp_opaque, 40 };
		break;
	}
}

static const uint8_t smp_types[] = {
	MK_DT_REQUEST_INIT_PSK, MK_DT_REQUEST_INIT_PK, MK_DT_REQUEST_RESP,
	MK_DT_TRANSFER_INIT, MK_DT_TRANSFER_RESP, MK_DT_RESOLVE_INIT_PSK,
	MK_DT_RESOLVE_INIT_PK, MK_DT_RESOLVE_RESP, MK_DT_ERROR, MK_DT_SAKKE,
};

#endif
