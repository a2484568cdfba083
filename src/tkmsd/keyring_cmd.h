/*
 * keyring_cmd.h: `tkmsd keyring ...`, the operator's tool for the Ticket
 * Protection Key ring (profile P-10) over kms/keyring.h:
 *
 *   tkmsd [--config FILE] keyring create [--keyring FILE]
 *   tkmsd [--config FILE] keyring add [--current] [--not-after RFC3339] [--keyring FILE]
 *   tkmsd [--config FILE] keyring make-current ID [--keyring FILE]
 *   tkmsd [--config FILE] keyring list [--keyring FILE]
 *   tkmsd [--config FILE] keyring retire [ID [--force]] [--keyring FILE]
 *
 * The file defaults to the configuration's "keyring". Every change is
 * written atomically (0600); a running tkmsd applies it on SIGHUP. Nothing
 * prints key bytes: list shows ids and dates only.
 */
#ifndef TKMSD_KEYRING_CMD_H
#define TKMSD_KEYRING_CMD_H

/* argv[0] = "keyring"; default_file, max_lifetime_s and clock_skew_s from
 * the configuration (policy.max_lifetime, policy.clock_skew: they bound how
 * long a ticket sealed by a key that stops being current stays valid).
 * Exit status: 0 done, 1 refused / failed, 2 usage. */
int tkmsd_keyring_cmd(int argc, char **argv, const char *default_file,
		      unsigned max_lifetime_s, unsigned clock_skew_s);

#endif
