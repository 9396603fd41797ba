/*
 * mkdeep DIR LEVELS TEXT: make DIR/d/d/.../d (LEVELS directories, each
 * named "d") and in the deepest one a file "deep.txt" holding TEXT and a
 * newline. Each level is made and entered relative to the descriptor of
 * the one above (mkdirat, openat), so the depth is not bounded by PATH_MAX
 * as `mkdir -p` of the whole path is. For tests/e2e/scan_deep.sh. With
 * --remove instead of TEXT, removes such a tree the same way (rm -rf
 * handles it too, but not every rm does).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int die(const char *what, long level)
{
	fprintf(stderr, "mkdeep: %s at level %ld: %s\n", what, level, strerror(errno));
	return 1;
}

static int make(int fd, long levels, const char *text)
{
	for (long i = 0; i < levels; i++) {
		if (mkdirat(fd, "d", 0755) != 0 && errno != EEXIST)
			return die("mkdirat", i);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (next < 0)
			return die("openat", i);
		close(fd);
		fd = next;
	}
	int f = openat(fd, "deep.txt", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (f < 0)
		return die("create deep.txt", levels);
	size_t n = strlen(text);
	if (write(f, text, n) != (ssize_t)n || write(f, "\n", 1) != 1)
		return die("write deep.txt", levels);
	close(f);
	close(fd);
	return 0;
}

/* Remove d/.../d below fd from the bottom up: descend keeping every
 * descriptor, then unlink on the way back. */
static int removeall(int fd, long levels)
{
	int *fds = calloc((size_t)levels + 1, sizeof *fds);
	if (!fds)
		return 1;
	fds[0] = fd;
	long depth = 0;
	while (depth < levels) {
		int next = openat(fds[depth], "d", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (next < 0)
			break;
		fds[++depth] = next;
	}
	(void)unlinkat(fds[depth], "deep.txt", 0);
	for (long i = depth; i > 0; i--) {
		close(fds[i]);
		(void)unlinkat(fds[i - 1], "d", AT_REMOVEDIR);
	}
	close(fds[0]);
	free(fds);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fputs("usage: mkdeep DIR LEVELS TEXT|--remove\n", stderr);
		return 2;
	}
	long levels = strtol(argv[2], NULL, 10);
	if (levels < 1 || levels > 1000000) {
		fputs("mkdeep: LEVELS out of range\n", stderr);
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		fprintf(stderr, "mkdeep: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (strcmp(argv[3], "--remove") == 0)
		return removeall(fd, levels);
	return make(fd, levels, argv[3]);
}
