/*
 * The fleet database's connection (libpq): options, the host id, connect
 * (libpq's notices go to the diagnostic callback, never to stderr),
 * init-db, and the helpers the push and the queries share.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <openssl/evp.h>

#include "base/util.h"
#include "fleet/fleet_internal.h"

#define HOST_ID_SALT "vigil-fleet-host-id-1\n"

void vigil_fleet_options_init(vigil_fleet_options *opt)
{
	memset(opt, 0, sizeof *opt);
}

int vigil_fleet_host_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n < 1 || n > 50)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '.' && id[i] != '_' && id[i] != '-')
			return 0;
	return 1;
}

int vigil_fleet_machine_host_id(const char *path, char out[33])
{
	out[0] = '\0';
	char *buf = NULL;
	size_t len = 0;
	if (vg_read_file(path ? path : "/etc/machine-id", 4096, &buf, &len) != 0)
		return VIGIL_FATAL;
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	size_t start = 0;
	while (start < len && isspace((unsigned char)buf[start]))
		start++;
	int ok = len > start;
	uint8_t d[32];
	unsigned dl = 0;
	if (ok) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		     EVP_DigestUpdate(c, HOST_ID_SALT, strlen(HOST_ID_SALT)) == 1 &&
		     EVP_DigestUpdate(c, buf + start, len - start) == 1 &&
		     EVP_DigestFinal_ex(c, d, &dl) == 1 && dl == 32;
		EVP_MD_CTX_free(c);
	}
	free(buf);
	if (!ok)
		return VIGIL_FATAL;
	char hex[65];
	vg_hex(d, 32, hex);
	memcpy(out, hex, 32);
	out[32] = '\0';
	return VIGIL_OK;
}

/* libpq's messages end in a newline; ours do not. */
static char *trimmed(const char *m)
{
	char *s = vg_strdup(m ? m : "");
	if (!s)
		return NULL;
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

void vg_fleet_fail(vigil_fleet *f, const char *what)
{
	char *m = trimmed(f->conn ? PQerrorMessage(f->conn) : "no connection");
	vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, f->where, 0, "fleet: %s: %s",
		what, m ? m : "out of memory");
	free(m);
}

void vg_fleet_fail_res(vigil_fleet *f, const char *what, PGresult *res)
{
	char *m = trimmed(res ? PQresultErrorMessage(res) : PQerrorMessage(f->conn));
	if (m && !*m) {
		free(m);
		m = trimmed(PQerrorMessage(f->conn));
	}
	vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, f->where, 0, "fleet: %s: %s",
		what, m ? m : "out of memory");
	free(m);
	PQclear(res);
}

int vg_fleet_exec(vigil_fleet *f, const char *sql, const char *what)
{
	PGresult *r = PQexec(f->conn, sql);
	ExecStatusType s = PQresultStatus(r);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		PQclear(r);
		return 0;
	}
	vg_fleet_fail_res(f, what, r);
	return -1;
}

PGresult *vg_fleet_query(vigil_fleet *f, const char *sql, int n,
			 const char *const *params, const char *what)
{
	PGresult *r = PQexecParams(f->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType s = PQresultStatus(r);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	vg_fleet_fail_res(f, what, r);
	return NULL;
}

int vg_fleet_copy_put(vigil_fleet *f, struct vg_copybuf *b)
{
	if (b->oom) {
		vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, f->where, 0, "fleet: out of memory");
		return -1;
	}
	if (b->n && PQputCopyData(f->conn, b->p, (int)b->n) != 1) {
		vg_fleet_fail(f, "unable to send rows");
		return -1;
	}
	b->n = 0;
	return 0;
}

int vg_fleet_copy_end(vigil_fleet *f, const char *what)
{
	if (PQputCopyEnd(f->conn, NULL) != 1) {
		vg_fleet_fail(f, what);
		return -1;
	}
	PGresult *r;
	int ok = 1;
	while ((r = PQgetResult(f->conn))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			if (ok)
				vg_fleet_fail_res(f, what, r);
			else
				PQclear(r);
			ok = 0;
			continue;
		}
		PQclear(r);
	}
	return ok ? 0 : -1;
}

int vg_fleet_lost(const vigil_fleet *f)
{
	return !f->conn || PQstatus(f->conn) == CONNECTION_BAD;
}

static void on_notice(void *ctx, const char *message)
{
	vigil_fleet *f = ctx;
	char *m = trimmed(message);
	if (m && *m)
		vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_INFO, f->where, 0, "fleet: server: %s", m);
	free(m);
}

int vigil_fleet_connect(const vigil_fleet_options *opt, vigil_diag_fn diag,
			void *ctx, vigil_fleet **out)
{
	*out = NULL;
	vigil_fleet *f = calloc(1, sizeof *f);
	if (!f) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, NULL, 0, "fleet: out of memory");
		return VIGIL_FATAL;
	}
	f->diag = diag;
	f->diag_ctx = ctx;
	struct utsname u;
	int have_u = uname(&u) == 0;
	f->hostname = vg_strdup(opt->hostname ? opt->hostname : have_u ? u.nodename : "");
	f->os = opt->os ? vg_strdup(opt->os)
			: have_u ? vg_asprintf("%s %s %s", u.sysname, u.release, u.machine) : vg_strdup("");
	f->content_version = vg_strdup(opt->content_version ? opt->content_version : "");
	if (!f->hostname || !f->os || !f->content_version) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, NULL, 0, "fleet: out of memory");
		vigil_fleet_close(f);
		return VIGIL_FATAL;
	}
	if (opt->host_id) {
		if (!vigil_fleet_host_id_valid(opt->host_id)) {
			vg_diag(diag, ctx, VIGIL_DIAG_ERROR, NULL, 0,
				"fleet: host id '%s' is not 1 to 50 of A-Z a-z 0-9 . _ -", opt->host_id);
			vigil_fleet_close(f);
			return VIGIL_FATAL;
		}
		snprintf(f->host_id, sizeof f->host_id, "%s", opt->host_id);
	} else if (vigil_fleet_machine_host_id(NULL, f->host_id) != VIGIL_OK) {
		vg_diag(diag, ctx, VIGIL_DIAG_WARNING, "/etc/machine-id", 0,
			"fleet: no machine id: push needs --host-id");
		f->host_id[0] = '\0';
	}
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%d", opt->connect_timeout_s > 0 ? opt->connect_timeout_s : 10);
	const char *keys[] = {"dbname", "connect_timeout", "fallback_application_name", NULL};
	const char *vals[] = {opt->db && *opt->db ? opt->db : NULL, timeout, "vigil", NULL};
	if (!vals[0]) {
		/* no string: libpq's environment and service files alone */
		keys[0] = "connect_timeout";
		vals[0] = timeout;
		keys[1] = "fallback_application_name";
		vals[1] = "vigil";
		keys[2] = NULL;
	}
	f->conn = PQconnectdbParams(keys, vals, 1);
	if (!f->conn || PQstatus(f->conn) != CONNECTION_OK) {
		/* unreachable (a later push may succeed) or refused */
		int down = PQpingParams(keys, vals, 1) == PQPING_NO_RESPONSE;
		vg_fleet_fail(f, down ? "the database cannot be reached" : "unable to connect");
		vigil_fleet_close(f);
		return down ? VIGIL_FAILED : VIGIL_FATAL;
	}
	PQsetNoticeProcessor(f->conn, on_notice, f);
	const char *h = PQhost(f->conn);
	f->where = vg_asprintf("database %s on %s port %s", PQdb(f->conn),
			       h && *h ? h : "localhost", PQport(f->conn));
	/* every statement's text is ours: the session's settings are not
	 * trusted to be anything in particular */
	if (vg_fleet_exec(f, "SET search_path = pg_catalog, pg_temp; SET client_encoding = 'UTF8';"
			     " SET datestyle = 'ISO'; SET TimeZone = 'UTC';"
			     /* JIT compiles for seconds what runs in milliseconds: the
			      * statements are index probes and bulk merges */
			     " SET jit = off;"
			     /* a push stages its rows in temporary tables: in memory */
			     " SET temp_buffers = '64MB'",
			  "unable to set up the session")) {
		vigil_fleet_close(f);
		return VIGIL_FATAL;
	}
	*out = f;
	return VIGIL_OK;
}

void vigil_fleet_close(vigil_fleet *f)
{
	if (!f)
		return;
	if (f->conn)
		PQfinish(f->conn);
	free(f->hostname);
	free(f->os);
	free(f->content_version);
	free(f->where);
	free(f);
}

int vigil_fleet_init_db(vigil_fleet *f)
{
	PGresult *r = PQexec(f->conn, "SELECT 1 FROM pg_namespace WHERE nspname = 'vigil'");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		vg_fleet_fail_res(f, "unable to read the schemas", r);
		return VIGIL_FATAL;
	}
	int exists = PQntuples(r) > 0;
	PQclear(r);
	if (exists) {
		vg_diag(f->diag, f->diag_ctx, VIGIL_DIAG_ERROR, f->where, 0,
			"fleet: the schema 'vigil' exists already; not changed");
		return VIGIL_FATAL;
	}
	if (vg_fleet_exec(f, vigil_fleet_schema_sql(), "unable to create the schema")) {
		PQclear(PQexec(f->conn, "ROLLBACK"));
		return VIGIL_FATAL;
	}
	return VIGIL_OK;
}
