/* Fleet mode as the commands use it: --db/--report and --host-id, the
 * push and its messages (vigil push, vigil scan --report, vigil fleet). */
#ifndef VIGIL_FLEET_CLI_H
#define VIGIL_FLEET_CLI_H

#include <vigil/vigil.h>

#include "cli.h"

struct fleet_cli {
	const char *db;      /* --db / --report / push's URL; NULL: $VIGIL_DB */
	const char *host_id; /* --host-id */
	int json;
};

/* The database to use: o->db, else $VIGIL_DB, else NULL (libpq's own
 * environment: PGHOST, PGSERVICE...). */
const char *fleet_cli_db(const struct fleet_cli *o);

/* Connect; 0, or 1 unreachable, 2 refused or wrong (said on stderr). */
int fleet_cli_connect(const struct fleet_cli *o, struct cli_diag *diag,
		      vigil_fleet **out);

/*
 * Push the store's newest sweep and say what happened on out (stdout for
 * vigil push, stderr after a scan's report). 0 delivered (or nothing to
 * deliver); 1 not delivered, spooled in the store for a later vigil push;
 * 2 an error.
 */
int fleet_cli_push(const struct fleet_cli *o, vigil_store *st,
		   struct cli_diag *diag, FILE *out);

/* vigil scan --report URL: after the sweep ended with the store; the
 * scan's exit status stays as it is (a warning when not delivered). */
void fleet_cli_report(const struct fleet_cli *o, vigil_store *st,
		      struct cli_diag *diag);

#endif
