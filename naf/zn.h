/*
 * zn.h: the NAF side of Zn over HTTP/JSON (profile P-17, gba.md 2.5,
 * contracts A): POST {apiRoot}/nbsp-gba/v1/bootstrapping-info-retrieval with
 * a bearer token, optionally over (mutual) TLS.
 *
 * Connections are reused: idle curl easy handles (each keeps its keep-alive
 * connection) wait in a mutex-protected pool, and a curl share handle holds
 * the DNS and TLS session caches.  Every call is bounded by a connect and a
 * total timeout.  Answers are validated strictly (naf_zn_parse_answer) and
 * mapped onto enum naf_status.  Thread-safe.
 */
#ifndef NAF_ZN_H
#define NAF_ZN_H

#include <stddef.h>
#include <stdint.h>

#include "naf/naf.h"

#define NAF_ZN_PATH "/nbsp-gba/v1/bootstrapping-info-retrieval"
#define NAF_ZN_BODY_MAX 65536 /* larger answers are refused (NAF_PROTOCOL) */
#define NAF_ID_MAX 255        /* longest IMPI / IMPU accepted from the BSF */

struct naf_zn_config {
	const char *url;  /* apiRoot (required); NAF_ZN_PATH is appended */
	const char *token, *ca_file, *cert_file, *key_file;
	long connect_timeout_ms, timeout_ms;
	unsigned pool_size;
};

struct naf_zn_result {
	int status;               /* enum naf_status */
	uint8_t ks_naf[NAF_KEY_LEN];
	int64_t expiry, created;
	struct naf_ids *ids;      /* owned by the result (one reference) when NAF_OK */
	char detail[128];
};

struct naf_zn;

struct naf_zn *naf_zn_new(const struct naf_zn_config *cfg, char *err, size_t errlen);
void naf_zn_free(struct naf_zn *zn);

/* One Zn request.  Returns res->status.  The caller owns res->ids and wipes
 * res->ks_naf (naf_zn_result_clear). */
int naf_zn_fetch(struct naf_zn *zn, const char *btid, const char *naf_fqdn,
		 tk_ua_id ua, const char *gsid, struct naf_zn_result *res);

void naf_zn_result_clear(struct naf_zn_result *res);

/* Validation of one HTTP answer (exposed for unit tests): HTTP status,
 * Content-Type (may be NULL) and body -> res. */
int naf_zn_parse_answer(long http_status, const char *ctype, const char *body,
			size_t len, const char *gsid, struct naf_zn_result *res);

#endif
