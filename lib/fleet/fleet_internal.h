/* Internals shared by the fleet layer's files (lib/fleet/). */
#ifndef VIGIL_FLEET_INTERNAL_H
#define VIGIL_FLEET_INTERNAL_H

#include <stddef.h>

#include <libpq-fe.h>

#include <vigil/fleet.h>

struct vigil_fleet {
	PGconn *conn;
	vigil_diag_fn diag;
	void *diag_ctx;
	char host_id[64];
	char *hostname, *os, *content_version;
	char *where;  /* the database as diagnostics name it (no password) */
};

/* A growing buffer of COPY text (capped by the caller's flushes). */
struct vg_copybuf {
	char *p;
	size_t n, cap;
	int oom;
};

/* Append s as one field of COPY's text format: backslash, tab, newline
 * and carriage return escaped; sep (a tab or a newline) after it. Bytes
 * that are not valid UTF-8 are written with vigil_escape() first when
 * utf8 is set, so the server (UTF8) never refuses the row. */
void vg_copy_text(struct vg_copybuf *b, const char *s, int utf8, char sep);
/* A bytea field in COPY's text format: \\x and hex digits. */
void vg_copy_bytea(struct vg_copybuf *b, const char *s, size_t len, char sep);
/* A signed integer field. */
void vg_copy_int(struct vg_copybuf *b, long long v, char sep);
/* COPY's NULL (\N). */
void vg_copy_null(struct vg_copybuf *b, char sep);
void vg_copy_free(struct vg_copybuf *b);

/* A diagnostic with libpq's message for the connection (what: our words). */
void vg_fleet_fail(vigil_fleet *f, const char *what);
/* A diagnostic with the result's message; clears res. */
void vg_fleet_fail_res(vigil_fleet *f, const char *what, PGresult *res);
/* Run a statement without parameters; 0 or -1 (diagnosed with what). */
int vg_fleet_exec(vigil_fleet *f, const char *sql, const char *what);
/* Run sql with text parameters; the result (PGRES_COMMAND_OK or
 * PGRES_TUPLES_OK) or NULL (diagnosed). */
PGresult *vg_fleet_query(vigil_fleet *f, const char *sql, int n,
			 const char *const *params, const char *what);
/* Send the buffer as COPY data (emptied); 0 or -1. */
int vg_fleet_copy_put(vigil_fleet *f, struct vg_copybuf *b);
/* End COPY; 0 or -1 (diagnosed). */
int vg_fleet_copy_end(vigil_fleet *f, const char *what);
/* 1 when the connection went away (a retry may succeed). */
int vg_fleet_lost(const vigil_fleet *f);

#endif
