/* vigil hunt: new IOCs against the store, without reading a file. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vigil/vigil.h>

#include "cli.h"
#include "config.h"
#include "commands.h"
#include "store_cli.h"

static const char usage[] =
"usage: vigil hunt --iocs PATH [options]\n"
"\n"
"Answer \"which files on this host match these IOCs\" from the store alone:\n"
"hash IOCs against the digests and file-name IOCs against the paths that\n"
"earlier sweeps (vigil scan) recorded; no file is read. Each hit names the\n"
"time of the latest sweep that saw the file.\n"
"\n"
"  --iocs PATH          IOC file or directory (formats as for vigil scan);\n"
"                       repeatable, at least one\n"
"  --builtin            also the built-in content packs' IOCs\n"
"  --strict             a malformed IOC line is fatal\n"
"  --store PATH         the store file (default as for vigil scan)\n"
"  --json               JSON Lines: one record per file with hits, a summary\n"
"  --min-score N        exit 1 when a file scores at least N (default 40)\n"
"  -v, --verbose        more diagnostics\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 no hit, 1 hits at or above --min-score, 2 an error (no\n"
"store, unreadable IOCs).\n"
"\n"
"Example:\n"
"  vigil hunt --iocs new-3cx-hashes.txt\n";

enum { OPT_IOCS = 256, OPT_BUILTIN, OPT_STRICT, OPT_STORE, OPT_JSON, OPT_MINSCORE };

static const struct option long_opts[] = {
	{"iocs", required_argument, NULL, OPT_IOCS},
	{"builtin", no_argument, NULL, OPT_BUILTIN},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"store", required_argument, NULL, OPT_STORE},
	{"json", no_argument, NULL, OPT_JSON},
	{"min-score", required_argument, NULL, OPT_MINSCORE},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct hunt {
	int json;
	long min_score;
	unsigned long files, hits;
};

static void time_text(int64_t ns, char out[32])
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	if (ns <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		memcpy(out, "unknown", sizeof "unknown");
}

static void on_hit(void *ctx, const vigil_file_result *r, int64_t seen_ns)
{
	struct hunt *h = ctx;
	char when[32];
	time_text(seen_ns, when);
	h->files++;
	if (r->score >= h->min_score)
		h->hits++;
	if (h->json) {
		char *text = vigil_file_result_json(r);
		json_t *rec = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
		if (!rec) {
			fputs("vigil: out of memory writing a record\n", stderr);
			return;
		}
		json_object_set_new(rec, "seen", json_string(when));
		json_object_set_new(rec, "seen_ns", json_integer((json_int_t)seen_ns));
		cli_json_emit(stdout, rec);
		return;
	}
	char *path = vigil_escape_str(r->path);
	printf("%s\n  score %d, seen by the sweep of %s\n", path ? path : "", r->score, when);
	free(path);
	for (size_t i = 0; i < r->nfindings; i++) {
		const vigil_finding *f = &r->findings[i];
		char *id = vigil_escape_str(f->id), *src = vigil_escape_str(f->source),
		     *msg = vigil_escape_str(f->message);
		printf("  [%3d] %-8s %s\n        %s%s%s\n", f->score, f->kind, id ? id : "",
		       msg && *msg ? msg : "", msg && *msg ? "  " : "", src ? src : "");
		free(id);
		free(src);
		free(msg);
	}
}

int cmd_hunt(int argc, char **argv)
{
	if (config_apply("hunt", long_opts, &argc, &argv) != 0)
		return 2;
	const char **paths = NULL;
	size_t npaths = 0;
	int builtin = 0, strict = 0, c, rc = 2;
	struct store_cli so = {0};
	struct hunt h = {.min_score = 40};
	struct cli_diag diag = {0};
	vigil_iocs *iocs = NULL;
	vigil_store *st = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_IOCS:
			if (cli_push(&paths, &npaths, optarg)) {
				fputs("vigil: out of memory\n", stderr);
				goto done;
			}
			break;
		case OPT_BUILTIN:
			builtin = 1;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_STORE:
			so.path = optarg;
			break;
		case OPT_JSON:
			h.json = 1;
			break;
		case OPT_MINSCORE:
			if (cli_opt_int("min-score", optarg, 0, 100, &h.min_score))
				goto done;
			break;
		case 'v':
			diag.verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			rc = 0;
			goto done;
		default:
			fputs("vigil: see 'vigil hunt --help'\n", stderr);
			goto done;
		}
	}
	if (optind < argc || (!npaths && !builtin)) {
		fputs(optind < argc ? "vigil: hunt takes no PATH (it reads the store)\n"
				    : "vigil: hunt needs --iocs\n", stderr);
		fputs("vigil: see 'vigil hunt --help'\n", stderr);
		goto done;
	}
	if (!(iocs = vigil_iocs_create())) {
		fputs("vigil: out of memory\n", stderr);
		goto done;
	}
	if (cli_load_content(iocs, NULL, builtin, paths, npaths, strict, &diag) != 0 ||
	    cli_record_begin(iocs, NULL, NULL) != 0 || store_cli_open(&so, &diag, &st))
		goto done;
	if (!st) {
		fputs("vigil: hunt needs a store (VIGIL_STORE is off)\n", stderr);
		goto done;
	}
	uint64_t checked = 0;
	if (vigil_store_hunt(st, iocs, on_hit, &h, &checked) != VIGIL_OK)
		goto done;
	if (h.json) {
		json_t *rec = cli_json_record("summary");
		json_object_set_new(rec, "files_checked", json_integer((json_int_t)checked));
		json_object_set_new(rec, "files_with_hits", json_integer((json_int_t)h.files));
		json_object_set_new(rec, "hits", json_integer((json_int_t)h.hits));
		cli_json_emit(stdout, rec);
	} else {
		printf("%s--- summary ---\nstored files checked %llu, with hits %lu (%lu at or above score %ld)\n",
		       h.files ? "\n" : "", (unsigned long long)checked, h.files, h.hits, h.min_score);
	}
	rc = h.hits ? 1 : 0;
done:
	vigil_store_close(st);
	vigil_iocs_destroy(iocs);
	cli_record_end();
	free(paths);
	return rc;
}
