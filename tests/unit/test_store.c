/*
 * The store: schema creation, migrations (an empty v0 file and a v1 file
 * upgraded; a newer one and a foreign database refused), identity logic
 * (one part changes, the others keep their findings), a damaged file
 * refused and --rebuild, two handles on one file (waiting, or failing
 * clearly when the wait is over), and kill-safety: a forked child
 * sweeping a tree is killed at random points, and a sweep afterwards
 * leaves the same rows as a clean run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_files.h"
#include <signal.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vigil/vigil.h>

#include "store/store_internal.h"

struct diag_log {
	char last[1024];
	unsigned errors;
};

static void on_diag(void *ctx, const vigil_diag *d)
{
	struct diag_log *l = ctx;
	if (d->severity == VIGIL_DIAG_ERROR)
		l->errors++;
	snprintf(l->last, sizeof l->last, "%s: %s", d->file ? d->file : "", d->message);
}

static vigil_store *open_store(const char *path, int rebuild, struct diag_log *log)
{
	vigil_store_options o;
	vigil_store_options_init(&o);
	o.path = path;
	o.rebuild = rebuild;
	o.busy_timeout_ms = 5000;
	vigil_store *st = NULL;
	int rc = vigil_store_open(&o, on_diag, log, &st);
	assert_true(rc == VIGIL_OK ? st != NULL : st == NULL);
	return st;
}

static void unlink_store(const char *path)
{
	char p[600];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

static int raw_version(const char *path)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	int v = -1;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE name = 'schema_version'",
			       -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = atoi((const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_create(void **state)
{
	(void)state;
	char path[512];
	test_scratch_path("store-create.db", path, sizeof path);
	unlink_store(path);
	struct diag_log log = {0};
	vigil_store *st = open_store(path, 0, &log);
	assert_non_null(st);
	vigil_store_close(st);
	assert_int_equal(raw_version(path), VIGIL_STORE_SCHEMA);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* open again: nothing to do, still the same version */
	st = open_store(path, 0, &log);
	assert_non_null(st);
	vigil_store_close(st);
	assert_int_equal(raw_version(path), VIGIL_STORE_SCHEMA);
	assert_int_equal(log.errors, 0);
	unlink_store(path);
}

static void test_migrations(void **state)
{
	(void)state;
	char path[512];
	struct diag_log log = {0};
	test_scratch_path("store-migrate.db", path, sizeof path);

	/* v0: an empty SQLite file */
	unlink_store(path);
	test_write_file(path, "", 0);
	vigil_store *st = open_store(path, 0, &log);
	assert_non_null(st);
	vigil_store_close(st);
	assert_int_equal(raw_version(path), VIGIL_STORE_SCHEMA);

	/* v1, with a row: upgraded, the row kept, the new column there */
	unlink_store(path);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	vigil_store tmp = {.db = db, .path = path, .diag = on_diag, .diag_ctx = &log};
	assert_int_equal(vg_store_migrate(&tmp, 1), 0);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO files (path, shown, dev, ino, size, mtime_ns, ctime_ns,"
				      " mode, uid, gid, md5, sha1, sha256, skip, score, hash_iocs_id,"
				      " name_iocs_id, rules_id, checks_id, sweep_id, seen_sweep_id)"
				      " VALUES ('/x', '/x', 1, 2, 3, 4, 5, 6, 7, 8, 'a', 'b', 'c', 0, 0,"
				      " '', '', '', '', 1, 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(raw_version(path), 1);
	st = open_store(path, 0, &log);
	assert_non_null(st);
	vigil_store_close(st);
	assert_int_equal(raw_version(path), VIGIL_STORE_SCHEMA);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	/* 2 -> 3: the baseline's tables, empty */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM baseline_files", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 0);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT path, file_class FROM files", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "/x");
	assert_int_equal(sqlite3_column_int(q, 1), 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	assert_int_equal(log.errors, 0);

	/* written by a newer vigil: refused, naming the file, not changed */
	raw_exec(path, "UPDATE meta SET value = '99' WHERE name = 'schema_version'");
	st = open_store(path, 0, &log);
	assert_null(st);
	assert_non_null(strstr(log.last, path));
	assert_non_null(strstr(log.last, "newer vigil"));
	assert_int_equal(raw_version(path), 99);

	/* a database of something else */
	unlink_store(path);
	raw_exec(path, "CREATE TABLE other (a INTEGER)");
	log.errors = 0;
	st = open_store(path, 0, &log);
	assert_null(st);
	assert_int_equal(log.errors, 1);
	assert_non_null(strstr(log.last, "not a vigil store"));
	unlink_store(path);
}

static void test_damaged(void **state)
{
	(void)state;
	char path[512];
	struct diag_log log = {0};
	test_scratch_path("store-damaged.db", path, sizeof path);
	unlink_store(path);
	test_write_file(path, "this is not an SQLite database, only text\n", 42);
	vigil_store *st = open_store(path, 0, &log);
	assert_null(st);
	assert_non_null(strstr(log.last, path));
	assert_non_null(strstr(log.last, "damaged"));

	/* a real store with a page overwritten in the middle */
	unlink_store(path);
	st = open_store(path, 0, &log);
	assert_non_null(st);
	vigil_store_close(st);
	char sql[256];
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < 3000; i++) {
		snprintf(sql, sizeof sql,
			 "INSERT INTO findings (path, seq, part, kind, ident, score, level, source, message)"
			 " VALUES ('/p%d', 0, 'hash', 'hash', 'x%d', 1, 1, 's', 'message text %d')", i, i, i);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, 3 * 4096, SEEK_SET), 0);
	for (int i = 0; i < 8 * 4096; i++)
		fputc(0xA5, f);
	fclose(f);
	log.errors = 0;
	st = open_store(path, 0, &log);
	assert_null(st);
	assert_true(log.errors >= 1);
	assert_non_null(strstr(log.last, path));

	/* --rebuild: a new, empty store */
	log.errors = 0;
	st = open_store(path, 1, &log);
	assert_non_null(st);
	assert_int_equal(log.errors, 0);
	vigil_store_close(st);
	assert_int_equal(raw_version(path), VIGIL_STORE_SCHEMA);
	unlink_store(path);
}

/* A result as the scanner would deliver it. */
static void fake_result(vigil_file_result *r, vigil_file_stat *fs, const char *path,
			const vigil_finding *f, size_t nf)
{
	struct stat sb;
	assert_int_equal(lstat(path, &sb), 0);
	memset(fs, 0, sizeof *fs);
	fs->dev = (uint64_t)sb.st_dev;
	fs->ino = (uint64_t)sb.st_ino;
	fs->size = (uint64_t)sb.st_size;
	fs->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	fs->ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 + sb.st_ctim.tv_nsec;
	fs->mode = sb.st_mode;
	fs->uid = sb.st_uid;
	fs->gid = sb.st_gid;
	memset(r, 0, sizeof *r);
	r->path = path;
	r->size = fs->size;
	r->hashed = 1;
	memset(r->md5, 0x11, 16);
	memset(r->sha1, 0x22, 20);
	memset(r->sha256, 0x33, 32);
	r->stat = fs;
	r->findings = f;
	r->nfindings = nf;
	r->score = nf ? f[0].score : 0;
}

static vigil_store_parts parts_of(const char *h, const char *n, const char *ru,
				  const char *c)
{
	vigil_store_parts p = {.hash_iocs = h, .name_iocs = n, .rules = ru,
			       .checks = c, .max_size = 1 << 20};
	return p;
}

static void test_identity(void **state)
{
	(void)state;
	char path[512], dir[512], file[600];
	struct diag_log log = {0};
	test_scratch_path("store-identity.db", path, sizeof path);
	test_scratch_path("store-identity-dir", dir, sizeof dir);
	unlink_store(path);
	mkdir(dir, 0700);
	snprintf(file, sizeof file, "%s/f.bin", dir);
	test_write_file(file, "content", 7);
	const char *roots[] = {dir};
	vigil_store *st = open_store(path, 0, &log);
	assert_non_null(st);

	vigil_finding f[3] = {
		{.kind = "hash", .id = "h1", .source = "iocs:1", .message = "m", .score = 90},
		{.kind = "yara", .id = "rule1", .source = "ns", .message = "d", .score = 75},
		{.kind = "filename", .id = "re1", .source = "iocs:2", .message = "", .score = 60},
	};
	vigil_file_result r;
	vigil_file_stat fs;
	vigil_store_parts p = parts_of("H1", "N1", "R1", "C1");
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	fake_result(&r, &fs, file, f, 3);
	vigil_reuse ru;
	memset(&ru, 0, sizeof ru);
	assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), 0); /* nothing stored */
	vigil_store_record(st, &r);
	assert_int_equal(vigil_store_sweep_end(st, 1), VIGIL_OK);

	/* nothing changed: everything kept, nothing to redo */
	p = parts_of("H1", "N1", "R1", "C1");
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	memset(&ru, 0, sizeof ru);
	assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), 1);
	assert_int_equal(ru.redo, 0);
	assert_int_equal(ru.nkept, 3);
	assert_memory_equal(ru.sha256, r.sha256, 32);
	/* a changed ctime (all else equal) means read */
	vigil_file_stat fs2 = fs;
	fs2.ctime_ns++;
	assert_int_equal(vigil_store_reuse(st, file, &fs2, &ru), 0);
	fs2 = fs;
	fs2.size++;
	assert_int_equal(vigil_store_reuse(st, file, &fs2, &ru), 0);
	/* a path shown otherwise (another spelling of the root) is read */
	char other[700];
	snprintf(other, sizeof other, "%s/./f.bin", dir);
	assert_int_equal(vigil_store_reuse(st, other, &fs, &ru), 0);
	assert_int_equal(vigil_store_sweep_end(st, 1), VIGIL_OK);

	/* hash IOCs changed: redo them, keep rule and file-name findings */
	p = parts_of("H2", "N1", "R1", "C1");
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	memset(&ru, 0, sizeof ru);
	assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), 1);
	assert_int_equal(ru.redo, VIGIL_REDO_HASH_IOCS);
	assert_int_equal(ru.nkept, 2);
	for (size_t i = 0; i < ru.nkept; i++)
		assert_string_not_equal(ru.kept[i].kind, "hash");
	assert_int_equal(vigil_store_sweep_end(st, 0), VIGIL_OK);

	/* file-name IOCs changed */
	p = parts_of("H1", "N2", "R1", "C1");
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	memset(&ru, 0, sizeof ru);
	assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), 1);
	assert_int_equal(ru.redo, VIGIL_REDO_NAME_IOCS);
	assert_int_equal(ru.nkept, 2);
	for (size_t i = 0; i < ru.nkept; i++)
		assert_string_not_equal(ru.kept[i].kind, "filename");
	assert_int_equal(vigil_store_sweep_end(st, 0), VIGIL_OK);

	/* rules, checks, size limit changed, an unknown identity, --rescan:
	 * the bytes are needed */
	const vigil_store_parts reads[] = {
		parts_of("H1", "N1", "R2", "C1"), parts_of("H1", "N1", "R1", "C2"),
		parts_of("H1", "N1", "", "C1"), parts_of("", "N1", "R1", "C1"),
	};
	for (size_t i = 0; i < sizeof reads / sizeof *reads; i++) {
		assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &reads[i]), VIGIL_OK);
		memset(&ru, 0, sizeof ru);
		int want = i == 3 ? 1 : 0; /* unknown hash IOCs: redone, not read */
		assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), want);
		if (want)
			assert_int_equal(ru.redo, VIGIL_REDO_HASH_IOCS);
		assert_int_equal(vigil_store_sweep_end(st, 0), VIGIL_OK);
	}
	p = parts_of("H1", "N1", "R1", "C1");
	p.max_size = 2 << 20;
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), 0);
	assert_int_equal(vigil_store_sweep_end(st, 0), VIGIL_OK);
	p.max_size = 1 << 20;
	p.rescan = 1;
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), 0);
	assert_int_equal(vigil_store_sweep_end(st, 0), VIGIL_OK);

	/* a complete sweep that did not see the file drops its row */
	p = parts_of("H1", "N1", "R1", "C1");
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	assert_int_equal(vigil_store_sweep_end(st, 1), VIGIL_OK);
	uint64_t written, dropped;
	vigil_store_sweep_counts(st, &written, &dropped);
	assert_int_equal(dropped, 1);
	assert_int_equal(vigil_store_sweep_begin(st, roots, 1, &p), VIGIL_OK);
	assert_int_equal(vigil_store_reuse(st, file, &fs, &ru), 0);
	assert_int_equal(vigil_store_sweep_end(st, 1), VIGIL_OK);
	assert_int_equal(log.errors, 0);
	vigil_store_close(st);
	unlink(file);
	rmdir(dir);
	unlink_store(path);
}

static void test_identities_of_content(void **state)
{
	(void)state;
	char a[65], b[65], c[65], d[65];
	vigil_iocs *s1 = vigil_iocs_create(), *s2 = vigil_iocs_create();
	assert_int_equal(vigil_iocs_add_hash(s1, "d41d8cd98f00b204e9800998ecf8427e", 80, "x", "f", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_hash(s2, "d41d8cd98f00b204e9800998ecf8427e", 80, "x", "f", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_path_regex(s1, "evil\\.exe$", 70, NULL, "", "g", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_add_path_regex(s2, "evil\\.exe$", 70, "safe", "", "g", 1), VIGIL_OK);
	assert_int_equal(vigil_iocs_identity(s1, VIGIL_IOC_MD5, a), VIGIL_OK);
	assert_int_equal(vigil_iocs_identity(s2, VIGIL_IOC_MD5, b), VIGIL_OK);
	assert_string_equal(a, b); /* same hashes */
	assert_int_equal(vigil_iocs_identity(s1, VIGIL_IOC_PATH_REGEX, c), VIGIL_OK);
	assert_int_equal(vigil_iocs_identity(s2, VIGIL_IOC_PATH_REGEX, d), VIGIL_OK);
	assert_string_not_equal(c, d); /* the false-positive regex differs */
	assert_int_equal(strlen(a), 64);
	/* one more hash (a score, a comment) changes the hash identity only */
	assert_int_equal(vigil_iocs_add_hash(s2, "da39a3ee5e6b4b0d3255bfef95601890afd80709", 80, "y", "f", 2), VIGIL_OK);
	assert_int_equal(vigil_iocs_identity(s2, VIGIL_IOC_MD5, b), VIGIL_OK);
	assert_string_not_equal(a, b);
	char e[65];
	assert_int_equal(vigil_iocs_identity(s2, VIGIL_IOC_PATH_REGEX, e), VIGIL_OK);
	assert_string_equal(d, e);
	vigil_iocs_destroy(s1);
	vigil_iocs_destroy(s2);

	vigil_rules *r1 = vigil_rules_create(), *r2 = vigil_rules_create();
	assert_int_equal(vigil_rules_add_string(r1, "x.yar", "rule a { condition: true }"), VIGIL_OK);
	assert_int_equal(vigil_rules_add_string(r2, "x.yar", "rule b { condition: true }"), VIGIL_OK);
	assert_int_equal(vigil_rules_identity(r1, a), VIGIL_FAILED); /* not finished */
	assert_int_equal(vigil_rules_finish(r1), VIGIL_OK);
	assert_int_equal(vigil_rules_finish(r2), VIGIL_OK);
	assert_int_equal(vigil_rules_identity(r1, a), VIGIL_OK);
	assert_int_equal(vigil_rules_identity(r2, b), VIGIL_OK);
	assert_string_not_equal(a, b);
	assert_int_equal(vigil_rules_identity(r1, c), VIGIL_OK);
	assert_string_equal(a, c);
	vigil_rules_destroy(r1);
	vigil_rules_destroy(r2);

	/* known before compiling: the same identity; not for sources that
	 * include (a mention in a comment or a string is no include) */
	vigil_rules *r3 = vigil_rules_create(), *r4 = vigil_rules_create();
	assert_int_equal(vigil_rules_add_string(r3, "y.yar",
						"/* may not include \"x\" */\n"
						"rule c { strings: $a = \"include \\\"q\\\"\" condition: $a }\n"),
			 VIGIL_OK);
	assert_int_equal(vigil_rules_source_identity(r3, c), VIGIL_OK);
	assert_int_equal(vigil_rules_finish(r3), VIGIL_OK);
	assert_int_equal(vigil_rules_identity(r3, d), VIGIL_OK);
	assert_string_equal(c, d);
	assert_int_equal(vigil_rules_add_string(r4, "z.yar",
						"include \"other.yar\"\nrule d { condition: true }\n"),
			 VIGIL_OK);
	assert_int_equal(vigil_rules_source_identity(r4, c), VIGIL_FAILED);
	vigil_rules_destroy(r3);
	vigil_rules_destroy(r4);
}

/* Two handles on one file: both write, nothing lost; a writer held up
 * past the busy timeout fails with a clear message. */
static void test_concurrency(void **state)
{
	(void)state;
	char path[512], dir[512], file[600];
	struct diag_log log = {0};
	test_scratch_path("store-conc.db", path, sizeof path);
	test_scratch_path("store-conc-dir", dir, sizeof dir);
	unlink_store(path);
	mkdir(dir, 0700);
	const char *roots[] = {dir};
	vigil_store *a = open_store(path, 0, &log), *b = open_store(path, 0, &log);
	assert_non_null(a);
	assert_non_null(b);
	vigil_store_parts p = parts_of("H", "N", "R", "C");
	assert_int_equal(vigil_store_sweep_begin(a, roots, 1, &p), VIGIL_OK);
	assert_int_equal(vigil_store_sweep_begin(b, roots, 1, &p), VIGIL_OK);
	for (int i = 0; i < 6000; i++) {
		snprintf(file, sizeof file, "%s/f%d", dir, i % 2 ? i : i + 1);
		if (i < 2)
			test_write_file(file, "x", 1);
		char fp[600];
		snprintf(fp, sizeof fp, "%s/f%d", dir, i % 2);
		if (access(fp, F_OK) != 0)
			test_write_file(fp, "y", 1);
		vigil_file_result r;
		vigil_file_stat fs;
		fake_result(&r, &fs, fp, NULL, 0);
		char shown[600];
		snprintf(shown, sizeof shown, "%s/n%d", dir, i);
		r.path = shown;
		vigil_store_record(i % 2 ? a : b, &r);
	}
	assert_int_equal(vigil_store_sweep_end(a, 0), VIGIL_OK);
	assert_int_equal(vigil_store_sweep_end(b, 0), VIGIL_OK);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM files", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 6000);
	sqlite3_finalize(q);
	/* a third writer holds the lock: a short wait ends in a clear failure */
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	vigil_store_options o;
	vigil_store_options_init(&o);
	o.path = path;
	o.busy_timeout_ms = 200;
	vigil_store *c = NULL;
	assert_int_equal(vigil_store_open(&o, on_diag, &log, &c), VIGIL_OK);
	log.errors = 0;
	assert_int_equal(vigil_store_sweep_begin(c, roots, 1, &p), VIGIL_FATAL);
	assert_int_equal(log.errors, 1);
	assert_non_null(strstr(log.last, path));
	assert_non_null(strstr(log.last, "locked"));
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	/* the wait over, the same handle sweeps */
	assert_int_equal(vigil_store_sweep_begin(c, roots, 1, &p), VIGIL_OK);
	assert_int_equal(vigil_store_sweep_end(c, 0), VIGIL_OK);
	sqlite3_close(db);
	vigil_store_close(c);
	vigil_store_close(a);
	vigil_store_close(b);
	snprintf(file, sizeof file, "%s/f0", dir);
	unlink(file);
	snprintf(file, sizeof file, "%s/f1", dir);
	unlink(file);
	rmdir(dir);
	unlink_store(path);
}

/* A real sweep of a tree with the store, as the CLI wires it. */
struct sink {
	vigil_store *st;
	unsigned long files;
};

static void on_file(void *ctx, const vigil_file_result *r)
{
	struct sink *k = ctx;
	vigil_store_record(k->st, r);
	k->files++;
}

static int sweep(const char *store_path, const char *root, const vigil_iocs *iocs,
		 int rescan, int loops)
{
	struct diag_log log = {0};
	vigil_store *st = open_store(store_path, 0, &log);
	if (!st)
		return -1;
	vigil_scan_options o;
	vigil_scan_options_init(&o);
	o.threads = 2;
	o.no_checks = 1;
	o.report_all = 1;
	char hid[65], nid[65];
	vigil_iocs_identity(iocs, VIGIL_IOC_MD5, hid);
	vigil_iocs_identity(iocs, VIGIL_IOC_PATH_REGEX, nid);
	vigil_store_parts p = parts_of(hid, nid, "no rules", "checks off");
	p.rescan = rescan;
	const char *roots[] = {root};
	int rc = 0;
	for (int i = 0; i < loops && !rc; i++) {
		vigil_scanner *sc = vigil_scanner_create(&o, iocs, NULL);
		struct sink k = {st, 0};
		vigil_scanner_set_callback(sc, on_file, &k);
		if (vigil_store_sweep_begin(st, roots, 1, &p) != VIGIL_OK)
			rc = -1;
		vigil_scanner_set_reuse(sc, vigil_store_reuse, st);
		if (!rc && vigil_scanner_run(sc, roots, 1) != VIGIL_OK)
			rc = -1;
		if (!rc && vigil_store_sweep_end(st, 1) != VIGIL_OK)
			rc = -1;
		vigil_scanner_destroy(sc);
	}
	vigil_store_close(st);
	return rc;
}

/* The rows that matter, as one text (no sweep numbers). */
static char *dump(const char *path)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT path || ' ' || size || ' ' || md5 || ' ' || sha1 || ' ' || sha256"
					    " || ' ' || skip || ' ' || score FROM files ORDER BY path", -1, &q, NULL),
			 SQLITE_OK);
	size_t len = 0, cap = 1 << 20;
	char *out = malloc(cap);
	assert_non_null(out);
	out[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(q, 0);
			size_t l = strlen(t);
			if (len + l + 2 > cap) {
				cap = (len + l + 2) * 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			memcpy(out + len, t, l);
			len += l;
			out[len++] = '\n';
			out[len] = '\0';
		}
		sqlite3_finalize(q);
		if (pass == 0)
			assert_int_equal(sqlite3_prepare_v2(db,
							    "SELECT path || ' ' || seq || ' ' || kind || ' ' || ident || ' ' || score"
							    " FROM findings ORDER BY path, seq", -1, &q, NULL),
					 SQLITE_OK);
	}
	sqlite3_close(db);
	return out;
}

static void test_kill_safety(void **state)
{
	(void)state;
	char dir[512], clean[512], killed[512], file[700];
	test_scratch_path("store-kill-dir", dir, sizeof dir);
	test_scratch_path("store-kill-clean.db", clean, sizeof clean);
	test_scratch_path("store-kill.db", killed, sizeof killed);
	unlink_store(clean);
	unlink_store(killed);
	mkdir(dir, 0700);
	const int nfiles = 3000;
	for (int i = 0; i < nfiles; i++) {
		if (i % 100 == 0) {
			snprintf(file, sizeof file, "%s/d%d", dir, i / 100);
			mkdir(file, 0700);
		}
		char body[64];
		int n = snprintf(body, sizeof body, "file %d body\n", i % 700);
		snprintf(file, sizeof file, "%s/d%d/f%d", dir, i / 100, i);
		test_write_file(file, body, (size_t)n);
	}
	/* hash IOCs for some contents, so that rows carry findings */
	vigil_iocs *iocs = vigil_iocs_create();
	for (int i = 0; i < 700; i += 7) {
		char body[64], hex[65];
		int n = snprintf(body, sizeof body, "file %d body\n", i);
		unsigned char d[32];
		unsigned dl;
		assert_int_equal(EVP_Digest(body, (size_t)n, d, &dl, EVP_sha256(), NULL), 1);
		for (int k = 0; k < 32; k++)
			snprintf(hex + 2 * k, 3, "%02x", d[k]);
		assert_int_equal(vigil_iocs_add_hash(iocs, hex, 80, "test", "kill", (unsigned long)i + 1), VIGIL_OK);
	}
	vigil_iocs_seal(iocs);
	assert_int_equal(sweep(clean, dir, iocs, 1, 1), 0);
	char *want = dump(clean);
	assert_non_null(strstr(want, " 0 hash "));

	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int round = 0; round < 8; round++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			/* sweep again and again, every file written each time */
			int rc = sweep(killed, dir, iocs, 1, 1000);
			_exit(rc ? 1 : 0);
		}
		struct timespec ts = {0, (long)(rand() % 400) * 1000000L};
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		/* consistent: opens (quick_check), then a sweep finishes the job */
		struct diag_log log = {0};
		vigil_store *st = open_store(killed, 0, &log);
		assert_non_null(st);
		vigil_store_close(st);
		assert_int_equal(sweep(killed, dir, iocs, 0, 1), 0);
		char *got = dump(killed);
		assert_string_equal(got, want);
		free(got);
	}
	free(want);
	vigil_iocs_destroy(iocs);
	for (int i = 0; i < nfiles; i++) {
		snprintf(file, sizeof file, "%s/d%d/f%d", dir, i / 100, i);
		unlink(file);
		if (i % 100 == 99) {
			snprintf(file, sizeof file, "%s/d%d", dir, i / 100);
			rmdir(file);
		}
	}
	rmdir(dir);
	unlink_store(clean);
	unlink_store(killed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_identities_of_content),
		cmocka_unit_test(test_concurrency),
		cmocka_unit_test(test_kill_safety),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
