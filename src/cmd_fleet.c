/* vigil fleet: the fleet database (init-db) and questions over every
 * host's reported sweeps (hunt, file, findings, hosts). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/vigil.h>

#include "cli.h"
#include "commands.h"
#include "fleet_cli.h"

static const char usage[] =
"usage: vigil fleet init-db [--print] [options]\n"
"       vigil fleet hunt --iocs PATH [options]\n"
"       vigil fleet file SHA256|MD5|SHA1|NAME-GLOB [options]\n"
"       vigil fleet findings [--since TIME] [--min-score N] [options]\n"
"       vigil fleet hosts [--stale DAYS] [options]\n"
"\n"
"Questions over every host's sweeps in the fleet database (PostgreSQL),\n"
"answered without touching a host (hosts deliver with vigil push or\n"
"vigil scan --report).\n"
"  init-db    create the schema, the roles vigil_ingest and vigil_analyst\n"
"             and the row-level security (as the database's owner, once);\n"
"             --print shows the SQL instead\n"
"  hunt       hash IOCs against every version of every file any host\n"
"             reported, file-name IOCs against their paths: host, path,\n"
"             first and last seen, whether it is still there\n"
"  file       where a file is now: by digest, or by a glob on the file\n"
"             name (* and ?); on how many hosts, since when\n"
"  findings   the findings in the hosts' current files\n"
"  hosts      every host's last push and sweep; --stale DAYS: only those\n"
"             that did not push for DAYS days\n"
"\n"
"  --db URL             the database: a postgresql:// URL or libpq\n"
"                       key=value string (default $VIGIL_DB, else libpq's\n"
"                       PGHOST, PGSERVICE... variables)\n"
"  --iocs PATH          IOC file or directory (hunt; repeatable)\n"
"  --strict             a malformed IOC line is fatal (hunt)\n"
"  --since TIME         findings delivered at or after TIME (ISO 8601,\n"
"                       e.g. 2026-12-01 or 2026-12-01T10:00:00Z)\n"
"  --min-score N        findings scoring at least N (default 40)\n"
"  --stale DAYS         hosts: only those not pushed for DAYS days\n"
"  --json               JSON Lines: one record per answer, then a summary\n"
"  -v, --verbose        more diagnostics\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 nothing matched, 1 matches (for hosts --stale: stale\n"
"hosts; for hosts alone and init-db: 0), 2 an error.\n"
"\n"
"Example:\n"
"  VIGIL_DB='postgresql://alice@fleetdb/vigil?sslmode=verify-full' \\\n"
"    vigil fleet hunt --iocs 3cx-hashes.txt\n";

enum { OPT_DB = 256, OPT_IOCS, OPT_STRICT, OPT_SINCE, OPT_MINSCORE, OPT_STALE,
       OPT_JSON, OPT_PRINT };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"iocs", required_argument, NULL, OPT_IOCS},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"since", required_argument, NULL, OPT_SINCE},
	{"min-score", required_argument, NULL, OPT_MINSCORE},
	{"stale", required_argument, NULL, OPT_STALE},
	{"json", no_argument, NULL, OPT_JSON},
	{"print", no_argument, NULL, OPT_PRINT},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct out {
	int json;
	const char *what; /* the record type */
};

static void set_str(json_t *rec, const char *key, const char *v)
{
	if (v)
		json_object_set_new(rec, key, cli_json_text(v));
}

static void show(const char *label, const char *v)
{
	if (!v || !*v)
		return;
	char *e = vigil_escape_str(v);
	printf("  %s %s\n", label, e ? e : "");
	free(e);
}

static void on_row(void *ctx, const vigil_fleet_row *r)
{
	struct out *o = ctx;
	if (o->json) {
		json_t *rec = cli_json_record(o->what);
		set_str(rec, "host_id", r->host_id);
		set_str(rec, "hostname", r->hostname);
		if (r->path)
			json_object_set_new(rec, "path", cli_json_text(r->path));
		set_str(rec, "md5", r->md5);
		set_str(rec, "sha1", r->sha1);
		set_str(rec, "sha256", r->sha256);
		if (strcmp(o->what, "host") == 0) {
			set_str(rec, "os", r->os);
			set_str(rec, "vigil_version", r->vigil_version);
			set_str(rec, "content_version", r->content_version);
			json_object_set_new(rec, "last_sweep", json_integer((json_int_t)r->sweep_id));
			set_str(rec, "last_sweep_started", r->swept);
			json_object_set_new(rec, "last_sweep_complete", json_boolean(r->complete));
			json_object_set_new(rec, "files", json_integer((json_int_t)r->files));
			set_str(rec, "first_push", r->first_seen);
			set_str(rec, "last_push", r->last_seen);
			json_object_set_new(rec, "stale", json_boolean(r->stale));
		} else {
			set_str(rec, "first_seen", r->first_seen);
			set_str(rec, "last_seen", r->last_seen);
			json_object_set_new(rec, "present", json_boolean(r->present));
			json_object_set_new(rec, "score", json_integer(r->score));
		}
		if (r->ioc) {
			set_str(rec, "ioc", r->ioc);
			set_str(rec, "ioc_comment", r->ioc_comment);
			set_str(rec, "ioc_source", r->ioc_source);
		}
		if (r->kind) {
			set_str(rec, "kind", r->kind);
			set_str(rec, "id", r->ident);
			set_str(rec, "message", r->message);
		}
		cli_json_emit(stdout, rec);
		return;
	}
	char *host = vigil_escape_str(r->host_id ? r->host_id : "");
	char *name = vigil_escape_str(r->hostname ? r->hostname : "");
	if (strcmp(o->what, "host") == 0) {
		printf("%s (%s)%s\n", host ? host : "", name ? name : "", r->stale ? "  STALE" : "");
		printf("  last push %s, sweep %lld started %s%s, %lld files\n",
		       r->last_seen ? r->last_seen : "-", (long long)r->sweep_id,
		       r->swept ? r->swept : "-", r->complete ? "" : " (incomplete)",
		       (long long)r->files);
		show("os", r->os);
		show("vigil", r->vigil_version);
		show("content", r->content_version);
	} else {
		char *path = vigil_escape_str(r->path ? r->path : "");
		printf("%s (%s) %s\n", host ? host : "", name ? name : "", path ? path : "");
		free(path);
		if (r->kind) {
			char *id = vigil_escape_str(r->ident ? r->ident : "");
			char *msg = vigil_escape_str(r->message ? r->message : "");
			printf("  [%3d] %-8s %s  %s\n", r->score, r->kind, id ? id : "", msg ? msg : "");
			free(id);
			free(msg);
		}
		if (r->ioc) {
			char *ioc = vigil_escape_str(r->ioc), *c = vigil_escape_str(r->ioc_comment ? r->ioc_comment : "");
			printf("  [%3d] ioc %s%s%s\n", r->score, ioc ? ioc : "", c && *c ? "  " : "", c ? c : "");
			free(ioc);
			free(c);
		}
		printf("  sha256 %s\n  first seen %s, last seen %s%s\n", r->sha256 ? r->sha256 : "-",
		       r->first_seen ? r->first_seen : "-", r->last_seen ? r->last_seen : "-",
		       r->present ? "" : " (gone)");
	}
	free(host);
	free(name);
}

static void summary(const struct out *o, const char *key, uint64_t n, uint64_t hosts)
{
	if (o->json) {
		json_t *rec = cli_json_record("summary");
		json_object_set_new(rec, key, json_integer((json_int_t)n));
		if (hosts)
			json_object_set_new(rec, "hosts", json_integer((json_int_t)hosts));
		cli_json_emit(stdout, rec);
	} else {
		printf("%s--- summary ---\n%s %llu", n ? "\n" : "", key, (unsigned long long)n);
		if (hosts)
			printf(", on %llu hosts", (unsigned long long)hosts);
		putchar('\n');
	}
}

/* counts distinct hosts of the rows as they come (sorted by host) */
struct counted {
	struct out o;
	char last[64];
	uint64_t hosts;
};

static void on_counted(void *ctx, const vigil_fleet_row *r)
{
	struct counted *c = ctx;
	if (r->host_id && strncmp(c->last, r->host_id, sizeof c->last - 1) != 0) {
		snprintf(c->last, sizeof c->last, "%s", r->host_id);
		c->hosts++;
	}
	on_row(&c->o, r);
}

int cmd_fleet(int argc, char **argv)
{
	struct fleet_cli fo = {0};
	struct cli_diag diag = {0};
	const char **iocs = NULL;
	size_t niocs = 0;
	const char *since = NULL;
	long min_score = 40, stale = 0;
	int strict = 0, print = 0, c, rc = 2;
	vigil_iocs *set = NULL;
	vigil_fleet *f = NULL;
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			fo.db = optarg;
			break;
		case OPT_IOCS:
			if (cli_push(&iocs, &niocs, optarg)) {
				fputs("vigil: out of memory\n", stderr);
				goto done;
			}
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_MINSCORE:
			if (cli_opt_int("min-score", optarg, 0, 100, &min_score))
				goto done;
			break;
		case OPT_STALE:
			if (cli_opt_int("stale", optarg, 1, 36500, &stale))
				goto done;
			break;
		case OPT_JSON:
			fo.json = 1;
			break;
		case OPT_PRINT:
			print = 1;
			break;
		case 'v':
			diag.verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			rc = 0;
			goto done;
		default:
			fputs("vigil: see 'vigil fleet --help'\n", stderr);
			goto done;
		}
	}
	int is_init = strcmp(sub, "init-db") == 0, is_hunt = strcmp(sub, "hunt") == 0,
	    is_file = strcmp(sub, "file") == 0, is_findings = strcmp(sub, "findings") == 0,
	    is_hosts = strcmp(sub, "hosts") == 0;
	if (!is_init && !is_hunt && !is_file && !is_findings && !is_hosts) {
		fprintf(stderr, "vigil: fleet: unknown command '%s'\nvigil: see 'vigil fleet --help'\n", sub);
		goto done;
	}
	if ((is_file ? argc - optind != 1 : optind < argc) || (is_hunt && !niocs)) {
		fprintf(stderr, "vigil: fleet %s: %s\nvigil: see 'vigil fleet --help'\n", sub,
			is_file ? "needs one SHA256, MD5, SHA1 or NAME-GLOB"
				: is_hunt && !niocs && optind >= argc ? "needs --iocs" : "takes no operand");
		goto done;
	}
	if (is_init && print) {
		fputs(vigil_fleet_schema_sql(), stdout);
		rc = 0;
		goto done;
	}
	if (is_hunt) {
		if (!(set = vigil_iocs_create())) {
			fputs("vigil: out of memory\n", stderr);
			goto done;
		}
		if (cli_load_content(set, NULL, 0, iocs, niocs, strict, &diag) != 0)
			goto done;
	}
	fo.host_id = "analyst"; /* a query needs none; no machine id read */
	if (fleet_cli_connect(&fo, &diag, &f))
		goto done;
	uint64_t n = 0;
	struct counted cnt = {{fo.json, "hit"}, "", 0};
	int s;
	if (is_init) {
		s = vigil_fleet_init_db(f);
		if (s == VIGIL_OK)
			fputs("vigil: fleet: schema 'vigil' and roles vigil_ingest, vigil_analyst created\n", stderr);
		rc = s == VIGIL_OK ? 0 : 2;
		goto done;
	} else if (is_hunt) {
		s = vigil_fleet_hunt(f, set, on_counted, &cnt, &n);
		if (s == VIGIL_OK)
			summary(&cnt.o, "hits", n, cnt.hosts);
	} else if (is_file) {
		cnt.o.what = "file";
		s = vigil_fleet_file(f, argv[optind], on_counted, &cnt, &n);
		if (s == VIGIL_OK)
			summary(&cnt.o, "files", n, cnt.hosts);
	} else if (is_findings) {
		cnt.o.what = "finding";
		s = vigil_fleet_findings(f, since, (int)min_score, on_row, &cnt.o, &n);
		if (s == VIGIL_OK)
			summary(&cnt.o, "findings", n, 0);
	} else {
		cnt.o.what = "host";
		s = vigil_fleet_hosts(f, (int)stale, on_row, &cnt.o, &n);
		if (s == VIGIL_OK)
			summary(&cnt.o, stale ? "stale_hosts" : "hosts_listed", n, 0);
		if (!stale)
			n = 0; /* listing hosts matches nothing */
	}
	rc = s != VIGIL_OK ? 2 : n ? 1 : 0;
done:
	vigil_fleet_close(f);
	vigil_iocs_destroy(set);
	free(iocs);
	return rc;
}
