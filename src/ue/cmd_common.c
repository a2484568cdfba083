/*
 * cmd_common.c: exit statuses, the KMS FQDN and message files for the
 * tkms-ue call-flow commands (cmd_common.h).
 */
#include "ue/cmd_common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ue/ui_boot_cli.h"

int ue_cmd_exit(int rc, const struct ue_err *e)
{
	switch (rc) {
	case UE_OK: return UE_EXIT_OK;
	case UE_E_ARG: return UE_EXIT_USAGE;
	case UE_E_STATE: return UE_EXIT_USAGE;
	case UE_E_IO: return UE_EXIT_STATE;
	case UE_E_AUTH: return UE_EXIT_AUTH;
	case UE_E_PEER:
		return e && e->mikey_error == MK_E_AUTH_FAILURE ? UE_EXIT_AUTH : UE_EXIT_PROTO;
	default: return UE_EXIT_PROTO;
	}
}

/* Host part of an http(s):// or psk:// URL; "" when none or too long. */
static void url_host(const char *url, char *out, size_t cap)
{
	const char *p = strstr(url, "://"), *e;
	size_t n;

	out[0] = '\0';
	if (!p)
		return;
	p += 3;
	for (e = p; *e && *e != ':' && *e != '/'; e++)
		;
	n = (size_t)(e - p);
	if (n && n < cap) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

void ue_cmd_kms_fqdn(const char *kms_fqdn, const char *kms_url, char *out, size_t cap)
{
	if (kms_fqdn)
		snprintf(out, cap, "%s", kms_fqdn);
	else if (kms_url)
		url_host(kms_url, out, cap);
	else
		out[0] = '\0';
}

long ue_cmd_read_msg(const char *path, uint8_t *out, size_t cap, char *err, size_t errlen)
{
	static char text[UE_MAX_MSG * 2];
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t n;
	long m;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(text, 1, sizeof text, f);
	if (f != stdin)
		fclose(f);
	if (n == sizeof text) {
		snprintf(err, errlen, "%s: too large for a MIKEY message", path);
		return -1;
	}
	if (n > 0 && (uint8_t)text[0] == MK_VERSION) {
		if (n > cap) {
			snprintf(err, errlen, "%s: too large", path);
			return -1;
		}
		memcpy(out, text, n);
		return (long)n;
	}
	m = ue_sdp_parse(text, n, out, cap);
	if (m <= 0)
		snprintf(err, errlen, "%s: neither a MIKEY message nor an a=key-mgmt:mikey line", path);
	return m <= 0 ? -1 : m;
}
