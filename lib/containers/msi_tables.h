/*
 * The database of an MSI: its string pool and tables, parsed from the
 * bytes of their streams (libgsf gives the streams; no Debian library
 * parses the tables from memory, see docs/design.md). Everything is
 * checked against the stream lengths: a string id, a row count, a column
 * width that does not fit is an error, never a read out of bounds.
 */
#ifndef VIGIL_CONTAINERS_MSI_TABLES_H
#define VIGIL_CONTAINERS_MSI_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* The string pool: ids 1..n; id 0 is the null string. */
typedef struct vg_msi_strings {
	char *arena;     /* every string, NUL-terminated */
	size_t *off;     /* offset into arena per id (off[0] unused) */
	uint32_t n;      /* ids 0..n-1 */
	int long_refs;   /* string references are 3 bytes, not 2 */
} vg_msi_strings;

/* Parse _StringPool and _StringData; 0 or -1 with err set. */
int vg_msi_strings_parse(vg_msi_strings *s, const uint8_t *pool, size_t npool,
			 const uint8_t *data, size_t ndata, char *err,
			 size_t errlen);
void vg_msi_strings_clear(vg_msi_strings *s);
/* The string of id, or NULL for the null string or an id out of range. */
const char *vg_msi_string(const vg_msi_strings *s, uint32_t id);

/* The column types as _Columns stores them. */
#define VG_MSI_TYPE_STRING 0x0800
#define VG_MSI_TYPE_VALID 0x0100
#define VG_MSI_TYPE_NULLABLE 0x1000

#define VG_MSI_MAX_COLS 32

/* One table: column-major cells over the bytes of its stream. */
typedef struct vg_msi_table {
	const uint8_t *b; /* the stream's bytes (not owned) */
	size_t len;
	uint32_t nrows;
	unsigned ncols;
	const char *name[VG_MSI_MAX_COLS]; /* column names (in the pool) */
	uint16_t type[VG_MSI_MAX_COLS];
	unsigned width[VG_MSI_MAX_COLS];
	size_t start[VG_MSI_MAX_COLS]; /* offset of the column's first cell */
	int partial; /* the stream is not a whole number of rows */
} vg_msi_table;

/* The names of the tables in _Tables: ids into the pool, *n of them
 * (malloc'd, or NULL with *n == 0 when there are none). */
int vg_msi_table_names(const vg_msi_strings *s, const uint8_t *b, size_t len,
		       uint32_t **ids, uint32_t *n, char *err, size_t errlen);

/* Set up t for the table called name from _Columns (cols, ncols bytes)
 * and the table's stream (b, len): 0 or -1 with err set. */
int vg_msi_table_open(vg_msi_table *t, const vg_msi_strings *s,
		      const uint8_t *cols, size_t ncols, const char *name,
		      const uint8_t *b, size_t len, char *err, size_t errlen);

/* The column called name, or -1. */
int vg_msi_col(const vg_msi_table *t, const char *name);
/* A string cell (NULL when null, not a string column or out of range). */
const char *vg_msi_cell_str(const vg_msi_table *t, const vg_msi_strings *s,
			    uint32_t row, int col);
/* An integer cell: 1 with *v set, 0 when null or not an integer column. */
int vg_msi_cell_int(const vg_msi_table *t, uint32_t row, int col, int32_t *v);

/* Decode an MSI stream name (code points as stored in the compound file)
 * into out (NUL-terminated UTF-8, at most cap bytes): the packed
 * characters 0x3800..0x483f become their ASCII; *table is set when the
 * name carries the table-stream mark 0x4840. 0, or -1 when it does not fit. */
int vg_msi_decode_name(const uint32_t *cp, size_t n, char *out, size_t cap,
		       int *table);

#endif
