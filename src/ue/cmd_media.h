/*
 * cmd_media.h: tkms-ue subcommands for stored SRTP media (deferred
 * delivery, e.g. a voice message):
 *
 *   srtp-record  protect RTP packets under the SRTP keys of a call file
 *                and write them to a mailbox file
 *   srtp-play    unprotect a mailbox file under the keys of a call file
 *
 * ue_cmd_fn of ui_boot_cli.h; exit status as in cmd_call.h (3 = a packet
 * failed SRTP authentication).
 */
#ifndef TK_UE_CMD_MEDIA_H
#define TK_UE_CMD_MEDIA_H

#include "ue/ui_boot_cli.h"

int ue_cmd_srtp_record(const struct ue_cli *cli, int argc, char **argv);
int ue_cmd_srtp_play(const struct ue_cli *cli, int argc, char **argv);

#endif
