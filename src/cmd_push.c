/* vigil push: deliver the store's newest sweep to the fleet database. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/vigil.h>

#include "cli.h"
#include "commands.h"
#include "fleet_cli.h"
#include "store_cli.h"

static const char usage[] =
"usage: vigil push [URL] [options]\n"
"\n"
"Send the local store's newest sweep to the fleet database (PostgreSQL):\n"
"the host, the sweep, and the files whose rows changed since the newest\n"
"sweep of this host the database holds (all of them the first time), with\n"
"their findings, in one transaction; files no longer in the store are\n"
"recorded as removed. A sweep delivered already is not sent again, so a\n"
"push cut off by the network is simply run again.\n"
"\n"
"  URL, --db URL        the database: a postgresql:// URL or libpq\n"
"                       key=value string (default $VIGIL_DB, else libpq's\n"
"                       PGHOST, PGSERVICE... variables)\n"
"  --host-id ID         this host's id (default: derived from\n"
"                       /etc/machine-id; 1 to 50 of A-Z a-z 0-9 . _ -)\n"
"  --store PATH         the store file (default as for vigil scan)\n"
"  --json               one JSON record: what was sent\n"
"  -v, --verbose        more diagnostics\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 delivered (or nothing to deliver), 2 not delivered (the\n"
"database cannot be reached, refused the push, no store).\n"
"\n"
"Example:\n"
"  vigil push 'postgresql://vigil_host_web1@fleetdb/vigil?sslmode=verify-full'\n";

enum { OPT_DB = 256, OPT_HOST_ID, OPT_STORE, OPT_JSON };

static const struct option long_opts[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"host-id", required_argument, NULL, OPT_HOST_ID},
	{"store", required_argument, NULL, OPT_STORE},
	{"json", no_argument, NULL, OPT_JSON},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

int cmd_push(int argc, char **argv)
{
	struct fleet_cli fo = {0};
	struct store_cli so = {0};
	struct cli_diag diag = {0};
	vigil_store *st = NULL;
	int c, rc = 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			fo.db = optarg;
			break;
		case OPT_HOST_ID:
			fo.host_id = optarg;
			break;
		case OPT_STORE:
			so.path = optarg;
			break;
		case OPT_JSON:
			fo.json = 1;
			break;
		case 'v':
			diag.verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil push --help'\n", stderr);
			return 2;
		}
	}
	if (optind < argc && !fo.db)
		fo.db = argv[optind++];
	if (optind < argc) {
		fputs("vigil: push takes one URL\nvigil: see 'vigil push --help'\n", stderr);
		return 2;
	}
	if (store_cli_open(&so, &diag, &st))
		goto done;
	if (!st) {
		fputs("vigil: push needs a store (VIGIL_STORE is off)\n", stderr);
		goto done;
	}
	rc = fleet_cli_push(&fo, st, &diag, stdout) ? 2 : 0;
done:
	vigil_store_close(st);
	return rc;
}
