/*
 * cmd_common.h: what the tkms-ue call-flow commands (cmd_call.c, for GBA
 * users, and cmd_creds.c, for certificate and password users) share: the
 * exit status of a call step's result (enum ue_exit, ui_boot_cli.h), the
 * KMS FQDN (by default the KMS URL's host) and reading a message file.
 */
#ifndef TK_UE_CMD_COMMON_H
#define TK_UE_CMD_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "ue/call.h"

/* rc: a UE_* result of call.h; e (may be NULL) tells a MIKEY Error 0
 * (authentication failure) from other refusals. */
int ue_cmd_exit(int rc, const struct ue_err *e);

/* The KMS FQDN: kms_fqdn (--kms-fqdn) when given, else the host part of
 * kms_url (--kms: http(s):// or psk://); "" when neither tells or it does
 * not fit (either may be NULL). */
void ue_cmd_kms_fqdn(const char *kms_fqdn, const char *kms_url, char *out, size_t cap);

/* A MIKEY message (a peer's, or the KMS's answer) from a file, "-" for
 * stdin: binary (first octet = version 1), or text with an
 * "a=key-mgmt:mikey" line or bare base64.  Its length, or -1 (err says why). */
long ue_cmd_read_msg(const char *path, uint8_t *out, size_t cap, char *err, size_t errlen);

#endif
