/* apt's lists and cached .debs (pkg/pkg_deb.h). */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "base/util.h"
#include "pkg/pkg_deb.h"

char *vg_deb_key(vg_span name, vg_span version, vg_span arch)
{
	return vg_asprintf("%.*s\n%.*s\n%.*s", (int)name.n, name.p, (int)version.n,
			   version.p, (int)arch.n, arch.p);
}

struct list_ctx {
	vg_pmap *want;
	vg_dpkg_diag *dg;
	int oom;
};

static int list_stanza(void *ctx, const vg_dpkg_stanza *s)
{
	struct list_ctx *c = ctx;
	const vg_span *name = vg_dpkg_get(s, "Package");
	const vg_span *ver = vg_dpkg_get(s, "Version");
	const vg_span *arch = vg_dpkg_get(s, "Architecture");
	const vg_span *sha = vg_dpkg_get(s, "SHA256");
	if (!name || !ver || !arch || !sha)
		return 0;
	if (name->n > 4096 || ver->n > 4096 || arch->n > 4096)
		return 0;
	char *key = vg_deb_key(*name, *ver, *arch);
	if (!key) {
		c->oom = 1;
		return 1;
	}
	vg_pmap_slot *slot = vg_pmap_find(c->want, key, strlen(key));
	free(key);
	if (!slot || slot->val)
		return 0;
	uint8_t *d = malloc(32);
	if (!d) {
		c->oom = 1;
		return 1;
	}
	if (sha->n != 64 || vg_unhex(sha->p, 64, d, 32) != 32) {
		free(d);
		c->dg->problems++;
		vg_diag(c->dg->fn, c->dg->ctx, VIGIL_DIAG_WARNING, c->dg->file, s->line,
			"malformed SHA256 field of package '%.*s'", (int)name->n, name->p);
		return 0;
	}
	slot->val = d;
	return 0;
}

int vg_apt_list_digests(const char *buf, size_t len, vg_dpkg_diag *dg,
			vg_pmap *want)
{
	struct list_ctx c = {want, dg, 0};
	vg_dpkg_parse_stanzas(buf, len, dg, list_stanza, &c);
	return c.oom ? -1 : 0;
}

/* The inner archive reads the data member straight from the outer one. */
static la_ssize_t inner_read(struct archive *a, void *ctx, const void **buf)
{
	static _Thread_local char block[65536];
	(void)a;
	*buf = block;
	return archive_read_data(ctx, block, sizeof block);
}

static int is_data_member(const char *name)
{
	return name && strncmp(name, "data.tar", 8) == 0;
}

static int read_data(struct archive *outer, vg_pmap *out, char *err, size_t errlen)
{
	struct archive *in = archive_read_new();
	vg_digests *dg = vg_digests_new();
	char *buf = malloc(65536);
	int rc = -1;
	if (!in || !dg || !buf) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	if (archive_read_open(in, outer, NULL, inner_read, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "data member: %s", archive_error_string(in));
		goto done;
	}
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		const char *hl = archive_entry_hardlink(e);
		if (!name)
			continue;
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		while (name[0] == '/')
			name++;
		char *path = vg_asprintf("/%s", name);
		if (!path) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		uint8_t md5[16], sha1[20], sha256[32];
		uint8_t *val = NULL;
		if (hl) {
			while (hl[0] == '.' && hl[1] == '/')
				hl += 2;
			while (hl[0] == '/')
				hl++;
			char *t = vg_asprintf("/%s", hl);
			vg_pmap_slot *s = t ? vg_pmap_find(out, t, strlen(t)) : NULL;
			free(t);
			if (s && (val = malloc(16)))
				memcpy(val, s->val, 16);
		} else if (archive_entry_filetype(e) == AE_IFREG) {
			vg_digests_init(dg);
			la_ssize_t got;
			while ((got = archive_read_data(in, buf, 65536)) > 0)
				vg_digests_update(dg, buf, (size_t)got);
			if (got < 0 || !vg_digests_final(dg, md5, sha1, sha256)) {
				snprintf(err, errlen, "member '%s': %s", name,
					 got < 0 ? archive_error_string(in) : "digest failed");
				free(path);
				goto done;
			}
			if ((val = malloc(16)))
				memcpy(val, md5, 16);
		} else {
			free(path);
			continue;
		}
		if (!val || vg_pmap_put(out, path, strlen(path), val) < 0) {
			free(val);
			free(path);
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		free(path);
	}
	if (r != ARCHIVE_EOF) {
		snprintf(err, errlen, "data member: %s", archive_error_string(in));
		goto done;
	}
	rc = 0;
done:
	free(buf);
	vg_digests_free(dg);
	archive_read_free(in);
	return rc;
}

int vg_deb_members(const void *deb, size_t len, vg_pmap *out, char *err,
		   size_t errlen)
{
	out->free_vals = 1;
	struct archive *a = archive_read_new();
	int rc = -1, found = 0;
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	archive_read_support_format_ar(a);
	if (archive_read_open_memory(a, deb, len) != ARCHIVE_OK) {
		snprintf(err, errlen, "not an ar archive: %s", archive_error_string(a));
		goto done;
	}
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (!is_data_member(archive_entry_pathname(e)))
			continue;
		found = 1;
		rc = read_data(a, out, err, errlen);
		goto done;
	}
	if (r != ARCHIVE_EOF)
		snprintf(err, errlen, "%s", archive_error_string(a));
	else if (!found)
		snprintf(err, errlen, "no data.tar member");
done:
	archive_read_free(a);
	return rc;
}
