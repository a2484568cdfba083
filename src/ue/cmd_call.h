/*
 * cmd_call.h: tkms-ue subcommands of the MIKEY-TICKET call flow (call.h)
 * over the KMS transports (kmsclient.h):
 *
 *   request        initiator: ticket from the KMS (REQUEST_INIT/RESP)
 *   make-ticket    initiator: an unprotected ticket of its own (D = 0, no KMS)
 *   transfer-init  initiator: TRANSFER_INIT to a file and an SDP line
 *   resolve        responder: TRANSFER_INIT in, ticket resolved at the KMS
 *   transfer-resp  responder: TRANSFER_RESP to a file and an SDP line
 *   accept         initiator: TRANSFER_RESP in
 *   srtp-keys      either side: SRTP master key/salt per crypto session
 *   observe        intercepting network function: a responder's TRANSFER_RESP
 *                  in, the keys of the call it answered derived
 *
 * Each is a tkms-ue subcommand (ue_cmd_fn of ui_boot_cli.h: argv[0] = its
 * own name, the GBA state file from the global --state); human-readable
 * output by default, JSON with --json.  Exit status (enum ue_exit): 0 ok,
 * 1 usage or wrong order of steps, 2 KMS unreachable or unexpected HTTP
 * status, 3 authentication failed (a MAC, or MIKEY Error 0), 4 no usable
 * GBA bootstrap (and re-bootstrap failed), 5 state file, 6 protocol: a
 * malformed message, a policy refusal or another MIKEY Error.
 */
#ifndef TK_UE_CMD_CALL_H
#define TK_UE_CMD_CALL_H

#include "ue/ui_boot_cli.h"

int ue_cmd_request(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_transfer_init(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_resolve(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_transfer_resp(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_accept(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_srtp_keys(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_observe(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_make_ticket(const struct ue_cli *cli, int argc, char **argv);

#endif
