/*
 * The dpkg database parsers on arbitrary text: the first byte chooses the
 * parser (status stanzas with their Conffiles, md5sums, .list,
 * diversions, an apt Packages list), the rest is the file. Checks
 * invariants: every span handed out lies inside the input, paths of
 * .list, diversions and conffiles are absolute, md5sums paths are not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pkg/dpkg.h"
#include "pkg/pkg_deb.h"
#include "pkg/pkg_map.h"

static const char *lo, *hi;

static void inside(vg_span s)
{
	if (s.n && (s.p < lo || s.p + s.n > hi))
		abort();
}

static int on_cf(void *ctx, const vg_dpkg_conffile *c)
{
	(void)ctx;
	inside(c->path);
	if (!c->path.n || c->path.p[0] != '/')
		abort();
	return 0;
}

static int on_stanza(void *ctx, const vg_dpkg_stanza *s)
{
	vg_dpkg_diag *dg = ctx;
	if (s->n > VG_DPKG_MAX_FIELDS)
		abort();
	for (size_t i = 0; i < s->n; i++) {
		inside(s->f[i].name);
		inside(s->f[i].value);
		if (!s->f[i].name.n)
			abort();
	}
	const vg_span *cf = vg_dpkg_get(s, "Conffiles");
	if (cf)
		vg_dpkg_parse_conffiles(*cf, s->line, dg, on_cf, NULL);
	return 0;
}

static int on_md5(void *ctx, const uint8_t md5[16], vg_span path, unsigned long line)
{
	(void)ctx;
	(void)md5;
	(void)line;
	inside(path);
	if (!path.n || path.p[0] == '/')
		abort();
	return 0;
}

static int on_list(void *ctx, vg_span path, unsigned long line)
{
	(void)ctx;
	(void)line;
	inside(path);
	if (!path.n || path.p[0] != '/')
		abort();
	return 0;
}

static int on_div(void *ctx, vg_span from, vg_span to, vg_span by, unsigned long line)
{
	(void)ctx;
	(void)line;
	inside(from);
	inside(to);
	inside(by);
	if (from.p[0] != '/' || to.p[0] != '/' || !by.n)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int which = data[0] % 5;
	size_t n = size - 1;
	char *buf = malloc(n ? n : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, n);
	lo = buf;
	hi = buf + n;
	vg_dpkg_diag dg = {NULL, NULL, "fuzz", 0};
	switch (which) {
	case 0:
		vg_dpkg_parse_stanzas(buf, n, &dg, on_stanza, &dg);
		break;
	case 1:
		vg_dpkg_parse_md5sums(buf, n, &dg, on_md5, NULL);
		break;
	case 2:
		vg_dpkg_parse_list(buf, n, &dg, on_list, NULL);
		break;
	case 3:
		vg_dpkg_parse_diversions(buf, n, &dg, on_div, NULL);
		break;
	default: {
		/* a Packages list wanted for one key */
		vg_pmap want = {0};
		want.free_vals = 1;
		vg_span nm = {"a", 1}, ve = {"1", 1}, ar = {"all", 3};
		char *key = vg_deb_key(nm, ve, ar);
		if (key && vg_pmap_put(&want, key, strlen(key), NULL) == 1)
			vg_apt_list_digests(buf, n, &dg, &want);
		free(key);
		vg_pmap_clear(&want);
		break;
	}
	}
	free(buf);
	return 0;
}
