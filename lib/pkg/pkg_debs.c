/*
 * The cached .debs of the selected packages (var/cache/apt/archives,
 * named name_version_arch.deb with the epoch's ':' as "%3a") and what
 * apt's lists (var/lib/apt/lists/SUITE_Packages.EXT) say their SHA-256 is. Only
 * a .deb the lists vouch for is compared with the installed files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "pkg/pkg_deb.h"
#include "pkg/pkg_internal.h"
#include "source/logsource.h"

#define LIST_TEXT_MAX ((size_t)1 << 30)

/* name_version_arch.deb, the epoch's colon quoted as apt does. */
static char *deb_name(const vg_pkg *p)
{
	size_t colons = 0;
	for (const char *s = p->version; *s; s++)
		colons += *s == ':';
	size_t vl = strlen(p->version) + 2 * colons;
	char *ver = malloc(vl + 1), *o = ver;
	if (!ver)
		return NULL;
	for (const char *s = p->version; *s; s++) {
		if (*s == ':') {
			memcpy(o, "%3a", 3);
			o += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	char *n = vg_asprintf("%s_%s_%s.deb", p->name, ver, p->arch);
	free(ver);
	return n;
}

/* The entries of a directory of the system, by base name. */
static int list_dir(vigil_pkgverify *v, const char *path, char **canon_out,
		    char ***names, size_t *n)
{
	char *canon = NULL;
	*names = NULL;
	*n = 0;
	int e = vg_proot_resolve(&v->root_main, path, strlen(path), &canon);
	if (e)
		return e;
	char *disk = vg_proot_disk(&v->root_main, canon);
	if (!disk) {
		free(canon);
		return ENOMEM;
	}
	e = vg_list_dir(disk, names, n);
	free(disk);
	if (e)
		free(canon);
	else
		*canon_out = canon;
	return e;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Decompress a list (any compression libarchive's filters read). */
static int decompress(const char *buf, size_t len, char **out, size_t *olen,
		      const char **err)
{
	vg_logsource *src = vg_logsource_open(-1, buf, len);
	size_t cap = 0, n = 0;
	char *text = NULL;
	*err = NULL;
	if (!src) {
		*err = "out of memory";
		return -1;
	}
	for (;;) {
		if (!vg_grow(&text, &cap, n + 65536 + 1, 1)) {
			*err = "out of memory";
			break;
		}
		long got = vg_logsource_read(src, (uint8_t *)text + n, 65536);
		if (got < 0) {
			*err = vg_logsource_error(src);
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > LIST_TEXT_MAX) {
			*err = "larger than 1 GiB decompressed";
			break;
		}
	}
	vg_logsource_close(src);
	if (*err) {
		free(text);
		return -1;
	}
	text[n] = '\0';
	*out = text;
	*olen = n;
	return 0;
}

static int read_lists(vigil_pkgverify *v)
{
	char *canon = NULL, **names = NULL;
	size_t n = 0;
	int e = list_dir(v, "/var/lib/apt/lists", &canon, &names, &n);
	if (e) {
		vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_INFO, "/var/lib/apt/lists", 0,
			"no apt lists (%s): cached packages not compared", strerror(e));
		return e == ENOMEM ? -1 : 0;
	}
	free(canon);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *b = base_name(names[i]);
		if (!strstr(b, "_Packages"))
			continue;
		char *path = vg_asprintf("/var/lib/apt/lists/%s", b);
		char *buf = NULL, *disk = NULL, *text = NULL;
		size_t len = 0, tlen = 0;
		const char *why = NULL;
		if (!path) {
			rc = -1;
			break;
		}
		e = vg_pkg_read_db(&v->root_main, path, &buf, &len, &disk);
		if (e) {
			vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_WARNING, disk ? disk : path, 0,
				"unable to read: %s", strerror(e));
		} else if (decompress(buf, len, &text, &tlen, &why) != 0) {
			vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_WARNING, disk, 0,
				"unable to read the list: %s", why ? why : "error");
		} else {
			vg_dpkg_diag dg = {vg_pkg_diag_fn, v, disk, 0};
			if (vg_apt_list_digests(text, tlen, &dg, &v->want) != 0)
				rc = -1;
			v->stats.malformed += dg.problems;
		}
		free(text);
		free(buf);
		free(disk);
		free(path);
	}
	vg_free_list(names, n);
	return rc;
}

int vg_pkg_find_debs(vigil_pkgverify *v)
{
	char *canon = NULL, **names = NULL;
	size_t n = 0;
	vg_pmap have = {0};
	if (list_dir(v, "/var/cache/apt/archives", &canon, &names, &n) != 0)
		return 0; /* no cache: nothing to compare */
	int rc = -1;
	for (size_t i = 0; i < n; i++) {
		const char *b = base_name(names[i]);
		if (vg_pmap_put(&have, b, strlen(b), NULL) < 0)
			goto done;
	}
	size_t found = 0;
	for (size_t i = 0; i < v->npkgs; i++) {
		vg_pkg *p = &v->pkgs[i];
		if (!p->selected)
			continue;
		char *dn = deb_name(p);
		if (!dn)
			goto done;
		if (vg_pmap_find(&have, dn, strlen(dn))) {
			p->deb = vg_asprintf("%s/%s", canon, dn);
			vg_span nm = {p->name, strlen(p->name)},
				ve = {p->version, strlen(p->version)},
				ar = {p->arch, strlen(p->arch)};
			char *key = vg_deb_key(nm, ve, ar);
			if (!p->deb || !key || vg_pmap_put(&v->want, key, strlen(key), NULL) < 0) {
				free(key);
				free(dn);
				goto done;
			}
			free(key);
			found++;
		}
		free(dn);
	}
	rc = 0;
	if (found && read_lists(v) != 0)
		rc = -1;
	for (size_t i = 0; i < v->npkgs && rc == 0; i++) {
		vg_pkg *p = &v->pkgs[i];
		if (!p->deb)
			continue;
		vg_span nm = {p->name, strlen(p->name)}, ve = {p->version, strlen(p->version)},
			ar = {p->arch, strlen(p->arch)};
		char *key = vg_deb_key(nm, ve, ar);
		if (!key) {
			rc = -1;
			break;
		}
		vg_pmap_slot *s = vg_pmap_find(&v->want, key, strlen(key));
		free(key);
		p->deb_sha256 = s ? s->val : NULL;
		if (!p->deb_sha256)
			vg_diag(vg_pkg_diag_fn, v, VIGIL_DIAG_INFO, p->deb, 0,
				"not in apt's lists: the cached package is not compared");
	}
done:
	vg_pmap_clear(&have);
	vg_free_list(names, n);
	free(canon);
	return rc;
}
