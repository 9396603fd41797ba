/*
 * Compiled-rules cache: compiling a large rule set (signature-base: 0.7 s on
 * one core) is repeated work when the rules did not change. Compiled rules
 * are kept in a private directory (mode 0700, owned by the user) under a
 * name that is the digest of everything that went into them. Every file
 * is checked (rules_cachefile.c) before libyara sees it, and written whole
 * or not at all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include "rules/rules_internal.h"
#include "base/util.h"

/* Largest cache file read or written (signature-base compiles to 14 MB). */
#define MAX_CACHE_FILE (1u << 30)

/* A temporary file this old is no save in progress (a save takes seconds). */
#define STALE_TMP_SECONDS 600

/* 1, or 0 when OpenSSL fails: then the digest is worthless. */
static int feed(EVP_MD_CTX *md, const void *p, size_t n)
{
	uint64_t len = n; /* length-prefixed: no two inputs hash alike */
	return EVP_DigestUpdate(md, &len, sizeof len) == 1 &&
	       EVP_DigestUpdate(md, p, n) == 1;
}

static EVP_MD_CTX *key_start(const char *what)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    !feed(md, what, strlen(what))) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	return md;
}

static int key_end(EVP_MD_CTX *md, int ok, char key[65])
{
	uint8_t d[32];
	unsigned dl = 0;
	ok = ok && EVP_DigestFinal_ex(md, d, &dl) == 1 && dl == sizeof d;
	EVP_MD_CTX_free(md);
	if (ok)
		vg_hex(d, sizeof d, key);
	return ok;
}

int vg_rules_cache_key(const struct vg_rule_source *src, size_t n,
		       char key[65])
{
	for (size_t i = 0; i < n; i++)
		if (!src[i].text)
			return 0; /* YARA reads it itself: its bytes are not known */
	/* bump when what is compiled from the same sources changes (the
	 * per-class subsets of lib/rules/rules_split.c) or the files' format */
	EVP_MD_CTX *md = key_start("vigil-rules-5 yara " YR_VERSION);
	int ok = md != NULL;
	for (int i = 0; ok && vg_rule_externals[i]; i++)
		ok = feed(md, vg_rule_externals[i], strlen(vg_rule_externals[i]));
	for (size_t i = 0; ok && i < n; i++)
		/* a file may include, text given as a string may not */
		ok = feed(md, src[i].name, strlen(src[i].name)) &&
		     feed(md, &src[i].file, sizeof src[i].file) &&
		     feed(md, src[i].text, strlen(src[i].text));
	return md && key_end(md, ok, key) ? 1 : -1;
}

/* The key of sources that included files: theirs and what each included,
 * in order, by path and content. */
static int include_key(const char *key, char *const *paths,
		       const uint8_t (*sha)[32], size_t n, char out[65])
{
	EVP_MD_CTX *md = key_start("vigil-rules-5 includes");
	int ok = md && feed(md, key, strlen(key));
	for (size_t i = 0; ok && i < n; i++)
		ok = feed(md, paths[i], strlen(paths[i])) && feed(md, sha[i], 32);
	return md && key_end(md, ok, out);
}

/* The directory must be ours and private: compiled rules are code for
 * YARA's virtual machine, and must not come from another user. */
static int private_dir(const char *dir, int create)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (!create || errno != ENOENT)
			return 0;
		/* create the parents, e.g. ~/.cache */
		char *p = vg_strdup(dir);
		for (char *s = p ? p + 1 : NULL; s && *s; s++)
			if (*s == '/') {
				*s = '\0';
				mkdir(p, 0700);
				*s = '/';
			}
		free(p);
		if (mkdir(dir, 0700) != 0 || stat(dir, &st) != 0)
			return 0;
	}
	return S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       (st.st_mode & 077) == 0;
}

/* The full set is <key>.yarc, set c's own subset <key>.<c>.yarc. */
static char *set_name(const char *key, int c)
{
	return c == 0 ? vg_asprintf("%s.yarc", key)
		      : vg_asprintf("%s.%d.yarc", key, c);
}

/* The pid in a temporary's name, <name>.<pid>.<XXXXXX>.tmp, or 0. */
static long tmp_pid(const char *name, size_t len)
{
	const char *end = name + len - 4, *p = end;
	while (p > name && p[-1] != '.')
		p--; /* the random part */
	if (p <= name + 1)
		return 0;
	const char *digits_end = p - 1;
	const char *q = digits_end;
	long pid = 0;
	while (q > name && q[-1] >= '0' && q[-1] <= '9')
		q--;
	if (q == digits_end || digits_end - q > 9 || q == name || q[-1] != '.')
		return 0;
	for (; q < digits_end; q++)
		pid = pid * 10 + (*q - '0');
	return pid;
}

/* A save killed half-way leaves its temporary file (up to the size of the
 * compiled rules): remove those whose writer is dead or that are too old
 * to be a save in progress. A writer in another pid namespace may look
 * dead; its save then fails and costs one compilation. */
static void sweep_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		struct stat st;
		if (l < 5 || strcmp(e->d_name + l - 4, ".tmp") != 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		long pid = tmp_pid(e->d_name, l);
		int dead = pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 &&
			   errno == ESRCH;
		if (dead || st.st_mtime < now - STALE_TMP_SECONDS)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static void removed(const char *path, const char *why, vigil_diag_fn diag,
		    void *ctx)
{
	unlink(path);
	vg_diag(diag, ctx, VIGIL_DIAG_INFO, path, 0,
		"damaged compiled rules removed (%s): compiling the rules", why);
}

/* Read a cache file and check its header: 1 with *buf (to free) and the
 * payload in it; 0 when there is none to use (missing, not a regular file
 * of ours, out of memory, OpenSSL failing); -1 when it was damaged: then
 * it is removed, and the compilation that follows writes it anew. */
static int read_cache_file(const char *dir, const char *name, const char *magic,
			   char **buf, const uint8_t **payload, size_t *plen,
			   vigil_diag_fn diag, void *ctx)
{
	char *path = vg_asprintf("%s/%s", dir, name);
	int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
	struct stat st;
	size_t len = 0;
	int rc = 0;
	*buf = NULL;
	/* a symbolic link or another user's file is not read; a save renames
	 * over it */
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid()) {
		int check = -2; /* not read */
		int e = vg_read_fd(fd, &st, MAX_CACHE_FILE, buf, &len);
		if (e == 0)
			check = vg_cachefile_check(magic, (const uint8_t *)*buf, len,
						   payload, plen);
		if (check == 1) {
			rc = 1;
		} else if (check == 0) {
			removed(path, "header, length or SHA-256 wrong", diag, ctx);
			rc = -1;
		} else if (check == -2 && e != ENOMEM) {
			/* an I/O error, or larger than any file written */
			removed(path, strerror(e), diag, ctx);
			rc = -1;
		}
		/* else OpenSSL or memory failed: the file may be sound */
	}
	if (fd >= 0)
		close(fd);
	if (rc != 1) {
		free(*buf);
		*buf = NULL;
	}
	free(path);
	return rc;
}

struct memsrc {
	const uint8_t *p;
	size_t len, off;
};

static size_t mem_read(void *ptr, size_t size, size_t count, void *user)
{
	struct memsrc *m = user;
	size_t n = size ? (m->len - m->off) / size : 0;
	if (n > count)
		n = count;
	memcpy(ptr, m->p + m->off, n * size);
	m->off += n * size;
	return n;
}

struct membuf {
	uint8_t *p;
	size_t len, cap;
};

static size_t mem_write(const void *ptr, size_t size, size_t count, void *user)
{
	struct membuf *m = user;
	size_t n = size * count, need;
	if ((size && n / size != count) || !vg_add_ok(m->len, n, &need) ||
	    need > MAX_CACHE_FILE - VG_CACHE_HEADER || !vg_grow(&m->p, &m->cap, need, 1))
		return 0;
	memcpy(m->p + m->len, ptr, n);
	m->len = need;
	return count;
}

/* 1 loaded, 0 missing (or not usable now), -1 damaged (removed). */
static int load_one(const char *dir, const char *name, struct YR_RULES **out,
		    vigil_diag_fn diag, void *ctx)
{
	char *buf;
	struct memsrc m = {NULL, 0, 0};
	int rc = read_cache_file(dir, name, VG_CACHE_RULES, &buf, &m.p, &m.len,
				 diag, ctx);
	if (rc != 1)
		return rc;
	YR_STREAM stream = {&m, mem_read, NULL};
	int err = yr_rules_load_stream(&stream, out);
	free(buf);
	if (err == ERROR_SUCCESS)
		return 1;
	if (err == ERROR_INSUFFICIENT_MEMORY)
		return 0;
	/* sound by its digest, yet not what this YARA reads */
	char *path = vg_asprintf("%s/%s", dir, name);
	if (path)
		removed(path, "YARA cannot load it", diag, ctx);
	free(path);
	return -1;
}

/* The key the compiled rules of sources that include files are under: the
 * manifest's paths as the files are now. 1 with out set, 0 when there is
 * no manifest or an included file cannot be read (the compilation then
 * reports it). */
static int manifest_key(const char *dir, const char *key, char out[65],
			vigil_diag_fn diag, void *ctx)
{
	char *name = vg_asprintf("%s.inc", key);
	char *buf = NULL;
	const uint8_t *payload;
	size_t plen, n = 0;
	char **paths = NULL;
	int ok = name && read_cache_file(dir, name, VG_CACHE_MANIFEST, &buf, &payload,
					 &plen, diag, ctx) == 1;
	int parsed = ok ? vg_manifest_parse(payload, plen, &paths, &n) : 0;
	uint8_t (*sha)[32] = parsed == 1 ? calloc(n ? n : 1, sizeof *sha) : NULL;
	ok = sha != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		char *text;
		size_t len;
		struct stat st;
		const char *why;
		unsigned dl = 0;
		ok = vg_include_read(paths[i], &text, &len, &st, &why) == 0;
		if (ok) {
			ok = EVP_Digest(text, len, sha[i], &dl, EVP_sha256(), NULL) == 1 &&
			     dl == 32;
			free(text);
		}
	}
	ok = ok && include_key(key, paths, (const uint8_t(*)[32])sha, n, out);
	if (parsed == 0 && buf) {
		/* sound by its digest, yet malformed */
		char *path = vg_asprintf("%s/%s", dir, name);
		if (path)
			removed(path, "malformed manifest", diag, ctx);
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(sha);
	free(buf);
	free(name);
	return ok;
}

static void drop(struct YR_RULES *set[VG_RULE_SETS])
{
	struct YR_RULES *full = set[0];
	for (int c = 0; c < VG_RULE_SETS; c++) {
		if (set[c] && (c == 0 || set[c] != full))
			yr_rules_destroy(set[c]);
		set[c] = NULL;
	}
}

/* A class without its own file uses the full set: always correct. A
 * damaged file fails the whole load, so that the compilation that follows
 * writes it anew. */
int vg_rules_cache_load(const char *dir, const char *key,
			struct YR_RULES *set[VG_RULE_SETS],
			vigil_diag_fn diag, void *ctx)
{
	if (!private_dir(dir, 0))
		return 0;
	sweep_tmp(dir);
	char k[65];
	char *name = set_name(key, 0);
	struct YR_RULES *full = NULL;
	int rc = name ? load_one(dir, name, &full, diag, ctx) : 0;
	free(name);
	if (rc == 0 && manifest_key(dir, key, k, diag, ctx)) {
		name = set_name(k, 0);
		rc = name ? load_one(dir, name, &full, diag, ctx) : 0;
		free(name);
		key = k;
	}
	if (rc != 1)
		return 0;
	for (int c = 0; c < VG_RULE_SETS; c++)
		set[c] = full;
	for (int c = 0; c < VG_RULE_SETS && rc == 1; c++) {
		if (c == 0)
			continue;
		struct YR_RULES *sub = NULL;
		name = set_name(key, c);
		rc = name ? load_one(dir, name, &sub, diag, ctx) : -1;
		free(name);
		if (rc == 1)
			set[c] = sub;
		else if (rc == 0)
			rc = 1; /* none: the full set serves */
	}
	if (rc != 1)
		drop(set);
	return rc == 1;
}

/* files kept: four compilations of one file per class (sources that
 * include add a manifest each) */
#define KEEP (4 * VG_RULE_SETS)

struct cached {
	char *path;
	time_t mtime;
};

static int newest_first(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;
	return (x->mtime < y->mtime) - (x->mtime > y->mtime);
}

static int is_cache_file(const char *name)
{
	size_t l = strlen(name);
	return (l > 5 && strcmp(name + l - 5, ".yarc") == 0) ||
	       (l > 4 && strcmp(name + l - 4, ".inc") == 0);
}

/* Keep the KEEP most recently written files; drop the others. */
static void prune(const char *dir)
{
	struct cached *items = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct stat st;
		char *p;
		if (!is_cache_file(e->d_name) ||
		    !(p = vg_asprintf("%s/%s", dir, e->d_name)))
			continue;
		if (lstat(p, &st) != 0 || !vg_grow(&items, &cap, n + 1, sizeof *items)) {
			free(p);
			continue;
		}
		items[n].path = p;
		items[n++].mtime = st.st_mtime;
	}
	if (d)
		closedir(d);
	if (n > 1)
		qsort(items, n, sizeof *items, newest_first);
	for (size_t i = 0; i < n; i++) {
		if (i >= KEEP)
			unlink(items[i].path);
		free(items[i].path);
	}
	free(items);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}

/* Write dir/name whole or not at all: a temporary file in the same
 * directory, synced, then renamed over the name. A reader sees the old
 * file or the new one, and a crash leaves at most the temporary (which
 * sweep_tmp removes). */
static int write_atomic(const char *dir, const char *name, const char *magic,
			const uint8_t *payload, size_t len)
{
	uint8_t head[VG_CACHE_HEADER];
	char *path = vg_asprintf("%s/%s", dir, name);
	char *tmp = vg_asprintf("%s/%s.%ld.XXXXXX.tmp", dir, name, (long)getpid());
	int fd = -1, ok = path && tmp && vg_cachefile_header(magic, payload, len, head);
	/* mkstemps: O_EXCL, mode 0600 */
	if (ok)
		ok = (fd = mkstemps(tmp, 4)) >= 0;
	ok = ok && write_all(fd, head, sizeof head) && write_all(fd, payload, len) &&
	     fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	ok = ok && rename(tmp, path) == 0;
	if (!ok && fd >= 0)
		unlink(tmp);
	free(path);
	free(tmp);
	return ok;
}

static int save_one(const char *dir, const char *key, int c,
		    struct YR_RULES *rules)
{
	struct membuf m = {NULL, 0, 0};
	YR_STREAM stream = {&m, NULL, mem_write};
	char *name = set_name(key, c);
	int ok = name && yr_rules_save_stream(rules, &stream) == ERROR_SUCCESS &&
		 write_atomic(dir, name, VG_CACHE_RULES, m.p, m.len);
	free(m.p);
	free(name);
	return ok;
}

static int save_manifest(const char *dir, const char *key,
			 const struct vg_includes *inc)
{
	char **paths = calloc(inc->n, sizeof *paths);
	size_t len = 0;
	uint8_t *payload = NULL;
	for (size_t i = 0; paths && i < inc->n; i++)
		paths[i] = inc->v[i].path;
	char *name = vg_asprintf("%s.inc", key);
	int ok = paths && name && (payload = vg_manifest_encode(paths, inc->n, &len)) &&
		 write_atomic(dir, name, VG_CACHE_MANIFEST, payload, len);
	free(payload);
	free(name);
	free(paths);
	return ok;
}

/* The directory's entries are durable once it is synced too. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int vg_rules_cache_save(const char *dir, const char *key,
			const struct vg_includes *inc,
			struct YR_RULES *set[VG_RULE_SETS])
{
	char k[65];
	if (inc && inc->n) {
		char **paths = calloc(inc->n, sizeof *paths);
		uint8_t (*sha)[32] = calloc(inc->n, sizeof *sha);
		int ok = paths && sha && !inc->digest_failed;
		for (size_t i = 0; ok && i < inc->n; i++) {
			paths[i] = inc->v[i].path;
			memcpy(sha[i], inc->v[i].sha256, 32);
		}
		ok = ok && include_key(key, paths, (const uint8_t(*)[32])sha, inc->n, k);
		free(paths);
		free(sha);
		if (!ok)
			return 0;
	}
	const char *rules_key = inc && inc->n ? k : key;
	if (!private_dir(dir, 1))
		return 0;
	sweep_tmp(dir);
	int ok = 1;
	for (int c = 0; c < VG_RULE_SETS; c++)
		if (c != 0 && set[c] != set[0])
			ok &= save_one(dir, rules_key, c, set[c]);
	/* the full set after the classes, the manifest last: a file missing
	 * only costs time */
	ok &= save_one(dir, rules_key, 0, set[0]);
	if (ok && inc && inc->n)
		ok = save_manifest(dir, key, inc);
	sync_dir(dir);
	if (ok)
		prune(dir);
	return ok;
}
