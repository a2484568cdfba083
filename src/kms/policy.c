/*
 * policy.c: granting a Ticket Policy (profile P-10, P-11, P-19, P-23, P-24;
 * mikey.md 3.6 flag dependencies).  The request's wishes are honoured within
 * the limits; whatever ends up different from what was asked sets K, while
 * filling in what was left out does not.
 */
#include <string.h>
#include <strings.h>

#include "kms/policy.h"

bool kms_key_is_tgk(uint8_t t)
{
	return t == MK_KEY_TGK || t == MK_KEY_TGK_SALT;
}

static bool key_has_salt(uint8_t t)
{
	return t == MK_KEY_TGK_SALT || t == MK_KEY_TEK_SALT || t == MK_KEY_GTGK_SALT;
}

static bool session_key_type(uint8_t t)
{
	return t <= MK_KEY_GTGK_SALT;
}

bool kms_identity_valid(uint8_t id_type, const uint8_t *p, size_t n)
{
	static const char *const schemes[] = { "sip:", "sips:", "tel:" };
	size_t i, sl = 0;

	if (id_type != MK_ID_URI || n == 0 || n > 1024)
		return false;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t l = strlen(schemes[i]);
		if (n > l && strncasecmp((const char *)p, schemes[i], l) == 0) {
			sl = l;
			break;
		}
	}
	if (!sl)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

/* Make the flag set consistent (mikey.md 3.6): the KMS made the ticket (D);
 * G, M and forking with a TGK need TRANSFER_RESP (F); one of G, H; I => E. */
static uint32_t repair_flags(uint32_t f, bool has_tgk)
{
	f |= MK_TF_D;
	if ((f & MK_TF_I) && has_tgk)
		f |= MK_TF_F;
	if (f & (MK_TF_G | MK_TF_M))
		f |= MK_TF_F;
	if (!(f & (MK_TF_G | MK_TF_H)))
		f |= MK_TF_H;
	if (f & MK_TF_I)
		f |= MK_TF_E;
	return f;
}

static void default_key(struct kms_grant *g)
{
	g->nkeys = 1;
	g->keys[0].type = MK_KEY_TGK_SALT;
	g->keys[0].key_len = 16;
	g->keys[0].salt_len = KMS_SALT_LEN;
}

/* Session keys asked for in the desired policy's KEMAC (NULL encryption,
 * zero key bytes announcing type, length and KV). */
static enum kms_policy_status grant_keys(const struct kms_policy_limits *lim,
					 const struct mk_kemac *want,
					 struct kms_grant *g, const char **why)
{
	struct mk_keylist kl;
	size_t eoff;
	unsigned i;

	g->nkeys = 0;
	if (!want->pl.present) {
		default_key(g);
		return KMS_POLICY_OK;
	}
	if (want->encr_alg != MK_ENCR_NULL || want->mac_alg != MK_MAC_NULL) {
		*why = "desired KEMAC not in the clear";
		return KMS_POLICY_PARAM;
	}
	if (mk_keylist_parse(want->encr.p, want->encr.n, &kl, &eoff) != MK_OK) {
		*why = "desired KEMAC key list malformed";
		return KMS_POLICY_PARAM;
	}
	for (i = 0; i < kl.n; i++) {
		const struct mk_keydata *k = &kl.k[i];
		struct kms_keyspec *s;

		if (k->type == MK_KEY_MPK)
			continue; /* the MPK is the KMS's own choice (P-19) */
		if (!session_key_type(k->type) || g->nkeys >= lim->max_keys) {
			g->changed = true;
			continue;
		}
		s = &g->keys[g->nkeys++];
		s->type = k->type;
		s->key_len = 16;
		if (k->key.n == 16 || (k->key.n == 32 && lim->max_key_len >= 32))
			s->key_len = (uint8_t)k->key.n;
		else
			g->changed = true;
		s->salt_len = 0;
		if (key_has_salt(k->type)) {
			s->salt_len = KMS_SALT_LEN;
			if (k->salt.n != KMS_SALT_LEN)
				g->changed = true;
		}
		if (k->kv.type != MK_KV_NULL &&
		    !(k->kv.type == MK_KV_SPI && k->kv.spi.n == KMS_SPI_LEN))
			g->changed = true;
	}
	if (!g->nkeys)
		default_key(g);
	return KMS_POLICY_OK;
}

/* A TR payload's time as Unix seconds; false for COUNTER or unknown types. */
static bool tr_time(const struct mk_tr *tr, int64_t *out)
{
	int ok = 0;

	*out = mk_ts_to_unix(tr->ts_type, tr->ts, &ok);
	return ok != 0;
}

enum kms_policy_status kms_policy_grant(const struct kms_policy_limits *lim,
					const struct mk_ticket *desired,
					int64_t now, struct kms_grant *g,
					const char **why)
{
	const struct mk_tp_data *tp = &desired->tp;
	const uint32_t cmp_mask = ~(uint32_t)(MK_TF_K | MK_TF_RESERVED);
	enum kms_policy_status st;
	bool has_tgk = false;
	int64_t t;
	unsigned i;

	memset(g, 0, sizeof(*g));
	*why = NULL;
	if (desired->ticket_type != MK_TICKET_MIKEY_BASE ||
	    desired->subtype != MK_BASE_TICKET_SUBTYPE ||
	    desired->version != MK_BASE_TICKET_VERSION) {
		*why = "only the MIKEY base ticket (type 1) is issued";
		return KMS_POLICY_TYPE;
	}

	st = grant_keys(lim, &tp->kemac, g, why);
	if (st != KMS_POLICY_OK)
		return st;
	for (i = 0; i < g->nkeys; i++)
		has_tgk |= kms_key_is_tgk(g->keys[i].type);

	/* P-10: the ticket is always sealed and derived with PRF-HMAC-SHA-256. */
	g->prf = MK_PRF_HMAC_SHA256;
	if (desired->prf != g->prf)
		g->changed = true;

	g->flags = (lim->flags_default & ~lim->flags_choosable) |
		   (desired->flags & lim->flags_choosable);
	g->flags &= ~(uint32_t)(MK_TF_K | MK_TF_RESERVED);
	g->flags = repair_flags(g->flags, has_tgk);
	if ((g->flags & cmp_mask) != (desired->flags & cmp_mask))
		g->changed = true;

	/* Validity (P-11): TRs = issue time unless asked otherwise, within
	 * [now - skew, now + max]; TRe - TRs at most the configured maximum. */
	g->trs = now;
	if (tp->trs.pl.present) {
		if (!tr_time(&tp->trs, &t)) {
			*why = "TRs is not a time";
			return KMS_POLICY_PARAM;
		}
		if (t >= now - (int64_t)lim->skew_s && t <= now + (int64_t)lim->lifetime_max_s)
			g->trs = t;
		else
			g->changed = true;
	}
	g->tre = g->trs + lim->lifetime_default_s;
	if (tp->tre.pl.present) {
		if (!tr_time(&tp->tre, &t)) {
			*why = "TRe is not a time";
			return KMS_POLICY_PARAM;
		}
		if (t > g->trs && t - g->trs <= (int64_t)lim->lifetime_max_s)
			g->tre = t;
		else if (t > g->trs)
			g->tre = g->trs + lim->lifetime_max_s;
		if (g->tre != t)
			g->changed = true;
	}
	if (tp->trr.pl.present) {
		if (tp->trr.ts_type != MK_TS_NTP_UTC_32) {
			*why = "TRr must be NTP-UTC-32";
			return KMS_POLICY_PARAM;
		}
		g->have_trr = true;
		g->trr = (uint32_t)tp->trr.ts;
	}

	if (g->changed)
		g->flags |= MK_TF_K;
	return KMS_POLICY_OK;
}
