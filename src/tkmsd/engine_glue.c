/*
 * engine_glue.c: the ticket engine inside tkmsd (see engine_glue.h);
 * profile P-6, P-9, P-10, P-14, P-15, P-22.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kms/keyring.h"
#include "kms/naf_keys.h"
#include "kms/replay.h"
#include "naf/naf.h"
#include "tkmsd/audit.h"
#include "tkmsd/creds.h"
#include "tkmsd/engine_glue.h"
#include "tkmsd/log.h"

/* One engine with everything its configuration points to. */
struct gen {
	unsigned refs;            /* under tkmsd_engine.lock */
	json_t *root;             /* keeps the configuration strings alive */
	struct kms_group *groups;
	const char ***members;    /* per group, the member pointer array */
	size_t n_groups;
	struct kms_nf_principal *nfs;
	struct kms_keyring *keyring;
	struct kms_engine *engine;
	const char *keyring_path; /* points into root */
	unsigned skew_s;          /* policy.clock_skew, for the replay cache warnings */
	struct tkmsd_creds *creds; /* PK and password users (creds.h) */
};

struct tkmsd_engine {
	pthread_mutex_t lock;
	struct gen *cur;
	struct naf *naf;
	struct tkmsd_audit *audit;
	struct kms_replay *replay;
	unsigned replay_size;
	char fqdn[256];
	uint64_t (*clock)(void *);
	void *clock_ctx;
};

static void gen_free(struct gen *g)
{
	size_t i;

	if (!g)
		return;
	kms_engine_free(g->engine);
	tkmsd_creds_free(g->creds);
	kms_keyring_free(g->keyring);
	for (i = 0; i < g->n_groups; i++)
		free(g->members[i]);
	free(g->members);
	free(g->groups);
	free(g->nfs);
	json_decref(g->root);
	free(g);
}

/* Flag bits: TKMSD_FLAG_BIT uses the values of enum mk_tp_flag, which the
 * engine takes as they are. */
static struct gen *gen_new(const struct tkmsd_engine *e, const struct tkmsd_config *cfg,
			   bool create_keyring, char *err, size_t errlen)
{
	struct kms_engine_config kc;
	struct kms_tpk_set *set;
	struct gen *g = calloc(1, sizeof *g);
	char kerr[512];
	bool created = false;
	size_t i, j;

	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->root = json_incref(cfg->root);
	g->keyring_path = cfg->keyring;
	g->n_groups = cfg->n_groups;
	g->groups = calloc(cfg->n_groups + 1, sizeof *g->groups);
	g->members = calloc(cfg->n_groups + 1, sizeof *g->members);
	g->nfs = calloc(cfg->n_nfs + 1, sizeof *g->nfs);
	if (!g->groups || !g->members || !g->nfs)
		goto oom;
	for (i = 0; i < cfg->n_groups; i++) {
		const struct tkmsd_group *src = &cfg->groups[i];

		g->members[i] = calloc(src->n_members + 1, sizeof *g->members[i]);
		if (!g->members[i])
			goto oom;
		for (j = 0; j < src->n_members; j++)
			g->members[i][j] = src->members[j];
		g->groups[i].uri = src->uri;
		g->groups[i].members = g->members[i];
		g->groups[i].n_members = src->n_members;
	}
	for (i = 0; i < cfg->n_nfs; i++) {
		g->nfs[i].impi = cfg->nfs[i].impi;
		g->nfs[i].cert_subject = cfg->nfs[i].cert_subject;
		g->nfs[i].intercept = cfg->nfs[i].intercept;
		g->nfs[i].name = cfg->nfs[i].name;
	}
	if (create_keyring)
		set = kms_tpk_set_load_or_create(cfg->keyring, (int64_t)time(NULL), &created, kerr,
						 sizeof kerr);
	else
		set = kms_tpk_set_load(cfg->keyring, kerr, sizeof kerr);
	if (!set) {
		snprintf(err, errlen, "key ring: %s", kerr);
		gen_free(g);
		return NULL;
	}
	if (created)
		tkmsd_log(LOG_NOTICE, "key ring %s did not exist: created with one fresh key (id 1)",
			  cfg->keyring);
	g->keyring = kms_keyring_new(set);
	if (!g->keyring)
		goto oom;

	memset(&kc, 0, sizeof kc);
	kc.fqdn = cfg->fqdn;
	kc.skew_s = cfg->policy.clock_skew;
	g->skew_s = cfg->policy.clock_skew;
	kc.lifetime_default_s = cfg->policy.default_lifetime;
	kc.lifetime_max_s = cfg->policy.max_lifetime;
	kc.sets = (cfg->policy.set128 ? KMS_SET_128 : 0u) | (cfg->policy.set256 ? KMS_SET_256 : 0u);
	kc.flags_default = cfg->policy.flags_default;
	kc.flags_choosable = cfg->policy.flags_choosable;
	kc.groups = g->groups;
	kc.n_groups = g->n_groups;
	kc.nfs = g->nfs;
	kc.n_nfs = cfg->n_nfs;
	kc.keys = kms_naf_key_source(e->naf);
	g->creds = tkmsd_creds_new(cfg, kerr, sizeof kerr);
	if (!g->creds) {
		snprintf(err, errlen, "%s", kerr);
		gen_free(g);
		return NULL;
	}
	kc.pk = tkmsd_creds_pk(g->creds);
	kc.users = tkmsd_creds_users(g->creds);
	kc.keyring = g->keyring;
	kc.replay = e->replay;
	kc.clock = e->clock;
	kc.clock_ctx = e->clock_ctx;
	g->engine = kms_engine_new(&kc, kerr, sizeof kerr);
	if (!g->engine) {
		snprintf(err, errlen, "ticket engine: %s", kerr);
		gen_free(g);
		return NULL;
	}
	g->refs = 1; /* the holder's */
	return g;
oom:
	snprintf(err, errlen, "out of memory");
	gen_free(g);
	return NULL;
}

static struct gen *gen_get(struct tkmsd_engine *e)
{
	struct gen *g;

	pthread_mutex_lock(&e->lock);
	g = e->cur;
	if (g)
		g->refs++;
	pthread_mutex_unlock(&e->lock);
	return g;
}

static void gen_put(struct tkmsd_engine *e, struct gen *g)
{
	bool last;

	if (!g)
		return;
	pthread_mutex_lock(&e->lock);
	last = --g->refs == 0;
	pthread_mutex_unlock(&e->lock);
	if (last)
		gen_free(g);
}

struct tkmsd_engine *tkmsd_engine_start(const struct tkmsd_config *cfg, struct naf *naf,
					struct tkmsd_audit *audit,
					uint64_t (*clock)(void *), void *clock_ctx,
					char *err, size_t errlen)
{
	struct tkmsd_engine *e = calloc(1, sizeof *e);

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	e->naf = naf;
	e->audit = audit;
	e->clock = clock;
	e->clock_ctx = clock_ctx;
	e->replay_size = cfg->replay_cache_size;
	snprintf(e->fqdn, sizeof e->fqdn, "%s", cfg->fqdn);
	e->replay = kms_replay_new(cfg->replay_cache_size, 0);
	if (!e->replay) {
		snprintf(err, errlen, "replay cache of %u entries: out of memory",
			 cfg->replay_cache_size);
		tkmsd_engine_stop(e);
		return NULL;
	}
	e->cur = gen_new(e, cfg, true, err, errlen);
	if (!e->cur) {
		tkmsd_engine_stop(e);
		return NULL;
	}
	return e;
}

int tkmsd_engine_reload(struct tkmsd_engine *e, const struct tkmsd_config *cfg, char *err,
			size_t errlen)
{
	struct gen *g, *old;

	if (strcmp(cfg->fqdn, e->fqdn) != 0) {
		snprintf(err, errlen, "fqdn changed from %s to %s: the NAF keys depend on it, "
			 "restart tkmsd to change it", e->fqdn, cfg->fqdn);
		return -1;
	}
	g = gen_new(e, cfg, false, err, errlen);
	if (!g)
		return -1;
	pthread_mutex_lock(&e->lock);
	old = e->cur;
	e->cur = g;
	pthread_mutex_unlock(&e->lock);
	gen_put(e, old); /* freed once its in-flight requests are done */
	return 0;
}

void tkmsd_engine_stop(struct tkmsd_engine *e)
{
	if (!e)
		return;
	gen_put(e, e->cur);
	kms_replay_free(e->replay);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

void tkmsd_engine_describe(struct tkmsd_engine *e, char *out, size_t cap)
{
	struct gen *g = gen_get(e);
	struct kms_tpk_set *s = g ? kms_keyring_get(g->keyring) : NULL;
	const struct kms_tpk *cur = s ? kms_tpk_set_current(s) : NULL;

	snprintf(out, cap, "key ring %s (%zu key%s, current id %lu), replay cache %u entries",
		 g ? g->keyring_path : "?", s ? kms_tpk_set_count(s) : 0,
		 s && kms_tpk_set_count(s) == 1 ? "" : "s", cur ? (unsigned long)cur->id : 0ul,
		 e->replay_size);
	kms_tpk_set_unref(s);
	gen_put(e, g);
}

enum tkmsd_verdict tkmsd_verdict_of(enum kms_outcome o)
{
	switch (o) {
	case KMS_OUT_OK:
		return TKMSD_V_OK;
	case KMS_OUT_MALFORMED:
	case KMS_OUT_UNSUPPORTED:
	case KMS_OUT_BAD_TIMESTAMP:
	case KMS_OUT_REPLAY:
	case KMS_OUT_TICKET_TYPE:
	case KMS_OUT_TP_PARAM:
		return TKMSD_V_BAD_REQUEST;
	case KMS_OUT_BOOTSTRAP_REQUIRED:
		return TKMSD_V_BOOTSTRAP;
	case KMS_OUT_AUTH_FAILED:
	case KMS_OUT_FORBIDDEN:
	case KMS_OUT_TICKET_INVALID:
		return TKMSD_V_FORBIDDEN;
	case KMS_OUT_BSF_UNAVAILABLE:
	case KMS_OUT_REPLAY_FULL:
		return TKMSD_V_UNAVAILABLE;
	case KMS_OUT_INTERNAL:
	case KMS_OUT_END:
	default:
		return TKMSD_V_INTERNAL;
	}
}

static void set_str(struct tkmsd_audit_line *l, const char *name, const char *v)
{
	if (v && v[0])
		tkmsd_audit_line_str(l, name, v);
}

/* P-15, members in this order (lines are compared by scripts). */
void tkmsd_audit_event(const struct kms_audit *a, enum kms_outcome o, struct tkmsd_audit_line *l)
{
	tkmsd_audit_line_begin(l);
	tkmsd_audit_line_str(l, "operation", kms_op_str(a->op));
	tkmsd_audit_line_str(l, "result", kms_outcome_str(o));
	if (a->authz != KMS_AUTHZ_NONE)
		tkmsd_audit_line_str(l, "authorization", kms_authz_str(a->authz));
	set_str(l, "btid", a->btid);
	set_str(l, "impi", a->impi);
	set_str(l, "initiator", a->initiator);
	set_str(l, "responders", a->responders);
	set_str(l, "resolver", a->resolver);
	set_str(l, "group", a->group);
	set_str(l, "network_function", a->nf);
	if (a->have_ticket) {
		tkmsd_audit_line_uint(l, "key_id", a->key_id);
		set_str(l, "ticket_fingerprint", a->fingerprint);
		if (a->trs > 0)
			tkmsd_audit_line_utc(l, "valid_from", a->trs);
		if (a->tre > 0)
			tkmsd_audit_line_utc(l, "valid_to", a->tre);
	}
	if (a->op == KMS_OP_RESOLVE && o == KMS_OUT_OK)
		tkmsd_audit_line_bool(l, "forked", a->forked);
	if (a->op == KMS_OP_REQUEST && o == KMS_OUT_OK)
		tkmsd_audit_line_bool(l, "policy_changed", a->k_flag);
}

static void write_audit(struct tkmsd_engine *e, const struct kms_result *res)
{
	struct tkmsd_audit_line l;

	tkmsd_audit_event(&res->audit, res->outcome, &l);
	if (tkmsd_audit_write(e->audit, &l) != 0)
		tkmsd_log(LOG_ERR, "audit: cannot write the record of a %s (%s)",
			  kms_op_str(res->audit.op), kms_outcome_str(res->outcome));
}

/* P-9: the cache fails closed when full; say so before and when it happens,
 * with what it takes to avoid it. */
static void replay_warnings(struct tkmsd_engine *e, const struct gen *g, unsigned ev)
{
	struct kms_replay_stats st;
	unsigned long rate;

	kms_replay_get_stats(e->replay, &st);
	rate = (unsigned long)(st.capacity / (2 * (g->skew_s ? g->skew_s : 1)));
	if (ev & KMS_REPLAY_EV_HIGH)
		tkmsd_log(LOG_WARNING, "replay cache over 80%% full (%zu of %zu entries): it "
			  "keeps each initial message up to 2 x clock_skew, so it needs about peak "
			  "messages/s x 2 x clock_skew entries; %zu entries at clock_skew %u s "
			  "sustain about %lu messages/s (P-9; raise replay_cache_size or lower "
			  "policy.clock_skew)", st.entries, st.capacity, st.capacity, g->skew_s, rate);
	if (ev & KMS_REPLAY_EV_FULL)
		tkmsd_log(LOG_WARNING, "replay cache full: initial messages are refused with 503 "
			  "until entries expire (fail closed, P-9); entries needed = peak messages/s x "
			  "2 x clock_skew; %zu entries at clock_skew %u s sustain about %lu "
			  "messages/s", st.capacity, g->skew_s, rate);
}

static void handle(void *ctx, const uint8_t *req, size_t len, const struct tkmsd_tid *tid,
		   struct tkmsd_mikey_out *out)
{
	struct tkmsd_engine *e = ctx;
	struct gen *g = gen_get(e);
	/* The enum orders match (mikey_handler.h); PSK values are bare B-TIDs. */
	struct kms_transport_id t = { (enum kms_tid_kind)tid->kind, tid->value, tid->len };
	struct kms_result res;
	unsigned ev;

	memset(&res, 0, sizeof res);
	res.resp = out->resp;
	res.resp_cap = out->resp_cap;
	if (!g) {
		out->resp_len = 0;
		out->verdict = TKMSD_V_INTERNAL;
		out->reason = "no ticket engine";
		return;
	}
	kms_engine_handle(g->engine, req, len, &t, &res);
	out->resp_len = res.resp_len;
	out->verdict = tkmsd_verdict_of(res.outcome);
	out->reason = res.detail ? res.detail : kms_outcome_str(res.outcome);
	if (res.audit.op != KMS_OP_UNKNOWN)
		write_audit(e, &res);
	ev = kms_replay_events(e->replay);
	if (ev)
		replay_warnings(e, g, ev);
	gen_put(e, g);
}

struct tkmsd_mikey_handler tkmsd_engine_handler(struct tkmsd_engine *e)
{
	return (struct tkmsd_mikey_handler){ handle, e };
}

static bool users_any(void *ctx)
{
	struct tkmsd_engine *e = ctx;
	struct gen *g = gen_get(e);
	bool has = g && tkmsd_creds_n_users(g->creds) > 0;

	gen_put(e, g);
	return has;
}

static int users_digest(void *ctx, const struct naf *naf, const char *hdr, const char *method,
			const char *uri, char *user, size_t cap)
{
	struct tkmsd_engine *e = ctx;
	struct gen *g = gen_get(e);
	int r = g ? (int)tkmsd_creds_digest(g->creds, naf, hdr, method, uri, user, cap) :
		TKMSD_UD_NOT_USERS;

	gen_put(e, g);
	return r;
}

struct tkmsd_users_hook tkmsd_engine_users(struct tkmsd_engine *e)
{
	struct tkmsd_users_hook h = { users_any, users_digest, e };

	return h;
}
