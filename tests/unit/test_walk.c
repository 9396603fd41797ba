/*
 * The directory walk: exclude globs, and vg_walk on a tree built here with
 * a symlink loop, a FIFO, an unreadable directory, awkward names and deep
 * nesting; directories swapped for symlinks while the walk runs (the walk
 * must not follow them out of the tree, and files must be opened relative
 * to the directory that listed them); running out of descriptors. alarm()
 * turns any hang into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_files.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "source/walk.h"

static void test_excluded(void **state)
{
	(void)state;
	const char *g1[] = {"/a/b"};
	assert_true(vg_walk_excluded("/a/b", g1, 1));
	assert_true(vg_walk_excluded("/a/b/c/d", g1, 1));
	assert_false(vg_walk_excluded("/a/bc", g1, 1));
	assert_false(vg_walk_excluded("/a", g1, 1));
	const char *g2[] = {"/a/b/"};
	assert_true(vg_walk_excluded("/a/b", g2, 1));
	assert_true(vg_walk_excluded("/a/b/x", g2, 1));
	assert_false(vg_walk_excluded("/a/bx", g2, 1));
	const char *g3[] = {"/home/*/cache"};
	assert_true(vg_walk_excluded("/home/u/cache", g3, 1));
	assert_true(vg_walk_excluded("/home/u/v/w/cache", g3, 1)); /* '*' crosses '/' */
	assert_false(vg_walk_excluded("/home/u/cache2", g3, 1));
	const char *g4[] = {"*.iso", "/x"};
	assert_true(vg_walk_excluded("/d/e/f.iso", g4, 2));
	assert_true(vg_walk_excluded("/x/y", g4, 2));
	assert_false(vg_walk_excluded("/d/e/f.isox", g4, 2));
	assert_false(vg_walk_excluded("/anything", NULL, 0));
}

struct seen {
	unsigned files, dirs, loops, specials, perms, excluded;
	int saw_newline_name;
};

static int on_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	struct seen *s = ctx;
	(void)name;
	vg_dir_unref(dir);
	s->files++;
	if (strstr(path, "new\nline\xff\xfe"))
		s->saw_newline_name = 1;
	free(path);
	return 0;
}

static void on_dir(void *ctx, const char *path)
{
	(void)path;
	((struct seen *)ctx)->dirs++;
}

static void on_event(void *ctx, const char *path, vigil_skip skip,
		     vigil_error err, int errnum)
{
	(void)path;
	(void)errnum;
	struct seen *s = ctx;
	if (err == VIGIL_ERR_LOOP)
		s->loops++;
	if (err == VIGIL_ERR_PERMISSION)
		s->perms++;
	if (skip == VIGIL_SKIP_SPECIAL)
		s->specials++;
}

static void on_excluded(void *ctx, const char *path)
{
	(void)path;
	((struct seen *)ctx)->excluded++;
}

static char root[1024];

static void mk(const char *rel, int dir)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", root, rel);
	if (dir) {
		assert_int_equal(mkdir(p, 0700), 0);
	} else {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fputs("x", f);
		fclose(f);
	}
}

static int setup(void **state)
{
	(void)state;
	test_scratch_path("walk", root, sizeof root);
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'",
		 root, root);
	(void)system(cmd);
	if (mkdir(root, 0700) != 0)
		return -1;
	mk("a", 1);
	mk("a/f1", 0);
	mk("a/b", 1);
	mk("a/b/f2", 0);
	mk("new\nline\xff\xfe", 0);
	char p[4096];
	/* a/b/up -> .. : a loop when following */
	snprintf(p, sizeof p, "%s/a/b/up", root);
	if (symlink("..", p) != 0)
		return -1;
	snprintf(p, sizeof p, "%s/fifo", root);
	if (mkfifo(p, 0600) != 0)
		return -1;
	mk("locked", 1);
	mk("locked/inside", 0);
	snprintf(p, sizeof p, "%s/locked", root);
	chmod(p, 0);
	
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'",
		 root, root);
	(void)system(cmd);
	return 0;
}

/* The lowest descriptor free: the same before and after a walk, or the
 * walk leaked one. */
static int lowest_free_fd(void)
{
	int fd = open("/", O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static void walk(struct seen *s, int follow, const char *const *ex, size_t nex)
{
	int fd0 = lowest_free_fd();
	memset(s, 0, sizeof *s);
	vg_walk_opts o = {.follow_symlinks = follow, .excludes = ex,
			  .nexcludes = nex};
	vg_walk_cb cb = {on_file, on_dir, on_event, on_excluded, s, NULL};
	alarm(20); /* a hang (FIFO opened, loop followed) fails the test */
	assert_int_equal(vg_walk(root, &o, &cb), VIGIL_OK);
	alarm(0);
	assert_int_equal(lowest_free_fd(), fd0);
}

static void test_tree(void **state)
{
	(void)state;
	struct seen s;
	walk(&s, 0, NULL, 0);
	assert_int_equal(s.files, 3 + (geteuid() == 0 ? 1 : 0));
	assert_int_equal(s.loops, 0);
	assert_int_equal(s.specials, 1);
	assert_true(s.saw_newline_name);
	if (geteuid() != 0)
		assert_int_equal(s.perms, 1);
	else
		print_message("running as root: unreadable-directory check skipped\n");

	walk(&s, 1, NULL, 0);
	assert_true(s.loops >= 1);
	assert_int_equal(s.specials, 1);
	/* following, f2 is not seen again through the loop forever */
	assert_true(s.files <= 4 + (geteuid() == 0 ? 1 : 0));

	char ex[1200];
	snprintf(ex, sizeof ex, "%s/a", root);
	const char *exs[] = {ex};
	walk(&s, 0, exs, 1);
	assert_int_equal(s.excluded, 1);
	assert_int_equal(s.files, 1 + (geteuid() == 0 ? 1 : 0));
}

static void test_deep(void **state)
{
	(void)state;
	char p[1200];
	snprintf(p, sizeof p, "%s/deep", root);
	assert_int_equal(mkdir(p, 0700), 0);
	int fd = open(p, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(mkdirat(fd, "d", 0700), 0);
		int nfd = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		assert_true(nfd >= 0);
		close(fd);
		fd = nfd;
	}
	int f = openat(fd, "leaf", O_WRONLY | O_CREAT, 0600);
	assert_true(f >= 0);
	close(f);
	close(fd);
	struct seen s;
	memset(&s, 0, sizeof s);
	vg_walk_opts o = {0};
	vg_walk_cb cb = {on_file, on_dir, on_event, on_excluded, &s, NULL};
	alarm(20);
	assert_int_equal(vg_walk(p, &o, &cb), VIGIL_OK);
	alarm(0);
	/* the leaf is at ~600+ bytes of path: fine, it must be found */
	assert_int_equal(s.files, 1);
	assert_int_equal(s.dirs, 301);
}

/* Callbacks for what a test does not look at. */
static void ignore_path(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static void ignore_event(void *ctx, const char *path, vigil_skip skip,
			 vigil_error err, int errnum)
{
	(void)ctx;
	(void)path;
	(void)skip;
	(void)err;
	(void)errnum;
}

/* Make dir/rel (a directory when content is NULL, else a file holding it). */
static void mkat(const char *dir, const char *rel, const char *content)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	if (!content)
		assert_int_equal(mkdir(p, 0700), 0);
	else
		test_write_file(p, content, strlen(content));
}

/* Put a symlink to target where dir is, dir moving to away. */
static void swap_for_symlink(const char *dir, const char *away, const char *target)
{
	assert_int_equal(rename(dir, away), 0);
	assert_int_equal(symlink(target, dir), 0);
}

/*
 * The race a walk by path strings loses: a directory listed, then swapped
 * for a symlink to a directory outside the tree before it is opened. The
 * tree is tree/a/{sub,sub2}/file.txt; both subdirectories are listed with
 * a before either is entered, so the dir callback of whichever the walk
 * enters first swaps the other for a symlink to outside/ (which holds
 * canary.txt). Deterministic whatever order readdir gives.
 */
struct race {
	char tree[1100], outside[1100], moved[1100];
	char swapped[1200]; /* display path of the directory swapped */
	unsigned files, escaped, swapped_events;
	vigil_skip swapped_skip;
	vigil_error swapped_err;
};

static int race_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	struct race *r = ctx;
	(void)name;
	vg_dir_unref(dir);
	r->files++;
	if (strstr(path, "canary"))
		r->escaped++;
	free(path);
	return 0;
}

static void race_dir(void *ctx, const char *path)
{
	struct race *r = ctx;
	char sub[1200], sub2[1200];
	snprintf(sub, sizeof sub, "%s/a/sub", r->tree);
	snprintf(sub2, sizeof sub2, "%s/a/sub2", r->tree);
	const char *other = strcmp(path, sub) == 0 ? sub2 : strcmp(path, sub2) == 0 ? sub : NULL;
	if (!other || r->swapped[0])
		return;
	swap_for_symlink(other, r->moved, r->outside);
	snprintf(r->swapped, sizeof r->swapped, "%s", other);
}

static void race_event(void *ctx, const char *path, vigil_skip skip,
		       vigil_error err, int errnum)
{
	struct race *r = ctx;
	(void)errnum;
	if (strcmp(path, r->swapped) == 0) {
		r->swapped_events++;
		r->swapped_skip = skip;
		r->swapped_err = err;
	}
}

static void test_dir_swapped_before_open(void **state)
{
	(void)state;
	struct race r;
	memset(&r, 0, sizeof r);
	snprintf(r.tree, sizeof r.tree, "%s/race-tree", root);
	snprintf(r.outside, sizeof r.outside, "%s/race-outside", root);
	snprintf(r.moved, sizeof r.moved, "%s/race-moved", root);
	mkat(root, "race-tree", NULL);
	mkat(r.tree, "a", NULL);
	mkat(r.tree, "a/sub", NULL);
	mkat(r.tree, "a/sub/file.txt", "inside\n");
	mkat(r.tree, "a/sub2", NULL);
	mkat(r.tree, "a/sub2/file.txt", "inside\n");
	mkat(root, "race-outside", NULL);
	mkat(r.outside, "canary.txt", "outside\n");

	int fd0 = lowest_free_fd();
	vg_walk_opts o = {0};
	vg_walk_cb cb = {race_file, race_dir, race_event, ignore_path, &r, NULL};
	alarm(20);
	assert_int_equal(vg_walk(r.tree, &o, &cb), VIGIL_OK);
	alarm(0);
	assert_int_equal(lowest_free_fd(), fd0);
	assert_true(r.swapped[0]); /* the swap did happen */
	/* nothing of outside/ was handed over as a file of the tree */
	assert_int_equal(r.escaped, 0);
	assert_int_equal(r.files, 1); /* the file.txt of the one entered first */
	/* and the swapped directory is reported, as changed (O_NOFOLLOW: ELOOP) */
	assert_int_equal(r.swapped_events, 1);
	assert_int_equal(r.swapped_skip, VIGIL_SKIP_NONE);
	assert_int_equal(r.swapped_err, VIGIL_ERR_CHANGED);
}

/*
 * The same swap once the walk is over but before the file is read (the
 * scanner queues files): the (dir, name) handed over still reach the file
 * listed, where its path now reaches outside/.
 */
struct held {
	vg_dir *dir;
	const char *name;
	char *path;
	unsigned files, nulls;
};

static int hold_one(void *ctx, vg_dir *dir, const char *name, char *path)
{
	struct held *h = ctx;
	h->files++;
	if (!dir)
		h->nulls++;
	size_t pl = strlen(path), sl = strlen("/a/sub/file.txt");
	if (!h->path && pl > sl && strcmp(path + pl - sl, "/a/sub/file.txt") == 0) {
		h->dir = dir;
		h->name = name;
		h->path = path;
		return 0;
	}
	vg_dir_unref(dir);
	free(path);
	return 0;
}

static void read_all(int fd, char *buf, size_t n)
{
	assert_true(fd >= 0);
	ssize_t got = read(fd, buf, n - 1);
	assert_true(got >= 0);
	buf[got] = '\0';
	close(fd);
}

static void test_file_swapped_before_read(void **state)
{
	(void)state;
	char tree[1100], outside[1100], moved[1100], sub[1200];
	snprintf(tree, sizeof tree, "%s/hold-tree", root);
	snprintf(outside, sizeof outside, "%s/hold-outside", root);
	snprintf(moved, sizeof moved, "%s/hold-moved", root);
	snprintf(sub, sizeof sub, "%s/a/sub", tree);
	mkat(root, "hold-tree", NULL);
	mkat(tree, "a", NULL);
	mkat(tree, "a/sub", NULL);
	mkat(tree, "a/sub/file.txt", "inside\n");
	mkat(root, "hold-outside", NULL);
	mkat(outside, "file.txt", "outside\n");

	struct held h = {0};
	vg_walk_opts o = {0};
	vg_walk_cb cb = {hold_one, ignore_path, ignore_event, ignore_path, &h, NULL};
	alarm(20);
	assert_int_equal(vg_walk(tree, &o, &cb), VIGIL_OK);
	alarm(0);
	assert_int_equal(h.files, 1);
	assert_non_null(h.path);
	assert_int_equal(h.nulls, 0); /* files below a root come with their directory */
	assert_non_null(h.dir);
	assert_string_equal(h.name, "file.txt");
	assert_ptr_equal(h.name, h.path + strlen(h.path) - strlen("file.txt"));

	swap_for_symlink(sub, moved, outside);
	char buf[64];
	/* the path now leads outside the tree... */
	read_all(open(h.path, O_RDONLY), buf, sizeof buf);
	assert_string_equal(buf, "outside\n");
	/* ...the directory held does not */
	read_all(openat(vg_dir_fd(h.dir), h.name, O_RDONLY | O_NOFOLLOW), buf, sizeof buf);
	assert_string_equal(buf, "inside\n");
	vg_dir_unref(h.dir);
	free(h.path);
}

/*
 * Out of descriptors: a callback that keeps every directory reference it
 * gets (as a scanner with a long queue does) under a small RLIMIT_NOFILE.
 * The directories that cannot be opened are reported (io, EMFILE), the
 * others still listed, and nothing leaks. In a child process: the limit
 * is lowered for good.
 */
#define NDIRS 40

struct hoard {
	vg_dir *dirs[NDIRS];
	unsigned ndirs, files, emfile, other;
};

static int hoard_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	struct hoard *h = ctx;
	(void)name;
	h->files++;
	if (h->ndirs < NDIRS)
		h->dirs[h->ndirs++] = dir;
	else
		vg_dir_unref(dir);
	free(path);
	return 0;
}

static void hoard_event(void *ctx, const char *path, vigil_skip skip,
			vigil_error err, int errnum)
{
	struct hoard *h = ctx;
	(void)path;
	(void)skip;
	if (err == VIGIL_ERR_IO && errnum == EMFILE)
		h->emfile++;
	else
		h->other++;
}

static int emfile_child(const char *tree)
{
	int fd = open("/", O_RDONLY);
	if (fd < 0)
		return 2;
	close(fd);
	struct rlimit rl = {(rlim_t)fd + 12, (rlim_t)fd + 12};
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 3;
	struct hoard h = {0};
	vg_walk_opts o = {0};
	vg_walk_cb cb = {hoard_file, ignore_path, hoard_event, ignore_path, &h, NULL};
	if (vg_walk(tree, &o, &cb) != VIGIL_OK)
		return 4;
	while (h.ndirs)
		vg_dir_unref(h.dirs[--h.ndirs]);
	int again = open("/", O_RDONLY);
	if (again != fd)
		return 5; /* a descriptor leaked */
	close(again);
	if (!h.emfile)
		return 6; /* the limit was never reached: the test proves nothing */
	if (!h.files)
		return 7;
	if (h.files + h.emfile != NDIRS || h.other)
		return 8; /* every directory either listed or reported */
	return 0;
}

static void test_out_of_descriptors(void **state)
{
	(void)state;
	char tree[1100];
	snprintf(tree, sizeof tree, "%s/many", root);
	mkat(root, "many", NULL);
	for (int i = 0; i < NDIRS; i++) {
		char rel[32];
		snprintf(rel, sizeof rel, "d%02d", i);
		mkat(tree, rel, NULL);
		snprintf(rel, sizeof rel, "d%02d/f", i);
		mkat(tree, rel, "x");
	}
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(emfile_child(tree));
	int status;
	alarm(20);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	alarm(0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_excluded),
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_swapped_before_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_swapped_before_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_descriptors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
