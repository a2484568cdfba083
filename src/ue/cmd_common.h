/*
 * cmd_common.h: what the tkms-ue call-flow commands (cmd_call.c, for GBA
 * users, and cmd_creds.c, for certificate and password users) share: the
 * exit status of a call step's result (enum ue_exit, ui_boot_cli.h) and the
 * default KMS FQDN, taken from the KMS URL.
 */
#ifndef TK_UE_CMD_COMMON_H
#define TK_UE_CMD_COMMON_H

#include <stddef.h>

#include "ue/call.h"

/* rc: a UE_* result of call.h; e (may be NULL) tells a MIKEY Error 0
 * (authentication failure) from other refusals. */
int ue_cmd_exit(int rc, const struct ue_err *e);

/* Host part of an http(s):// or psk:// URL into out; "" when there is none
 * or it does not fit. */
void ue_cmd_url_host(const char *url, char *out, size_t cap);

#endif
