/* vigil logs: hunt network IOCs in DNS, proxy and flow logs. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vigil/iocs.h>
#include <vigil/logs.h>

#include "cli.h"
#include "config.h"
#include "commands.h"
#include "logs_report.h"

static const char usage[] =
"usage: vigil logs [options] FILE|DIR|-...\n"
"\n"
"Search DNS, proxy and flow logs for network IOCs (C2 domains and their\n"
"subdomains, IPv4/IPv6 addresses and CIDR ranges, URLs). The format is\n"
"detected per file; gzip, zstd, xz, bzip2, lz4, lzip, lzma and compress\n"
"files are read as they are; directories are walked; '-' is standard input.\n"
"\n"
"Formats (--format): zeek (TSV dns/http/ssl/conn...), json (Zeek JSON and\n"
"Suricata eve.json), bind, dnsmasq, squid, windns (Windows DNS debug log),\n"
"generic (domains, addresses and URLs anywhere in a line), auto (default).\n"
"\n"
"Content:\n"
"  --iocs PATH          IOC file or directory (signature-base c2-iocs format,\n"
"                       or threat-intel formats); repeatable\n"
"  --no-builtin         do not load the built-in content packs\n"
"  --strict             a malformed IOC line is fatal\n"
"Input:\n"
"  --format FMT         read every file as FMT instead of detecting it\n"
"  --max-line SIZE      longest line kept (default 1M); longer lines are\n"
"                       skipped and reported\n"
"  --follow-symlinks    read a symbolic link named or found below a directory\n"
"                       (default: an error when named, skipped below)\n"
"  --year YEAR          year of time stamps that have none (dnsmasq/syslog;\n"
"                       default: the year the file was last modified)\n"
"Output:\n"
"  --json               JSON Lines: a hit record per match, an ioc record\n"
"                       per IOC seen, then a summary record\n"
"  --summary            only the per-IOC summary and the totals\n"
"  --output FILE        write results to FILE instead of standard output\n"
"  -v, --verbose        info-level messages too\n"
"  -h, --help           this help\n"
"\n"
"Time stamps are shown in ISO-8601 UTC; formats that do not say their zone\n"
"(BIND, dnsmasq, Windows DNS) are taken as UTC.\n"
"\n"
"Exit status: 0 no hit, 1 at least one hit, 2 an error that stopped the\n"
"run (bad option, no network IOC loaded) or, with no hit, a file compressed\n"
"in a form vigil cannot read or a FILE that could not be opened (missing,\n"
"not a regular file, a symbolic link without --follow-symlinks). Malformed lines are reported on standard\n"
"error with FILE:LINE and counted; they do not change the status.\n"
"\n"
"Example:\n"
"  vigil logs --iocs signature-base/iocs/c2-iocs.txt /var/log/zeek/\n";

enum {
	OPT_IOCS = 256, OPT_NO_BUILTIN, OPT_STRICT, OPT_FORMAT, OPT_MAXLINE,
	OPT_YEAR, OPT_JSON, OPT_SUMMARY, OPT_OUTPUT, OPT_FOLLOW,
};

static const struct option long_opts[] = {
	{"iocs", required_argument, NULL, OPT_IOCS},
	{"no-builtin", no_argument, NULL, OPT_NO_BUILTIN},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"max-line", required_argument, NULL, OPT_MAXLINE},
	{"year", required_argument, NULL, OPT_YEAR},
	{"follow-symlinks", no_argument, NULL, OPT_FOLLOW},
	{"json", no_argument, NULL, OPT_JSON},
	{"summary", no_argument, NULL, OPT_SUMMARY},
	{"output", required_argument, NULL, OPT_OUTPUT},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct logs_args {
	const char **iocs;
	size_t niocs;
	int builtin, strict, json, summary, verbose, follow;
	vigil_logfmt fmt;
	uint64_t max_line;
	long year;
	const char *output;
};

/* Returns -1 to continue, else an exit code. */
static int parse_args(int argc, char **argv, struct logs_args *a)
{
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_IOCS:
			if (cli_push(&a->iocs, &a->niocs, optarg)) {
				fprintf(stderr, "vigil: out of memory\n");
				return 2;
			}
			break;
		case OPT_NO_BUILTIN:
			a->builtin = 0;
			break;
		case OPT_STRICT:
			a->strict = 1;
			break;
		case OPT_FORMAT:
			if (vigil_logfmt_parse(optarg, &a->fmt)) {
				fprintf(stderr, "vigil: unknown --format '%s' (zeek, json, bind, "
					"dnsmasq, squid, windns, generic, auto)\n", optarg);
				return 2;
			}
			break;
		case OPT_MAXLINE:
			if (cli_opt_size("max-line", optarg, 256, 1u << 30, &a->max_line))
				return 2;
			break;
		case OPT_YEAR:
			if (cli_opt_int("year", optarg, 1970, 9999, &a->year))
				return 2;
			break;
		case OPT_FOLLOW:
			a->follow = 1;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_SUMMARY:
			a->summary = 1;
			break;
		case OPT_OUTPUT:
			a->output = optarg;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil logs --help'\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("vigil: no log file given (use '-' for standard input)\n"
		      "vigil: see 'vigil logs --help'\n", stderr);
		return 2;
	}
	return -1;
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t network_count(const vigil_iocs *iocs)
{
	return vigil_iocs_count(iocs, VIGIL_IOC_DOMAIN) +
	       vigil_iocs_count(iocs, VIGIL_IOC_IPV4) +
	       vigil_iocs_count(iocs, VIGIL_IOC_IPV6) +
	       vigil_iocs_count(iocs, VIGIL_IOC_URL);
}

/* the signal handler's way to stop the run (cli_signal_target) */
static void stop_logscan(void *s)
{
	vigil_logscan_stop(s);
}

int cmd_logs(int argc, char **argv)
{
	if (config_apply("logs", long_opts, &argc, &argv) != 0)
		return 2;
	struct logs_args a = {.builtin = 1};
	struct cli_diag diag = {0};
	vigil_iocs *iocs = NULL;
	vigil_netmatch *m = NULL;
	vigil_logscan *scan = NULL;
	struct logs_report *rep = NULL;
	struct cli_output output = {0};
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		goto done;
	rc = 2;
	diag.verbose = a.verbose;

	if (!(iocs = vigil_iocs_create())) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	if (cli_load_content(iocs, NULL, a.builtin, a.iocs, a.niocs, a.strict,
			     &diag) != 0)
		goto done;
	if (cli_record_begin(iocs, NULL, NULL) != 0) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	size_t nnet = network_count(iocs);
	if (nnet == 0) {
		fprintf(stderr, "vigil: no network IOC loaded (give --iocs with a c2-iocs "
			"file, or drop --no-builtin)\n");
		goto done;
	}
	unsigned long ioc_warnings = diag.warnings;
	if (!(m = vigil_netmatch_create(iocs))) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	if (a.verbose)
		fprintf(stderr, "vigil: %zu domain, %zu IPv4, %zu IPv6, %zu URL IOCs\n",
			vigil_netmatch_count(m, VIGIL_IOC_DOMAIN),
			vigil_netmatch_count(m, VIGIL_IOC_IPV4),
			vigil_netmatch_count(m, VIGIL_IOC_IPV6),
			vigil_netmatch_count(m, VIGIL_IOC_URL));
	cli_catch_signals(); /* from here a signal ends in a report */
	if (cli_output_open(&output, a.output) != 0)
		goto done;
	rep = logs_report_create(output.f, a.json, a.summary);
	scan = rep ? vigil_logscan_create(m) : NULL;
	if (scan)
		vigil_logscan_set_callback(scan, logs_report_hit, rep);
	if (!scan) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	vigil_logscan_set_diag(scan, cli_print_diag, &diag);
	if (a.max_line)
		vigil_logscan_set_max_line(scan, (size_t)a.max_line);
	if (a.year)
		vigil_logscan_set_year(scan, (int)a.year);
	vigil_logscan_set_follow_symlinks(scan, a.follow);

	double t0 = seconds();
	int fatal = 0;
	cli_signal_target(stop_logscan, scan); /* stops at once if caught */
	for (int i = optind; i < argc && !fatal && !cli_signal(); i++)
		fatal = vigil_logscan_path(scan, argv[i], a.fmt) == VIGIL_FATAL;
	cli_signal_target(NULL, NULL);
	int sig = cli_signal();
	if (sig)
		logs_report_set_interrupted(rep, cli_signal_name(sig));
	vigil_logstats stats;
	vigil_logscan_stats(scan, &stats);
	logs_report_finish(rep, &stats, seconds() - t0, ioc_warnings, nnet);
	if (fatal || !logs_report_ok(rep)) {
		fprintf(stderr, "vigil: out of memory\n");
		rc = 2;
	} else if (sig) {
		rc = 128 + sig; /* 130 SIGINT, 143 SIGTERM */
	} else {
		/* a file that could not be read at all (a compression vigil
		 * cannot read) is an error, unless a hit says more */
		rc = stats.hits ? 1 : stats.files_unreadable ? 2 : 0;
	}
	if (cli_output_commit(&output) != 0)
		rc = 2;
done:
	cli_output_abort(&output); /* not committed: nothing is left behind */
	vigil_logscan_destroy(scan);
	logs_report_destroy(rep);
	vigil_netmatch_destroy(m);
	vigil_iocs_destroy(iocs);
	cli_record_end();
	free(a.iocs);
	return rc;
}
