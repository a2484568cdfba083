/*
 * fileio.h: whole-file I/O for state that must survive and files that hold
 * keys (brief: "state that must survive is written atomically"; profile P-10
 * key ring, P-18 BSF SQN state, the UE state file).
 *
 * tk_file_write_atomic: a reader sees the old file or the new one, never a
 * mix, and the new one is on disk once the call returns (temp file in the
 * same directory, fsync, rename, fsync of the directory).
 * tk_file_read: a regular file of bounded size, optionally refused when
 * others could read it (like ssh private keys).
 */
#ifndef TK_UTIL_FILEIO_H
#define TK_UTIL_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* Write len octets of data to path atomically; the file gets exactly `mode`
 * (whatever the umask). The temp file is "<path>.tmp.XXXXXX", removed on
 * failure. 0, or -1 with a message naming the file in err. */
int tk_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 char *err, size_t errlen);

#define TK_FILE_PRIVATE 1u  /* refuse a file with group or other permission bits */
#define TK_FILE_NOFOLLOW 2u /* refuse a symbolic link */

/* Read the whole regular file path (at most max octets) into *buf (malloc'ed,
 * NUL-terminated after *len octets). 0 on success; 1 when the file does not
 * exist (err says so too); -1 on any other error (err says why). A caller
 * reading secrets wipes *buf before freeing it. */
int tk_file_read(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
		 char *err, size_t errlen);

#endif
