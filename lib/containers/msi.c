/*
 * MSI installers and other OLE2 compound files (container.h readers "msi"
 * and "ole2"). libgsf reads the compound file from memory or from the
 * source's descriptor; containers/msi_tables.c parses the installer
 * database (string pool, _Tables, _Columns, File, Component, Directory,
 * Media); libarchive reads the embedded cabinets from the stream, inside
 * this reader. Members, in order:
 *
 *  1. per stream of the compound file (table streams left out), either the
 *     files of an embedded cabinet (a stream the Media table names "#cab",
 *     or any stream starting with "MSCF"), named by their installed path
 *     (File → Component → Directory chain, long names, the root dropped),
 *     or the stream itself, named "Table/Key" for a stream of a table row
 *     (Binary/CustomActionDll) and by its decoded name otherwise;
 *  2. per external cabinet of the Media table: a member with unreadable
 *     "external cabinet";
 *  3. per File row that belongs to an embedded cabinet and was not in it:
 *     VG_C_DAMAGED.
 * A damaged table is reported once (VG_C_DAMAGED) and the streams are
 * still yielded; cabinet members then keep their cabinet names.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <gsf/gsf.h>

#include "containers/container.h"
#include "containers/msi_tables.h"

#define MSI_MAX_STREAMS 65536    /* streams and storages walked */
#define MSI_MAX_DEPTH 16         /* nested storages */
#define MSI_MAX_TABLE (256u << 20) /* bytes of one table stream read */
#define MSI_MAX_DIR_DEPTH 64     /* Directory_Parent steps */
#define MSI_NAME_MAX 4096        /* bytes of a member name */
#define MSI_MAX_NOTES 16
#define MSI_CAB_BUF 65536

typedef struct msi_stream {
	GsfInfile *dir; /* the storage holding it (ref held) */
	int idx;
	char *name;     /* decoded, with the storage path */
	int table;      /* a table stream (not yielded) */
} msi_stream;

typedef struct msi_key {
	const char *key;
	uint32_t row;
} msi_key;

typedef struct msi_file {
	const char *key;  /* File table key = name in the cabinet */
	char *path;       /* installed path, or NULL when unresolved */
	int32_t seq;
	int seen;
} msi_file;

typedef struct msi_media {
	const char *cab;  /* without the '#' */
	int embedded;
	int32_t last_seq;
	int found;        /* the embedded stream was there */
} msi_media;

typedef struct msi_state {
	vg_blob src;
	int msi;
	GsfInput *input;
	GsfInfile *ole;
	msi_stream *streams;
	size_t nstreams, cap, next_stream;
	/* the database */
	vg_msi_strings strings;
	uint8_t *tbl_tables, *tbl_columns, *tbl_file, *tbl_comp, *tbl_dir,
		*tbl_media;
	uint32_t *table_ids, ntables;
	msi_file *files;
	size_t nfiles;
	msi_media *media;
	size_t nmedia, next_media;
	size_t next_missing;
	char *notes[MSI_MAX_NOTES];
	size_t nnotes, next_note;
	/* the current member */
	GsfInput *cur;       /* a stream member, or the cabinet's stream */
	uint64_t cur_left;
	struct archive *cab;
	const char *cab_name;
	int in_cab_entry;
	uint8_t cab_buf[MSI_CAB_BUF];
	char name[MSI_NAME_MAX];
} msi_state;

/* ---- probing ---- */

static const uint8_t ole_magic[8] = {0xd0, 0xcf, 0x11, 0xe0,
				     0xa1, 0xb1, 0x1a, 0xe1};

/* The root entry's CLSID: {000C1084-...} installer, 1086 patch, 1082
 * transform. */
static int msi_clsid(const uint8_t c[16])
{
	static const uint8_t tail[12] = {0x00, 0x00, 0x00, 0x00, 0xc0, 0x00,
					 0x00, 0x00, 0x00, 0x00, 0x00, 0x46};
	return (c[0] == 0x84 || c[0] == 0x86 || c[0] == 0x82) && c[1] == 0x10 &&
	       c[2] == 0x0c && c[3] == 0x00 && !memcmp(c + 4, tail, 12);
}

static int name_ends(const char *name, const char *ext)
{
	size_t n = name ? strlen(name) : 0, e = strlen(ext);
	return n > e && !strcasecmp(name + n - e, ext);
}

static int looks_msi(const vg_blob *src, const uint8_t *head, size_t n,
		     const char *name)
{
	if (n < 0x34)
		return 0;
	unsigned shift = head[0x1e] | head[0x1f] << 8;
	uint32_t dir = (uint32_t)head[0x30] | (uint32_t)head[0x31] << 8 |
		       (uint32_t)head[0x32] << 16 | (uint32_t)head[0x33] << 24;
	if ((shift == 9 || shift == 12) && dir < 0xfffffffau) {
		uint64_t off = ((uint64_t)dir + 1) << shift;
		uint8_t c[16];
		size_t got = 0;
		if (!vg_blob_pread(src, c, 16, off + 0x50, &got) && got == 16 &&
		    msi_clsid(c))
			return 1;
	}
	return name_ends(name, ".msi") || name_ends(name, ".msp") ||
	       name_ends(name, ".mst");
}

static int probe_msi(const vg_blob *src, const uint8_t *head, size_t n,
		     const char *name)
{
	return n >= 8 && !memcmp(head, ole_magic, 8) &&
	       looks_msi(src, head, n, name);
}

static int probe_ole2(const vg_blob *src, const uint8_t *head, size_t n,
		      const char *name)
{
	return n >= 8 && !memcmp(head, ole_magic, 8) &&
	       !looks_msi(src, head, n, name);
}

/* ---- libgsf ---- */

/* libgsf reports damage through g_warning (its infile code in GLib's
 * default domain); the library never prints, and the reader says what
 * went wrong itself. vigil itself does not use GLib's logging. */
static void gsf_quiet(const gchar *domain, GLogLevelFlags level,
		      const gchar *msg, gpointer data)
{
}

static pthread_once_t gsf_once = PTHREAD_ONCE_INIT;

static void gsf_setup(void)
{
	static const char *const domains[] = {NULL, "libgsf", "libgsf:msole",
					      "libgsf:input"};
	GLogLevelFlags lv = G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
			    G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG |
			    G_LOG_LEVEL_CRITICAL;
	for (size_t i = 0; i < sizeof domains / sizeof *domains; i++)
		g_log_set_handler(domains[i], lv, gsf_quiet, NULL);
}

static GsfInput *gsf_from_blob(const vg_blob *src, char *err)
{
	if (src->mem)
		return gsf_input_memory_new(src->mem, (gsf_off_t)src->size, FALSE);
	int fd = dup(src->fd);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
	if (!f) {
		if (fd >= 0)
			close(fd);
		snprintf(err, VG_C_ERRLEN, "cannot reopen the source");
		return NULL;
	}
	/* the duplicate shares the file offset with the caller's descriptor,
	 * which its last user may have left anywhere */
	rewind(f);
	GsfInput *in = gsf_input_stdio_new_FILE("source", f, FALSE);
	if (!in) {
		fclose(f);
		snprintf(err, VG_C_ERRLEN, "cannot read the source");
	}
	return in;
}

__attribute__((format(printf, 2, 3)))
static void note(msi_state *s, const char *fmt, ...)
{
	if (s->nnotes >= MSI_MAX_NOTES)
		return;
	char buf[VG_C_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	s->notes[s->nnotes] = strdup(buf);
	if (s->notes[s->nnotes])
		s->nnotes++;
}

/* The display name of a stream: MSI names decoded, the storage path
 * before it. */
static int stream_name(msi_state *s, const char *prefix, const char *raw,
		       char *out, size_t cap, int *table)
{
	*table = 0;
	char dec[MSI_NAME_MAX];
	const char *nm = raw ? raw : "";
	if (s->msi && raw && g_utf8_validate(raw, -1, NULL)) {
		glong n = 0;
		gunichar *cp = g_utf8_to_ucs4_fast(raw, -1, &n);
		int bad = vg_msi_decode_name(cp, (size_t)n, dec, sizeof dec, table);
		g_free(cp);
		if (bad)
			return -1;
		nm = dec;
	}
	int w = snprintf(out, cap, "%s%s%s", prefix, *prefix ? "/" : "", nm);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

static int walk(msi_state *s, GsfInfile *dir, const char *prefix, int depth)
{
	int n = gsf_infile_num_children(dir);
	for (int i = 0; i < n; i++) {
		if (s->nstreams >= MSI_MAX_STREAMS)
			return -1;
		char name[MSI_NAME_MAX];
		int table;
		if (stream_name(s, prefix, gsf_infile_name_by_index(dir, i), name,
				sizeof name, &table)) {
			note(s, "a stream name longer than %d bytes: the stream is not read",
			     MSI_NAME_MAX);
			continue;
		}
		GsfInput *child = gsf_infile_child_by_index(dir, i);
		if (!child) {
			/* its sector chain is broken: said, not silently left out */
			note(s, "stream '%.200s' cannot be read (its sectors are damaged)",
			     name);
			continue;
		}
		if (GSF_IS_INFILE(child) &&
		    gsf_infile_num_children(GSF_INFILE(child)) >= 0) {
			if (depth < MSI_MAX_DEPTH)
				walk(s, GSF_INFILE(child), name, depth + 1);
			g_object_unref(child);
			continue;
		}
		g_object_unref(child);
		if (s->nstreams == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			msi_stream *ns = realloc(s->streams, cap * sizeof *ns);
			if (!ns)
				return -1;
			s->streams = ns;
			s->cap = cap;
		}
		msi_stream *st = &s->streams[s->nstreams];
		st->name = strdup(name);
		if (!st->name)
			return -1;
		st->dir = dir;
		g_object_ref(dir);
		st->idx = i;
		st->table = table && depth == 0;
		s->nstreams++;
	}
	return 0;
}

/* A whole stream of at most the source's size and MSI_MAX_TABLE bytes. */
static uint8_t *read_stream(msi_state *s, const msi_stream *st, size_t *len,
			    const char **why)
{
	GsfInput *in = gsf_infile_child_by_index(st->dir, st->idx);
	uint8_t *b = NULL;
	*len = 0;
	if (!in) {
		*why = "cannot be opened";
		return NULL;
	}
	gsf_off_t sz = gsf_input_size(in);
	if (sz < 0 || (uint64_t)sz > s->src.size || (uint64_t)sz > MSI_MAX_TABLE) {
		*why = "declares more bytes than the file holds";
	} else if (!(b = malloc(sz ? (size_t)sz : 1))) {
		*why = "is too large to read";
	} else if (sz && !gsf_input_read(in, (size_t)sz, b)) {
		*why = "is truncated";
		free(b);
		b = NULL;
	} else {
		*len = (size_t)sz;
	}
	g_object_unref(in);
	return b;
}

static const msi_stream *find_table(msi_state *s, const char *name)
{
	for (size_t i = 0; i < s->nstreams; i++)
		if (s->streams[i].table && !strcmp(s->streams[i].name, name))
			return &s->streams[i];
	return NULL;
}

/* Read table stream name into *buf; 1 when read, 0 when absent (noted
 * when required), -1 when damaged (noted). */
static int load_stream(msi_state *s, const char *name, uint8_t **buf,
		       size_t *len, int required)
{
	const msi_stream *st = find_table(s, name);
	const char *why = NULL;
	if (!st) {
		if (required)
			note(s, "table '%s' is missing", name);
		return 0;
	}
	*buf = read_stream(s, st, len, &why);
	if (!*buf) {
		note(s, "table '%s' %s", name, why);
		return -1;
	}
	return 1;
}

static int open_table(msi_state *s, vg_msi_table *t, const char *name,
		      uint8_t **buf, size_t ncols)
{
	size_t len = 0;
	if (load_stream(s, name, buf, &len, 1) != 1)
		return -1;
	char err[VG_C_ERRLEN];
	if (vg_msi_table_open(t, &s->strings, s->tbl_columns, ncols, name, *buf,
			      len, err, sizeof err)) {
		note(s, "%s", err);
		return -1;
	}
	if (t->partial)
		note(s, "table '%s' is not a whole number of rows", name);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const msi_key *)a)->key, ((const msi_key *)b)->key);
}

/* Sorted (key, row) pairs of a table's first column; NULL keys left out. */
static msi_key *key_index(msi_state *s, const vg_msi_table *t, int col,
			  size_t *n)
{
	msi_key *k = malloc((t->nrows ? t->nrows : 1) * sizeof *k);
	*n = 0;
	if (!k)
		return NULL;
	for (uint32_t r = 0; r < t->nrows; r++) {
		const char *v = vg_msi_cell_str(t, &s->strings, r, col);
		if (v)
			k[(*n)++] = (msi_key){v, r};
	}
	qsort(k, *n, sizeof *k, key_cmp);
	return k;
}

static const msi_key *key_find(const msi_key *k, size_t n, const char *key)
{
	msi_key probe = {key, 0};
	return key ? bsearch(&probe, k, n, sizeof *k, key_cmp) : NULL;
}

/* The long name of "short|long" (or of "target:source" in DefaultDir,
 * the target part) into out. */
static void long_name(const char *v, int dir, char *out, size_t cap)
{
	const char *end = dir ? strchr(v, ':') : NULL;
	size_t n = end ? (size_t)(end - v) : strlen(v);
	const char *bar = memchr(v, '|', n);
	if (bar) {
		n -= (size_t)(bar + 1 - v);
		v = bar + 1;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

typedef struct dir_ctx {
	const vg_msi_table *t;
	const msi_key *k;
	size_t nk;
	int c_parent, c_default;
} dir_ctx;

/* The installed directory of Directory key into out ("" for the root):
 * 0, or -1 when a key is missing, the chain is too long (or a cycle) or
 * the path too long. */
static int dir_path(msi_state *s, const dir_ctx *d, const char *key,
		    char *out, size_t cap)
{
	const char *parts[MSI_MAX_DIR_DEPTH];
	size_t np = 0;
	for (;;) {
		const msi_key *k = key_find(d->k, d->nk, key);
		if (!k)
			return -1;
		const char *parent = vg_msi_cell_str(d->t, &s->strings, k->row,
						     d->c_parent);
		if (!parent || !*parent || !strcmp(parent, key))
			break; /* the root (TARGETDIR, "SourceDir"): dropped */
		if (np == MSI_MAX_DIR_DEPTH)
			return -1;
		parts[np++] = vg_msi_cell_str(d->t, &s->strings, k->row,
					      d->c_default);
		key = parent;
	}
	size_t at = 0;
	out[0] = '\0';
	while (np--) {
		char nm[MSI_NAME_MAX];
		long_name(parts[np] ? parts[np] : "", 1, nm, sizeof nm);
		if (!*nm || !strcmp(nm, "."))
			continue;
		int w = snprintf(out + at, cap - at, "%s/", nm);
		if (w < 0 || (size_t)w >= cap - at)
			return -1;
		at += (size_t)w;
	}
	return 0;
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const msi_file *)a)->key, ((const msi_file *)b)->key);
}

static void load_files(msi_state *s, size_t ncols)
{
	vg_msi_table file, comp, dir;
	if (open_table(s, &file, "File", &s->tbl_file, ncols))
		return;
	int f_key = vg_msi_col(&file, "File"), f_comp = vg_msi_col(&file, "Component_"),
	    f_name = vg_msi_col(&file, "FileName"), f_seq = vg_msi_col(&file, "Sequence");
	if (f_key < 0 || f_name < 0) {
		note(s, "table 'File' lacks the File or FileName column");
		return;
	}
	int have_dirs = !open_table(s, &comp, "Component", &s->tbl_comp, ncols) &&
			!open_table(s, &dir, "Directory", &s->tbl_dir, ncols);
	size_t nck = 0, ndk = 0;
	msi_key *ck = NULL, *dk = NULL;
	int c_dir = -1;
	dir_ctx d = {0};
	if (have_dirs) {
		c_dir = vg_msi_col(&comp, "Directory_");
		ck = key_index(s, &comp, vg_msi_col(&comp, "Component"), &nck);
		dk = key_index(s, &dir, vg_msi_col(&dir, "Directory"), &ndk);
		d = (dir_ctx){&dir, dk, ndk, vg_msi_col(&dir, "Directory_Parent"),
			      vg_msi_col(&dir, "DefaultDir")};
	}
	s->files = calloc(file.nrows ? file.nrows : 1, sizeof *s->files);
	if (!s->files)
		goto out;
	int unresolved = 0;
	for (uint32_t r = 0; r < file.nrows; r++) {
		msi_file *f = &s->files[s->nfiles];
		f->key = vg_msi_cell_str(&file, &s->strings, r, f_key);
		if (!f->key)
			continue;
		if (!vg_msi_cell_int(&file, r, f_seq, &f->seq))
			f->seq = -1;
		const char *fn = vg_msi_cell_str(&file, &s->strings, r, f_name);
		const msi_key *c = have_dirs ? key_find(ck, nck,
			vg_msi_cell_str(&file, &s->strings, r, f_comp)) : NULL;
		const char *dkey = c ? vg_msi_cell_str(&comp, &s->strings, c->row,
						       c_dir) : NULL;
		char dp[MSI_NAME_MAX], nm[MSI_NAME_MAX];
		if (fn && dkey && !dir_path(s, &d, dkey, dp, sizeof dp)) {
			long_name(fn, 0, nm, sizeof nm);
			size_t need = strlen(dp) + strlen(nm) + 1;
			size_t ld = strlen(dp);
			if (need <= MSI_NAME_MAX && (f->path = malloc(need))) {
				memcpy(f->path, dp, ld);
				memcpy(f->path + ld, nm, need - ld);
			}
		}
		if (!f->path)
			unresolved++;
		s->nfiles++;
	}
	qsort(s->files, s->nfiles, sizeof *s->files, file_cmp);
	if (unresolved) {
		note(s, "%d file(s) of the File table have no installed path "
			"(Component or Directory row missing, or a loop)", unresolved);
	}
out:
	free(ck);
	free(dk);
}

static void load_media(msi_state *s, size_t ncols)
{
	vg_msi_table m;
	if (!find_table(s, "Media"))
		return; /* an installer without media holds no cabinet */
	if (open_table(s, &m, "Media", &s->tbl_media, ncols))
		return;
	int c_cab = vg_msi_col(&m, "Cabinet"), c_last = vg_msi_col(&m, "LastSequence");
	s->media = calloc(m.nrows ? m.nrows : 1, sizeof *s->media);
	if (!s->media)
		return;
	for (uint32_t r = 0; r < m.nrows; r++) {
		const char *cab = vg_msi_cell_str(&m, &s->strings, r, c_cab);
		if (!cab || !*cab)
			continue; /* files stored beside the installer */
		msi_media *md = &s->media[s->nmedia++];
		md->embedded = cab[0] == '#';
		md->cab = cab + md->embedded;
		if (!vg_msi_cell_int(&m, r, c_last, &md->last_seq))
			md->last_seq = -1;
	}
}

static void load_db(msi_state *s)
{
	uint8_t *pool = NULL, *data = NULL;
	size_t npool = 0, ndata = 0, ntab = 0, ncols = 0;
	char err[VG_C_ERRLEN];
	if (load_stream(s, "_StringPool", &pool, &npool, 1) != 1 ||
	    load_stream(s, "_StringData", &data, &ndata, 1) != 1)
		goto out;
	if (vg_msi_strings_parse(&s->strings, pool, npool, data, ndata, err,
				 sizeof err)) {
		note(s, "string pool: %s", err);
		goto out;
	}
	if (load_stream(s, "_Tables", &s->tbl_tables, &ntab, 1) != 1 ||
	    load_stream(s, "_Columns", &s->tbl_columns, &ncols, 1) != 1)
		goto out;
	if (vg_msi_table_names(&s->strings, s->tbl_tables, ntab, &s->table_ids,
			       &s->ntables, err, sizeof err)) {
		note(s, "%s", err);
		goto out;
	}
	load_files(s, ncols);
	load_media(s, ncols);
out:
	free(pool);
	free(data);
}

/* ---- open / close ---- */

static void msi_close(void *st)
{
	msi_state *s = st;
	if (!s)
		return;
	if (s->cab)
		archive_read_free(s->cab);
	if (s->cur)
		g_object_unref(s->cur);
	for (size_t i = 0; i < s->nstreams; i++) {
		free(s->streams[i].name);
		g_object_unref(s->streams[i].dir);
	}
	free(s->streams);
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i].path);
	free(s->files);
	free(s->media);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	vg_msi_strings_clear(&s->strings);
	free(s->table_ids);
	free(s->tbl_tables);
	free(s->tbl_columns);
	free(s->tbl_file);
	free(s->tbl_comp);
	free(s->tbl_dir);
	free(s->tbl_media);
	if (s->ole)
		g_object_unref(s->ole);
	if (s->input)
		g_object_unref(s->input);
	free(s);
}

/* The checks made before libgsf sees the bytes: libgsf 1.14.50 accepts a
 * compound file whose first directory entry is not the root and leaks the
 * entries it then drops (found by fuzz/fuzz_msi.c). 0, or -1 with err. */
static int precheck(const vg_blob *src, char *err)
{
	uint8_t h[0x34], e[0x43];
	size_t got = 0;
	if (vg_blob_pread(src, h, sizeof h, 0, &got) || got < sizeof h ||
	    memcmp(h, ole_magic, 8)) {
		snprintf(err, VG_C_ERRLEN, "not an OLE2 compound file (header too short)");
		return -1;
	}
	unsigned shift = h[0x1e] | h[0x1f] << 8;
	uint32_t dir = (uint32_t)h[0x30] | (uint32_t)h[0x31] << 8 |
		       (uint32_t)h[0x32] << 16 | (uint32_t)h[0x33] << 24;
	if (shift != 9 && shift != 12) {
		snprintf(err, VG_C_ERRLEN,
			 "not a readable OLE2 compound file: sector size 2^%u", shift);
		return -1;
	}
	uint64_t off = ((uint64_t)dir + 1) << shift;
	if (dir >= 0xfffffffau || vg_blob_pread(src, e, sizeof e, off, &got) ||
	    got < sizeof e) {
		snprintf(err, VG_C_ERRLEN,
			 "not a readable OLE2 compound file: the directory lies past the end");
		return -1;
	}
	if (e[0x42] != 5) {
		snprintf(err, VG_C_ERRLEN,
			 "not a readable OLE2 compound file: the first directory entry is not the root");
		return -1;
	}
	return 0;
}

static void *open_any(const vg_blob *src, int msi, char err[VG_C_ERRLEN])
{
	if (precheck(src, err))
		return NULL;
	pthread_once(&gsf_once, gsf_setup);
	msi_state *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, VG_C_ERRLEN, "out of memory");
		return NULL;
	}
	s->src = *src;
	s->msi = msi;
	if (!(s->input = gsf_from_blob(src, err))) {
		msi_close(s);
		return NULL;
	}
	GError *ge = NULL;
	s->ole = gsf_infile_msole_new(s->input, &ge);
	if (!s->ole) {
		snprintf(err, VG_C_ERRLEN, "not a readable OLE2 compound file: %s",
			 ge && ge->message ? ge->message : "libgsf refused it");
		if (ge)
			g_error_free(ge);
		msi_close(s);
		return NULL;
	}
	if (walk(s, s->ole, "", 0))
		note(s, "more than %d streams, or out of memory: the rest are not read",
		     MSI_MAX_STREAMS);
	if (msi)
		load_db(s);
	return s;
}

static void *open_msi(const vg_blob *src, char err[VG_C_ERRLEN])
{
	return open_any(src, 1, err);
}

static void *open_ole2(const vg_blob *src, char err[VG_C_ERRLEN])
{
	return open_any(src, 0, err);
}

/* ---- members ---- */

static void member_init(vg_member *m, const char *name, uint64_t size)
{
	memset(m, 0, sizeof *m);
	m->name = name;
	m->size = size;
	m->mtime = VG_MTIME_UNKNOWN;
	m->type = VG_MEMBER_FILE;
}

static void end_current(msi_state *s)
{
	if (s->cab) {
		archive_read_free(s->cab);
		s->cab = NULL;
	}
	if (s->cur) {
		g_object_unref(s->cur);
		s->cur = NULL;
	}
	s->in_cab_entry = 0;
	s->cur_left = 0;
}

static la_ssize_t cab_read(struct archive *a, void *ctx, const void **buf)
{
	msi_state *s = ctx;
	gsf_off_t left = gsf_input_remaining(s->cur);
	size_t n = left > MSI_CAB_BUF ? MSI_CAB_BUF : (size_t)(left > 0 ? left : 0);
	*buf = s->cab_buf;
	if (!n)
		return 0;
	if (!gsf_input_read(s->cur, n, s->cab_buf)) {
		archive_set_error(a, EIO, "the cabinet's stream is truncated");
		return -1;
	}
	return (la_ssize_t)n;
}

static msi_media *media_of(msi_state *s, const char *stream)
{
	for (size_t i = 0; i < s->nmedia; i++)
		if (s->media[i].embedded && !strcmp(s->media[i].cab, stream))
			return &s->media[i];
	return NULL;
}

/* Start reading stream st as a cabinet: 0, or -1 (err set) when libarchive
 * cannot open it. */
static int cab_start(msi_state *s, const msi_stream *st, char *err)
{
	s->cab = archive_read_new();
	if (!s->cab) {
		snprintf(err, VG_C_ERRLEN, "out of memory");
		return -1;
	}
	archive_read_support_format_cab(s->cab);
	int r = archive_read_open(s->cab, s, NULL, cab_read, NULL);
	s->cab_name = st->name;
	if (r != ARCHIVE_OK) {
		snprintf(err, VG_C_ERRLEN, "cabinet '%s' cannot be read: %s",
			 st->name, archive_error_string(s->cab)
				   ? archive_error_string(s->cab) : "unknown error");
		return -1;
	}
	return 0;
}

static int cab_next(msi_state *s, vg_member *m, char *err)
{
	struct archive_entry *e;
	s->in_cab_entry = 0;
	int r = archive_read_next_header(s->cab, &e);
	if (r == ARCHIVE_EOF) {
		end_current(s);
		return VG_C_END;
	}
	if (r < ARCHIVE_WARN) {
		snprintf(err, VG_C_ERRLEN, "cabinet '%s': %s", s->cab_name,
			 archive_error_string(s->cab) ? archive_error_string(s->cab)
						      : "damaged entry");
		member_init(m, s->cab_name, VG_SIZE_UNKNOWN);
		if (r == ARCHIVE_FATAL)
			end_current(s); /* cab_name is the stream's, still valid */
		return VG_C_DAMAGED;
	}
	const char *key = archive_entry_pathname(e);
	msi_file probe = {key ? key : "", NULL, 0, 0};
	msi_file *f = s->nfiles ? bsearch(&probe, s->files, s->nfiles,
					  sizeof *s->files, file_cmp) : NULL;
	if (f && f->path) {
		f->seen = 1;
		snprintf(s->name, sizeof s->name, "%s", f->path);
	} else {
		if (f)
			f->seen = 1;
		/* no File row (or no path): the cabinet's own name for it */
		snprintf(s->name, sizeof s->name, "%s/%s", s->cab_name, probe.key);
	}
	member_init(m, s->name, archive_entry_size_is_set(e)
				? (uint64_t)archive_entry_size(e) : VG_SIZE_UNKNOWN);
	if (archive_entry_mtime_is_set(e))
		m->mtime = archive_entry_mtime(e);
	m->encrypted = archive_entry_is_encrypted(e) != 0;
	s->in_cab_entry = 1;
	return VG_C_OK;
}

/* The display name of a non-table stream: "Table/Key" for a table's row. */
static const char *stream_display(msi_state *s, const char *name)
{
	const char *dot = strchr(name, '.');
	if (s->msi && dot && !strchr(name, '/')) {
		for (uint32_t i = 0; i < s->ntables; i++) {
			const char *t = vg_msi_string(&s->strings, s->table_ids[i]);
			if (t && strlen(t) == (size_t)(dot - name) &&
			    !strncmp(t, name, (size_t)(dot - name))) {
				snprintf(s->name, sizeof s->name, "%s/%s", t, dot + 1);
				return s->name;
			}
		}
	}
	snprintf(s->name, sizeof s->name, "%s", name);
	return s->name;
}

static int next_stream(msi_state *s, vg_member *m, char *err)
{
	while (s->next_stream < s->nstreams) {
		const msi_stream *st = &s->streams[s->next_stream++];
		if (st->table)
			continue;
		GsfInput *in = gsf_infile_child_by_index(st->dir, st->idx);
		if (!in) {
			snprintf(err, VG_C_ERRLEN, "stream '%s' cannot be opened",
				 st->name);
			member_init(m, st->name, VG_SIZE_UNKNOWN);
			return VG_C_DAMAGED;
		}
		gsf_off_t sz = gsf_input_size(in);
		if (sz < 0 || (uint64_t)sz > s->src.size) {
			g_object_unref(in);
			snprintf(err, VG_C_ERRLEN,
				 "stream '%s' declares more bytes than the file holds",
				 st->name);
			member_init(m, st->name, VG_SIZE_UNKNOWN);
			return VG_C_DAMAGED;
		}
		msi_media *md = s->msi ? media_of(s, st->name) : NULL;
		uint8_t magic[4];
		int is_cab = md != NULL;
		if (!is_cab && s->msi && sz >= 4 && gsf_input_read(in, 4, magic)) {
			is_cab = !memcmp(magic, "MSCF", 4);
			gsf_input_seek(in, 0, G_SEEK_SET);
		}
		s->cur = in;
		if (is_cab) {
			if (md)
				md->found = 1;
			if (!cab_start(s, st, err))
				return VG_C_END; /* the caller goes on in the cabinet */
			/* not a cabinet after all: said next, and its bytes are
			 * still a member */
			note(s, "%s", err);
			archive_read_free(s->cab);
			s->cab = NULL;
			gsf_input_seek(in, 0, G_SEEK_SET);
		}
		s->cur_left = (uint64_t)sz;
		member_init(m, stream_display(s, st->name), (uint64_t)sz);
		return VG_C_OK;
	}
	return VG_C_FATAL; /* no stream left (not an error: see msi_next) */
}

static int msi_next(void *st, vg_member *m, char err[VG_C_ERRLEN])
{
	msi_state *s = st;
	if (s->next_note < s->nnotes) {
		snprintf(err, VG_C_ERRLEN, "%s", s->notes[s->next_note++]);
		member_init(m, NULL, VG_SIZE_UNKNOWN);
		return VG_C_DAMAGED;
	}
	for (;;) {
		if (s->cab) {
			int r = cab_next(s, m, err);
			if (r != VG_C_END)
				return r;
			continue;
		}
		end_current(s);
		int r = next_stream(s, m, err);
		if (r == VG_C_END)
			continue; /* a cabinet was opened */
		if (r != VG_C_FATAL)
			return r;
		break;
	}
	while (s->next_media < s->nmedia) {
		msi_media *md = &s->media[s->next_media++];
		if (md->embedded && !md->found) {
			snprintf(err, VG_C_ERRLEN,
				 "the Media table names cabinet '#%s', but there is no such stream",
				 md->cab);
			member_init(m, md->cab, VG_SIZE_UNKNOWN);
			return VG_C_DAMAGED;
		}
		if (!md->embedded) {
			member_init(m, md->cab, VG_SIZE_UNKNOWN);
			m->unreadable = "external cabinet";
			return VG_C_OK;
		}
	}
	while (s->next_missing < s->nfiles) {
		msi_file *f = &s->files[s->next_missing++];
		if (f->seen || f->seq < 0)
			continue;
		/* the first medium whose LastSequence covers the file */
		const msi_media *best = NULL;
		for (size_t i = 0; i < s->nmedia; i++)
			if (s->media[i].last_seq >= f->seq &&
			    (!best || s->media[i].last_seq < best->last_seq))
				best = &s->media[i];
		if (!best || !best->embedded || !best->found)
			continue;
		snprintf(err, VG_C_ERRLEN,
			 "File table key '%s' is not in cabinet '%s'", f->key,
			 best->cab);
		snprintf(s->name, sizeof s->name, "%s", f->path ? f->path : f->key);
		member_init(m, s->name, VG_SIZE_UNKNOWN);
		return VG_C_DAMAGED;
	}
	return VG_C_END;
}

static int msi_read(void *st, uint8_t *buf, size_t cap, size_t *got,
		    char err[VG_C_ERRLEN])
{
	msi_state *s = st;
	*got = 0;
	if (s->cab) {
		if (!s->in_cab_entry)
			return VG_C_END;
		la_ssize_t r = archive_read_data(s->cab, buf, cap);
		if (r > 0) {
			*got = (size_t)r;
			return VG_C_OK;
		}
		s->in_cab_entry = 0;
		if (r == 0)
			return VG_C_END;
		snprintf(err, VG_C_ERRLEN, "cabinet '%s': %s", s->cab_name,
			 archive_error_string(s->cab) ? archive_error_string(s->cab)
						      : "damaged data");
		if (r == ARCHIVE_FATAL)
			end_current(s);
		return VG_C_DAMAGED;
	}
	if (!s->cur || !s->cur_left)
		return VG_C_END;
	size_t n = cap < s->cur_left ? cap : (size_t)s->cur_left;
	if (!gsf_input_read(s->cur, n, buf)) {
		snprintf(err, VG_C_ERRLEN, "stream '%.200s' is truncated", s->name);
		end_current(s);
		return VG_C_DAMAGED;
	}
	s->cur_left -= n;
	*got = n;
	return VG_C_OK;
}

const vg_container_ops vg_reader_msi = {
	"msi", probe_msi, open_msi, msi_next, msi_read, msi_close,
};

const vg_container_ops vg_reader_ole2 = {
	"ole2", probe_ole2, open_ole2, msi_next, msi_read, msi_close,
};
