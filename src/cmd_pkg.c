/* vigil pkg verify: the installed packages' files against the package
 * manager's digests, cached .debs against apt's lists, unowned
 * executables. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vigil/escape.h>
#include <vigil/pkg.h>

#include "cli.h"
#include "config.h"
#include "commands.h"

static const char usage[] =
"usage: vigil pkg verify [options] [PACKAGE...]\n"
"\n"
"Verify the files of the installed packages (Debian's dpkg database) against\n"
"their md5sums, the conffiles against the status file's digests (reported\n"
"apart, as notices), honouring dpkg's diversions; compare every package\n"
"whose .deb is in var/cache/apt/archives with it, once the .deb's SHA-256\n"
"matches apt's lists; and report executables (ELF, #! scripts, PE) in system\n"
"directories that no package owns, and those under /usr/local and /opt as\n"
"not package-managed. PACKAGE (name or name:arch) limits the verification\n"
"to those packages (and leaves out the unowned executables).\n"
"\n"
"Options:\n"
"  --root DIR           the system's root (a mounted disk or image); the\n"
"                       database and the files are read under DIR and no\n"
"                       symlink leads out of it (default /)\n"
"  --threads N          hashing threads (default: one per CPU)\n"
"  --no-debs            do not compare with cached .debs\n"
"  --no-unowned         do not look for unowned executables\n"
"  --min-score N        exit 1 when a finding scores at least N (default 60:\n"
"                       changed conffiles and missing files do not count)\n"
"  --json               JSON Lines: a package record per finding, then a\n"
"                       summary record\n"
"  --output FILE        write results to FILE instead of standard output\n"
"  -v, --verbose        info-level messages too\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 nothing found, 1 a finding at or above --min-score, 2 an\n"
"error (no dpkg database under the root, a named package not installed,\n"
"bad option). Malformed lines of the databases and unreadable files are\n"
"reported on standard error with the file (and line) and the run goes on.\n"
"\n"
"Example:\n"
"  vigil pkg verify --root /mnt/image --json\n";

enum {
	OPT_ROOT = 256, OPT_THREADS, OPT_NO_DEBS, OPT_NO_UNOWNED, OPT_MINSCORE,
	OPT_JSON, OPT_OUTPUT,
};

static const struct option long_opts[] = {
	{"root", required_argument, NULL, OPT_ROOT},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"no-debs", no_argument, NULL, OPT_NO_DEBS},
	{"no-unowned", no_argument, NULL, OPT_NO_UNOWNED},
	{"min-score", required_argument, NULL, OPT_MINSCORE},
	{"json", no_argument, NULL, OPT_JSON},
	{"output", required_argument, NULL, OPT_OUTPUT},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct pkg_out {
	FILE *out;
	int json;
	long min_score;
	unsigned long hits, written;
	int oom;
};

static void print_text(struct pkg_out *o, const vigil_pkg_result *r)
{
	char *path = r->path ? vigil_escape_str(r->path) : NULL;
	char *disk = r->disk_path ? vigil_escape_str(r->disk_path) : NULL;
	char *pkg = r->package ? vigil_escape_str(r->package) : NULL;
	if ((r->path && !path) || (r->disk_path && !disk) || (r->package && !pkg)) {
		o->oom = 1;
	} else {
		fprintf(o->out, "%-7s %s %s %s", vigil_level_name(r->finding.level),
			r->finding.id, pkg ? pkg : "-", path ? path : "-");
		if (disk)
			fprintf(o->out, " (read as %s)", disk);
		fprintf(o->out, ": %s", r->finding.message);
		if (r->expected && r->actual)
			fprintf(o->out, " (%s expected %s, found %s)", r->digest, r->expected,
				r->actual);
		else if (r->actual)
			fprintf(o->out, " (%s %s)", r->digest, r->actual);
		fputc('\n', o->out);
	}
	free(path);
	free(disk);
	free(pkg);
}

static void on_result(void *ctx, const vigil_pkg_result *r)
{
	struct pkg_out *o = ctx;
	if (r->finding.score >= o->min_score)
		o->hits++;
	o->written++;
	if (!o->json) {
		print_text(o, r);
		return;
	}
	char *j = vigil_pkg_result_json(r);
	if (!j) {
		o->oom = 1;
		return;
	}
	cli_record_puts(o->out, j);
	free(j);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void summary(struct pkg_out *o, const vigil_pkg_stats *st, double secs)
{
	if (o->json) {
		json_t *rec = cli_json_record("summary");
		if (!rec) {
			o->oom = 1;
			return;
		}
		json_object_set_new(rec, "packages", json_integer((json_int_t)st->packages));
		json_object_set_new(rec, "files", json_integer((json_int_t)st->files));
		json_object_set_new(rec, "conffiles", json_integer((json_int_t)st->conffiles));
		json_object_set_new(rec, "debs", json_integer((json_int_t)st->debs));
		json_object_set_new(rec, "unowned_checked",
				    json_integer((json_int_t)st->unowned_checked));
		json_object_set_new(rec, "bytes", json_integer((json_int_t)st->bytes));
		json_object_set_new(rec, "unreadable", json_integer((json_int_t)st->unreadable));
		json_object_set_new(rec, "malformed", json_integer((json_int_t)st->malformed));
		json_object_set_new(rec, "findings", json_integer((json_int_t)o->written));
		json_object_set_new(rec, "hits", json_integer((json_int_t)o->hits));
		json_object_set_new(rec, "seconds", json_real(secs));
		cli_json_emit(o->out, rec);
		return;
	}
	fprintf(o->out,
		"%lu packages, %lu files and %lu conffiles hashed (%.1f MiB), %lu cached "
		".debs compared, %lu executables checked for an owner; %lu findings "
		"(%lu alert, %lu warning, %lu notice, %lu other), %lu unreadable, "
		"%lu malformed lines, %.2f s\n",
		st->packages, st->files, st->conffiles, (double)st->bytes / 1048576.0,
		st->debs, st->unowned_checked, o->written,
		st->by_level[VIGIL_LEVEL_ALERT], st->by_level[VIGIL_LEVEL_WARNING],
		st->by_level[VIGIL_LEVEL_NOTICE], st->by_level[VIGIL_LEVEL_NONE],
		st->unreadable, st->malformed, secs);
}

static int cmd_verify(int argc, char **argv)
{
	if (config_apply("pkg", long_opts, &argc, &argv) != 0)
		return 2;
	vigil_pkg_options opt;
	vigil_pkg_options_init(&opt);
	struct cli_diag diag = {0};
	struct pkg_out o = {.min_score = 60};
	const char *output = NULL;
	long threads = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
			opt.root = optarg;
			break;
		case OPT_THREADS:
			if (cli_opt_int("threads", optarg, 1, 64, &threads))
				return 2;
			opt.threads = (unsigned)threads;
			break;
		case OPT_NO_DEBS:
			opt.debs = 0;
			break;
		case OPT_NO_UNOWNED:
			opt.unowned = 0;
			break;
		case OPT_MINSCORE:
			if (cli_opt_int("min-score", optarg, 0, 100, &o.min_score))
				return 2;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_OUTPUT:
			output = optarg;
			break;
		case 'v':
			diag.verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil pkg --help'\n", stderr);
			return 2;
		}
	}
	opt.packages = (const char *const *)argv + optind;
	opt.npackages = (size_t)(argc - optind);
	vigil_pkgverify *v = vigil_pkgverify_create(&opt);
	if (!v) {
		fprintf(stderr, "vigil: out of memory\n");
		return 2;
	}
	if (cli_record_begin(NULL, NULL, NULL) != 0 || !(o.out = cli_open_output(output))) {
		cli_record_end();
		vigil_pkgverify_destroy(v);
		return 2;
	}
	vigil_pkgverify_set_diag(v, cli_print_diag, &diag);
	vigil_pkgverify_set_callback(v, on_result, &o);
	double t0 = seconds();
	int st = vigil_pkgverify_run(v);
	vigil_pkg_stats stats;
	vigil_pkgverify_stats(v, &stats);
	int rc;
	if (st == VIGIL_FATAL) {
		rc = 2;
	} else {
		summary(&o, &stats, seconds() - t0);
		rc = o.oom ? 2 : o.hits ? 1 : stats.not_installed ? 2 : 0;
	}
	if (o.oom)
		fprintf(stderr, "vigil: out of memory\n");
	if (o.out != stdout && fclose(o.out) != 0) {
		fprintf(stderr, "vigil: unable to write the output\n");
		rc = 2;
	}
	vigil_pkgverify_destroy(v);
	cli_record_end();
	return rc;
}

int cmd_pkg(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "verify")) {
		fprintf(stderr, "vigil: unknown pkg command '%s' (verify)\n", argv[1]);
		return 2;
	}
	return cmd_verify(argc - 1, argv + 1);
}
