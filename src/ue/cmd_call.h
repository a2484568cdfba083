/*
 * cmd_call.h: tkms-ue subcommands of the MIKEY-TICKET call flow (call.h)
 * over the KMS transports (kmsclient.h):
 *
 *   request        initiator: ticket from the KMS (REQUEST_INIT/RESP)
 *   transfer-init  initiator: TRANSFER_INIT to a file and an SDP line
 *   resolve        responder: TRANSFER_INIT in, ticket resolved at the KMS
 *   transfer-resp  responder: TRANSFER_RESP to a file and an SDP line
 *   accept         initiator: TRANSFER_RESP in
 *   srtp-keys      either side: SRTP master key/salt per crypto session
 *
 * Each takes argv[0] = its own name; human-readable output by default,
 * JSON with --json.  Exit status: 0 ok, 1 refused (MAC, policy, MIKEY
 * Error), 2 usage, 3 transport, 4 GBA bootstrap missing or failed.
 */
#ifndef TK_UE_CMD_CALL_H
#define TK_UE_CMD_CALL_H

int ue_cmd_request(int argc, char **argv);
int ue_cmd_transfer_init(int argc, char **argv);
int ue_cmd_resolve(int argc, char **argv);
int ue_cmd_transfer_resp(int argc, char **argv);
int ue_cmd_accept(int argc, char **argv);
int ue_cmd_srtp_keys(int argc, char **argv);

/* The GBA state file the subcommands use when they get no --state option
 * (the main program sets it from its global --state); NULL: the default
 * of state.h ($TKMS_UE_STATE or ./tkms-ue.state). */
void ue_cmd_call_set_state_path(const char *path);

#endif
