/* Helpers shared by the subcommands. */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdint.h>
#include <getopt.h>
#include <stdio.h>

#include <jansson.h>
#include <vigil/intel.h>
#include <vigil/iocs.h>
#include <vigil/rules.h>
#include <vigil/vigil.h>

/* Diagnostics printer: "vigil: FILE:LINE: message" on stderr, names
 * escaped. ctx is a struct cli_diag. */
struct cli_diag {
	int verbose;     /* print info-level messages too */
	unsigned long warnings, errors;
};
void cli_print_diag(void *ctx, const vigil_diag *d);

/* "128M", "4k", "1G", "2T", "1000" -> bytes; 0 on success, -1 if malformed. */
int cli_parse_size(const char *s, uint64_t *out);
/* A whole number in [lo, hi]; 0 on success. */
int cli_parse_int(const char *s, long lo, long hi, long *out);
/* The same for the value arg of option --name, saying on stderr what is
 * wrong with it ("vigil: invalid --name 'arg' (range)"); 0 or -1. */
int cli_opt_int(const char *name, const char *arg, long lo, long hi, long *out);
int cli_opt_size(const char *name, const char *arg, uint64_t lo, uint64_t hi,
		 uint64_t *out);

/* For the records the CLI builds itself (summaries, log hits): the
 * library's rules of <vigil/report.h>, which records of results come
 * from, with the library's rule for untrusted text: kept as is when it
 * is readable UTF-8, escaped (vigil_escape) when it holds anything a
 * terminal acts on or is not UTF-8; NULL is JSON null (pass "" to get "").
 * Never NULL unless out of memory. */
json_t *cli_json_text(const char *s);
/* A JSON string of an escaped path, as the text output shows it; JSON
 * null for NULL. */
json_t *cli_json_path(const char *path);
/* Write one compact JSON record and a newline; steals rec. */
void cli_json_emit(FILE *out, json_t *rec);
/* A new record with the schema version and type fields set. */
json_t *cli_json_record(const char *type);

/*
 * The fields every JSON record of the run carries, right after "type":
 * "host" (gethostname), "started" (now, RFC 3339 UTC: the sweep's start),
 * "vigil" (the version) and "content" ({"iocs": {"hash", "filename",
 * "network" counts, "sha256"}, "rules": {"count", "files", "sha256"}},
 * null when the command loads none; rules_id, when not NULL or "", is the
 * rules' identity known before they are compiled: "count" is then null).
 * Serialised once;
 * cli_record_puts adds them to a record's text. -1 when out of memory.
 */
int cli_record_begin(const vigil_iocs *iocs, const vigil_rules *rules,
		     const char *rules_id);
void cli_record_end(void);
/* Write a record (JSON text of an object, from any writer) with the
 * run's fields and a newline; as is before cli_record_begin. */
int cli_record_puts(FILE *out, const char *rec);
/* The "content" object above, for `vigil --version`. */
json_t *cli_content_identity(const vigil_iocs *iocs, const vigil_rules *rules,
			     const char *rules_id);

/* The cache directory for kind ("rules"): $VIGIL_CACHE_DIR/kind, else
 * $XDG_CACHE_HOME/vigil/kind, else $HOME/.cache/vigil/kind; NULL if none.
 * Caller frees. */
char *cli_cache_dir(const char *kind);
/* a + b + c in a new string. */
char *cli_join3(const char *a, const char *b, const char *c);

/* Append v to a growing array of option values; -1 when out of memory. */
int cli_push(const char ***arr, size_t *n, const char *v);

/*
 * Load the built-in packs (IOCs, and rules when rules is not NULL) unless
 * builtin is 0, then every --iocs path, and seal the IOC set (no adds
 * after this; lookups thread-safe). Returns -1, after saying why, when
 * the run must stop: content that cannot be read, or with strict any
 * malformed IOC line.
 */
int cli_load_content(vigil_iocs *iocs, vigil_rules *rules, int builtin,
		     const char *const *paths, size_t n, int strict,
		     struct cli_diag *diag);

/*
 * The content options every command that matches files takes alike
 * (`vigil inspect`; the same as `vigil scan`'s): --iocs PATH and --rules
 * PATH (repeatable), --no-builtin, --strict, --no-rules-cache. Put
 * CLI_CONTENT_LONG_OPTS in the getopt_long table and hand every option to
 * cli_content_opt() first; CLI_CONTENT_USAGE is their help text.
 */
enum { CLI_OPT_IOCS = 0x1000, CLI_OPT_RULES, CLI_OPT_NO_BUILTIN, CLI_OPT_STRICT,
       CLI_OPT_NO_CACHE };
#define CLI_CONTENT_LONG_OPTS \
	{"iocs", required_argument, NULL, CLI_OPT_IOCS}, \
	{"rules", required_argument, NULL, CLI_OPT_RULES}, \
	{"no-builtin", no_argument, NULL, CLI_OPT_NO_BUILTIN}, \
	{"strict", no_argument, NULL, CLI_OPT_STRICT}, \
	{"no-rules-cache", no_argument, NULL, CLI_OPT_NO_CACHE}
#define CLI_CONTENT_USAGE \
"  --iocs PATH          IOC file or directory: Loki hash/filename/c2 files,\n" \
"                       STIX 2.x bundles, MISP JSON or CSV, plain lists\n" \
"                       (told by content, then name); repeatable\n" \
"  --rules PATH         YARA rule file (.yar/.yara) or directory; repeatable\n" \
"  --no-builtin         do not load the built-in content packs\n" \
"  --strict             a malformed IOC line is fatal\n" \
"  --no-rules-cache     compile the rules even when a cached compilation of\n" \
"                       the same sources exists ($VIGIL_CACHE_DIR, else\n" \
"                       $XDG_CACHE_HOME/vigil or ~/.cache/vigil)\n"
struct cli_content_args {
	const char **iocs, **rules;
	size_t niocs, nrules;
	int no_builtin, strict, no_cache;
};
/* 1: c was a content option (taken), 0: not one, -1: out of memory (said). */
int cli_content_opt(struct cli_content_args *a, int c, const char *arg);
/*
 * Create the IOC set and the rules, load the built-in packs (unless
 * --no-builtin), --iocs and --rules, seal and finish them (the rules
 * through the cache unless --no-rules-cache). 0 with *iocs and *rules set;
 * -1, after saying why, when the run must stop (nothing to free).
 */
int cli_content_open(const struct cli_content_args *a, struct cli_diag *diag,
		     vigil_iocs **iocs, vigil_rules **rules);
void cli_content_args_free(struct cli_content_args *a);

/*
 * After loading: a run that wanted the built-in content (builtin) and has
 * no content at all (no IOC of any kind, no rule: the content directory
 * missing and nothing given with --iocs or --rules) would pass every file
 * as clean: -1 after saying so. With --no-builtin any content, even none,
 * was asked for: 0.
 */
int cli_require_content(const vigil_iocs *iocs, const vigil_rules *rules,
			int builtin);

/*
 * vigil's own paths, which vigil scan prunes below its roots: the content
 * directory (when builtin), the source tree around it (when it holds
 * include/vigil/vigil.h), the rules cache directory, and every --iocs and
 * --rules path. -1 when out of memory. cli_self_free releases them.
 */
struct cli_self {
	const char **paths;
	size_t n;
};
int cli_self_paths(struct cli_self *cs, int builtin, const char *const *iocs,
		   size_t niocs, const char *const *rules, size_t nrules);
void cli_self_free(struct cli_self *cs);

/* Open --output (or stdout for NULL or "-"); NULL with a message. */
FILE *cli_open_output(const char *path);

/*
 * --output written whole or not at all: cli_output_open opens a temporary
 * FILE.tmp.XXXXXX in FILE's directory (mode 0666 less the umask; stdout
 * for NULL or "-"), cli_output_commit flushes, closes and renames it to
 * FILE (0; -1 with a message on a write error, the temporary removed),
 * cli_output_abort closes and removes it. Either may be called once. A
 * FILE that exists and is not a regular file (a device, a FIFO, a
 * symbolic link) is opened and written in place, not replaced.
 */
struct cli_output {
	FILE *f;
	char *tmp;        /* NULL for stdout or direct */
	const char *path;
	int direct;       /* not a regular file: written in place */
};
int cli_output_open(struct cli_output *o, const char *path);
int cli_output_commit(struct cli_output *o);
void cli_output_abort(struct cli_output *o);

/*
 * SIGINT and SIGTERM stop a long run, whose report is then finished and
 * written: cli_catch_signals installs the handlers (SA_RESETHAND: a second
 * signal has its default action, the process ends at once); the handler
 * only stores the signal's number and calls stop(ctx), which must be
 * async-signal-safe (an atomic store), when cli_signal_target set one.
 * cli_signal() is the signal caught (0: none), cli_signal_name its name.
 */
void cli_catch_signals(void);
void cli_signal_target(void (*stop)(void *ctx), void *ctx);
int cli_signal(void);
const char *cli_signal_name(int sig);

#endif
