/* vigil scan: the one-pass IOC, YARA and tampering sweep. */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#include <vigil/iocs.h>
#include <vigil/rules.h>
#include <vigil/scan.h>

#include "allowlist.h"
#include "cli.h"
#include "config.h"
#include "commands.h"
#include "scan_report.h"
#include "scanlist.h"
#include "store_cli.h"
#include "fleet_cli.h"

static const char usage[] =
"usage: vigil scan [options] [PATH...]\n"
"       vigil scan [options] -            (standard input as one file)\n"
"\n"
"Sweep files once: hash them (MD5, SHA-1, SHA-256), match hash and file-name\n"
"IOCs, run YARA rules and the structural tampering checks of signed binaries.\n"
"Without PATH, sweeps the usual software locations of the host:\n"
"  /usr /opt /home /root /srv /tmp /var/tmp (pseudo file systems pruned).\n"
"\n"
"Content:\n"
"  --iocs PATH          IOC file or directory: Loki hash/filename/c2 files,\n"
"                       STIX 2.x bundles, MISP JSON or CSV, plain lists\n"
"                       (told by content, then name); repeatable\n"
"  --rules PATH         YARA rule file (.yar/.yara) or directory; repeatable\n"
"  --no-builtin         do not load the built-in content packs\n"
"  --strict             a malformed IOC line is fatal\n"
"  --no-checks          skip the structural tampering checks\n"
"  --no-rules-cache     compile the rules even when a cached compilation of\n"
"                       the same sources exists ($VIGIL_CACHE_DIR, else\n"
"                       $XDG_CACHE_HOME/vigil or ~/.cache/vigil)\n"
"Walk:\n"
"  --scan-list FILE     sweep the paths listed in FILE, one per line ('-':\n"
"                       standard input), besides any PATH; repeatable\n"
"  --scan-list0 FILE    the same, the paths separated by NUL bytes\n"
"  --exclude GLOB       prune paths matching GLOB (full path; a plain\n"
"                       directory path prunes everything below); repeatable\n"
"  --follow-symlinks    follow symbolic links (with loop protection)\n"
"  --one-file-system    stay on the file system of each PATH\n"
"  --no-self-exclude    also sweep vigil's own content, rules and IOC files\n"
"                       it loaded, its rules cache and its source tree\n"
"                       (pruned below the PATHs by default)\n"
"  --max-size SIZE      largest file given to YARA and the checks (default\n"
"                       128M); larger files are still hashed\n"
"  --max-hash-size SIZE largest file read at all (default 4G); larger ones\n"
"                       are listed as not examined (hash-limit), names only\n"
"  --memory-limit SIZE  file buffers of all threads together (default a\n"
"                       quarter of RAM, at most 1G; 'none': threads x\n"
"                       max-size); a file larger than it can hold is streamed\n"
"Archives and installers (opened by default, nested; see docs/cli.md):\n"
"  --no-archives        do not open containers: every file is one file\n"
"  --max-depth N        deepest member level read (default 10)\n"
"  --max-expanded SIZE  member bytes read per top-level file (default 8G)\n"
"  --max-ratio N        member bytes read per byte of the top-level file\n"
"                       (default 200; never below 1 GiB)\n"
"  --max-members N      members read per container (default 100000)\n"
"  --max-member-size SIZE  largest member read (default 4G)\n"
"Resources:\n"
"  --threads N          worker threads (default: online CPUs)\n"
"  --nice               lowest CPU and I/O priority\n"
"  --cpu-limit PERCENT  hold the process near PERCENT of the machine's CPU\n"
"Output:\n"
"  --json               JSON Lines: one record per file, then a summary\n"
"  --format FORMAT      text (default), json (= --json) or lines: one line\n"
"                       per finding, LEVEL<TAB>SCORE<TAB>ID<TAB>PATH, the\n"
"                       summary on standard error\n"
"  -q, --quiet          findings only: no summary, no progress\n"
"  -s, --strings        YARA findings show the matched strings (offset,\n"
"                       identifier, first 64 bytes; 16 matches per string);\n"
"                       every file is read (as with --rescan)\n"
"  --allow FILE         allow-list: findings accepted by path glob and ID,\n"
"                       left out and counted as suppressed; repeatable\n"
"  --output FILE        write results to FILE instead of standard output\n"
"                       (to a temporary beside it, renamed when complete)\n"
"  --min-score N        exit 1 when a file scores at least N (default 40)\n"
"Store (files unchanged since the last sweep are not read again):\n"
"  --store PATH         the store file (default $VIGIL_STORE, else\n"
"                       $XDG_STATE_HOME/vigil/store.db or\n"
"                       ~/.local/state/vigil/store.db; /var/lib/vigil/store.db\n"
"                       for root); VIGIL_STORE=off runs without\n"
"  --no-store           neither read nor write the store\n"
"  --rescan             read every file again (the store is still updated)\n"
"  --rebuild            discard the store file and start a new one\n"
"  --report URL         then send the sweep to the fleet database (PostgreSQL,\n"
"                       see vigil push); unreachable: kept in the store\n"
"  --host-id ID         this host's fleet id (default: from /etc/machine-id)\n"
"  --config FILE        read options from FILE after /etc/vigil/vigil.conf and\n"
"                       ~/.config/vigil/vigil.conf (the command line wins)\n"
"  --no-config          read no configuration file but those of --config\n"
"  -v, --verbose        list skipped files and errors, rule warnings\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 nothing found, 1 findings at or above --min-score,\n"
"2 an error: one that stopped the sweep (bad option, rule that does not\n"
"compile, no content loaded without --no-builtin), or a PATH that could not\n"
"be swept (missing, unreadable; the other PATHs are swept first).\n"
"Unreadable files and damaged archives or members are reported (error\n"
"'damaged' for the latter) and do not change the exit status.\n"
"SIGINT or SIGTERM stops the sweep: the report of what was found is finished\n"
"(summary marked interrupted), exit 130 or 143; a second signal ends at once.\n"
"\n"
"Example:\n"
"  vigil scan --iocs signature-base/iocs --rules signature-base/yara /opt\n";

static const char *const default_roots[] = {
	"/usr", "/opt", "/usr/local", "/home", "/root", "/srv", "/tmp", "/var/tmp",
};

/* the signal handler's way to stop the sweep (cli_signal_target) */
static void stop_scanner(void *s)
{
	vigil_scanner_stop(s);
}

struct progress {
	vigil_scanner *scanner;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;
	uint64_t total; /* files to sweep when known (0: a walk, unknown) */
};

/* The number of files a sweep of roots will see, when it is known before
 * the walk: every root named (or listed) is a regular file. A directory
 * makes it unknown (0): its walk is not counted ahead. */
static uint64_t known_total(const char *const *roots, size_t n, int named)
{
	if (!named || !n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (lstat(roots[i], &st) != 0 || !S_ISREG(st.st_mode))
			return 0;
	}
	return n;
}

static void *progress_main(void *arg)
{
	struct progress *p = arg;
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &until);
		if (p->stop)
			break;
		vigil_scan_stats st;
		vigil_scanner_stats(p->scanner, &st);
		double mb = st.bytes_read / 1048576.0;
		fprintf(stderr, "\r\033[Kscanning: %llu files, %.0f MiB, %.1f MiB/s",
			(unsigned long long)st.files_seen, mb,
			st.elapsed > 0 ? mb / st.elapsed : 0.0);
		if (p->total && st.files_seen <= p->total) {
			/* by files, the measure that is known ahead */
			double done = (double)st.files_seen / (double)p->total;
			fprintf(stderr, ", %.0f%%", 100.0 * done);
			if (done > 0.01 && st.elapsed > 1.0) {
				double left = st.elapsed * (1.0 - done) / done;
				fprintf(stderr, ", ETA %ld:%02ld", (long)left / 60, (long)left % 60);
			}
		}
	}
	fprintf(stderr, "\r\033[K");
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Lowest CPU priority, and idle I/O class where the kernel has one. */
static void lower_priority(void)
{
	if (setpriority(PRIO_PROCESS, 0, 19) != 0)
		fprintf(stderr, "vigil: warning: unable to lower the CPU priority\n");
#if defined(__linux__) && defined(SYS_ioprio_set)
	/* IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_IDLE = 3 << 13 */
	if (syscall(SYS_ioprio_set, 1, 0, 3 << 13) != 0)
		fprintf(stderr, "vigil: warning: unable to lower the I/O priority\n");
#endif
}

/* Drop roots inside another root (/usr/local under /usr) and absent ones. */
static size_t pick_default_roots(const char **out)
{
	size_t n = 0, nd = sizeof default_roots / sizeof *default_roots;
	for (size_t i = 0; i < nd; i++) {
		struct stat st;
		int inside = 0;
		for (size_t j = 0; j < nd; j++) {
			size_t l = strlen(default_roots[j]);
			if (j != i && strncmp(default_roots[i], default_roots[j], l) == 0 &&
			    default_roots[i][l] == '/')
				inside = 1;
		}
		if (!inside && lstat(default_roots[i], &st) == 0 && S_ISDIR(st.st_mode))
			out[n++] = default_roots[i];
	}
	return n;
}

enum {
	OPT_IOCS = 256, OPT_RULES, OPT_NO_BUILTIN, OPT_STRICT, OPT_NO_CHECKS,
	OPT_EXCLUDE, OPT_FOLLOW, OPT_ONEFS, OPT_MAXSIZE, OPT_THREADS, OPT_NICE,
	OPT_CPULIMIT, OPT_JSON, OPT_OUTPUT, OPT_MINSCORE, OPT_NO_CACHE,
	OPT_NO_ARCHIVES, OPT_MAX_DEPTH, OPT_MAX_EXPANDED, OPT_MAX_RATIO,
	OPT_MAX_MEMBERS, OPT_MAX_MEMBER_SIZE,
	OPT_MAXHASH, OPT_NO_SELF, OPT_MEMLIMIT,
	OPT_STORE, OPT_NO_STORE, OPT_RESCAN, OPT_REBUILD, OPT_REPORT, OPT_HOST_ID,
	OPT_SCAN_LIST, OPT_SCAN_LIST0, OPT_ALLOW, OPT_FORMAT, OPT_STRINGS,
};

static const struct option long_opts[] = {
	{"iocs", required_argument, NULL, OPT_IOCS},
	{"rules", required_argument, NULL, OPT_RULES},
	{"no-builtin", no_argument, NULL, OPT_NO_BUILTIN},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"no-checks", no_argument, NULL, OPT_NO_CHECKS},
	{"no-rules-cache", no_argument, NULL, OPT_NO_CACHE},
	{"exclude", required_argument, NULL, OPT_EXCLUDE},
	{"follow-symlinks", no_argument, NULL, OPT_FOLLOW},
	{"one-file-system", no_argument, NULL, OPT_ONEFS},
	{"max-size", required_argument, NULL, OPT_MAXSIZE},
	{"memory-limit", required_argument, NULL, OPT_MEMLIMIT},
	{"no-archives", no_argument, NULL, OPT_NO_ARCHIVES},
	{"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"max-expanded", required_argument, NULL, OPT_MAX_EXPANDED},
	{"max-ratio", required_argument, NULL, OPT_MAX_RATIO},
	{"max-members", required_argument, NULL, OPT_MAX_MEMBERS},
	{"max-member-size", required_argument, NULL, OPT_MAX_MEMBER_SIZE},
	{"max-hash-size", required_argument, NULL, OPT_MAXHASH},
	{"no-self-exclude", no_argument, NULL, OPT_NO_SELF},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"nice", no_argument, NULL, OPT_NICE},
	{"cpu-limit", required_argument, NULL, OPT_CPULIMIT},
	{"json", no_argument, NULL, OPT_JSON},
	{"output", required_argument, NULL, OPT_OUTPUT},
	{"min-score", required_argument, NULL, OPT_MINSCORE},
	{"store", required_argument, NULL, OPT_STORE},
	{"no-store", no_argument, NULL, OPT_NO_STORE},
	{"rescan", no_argument, NULL, OPT_RESCAN},
	{"rebuild", no_argument, NULL, OPT_REBUILD},
	{"report", required_argument, NULL, OPT_REPORT},
	{"host-id", required_argument, NULL, OPT_HOST_ID},
	{"scan-list", required_argument, NULL, OPT_SCAN_LIST},
	{"scan-list0", required_argument, NULL, OPT_SCAN_LIST0},
	{"allow", required_argument, NULL, OPT_ALLOW},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"strings", no_argument, NULL, OPT_STRINGS},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

struct scan_args {
	const char **iocs, **rules, **excludes;
	size_t niocs, nrules, nexcludes;
	int builtin, strict, json, verbose, nice, no_cache, no_self, rescan;
	int lines, quiet;
	struct scanlist list;     /* --scan-list paths */
	int list_stdin;           /* a list was read from standard input */
	int have_list;            /* a list was given (maybe empty) */
	struct allowlist *allow;
	struct store_cli store;
	struct fleet_cli report; /* --report URL, --host-id */
	long min_score;
	const char *output;
	vigil_scan_options opt;
};

/*
 * `vigil scan -`: standard input as one file, named "-", through the same
 * matcher as a file of the sweep (not opened as an archive, not stored).
 * Larger than --max-size: not examined, an error (exit 2). 0, or -1 when
 * it could not be examined.
 */
static int scan_standard_input(const struct scan_args *a, const vigil_iocs *iocs,
			       const vigil_rules *rules, struct scan_report *rep)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = scanlist_read_stdin(&buf, &len, a->opt.max_size);
	if (r == 1) {
		fprintf(stderr, "vigil: standard input is larger than --max-size (%llu bytes): "
			"not examined\n", (unsigned long long)a->opt.max_size);
		return -1;
	}
	if (r != 0)
		return -1;
	scan_report_add_read(rep, 1, len);
	int st = vigil_match_buffer(iocs, rules, "-", buf ? buf : (const uint8_t *)"", len,
				    -1, !a->opt.no_checks, scan_report_file, rep);
	free(buf);
	if (st == VIGIL_FATAL) {
		fputs("vigil: out of memory examining standard input\n", stderr);
		return -1;
	}
	return 0;
}

/* Returns -1 to continue, else an exit code. */
static int parse_args(int argc, char **argv, struct scan_args *a)
{
	long v;
	uint64_t size;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qsvh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_IOCS:
			if (cli_push(&a->iocs, &a->niocs, optarg)) {
				fputs("vigil: out of memory\n", stderr);
				return 2;
			}
			break;
		case OPT_RULES:
			if (cli_push(&a->rules, &a->nrules, optarg)) {
				fputs("vigil: out of memory\n", stderr);
				return 2;
			}
			break;
		case OPT_EXCLUDE:
			if (cli_push(&a->excludes, &a->nexcludes, optarg)) {
				fputs("vigil: out of memory\n", stderr);
				return 2;
			}
			break;
		case OPT_NO_BUILTIN:
			a->builtin = 0;
			break;
		case OPT_STRICT:
			a->strict = 1;
			break;
		case OPT_NO_CHECKS:
			a->opt.no_checks = 1;
			break;
		case OPT_NO_CACHE:
			a->no_cache = 1;
			break;
		case OPT_FOLLOW:
			a->opt.follow_symlinks = 1;
			break;
		case OPT_ONEFS:
			a->opt.one_file_system = 1;
			break;
		case OPT_MAXSIZE:
			if (cli_opt_size("max-size", optarg, 1, UINT64_MAX, &size))
				return 2;
			a->opt.max_size = size;
			break;
		case OPT_MEMLIMIT:
			if (strcmp(optarg, "none") == 0)
				size = UINT64_MAX;
			else if (cli_opt_size("memory-limit", optarg, 16u << 20,
					      UINT64_MAX - 1, &size))
				return 2;
			a->opt.memory_limit = size;
			break;
		case OPT_NO_ARCHIVES:
			a->opt.no_archives = 1;
			break;
		case OPT_MAX_DEPTH:
			if (cli_opt_int("max-depth", optarg, 1, 64, &v))
				return 2;
			a->opt.max_depth = (unsigned)v;
			break;
		case OPT_MAX_EXPANDED:
			if (cli_opt_size("max-expanded", optarg, 1, UINT64_MAX, &size))
				return 2;
			a->opt.max_expanded = size;
			break;
		case OPT_MAX_RATIO:
			if (cli_opt_int("max-ratio", optarg, 1, 1000000000L, &v))
				return 2;
			a->opt.max_ratio = (uint64_t)v;
			break;
		case OPT_MAX_MEMBERS:
			if (cli_opt_int("max-members", optarg, 1, 1000000000L, &v))
				return 2;
			a->opt.max_members = (uint64_t)v;
			break;
		case OPT_MAX_MEMBER_SIZE:
			if (cli_opt_size("max-member-size", optarg, 1, UINT64_MAX, &size))
				return 2;
			a->opt.max_member_size = size;
			break;
		case OPT_MAXHASH:
			if (cli_opt_size("max-hash-size", optarg, 1, UINT64_MAX, &size))
				return 2;
			a->opt.max_hash_size = size;
			break;
		case OPT_THREADS:
			if (cli_opt_int("threads", optarg, 1, 256, &v))
				return 2;
			a->opt.threads = (unsigned)v;
			break;
		case OPT_NICE:
			a->nice = 1;
			break;
		case OPT_NO_SELF:
			a->no_self = 1;
			break;
		case OPT_CPULIMIT:
			if (cli_opt_int("cpu-limit", optarg, 1, 100, &v))
				return 2;
			a->opt.cpu_limit = (int)v;
			break;
		case OPT_JSON:
			a->json = 1;
			break;
		case OPT_OUTPUT:
			a->output = optarg;
			break;
		case OPT_MINSCORE:
			if (cli_opt_int("min-score", optarg, 0, 100, &a->min_score))
				return 2;
			break;
		case OPT_STORE:
			a->store.path = optarg;
			break;
		case OPT_NO_STORE:
			a->store.off = 1;
			break;
		case OPT_RESCAN:
			a->rescan = 1;
			break;
		case OPT_REBUILD:
			a->store.rebuild = 1;
			break;
		case OPT_REPORT:
			a->report.db = optarg;
			break;
		case OPT_HOST_ID:
			a->report.host_id = optarg;
			break;
		case OPT_SCAN_LIST:
		case OPT_SCAN_LIST0:
			if (strcmp(optarg, "-") == 0 && a->list_stdin++) {
				fputs("vigil: standard input read as a scan list twice\n", stderr);
				return 2;
			}
			if (scanlist_read(&a->list, optarg, c == OPT_SCAN_LIST ? '\n' : '\0'))
				return 2;
			a->have_list = 1;
			break;
		case OPT_ALLOW:
			if (allowlist_load(&a->allow, optarg, time(NULL)))
				return 2;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0) {
				a->json = a->lines = 0;
			} else if (strcmp(optarg, "json") == 0) {
				a->json = 1;
				a->lines = 0;
			} else if (strcmp(optarg, "lines") == 0) {
				a->lines = 1;
				a->json = 0;
			} else {
				fputs("vigil: invalid --format (text, json or lines)\n", stderr);
				return 2;
			}
			break;
		case 's':
		case OPT_STRINGS:
			/* a file's strings are not stored: every file is read */
			a->opt.strings = 1;
			a->rescan = 1;
			break;
		case 'q':
			a->quiet = 1;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil scan --help'\n", stderr);
			return 2;
		}
	}
	return -1;
}

int cmd_scan(int argc, char **argv)
{
	if (config_apply("scan", long_opts, &argc, &argv) != 0)
		return 2;
	struct scan_args a = {.builtin = 1, .min_score = 40};
	struct cli_diag diag = {0};
	vigil_scan_options_init(&a.opt);
	int rc = parse_args(argc, argv, &a);
	vigil_iocs *iocs = NULL;
	vigil_rules *rules = NULL;
	vigil_scanner *scanner = NULL;
	vigil_store *store = NULL;
	struct scan_report *rep = NULL;
	struct cli_self self = {0};
	struct cli_output output = {0};
	struct scanlist roots_list = {0};
	FILE *out = NULL;
	if (rc >= 0)
		goto done;
	rc = 2;
	diag.verbose = a.verbose;
	/* the roots: PATHs ("-" is standard input), then the listed paths */
	int scan_stdin = 0;
	for (int i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			scan_stdin = 1;
			continue;
		}
		if (scanlist_add(&roots_list, argv[i])) {
			fputs("vigil: out of memory\n", stderr);
			goto done;
		}
	}
	if (scan_stdin && a.list_stdin) {
		fputs("vigil: '-' and '--scan-list -' both read standard input\n", stderr);
		goto done;
	}
	for (size_t i = 0; i < a.list.n; i++)
		if (scanlist_add(&roots_list, a.list.paths[i])) {
			fputs("vigil: out of memory\n", stderr);
			goto done;
		}
	int have_list = a.have_list;

	iocs = vigil_iocs_create();
	rules = vigil_rules_create();
	if (rules)
		vigil_rules_set_diag(rules, cli_print_diag, &diag);
	if (!iocs || !rules) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	if (cli_load_content(iocs, rules, a.builtin, a.iocs, a.niocs, a.strict,
			     &diag) != 0)
		goto done;
	for (size_t i = 0; i < a.nrules; i++)
		if (vigil_rules_add_path(rules, a.rules[i]) != VIGIL_OK) {
			fprintf(stderr, "vigil: rules do not compile, stopping\n");
			goto done;
		}
	char *cache = a.no_cache ? NULL : cli_cache_dir("rules");
	if (cache)
		vigil_rules_set_cache(rules, cache);
	free(cache);
	/* with a store the rules are loaded when the first file must be read
	 * (-v loads them now, to print their counts) */
	char late_id[65] = "";
	struct store_cli_late late_rules = {rules, 0};
	if (store_cli_open(&a.store, &diag, &store))
		goto done;
	if (a.report.db && !store) {
		fputs("vigil: --report needs the store (it sends the sweep the store keeps)\n", stderr);
		goto done;
	}
	int late = store && !a.rescan && !a.verbose && !scan_stdin &&
		   vigil_rules_source_identity(rules, late_id) == VIGIL_OK;
	if (!late && vigil_rules_finish(rules) != VIGIL_OK) {
		fprintf(stderr, "vigil: rules do not compile, stopping\n");
		goto done;
	}
	if (cli_require_content(iocs, rules, a.builtin) != 0)
		goto done;
	if (a.verbose)
		fprintf(stderr, "vigil: %zu hash, %zu file-name, %zu network IOCs; %u YARA rules from %u files\n",
			vigil_iocs_count(iocs, VIGIL_IOC_MD5) + vigil_iocs_count(iocs, VIGIL_IOC_SHA1) +
				vigil_iocs_count(iocs, VIGIL_IOC_SHA256),
			vigil_iocs_count(iocs, VIGIL_IOC_PATH_REGEX),
			vigil_iocs_count(iocs, VIGIL_IOC_DOMAIN) + vigil_iocs_count(iocs, VIGIL_IOC_IPV4) +
				vigil_iocs_count(iocs, VIGIL_IOC_IPV6) + vigil_iocs_count(iocs, VIGIL_IOC_URL),
			vigil_rules_count(rules), vigil_rules_file_count(rules));
	if (a.verbose && vigil_rules_count(rules))
		fprintf(stderr, "vigil: rules that can match by first bytes: MZ files %u, ELF files %u, other files %u\n",
			vigil_rules_class_count(rules, VIGIL_FILE_MZ),
			vigil_rules_class_count(rules, VIGIL_FILE_ELF),
			vigil_rules_class_count(rules, VIGIL_FILE_OTHER));
	if (a.verbose && vigil_rules_count(rules))
		fprintf(stderr, "vigil: and for files of %u MiB or more: MZ files %u, ELF files %u, other files %u\n",
			VIGIL_RULES_LARGE_FILE >> 20,
			vigil_rules_large_class_count(rules, VIGIL_FILE_MZ),
			vigil_rules_large_class_count(rules, VIGIL_FILE_ELF),
			vigil_rules_large_class_count(rules, VIGIL_FILE_OTHER));
	if (a.verbose && vigil_rules_from_cache(rules))
		fprintf(stderr, "vigil: compiled rules taken from the cache\n");

	if (cli_record_begin(iocs, rules, late ? late_id : NULL) != 0) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	cli_catch_signals(); /* from here a signal ends in a report */
	if (cli_output_open(&output, a.output) != 0)
		goto done;
	out = output.f;
	a.opt.excludes = a.excludes;
	a.opt.nexcludes = a.nexcludes;
	if (!a.no_self &&
	    cli_self_paths(&self, a.builtin, a.iocs, a.niocs, a.rules, a.nrules) != 0) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	a.opt.self_paths = self.paths;
	a.opt.nself_paths = self.n;
	a.opt.report_all |= store != NULL; /* the store records clean files too */
	scanner = vigil_scanner_create(&a.opt, iocs, rules);
	if (scanner && late)
		vigil_scanner_set_rules_loader(scanner, store_cli_late_rules, &late_rules);
	struct scan_report_opts ro = {a.json, a.lines, a.quiet, a.verbose, (int)a.min_score,
				      a.allow};
	rep = scan_report_create(out, &ro);
	if (!scanner || !rep) {
		fprintf(stderr, "vigil: out of memory\n");
		goto done;
	}
	struct store_cli_sink sink = {store, scan_report_file, rep};
	vigil_scanner_set_callback(scanner, store ? store_cli_scan_file : scan_report_file,
				   store ? (void *)&sink : rep);
	vigil_scanner_set_diag(scanner, cli_print_diag, &diag);
	if (a.nice)
		lower_priority();

	const char *roots_buf[sizeof default_roots / sizeof *default_roots];
	const char *const *roots = (const char *const *)roots_list.paths;
	size_t nroots = roots_list.n;
	if (!nroots && !scan_stdin && !have_list) {
		nroots = pick_default_roots(roots_buf);
		roots = roots_buf;
	}
	int stdin_failed = 0;
	if (scan_stdin && scan_standard_input(&a, iocs, rules, rep) != 0)
		stdin_failed = 1;

	if (store && store_cli_scan_begin(store, scanner, iocs, late ? late_id : NULL, rules,
					  &a.opt, a.rescan, roots, nroots))
		goto done;
	cli_signal_target(stop_scanner, scanner); /* stops at once if caught */
	struct progress prog = {scanner, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
	pthread_t pt;
	prog.total = known_total(roots, nroots, have_list || roots_list.n);
	int show = !a.quiet && isatty(STDERR_FILENO) &&
		   pthread_create(&pt, NULL, progress_main, &prog) == 0;
	int run = nroots || !(scan_stdin || have_list) ? vigil_scanner_run(scanner, roots, nroots)
						       : VIGIL_OK;
	if (show) {
		pthread_mutex_lock(&prog.lock);
		prog.stop = 1;
		pthread_cond_signal(&prog.cond);
		pthread_mutex_unlock(&prog.lock);
		pthread_join(pt, NULL);
	}
	if (late_rules.failed)
		goto done; /* as when they fail before the sweep: no report */
	int sig = cli_signal();
	if (sig)
		scan_report_set_interrupted(rep, cli_signal_name(sig));
	if (store && vigil_store_sweep_end(store, run == VIGIL_OK && !sig) != VIGIL_OK)
		fputs("vigil: warning: the store was not fully updated\n", stderr);
	vigil_scan_stats stats;
	vigil_scanner_stats(scanner, &stats);
	scan_report_finish(rep, &stats, diag.warnings);
	if (sig)
		rc = 128 + sig; /* 130 SIGINT, 143 SIGTERM */
	else if (run != VIGIL_OK || stdin_failed)
		rc = 2;
	else
		rc = scan_report_hits(rep) ? 1 : 0;
	if (cli_output_commit(&output) != 0)
		rc = 2;
	if (a.report.db && !sig)
		fleet_cli_report(&a.report, store, &diag);
done:
	cli_output_abort(&output); /* not committed: nothing is left behind */
	scan_report_destroy(rep);
	vigil_store_close(store);
	cli_signal_target(NULL, NULL);
	vigil_scanner_destroy(scanner);
	vigil_rules_destroy(rules);
	vigil_iocs_destroy(iocs);
	free(a.iocs);
	free(a.rules);
	free(a.excludes);
	scanlist_free(&a.list);
	scanlist_free(&roots_list);
	allowlist_free(a.allow);
	cli_self_free(&self);
	cli_record_end();
	return rc;
}
