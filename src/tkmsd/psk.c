/*
 * psk.c: PSK-TLS key lookup through the NAF library (see psk.h).
 */
#include <string.h>

#include "naf/btid.h"
#include "naf/naf.h"
#include "tkmsd/log.h"
#include "tkmsd/psk.h"

tk_ua_id tkmsd_psk_ua(const struct tk_http_psk_query *q)
{
	if (q->tls_version == TK_TLS_1_3)
		return TK_UA_TLS13_PSK;
	return tk_ua_id_tls((uint16_t)(q->suite[0] << 8 | q->suite[1]));
}

int tkmsd_psk_lookup(void *cls, const struct tk_http_psk_query *q, uint8_t *key,
		     size_t *key_len)
{
	struct naf *naf = cls;
	struct naf_key k;
	const char *btid;
	size_t blen;
	int rc;
	char ua[2 * TK_GBA_UAID_LEN + 1];

	if (!naf_psk_identity_btid(q->identity, strlen(q->identity), &btid, &blen)) {
		tkmsd_log(LOG_INFO, "psk: identity \"%.80s\" is not a B-TID", q->identity);
		return -1;
	}
	if (*key_len < NAF_KEY_LEN)
		return -1;
	tk_ua_id_format(tkmsd_psk_ua(q), ua);
	rc = naf_get_key(naf, btid, blen, tkmsd_psk_ua(q), &k);
	if (rc != NAF_OK) {
		/* A handshake cannot carry a 401 or 503: the client just fails
		 * and, for an unknown B-TID, bootstraps again (P-27). */
		tkmsd_log(rc == NAF_UNAVAILABLE ? LOG_WARNING : LOG_INFO,
			  "psk: no key for B-TID %.*s (Ua %s): %s%s%s", (int)blen, btid, ua,
			  naf_status_str(rc), k.detail[0] ? ": " : "", k.detail);
		return -1;
	}
	memcpy(key, k.ks_naf, NAF_KEY_LEN);
	*key_len = NAF_KEY_LEN;
	naf_key_clear(&k);
	tkmsd_log(LOG_DEBUG, "psk: key for B-TID %.*s (Ua %s)", (int)blen, btid, ua);
	return 0;
}
