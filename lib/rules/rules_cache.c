/*
 * Compiled-rules cache: compiling a large rule set (signature-base: 0.7 s on
 * one core) is repeated work when the rules did not change. Compiled rules
 * are kept in a private directory (mode 0700, owned by the user) under a
 * name that is the digest of everything that went into them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include "rules/rules_internal.h"
#include "base/util.h"

int vg_rules_uses_include(const char *text, size_t len)
{
	for (size_t i = 0; i + 7 <= len; i++) {
		if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, "include", 7) == 0)
			return 1;
	}
	return 0;
}

/* 1, or 0 when OpenSSL fails: then the digest is worthless. */
static int feed(EVP_MD_CTX *md, const void *p, size_t n)
{
	uint64_t len = n; /* length-prefixed: no two inputs hash alike */
	return EVP_DigestUpdate(md, &len, sizeof len) == 1 &&
	       EVP_DigestUpdate(md, p, n) == 1;
}

int vg_rules_cache_key(const struct vg_rule_source *src, size_t n,
		       char key[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	/* bump when what is compiled from the same sources changes (the
	 * per-class subsets of lib/rules_split.c) */
	const char *version = "vigil-rules-4 yara " YR_VERSION;
	int digest_ok = feed(md, version, strlen(version));
	for (int i = 0; digest_ok && vg_rule_externals[i]; i++)
		digest_ok = feed(md, vg_rule_externals[i], strlen(vg_rule_externals[i]));
	int ok = 1;
	for (size_t i = 0; ok && digest_ok && i < n; i++) {
		char *text = src[i].text;
		size_t len = text ? strlen(text) : 0;
		if (!text && vg_read_file(src[i].name, VG_MAX_RULE_FILE, &text, &len) != 0) {
			ok = 0;
			break;
		}
		digest_ok = feed(md, src[i].name, strlen(src[i].name)) &&
			    feed(md, text, len);
		if (vg_rules_uses_include(text, len))
			ok = 0;
		if (text != src[i].text)
			free(text);
	}
	uint8_t d[32];
	unsigned dl = 0;
	if (ok && digest_ok)
		digest_ok = EVP_DigestFinal_ex(md, d, &dl) == 1 && dl == sizeof d;
	EVP_MD_CTX_free(md);
	if (!digest_ok)
		return -1;
	if (ok)
		vg_hex(d, sizeof d, key);
	return ok;
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
static char *set_path(const char *dir, const char *key, int c)
{
	return c == 0 ? vg_asprintf("%s/%s.yarc", dir, key)
				  : vg_asprintf("%s/%s.%d.yarc", dir, key, c);
}

static int load_one(const char *path, struct YR_RULES **out)
{
	struct stat st;
	return path && stat(path, &st) == 0 && st.st_uid == geteuid() &&
	       yr_rules_load(path, out) == ERROR_SUCCESS;
}

/* A class without its own file uses the full set: always correct. */
int vg_rules_cache_load(const char *dir, const char *key,
			struct YR_RULES *set[VG_RULE_SETS])
{
	if (!private_dir(dir, 0))
		return 0;
	char *path = set_path(dir, key, 0);
	struct YR_RULES *full = NULL;
	int ok = load_one(path, &full);
	free(path);
	if (!ok)
		return 0;
	for (int c = 0; c < VG_RULE_SETS; c++) {
		set[c] = full;
		if (c != 0 && (path = set_path(dir, key, c))) {
			if (access(path, F_OK) == 0 && !load_one(path, &set[c]))
				set[c] = full;
			free(path);
		}
	}
	return 1;
}

/* compilations kept: each is up to one file per set */
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

/* Keep the KEEP most recently written compilations; drop the others. */
static void prune(const char *dir)
{
	struct cached *items = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		struct stat st;
		char *p;
		if (l < 5 || strcmp(e->d_name + l - 5, ".yarc") != 0 ||
		    !(p = vg_asprintf("%s/%s", dir, e->d_name)))
			continue;
		if (stat(p, &st) != 0 || !vg_grow(&items, &cap, n + 1, sizeof *items)) {
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

static int save_one(const char *dir, const char *key, int c,
		    struct YR_RULES *rules)
{
	char *path = set_path(dir, key, c);
	char *tmp = vg_asprintf("%s/%s.%d.%ld.tmp", dir, key, c, (long)getpid());
	int ok = path && tmp && yr_rules_save(rules, tmp) == ERROR_SUCCESS &&
		 rename(tmp, path) == 0;
	if (!ok && tmp)
		unlink(tmp);
	free(path);
	free(tmp);
	return ok;
}

int vg_rules_cache_save(const char *dir, const char *key,
			struct YR_RULES *set[VG_RULE_SETS])
{
	if (!private_dir(dir, 1))
		return 0;
	int ok = 1;
	for (int c = 1; c < VG_RULE_SETS; c++)
		if (set[c] != set[0])
			ok &= save_one(dir, key, c, set[c]);
	/* the full set last: a class file missing only costs time */
	ok &= save_one(dir, key, 0, set[0]);
	if (ok)
		prune(dir);
	return ok;
}
