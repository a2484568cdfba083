/*
 * cmd_creds.h: `tkms-ue request` and `tkms-ue resolve` for users without GBA
 * (issue 6 item 7; call_creds.h, kmsclient.h):
 *
 *   --cert FILE --key FILE --kms-cert FILE [--pss]
 *        certificate user: the PK variant (REQUEST_INIT_PK / RESOLVE_INIT_PK)
 *        signed with the key, PKE under the KMS certificate's key; over https://
 *        the same certificate is the TLS client certificate;
 *   --user NAME --password PW (or TKMS_UE_PASSWORD)
 *        password user: IDRpsk = NAME (Byte string), PSK from HA1; over
 *        https:// Digest of the realm tkms-users@<fqdn>.
 *
 * cmd_call.c hands a command over when one of these options is present
 * (ue_creds_wanted); the call file is then the same as with GBA, so the
 * other steps (transfer-init, transfer-resp, accept, srtp-keys) follow
 * unchanged.  Exit statuses as in cmd_call.h.
 */
#ifndef TK_UE_CMD_CREDS_H
#define TK_UE_CMD_CREDS_H

#include <stdbool.h>

#include "ue/ui_boot_cli.h"

bool ue_creds_wanted(int argc, char **argv);
/* argv[0] = "request" or "resolve" */
int ue_cmd_creds(const struct ue_cli *cli, int argc, char **argv);

#endif
