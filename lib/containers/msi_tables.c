/*
 * MSI string pool and tables (msi_tables.h). The layout, as documented for
 * the Windows Installer database format and as msitools writes it:
 *
 *  _StringPool  u16 pairs: the first pair is the codepage (bit 31 set:
 *               string references are 3 bytes); then per string id from 1
 *               (length, refcount). A pair (0, r) with r != 0 is a string
 *               of 64 KiB or more: the next pair holds (low, high) halves
 *               of its length; (0, 0) is an unused id.
 *  _StringData  the strings' bytes back to back, in the codepage.
 *  tables       column-major: all cells of column 1, then of column 2...;
 *               integers are stored with the sign bit flipped (0 = null),
 *               strings as pool ids (0 = null), stream columns as 2 bytes.
 *  _Tables      one column: the table names; _Columns: Table, Number,
 *               Name, Type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containers/msi_tables.h"
#include "formats/byteread.h"

void vg_msi_strings_clear(vg_msi_strings *s)
{
	free(s->arena);
	free(s->off);
	memset(s, 0, sizeof *s);
}

int vg_msi_strings_parse(vg_msi_strings *s, const uint8_t *pool, size_t npool,
			 const uint8_t *data, size_t ndata, char *err,
			 size_t errlen)
{
	memset(s, 0, sizeof *s);
	uint32_t cp;
	if (!vg_le32(pool, npool, 0, &cp)) {
		snprintf(err, errlen, "string pool too short (%zu bytes)", npool);
		return -1;
	}
	s->long_refs = (cp & 0x80000000u) != 0;
	size_t pairs = npool / 4;
	/* an id per pair at most, plus the null id */
	s->off = calloc(pairs + 1, sizeof *s->off);
	s->arena = malloc(ndata + pairs + 2);
	if (!s->off || !s->arena) {
		snprintf(err, errlen, "out of memory for %zu strings", pairs);
		vg_msi_strings_clear(s);
		return -1;
	}
	size_t at = 0, used = 0;
	s->arena[used++] = '\0'; /* offset 0: the empty string */
	uint32_t id = 1;
	for (size_t i = 1; i < pairs;) {
		uint16_t len16 = 0, refs = 0;
		vg_le16(pool, npool, i * 4, &len16);
		vg_le16(pool, npool, i * 4 + 2, &refs);
		uint64_t len = len16;
		if (len16 == 0 && refs == 0) {
			s->off[id++] = 0;
			i++;
			continue;
		}
		if (len16 == 0) {
			uint16_t lo, hi;
			if (!vg_le16(pool, npool, (i + 1) * 4, &lo) ||
			    !vg_le16(pool, npool, (i + 1) * 4 + 2, &hi)) {
				snprintf(err, errlen,
					 "string pool ends inside the entry of string %u",
					 id);
				vg_msi_strings_clear(s);
				return -1;
			}
			len = (uint64_t)hi << 16 | lo;
			i += 2;
		} else {
			i++;
		}
		if (!vg_fits(ndata, at, len)) {
			snprintf(err, errlen,
				 "string %u (%llu bytes) runs past the string data (%zu bytes)",
				 id, (unsigned long long)len, ndata);
			vg_msi_strings_clear(s);
			return -1;
		}
		s->off[id++] = used;
		memcpy(s->arena + used, data + at, (size_t)len);
		used += (size_t)len;
		s->arena[used++] = '\0';
		at += (size_t)len;
	}
	s->n = id;
	return 0;
}

const char *vg_msi_string(const vg_msi_strings *s, uint32_t id)
{
	if (!id || id >= s->n || !s->arena)
		return NULL;
	return s->arena + s->off[id];
}

static unsigned strref_width(const vg_msi_strings *s)
{
	return s->long_refs ? 3 : 2;
}

static uint32_t rd_strref(const uint8_t *b, size_t len, size_t off, unsigned w)
{
	uint16_t lo = 0;
	if (!vg_le16(b, len, off, &lo))
		return 0;
	if (w == 3 && vg_fits(len, off + 2, 1))
		return lo | (uint32_t)b[off + 2] << 16;
	return lo;
}

int vg_msi_table_names(const vg_msi_strings *s, const uint8_t *b, size_t len,
		       uint32_t **ids, uint32_t *n, char *err, size_t errlen)
{
	unsigned w = strref_width(s);
	size_t rows = len / w;
	*ids = NULL;
	*n = 0;
	if (!rows)
		return 0;
	*ids = malloc(rows * sizeof **ids);
	if (!*ids) {
		snprintf(err, errlen, "out of memory for %zu table names", rows);
		return -1;
	}
	for (size_t i = 0; i < rows; i++)
		(*ids)[i] = rd_strref(b, len, i * w, w);
	*n = (uint32_t)rows;
	return 0;
}

static int is_stream_col(uint16_t type)
{
	return (type & ~VG_MSI_TYPE_NULLABLE) ==
	       (VG_MSI_TYPE_STRING | VG_MSI_TYPE_VALID);
}

static unsigned col_width(const vg_msi_strings *s, uint16_t type)
{
	if (is_stream_col(type))
		return 2;
	if (type & VG_MSI_TYPE_STRING)
		return strref_width(s);
	if ((type & 0xff) <= 2)
		return 2;
	if ((type & 0xff) == 4)
		return 4;
	return 0;
}

int vg_msi_table_open(vg_msi_table *t, const vg_msi_strings *s,
		      const uint8_t *cols, size_t ncols, const char *name,
		      const uint8_t *b, size_t len, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	unsigned sr = strref_width(s);
	size_t crow = 2 * sr + 4; /* _Columns: Table, Number, Name, Type */
	size_t crows = ncols / crow;
	for (size_t r = 0; r < crows; r++) {
		const char *tn = vg_msi_string(s, rd_strref(cols, ncols, r * sr, sr));
		if (!tn || strcmp(tn, name))
			continue;
		uint16_t num = 0, type = 0;
		vg_le16(cols, ncols, crows * sr + r * 2, &num);
		uint32_t nid = rd_strref(cols, ncols, crows * (sr + 2) + r * sr, sr);
		vg_le16(cols, ncols, crows * (2 * sr + 2) + r * 2, &type);
		num ^= 0x8000;
		type ^= 0x8000;
		if (num < 1 || num > VG_MSI_MAX_COLS || t->name[num - 1]) {
			snprintf(err, errlen,
				 "table '%s': column number %u is out of range or repeated",
				 name, (unsigned)num);
			return -1;
		}
		t->name[num - 1] = vg_msi_string(s, nid);
		t->type[num - 1] = type;
		if (!t->name[num - 1]) {
			snprintf(err, errlen, "table '%s': column %u has no name",
				 name, (unsigned)num);
			return -1;
		}
		if (num > t->ncols)
			t->ncols = num;
	}
	if (!t->ncols) {
		snprintf(err, errlen, "table '%s' has no columns", name);
		return -1;
	}
	size_t rowsize = 0;
	for (unsigned c = 0; c < t->ncols; c++) {
		if (!t->name[c]) {
			snprintf(err, errlen, "table '%s': column %u is missing",
				 name, c + 1);
			return -1;
		}
		t->width[c] = col_width(s, t->type[c]);
		if (!t->width[c]) {
			snprintf(err, errlen,
				 "table '%s': column '%s' has an invalid type 0x%04x",
				 name, t->name[c], (unsigned)t->type[c]);
			return -1;
		}
		rowsize += t->width[c];
	}
	/* rowsize > 0: ncols > 0 and every width is nonzero (checked above) */
	// cppcheck-suppress zerodiv
	size_t rows = len / rowsize;
	if (rows > UINT32_MAX)
		rows = UINT32_MAX;
	t->nrows = (uint32_t)rows;
	t->partial = len % rowsize != 0;
	size_t at = 0;
	for (unsigned c = 0; c < t->ncols; c++) {
		t->start[c] = at;
		at += (size_t)t->nrows * t->width[c];
	}
	t->b = b;
	t->len = len;
	return 0;
}

int vg_msi_col(const vg_msi_table *t, const char *name)
{
	for (unsigned c = 0; c < t->ncols; c++)
		if (!strcmp(t->name[c], name))
			return (int)c;
	return -1;
}

const char *vg_msi_cell_str(const vg_msi_table *t, const vg_msi_strings *s,
			    uint32_t row, int col)
{
	if (col < 0 || (unsigned)col >= t->ncols || row >= t->nrows ||
	    !(t->type[col] & VG_MSI_TYPE_STRING) || is_stream_col(t->type[col]))
		return NULL;
	unsigned w = t->width[col];
	return vg_msi_string(s, rd_strref(t->b, t->len,
					  t->start[col] + (size_t)row * w, w));
}

int vg_msi_cell_int(const vg_msi_table *t, uint32_t row, int col, int32_t *v)
{
	if (col < 0 || (unsigned)col >= t->ncols || row >= t->nrows ||
	    (t->type[col] & VG_MSI_TYPE_STRING))
		return 0;
	size_t off = t->start[col] + (size_t)row * t->width[col];
	if (t->width[col] == 2) {
		uint16_t u;
		if (!vg_le16(t->b, t->len, off, &u) || !u)
			return 0;
		*v = (int16_t)(u ^ 0x8000);
		return 1;
	}
	uint32_t u;
	if (!vg_le32(t->b, t->len, off, &u) || !u)
		return 0;
	*v = (int32_t)(u ^ 0x80000000u);
	return 1;
}

static char mime_char(unsigned x)
{
	if (x < 10)
		return (char)('0' + x);
	if (x < 36)
		return (char)('A' + x - 10);
	if (x < 62)
		return (char)('a' + x - 36);
	return x == 62 ? '.' : '_';
}

static int put_utf8(char *out, size_t cap, size_t *at, uint32_t c)
{
	uint8_t u[4];
	size_t k;
	if (c < 0x80) {
		u[0] = (uint8_t)c;
		k = 1;
	} else if (c < 0x800) {
		u[0] = (uint8_t)(0xc0 | c >> 6);
		u[1] = (uint8_t)(0x80 | (c & 0x3f));
		k = 2;
	} else if (c < 0x10000) {
		u[0] = (uint8_t)(0xe0 | c >> 12);
		u[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		u[2] = (uint8_t)(0x80 | (c & 0x3f));
		k = 3;
	} else {
		u[0] = (uint8_t)(0xf0 | (c >> 18 & 0x07));
		u[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
		u[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		u[3] = (uint8_t)(0x80 | (c & 0x3f));
		k = 4;
	}
	if (*at + k >= cap)
		return -1;
	memcpy(out + *at, u, k);
	*at += k;
	return 0;
}

int vg_msi_decode_name(const uint32_t *cp, size_t n, char *out, size_t cap,
		       int *table)
{
	size_t at = 0, i = 0;
	*table = 0;
	if (!cap)
		return -1;
	if (n && cp[0] == 0x4840) {
		*table = 1;
		i = 1;
	}
	for (; i < n; i++) {
		uint32_t c = cp[i];
		if (!c)
			break;
		if (c >= 0x3800 && c < 0x4840) {
			if (c >= 0x4800) {
				if (put_utf8(out, cap, &at, (uint8_t)mime_char(c - 0x4800)))
					return -1;
			} else {
				c -= 0x3800;
				if (put_utf8(out, cap, &at, (uint8_t)mime_char(c & 0x3f)) ||
				    put_utf8(out, cap, &at, (uint8_t)mime_char(c >> 6 & 0x3f)))
					return -1;
			}
		} else if (put_utf8(out, cap, &at, c)) {
			return -1;
		}
	}
	out[at] = '\0';
	return 0;
}
