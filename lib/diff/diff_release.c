/*
 * A release's facts: read from a directory (source/walk.h, each file
 * opened relative to its directory and read once), from a container
 * (containers/unpack.h: every member of nested containers as a stream),
 * or from a snapshot written earlier. Components are keyed by their
 * normalised path (docs/cli.md, "vigil diff").
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "containers/unpack.h"
#include "diff/diff_internal.h"
#include "formats/elf.h"
#include "formats/macho.h"
#include "formats/pe.h"
#include "report/json_write.h"
#include "source/readfile.h"
#include "source/walk.h"

#include <vigil/scan.h>

#define PATH_MAX_KEPT 4096
#define MAX_COMPONENTS 1000000

void vigil_diff_options_init(vigil_diff_options *o)
{
	memset(o, 0, sizeof *o);
	o->max_whole = (uint64_t)128 << 20;
}

static const char *const level_names[] = {"none", "info", "low", "medium", "high",
					  "critical"};

const char *vigil_dlevel_name(vigil_dlevel l)
{
	return l <= VIGIL_DLEVEL_CRITICAL ? level_names[l] : "none";
}

int vigil_dlevel_parse(const char *s)
{
	for (int i = 0; s && i <= VIGIL_DLEVEL_CRITICAL; i++)
		if (!strcmp(s, level_names[i]))
			return i;
	return -1;
}

const char *vg_jstr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t vg_jint(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

int vg_jbool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* ---- loading ---- */

struct load {
	vigil_release *r;
	const vigil_diff_options *opt;
	vg_caps caps;
	vigil_diag_fn diag;
	void *diag_ctx;
	const char *root;    /* the directory walked, or NULL */
	int drop_top;        /* a container release: its own name is dropped */
	int warn, fatal;
	int msi_top;         /* the top container is an MSI */
	EVP_MD_CTX *md;      /* a streamed member's digest */
	int streaming;
	size_t count;
	/* Debian packages met: the prefix of each .deb's members (the path
	 * before "control.tar/control") -> its Version field */
	json_t *pkgver;
};

#define DEB_CONTROL "control.tar/control"

/* A .deb's control file: remember the package version for its prefix. */
static void note_control(struct load *L, const char *path, const uint8_t *p, size_t n)
{
	size_t pl = strlen(path), cl = strlen(DEB_CONTROL);
	if (pl < cl || strcmp(path + pl - cl, DEB_CONTROL) != 0 ||
	    (pl > cl && path[pl - cl - 1] != '/'))
		return;
	for (size_t i = 0; i < n;) {
		const uint8_t *e = memchr(p + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (p + i)) : n - i;
		if (ll > 8 && !memcmp(p + i, "Version:", 8)) {
			size_t a = i + 8, z = i + ll;
			while (a < z && (p[a] == ' ' || p[a] == '\t'))
				a++;
			while (z > a && (p[z - 1] == ' ' || p[z - 1] == '\t' || p[z - 1] == '\r'))
				z--;
			if (z > a && z - a < 256 && (L->pkgver || (L->pkgver = json_object()))) {
				char *pre = vg_strndup(path, pl - cl);
				if (pre)
					json_object_set_new(L->pkgver, pre,
							    json_stringn((const char *)p + a, z - a));
				free(pre);
			}
			return;
		}
		i += ll + 1;
	}
}

/*
 * An ELF file's own version is at best its SONAME, which stays the same
 * across upgrades (libcodec.so.1): inside a .deb, an ELF component's
 * version is its SONAME (if any) and the package's Version, so that "same
 * version" means the package version did not change.
 */
static void apply_pkg_versions(struct load *L)
{
	if (!L->pkgver)
		return;
	const char *pre, *key;
	json_t *ver, *v;
	json_object_foreach(L->pkgver, pre, ver) {
		size_t n = strlen(pre);
		json_object_foreach(L->r->index, key, v) {
			const char *f = vg_jstr(v, "format");
			if (!f || strcmp(f, "elf") != 0 || strncmp(key, pre, n) != 0 ||
			    strncmp(key + n, "data.tar/", 9) != 0)
				continue;
			const char *so = vg_jstr(v, "version");
			char buf[600];
			snprintf(buf, sizeof buf, "%s%s%s", so ? so : "", so ? " " : "",
				 json_string_value(ver));
			json_object_set_new(v, "version", json_string(buf));
		}
	}
}

static int is_compression_suffix(const char *s, size_t n, size_t *cut)
{
	static const char *const sfx[] = {".gz", ".xz", ".zst", ".bz2", ".lzma", ".lz4", ".z"};
	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		size_t k = strlen(sfx[i]);
		if (n > k && !strcmp(s + n - k, sfx[i])) {
			*cut = n - k;
			return 1;
		}
	}
	return 0;
}

/* Append one chain element to out (of *len bytes): backslashes as '/',
 * leading "./" and '/' dropped, empty and "." parts skipped; a container
 * element loses a compression suffix. */
static void norm_append(char *out, size_t *len, const char *e, int container)
{
	size_t n = strlen(e), cut, start = *len;
	if (container && is_compression_suffix(e, n, &cut))
		n = cut;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && e[j] != '/' && e[j] != '\\')
			j++;
		size_t k = j - i;
		if (k && !(k == 1 && e[i] == '.') && *len + k + 2 < PATH_MAX_KEPT) {
			if (*len)
				out[(*len)++] = '/';
			memcpy(out + *len, e + i, k);
			*len += k;
			out[*len] = '\0';
		}
		i = j + 1;
	}
	/* a name of nothing but separators and dots (an ar archive's "/" and
	 * "//" members) keeps its characters, '/' and '\\' as '_' */
	if (*len == start && n && *len + n + 2 < PATH_MAX_KEPT) {
		if (*len)
			out[(*len)++] = '/';
		for (size_t k = 0; k < n; k++)
			out[(*len)++] = e[k] == '/' || e[k] == '\\' ? '_' : e[k];
		out[*len] = '\0';
	}
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Keep facts under path; of two components with one path the one with
 * the lower digest stays, whatever order they came in. */
static void add_component(struct load *L, const char *path, json_t *facts)
{
	if (!facts) {
		L->fatal = 1;
		return;
	}
	if (!vg_jstr(facts, "sha256")) {
		L->warn = 1;
		vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, path, 0,
			"not compared: its SHA-256 could not be computed");
		json_decref(facts);
		return;
	}
	json_t *old = json_object_get(L->r->index, path);
	if (old) {
		const char *a = vg_jstr(old, "sha256"), *b = vg_jstr(facts, "sha256");
		vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, path, 0,
			"two components with this path: the one with the lower SHA-256 is compared");
		if (a && b && strcmp(b, a) < 0) {
			json_object_set_new(facts, "path", json_string(path));
			json_object_set_new(L->r->index, path, facts);
		} else {
			json_decref(facts);
		}
		return;
	}
	if (++L->count > MAX_COMPONENTS) {
		if (L->count == MAX_COMPONENTS + 1)
			vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, L->r->name, 0,
				"more than %d components: the rest not compared", MAX_COMPONENTS);
		L->warn = 1;
		json_decref(facts);
		return;
	}
	if (json_object_set_new(facts, "path", json_string(path)) ||
	    json_object_set_new(L->r->index, path, facts))
		L->fatal = 1;
}

static int looks_executable(const uint8_t *p, size_t n)
{
	return vg_pe_sniff(p, n) || vg_elf_sniff(p, n) || vg_macho_sniff(p, n);
}

/* ---- YARA rules and IOCs ---- */

struct matches {
	struct load *L;
	const char *path;
	json_t *yara, *iocs; /* objects used as sets */
};

static void on_match(void *ctx, const vigil_file_result *r)
{
	struct matches *m = ctx;
	if (r->error) {
		m->L->warn = 1;
		vg_diag(m->L->diag, m->L->diag_ctx, VIGIL_DIAG_WARNING, m->path, 0,
			"content matching incomplete: %s", vigil_error_name(r->error));
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		const vigil_finding *f = &r->findings[i];
		if (!f->kind || !f->id)
			continue;
		if (!strcmp(f->kind, "yara")) {
			json_object_set_new(m->yara, f->id, json_true());
		} else if (!strcmp(f->kind, "hash") || !strcmp(f->kind, "filename")) {
			char *k = vg_asprintf("%s:%s", f->kind, f->id);
			if (k)
				json_object_set_new(m->iocs, k, json_true());
			free(k);
		}
	}
}

static json_t *sorted_keys(const json_t *set)
{
	size_t n = json_object_size(set), i = 0;
	const char **v = malloc((n ? n : 1) * sizeof *v);
	json_t *a = json_array();
	const char *k;
	json_t *x;
	if (!v || !a) {
		free(v);
		json_decref(a);
		return NULL;
	}
	json_object_foreach((json_t *)set, k, x)
		v[i++] = k;
	qsort(v, n, sizeof *v, cmp_cstr);
	for (i = 0; i < n; i++)
		json_array_append_new(a, vg_json_text(v[i]));
	free(v);
	return a;
}

/* The rules' and the IOCs' matches of one component's bytes as its facts
 * "yara" (rule names) and "ioc_hits" ("hash:VALUE", "filename:REGEX"),
 * both sorted; path is the normalised path the file-name IOCs see. */
static void content_matches(struct load *L, json_t *facts, const char *path,
			    const uint8_t *buf, size_t len)
{
	if (!facts || (!L->opt->rules && !L->opt->iocs))
		return;
	struct matches m = {L, path, json_object(), json_object()};
	int st = m.yara && m.iocs ? vigil_match_buffer(L->opt->iocs, L->opt->rules, path, buf,
						       len, -1, 0, on_match, &m)
				  : VIGIL_FATAL;
	json_t *y = st != VIGIL_FATAL ? sorted_keys(m.yara) : NULL;
	json_t *h = st != VIGIL_FATAL ? sorted_keys(m.iocs) : NULL;
	if (!y || !h) {
		L->fatal = 1;
	} else {
		if (L->opt->rules && json_object_set_new(facts, "yara", y))
			L->fatal = 1;
		if (L->opt->rules)
			y = NULL;
		if (L->opt->iocs && json_object_set_new(facts, "ioc_hits", h))
			L->fatal = 1;
		if (L->opt->iocs)
			h = NULL;
	}
	json_decref(y);
	json_decref(h);
	json_decref(m.yara);
	json_decref(m.iocs);
}

static void on_begin(void *ctx)
{
	struct load *L = ctx;
	L->streaming = EVP_DigestInit_ex(L->md, EVP_sha256(), NULL) == 1;
}

static void on_chunk(void *ctx, const uint8_t *p, size_t n)
{
	struct load *L = ctx;
	if (L->streaming && EVP_DigestUpdate(L->md, p, n) != 1)
		L->streaming = 0;
}

static json_t *streamed_facts(struct load *L, uint64_t size)
{
	uint8_t md[32];
	unsigned mdlen = 0;
	char hex[65];
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "size", json_integer((json_int_t)size));
	if (L->streaming && EVP_DigestFinal_ex(L->md, md, &mdlen) == 1 && mdlen == 32) {
		vg_hex(md, 32, hex);
		json_object_set_new(o, "sha256", json_string(hex));
	}
	json_object_set_new(o, "format", json_string("data"));
	json_object_set_new(o, "filetype", json_string("large"));
	L->streaming = 0;
	return o;
}

static void on_item(void *ctx, const vg_unpack_item *it)
{
	struct load *L = ctx;
	const vg_member *m = it->member;
	if (it->depth == 1 && it->format && !strcmp(it->format, "msi"))
		L->msi_top = 1;
	if (!m) {
		if (it->status != VG_UNPACK_OK) {
			L->warn = 1;
			vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, it->path, 0,
				"container not read in full: %s", it->detail ? it->detail : "damaged");
		}
		L->streaming = 0;
		return;
	}
	if (m->type != VG_MEMBER_FILE || it->status != VG_UNPACK_OK || !it->complete) {
		if (m->type == VG_MEMBER_FILE || it->status == VG_UNPACK_DAMAGED ||
		    it->status == VG_UNPACK_LIMIT || it->status == VG_UNPACK_ENCRYPTED ||
		    it->status == VG_UNPACK_UNREADABLE) {
			L->warn = 1;
			vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, it->path, 0,
				"member not compared: %s", it->detail ? it->detail
				: "not read in full");
		}
		L->streaming = 0;
		return;
	}
	char path[PATH_MAX_KEPT];
	size_t len = 0;
	path[0] = '\0';
	for (size_t i = L->drop_top ? 1 : 0; i < it->chain_len; i++)
		norm_append(path, &len, it->chain[i], i + 1 < it->chain_len);
	if (!len)
		snprintf(path, sizeof path, "%s", "(unnamed)");
	const uint8_t *data = it->data ? it->data : (const uint8_t *)"";
	if (it->container && !(it->data && looks_executable(data, it->len))) {
		L->streaming = 0; /* an archive inside: its members are the components */
		return;
	}
	if (it->data)
		note_control(L, path, data, it->len);
	json_t *f = it->data || !it->streamed ? vg_diff_facts(data, it->len, &L->caps)
		    : streamed_facts(L, it->streamed);
	L->streaming = 0;
	if (it->data || !it->streamed)
		content_matches(L, f, path, data, it->len);
	/* an MSI's summary stream: compared without what every build changes */
	if (f && it->data && L->msi_top && it->chain_len >= 2 &&
	    !strcmp(it->chain[it->chain_len - 1], "\005SummaryInformation") &&
	    vg_msi_summary(data, it->len, f) != 0)
		L->fatal = 1;
	add_component(L, path, f);
}

static int unpack_fd(struct load *L, int fd, uint64_t size, const char *chain0)
{
	vg_unpack_limits lim;
	vg_unpack_limits_init(&lim);
	lim.max_whole = L->opt->max_whole;
	vg_unpack *u = vg_unpack_new(&lim);
	if (!u) {
		L->fatal = 1;
		return -1;
	}
	vg_blob src = {NULL, fd, size};
	vg_unpack_cb cb = {on_begin, on_chunk, on_item, L};
	vg_unpack_stats st = {0};
	int r = vg_unpack_run(u, &src, NULL, 0, chain0, &cb, &st);
	vg_unpack_free(u);
	if (r < 0)
		L->fatal = 1;
	return r;
}

/* A plain file (no container) as one component named name. */
static void plain_file(struct load *L, int fd, const struct stat *st, const char *name,
		       const char *display)
{
	char *buf = NULL;
	size_t len = 0;
	int err = vg_read_fd(fd, st, (size_t)L->opt->max_whole, &buf, &len);
	if (err == EFBIG) {
		on_begin(L);
		uint8_t chunk[1 << 16];
		uint64_t total = 0;
		ssize_t k;
		if (lseek(fd, 0, SEEK_SET) == 0)
			while ((k = read(fd, chunk, sizeof chunk)) > 0) {
				on_chunk(L, chunk, (size_t)k);
				total += (uint64_t)k;
			}
		add_component(L, name, streamed_facts(L, total));
		return;
	}
	if (err) {
		L->warn = 1;
		vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, display, 0,
			"unable to read: %s", strerror(err));
		return;
	}
	json_t *f = vg_diff_facts((const uint8_t *)buf, len, &L->caps);
	content_matches(L, f, name, (const uint8_t *)(buf ? buf : ""), len);
	add_component(L, name, f);
	free(buf);
}

static void one_file(struct load *L, int fd, const struct stat *st, const char *rel,
		     const char *display)
{
	int r = unpack_fd(L, fd, (uint64_t)st->st_size, rel);
	uint8_t head[4096];
	ssize_t k;
	/* a self-extracting executable in a directory is a component too */
	int exe_container = r == 1 && !L->drop_top && !L->fatal &&
			    (k = pread(fd, head, sizeof head, 0)) > 0 &&
			    looks_executable(head, (size_t)k) && lseek(fd, 0, SEEK_SET) == 0;
	if ((r == 0 || exe_container) && !L->fatal) {
		char path[PATH_MAX_KEPT];
		size_t len = 0;
		path[0] = '\0';
		norm_append(path, &len, rel, 0);
		plain_file(L, fd, st, len ? path : "(unnamed)", display);
	}
}

static int walk_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	struct load *L = ctx;
	struct stat st;
	vigil_skip skip = VIGIL_SKIP_NONE;
	int err = 0;
	int fd = vg_open_regular(dir, name, path, 0, &st, &skip, &err);
	if (fd < 0) {
		if (err) {
			L->warn = 1;
			vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, path, 0,
				"unable to open: %s", strerror(err));
		}
	} else {
		size_t rl = strlen(L->root);
		const char *rel = !strncmp(path, L->root, rl) ? path + rl : path;
		while (*rel == '/')
			rel++;
		one_file(L, fd, &st, rel, path);
		close(fd);
	}
	vg_dir_unref(dir);
	free(path);
	return L->fatal;
}

static void walk_dir(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static void walk_event(void *ctx, const char *path, vigil_skip skip, vigil_error err,
		       int errnum)
{
	struct load *L = ctx;
	if (skip == VIGIL_SKIP_SYMLINK || skip == VIGIL_SKIP_SPECIAL)
		return; /* not part of a release's bytes */
	L->warn = 1;
	vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, path, 0, "not compared: %s",
		errnum ? strerror(errnum) : err ? vigil_error_name(err) : vigil_skip_name(skip));
}

static void walk_excluded(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static char *base_name(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	return vg_strndup(path + b, n - b);
}

/* ---- snapshots ---- */

static int is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/* 1 a snapshot read into r, 0 not a snapshot, -1 a malformed one (said). */
static int load_snapshot(struct load *L, const char *path, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r'))
		i++;
	if (i == len || buf[i] != '{')
		return 0;
	json_error_t e;
	json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &e);
	const char *why = NULL;
	if (!j) {
		/* a broken snapshot is still told as one by its opening */
		size_t head = len < 256 ? len : 256;
		int told = 0;
		for (size_t k = 0; !told && k + 10 <= head; k++)
			told = !memcmp(buf + k, "\"snapshot\"", 10);
		if (!told)
			return 0;
		vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_ERROR, path, (unsigned long)e.line,
			"malformed snapshot: %s", e.text);
		return -1;
	}
	const char *type = vg_jstr(j, "type");
	if (!json_is_object(j) || !type || strcmp(type, "snapshot")) {
		json_decref(j);
		return 0;
	}
	json_t *comps = json_object_get(j, "components");
	const char *name = vg_jstr(j, "release");
	if (!json_is_integer(json_object_get(j, "schema")))
		why = "no integer \"schema\"";
	else if (vg_jint(j, "snapshot_format") != VG_SNAPSHOT_FORMAT)
		why = "unknown \"snapshot_format\" (this vigil reads 1)";
	else if (!name || !*name || strchr(name, '/'))
		why = "no \"release\" name";
	else if (!json_is_array(comps))
		why = "no \"components\" array";
	size_t k = 0;
	json_t *c;
	if (!why)
		json_array_foreach(comps, k, c) {
			const char *p = vg_jstr(c, "path"), *h = vg_jstr(c, "sha256");
			if (!json_is_object(c) || !p || !*p || strlen(p) >= PATH_MAX_KEPT) {
				why = "a component without a \"path\"";
				break;
			}
			if (!is_hex64(h)) {
				why = "a component whose \"sha256\" is not 64 hex digits";
				break;
			}
			if (json_object_get(L->r->index, p)) {
				why = "two components with one path";
				break;
			}
			if (json_object_set(L->r->index, p, c)) {
				L->fatal = 1;
				why = "out of memory";
				break;
			}
		}
	if (why) {
		if (json_is_array(comps) && k < json_array_size(comps))
			vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
				"malformed snapshot: %s (component %zu)", why, k + 1);
		else
			vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
				"malformed snapshot: %s", why);
		json_decref(j);
		return -1;
	}
	free(L->r->name);
	L->r->name = vg_strdup(name);
	L->r->winfold = vg_jbool(j, "case_folded");
	/* what the components were matched with; an identity that is not
	 * 64 hex digits is an unknown one */
	json_t *ct = json_object_get(j, "content");
	for (int w = 0; w < 2; w++) {
		json_t *v = json_object_get(ct, w ? "iocs" : "rules");
		char **dst = w ? &L->r->iocs_id : &L->r->rules_id;
		if (!v || json_is_null(v))
			continue;
		*dst = vg_strdup(is_hex64(json_string_value(v)) ? json_string_value(v) : "");
		if (!*dst)
			L->fatal = 1;
	}
	json_decref(j);
	return L->r->name ? 1 : -1;
}

/* ---- after loading: case folding, the sorted record, the vendor ---- */

static int cmp_path(const void *a, const void *b)
{
	return strcmp(vg_jstr(*(json_t *const *)a, "path"), vg_jstr(*(json_t *const *)b, "path"));
}

static json_t *pair_ids(const char *k1, const char *v1, const char *k2, const char *v2)
{
	json_t *o = json_object();
	if (o && (json_object_set_new(o, k1, v1 ? json_string(v1) : json_null()) ||
		  json_object_set_new(o, k2, v2 ? json_string(v2) : json_null()))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The identities of what a release read from its bytes was matched with
 * (the fields of struct vigil_release). 0, or -1 out of memory. */
static int content_ids(vigil_release *r, const vigil_diff_options *opt)
{
	char id[65];
	if (opt->rules) {
		r->rules_obj = opt->rules;
		r->rules_id = vg_strdup(vigil_rules_identity(opt->rules, id) == VIGIL_OK ? id : "");
		if (!r->rules_id)
			return -1;
	}
	if (opt->iocs) {
		char h[65], p[65], both[140];
		r->iocs_obj = opt->iocs;
		int ok = vigil_iocs_identity(opt->iocs, VIGIL_IOC_MD5, h) == VIGIL_OK &&
			 vigil_iocs_identity(opt->iocs, VIGIL_IOC_PATH_REGEX, p) == VIGIL_OK;
		snprintf(both, sizeof both, "%s:%s", h, p);
		r->iocs_id = vg_strdup(ok && vg_diff_sha256((const uint8_t *)both, strlen(both), id)
				       ? id : "");
		if (!r->iocs_id)
			return -1;
	}
	return 0;
}

static int finish(struct load *L, int fold)
{
	vigil_release *r = L->r;
	const char *key;
	json_t *v;
	if (fold) {
		json_t *folded = json_object();
		if (!folded)
			return -1;
		json_object_foreach(r->index, key, v) {
			char *k = vg_strdup(key);
			if (!k) {
				json_decref(folded);
				return -1;
			}
			lower(k);
			json_t *have = json_object_get(folded, k);
			const char *a = vg_jstr(have, "sha256"), *b = vg_jstr(v, "sha256");
			if (have)
				vg_diag(L->diag, L->diag_ctx, VIGIL_DIAG_WARNING, k, 0,
					"two components with this path once case-folded: the one with the lower SHA-256 is compared");
			if (!have || (a && b && strcmp(b, a) < 0)) {
				json_object_set_new(v, "path", json_string(k));
				json_object_set(folded, k, v);
			}
			free(k);
		}
		json_decref(r->index);
		r->index = folded;
		r->winfold = 1;
	}
	size_t n = json_object_size(r->index), i = 0;
	json_t **arr = malloc((n ? n : 1) * sizeof *arr);
	json_t *comps = json_array();
	if (!arr || !comps) {
		free(arr);
		json_decref(comps);
		return -1;
	}
	json_object_foreach(r->index, key, v)
		arr[i++] = v;
	qsort(arr, n, sizeof *arr, cmp_path);
	for (i = 0; i < n; i++)
		json_array_append(comps, arr[i]);
	free(arr);
	r->snapshot = vg_json_record("snapshot");
	if (!r->snapshot ||
	    vg_json_put(r->snapshot, "snapshot_format", json_integer(VG_SNAPSHOT_FORMAT)) ||
	    vg_json_put(r->snapshot, "release", json_string(r->name)) ||
	    vg_json_put(r->snapshot, "case_folded", json_boolean(r->winfold)) ||
	    vg_json_put(r->snapshot, "content",
			pair_ids("rules", r->rules_id, "iocs", r->iocs_id)) ||
	    vg_json_put(r->snapshot, "components", comps))
		return -1;
	r->vendor = vg_release_vendor(json_object_get(r->snapshot, "components"));
	return 0;
}

char *vg_release_vendor(const json_t *components)
{
	json_t *count = json_object();
	size_t i;
	json_t *c;
	char *best = NULL;
	int64_t bestn = 0;
	if (!count)
		return NULL;
	json_array_foreach(components, i, c) {
		const char *s = vg_jstr(json_object_get(c, "signature"), "signer");
		if (!s || !*s)
			continue;
		json_int_t n = json_integer_value(json_object_get(count, s)) + 1;
		json_object_set_new(count, s, json_integer(n));
	}
	const char *key;
	json_t *v;
	json_object_foreach(count, key, v) {
		int64_t n = json_integer_value(v);
		if (n > bestn || (n == bestn && best && strcmp(key, best) < 0)) {
			free(best);
			best = vg_strdup(key);
			bestn = n;
		}
	}
	json_decref(count);
	return best;
}

int vigil_release_load(const char *path, const vigil_diff_options *opt,
		       vigil_release **out, vigil_diag_fn diag, void *diag_ctx)
{
	*out = NULL;
	vigil_diff_options defaults;
	if (!opt) {
		vigil_diff_options_init(&defaults);
		opt = &defaults;
	}
	struct load L = {0};
	L.opt = opt;
	L.diag = diag;
	L.diag_ctx = diag_ctx;
	L.r = calloc(1, sizeof *L.r);
	L.md = EVP_MD_CTX_new();
	if (!L.r || !L.md || !(L.r->index = json_object()) || !(L.r->name = base_name(path)) ||
	    vg_caps_load(&L.caps, opt->capabilities_dir, diag, diag_ctx) != 0) {
		EVP_MD_CTX_free(L.md);
		vigil_release_free(L.r);
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "out of memory");
		return VIGIL_FATAL;
	}
	int status = VIGIL_OK, fold = 0, snapshot_read = 0;
	struct stat st;
	if (stat(path, &st) != 0) {
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "unable to read: %s",
			strerror(errno));
		status = VIGIL_FAILED;
	} else if (S_ISDIR(st.st_mode)) {
		L.root = path;
		vg_walk_opts wo = {0};
		vg_walk_cb cb = {walk_file, walk_dir, walk_event, walk_excluded, &L, NULL};
		int rc = vg_walk(path, &wo, &cb);
		if (rc == VIGIL_FATAL)
			L.fatal = 1;
		else if (rc != VIGIL_OK)
			status = VIGIL_FAILED;
	} else {
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		struct stat fst;
		if (fd < 0 || fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
			vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "unable to read: %s",
				fd < 0 ? strerror(errno) : "not a regular file");
			status = VIGIL_FAILED;
		} else {
			char head[8];
			ssize_t k = pread(fd, head, sizeof head, 0);
			int snap = 0;
			size_t i = 0;
			while (k > 0 && i < (size_t)k && (head[i] == ' ' || head[i] == '\n'))
				i++;
			if (k > 0 && i < (size_t)k && head[i] == '{') {
				char *buf = NULL;
				size_t len = 0;
				int err = vg_read_fd(fd, &fst, VG_SNAPSHOT_MAX, &buf, &len);
				if (!err)
					snap = load_snapshot(&L, path, buf, len);
				snapshot_read = snap > 0;
				free(buf);
				if (snap < 0)
					status = VIGIL_FAILED;
			}
			if (!snap) {
				L.drop_top = 1;
				char *rel = base_name(path);
				if (!rel)
					L.fatal = 1;
				else
					one_file(&L, fd, &fst, rel, path);
				free(rel);
				fold = L.msi_top;
			}
		}
		if (fd >= 0)
			close(fd);
	}
	if (status == VIGIL_OK && !L.fatal) {
		if (!fold && !L.r->winfold) {
			const char *key;
			json_t *v;
			json_object_foreach(L.r->index, key, v) {
				const char *f = vg_jstr(v, "format");
				if (f && !strcmp(f, "pe")) {
					fold = 1;
					break;
				}
			}
		}
		apply_pkg_versions(&L);
		if ((!snapshot_read && content_ids(L.r, opt) != 0) ||
		    finish(&L, fold && !L.r->winfold) != 0)
			L.fatal = 1;
	}
	json_decref(L.pkgver);
	EVP_MD_CTX_free(L.md);
	vg_caps_free(&L.caps);
	if (L.fatal) {
		vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "out of memory");
		vigil_release_free(L.r);
		return VIGIL_FATAL;
	}
	if (status != VIGIL_OK) {
		vigil_release_free(L.r);
		return status;
	}
	*out = L.r;
	return L.warn ? VIGIL_WARN : VIGIL_OK;
}

int vg_release_snapshot_buf(const char *path, const char *buf, size_t len,
			    vigil_release **out, vigil_diag_fn diag, void *diag_ctx)
{
	*out = NULL;
	struct load L = {0};
	vigil_diff_options opt;
	vigil_diff_options_init(&opt);
	L.opt = &opt;
	L.diag = diag;
	L.diag_ctx = diag_ctx;
	L.r = calloc(1, sizeof *L.r);
	if (!L.r || !(L.r->index = json_object()) || !(L.r->name = base_name(path))) {
		vigil_release_free(L.r);
		return VIGIL_FATAL;
	}
	int snap = load_snapshot(&L, path, buf, len);
	if (snap == 1 && !L.fatal && finish(&L, 0) != 0)
		L.fatal = 1;
	if (snap != 1 || L.fatal) {
		if (snap == 0)
			vg_diag(diag, diag_ctx, VIGIL_DIAG_ERROR, path, 0, "not a snapshot");
		vigil_release_free(L.r);
		return L.fatal ? VIGIL_FATAL : VIGIL_FAILED;
	}
	*out = L.r;
	return VIGIL_OK;
}

void vigil_release_free(vigil_release *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->vendor);
	free(r->rules_id);
	free(r->iocs_id);
	json_decref(r->index);
	json_decref(r->snapshot);
	free(r);
}

const char *vigil_release_name(const vigil_release *r)
{
	return r ? r->name : NULL;
}

size_t vigil_release_count(const vigil_release *r)
{
	return r ? json_object_size(r->index) : 0;
}

char *vigil_release_snapshot(const vigil_release *r)
{
	return r && r->snapshot ? json_dumps(r->snapshot, JSON_COMPACT | JSON_PRESERVE_ORDER)
				: NULL;
}
