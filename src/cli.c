#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vigil/content.h>
#include <vigil/escape.h>

#include "cli.h"

void cli_print_diag(void *ctx, const vigil_diag *d)
{
	struct cli_diag *cd = ctx;
	if (d->severity == VIGIL_DIAG_INFO && !(cd && cd->verbose))
		return;
	if (cd) {
		if (d->severity == VIGIL_DIAG_ERROR)
			cd->errors++;
		else if (d->severity == VIGIL_DIAG_WARNING)
			cd->warnings++;
	}
	char *file = d->file ? vigil_escape_str(d->file) : NULL;
	char *msg = vigil_escape_str(d->message);
	const char *sev = d->severity == VIGIL_DIAG_ERROR ? "error"
			  : d->severity == VIGIL_DIAG_WARNING ? "warning"
							      : "info";
	if (file && d->line)
		fprintf(stderr, "vigil: %s:%lu: %s: %s\n", file, d->line, sev, msg ? msg : "");
	else if (file)
		fprintf(stderr, "vigil: %s: %s: %s\n", file, sev, msg ? msg : "");
	else
		fprintf(stderr, "vigil: %s: %s\n", sev, msg ? msg : "");
	free(file);
	free(msg);
}

int cli_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		return -1;
	}
	if (*end && end[1] && strcmp(end + 1, "B") && strcmp(end + 1, "iB"))
		return -1;
	if (v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int cli_parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_opt_int(const char *name, const char *arg, long lo, long hi, long *out)
{
	if (cli_parse_int(arg, lo, hi, out) == 0)
		return 0;
	char *e = vigil_escape_str(arg);
	fprintf(stderr, "vigil: invalid --%s '%s' (%ld-%ld)\n", name, e ? e : "?", lo, hi);
	free(e);
	return -1;
}

int cli_opt_size(const char *name, const char *arg, uint64_t lo, uint64_t hi,
		 uint64_t *out)
{
	if (cli_parse_size(arg, out) == 0 && *out >= lo && *out <= hi)
		return 0;
	char *e = vigil_escape_str(arg);
	if (hi == UINT64_MAX)
		fprintf(stderr, "vigil: invalid --%s '%s' (a size such as 64M)\n", name,
			e ? e : "?");
	else
		fprintf(stderr, "vigil: invalid --%s '%s' (%llu to %llu bytes)\n", name,
			e ? e : "?", (unsigned long long)lo, (unsigned long long)hi);
	free(e);
	return -1;
}

json_t *cli_json_text(const char *s)
{
	if (!s)
		return json_null();
	/* the library's rule (lib/report/json_write.c): readable text as it
	 * is, anything a terminal acts on escaped, since `jq -r` undoes JSON's
	 * own \u escapes */
	size_t n = strlen(s);
	if (!vigil_escape_needed(s, n))
		return json_stringn(s, n);
	char *e = vigil_escape(s, n);
	json_t *j = e ? json_string(e) : NULL;
	free(e);
	return j;
}

json_t *cli_json_path(const char *path)
{
	if (!path)
		return json_null();
	/* the library's rule: the exact name when it is UTF-8 */
	size_t n = strlen(path);
	if (vigil_utf8_valid(path, n))
		return json_stringn(path, n);
	char *e = vigil_utf8_lossy(path, n);
	json_t *j = e ? json_string(e) : NULL;
	free(e);
	return j;
}

/* The fields every record of this run carries, serialised once:
 * ',"host":…,"started":…,"vigil":…,"content":…' (see cli_record_begin). */
static char *record_common;

static json_t *ioc_identity(const vigil_iocs *iocs)
{
	static const struct { const char *name; vigil_ioc_type first, last; } kinds[] = {
		{"hash", VIGIL_IOC_MD5, VIGIL_IOC_SHA256},
		{"filename", VIGIL_IOC_PATH_REGEX, VIGIL_IOC_PATH_REGEX},
		{"network", VIGIL_IOC_DOMAIN, VIGIL_IOC_URL},
	};
	json_t *o = json_object();
	char all[3 * 4 * 65 + 1] = "", id[65];
	for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
		size_t n = 0;
		for (int t = (int)kinds[k].first; t <= (int)kinds[k].last; t++)
			n += vigil_iocs_count(iocs, (vigil_ioc_type)t);
		json_object_set_new(o, kinds[k].name, json_integer((json_int_t)n));
	}
	/* the digest: SHA-256 of the per-type identities, in type order
	 * (the hash types have one identity together) */
	for (int t = VIGIL_IOC_SHA256; t < VIGIL_IOC_TYPE_COUNT; t++) {
		if (vigil_iocs_identity(iocs, t == VIGIL_IOC_SHA256 ? VIGIL_IOC_MD5
								  : (vigil_ioc_type)t, id) != VIGIL_OK) {
			json_object_set_new(o, "sha256", json_null());
			return o;
		}
		memcpy(all + strlen(all), id, 65);
	}
	char hex[65];
	json_object_set_new(o, "sha256", vigil_sha256_hex(all, strlen(all), hex) == VIGIL_OK
						 ? json_string(hex) : json_null());
	return o;
}

json_t *cli_content_identity(const vigil_iocs *iocs, const vigil_rules *rules,
			     const char *rules_id)
{
	json_t *c = json_object();
	if (iocs)
		json_object_set_new(c, "iocs", ioc_identity(iocs));
	if (rules) {
		json_t *r = json_object();
		char id[65];
		/* rules loaded late (a store's re-sweep) are not compiled yet:
		 * their count is not known, their identity is */
		json_object_set_new(r, "count", rules_id && *rules_id ? json_null()
					       : json_integer(vigil_rules_count(rules)));
		json_object_set_new(r, "files", json_integer(vigil_rules_file_count(rules)));
		if (rules_id && *rules_id)
			json_object_set_new(r, "sha256", json_string(rules_id));
		else if (vigil_rules_identity(rules, id) == VIGIL_OK)
			json_object_set_new(r, "sha256", json_string(id));
		else
			json_object_set_new(r, "sha256", json_null());
		json_object_set_new(c, "rules", r);
	}
	return c;
}

int cli_record_begin(const vigil_iocs *iocs, const vigil_rules *rules,
		     const char *rules_id)
{
	char host[256] = "";
	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	char started[32] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm))
		started[0] = '\0';
	json_t *o = json_object();
	json_object_set_new(o, "host", *host ? cli_json_text(host) : json_null());
	json_object_set_new(o, "started", *started ? json_string(started) : json_null());
	json_object_set_new(o, "vigil", json_string(vigil_version()));
	json_object_set_new(o, "content", iocs || rules
						  ? cli_content_identity(iocs, rules, rules_id)
						  : json_null());
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		return -1;
	/* '{"host":…}' becomes ',"host":…' */
	size_t n = strlen(text);
	free(record_common);
	record_common = malloc(n);
	if (record_common) {
		record_common[0] = ',';
		memcpy(record_common + 1, text + 1, n - 2);
		record_common[n - 1] = '\0';
	}
	free(text);
	return record_common ? 0 : -1;
}

void cli_record_end(void)
{
	free(record_common);
	record_common = NULL;
}

int cli_record_puts(FILE *out, const char *text)
{
	char *safe = vigil_json_terminal_safe(text);
	const char *rec = safe ? safe : text;
	/* every record starts {"schema":N,"type":"T": the run's fields go
	 * right after the type */
	const char *at = NULL;
	if (record_common && rec[0] == '{') {
		const char *t = strstr(rec, "\"type\":\"");
		const char *q = t ? strchr(t + 8, '"') : NULL;
		at = q ? q + 1 : rec + 1;
		if (at == rec + 1) {
			/* no type: after the brace, without the leading comma */
			fputc('{', out);
			fputs(record_common + 1, out);
			fputs(rec[1] == '}' ? "" : ",", out);
		} else {
			fwrite(rec, 1, (size_t)(at - rec), out);
			fputs(record_common, out);
		}
		fputs(at, out);
	} else {
		fputs(rec, out);
	}
	free(safe);
	return fputc('\n', out) == EOF ? -1 : 0;
}

json_t *cli_json_record(const char *type)
{
	json_t *rec = json_object();
	json_object_set_new(rec, "schema", json_integer(VIGIL_JSON_SCHEMA));
	json_object_set_new(rec, "type", json_string(type));
	return rec;
}

void cli_json_emit(FILE *out, json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(rec);
	if (!text) {
		fputs("vigil: out of memory writing a record\n", stderr);
		return;
	}
	cli_record_puts(out, text);
	free(text);
}

FILE *cli_open_output(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return stdout;
	FILE *f = fopen(path, "w");
	if (!f) {
		char *e = vigil_escape_str(path);
		fprintf(stderr, "vigil: unable to open '%s': %s\n", e ? e : "", strerror(errno));
		free(e);
	}
	return f;
}

int cli_output_open(struct cli_output *o, const char *path)
{
	*o = (struct cli_output){stdout, NULL, path, 0};
	if (!path || strcmp(path, "-") == 0)
		return 0;
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* a device (/dev/stdout), a FIFO, a symbolic link: written
		 * where it leads, not replaced */
		o->f = cli_open_output(path);
		o->direct = 1;
		return o->f ? 0 : -1;
	}
	size_t n = strlen(path);
	o->tmp = malloc(n + sizeof ".tmp.XXXXXX");
	if (!o->tmp) {
		fputs("vigil: out of memory\n", stderr);
		o->f = NULL;
		return -1;
	}
	memcpy(o->tmp, path, n);
	memcpy(o->tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		char *e = vigil_escape_str(path);
		fprintf(stderr, "vigil: unable to open '%s': %s\n", e ? e : "", strerror(errno));
		free(e);
		free(o->tmp);
		*o = (struct cli_output){0};
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		*o = (struct cli_output){0};
		fputs("vigil: out of memory\n", stderr);
		return -1;
	}
	return 0;
}

void cli_output_abort(struct cli_output *o)
{
	if (o->f && o->tmp) {
		fclose(o->f);
		unlink(o->tmp);
	} else if (o->f && o->direct) {
		fclose(o->f);
	}
	free(o->tmp);
	*o = (struct cli_output){0};
}

int cli_output_commit(struct cli_output *o)
{
	if (!o->f)
		return -1;
	errno = 0;
	int err = fflush(o->f) != 0 || ferror(o->f) ? errno ? errno : EIO : 0;
	if (!o->tmp) {
		if (o->direct && fclose(o->f) != 0 && !err)
			err = errno ? errno : EIO;
		*o = (struct cli_output){0};
		if (err)
			fprintf(stderr, "vigil: unable to write the output: %s\n", strerror(err));
		return err ? -1 : 0;
	}
	if (fclose(o->f) != 0 && !err)
		err = errno ? errno : EIO;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path) != 0)
		err = errno;
	if (err) {
		char *e = vigil_escape_str(o->path);
		fprintf(stderr, "vigil: unable to write '%s': %s\n", e ? e : "", strerror(err));
		free(e);
		unlink(o->tmp);
	}
	free(o->tmp);
	*o = (struct cli_output){0};
	return err ? -1 : 0;
}

char *cli_cache_dir(const char *kind)
{
	const char *v;
	char *out = NULL;
	if ((v = getenv("VIGIL_CACHE_DIR")) && *v)
		out = cli_join3(v, "/", kind);
	else if ((v = getenv("XDG_CACHE_HOME")) && *v == '/')
		out = cli_join3(v, "/vigil/", kind);
	else if ((v = getenv("HOME")) && *v == '/')
		out = cli_join3(v, "/.cache/vigil/", kind);
	return out;
}

char *cli_join3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb);
		memcpy(s + la + lb, c, lc + 1);
	}
	return s;
}

int cli_push(const char ***arr, size_t *n, const char *v)
{
	const char **na = realloc(*arr, (*n + 1) * sizeof *na);
	if (!na)
		return -1;
	na[(*n)++] = v;
	*arr = na;
	return 0;
}

int cli_load_content(vigil_iocs *iocs, vigil_rules *rules, int builtin,
		     const char *const *paths, size_t n, int strict,
		     struct cli_diag *diag)
{
	vigil_iocs_set_diag(iocs, cli_print_diag, diag);
	if (builtin) {
		int r = vigil_content_load(vigil_content_dir(), iocs, rules,
					   cli_print_diag, diag);
		if (r == VIGIL_FATAL)
			return -1;
		if (r == VIGIL_FAILED)
			fprintf(stderr, "vigil: warning: built-in content not loaded\n");
	}
	int st = VIGIL_OK;
	for (size_t i = 0; i < n; i++) {
		int r = vigil_iocs_load(iocs, paths[i], VIGIL_IOC_AUTO);
		if (r > st)
			st = r;
	}
	if (st >= VIGIL_FAILED || (strict && st != VIGIL_OK)) {
		fprintf(stderr, "vigil: IOC input not usable, stopping\n");
		return -1;
	}
	/* loading is over: the scanner's threads and the matchers read it */
	if (vigil_iocs_seal(iocs) != VIGIL_OK) {
		fprintf(stderr, "vigil: IOC set not usable, stopping\n");
		return -1;
	}
	return 0;
}

int cli_content_opt(struct cli_content_args *a, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_IOCS:
	case CLI_OPT_RULES:
		if (c == CLI_OPT_IOCS ? cli_push(&a->iocs, &a->niocs, arg)
				      : cli_push(&a->rules, &a->nrules, arg)) {
			fputs("vigil: out of memory\n", stderr);
			return -1;
		}
		return 1;
	case CLI_OPT_NO_BUILTIN:
		a->no_builtin = 1;
		return 1;
	case CLI_OPT_STRICT:
		a->strict = 1;
		return 1;
	case CLI_OPT_NO_CACHE:
		a->no_cache = 1;
		return 1;
	default:
		return 0;
	}
}

int cli_content_open(const struct cli_content_args *a, struct cli_diag *diag,
		     vigil_iocs **iocs_out, vigil_rules **rules_out)
{
	vigil_iocs *iocs = vigil_iocs_create();
	vigil_rules *rules = vigil_rules_create();
	*iocs_out = NULL;
	*rules_out = NULL;
	if (!iocs || !rules) {
		fputs("vigil: out of memory\n", stderr);
		goto fail;
	}
	vigil_rules_set_diag(rules, cli_print_diag, diag);
	if (cli_load_content(iocs, rules, !a->no_builtin, a->iocs, a->niocs, a->strict,
			     diag) != 0)
		goto fail;
	for (size_t i = 0; i < a->nrules; i++)
		if (vigil_rules_add_path(rules, a->rules[i]) != VIGIL_OK) {
			fputs("vigil: rules do not compile, stopping\n", stderr);
			goto fail;
		}
	char *cache = a->no_cache ? NULL : cli_cache_dir("rules");
	if (cache)
		vigil_rules_set_cache(rules, cache);
	free(cache);
	if (vigil_rules_finish(rules) != VIGIL_OK) {
		fputs("vigil: rules do not compile, stopping\n", stderr);
		goto fail;
	}
	*iocs_out = iocs;
	*rules_out = rules;
	return 0;
fail:
	vigil_rules_destroy(rules);
	vigil_iocs_destroy(iocs);
	return -1;
}

void cli_content_args_free(struct cli_content_args *a)
{
	free(a->iocs);
	free(a->rules);
	a->iocs = a->rules = NULL;
	a->niocs = a->nrules = 0;
}

int cli_require_content(const vigil_iocs *iocs, const vigil_rules *rules,
			int builtin)
{
	size_t n = rules ? vigil_rules_count(rules) : 0;
	for (int t = 0; t < VIGIL_IOC_TYPE_COUNT; t++)
		n += vigil_iocs_count(iocs, (vigil_ioc_type)t);
	if (n || !builtin)
		return 0;
	char *dir = vigil_escape_str(vigil_content_dir());
	fprintf(stderr, "vigil: no content loaded: no IOC and no YARA rule (built-in "
		"content from '%s' not loaded, no --iocs or --rules given)\n"
		"vigil: give --iocs or --rules, set VIGIL_CONTENT_DIR, or say "
		"--no-builtin to sweep with the structural checks and digests only\n",
		dir ? dir : "");
	free(dir);
	return -1;
}

/* Push a copy of p (owned by the list). */
static int self_push(struct cli_self *cs, const char *p)
{
	char *c = p ? strdup(p) : NULL;
	if (!c)
		return p ? -1 : 0;
	const char **np = realloc(cs->paths, (cs->n + 1) * sizeof *np);
	if (!np) {
		free(c);
		return -1;
	}
	cs->paths = np;
	cs->paths[cs->n++] = c;
	return 0;
}

int cli_self_paths(struct cli_self *cs, int builtin, const char *const *iocs,
		   size_t niocs, const char *const *rules, size_t nrules)
{
	memset(cs, 0, sizeof *cs);
	int bad = 0;
	if (builtin) {
		const char *dir = vigil_content_dir();
		bad |= self_push(cs, dir);
		/* the content directory of a source tree: the tree, whose
		 * tests build fixtures that imitate what vigil looks for */
		const char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			char *parent = strndup(dir, (size_t)(slash - dir));
			char *marker = parent ? cli_join3(parent, "/", "include/vigil/vigil.h") : NULL;
			struct stat st;
			if (marker && stat(marker, &st) == 0 && S_ISREG(st.st_mode))
				bad |= self_push(cs, parent);
			free(marker);
			free(parent);
		}
	}
	char *cache = cli_cache_dir("rules");
	bad |= self_push(cs, cache);
	free(cache);
	for (size_t i = 0; i < niocs; i++)
		bad |= self_push(cs, iocs[i]);
	for (size_t i = 0; i < nrules; i++)
		bad |= self_push(cs, rules[i]);
	return bad ? -1 : 0;
}

void cli_self_free(struct cli_self *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		free((char *)cs->paths[i]);
	free(cs->paths);
	memset(cs, 0, sizeof *cs);
}

static volatile sig_atomic_t caught;
static void (*volatile stop_fn)(void *);
static void *volatile stop_ctx;

static void on_signal(int sig)
{
	caught = sig;
	void (*fn)(void *) = stop_fn;
	if (fn)
		fn(stop_ctx);
}

void cli_catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_signal_target(void (*stop)(void *ctx), void *ctx)
{
	stop_fn = NULL; /* never the new function with the old context */
	stop_ctx = ctx;
	stop_fn = stop;
	if (stop && caught)
		stop(ctx); /* caught before there was anything to stop */
}

int cli_signal(void)
{
	return caught;
}

const char *cli_signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}
