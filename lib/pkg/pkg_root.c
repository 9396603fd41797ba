/* Resolving package paths inside a root (pkg/pkg_root.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "pkg/pkg_root.h"

#define MAX_HOPS 40
#define BUF 8192

/* Resolve every component of dir (n bytes, absolute or relative to the
 * root) into cur (canonical, "" for the root). */
static int resolve_all(const vg_proot *r, const char *dir, size_t n, char *cur,
		       size_t *curlen)
{
	char pend[BUF], link[BUF];
	if (n >= BUF)
		return ENAMETOOLONG;
	memcpy(pend, dir, n);
	size_t plen = n, pos = 0;
	int hops = 0;
	*curlen = 0;
	cur[0] = '\0';
	while (pos < plen) {
		while (pos < plen && pend[pos] == '/')
			pos++;
		size_t s = pos;
		while (pos < plen && pend[pos] != '/')
			pos++;
		size_t cl = pos - s;
		if (!cl || (cl == 1 && pend[s] == '.'))
			continue;
		if (cl == 2 && pend[s] == '.' && pend[s + 1] == '.') {
			while (*curlen && cur[*curlen - 1] != '/')
				(*curlen)--;
			if (*curlen)
				(*curlen)--;
			cur[*curlen] = '\0';
			continue;
		}
		if (*curlen + 1 + cl >= BUF)
			return ENAMETOOLONG;
		size_t before = *curlen;
		cur[(*curlen)++] = '/';
		memcpy(cur + *curlen, pend + s, cl);
		*curlen += cl;
		cur[*curlen] = '\0';
		struct stat st;
		if (fstatat(r->fd, cur + 1, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISLNK(st.st_mode))
			continue; /* a directory, or missing: kept as named */
		if (++hops > MAX_HOPS)
			return ELOOP;
		ssize_t ll = readlinkat(r->fd, cur + 1, link, sizeof link);
		if (ll < 0)
			return errno;
		if ((size_t)ll >= sizeof link || (size_t)ll + 1 + (plen - pos) >= BUF)
			return ENAMETOOLONG;
		/* the rest of the path after the link's target */
		memmove(pend + ll + 1, pend + pos, plen - pos);
		memcpy(pend, link, (size_t)ll);
		pend[ll] = '/';
		plen = (size_t)ll + 1 + (plen - pos);
		pos = 0;
		if (link[0] == '/')
			*curlen = 0;
		else
			*curlen = before;
		cur[*curlen] = '\0';
	}
	return 0;
}

int vg_proot_resolve(vg_proot *r, const char *path, size_t n, char **out)
{
	*out = NULL;
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t cut = n;
	while (cut && path[cut - 1] != '/')
		cut--;
	const char *base = path + cut;
	size_t blen = n - cut;
	if ((blen == 1 && base[0] == '.') || (blen == 2 && base[0] == '.' && base[1] == '.')) {
		cut = n; /* "/." and the like: all directory */
		blen = 0;
	}
	const char *canon_dir;
	vg_pmap_slot *hit = vg_pmap_find(&r->cache, path, cut);
	if (hit) {
		canon_dir = hit->val;
	} else {
		char cur[BUF];
		size_t curlen;
		int e = resolve_all(r, path, cut, cur, &curlen);
		if (e)
			return e;
		char *dup = vg_strndup(cur, curlen);
		if (!dup)
			return ENOMEM;
		int put = vg_pmap_put(&r->cache, path, cut, dup);
		if (put != 1) {
			free(dup);
			return ENOMEM;
		}
		canon_dir = dup;
	}
	size_t dl = strlen(canon_dir);
	char *res = malloc(dl + 1 + blen + 1);
	if (!res)
		return ENOMEM;
	memcpy(res, canon_dir, dl);
	if (blen || !dl)
		res[dl++] = '/';
	memcpy(res + dl, base, blen);
	res[dl + blen] = '\0';
	*out = res;
	return 0;
}

char *vg_proot_disk(const vg_proot *r, const char *canon)
{
	return vg_asprintf("%s%s", r->prefix, canon);
}

void vg_proot_clear(vg_proot *r)
{
	r->cache.free_vals = 1;
	vg_pmap_clear(&r->cache);
}
