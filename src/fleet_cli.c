/* Fleet mode's shared CLI glue: the database, the push and its messages. */
#include <stdlib.h>
#include <string.h>

#include "fleet_cli.h"

const char *fleet_cli_db(const struct fleet_cli *o)
{
	if (o->db && *o->db)
		return o->db;
	const char *env = getenv("VIGIL_DB");
	return env && *env ? env : NULL;
}

int fleet_cli_connect(const struct fleet_cli *o, struct cli_diag *diag,
		      vigil_fleet **out)
{
	vigil_fleet_options fo;
	vigil_fleet_options_init(&fo);
	fo.db = fleet_cli_db(o);
	fo.host_id = o->host_id;
	int s = vigil_fleet_connect(&fo, cli_print_diag, diag, out);
	return s == VIGIL_OK ? 0 : s == VIGIL_FAILED ? 1 : 2;
}

int fleet_cli_push(const struct fleet_cli *o, vigil_store *st,
		   struct cli_diag *diag, FILE *out)
{
	vigil_fleet *f = NULL;
	int c = fleet_cli_connect(o, diag, &f);
	if (c) {
		if (c == 1)
			fputs("vigil: the sweep stays in the store; 'vigil push' delivers it later\n", stderr);
		return c;
	}
	vigil_fleet_push_stats ps;
	int s = vigil_fleet_push(f, st, &ps);
	vigil_fleet_close(f);
	if (s != VIGIL_OK) {
		fputs(s == VIGIL_FAILED
			      ? "vigil: the push was cut off; nothing of it was kept, the sweep stays in the store ('vigil push' again)\n"
			      : "vigil: not pushed; the sweep stays in the store\n",
		      stderr);
		return s == VIGIL_FAILED ? 1 : 2;
	}
	if (o->json) {
		json_t *rec = cli_json_record("push");
		json_object_set_new(rec, "sweep", json_integer((json_int_t)ps.sweep_id));
		json_object_set_new(rec, "since", json_integer((json_int_t)ps.since));
		json_object_set_new(rec, "already", json_boolean(ps.already));
		json_object_set_new(rec, "files", json_integer((json_int_t)ps.files));
		json_object_set_new(rec, "sent", json_integer((json_int_t)ps.sent));
		json_object_set_new(rec, "removed", json_integer((json_int_t)ps.removed));
		json_object_set_new(rec, "findings", json_integer((json_int_t)ps.findings));
		cli_json_emit(out, rec);
	} else if (!ps.sweep_id) {
		fputs("vigil: push: the store holds no sweep yet\n", out);
	} else if (ps.already) {
		fprintf(out, "vigil: push: sweep %lld was delivered already\n", (long long)ps.sweep_id);
	} else {
		fprintf(out, "vigil: push: sweep %lld delivered: %llu of %llu files sent (changed since sweep %lld), %llu removed, %llu findings\n",
			(long long)ps.sweep_id, (unsigned long long)ps.sent,
			(unsigned long long)ps.files, (long long)ps.since,
			(unsigned long long)ps.removed, (unsigned long long)ps.findings);
	}
	return 0;
}

void fleet_cli_report(const struct fleet_cli *o, vigil_store *st,
		      struct cli_diag *diag)
{
	struct fleet_cli q = *o;
	q.json = 0; /* the scan's own output is on stdout */
	if (fleet_cli_push(&q, st, diag, stderr))
		fputs("vigil: warning: the sweep was not reported to the fleet database\n", stderr);
}
