/* Lists of paths and standard input for `vigil scan` (see scanlist.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vigil/escape.h>

#include "scanlist.h"

int scanlist_add(struct scanlist *l, const char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		char **np = realloc(l->paths, cap * sizeof *np);
		if (!np)
			return -1;
		l->paths = np;
		l->cap = cap;
	}
	if (!(l->paths[l->n] = strdup(path)))
		return -1;
	l->n++;
	return 0;
}

int scanlist_read(struct scanlist *l, const char *file, int sep)
{
	int is_stdin = strcmp(file, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(file, "r");
	char *e = vigil_escape_str(is_stdin ? "(standard input)" : file);
	if (!f) {
		fprintf(stderr, "vigil: unable to open the scan list '%s': %s\n", e ? e : "",
			strerror(errno));
		free(e);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	int rc = 0;
	errno = 0;
	while ((got = getdelim(&line, &cap, sep, f)) > 0) {
		if (line[got - 1] == (char)sep)
			line[--got] = '\0';
		if (got == 0)
			continue;
		if (strlen(line) != (size_t)got) {
			/* a NUL inside a line: no path holds one */
			fprintf(stderr, "vigil: %s: a NUL byte inside a line of the scan list "
				"(use --scan-list0 for a NUL-separated list)\n", e ? e : "");
			rc = -1;
			break;
		}
		if (scanlist_add(l, line) != 0) {
			fputs("vigil: out of memory\n", stderr);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "vigil: unable to read the scan list '%s': %s\n", e ? e : "",
			strerror(errno ? errno : EIO));
		rc = -1;
	}
	free(line);
	free(e);
	if (!is_stdin)
		fclose(f);
	return rc;
}

void scanlist_free(struct scanlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	memset(l, 0, sizeof *l);
}

int scanlist_read_stdin(uint8_t **buf, size_t *len, uint64_t max)
{
	size_t n = 0, cap = 0;
	uint8_t *b = NULL;
	if (max > SIZE_MAX / 2)
		max = SIZE_MAX / 2;
	*buf = NULL;
	*len = 0;
	for (;;) {
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 65536;
			if (nc > max + 1)
				nc = (size_t)max + 1; /* one byte more tells "larger" */
			if (nc <= cap) {
				free(b);
				return 1;
			}
			uint8_t *nb = realloc(b, nc);
			if (!nb) {
				free(b);
				fputs("vigil: out of memory reading standard input\n", stderr);
				return -1;
			}
			b = nb;
			cap = nc;
		}
		ssize_t r = read(STDIN_FILENO, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "vigil: unable to read standard input: %s\n", strerror(errno));
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			return 1;
		}
	}
	*buf = b;
	*len = n;
	return 0;
}
