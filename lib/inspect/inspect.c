/*
 * `vigil inspect`: one file's anatomy as a JSON record. The common part
 * (size, digests, file type, network indicators, findings) is here; each
 * format adds its own (inspect_pe.c, inspect_elf.c, inspect_macho.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/checks.h>
#include <vigil/inspect.h>

#include "base/digest.h"
#include "base/entropy.h"
#include "formats/filetype.h"
#include "formats/elf.h"
#include "formats/macho.h"
#include "formats/pe.h"
#include "inspect/inspect_internal.h"
#include "formats/netstrings.h"
#include "base/util.h"

struct findings {
	json_t *list;
	int scores[64];
	size_t n;
};

static void add_finding(void *ctx, const vigil_finding *f)
{
	struct findings *fs = ctx;
	/* the report writer's shape, as in `vigil scan` (a failed allocation
	 * leaves the finding out of the list, not out of the score) */
	json_array_append_new(fs->list, vg_json_finding(f));
	if (fs->n < sizeof fs->scores / sizeof *fs->scores)
		fs->scores[fs->n++] = f->score;
}

/* The same three digests as the scan (base/digest.c), in one pass; left
 * out of the model when OpenSSL fails. */
static void digests(const uint8_t *buf, size_t len, json_t *obj)
{
	uint8_t md5[16], sha1[20], sha256[32];
	vg_digests *d = vg_digests_new();
	if (d && vg_digests_buffer(d, buf, len, md5, sha1, sha256)) {
		vg_ij_set(obj, "md5", vg_json_hex(md5, sizeof md5));
		vg_ij_set(obj, "sha1", vg_json_hex(sha1, sizeof sha1));
		vg_ij_set(obj, "sha256", vg_json_hex(sha256, sizeof sha256));
	}
	vg_digests_free(d);
}

static json_t *network(const uint8_t *buf, size_t len, size_t max, int *capped)
{
	vg_netstrings *ns = NULL;
	if (vg_netstrings_extract(buf, len, max, &ns) == VIGIL_FATAL)
		return NULL;
	json_t *a = json_array();
	for (size_t i = 0; a && i < ns->n; i++) {
		const vg_netstr *s = &ns->items[i];
		json_t *o = json_object();
		if (!o)
			break;
		vg_ij_set(o, "kind", json_string(vg_netstr_kind_name(s->kind)));
		vg_ij_set(o, "value", vg_json_text(s->value));
		vg_ij_set(o, "offset", json_integer((json_int_t)s->offset));
		vg_ij_set(o, "utf16", json_boolean(s->utf16));
		json_array_append_new(a, o);
	}
	*capped = ns->capped;
	vg_netstrings_free(ns);
	return a;
}

/* The format's part; returns VIGIL_FATAL only when the run must stop. */
static int format_part(const uint8_t *buf, size_t len, const vigil_inspect_options *opt,
		       json_t *obj, const char **why, struct vg_inspect_checks *checks)
{
	const char *fmt = "unknown";
	int st = VIGIL_OK;
	*why = "out of memory";
	/* an MZ file goes to the PE parser even when the quick sniff says no,
	 * so that the report says what is wrong with its headers */
	if (vg_pe_sniff(buf, len) || (len >= 2 && buf[0] == 'M' && buf[1] == 'Z')) {
		fmt = "PE";
		st = vg_inspect_pe(buf, len, opt, obj, why, checks);
	} else if (vg_elf_sniff(buf, len)) {
		fmt = "ELF";
		st = vg_inspect_elf(buf, len, obj);
	} else if (vg_macho_sniff(buf, len)) {
		fmt = "Mach-O";
		st = vg_inspect_macho(buf, len, obj);
	}
	/* a file that only looked like the format is reported as unknown,
	 * with the parser's reason */
	vg_ij_set(obj, "format", json_string(st == VIGIL_FAILED ? "unknown" : fmt));
	return st == VIGIL_FATAL ? VIGIL_FATAL : VIGIL_OK;
}

void vigil_inspect_options_init(vigil_inspect_options *opt)
{
	*opt = (vigil_inspect_options){.ca_file = NULL, .max_network = 0, .content = NULL,
				       .content_ctx = NULL};
}

/* The model as a jansson object: the record header, then the anatomy. */
static json_t *model(const uint8_t *buf, size_t len, const char *name,
		     const vigil_inspect_options *opt, vigil_diag_fn diag,
		     void *diag_ctx)
{
	json_t *obj = vg_json_record("inspect");
	struct findings fs = {.list = json_array()};
	if (!obj || !fs.list) {
		json_decref(obj);
		json_decref(fs.list);
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, name, 0, "out of memory");
		return NULL;
	}
	/* escaped as the text output shows it, as in `vigil scan` */
	vg_ij_set(obj, "path", vg_json_path(name));
	vg_ij_set(obj, "size", json_integer((json_int_t)len));
	digests(buf, len, obj);
	vg_ij_set(obj, "filetype", json_string(vg_filetype(buf, len)));
	vg_ij_set(obj, "entropy", vg_ij_entropy(vg_entropy(buf, len)));

	const char *why;
	struct vg_inspect_checks checks = {add_finding, &fs, 0};
	if (format_part(buf, len, opt, obj, &why, &checks) == VIGIL_FATAL) {
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, name, 0, "%s", why);
		json_decref(obj);
		json_decref(fs.list);
		return NULL;
	}
	int capped = 0;
	vg_ij_set(obj, "network", network(buf, len, opt ? opt->max_network : 0, &capped));
	vg_ij_set(obj, "network_capped", json_boolean(capped));

	if (!checks.done) /* every checker but PE's returns at once on a PE */
		vigil_checks_run(buf, len, add_finding, &fs);
	if (opt && opt->content)
		opt->content(opt->content_ctx, buf, len, name, add_finding, &fs);
	int score = vigil_score_combine(fs.scores, fs.n);
	json_object_set_new(obj, "findings", fs.list);
	vg_ij_set(obj, "score", json_integer(score));
	vg_ij_set(obj, "level", json_string(vigil_level_name(vigil_score_level(score))));
	return obj;
}

int vigil_inspect_buffer(const uint8_t *buf, size_t len, const char *name,
			 const vigil_inspect_options *opt, char **json_out,
			 vigil_diag_fn diag, void *diag_ctx)
{
	*json_out = NULL;
	json_t *obj = model(buf, len, name, opt, diag, diag_ctx);
	if (!obj)
		return VIGIL_FATAL;
	*json_out = vg_json_dump(obj);
	if (!*json_out) {
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, name, 0, "out of memory");
		return VIGIL_FATAL;
	}
	return VIGIL_OK;
}

int vigil_inspect_file(const char *path, uint64_t max_size,
		       const vigil_inspect_options *opt, char **json_out,
		       vigil_diag_fn diag, void *diag_ctx)
{
	char *buf = NULL;
	size_t len = 0;
	*json_out = NULL;
	int e = vg_read_file(path, max_size > SIZE_MAX - 1 ? SIZE_MAX - 1 : (size_t)max_size,
			     &buf, &len);
	if (e) {
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "%s",
			e == EFBIG ? "larger than --max-size"
			: e == EINVAL ? "not a regular file" : strerror(e));
		return VIGIL_FAILED;
	}
	int st = vigil_inspect_buffer((const uint8_t *)buf, len, path, opt, json_out,
				      diag, diag_ctx);
	free(buf);
	return st;
}
