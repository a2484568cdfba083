/*
 * cmd_common.c: exit statuses and the KMS FQDN for the tkms-ue call-flow
 * commands (cmd_common.h).
 */
#include "ue/cmd_common.h"

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

void ue_cmd_url_host(const char *url, char *out, size_t cap)
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
