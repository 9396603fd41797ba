/*
 * MISP CSV exports: a header record naming the columns (at least 'type'
 * and 'value'; MISP writes uuid,event_id,category,type,value,comment,
 * to_ids,date,...), then one attribute per record. Fields follow RFC 4180:
 * quoted fields may hold commas, doubled quotes and line breaks.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/intel_internal.h"
#include "base/util.h"

#define MAX_RECORD 65536
#define MAX_FIELDS 64

struct csv {
	const char *buf;
	size_t len, pos;
	unsigned long line; /* of the next byte */
	char *scratch;      /* MAX_RECORD + MAX_FIELDS bytes */
	char *field[MAX_FIELDS];
	size_t nfields;
	const char *error;
};

/* Skip to the start of the next line (after a malformed record). */
static void skip_line(struct csv *c)
{
	const char *nl = memchr(c->buf + c->pos, '\n', c->len - c->pos);
	c->pos = nl ? (size_t)(nl - c->buf) + 1 : c->len;
	if (nl)
		c->line++;
}

/* One record into c->field; 1 read, 0 end of input, -1 malformed. */
static int read_record(struct csv *c)
{
	size_t o = 0;
	c->nfields = 0;
	c->error = NULL;
	if (c->pos >= c->len)
		return 0;
	c->field[c->nfields++] = c->scratch;
	int quoted = 0, in_quotes = 0;
	while (c->pos < c->len) {
		char ch = c->buf[c->pos++];
		if (o >= MAX_RECORD) {
			c->error = "record longer than 64 KiB";
			skip_line(c);
			return -1;
		}
		if (ch == '\0') {
			c->error = "NUL byte in record";
			if (!in_quotes)
				c->pos--;
			skip_line(c);
			return -1;
		}
		if (in_quotes) {
			if (ch == '"') {
				if (c->pos < c->len && c->buf[c->pos] == '"') {
					c->scratch[o++] = '"';
					c->pos++;
				} else {
					in_quotes = 0;
				}
			} else {
				if (ch == '\n')
					c->line++;
				c->scratch[o++] = ch;
			}
			continue;
		}
		if (ch == '"' && !quoted && c->field[c->nfields - 1] == c->scratch + o) {
			quoted = in_quotes = 1;
			continue;
		}
		if (ch == '"' || (quoted && ch != ',' && ch != '\r' && ch != '\n')) {
			c->error = "stray quote in field";
			c->pos--;
			skip_line(c);
			return -1;
		}
		if (ch == ',') {
			if (c->nfields >= MAX_FIELDS) {
				c->error = "more than 64 fields";
				skip_line(c);
				return -1;
			}
			c->scratch[o++] = '\0';
			c->field[c->nfields++] = c->scratch + o;
			quoted = 0;
			continue;
		}
		if (ch == '\n') {
			c->line++;
			break;
		}
		if (ch == '\r' && (c->pos == c->len || c->buf[c->pos] == '\n'))
			continue;
		c->scratch[o++] = ch;
	}
	if (in_quotes) {
		c->error = "quoted field not closed before the end of the file";
		return -1;
	}
	c->scratch[o] = '\0';
	return 1;
}

static int blank_record(const struct csv *c)
{
	return c->nfields == 1 && c->field[0][0] == '\0';
}

static int column(const struct csv *c, const char *name)
{
	for (size_t i = 0; i < c->nfields; i++) {
		char *f = c->field[i];
		while (*f == ' ' || *f == '\t')
			f++;
		size_t n = strlen(f);
		while (n && (f[n - 1] == ' ' || f[n - 1] == '\t'))
			n--;
		if (n == strlen(name) && strncasecmp(f, name, n) == 0)
			return (int)i;
	}
	return -1;
}

static int truthy(const char *s)
{
	return strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0 ||
	       strcasecmp(s, "yes") == 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int vg_intel_misp_csv(struct vg_intel *in, const char *buf, size_t len)
{
	struct csv c = {buf, len, 0, 1, malloc(MAX_RECORD + MAX_FIELDS + 1), {0}, 0, NULL};
	if (!c.scratch) {
		in->status = VIGIL_FATAL;
		return in->status;
	}
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		c.pos = 3;
	int rc;
	while ((rc = read_record(&c)) == 1 && blank_record(&c))
		;
	int ct = -1, cv = -1, cc = -1, ci = -1, cu = -1, ce = -1;
	if (rc == 1) {
		ct = column(&c, "type");
		cv = column(&c, "value");
		cc = column(&c, "comment");
		ci = column(&c, "to_ids");
		cu = column(&c, "uuid");
		ce = column(&c, "event_id");
	}
	if (ct < 0 || cv < 0) {
		vg_intel_fail(in, 1, "CSV without a header naming 'type' and 'value' columns");
		free(c.scratch);
		return in->status;
	}
	int need = ct > cv ? ct : cv;
	struct vg_misp m = {.in = in};
	unsigned long records = 0;
	for (;;) {
		unsigned long line = c.line;
		rc = read_record(&c);
		if (rc == 0)
			break;
		if (rc < 0) {
			vg_intel_warn(in, line, "malformed CSV record: %s, skipped", c.error);
			if (c.pos >= c.len)
				break;
			continue;
		}
		if (blank_record(&c))
			continue;
		if (++records > VG_INTEL_MAX_ITEMS) {
			vg_intel_warn(in, line, "more than %u records, the rest ignored",
				      VG_INTEL_MAX_ITEMS);
			break;
		}
		if ((int)c.nfields <= need) {
			vg_intel_warn(in, line, "CSV record with %zu fields, fewer than the "
						"header's 'type' and 'value', skipped",
				      c.nfields);
			continue;
		}
		const char *get_c = cc >= 0 && cc < (int)c.nfields ? c.field[cc] : "";
		const char *get_u = cu >= 0 && cu < (int)c.nfields ? c.field[cu] : "";
		const char *get_e = ce >= 0 && ce < (int)c.nfields ? c.field[ce] : "";
		int to_ids = ci >= 0 && ci < (int)c.nfields ? truthy(trim(c.field[ci])) : 1;
		char *comment = vg_asprintf("MISP%s%s%s%s attribute %s", *get_e ? " event " : "",
					    get_e, *get_c ? ": " : "", get_c,
					    *get_u ? get_u : "(no uuid)");
		if (!comment || vg_misp_attribute(&m, trim(c.field[ct]), trim(c.field[cv]),
						  to_ids, comment, line, "") < 0) {
			free(comment);
			in->status = VIGIL_FATAL;
			break;
		}
		free(comment);
	}
	vg_misp_finish(&m);
	vg_intel_info(in, 0, "MISP CSV: %lu records, %zu IOCs", records, in->added);
	free(c.scratch);
	return in->status;
}
