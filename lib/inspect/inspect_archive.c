/*
 * `vigil inspect` on a container: the member tree (one record per record of
 * the unpacking engine, containers/unpack.h, under the scan's default
 * limits) and one member, named in the "outer!/member" notation, inspected
 * as a file would be.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/inspect.h>

#include "base/digest.h"
#include "base/util.h"
#include "containers/unpack.h"
#include "formats/elf.h"
#include "formats/filetype.h"
#include "formats/macho.h"
#include "formats/pe.h"
#include "inspect/inspect_internal.h"

/* bytes of a streamed member kept for its file type */
#define HEAD_KEEP 4096

static const char *const type_names[] = {"file", "dir", "symlink", "hardlink",
					  "device", "other"};
static const char *const status_names[] = {"ok", "encrypted", "unsupported", "symlink",
					    "hardlink", "device", "limit", "damaged",
					    "damaged"};

struct walk {
	const vigil_inspect_options *opt;
	json_t *members;      /* the tree; NULL when looking for one member */
	const char *want;     /* the member looked for */
	int found;            /* 1 found and inspected, -1 found, not readable */
	char *json;           /* its record */
	int fatal;
	vigil_diag_fn diag;
	void *diag_ctx;
	vg_digests *dg;       /* a streamed member's digests */
	int streaming;
	uint8_t head[HEAD_KEEP];
	size_t nhead;
};

static void no_finding(void *ctx, const vigil_finding *f)
{
	(void)ctx;
	(void)f;
}

/* The signature summary of a PE, ELF or Mach-O member, from inspect's own
 * model of it: {"format", "signed", "signer", "digest_match", "intact"}. */
static json_t *binary(const uint8_t *buf, size_t len, const vigil_inspect_options *opt)
{
	json_t *m = json_object(), *o = json_object();
	if (!m || !o) {
		json_decref(m);
		json_decref(o);
		return NULL;
	}
	const char *why = NULL, *fmt = NULL;
	struct vg_inspect_checks checks = {no_finding, NULL, 0};
	int st = VIGIL_FAILED;
	vigil_inspect_options o2;
	vigil_inspect_options_init(&o2);
	o2.ca_file = opt ? opt->ca_file : NULL;
	if (vg_pe_sniff(buf, len) || (len >= 2 && buf[0] == 'M' && buf[1] == 'Z')) {
		fmt = "PE";
		st = vg_inspect_pe(buf, len, &o2, m, &why, &checks);
	} else if (vg_elf_sniff(buf, len)) {
		fmt = "ELF";
		st = vg_inspect_elf(buf, len, m);
	} else if (vg_macho_sniff(buf, len)) {
		fmt = "Mach-O";
		st = vg_inspect_macho(buf, len, m);
	}
	if (!fmt) {
		json_decref(m);
		json_decref(o);
		return json_null();
	}
	vg_ij_set(o, "format", json_string(st == VIGIL_OK ? fmt : "unknown"));
	if (st != VIGIL_OK) {
		json_t *e = json_object_get(json_object_get(m, "pe"), "format_error");
		if (!e)
			e = json_object_get(m, "format_error");
		vg_ij_set(o, "format_error", e ? json_incref(e) : json_null());
	} else if (!strcmp(fmt, "PE")) {
		json_t *pe = json_object_get(m, "pe");
		json_t *sigs = json_object_get(pe, "signatures");
		json_t *s0 = json_array_get(sigs, 0);
		vg_ij_set(o, "signed", json_boolean(s0 != NULL));
		vg_ij_set(o, "signatures", json_integer((json_int_t)json_array_size(sigs)));
		if (s0) {
			json_t *v;
			vg_ij_set(o, "signer", (v = json_object_get(s0, "subject")) ? json_incref(v) : json_null());
			vg_ij_set(o, "digest_match", (v = json_object_get(s0, "digest_match")) ? json_incref(v) : json_null());
			vg_ij_set(o, "intact", (v = json_object_get(s0, "intact")) ? json_incref(v) : json_null());
			vg_ij_set(o, "trusted", (v = json_object_get(s0, "trusted")) ? json_incref(v) : json_null());
		}
	} else if (!strcmp(fmt, "Mach-O")) {
		/* signed when a slice carries a code signature: the first one's */
		json_t *slices = json_object_get(json_object_get(m, "macho"), "slices"), *sl, *cs = NULL;
		size_t k;
		json_array_foreach(slices, k, sl) {
			json_t *c = json_object_get(sl, "code_signature");
			if (json_is_object(c)) {
				cs = c;
				break;
			}
		}
		vg_ij_set(o, "signed", json_boolean(cs != NULL));
		if (cs) {
			json_t *v = json_object_get(cs, "identifier");
			vg_ij_set(o, "signer", v ? json_incref(v) : json_null());
			vg_ij_set(o, "ad_hoc", (v = json_object_get(cs, "ad_hoc")) ? json_incref(v) : json_null());
		}
	} else {
		/* ELF has no embedded signature vigil reads */
		vg_ij_set(o, "signed", json_false());
	}
	(void)why;
	json_decref(m);
	return o;
}

static void on_begin(void *ctx)
{
	struct walk *w = ctx;
	w->streaming = w->dg && vg_digests_init(w->dg);
	w->nhead = 0;
}

static void on_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct walk *w = ctx;
	if (w->streaming)
		vg_digests_update(w->dg, p, n);
	if (w->nhead < HEAD_KEEP) {
		size_t k = HEAD_KEEP - w->nhead < n ? HEAD_KEEP - w->nhead : n;
		memcpy(w->head + w->nhead, p, k);
		w->nhead += k;
	}
}

static void put_digests(json_t *o, const uint8_t md5[16], const uint8_t sha1[20],
			const uint8_t sha256[32])
{
	vg_ij_set(o, "md5", vg_json_hex(md5, 16));
	vg_ij_set(o, "sha1", vg_json_hex(sha1, 20));
	vg_ij_set(o, "sha256", vg_json_hex(sha256, 32));
}

static void tree_item(struct walk *w, const vg_unpack_item *it)
{
	json_t *o = json_object();
	if (!o) {
		w->fatal = 1;
		return;
	}
	const vg_member *m = it->member;
	vg_ij_set(o, "path", vg_json_path(it->path));
	vg_ij_set(o, "name", vg_json_text(it->chain_len ? it->chain[it->chain_len - 1] : NULL));
	vg_ij_set(o, "depth", json_integer(it->depth));
	vg_ij_set(o, "container_format", json_string(it->format ? it->format : "unknown"));
	vg_ij_set(o, "type", json_string(m ? type_names[m->type <= VG_MEMBER_OTHER ? m->type : VG_MEMBER_OTHER]
					: "container"));
	vg_ij_set(o, "status", json_string(status_names[it->status <= VG_UNPACK_BROKEN ? it->status : VG_UNPACK_BROKEN]));
	if (it->status == VG_UNPACK_LIMIT)
		vg_ij_set(o, "limit", json_string(vg_unpack_limit_name(it->limit)));
	if (it->status != VG_UNPACK_OK)
		vg_ij_set(o, "detail", vg_json_text(it->detail ? it->detail : ""));
	if (m) {
		vg_ij_set(o, "size", m->size == VG_SIZE_UNKNOWN ? json_null()
			  : json_integer((json_int_t)m->size));
		if (m->link)
			vg_ij_set(o, "link", vg_json_text(m->link));
	}
	uint8_t md5[16], sha1[20], sha256[32];
	int read_whole = m && it->complete && it->data;
	int read_streamed = m && it->complete && !it->data && w->streaming &&
			    it->streamed > 0;
	if (read_whole || (m && it->complete && m->type == VG_MEMBER_FILE && !it->streamed)) {
		const uint8_t *p = it->data ? it->data : (const uint8_t *)"";
		vg_ij_set(o, "read", json_integer((json_int_t)it->len));
		if (w->dg && vg_digests_buffer(w->dg, p, it->len, md5, sha1, sha256))
			put_digests(o, md5, sha1, sha256);
		vg_ij_set(o, "filetype", json_string(vg_filetype(p, it->len)));
		json_t *b = binary(p, it->len, w->opt);
		if (b && !json_is_null(b))
			vg_ij_set(o, "binary", b);
		else
			json_decref(b);
	} else if (read_streamed) {
		vg_ij_set(o, "read", json_integer((json_int_t)it->streamed));
		if (vg_digests_final(w->dg, md5, sha1, sha256))
			put_digests(o, md5, sha1, sha256);
		vg_ij_set(o, "filetype", json_string(vg_filetype(w->head, w->nhead)));
	}
	vg_ij_set(o, "opened", json_boolean(it->container));
	if (it->status == VG_UNPACK_DAMAGED || it->status == VG_UNPACK_BROKEN)
		vg_diag(w->diag, w->diag_ctx, VIGIL_DIAG_WARNING, it->path, 0, "damaged: %s",
			it->detail ? it->detail : "unreadable");
	w->streaming = 0;
	if (json_array_append_new(w->members, o))
		w->fatal = 1;
}

static void member_item(struct walk *w, const vg_unpack_item *it)
{
	w->streaming = 0;
	if (w->found || !it->member || strcmp(it->path, w->want) != 0)
		return;
	if (it->status != VG_UNPACK_OK || !it->complete || !it->data) {
		w->found = -1;
		vg_diag(w->diag, w->diag_ctx, VIGIL_DIAG_ERROR, it->path, 0, "member not read: %s",
			it->status != VG_UNPACK_OK && it->detail ? it->detail
			: it->member->type != VG_MEMBER_FILE ? "not a regular file"
			: !it->complete ? "not read in full"
			: "larger than the largest member held in memory");
		return;
	}
	int st = vigil_inspect_buffer(it->data ? it->data : (const uint8_t *)"", it->len, it->path,
				      w->opt, &w->json, w->diag, w->diag_ctx);
	w->found = st == VIGIL_OK ? 1 : -1;
	if (st == VIGIL_FATAL)
		w->fatal = 1;
}

static void on_item(void *ctx, const vg_unpack_item *it)
{
	struct walk *w = ctx;
	if (w->members)
		tree_item(w, it);
	else
		member_item(w, it);
}

/* Walk the container at path. Returns 1 a container, 0 not one, -1 an
 * error said to diag (unreadable or out of memory: *fatal). */
static int walk(const char *path, struct walk *w, int *fatal)
{
	*fatal = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		vg_diag(w->diag, w->diag_ctx, VIGIL_DIAG_ERROR, path, 0, "%s",
			fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	vg_unpack_limits lim;
	vg_unpack_limits_init(&lim);
	vg_unpack *u = vg_unpack_new(&lim);
	w->dg = vg_digests_new();
	if (!u || !w->dg) {
		vg_unpack_free(u);
		vg_digests_free(w->dg);
		close(fd);
		vg_diag(w->diag, w->diag_ctx, VIGIL_DIAG_ERROR, path, 0, "out of memory");
		*fatal = 1;
		return -1;
	}
	vg_blob src = {NULL, fd, (uint64_t)st.st_size};
	vg_unpack_cb cb = {on_begin, on_chunk, on_item, w};
	vg_unpack_stats stats = {0};
	int r = vg_unpack_run(u, &src, NULL, 0, path, &cb, &stats);
	vg_unpack_free(u);
	vg_digests_free(w->dg);
	w->dg = NULL;
	close(fd);
	if (r < 0 || w->fatal) {
		vg_diag(w->diag, w->diag_ctx, VIGIL_DIAG_ERROR, path, 0, "out of memory");
		*fatal = 1;
		return -1;
	}
	return r;
}

int vigil_inspect_members(const char *path, const vigil_inspect_options *opt,
			  char **json_out, vigil_diag_fn diag, void *diag_ctx)
{
	*json_out = NULL;
	struct walk *w = calloc(1, sizeof *w);
	if (!w || !(w->members = json_array())) {
		free(w);
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "out of memory");
		return VIGIL_FATAL;
	}
	w->opt = opt;
	w->diag = diag;
	w->diag_ctx = diag_ctx;
	int fatal;
	int r = walk(path, w, &fatal);
	if (r == 1) {
		*json_out = vg_json_dump(w->members);
		w->members = NULL;
		if (!*json_out) {
			vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "out of memory");
			fatal = 1;
		}
	}
	json_decref(w->members);
	free(w);
	return fatal ? VIGIL_FATAL : r < 0 ? VIGIL_FAILED : VIGIL_OK;
}

int vigil_inspect_member(const char *container, const char *member,
			 const vigil_inspect_options *opt, char **json_out,
			 vigil_diag_fn diag, void *diag_ctx)
{
	*json_out = NULL;
	struct walk *w = calloc(1, sizeof *w);
	if (!w) {
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, member, 0, "out of memory");
		return VIGIL_FATAL;
	}
	w->opt = opt;
	w->want = member;
	w->diag = diag;
	w->diag_ctx = diag_ctx;
	int fatal;
	int r = walk(container, w, &fatal);
	int st;
	if (fatal) {
		st = VIGIL_FATAL;
	} else if (r < 0 || w->found < 0) {
		st = VIGIL_FAILED;
	} else if (!w->found) {
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, container, 0, "%s%s", r == 0
			? "not a container vigil opens, so it has no member " : "no member ",
			member);
		st = VIGIL_FAILED;
	} else {
		*json_out = w->json;
		w->json = NULL;
		st = VIGIL_OK;
	}
	free(w->json);
	free(w);
	return st;
}
