/*
 * YARA's `include`, resolved by vigil (see rules_internal.h). YARA's own
 * callback takes a name relative to the including file only when YARA
 * itself read that file; text given as a string (how vigil compiles every
 * file it read once) has no file name, so the name went to open(2) as is,
 * relative to the working directory: a scan started in a directory an
 * attacker can write would compile the attacker's rules. It also opened
 * FIFOs (blocking for ever) and followed any fan-out.
 *
 * YARA calls back with the name as written and the name of the including
 * text: NULL for the source itself when it was given as a string, else the
 * name as written by whoever included it (YARA keeps no resolved path).
 * That name identifies the includer: YARA refuses (circular reference) a
 * name already on its include stack, so the most recent inclusion under a
 * name is the one being read. Each inclusion is logged with its includer,
 * which gives depth and cycles (by device and inode) without trusting
 * names, and its digest keys the compiled-rules cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yara.h>

#include "rules/rules_internal.h"
#include "base/util.h"

int vg_include_read(const char *path, char **text, size_t *len,
		    struct stat *st, const char **why)
{
	/* symbolic links are followed, as for the rule files themselves: the
	 * rule set's author placed them; what they reach must be a file */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	int e = 0;
	*why = NULL;
	if (fstat(fd, st) != 0)
		*why = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		*why = "include refused: not a regular file";
	else if ((e = vg_read_fd(fd, st, VG_MAX_RULE_FILE, text, len)) != 0)
		*why = e == EFBIG ? "include refused: larger than 64 MiB" : strerror(e);
	close(fd);
	if (*why)
		return -1;
	/* YARA lexes the text as a C string: a NUL would cut it short */
	if (memchr(*text, '\0', *len)) {
		free(*text);
		*why = "include refused: holds a NUL byte";
		return -1;
	}
	return 0;
}

/* The entry the name identifies (1 + index), or 0: the source. */
static size_t includer_of(const struct vg_includes *inc, const char *calling)
{
	for (size_t i = inc->n; calling && i > inc->first; i--)
		if (strcmp(inc->v[i - 1].raw, calling) == 0)
			return i;
	return 0;
}

/* Whether dev/ino is the source or an includer up the chain from parent;
 * *depth: the chain's length. */
static int on_chain(const struct vg_includes *inc, size_t parent,
		    const struct stat *st, unsigned *depth)
{
	*depth = 0;
	for (size_t p = parent; p; p = inc->v[p - 1].parent) {
		(*depth)++;
		if (inc->v[p - 1].dev == (uint64_t)st->st_dev &&
		    inc->v[p - 1].ino == (uint64_t)st->st_ino)
			return 1;
	}
	return inc->src_known && inc->src_dev == (uint64_t)st->st_dev &&
	       inc->src_ino == (uint64_t)st->st_ino;
}

/* name next to includer: includer's directory (up to its last '/') and
 * name; relative names stay relative, as the includer's own name is */
static char *next_to(const char *includer, const char *name)
{
	const char *slash = strrchr(includer, '/');
	int dir = slash ? (int)(slash - includer + 1) : 0;
	return vg_asprintf("%.*s%s", dir, includer, name);
}

static int record(struct vg_includes *inc, const char *name, char *path,
		  size_t parent, const struct stat *st, const char *text,
		  size_t len)
{
	if (!vg_grow(&inc->v, &inc->cap, inc->n + 1, sizeof *inc->v))
		return 0;
	struct vg_included *e = &inc->v[inc->n];
	unsigned dl = 0;
	if (!(e->raw = vg_strdup(name)))
		return 0;
	if (EVP_Digest(text, len, e->sha256, &dl, EVP_sha256(), NULL) != 1 || dl != 32)
		inc->digest_failed = 1;
	e->path = path;
	e->parent = parent;
	e->dev = (uint64_t)st->st_dev;
	e->ino = (uint64_t)st->st_ino;
	inc->n++;
	inc->bytes += len;
	return 1;
}

static const char *include_cb(const char *name, const char *calling,
			      const char *ns, void *user)
{
	(void)ns;
	struct vg_includes *inc = user;
	const struct vg_rule_source *s = inc->src;
	size_t parent = includer_of(inc, calling);
	const char *includer = parent ? inc->v[parent - 1].path : s ? s->name : NULL;
	if (!s || !s->file) {
		vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, includer, 0,
			"include not allowed in rules given as text: '%s'", name);
		return NULL;
	}
	if (name[0] == '/') {
		vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, includer, 0,
			"absolute include path not allowed: '%s' (name it relative to this file)",
			name);
		return NULL;
	}
	/* YARA goes on after a refusal: say it once, not once per include */
	if (inc->n >= VG_MAX_INCLUDES || inc->over) {
		if (!inc->over++)
			vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, includer, 0,
				"too many includes (more than %d) at '%s'",
				VG_MAX_INCLUDES, name);
		return NULL;
	}
	char *path = next_to(includer, name);
	if (!path || strlen(path) > VG_MAX_INCLUDE_PATH || !name[0]) {
		vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, includer, 0,
			"include path empty, too long or out of memory: '%s'", name);
		free(path);
		return NULL;
	}
	char *text;
	size_t len;
	struct stat st;
	const char *why;
	unsigned depth;
	if (vg_include_read(path, &text, &len, &st, &why) != 0) {
		vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, path, 0, "%s%s",
			strncmp(why, "include refused", 15) ? "unable to open include: " : "",
			why);
	} else if (on_chain(inc, parent, &st, &depth)) {
		vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, includer, 0,
			"include cycle: '%s' is already being included", path);
	} else if (depth + 1 > VG_MAX_INCLUDE_DEPTH) {
		vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, includer, 0,
			"include depth exceeded (more than %d levels) at '%s'",
			VG_MAX_INCLUDE_DEPTH, name);
	} else if (len > VG_MAX_INCLUDE_BYTES - inc->bytes) {
		if (!inc->over++)
			vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, path, 0,
				"too many includes (more than %u MiB of text)",
				VG_MAX_INCLUDE_BYTES >> 20);
	} else if (!record(inc, name, path, parent, &st, text, len)) {
		vg_diag(inc->diag, inc->ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to include: out of memory");
	} else {
		return text; /* YARA copies it, then include_free frees it */
	}
	if (why == NULL)
		free(text);
	free(path);
	return NULL;
}

const char *vg_includes_path(const struct vg_includes *inc, const char *name)
{
	size_t i = includer_of(inc, name);
	return i ? inc->v[i - 1].path : name;
}

static void include_free(const char *text, void *user)
{
	(void)user;
	free((char *)text);
}

void vg_includes_attach(YR_COMPILER *comp, struct vg_includes *inc)
{
	yr_compiler_set_include_callback(comp, include_cb, include_free, inc);
}

void vg_includes_source(struct vg_includes *inc, const struct vg_rule_source *s)
{
	struct stat st;
	inc->src = s;
	inc->first = inc->n;
	/* the source's identity, so that including it is a cycle too */
	inc->src_known = s->file && stat(s->name, &st) == 0;
	inc->src_dev = inc->src_known ? (uint64_t)st.st_dev : 0;
	inc->src_ino = inc->src_known ? (uint64_t)st.st_ino : 0;
}

void vg_includes_free(struct vg_includes *inc)
{
	for (size_t i = 0; i < inc->n; i++) {
		free(inc->v[i].path);
		free(inc->v[i].raw);
	}
	free(inc->v);
	inc->v = NULL;
	inc->n = inc->cap = inc->first = inc->bytes = 0;
	inc->over = 0;
}
