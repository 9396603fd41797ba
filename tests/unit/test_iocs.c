/*
 * IOC text formats (signature-base/Loki): every format rule through
 * vigil_iocs_load_buffer, with each malformed line's diagnostic checked for
 * file name and line number; lookups; the real signature-base corpus,
 * which must load with every non-comment, non-blank line accepted; and
 * sealing, after which lookups agree with the unsealed ones and every add
 * is refused.
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
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/intel.h>
#include <vigil/iocs.h>

#include "base/util.h"

#define MAXD 64
struct diags {
	unsigned n;
	char file[MAXD][128];
	unsigned long line[MAXD];
	vigil_severity sev[MAXD];
};

static void on_diag(void *ctx, const vigil_diag *d)
{
	struct diags *c = ctx;
	if (d->severity < VIGIL_DIAG_WARNING)
		return;
	if (c->n < MAXD) {
		snprintf(c->file[c->n], sizeof c->file[0], "%s",
			 d->file ? d->file : "");
		c->line[c->n] = d->line;
		c->sev[c->n] = d->severity;
	}
	c->n++;
}

static vigil_iocs *new_set(struct diags *d)
{
	memset(d, 0, sizeof *d);
	vigil_iocs *s = vigil_iocs_create();
	assert_non_null(s);
	vigil_iocs_set_diag(s, on_diag, d);
	return s;
}

static int load(vigil_iocs *s, const char *name, const char *text)
{
	return vigil_iocs_load_buffer(s, name, text, strlen(text),
				      VIGIL_IOC_AUTO);
}

/* Assert the diagnostics name exactly these lines of file, in order. */
static void expect_lines(const struct diags *d, const char *file,
			 const unsigned long *lines, unsigned n)
{
	if (d->n != n) {
		for (unsigned i = 0; i < d->n && i < MAXD; i++)
			fprintf(stderr, "diag %s:%lu\n", d->file[i], d->line[i]);
	}
	assert_int_equal(d->n, n);
	for (unsigned i = 0; i < n; i++) {
		assert_string_equal(d->file[i], file);
		assert_int_equal(d->line[i], lines[i]);
	}
}

#define MD5 "0123456789abcdef0123456789abcdef"
#define SHA1 "0123456789abcdef0123456789abcdef01234567"
#define SHA256 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_hash_lengths(void **state)
{
	(void)state;
	struct diags d;
	vigil_iocs *s = new_set(&d);
	const char *text =
		"# md5 comment\n"
		MD5 ";md5 thing\n"
		"0123456789ABCDEF0123456789ABCDEF01234567;80;sha1; with; semis\n"
		SHA256 ";text;with;semicolons\n"
		"0123456789abcdef;too short\n"          /* 5 */
		"zz23456789abcdef0123456789abcdef;non-hex\n" /* 6 */
		MD5 "aa;bad length 34\n"                /* 7 */
		"ffffffffffffffffffffffffffffffff;101;score too high\n"; /* 8 */
	assert_int_equal(load(s, "hash-iocs.txt", text), VIGIL_WARN);
	static const unsigned long bad[] = {5, 6, 7, 8};
	expect_lines(&d, "hash-iocs.txt", bad, 4);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_MD5), 1);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_SHA1), 1);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_SHA256), 1);

	const vigil_ioc *m = vigil_iocs_get(s, VIGIL_IOC_MD5, 0);
	assert_string_equal(m->value, MD5);
	assert_int_equal(m->score, 100);
	assert_string_equal(m->comment, "md5 thing");
	assert_int_equal(m->line, 2);
	assert_string_equal(m->source, "hash-iocs.txt");

	const vigil_ioc *h1 = vigil_iocs_get(s, VIGIL_IOC_SHA1, 0);
	assert_string_equal(h1->value, SHA1); /* upper case normalised */
	assert_int_equal(h1->score, 80);
	assert_string_equal(h1->comment, "sha1; with; semis");

	/* HASH;COMMENT where the comment holds ';': score stays 100 */
	const vigil_ioc *h2 = vigil_iocs_get(s, VIGIL_IOC_SHA256, 0);
	assert_int_equal(h2->score, 100);
	assert_string_equal(h2->comment, "text;with;semicolons");

	/* lookups for each digest length */
	uint8_t dig[32];
	assert_int_equal(vg_unhex(MD5, 32, dig, sizeof dig), 16);
	assert_ptr_equal(vigil_iocs_find_hash(s, dig, 16), m);
	assert_int_equal(vg_unhex(SHA1, 40, dig, sizeof dig), 20);
	assert_ptr_equal(vigil_iocs_find_hash(s, dig, 20), h1);
	assert_int_equal(vg_unhex(SHA256, 64, dig, sizeof dig), 32);
	assert_ptr_equal(vigil_iocs_find_hash(s, dig, 32), h2);
	dig[0] ^= 1;
	assert_null(vigil_iocs_find_hash(s, dig, 32));
	assert_null(vigil_iocs_find_hash(s, dig, 17));
	vigil_iocs_destroy(s);
}

static void test_hash_layout(void **state)
{
	(void)state;
	struct diags d;
	vigil_iocs *s = new_set(&d);
	/* BOM, CRLF, blank lines, comments; the last comment describes the
	 * next IOC; a HASH-only line takes it. */
	const char *text = "\xEF\xBB\xBF# first\r\n"
			   "\r\n"
			   "   \r\n"
			   "# second\r\n"
			   "# third describes\r\n"
			   MD5 "\r\n"
			   SHA1 ";own comment\r\n";
	assert_int_equal(load(s, "my-hash-iocs.txt", text), VIGIL_OK);
	assert_int_equal(d.n, 0);
	const vigil_ioc *m = vigil_iocs_get(s, VIGIL_IOC_MD5, 0);
	assert_non_null(m);
	assert_string_equal(m->value, MD5);
	assert_string_equal(m->comment, "third describes");
	assert_int_equal(m->line, 6);
	const vigil_ioc *h = vigil_iocs_get(s, VIGIL_IOC_SHA1, 0);
	assert_string_equal(h->comment, "own comment");
	vigil_iocs_destroy(s);

	/* a middle field with trailing blanks that is no score stays whole */
	s = new_set(&d);
	assert_int_equal(load(s, "hash.txt", MD5 ";first part ;second\n"),
			 VIGIL_OK);
	assert_string_equal(vigil_iocs_get(s, VIGIL_IOC_MD5, 0)->comment,
			    "first part ;second");
	vigil_iocs_destroy(s);

	/* the BOM is not part of a hash on the first line */
	s = new_set(&d);
	assert_int_equal(load(s, "hash.txt", "\xEF\xBB\xBF" MD5 "\n"),
			 VIGIL_OK);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_MD5), 1);
	vigil_iocs_destroy(s);
}

static void test_long_line_and_nul(void **state)
{
	(void)state;
	struct diags d;
	vigil_iocs *s = new_set(&d);
	size_t big = 70000;
	char *buf = malloc(big + 200);
	assert_non_null(buf);
	size_t o = 0;
	o += (size_t)sprintf(buf + o, MD5 ";ok\n");
	memcpy(buf + o, MD5 ";", 33);
	o += 33;
	memset(buf + o, 'x', big);
	o += big;
	buf[o++] = '\n';
	o += (size_t)sprintf(buf + o, MD5 ";a");
	buf[o++] = '\0';
	o += (size_t)sprintf(buf + o, "b\n" SHA1 ";last\n");
	assert_int_equal(vigil_iocs_load_buffer(s, "x-hash.txt", buf, o,
						VIGIL_IOC_AUTO),
			 VIGIL_WARN);
	static const unsigned long bad[] = {2, 3};
	expect_lines(&d, "x-hash.txt", bad, 2);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_MD5), 1);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_SHA1), 1);
	assert_int_equal(vigil_iocs_get(s, VIGIL_IOC_SHA1, 0)->line, 4);
	free(buf);
	vigil_iocs_destroy(s);
}

static unsigned nmatch;
static const vigil_ioc *last_match;
static void on_match(void *ctx, const vigil_ioc *ioc)
{
	(void)ctx;
	nmatch++;
	last_match = ioc;
	if (getenv("DEBUG_MATCH"))
		fprintf(stderr, "match %s line %lu\n", ioc->value, ioc->line);
}

static unsigned match(vigil_iocs *s, const char *path)
{
	nmatch = 0;
	last_match = NULL;
	assert_true(vigil_iocs_match_path(s, path, strlen(path), on_match,
					  NULL) >= 0);
	return nmatch;
}

static void test_filename(void **state)
{
	(void)state;
	struct diags d;
	vigil_iocs *s = new_set(&d);
	const char *text =
		"# evil dll\n"
		"\\\\Windows\\\\Temp\\\\evil\\.dll;70;\\\\Windows\\\\Temp\\\\evil\\.dll\\.bak\n"
		"\\\\AppData\\\\Local\\\\bad\\.exe;60\n"       /* no FP: not carried */
		"(?i)/tmp/UPPER\\.sh;50\n"
		"broken(regex;40\n"                             /* 5 */
		"/nosscore\n"                                   /* 6 */
		"/x;101\n"                                      /* 7 */
		"a;b;c;80\n"                                    /* regex holding ';' */
		"/only-fp-follow;30;/only-fp-follow/ok\n"
		"/second-no-fp;20\n";
	assert_int_equal(load(s, "filename-iocs.txt", text), VIGIL_WARN);
	static const unsigned long bad[] = {5, 6, 7};
	expect_lines(&d, "filename-iocs.txt", bad, 3);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_PATH_REGEX), 6);

	const vigil_ioc *e = vigil_iocs_get(s, VIGIL_IOC_PATH_REGEX, 0);
	assert_int_equal(e->score, 70);
	assert_string_equal(e->comment, "evil dll");
	assert_int_equal(vigil_iocs_get(s, VIGIL_IOC_PATH_REGEX, 1)->score, 60);
	assert_int_equal(vigil_iocs_get(s, VIGIL_IOC_PATH_REGEX, 3)->score, 80);

	/* '/' paths match '\\' regexes; the FP regex suppresses */
	assert_int_equal(match(s, "/mnt/c/Windows/Temp/evil.dll"), 1);
	assert_ptr_equal(last_match, e);
	assert_int_equal(match(s, "/mnt/c/Windows/Temp/evil.dll.bak"), 0);
	/* the FP regex of line 2 does not carry to line 3 */
	assert_int_equal(match(s, "/u/AppData/Local/bad.exe"), 1);
	assert_int_equal(match(s, "/u/AppData/Local/bad.exe.bak/Windows/Temp/evil.dll.bak"), 1);
	/* (?i) */
	assert_int_equal(match(s, "/TMP/upper.SH"), 1);
	assert_int_equal(vigil_iocs_get(s, VIGIL_IOC_PATH_REGEX, 2)->score, 50);
	assert_int_equal(match(s, "/usr/bin/ls"), 0);
	/* FP of line 9 not carried to line 10, score not carried either */
	assert_int_equal(match(s, "/only-fp-follow/ok"), 0);
	assert_int_equal(match(s, "/second-no-fp/only-fp-follow/ok"), 1);
	assert_int_equal(last_match->score, 20);
	vigil_iocs_destroy(s);
}

static void test_c2(void **state)
{
	(void)state;
	struct diags d;
	vigil_iocs *s = new_set(&d);
	const char *text =
		"evil.example.com;domain\n"
		"Evil2.Example.COM.;trailing dot\n"
		"192.0.2.1;ipv4\n"
		"2001:DB8::1;ipv6\n"
		"198.51.100.0/24;cidr\n"
		"2001:db8::/32\n"
		"https://evil.example.net/path?a=b;url\n"
		"hxxps://evil[.]example(.)com/x;defanged\n"
		"203.0.113.9;75\n"
		"not a host!;bad\n"                /* 10 */
		"192.0.2.1;comment; with; semis\n";
	assert_int_equal(load(s, "c2-iocs.txt", text), VIGIL_WARN);
	static const unsigned long bad[] = {10};
	expect_lines(&d, "c2-iocs.txt", bad, 1);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_DOMAIN), 2);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_IPV4), 4);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_IPV6), 2);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_URL), 2);
	assert_string_equal(vigil_iocs_get(s, VIGIL_IOC_DOMAIN, 1)->value,
			    "evil2.example.com");
	assert_string_equal(vigil_iocs_get(s, VIGIL_IOC_IPV4, 1)->value,
			    "198.51.100.0/24");
	assert_string_equal(vigil_iocs_get(s, VIGIL_IOC_URL, 1)->value,
			    "https://evil.example.com/x");
	const vigil_ioc *sc = vigil_iocs_get(s, VIGIL_IOC_IPV4, 2);
	assert_string_equal(sc->value, "203.0.113.9");
	assert_int_equal(sc->score, 75);
	const vigil_ioc *semi = vigil_iocs_get(s, VIGIL_IOC_IPV4, 3);
	assert_int_equal(semi->score, 100); /* score not carried over */
	assert_string_equal(semi->comment, "comment; with; semis");
	vigil_iocs_destroy(s);
}

static void test_format_from_name(void **state)
{
	(void)state;
	struct diags d;
	vigil_iocs *s = new_set(&d);
	/* the same line read as different formats by name */
	assert_int_equal(load(s, "dir/Custom-HASH-iocs.txt", MD5 "\n"), VIGIL_OK);
	assert_int_equal(load(s, "dir/c2-list.txt", "evil.example.org\n"),
			 VIGIL_OK);
	assert_int_equal(load(s, "filename-x.txt", "/abc;10\n"), VIGIL_OK);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_MD5), 1);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_DOMAIN), 1);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_PATH_REGEX), 1);
	assert_int_equal(d.n, 0);
	/* a name that names no Loki format: read as a plain list (intel) */
	assert_int_equal(load(s, "README.txt", MD5 "\n"), VIGIL_OK);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_MD5), 2);
	vigil_iocs_destroy(s);
}

static void write_file(const char *path, const char *text)
{
	test_write_file(path, text, strlen(text));
}

static void test_directory(void **state)
{
	(void)state;
	char dir[1024], p[1200];
	test_scratch_path("iocs-dir", dir, sizeof dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(p, sizeof p, "%s/README.txt", dir);
	write_file(p, "This is not an IOC file; 1234\n");
	snprintf(p, sizeof p, "%s/hash-iocs.txt", dir);
	write_file(p, MD5 ";x\n");
	snprintf(p, sizeof p, "%s/c2-iocs.txt", dir);
	write_file(p, "evil.example.com\n");
	struct diags d;
	vigil_iocs *s = new_set(&d);
	assert_int_equal(vigil_iocs_load(s, dir, VIGIL_IOC_AUTO), VIGIL_OK);
	assert_int_equal(d.n, 0);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_MD5), 1);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_DOMAIN), 1);
	vigil_iocs_destroy(s);
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
}

/* Non-blank, non-'#' lines, counted the way a reader of the file would. */
static size_t count_ioc_lines(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	while ((got = getline(&line, &cap, f)) >= 0) {
		char *p = line;
		if (n == 0 && got >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
			p += 3;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p && *p != '#')
			n++;
	}
	free(line);
	fclose(f);
	return n;
}

static void test_corpus(void **state)
{
	(void)state;
	const char *src = getenv("VIGIL_TEST_SRC");
	char dir[2048];
	snprintf(dir, sizeof dir, "%s/../shared/corpora/signature-base/iocs",
		 src ? src : ".");
	struct stat st;
	if (stat(dir, &st) != 0) {
		print_message("signature-base corpus not found at %s\n", dir);
		skip();
	}
	struct diags d;
	vigil_iocs *s = new_set(&d);
	assert_int_equal(vigil_iocs_load(s, dir, VIGIL_IOC_AUTO), VIGIL_OK);
	assert_int_equal(d.n, 0);

	/* expected counts per format, from the files themselves */
	size_t want_hash = 0, want_fn = 0, want_c2 = 0;
	DIR *dd = opendir(dir);
	assert_non_null(dd);
	struct dirent *e;
	while ((e = readdir(dd))) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		char lower[256];
		size_t i;
		for (i = 0; e->d_name[i] && i < sizeof lower - 1; i++)
			lower[i] = (char)(e->d_name[i] | ((e->d_name[i] >= 'A' && e->d_name[i] <= 'Z') ? 0x20 : 0));
		lower[i] = '\0';
		if (strstr(lower, "filename"))
			want_fn += count_ioc_lines(p);
		else if (strstr(lower, "hash"))
			want_hash += count_ioc_lines(p);
		else if (strstr(lower, "c2"))
			want_c2 += count_ioc_lines(p);
	}
	closedir(dd);
	size_t hash = vigil_iocs_count(s, VIGIL_IOC_MD5) +
		      vigil_iocs_count(s, VIGIL_IOC_SHA1) +
		      vigil_iocs_count(s, VIGIL_IOC_SHA256);
	size_t c2 = vigil_iocs_count(s, VIGIL_IOC_DOMAIN) +
		    vigil_iocs_count(s, VIGIL_IOC_IPV4) +
		    vigil_iocs_count(s, VIGIL_IOC_IPV6) +
		    vigil_iocs_count(s, VIGIL_IOC_URL);
	print_message("corpus: %zu hash, %zu filename, %zu c2\n", hash,
		      vigil_iocs_count(s, VIGIL_IOC_PATH_REGEX), c2);
	assert_true(want_hash > 0 && want_fn > 0 && want_c2 > 0);
	assert_int_equal(hash, want_hash);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_PATH_REGEX), want_fn);
	assert_int_equal(c2, want_c2);
	vigil_iocs_destroy(s);
}

/* ---- sealing ---- */

struct seal_diags {
	unsigned n;
	vigil_severity sev;
	char file[128], message[128];
};

static void on_seal_diag(void *ctx, const vigil_diag *d)
{
	struct seal_diags *c = ctx;
	c->n++;
	c->sev = d->severity;
	snprintf(c->file, sizeof c->file, "%s", d->file ? d->file : "");
	snprintf(c->message, sizeof c->message, "%s", d->message ? d->message : "");
}

/* The last diagnostic says the set is sealed and names file. */
static void expect_sealed(struct seal_diags *d, const char *file)
{
	assert_int_equal(d->n, 1);
	assert_int_equal(d->sev, VIGIL_DIAG_ERROR);
	assert_string_equal(d->file, file);
	assert_string_equal(d->message, "IOC set is sealed");
	d->n = 0;
}

#define SEAL_NHASH 300
#define SEAL_NPATH 8

static const char *const seal_paths[SEAL_NPATH] = {
	"/opt/3CXDesktopApp/app/ffmpeg.dll", "/tmp/evil.sh",
	"C:/Windows/Temp/dropper.exe", "/home/u/.cache/x/payload.bin",
	"/usr/bin/ls", "/tmp/EVIL.SH", "/var/tmp/a/b/c/dropper.exe.bak", "",
};

/* Which IOC first has digest i: every tenth digest repeats the one nine
 * before it (same length, as 9 is a multiple of 3). */
static unsigned seal_first(unsigned i)
{
	return i % 10 == 9 ? i - 9 : i;
}

/* The hash digests: pseudo-random, so out of order, of all three lengths,
 * with duplicates (seal_first). */
static size_t seal_digest(unsigned i, uint8_t *d)
{
	static const size_t lens[3] = {16, 20, 32};
	size_t n = lens[i % 3];
	uint32_t x = (seal_first(i) + 1) * 2654435761u;
	for (size_t k = 0; k < n; k++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		d[k] = (uint8_t)x;
	}
	return n;
}

struct path_hits {
	size_t n;
	const vigil_ioc *hit[16];
};

static void on_seal_path(void *ctx, const vigil_ioc *ioc)
{
	struct path_hits *h = ctx;
	if (h->n < 16)
		h->hit[h->n] = ioc;
	h->n++;
}

static void seal_lookups(const vigil_iocs *s, const vigil_ioc **hash,
			 struct path_hits *paths)
{
	for (unsigned i = 0; i < SEAL_NHASH + 3; i++) {
		uint8_t d[32];
		size_t n = seal_digest(i, d);
		if (i >= SEAL_NHASH)
			d[0] ^= 0x5a; /* absent */
		hash[i] = vigil_iocs_find_hash(s, d, n);
	}
	for (unsigned i = 0; i < SEAL_NPATH; i++) {
		memset(&paths[i], 0, sizeof paths[i]);
		assert_int_equal(vigil_iocs_match_path(s, seal_paths[i],
						       strlen(seal_paths[i]),
						       on_seal_path, &paths[i]),
				 VIGIL_OK);
	}
}

static void test_seal(void **state)
{
	(void)state;
	struct seal_diags d = {0};
	vigil_iocs *s = vigil_iocs_create();
	assert_non_null(s);
	vigil_iocs_set_diag(s, on_seal_diag, &d);
	for (unsigned i = 0; i < SEAL_NHASH; i++) {
		uint8_t dig[32];
		char hex[65], comment[32];
		size_t n = seal_digest(i, dig);
		vg_hex(dig, n, hex);
		snprintf(comment, sizeof comment, "hash %u", i);
		assert_int_equal(vigil_iocs_add_hash(s, hex, 50, comment, "h.txt", i + 1),
				 VIGIL_OK);
	}
	/* with and without a literal for the prefilter, overlapping */
	static const char *const regexes[] = {
		"\\\\3CXDesktopApp\\\\app\\\\ffmpeg\\.dll", "(?i)/tmp/evil\\.sh$",
		"dropper\\.exe", "\\.cache/[a-z]+/", "^/usr/.*", "ffmpeg",
		"(?i)EVIL", ".*\\.bin$",
	};
	for (unsigned i = 0; i < sizeof regexes / sizeof *regexes; i++)
		assert_int_equal(vigil_iocs_add_path_regex(s, regexes[i], 60,
							   i == 2 ? "\\.bak$" : NULL,
							   "re", "f.txt", i + 1),
				 VIGIL_OK);
	assert_int_equal(d.n, 0);

	static const vigil_ioc *before[SEAL_NHASH + 3], *after[SEAL_NHASH + 3];
	static struct path_hits pbefore[SEAL_NPATH], pafter[SEAL_NPATH];
	seal_lookups(s, before, pbefore);
	/* unsealed answers are right, not only stable: first loaded wins */
	for (unsigned i = 0; i < SEAL_NHASH; i++) {
		assert_non_null(before[i]);
		assert_int_equal(before[i]->line, seal_first(i) + 1);
	}
	for (unsigned i = SEAL_NHASH; i < SEAL_NHASH + 3; i++)
		assert_null(before[i]);
	assert_int_equal(pbefore[0].n, 2); /* the 3CX path and "ffmpeg" */
	assert_int_equal(pbefore[6].n, 0); /* dropper.exe's FP regex */

	assert_int_equal(vigil_iocs_seal(s), VIGIL_OK);
	assert_int_equal(vigil_iocs_seal(s), VIGIL_OK);
	seal_lookups(s, after, pafter);
	for (unsigned i = 0; i < SEAL_NHASH + 3; i++)
		assert_ptr_equal(after[i], before[i]);
	for (unsigned i = 0; i < SEAL_NPATH; i++) {
		assert_int_equal(pafter[i].n, pbefore[i].n);
		for (size_t k = 0; k < pafter[i].n && k < 16; k++)
			assert_ptr_equal(pafter[i].hit[k], pbefore[i].hit[k]);
	}

	/* every way in is closed, and says so */
	assert_int_equal(vigil_iocs_add_hash(s, MD5, 50, "late", "late.txt", 1),
			 VIGIL_FATAL);
	expect_sealed(&d, "late.txt");
	assert_int_equal(vigil_iocs_add_path_regex(s, "/late", 50, NULL, "late",
						   "late-fn.txt", 2),
			 VIGIL_FATAL);
	expect_sealed(&d, "late-fn.txt");
	assert_int_equal(vigil_iocs_add_network(s, "late.example", 50, "late",
						"late-c2.txt", 3),
			 VIGIL_FATAL);
	expect_sealed(&d, "late-c2.txt");
	assert_int_equal(load(s, "hash-iocs.txt", MD5 ";late\n"), VIGIL_FATAL);
	expect_sealed(&d, "hash-iocs.txt");
	const char *src = getenv("VIGIL_TEST_SRC");
	char dir[2048];
	snprintf(dir, sizeof dir, "%s/content", src ? src : ".");
	assert_int_equal(vigil_iocs_load(s, dir, VIGIL_IOC_AUTO), VIGIL_FATAL);
	expect_sealed(&d, dir);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_MD5), SEAL_NHASH / 3);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_PATH_REGEX),
			 sizeof regexes / sizeof *regexes);
	assert_int_equal(vigil_iocs_count(s, VIGIL_IOC_DOMAIN), 0);
	vigil_iocs_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_lengths),
		cmocka_unit_test(test_hash_layout),
		cmocka_unit_test(test_long_line_and_nul),
		cmocka_unit_test(test_filename),
		cmocka_unit_test(test_c2),
		cmocka_unit_test(test_format_from_name),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_seal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
