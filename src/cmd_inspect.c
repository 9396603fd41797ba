/* vigil inspect: the anatomy of one binary (or several), for an analyst. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil/escape.h>
#include <vigil/inspect.h>

#include "cli.h"
#include "config.h"
#include "commands.h"
#include "inspect_text.h"

static const char usage[] =
"usage: vigil inspect [options] FILE...\n"
"       vigil inspect [options] 'CONTAINER!/MEMBER'...\n"
"\n"
"Show a binary's anatomy: format and architecture, sections with entropy,\n"
"imports and exports, version information, Authenticode signatures (signer,\n"
"issuer, serial, thumbprint, digest, signing time, timestamp; digest and\n"
"signature checked), certificate-table slack, overlay, ELF interpreter,\n"
"needed libraries and build-id, Mach-O dylibs and code signature, URLs,\n"
"domains and IPv4 addresses in its strings, and the findings `vigil scan`\n"
"reports on the file with the same content: hash, file-name and YARA\n"
"matches and the tampering checks (docs/detections.md).\n"
"\n"
"A FILE that is an archive or installer also lists its member tree (path,\n"
"depth, format, type, size, digests, file type, signature summary of PE,\n"
"ELF and Mach-O members, and every skipped or damaged member with why).\n"
"A member named as in `vigil scan` (a.zip!/b.tar!/x.dll) is inspected as a\n"
"file would be; one not found is an error (exit 2).\n"
"\n"
"Content (as in `vigil scan`):\n"
CLI_CONTENT_USAGE
"Output:\n"
"  --json               one JSON object per file (JSON Lines), every detail\n"
"  --ca-file FILE       PEM roots: also say whether each signer chains to one\n"
"                       and may sign code (at a valid timestamp's time)\n"
"  --max-size SIZE      largest file read (default 1G)\n"
"  --max-network N      network indicators kept per file (default 1000)\n"
"  --min-score N        exit 1 when a file scores at least N (default 40)\n"
"  --output FILE        write to FILE instead of standard output\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 nothing found, 1 a file scored at least --min-score,\n"
"2 a file could not be inspected or a bad option (the other files are\n"
"still shown).\n";

enum { OPT_JSON = 256, OPT_CA, OPT_MAXSIZE, OPT_MAXNET, OPT_MINSCORE, OPT_OUTPUT };

static const struct option long_opts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"ca-file", required_argument, NULL, OPT_CA},
	{"max-size", required_argument, NULL, OPT_MAXSIZE},
	{"max-network", required_argument, NULL, OPT_MAXNET},
	{"min-score", required_argument, NULL, OPT_MINSCORE},
	{"output", required_argument, NULL, OPT_OUTPUT},
	CLI_CONTENT_LONG_OPTS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct inspect_args {
	int json;
	long min_score, max_network;
	uint64_t max_size;
	const char *ca_file, *output;
	struct cli_content_args content;
};

/* Returns -1 to continue, else an exit code. */
static int parse_args(int argc, char **argv, struct inspect_args *a)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		int taken = cli_content_opt(&a->content, c, optarg);
		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_CA:
			a->ca_file = optarg;
			break;
		case OPT_MAXSIZE:
			if (cli_opt_size("max-size", optarg, 1, UINT64_MAX, &a->max_size))
				return 2;
			break;
		case OPT_MAXNET:
			if (cli_opt_int("max-network", optarg, 1, 100000, &a->max_network))
				return 2;
			break;
		case OPT_MINSCORE:
			if (cli_opt_int("min-score", optarg, 0, 100, &a->min_score))
				return 2;
			break;
		case OPT_OUTPUT:
			a->output = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil inspect --help'\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("vigil: inspect needs at least one FILE\n", stderr);
		return 2;
	}
	/* checked here so that a typo fails even when no file is signed */
	if (a->ca_file && access(a->ca_file, R_OK) != 0) {
		char *e = vigil_escape_str(a->ca_file);
		fprintf(stderr, "vigil: %s: --ca-file: %s\n", e ? e : "?", strerror(errno));
		free(e);
		return 2;
	}
	return -1;
}

struct content {
	const vigil_iocs *iocs;
	const vigil_rules *rules;
	struct cli_diag *diag;
	vigil_emit_fn emit;
	void *emit_ctx;
};

/* vigil_match_buffer's result: its findings go to inspect's record; a
 * part of the matching that failed is said, naming the file. */
static void on_match(void *ctx, const vigil_file_result *r)
{
	struct content *c = ctx;
	for (size_t i = 0; i < r->nfindings; i++)
		c->emit(c->emit_ctx, &r->findings[i]);
	if (r->error) {
		char msg[160];
		snprintf(msg, sizeof msg, "content matching incomplete: %s",
			 r->error_detail ? r->error_detail : "error");
		vigil_diag d = {VIGIL_DIAG_WARNING, r->path, 0, msg};
		cli_print_diag(c->diag, &d);
	}
}

/* What `vigil scan` matches on the file, but the structural checks, which
 * inspect runs itself on its own parse. */
static void match_content(void *ctx, const uint8_t *buf, size_t len, const char *name,
			  vigil_emit_fn emit, void *emit_ctx)
{
	struct content *c = ctx;
	struct stat st;
	long uid = name && stat(name, &st) == 0 ? (long)st.st_uid : -1;
	c->emit = emit;
	c->emit_ctx = emit_ctx;
	if (vigil_match_buffer(c->iocs, c->rules, name, buf, len, uid, 0, on_match, c) ==
	    VIGIL_FATAL) {
		vigil_diag d = {VIGIL_DIAG_ERROR, name, 0, "content not matched: out of memory"};
		cli_print_diag(c->diag, &d);
	}
}

/* The container of a member named in the notation "outer!/member": the
 * shortest part before a "!/" that is an existing regular file, or NULL.
 * (A file whose own name holds "!/" is tried first by the caller.) */
static char *member_container(const char *arg)
{
	for (const char *p = strstr(arg, "!/"); p; p = strstr(p + 1, "!/")) {
		char *c = strndup(arg, (size_t)(p - arg));
		struct stat st;
		if (c && stat(c, &st) == 0 && S_ISREG(st.st_mode))
			return c;
		free(c);
	}
	return NULL;
}

/* A string of the model for the terminal: escaped when it needs it. */
static void put_str(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!vigil_escape_needed(s, strlen(s))) {
		fputs(s, out);
		return;
	}
	char *e = vigil_escape_str(s);
	fputs(e ? e : "?", out);
	free(e);
}

/* The member tree: one line per record, indented by depth, then its
 * digests and signature summary. */
static void print_members(FILE *out, json_t *members)
{
	size_t i;
	json_t *o;
	fprintf(out, "members: %zu\n", json_array_size(members));
	json_array_foreach(members, i, o) {
		int depth = (int)json_integer_value(json_object_get(o, "depth"));
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *status = json_string_value(json_object_get(o, "status"));
		json_t *size = json_object_get(o, "size");
		fprintf(out, "%*s", 2 * depth, "");
		put_str(out, json_string_value(json_object_get(o, "path")));
		fprintf(out, "  [");
		put_str(out, json_string_value(json_object_get(o, "container_format")));
		fprintf(out, "] %s", type ? type : "?");
		if (json_is_integer(size))
			fprintf(out, " %lld bytes", (long long)json_integer_value(size));
		const char *ft = json_string_value(json_object_get(o, "filetype"));
		if (ft)
			fprintf(out, " %s", ft);
		if (json_is_true(json_object_get(o, "opened")))
			fputs(" (opened)", out);
		if (status && strcmp(status, "ok") != 0) {
			fprintf(out, " %s", status);
			const char *lim = json_string_value(json_object_get(o, "limit"));
			if (lim)
				fprintf(out, " (%s)", lim);
			fputs(": ", out);
			put_str(out, json_string_value(json_object_get(o, "detail")));
		}
		fputc('\n', out);
		const char *sha = json_string_value(json_object_get(o, "sha256"));
		if (sha)
			fprintf(out, "%*s  md5 %s sha1 %s sha256 %s\n", 2 * depth, "",
				json_string_value(json_object_get(o, "md5")),
				json_string_value(json_object_get(o, "sha1")), sha);
		json_t *b = json_object_get(o, "binary");
		if (json_is_object(b)) {
			fprintf(out, "%*s  ", 2 * depth, "");
			put_str(out, json_string_value(json_object_get(b, "format")));
			json_t *sg = json_object_get(b, "signed");
			if (json_is_true(sg)) {
				fputs(", signed", out);
				const char *who = json_string_value(json_object_get(b, "signer"));
				if (who) {
					fputs(" by ", out);
					put_str(out, who);
				}
				json_t *dm = json_object_get(b, "digest_match");
				if (json_is_boolean(dm))
					fprintf(out, ", digest %s", json_is_true(dm) ? "matches" : "MISMATCH");
			} else if (json_is_false(sg)) {
				fputs(", not signed", out);
			} else {
				fputs(": ", out);
				put_str(out, json_string_value(json_object_get(b, "format_error")));
			}
			fputc('\n', out);
		}
	}
}

int cmd_inspect(int argc, char **argv)
{
	if (config_apply("inspect", long_opts, &argc, &argv) != 0)
		return 2;
	struct inspect_args a = {.min_score = 40, .max_size = (uint64_t)1 << 30};
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0) {
		cli_content_args_free(&a.content);
		return rc;
	}
	struct cli_diag diag = {0};
	vigil_iocs *iocs = NULL;
	vigil_rules *rules = NULL;
	rc = cli_content_open(&a.content, &diag, &iocs, &rules);
	cli_content_args_free(&a.content);
	if (rc)
		return 2;
	FILE *out = cli_record_begin(iocs, rules, NULL) == 0 ? cli_open_output(a.output)
							    : NULL;
	if (!out) {
		vigil_rules_destroy(rules);
		vigil_iocs_destroy(iocs);
		return 2;
	}
	struct content content = {iocs, rules, &diag, NULL, NULL};
	vigil_inspect_options opt;
	vigil_inspect_options_init(&opt);
	opt.ca_file = a.ca_file;
	opt.max_network = (size_t)a.max_network;
	opt.content = match_content;
	opt.content_ctx = &content;
	int status = 0, shown = 0;
	for (int i = optind; i < argc; i++) {
		char *text = NULL, *members = NULL;
		struct stat st;
		const char *arg = argv[i];
		char *outer = stat(arg, &st) == 0 ? NULL : member_container(arg);
		int ist;
		if (outer) {
			ist = vigil_inspect_member(outer, arg, &opt, &text, cli_print_diag, &diag);
			free(outer);
		} else {
			ist = vigil_inspect_file(arg, a.max_size, &opt, &text, cli_print_diag, &diag);
			if (ist == VIGIL_OK)
				ist = vigil_inspect_members(arg, &opt, &members, cli_print_diag,
							   &diag);
		}
		if (ist == VIGIL_FATAL) {
			free(text);
			status = 2;
			break;
		}
		if (ist != VIGIL_OK) {
			free(text);
			status = 2;
			continue;
		}
		/* the text is the record; parsed for the score and the renderer */
		json_t *r = json_loads(text, 0, NULL);
		json_t *m = members ? json_loads(members, 0, NULL) : NULL;
		free(members);
		if (!r || (members && !m) ||
		    (m && json_object_set_new(r, "members", m) != 0)) {
			fputs("vigil: out of memory\n", stderr);
			json_decref(r);
			free(text);
			status = 2;
			break;
		}
		if (json_integer_value(json_object_get(r, "score")) >= a.min_score && status == 0)
			status = 1;
		if (a.json) {
			char *full = m ? json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
			cli_record_puts(out, full ? full : text);
			free(full);
		} else {
			if (shown++)
				fputc('\n', out);
			inspect_print_text(out, r);
			if (m)
				print_members(out, m);
		}
		json_decref(r);
		free(text);
	}
	vigil_rules_destroy(rules);
	vigil_iocs_destroy(iocs);
	cli_record_end();
	if (out != stdout && fclose(out) != 0) {
		fputs("vigil: error writing the output\n", stderr);
		return 2;
	}
	fflush(stdout);
	return status;
}
