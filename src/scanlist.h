/* Lists of paths for `vigil scan --scan-list`, and standard input as a file. */
#ifndef VIGIL_SCANLIST_H
#define VIGIL_SCANLIST_H

#include <stddef.h>
#include <stdint.h>

struct scanlist {
	char **paths;
	size_t n, cap;
};

/*
 * Append the paths listed in file ("-": standard input) to l: one per
 * line (sep '\n'; a trailing "\r" is kept, it may be part of a name), or
 * NUL-separated (sep '\0', for names that hold newlines). Empty entries
 * are skipped. -1 after saying why (unreadable list, out of memory).
 */
int scanlist_read(struct scanlist *l, const char *file, int sep);
/* Add one path (copied). -1 when out of memory. */
int scanlist_add(struct scanlist *l, const char *path);
void scanlist_free(struct scanlist *l);

/*
 * Read standard input whole into *buf (malloc'd), at most max bytes:
 * 0 with *len; 1 when it is larger than max (nothing kept); -1 on a read
 * error (said).
 */
int scanlist_read_stdin(uint8_t **buf, size_t *len, uint64_t max);

#endif
