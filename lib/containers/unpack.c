/* The unpacking engine (see unpack.h). */
/* O_TMPFILE on Linux: _GNU_SOURCE comes from CMakeLists.txt (see
 * lib/base/banned.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "containers/unpack.h"

#define HEAD (64u << 10)
#define CHUNK (256u << 10)
/* damaged member headers in a row after which a container is given up:
 * a reader that finds nothing but damage would otherwise be asked for
 * ever (a container claiming more members than it holds) */
#define MAX_DAMAGED_RUN 16

struct level {
	uint8_t *buf;     /* the current member's bytes at this level */
	size_t cap;
	char *name;       /* a derived name (nameless members) */
	size_t dlen;      /* length of the display path at this level */
};

struct vg_unpack {
	vg_unpack_limits lim;
	vg_detect_fn detect;
	struct level lv[VG_UNPACK_DEPTH_CAP + 1];
	const char *chain[VG_UNPACK_DEPTH_CAP + 1];
	char *disp;       /* display path of the current level */
	size_t dcap;
	uint8_t *chunk;   /* streaming reads */
	uint8_t head[HEAD];
	/* per run */
	const vg_unpack_cb *cb;
	vg_unpack_stats st;
	uint64_t budget;  /* min(max_expanded, ratio allowance) */
	vg_unpack_limit budget_kind;
	int stop;         /* a file-wide limit was hit, or memory ran out */
	int oom;
};

void vg_unpack_limits_init(vg_unpack_limits *l)
{
	l->max_depth = 10;
	l->max_expanded = 8ull << 30;
	l->max_ratio = 200;
	l->ratio_floor = 1ull << 30;
	l->max_members = 100000;
	l->max_member_size = 4ull << 30;
	l->max_whole = 128ull << 20;
}

const char *vg_unpack_limit_name(vg_unpack_limit l)
{
	static const char *const names[] = {"none", "depth", "expanded",
					    "ratio", "members", "member-size",
					    "spill"};
	return l < VG_LIMIT_COUNT ? names[l] : "unknown";
}

vg_unpack *vg_unpack_new(const vg_unpack_limits *lim)
{
	vg_unpack *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	if (lim)
		u->lim = *lim;
	else
		vg_unpack_limits_init(&u->lim);
	if (u->lim.max_depth > VG_UNPACK_DEPTH_CAP)
		u->lim.max_depth = VG_UNPACK_DEPTH_CAP;
	if (!u->lim.max_whole)
		u->lim.max_whole = 1;
	u->detect = vg_container_detect;
	if (!(u->chunk = malloc(CHUNK))) {
		free(u);
		return NULL;
	}
	return u;
}

void vg_unpack_set_detect(vg_unpack *u, vg_detect_fn fn)
{
	u->detect = fn ? fn : vg_container_detect;
}

void vg_unpack_free(vg_unpack *u)
{
	if (!u)
		return;
	for (unsigned i = 0; i <= VG_UNPACK_DEPTH_CAP; i++) {
		vg_membudget_resize(u->lim.memory, u->lv[i].cap, 0, 0);
		free(u->lv[i].buf);
		free(u->lv[i].name);
	}
	free(u->disp);
	free(u->chunk);
	free(u);
}

/* ---- paths ---- */

/* Display path of level lv: that of lv-1, "!/", name. */
static int set_display(vg_unpack *u, unsigned lv, const char *name)
{
	size_t base = u->lv[lv - 1].dlen, nl = strlen(name), need;
	if (!vg_add_ok(base, nl, &need) || !vg_add_ok(need, 3, &need) ||
	    !vg_grow(&u->disp, &u->dcap, need, 1))
		return 0;
	memcpy(u->disp + base, "!/", 2);
	memcpy(u->disp + base + 2, name, nl + 1);
	u->lv[lv].dlen = base + 2 + nl;
	return 1;
}

static const char *display(vg_unpack *u, unsigned lv)
{
	u->disp[u->lv[lv].dlen] = '\0';
	return u->disp;
}

/* A nameless member is named after its container, less the suffix of
 * its compression ("x.dll.gz" -> "x.dll", "a.tgz" -> "a.tar"). */
static const char *derived_name(vg_unpack *u, unsigned lv)
{
	static const char *const sfx[][2] = {
		{".gz", ""},    {".bz2", ""},    {".xz", ""},     {".zst", ""},
		{".lz4", ""},   {".lz", ""},     {".Z", ""},      {".tgz", ".tar"},
		{".tbz2", ".tar"}, {".txz", ".tar"}, {".tzst", ".tar"},
	};
	const char *outer = u->chain[lv - 1];
	const char *b = strrchr(outer, '/');
	b = b ? b + 1 : outer;
	size_t bl = strlen(b);
	free(u->lv[lv].name);
	u->lv[lv].name = NULL;
	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		size_t sl = strlen(sfx[i][0]);
		if (bl > sl && strcmp(b + bl - sl, sfx[i][0]) == 0) {
			u->lv[lv].name = vg_asprintf("%.*s%s", (int)(bl - sl), b,
						     sfx[i][1]);
			return u->lv[lv].name;
		}
	}
	return b;
}

/* ---- records ---- */

static void emit(vg_unpack *u, vg_unpack_item *it)
{
	if (it->status == VG_UNPACK_LIMIT)
		u->st.limit_hits++;
	if (it->status == VG_UNPACK_DAMAGED || it->status == VG_UNPACK_BROKEN)
		u->st.damaged++;
	u->cb->item(u->cb->ctx, it);
}

/* A record about the container at level lv itself. */
static void container_record(vg_unpack *u, unsigned lv, const char *format,
			     vg_unpack_status status, vg_unpack_limit limit,
			     const char *detail)
{
	vg_unpack_item it = {
		.chain = u->chain, .chain_len = lv + 1,
		.path = display(u, lv), .format = format, .depth = lv,
		.status = status, .limit = limit, .detail = detail,
	};
	emit(u, &it);
}

static void out_of_memory(vg_unpack *u, unsigned lv, const char *format)
{
	u->oom = u->stop = 1;
	container_record(u, lv, format, VG_UNPACK_BROKEN, VG_LIMIT_NONE,
			 "out of memory");
}

/* ---- the spill of a streamed container ---- */

static int spill_open(char *why, size_t whylen)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = -1;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) {
		char *tmpl = vg_asprintf("%s/vigil-spill.XXXXXX", dir);
		if (tmpl && (fd = mkstemp(tmpl)) >= 0)
			unlink(tmpl);
		free(tmpl);
	}
	if (fd < 0)
		snprintf(why, whylen, "no temporary file in %s: %s", dir,
			 strerror(errno));
	return fd;
}

static int spill_write(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno ? errno : EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- members ---- */

static void walk(vg_unpack *u, const vg_container_ops *ops,
		 const vg_blob *src, unsigned lv);

/* Count n more bytes expanded: 0 while within the file's budget. */
static int over_budget(vg_unpack *u, size_t n)
{
	u->st.bytes_expanded += n;
	return u->st.bytes_expanded > u->budget;
}

struct member_read {
	int fd;                 /* spill, or -1 */
	char detail[VG_C_ERRLEN + 128];
	char err[VG_C_ERRLEN];
	int fatal;
	size_t head;            /* a streamed member's first bytes in its
				 * level's buffer */
};

static void stream_out(vg_unpack *u, struct member_read *mr,
		       const uint8_t *p, size_t n, vg_unpack_item *it)
{
	if (u->cb->stream_chunk)
		u->cb->stream_chunk(u->cb->ctx, p, n);
	it->streamed += n;
	if (mr->fd >= 0) {
		int e = spill_write(mr->fd, p, n);
		if (e) {
			snprintf(mr->detail, sizeof mr->detail,
				 "a container too large to hold could not be spilled: %s",
				 strerror(e));
			close(mr->fd);
			mr->fd = -1;
			it->status = VG_UNPACK_LIMIT;
			it->limit = VG_LIMIT_SPILL;
			it->detail = mr->detail;
		}
	}
}

/* Start streaming the member held so far in buf (max_whole bytes): spill
 * it too when it is a container that will be opened. */
static void start_stream(vg_unpack *u, unsigned lv, struct member_read *mr,
			 const vg_member *m, size_t held, vg_unpack_item *it)
{
	struct level *L = &u->lv[lv];
	mr->head = held;
	if (u->cb->stream_begin)
		u->cb->stream_begin(u->cb->ctx);
	vg_blob hb = vg_blob_mem(L->buf, held);
	const char *name = it->chain[lv];
	if (u->detect(&hb, L->buf, held < HEAD ? held : HEAD, name)) {
		if (lv >= u->lim.max_depth) {
			/* reported after the read, as for a whole member */
		} else if (m->size != VG_SIZE_UNKNOWN &&
			   m->size > u->budget - (u->st.bytes_expanded < u->budget
							  ? u->st.bytes_expanded
							  : u->budget)) {
			snprintf(mr->detail, sizeof mr->detail,
				 "a container of %llu bytes, too large to hold, exceeds the expansion budget left: not opened",
				 (unsigned long long)m->size);
			it->status = VG_UNPACK_LIMIT;
			it->limit = VG_LIMIT_SPILL;
			it->detail = mr->detail;
		} else if ((mr->fd = spill_open(mr->detail, sizeof mr->detail)) < 0) {
			it->status = VG_UNPACK_LIMIT;
			it->limit = VG_LIMIT_SPILL;
			it->detail = mr->detail;
		}
	}
	stream_out(u, mr, L->buf, held, it);
}

/* Grow a level's buffer to hold need bytes, as vg_grow does (doubling),
 * with the bytes taken from the memory budget first: 1 grown, 0 out of
 * memory, -1 refused by the budget (the buffer is as it was). */
static int level_grow(vg_unpack *u, struct level *L, size_t need)
{
	if (need <= L->cap)
		return 1;
	size_t ncap = vg_grow_size(L->cap, need);
	if (!ncap)
		return 0;
	if (!vg_membudget_resize(u->lim.memory, L->cap, ncap, 0))
		return -1;
	uint8_t *nb = realloc(L->buf, ncap);
	if (!nb) {
		vg_membudget_resize(u->lim.memory, ncap, L->cap, 0);
		return 0;
	}
	L->buf = nb;
	L->cap = ncap;
	return 1;
}

/* Let go of the level buffers that hold bytes charged to the memory
 * budget (those over VG_MEMBUDGET_FREE), and give the bytes back: a
 * worker keeps nothing charged for members between files. */
static void trim_levels(vg_unpack *u)
{
	if (!u->lim.memory)
		return;
	for (unsigned i = 0; i <= VG_UNPACK_DEPTH_CAP; i++) {
		struct level *L = &u->lv[i];
		if (L->cap > VG_MEMBUDGET_FREE) {
			vg_membudget_resize(u->lim.memory, L->cap, 0, 0);
			free(L->buf);
			L->buf = NULL;
			L->cap = 0;
		}
	}
}

/* Read the current member of st into its level's buffer (or stream it).
 * Fills it->data/len/streamed/complete and, on failure, status. */
static void read_member(vg_unpack *u, const vg_container_ops *ops, void *st,
			unsigned lv, const vg_member *m, struct member_read *mr,
			vg_unpack_item *it)
{
	struct level *L = &u->lv[lv];
	uint64_t max_whole = u->lim.max_whole;
	size_t held = 0;
	uint64_t total = 0;
	int streaming = 0;
	int g = 1;
	if (m->size != VG_SIZE_UNKNOWN && m->size <= max_whole &&
	    (g = level_grow(u, L, (size_t)m->size + 1)) == 0) {
		u->oom = u->stop = 1;
		it->status = VG_UNPACK_DAMAGED;
		it->detail = "out of memory";
		return;
	}
	/* refused by the memory budget: held as far as the buffer goes */
	int refused = g < 0;
	for (;;) {
		uint8_t *dst;
		size_t cap;
		if (!streaming) {
			if (held == L->cap && held < max_whole) {
				size_t want = held + CHUNK;
				if (want > max_whole)
					want = (size_t)max_whole;
				/* refused: still the uncharged first bytes, so
				 * that a streamed member's head is there to
				 * tell whether it is a container */
				if (refused && want > VG_MEMBUDGET_FREE)
					want = L->cap < VG_MEMBUDGET_FREE ? VG_MEMBUDGET_FREE : 0;
				int gr = want > held ? level_grow(u, L, want) : 1;
				if (gr == 0) {
					u->oom = u->stop = 1;
					it->status = VG_UNPACK_DAMAGED;
					it->detail = "out of memory";
					return;
				}
				refused |= gr < 0;
			}
			if (held == max_whole || (held == L->cap && refused)) {
				if (held < max_whole)
					it->detail = "over the memory budget (--memory-limit): "
						     "streamed through the digests, not held for "
						     "the rules and checks";
				start_stream(u, lv, mr, m, held, it);
				streaming = 1;
				continue;
			}
			dst = L->buf + held;
			cap = L->cap - held;
			if (cap > max_whole - held)
				cap = (size_t)(max_whole - held);
			if (cap > CHUNK)
				cap = CHUNK;
		} else {
			dst = u->chunk;
			cap = CHUNK;
		}
		size_t got = 0;
		int r = ops->read(st, dst, cap, &got, mr->err);
		if (r == VG_C_END)
			break;
		if (r != VG_C_OK) {
			snprintf(mr->detail, sizeof mr->detail, "%s", mr->err);
			it->status = VG_UNPACK_DAMAGED;
			it->limit = VG_LIMIT_NONE;
			it->detail = mr->detail;
			mr->fatal = r == VG_C_FATAL;
			return;
		}
		if (got > cap)
			got = cap; /* a reader's bug must not overrun us */
		total += got;
		if (over_budget(u, got)) {
			u->stop = 1;
			it->status = VG_UNPACK_LIMIT;
			it->limit = u->budget_kind;
			snprintf(mr->detail, sizeof mr->detail,
				 u->budget_kind == VG_LIMIT_RATIO
					 ? "expanded more than %llu bytes, the ratio limit for this file: the rest of the file not read"
					 : "expanded more than %llu bytes from one file: the rest of the file not read",
				 (unsigned long long)u->budget);
			it->detail = mr->detail;
			return;
		}
		if (total > u->lim.max_member_size) {
			it->status = VG_UNPACK_LIMIT;
			it->limit = VG_LIMIT_MEMBER_SIZE;
			snprintf(mr->detail, sizeof mr->detail,
				 "member larger than %llu bytes: not read to its end",
				 (unsigned long long)u->lim.max_member_size);
			it->detail = mr->detail;
			return;
		}
		if (streaming)
			stream_out(u, mr, dst, got, it);
		else
			held += got;
	}
	if (m->size != VG_SIZE_UNKNOWN && total < m->size) {
		snprintf(mr->detail, sizeof mr->detail,
			 "truncated member: %llu of %llu bytes",
			 (unsigned long long)total, (unsigned long long)m->size);
		it->status = VG_UNPACK_DAMAGED;
		it->detail = mr->detail;
		return;
	}
	it->complete = 1;
	if (!streaming) {
		it->data = L->buf ? L->buf : (const uint8_t *)"";
		it->len = held;
	}
}

static vg_unpack_status status_of_type(vg_member_type t)
{
	switch (t) {
	case VG_MEMBER_SYMLINK:
		return VG_UNPACK_SYMLINK;
	case VG_MEMBER_HARDLINK:
		return VG_UNPACK_HARDLINK;
	default:
		return VG_UNPACK_DEVICE;
	}
}

/* One member listed at level lv: read it, report it, nest into it. */
static void member(vg_unpack *u, const vg_container_ops *ops, void *st,
		   unsigned lv, const vg_member *m, int *fatal)
{
	struct member_read mr = {.fd = -1};
	char detail[VG_C_ERRLEN + 64];
	vg_unpack_item it = {
		.chain = u->chain, .chain_len = lv + 1, .path = display(u, lv),
		.member = m, .format = ops->format, .depth = lv,
	};
	if (m->type == VG_MEMBER_DIR)
		return; /* listed and counted; a directory has no bytes */
	if (m->type != VG_MEMBER_FILE) {
		it.status = status_of_type(m->type);
		snprintf(detail, sizeof detail, "%s%s%s",
			 m->type == VG_MEMBER_SYMLINK ? "symbolic link"
			 : m->type == VG_MEMBER_HARDLINK ? "hard link"
			 : m->type == VG_MEMBER_DEVICE ? "device, FIFO or socket"
						       : "not a regular file",
			 m->link ? " to " : "", m->link ? m->link : "");
		it.detail = detail;
		emit(u, &it);
		return;
	}
	if (m->encrypted) {
		it.status = VG_UNPACK_ENCRYPTED;
		it.detail = "encrypted member: not read";
		emit(u, &it);
		return;
	}
	if (m->unreadable) {
		it.status = VG_UNPACK_UNREADABLE;
		it.detail = m->unreadable;
		emit(u, &it);
		return;
	}
	if (m->size != VG_SIZE_UNKNOWN && m->size > u->lim.max_member_size) {
		it.status = VG_UNPACK_LIMIT;
		it.limit = VG_LIMIT_MEMBER_SIZE;
		snprintf(detail, sizeof detail,
			 "member of %llu bytes, larger than %llu: not read",
			 (unsigned long long)m->size,
			 (unsigned long long)u->lim.max_member_size);
		it.detail = detail;
		emit(u, &it);
		return;
	}
	read_member(u, ops, st, lv, m, &mr, &it);
	*fatal = mr.fatal;
	const vg_container_ops *inner = NULL;
	vg_blob nb = {0};
	if (it.complete && it.status == VG_UNPACK_OK) {
		if (it.data) {
			nb = vg_blob_mem(it.data, it.len);
			inner = u->detect(&nb, it.data,
						    it.len < HEAD ? it.len : HEAD,
						    u->chain[lv]);
		} else {
			/* streamed: its first bytes are still in the buffer;
			 * opened from the spill (none at max_depth, where the
			 * record below says why it is not opened) */
			size_t hn = mr.head < HEAD ? mr.head : HEAD;
			nb = vg_blob_mem(u->lv[lv].buf, hn);
			if (mr.fd >= 0) {
				nb.mem = NULL;
				nb.fd = mr.fd;
				nb.size = it.streamed;
			}
			inner = u->detect(&nb, u->lv[lv].buf, hn, u->chain[lv]);
			if (inner && mr.fd < 0 && lv < u->lim.max_depth)
				inner = NULL; /* cannot happen: no spill is a limit */
		}
		if (inner && lv >= u->lim.max_depth) {
			inner = NULL;
			it.status = VG_UNPACK_LIMIT;
			it.limit = VG_LIMIT_DEPTH;
			snprintf(detail, sizeof detail,
				 "a container nested deeper than %u levels: not opened",
				 u->lim.max_depth);
			it.detail = detail;
		}
	}
	it.container = inner != NULL;
	emit(u, &it);
	if (inner && !u->stop)
		walk(u, inner, &nb, lv);
	if (mr.fd >= 0)
		close(mr.fd);
}

/* Walk the container src at level lv (its display path and chain are
 * set up to lv). */
static void walk(vg_unpack *u, const vg_container_ops *ops,
		 const vg_blob *src, unsigned lv)
{
	char err[VG_C_ERRLEN] = "";
	char detail[VG_C_ERRLEN + 128];
	void *st = ops->open(src, err);
	if (!st) {
		snprintf(detail, sizeof detail, "%s container: %s", ops->format,
			 err[0] ? err : "cannot be opened");
		container_record(u, lv, ops->format, VG_UNPACK_BROKEN,
				 VG_LIMIT_NONE, detail);
		return;
	}
	u->st.containers++;
	uint64_t listed = 0;
	unsigned damaged_run = 0;
	char last[128] = "";
	while (!u->stop) {
		vg_member m;
		memset(&m, 0, sizeof m);
		err[0] = '\0';
		int r = ops->next(st, &m, err);
		if (r == VG_C_END)
			break;
		if (r == VG_C_FATAL) {
			snprintf(detail, sizeof detail, "%s%s%s%s", err[0] ? err : "damaged container",
				 last[0] ? " (after member '" : "", last,
				 last[0] ? "')" : "");
			container_record(u, lv, ops->format, VG_UNPACK_BROKEN,
					 VG_LIMIT_NONE, detail);
			break;
		}
		if (++listed > u->lim.max_members) {
			snprintf(detail, sizeof detail,
				 "more than %llu members: the rest not read",
				 (unsigned long long)u->lim.max_members);
			container_record(u, lv, ops->format, VG_UNPACK_LIMIT,
					 VG_LIMIT_MEMBERS, detail);
			break;
		}
		u->st.members++;
		const char *name = m.name ? m.name : "";
		if (m.nameless && !(name = derived_name(u, lv + 1))) {
			out_of_memory(u, lv, ops->format);
			break;
		}
		u->chain[lv + 1] = name;
		if (!set_display(u, lv + 1, name)) {
			out_of_memory(u, lv, ops->format);
			break;
		}
		snprintf(last, sizeof last, "%s", name);
		if (r == VG_C_DAMAGED) {
			vg_unpack_item it = {
				.chain = u->chain, .chain_len = lv + 2,
				.path = display(u, lv + 1), .member = &m,
				.format = ops->format, .depth = lv + 1,
				.status = VG_UNPACK_DAMAGED,
				.detail = err[0] ? err : "damaged member header",
			};
			emit(u, &it);
			if (++damaged_run >= MAX_DAMAGED_RUN) {
				snprintf(detail, sizeof detail,
					 "%u damaged members in a row: the rest not read",
					 (unsigned)MAX_DAMAGED_RUN);
				container_record(u, lv, ops->format, VG_UNPACK_BROKEN,
						 VG_LIMIT_NONE, detail);
				break;
			}
			continue;
		}
		damaged_run = 0;
		int fatal = 0;
		member(u, ops, st, lv + 1, &m, &fatal);
		if (fatal)
			break; /* the member's record said why */
	}
	ops->close(st);
}

int vg_unpack_run(vg_unpack *u, const vg_blob *src, const uint8_t *head,
		  size_t n, const char *path, const vg_unpack_cb *cb,
		  vg_unpack_stats *st)
{
	if (!head) {
		size_t got = 0;
		if (src->mem) {
			head = src->mem;
			n = src->size < HEAD ? (size_t)src->size : HEAD;
		} else if (vg_blob_pread(src, u->head, HEAD, 0, &got) == 0) {
			head = u->head;
			n = got;
		} else {
			return 0;
		}
	}
	const vg_container_ops *ops = u->detect(src, head, n, path);
	if (!ops)
		return 0;
	memset(&u->st, 0, sizeof u->st);
	u->cb = cb;
	u->stop = u->oom = 0;
	u->chain[0] = path;
	size_t pl = strlen(path);
	if (!vg_grow(&u->disp, &u->dcap, pl + 1, 1))
		return -1;
	memcpy(u->disp, path, pl + 1);
	u->lv[0].dlen = pl;
	/* the budget: the smaller of the absolute cap and the ratio's
	 * allowance (never below its floor) */
	uint64_t by_ratio = src->size && u->lim.max_ratio > UINT64_MAX / src->size
				    ? UINT64_MAX
				    : src->size * u->lim.max_ratio;
	if (by_ratio < u->lim.ratio_floor)
		by_ratio = u->lim.ratio_floor;
	u->budget = u->lim.max_expanded;
	u->budget_kind = VG_LIMIT_EXPANDED;
	if (by_ratio < u->budget) {
		u->budget = by_ratio;
		u->budget_kind = VG_LIMIT_RATIO;
	}
	walk(u, ops, src, 0);
	trim_levels(u);
	if (st) {
		st->containers += u->st.containers;
		st->members += u->st.members;
		st->bytes_expanded += u->st.bytes_expanded;
		st->limit_hits += u->st.limit_hits;
		st->damaged += u->st.damaged;
	}
	return u->oom ? -1 : 1;
}
