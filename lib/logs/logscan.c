/*
 * The log scanner (see include/vigil/logs.h): splits a byte source into
 * lines in one fixed buffer (a line longer than the cap is skipped and
 * reported, never grown into), picks the format per file, hands each line
 * to its parser and turns matches into hits. Time stamps and clients are
 * parsed only for lines that hit.
 */
#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logs/logs_internal.h"
#include "source/logsource.h"
#include "source/readfile.h"
#include "base/util.h"
#include "source/walk.h"

#define DEFAULT_MAX_LINE (1u << 20)
#define MIN_MAX_LINE 256
#define READ_CHUNK (1u << 20)
/* malformed or overlong lines reported per file before going quiet */
#define MAX_REPORTS 10
/* lines looked at to detect a format before settling on generic */
#define DETECT_LINES 32

struct vigil_logscan {
	const vigil_netmatch *m;
	vigil_loghit_fn fn;
	void *ctx;
	vigil_diag_fn diag;
	void *diag_ctx;
	size_t max_line;
	int year;
	int follow;      /* follow symlinks named or found by the walk */
	vigil_logstats st;
	uint8_t *buf;
	size_t bufcap;
	atomic_int stopped; /* vigil_logscan_stop: read no more */
};

static const char *const fmt_names[VIGIL_LOG_FORMAT_COUNT] = {
	"auto", "zeek", "json", "bind", "dnsmasq", "squid", "windns", "generic",
};

const char *vigil_logfmt_name(vigil_logfmt fmt)
{
	return fmt < VIGIL_LOG_FORMAT_COUNT ? fmt_names[fmt] : "unknown";
}

int vigil_logfmt_parse(const char *name, vigil_logfmt *out)
{
	for (int i = 0; i < VIGIL_LOG_FORMAT_COUNT; i++)
		if (strcmp(name, fmt_names[i]) == 0) {
			*out = (vigil_logfmt)i;
			return 0;
		}
	return -1;
}

vigil_logscan *vigil_logscan_create(const vigil_netmatch *m)
{
	vigil_logscan *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->m = m;
	s->max_line = DEFAULT_MAX_LINE;
	return s;
}

void vigil_logscan_set_callback(vigil_logscan *s, vigil_loghit_fn fn, void *ctx)
{
	s->fn = fn;
	s->ctx = ctx;
}

void vigil_logscan_destroy(vigil_logscan *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s);
}

void vigil_logscan_set_diag(vigil_logscan *s, vigil_diag_fn fn, void *ctx)
{
	s->diag = fn;
	s->diag_ctx = ctx;
}

void vigil_logscan_set_max_line(vigil_logscan *s, size_t max)
{
	if (max < MIN_MAX_LINE)
		max = MIN_MAX_LINE;
	if (max > ((size_t)1 << 30))
		max = (size_t)1 << 30;
	s->max_line = max;
	free(s->buf);
	s->buf = NULL;
}

void vigil_logscan_set_year(vigil_logscan *s, int year)
{
	s->year = year;
}

void vigil_logscan_set_follow_symlinks(vigil_logscan *s, int follow)
{
	s->follow = follow != 0;
}

void vigil_logscan_stats(const vigil_logscan *s, vigil_logstats *out)
{
	*out = s->st;
}

void vigil_logscan_stop(vigil_logscan *s)
{
	atomic_store(&s->stopped, 1);
}

/* Stopped: say so in the counts (once read, nothing more is). */
static int stopped(vigil_logscan *s)
{
	if (!atomic_load(&s->stopped))
		return 0;
	s->st.interrupted = 1;
	return 1;
}

static int parse_line(struct vg_logctx *c, vigil_logfmt fmt, const char *l,
		      size_t n)
{
	switch (fmt) {
	case VIGIL_LOG_ZEEK:
		return vg_logfmt_zeek(c, l, n);
	case VIGIL_LOG_JSON:
		return vg_logfmt_json(c, l, n);
	case VIGIL_LOG_BIND:
		return vg_logfmt_bind(c, l, n);
	case VIGIL_LOG_DNSMASQ:
		return vg_logfmt_dnsmasq(c, l, n);
	case VIGIL_LOG_SQUID:
		return vg_logfmt_squid(c, l, n);
	case VIGIL_LOG_WINDNS:
		return vg_logfmt_windns(c, l, n);
	default:
		return vg_logfmt_generic(c, l, n);
	}
}

struct file_state {
	struct vg_logctx c;
	vigil_logfmt forced;
	unsigned detect_left;
	unsigned reports;
	int status;
};

static void report_line(vigil_logscan *s, struct file_state *f, const char *what)
{
	if (f->status < VIGIL_WARN)
		f->status = VIGIL_WARN;
	if (f->reports < MAX_REPORTS)
		vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_WARNING, f->c.file, f->c.line,
			"%s", what);
	else if (f->reports == MAX_REPORTS)
		vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_WARNING, f->c.file, f->c.line,
			"further bad lines in this file are counted, not reported");
	f->reports++;
}

static void too_long(vigil_logscan *s, struct file_state *f)
{
	char msg[80];
	s->st.too_long++;
	snprintf(msg, sizeof msg, "line longer than %zu bytes, skipped", s->max_line);
	report_line(s, f, msg);
}

static void one_line(vigil_logscan *s, struct file_state *f, const char *l, size_t n)
{
	struct vg_logctx *c = &f->c;
	c->line++;
	s->st.lines++;
	if (n && l[n - 1] == '\r')
		n--;
	if (c->line == 1 && n >= 3 && memcmp(l, "\xEF\xBB\xBF", 3) == 0) {
		l += 3; /* a UTF-8 byte order mark is not part of the first line */
		n -= 3;
	}
	if (n == 0)
		return;
	if (c->fmt == VIGIL_LOG_AUTO && f->detect_left) {
		vigil_logfmt g = vg_logfmt_guess(l, n);
		if (g != VIGIL_LOG_AUTO)
			c->fmt = g;
		else if (--f->detect_left == 0)
			c->fmt = VIGIL_LOG_GENERIC;
	}
	vigil_logfmt fmt = c->fmt == VIGIL_LOG_AUTO ? VIGIL_LOG_GENERIC : c->fmt;
	c->ts_kind = VG_TS_NONE;
	c->client = NULL;
	c->client_len = 0;
	c->nseen = 0;
	if (parse_line(c, fmt, l, n) != 0) {
		s->st.malformed++;
		char msg[64];
		snprintf(msg, sizeof msg, "malformed %s line, searched as text",
			 vigil_logfmt_name(fmt));
		report_line(s, f, msg);
		if (fmt != VIGIL_LOG_GENERIC) {
			/* mixed content: no indicator is lost, it is still
			 * searched for as text */
			c->ts_kind = VG_TS_GUESS;
			c->ts = l;
			c->ts_len = n;
			c->client = NULL;
			c->client_len = 0;
			vigil_logfmt keep = c->fmt;
			c->fmt = VIGIL_LOG_GENERIC;
			vg_logfmt_generic(c, l, n);
			c->fmt = keep;
		}
	}
}

static int default_year(int fd)
{
	struct stat st;
	time_t t = fd >= 0 && fstat(fd, &st) == 0 ? st.st_mtime : time(NULL);
	struct tm tm;
	if (!gmtime_r(&t, &tm))
		return 1970;
	return tm.tm_year + 1900;
}

static int scan_source(vigil_logscan *s, const char *name, int fd,
		       const void *mem, size_t len, vigil_logfmt fmt)
{
	if (!s->buf) {
		s->bufcap = s->max_line + READ_CHUNK;
		if (!(s->buf = malloc(s->bufcap)))
			return VIGIL_FATAL;
	}
	vg_logsource *src = vg_logsource_open(fd, mem, len);
	if (!src)
		return VIGIL_FATAL;
	struct file_state f = {.forced = fmt, .detect_left = DETECT_LINES};
	f.c.on_hit = s->fn;
	f.c.hit_ctx = s->ctx;
	f.c.hits = &s->st.hits;
	f.c.diag = s->diag;
	f.c.diag_ctx = s->diag_ctx;
	f.c.m = s->m;
	f.c.file = name;
	f.c.fmt = fmt;
	f.c.year = s->year ? s->year : default_year(fd);
	f.c.want_dom = vigil_netmatch_count(s->m, VIGIL_IOC_DOMAIN) > 0;
	f.c.want_ip = vigil_netmatch_count(s->m, VIGIL_IOC_IPV4) +
			      vigil_netmatch_count(s->m, VIGIL_IOC_IPV6) > 0;
	f.c.want_url = vigil_netmatch_count(s->m, VIGIL_IOC_URL) > 0;
	s->st.files++;

	char *buf = (char *)s->buf;
	size_t start = 0, end = 0, scanned = 0;
	int skipping = 0; /* inside a line longer than the cap */
	for (;;) {
		if (stopped(s))
			break; /* the lines read so far are searched, no more */
		if (start == end)
			start = end = scanned = 0;
		if (s->bufcap - end < READ_CHUNK / 2 && start > 0) {
			memmove(buf, buf + start, end - start);
			end -= start;
			scanned -= start;
			start = 0;
		}
		long got = vg_logsource_read(src, s->buf + end, s->bufcap - end);
		if (got < 0) {
			vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_ERROR, name,
				f.c.line + 1, "%s", vg_logsource_error(src));
			f.status = VIGIL_FAILED;
			s->st.files_failed++;
			s->st.files_unreadable += vg_logsource_unsupported(src) != 0;
			break;
		}
		if (got == 0) {
			if (end > start && !skipping)
				one_line(s, &f, buf + start, end - start);
			else if (skipping)
				f.c.line++, s->st.lines++;
			break;
		}
		s->st.bytes += (uint64_t)got;
		end += (size_t)got;
		for (;;) {
			char *nl = memchr(buf + scanned, '\n', end - scanned);
			if (!nl)
				break;
			size_t stop = (size_t)(nl - buf);
			if (skipping) {
				skipping = 0;
				f.c.line++;
				s->st.lines++;
			} else if (stop - start > s->max_line) {
				/* whole in the buffer, but over the cap all the same:
				 * the result must not depend on where reads end */
				f.c.line++;
				s->st.lines++;
				too_long(s, &f);
			} else {
				one_line(s, &f, buf + start, stop - start);
			}
			start = scanned = stop + 1;
		}
		scanned = end;
		if (end - start > s->max_line || (skipping && end > start)) {
			if (!skipping) {
				/* the line being skipped is the next one */
				f.c.line++;
				too_long(s, &f);
				f.c.line--;
				skipping = 1;
			}
			start = end = scanned = 0;
		}
	}
	vg_logsource_close(src);
	return f.status;
}

int vigil_logscan_buffer(vigil_logscan *s, const char *name, const void *buf,
			 size_t len, vigil_logfmt fmt)
{
	return scan_source(s, name, -1, buf, len, fmt);
}

/*
 * A file named by path, or found by the walk: name in the open directory
 * dir. Both are opened alike (vg_open_regular): relative to the directory
 * when there is one, without following a symlink unless asked, and only a
 * regular file is opened for reading at all, so that a FIFO cannot block
 * the run and a device is never opened, whether it was there when named or
 * swapped in after the listing. A path named that cannot be read at all is
 * also counted as unreadable (nothing searched: an error for the exit
 * status, as grep has it).
 */
static int scan_file(vigil_logscan *s, vg_dir *dir, const char *name,
		     const char *path, vigil_logfmt fmt)
{
	if (!dir && strcmp(path, "-") == 0)
		return scan_source(s, path, STDIN_FILENO, NULL, 0, fmt);
	struct stat st;
	vigil_skip skip;
	int e;
	int fd = vg_open_regular(dir, name, path, s->follow, &st, &skip, &e);
	if (fd < 0) {
		const char *why;
		if (e == ELOOP && !s->follow)
			why = dir ? "it became a symbolic link since it was listed"
				  : "a symbolic link, not followed (--follow-symlinks reads it)";
		else if (e)
			why = strerror(e);
		else
			why = dir ? "no longer a regular file since it was listed"
				  : "not a regular file (FIFOs, devices and sockets are not "
				    "opened; give a pipe as '-')";
		vg_diag(s->diag, s->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to open: %s", why);
		s->st.files_failed++;
		if (!dir)
			s->st.files_unreadable++;
		return VIGIL_FAILED;
	}
	int rc = scan_source(s, path, fd, NULL, 0, fmt);
	close(fd);
	return rc;
}

struct walk_ctx {
	vigil_logscan *s;
	vigil_logfmt fmt;
	int status;
};

static int walk_file(void *ctx, vg_dir *dir, const char *name, char *path)
{
	struct walk_ctx *w = ctx;
	if (stopped(w->s)) {
		vg_dir_unref(dir);
		free(path);
		return 1;
	}
	int rc = scan_file(w->s, dir, name, path, w->fmt);
	vg_dir_unref(dir);
	free(path);
	if (rc > w->status)
		w->status = rc;
	return rc == VIGIL_FATAL;
}

static void walk_event(void *ctx, const char *path, vigil_skip skip,
		       vigil_error err, int errnum)
{
	struct walk_ctx *w = ctx;
	if (err == VIGIL_ERR_NONE) {
		if (skip == VIGIL_SKIP_SYMLINK || skip == VIGIL_SKIP_SPECIAL)
			vg_diag(w->s->diag, w->s->diag_ctx, VIGIL_DIAG_INFO, path, 0,
				"%s, skipped",
				skip == VIGIL_SKIP_SYMLINK
					? "symbolic link (--follow-symlinks reads it)"
					: "not a regular file");
		return;
	}
	vg_diag(w->s->diag, w->s->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
		"unable to read: %s", errnum ? strerror(errnum) : "walk error");
	w->s->st.files_failed++;
	if (w->status < VIGIL_FAILED)
		w->status = VIGIL_FAILED;
}

static void walk_dir(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

static void walk_excluded(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
}

int vigil_logscan_path(vigil_logscan *s, const char *path, vigil_logfmt fmt)
{
	struct stat st;
	/* a symlink to a directory is not followed either, unless asked */
	if (strcmp(path, "-") != 0 &&
	    (s->follow ? stat(path, &st) : lstat(path, &st)) == 0 && S_ISDIR(st.st_mode)) {
		struct walk_ctx w = {s, fmt, VIGIL_OK};
		vg_walk_opts opt = {.follow_symlinks = s->follow};
		vg_walk_cb cb = {.file = walk_file, .dir = walk_dir, .event = walk_event,
				 .excluded = walk_excluded, .ctx = &w};
		if (vg_walk(path, &opt, &cb) == VIGIL_FATAL)
			return VIGIL_FATAL;
		return w.status;
	}
	return scan_file(s, NULL, path, path, fmt);
}
