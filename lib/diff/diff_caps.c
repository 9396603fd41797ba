/*
 * The capability table and the tamper models, kept as content
 * (content/capabilities/capabilities.tab and models.tab) in one line
 * format: "ID LEVEL TERM [& TERM]...", '#' starts a comment line. Lines
 * with the same ID are alternatives (any one line derives it); the terms
 * of a line must all hold. docs/design.md ("Release diff") lists the
 * terms.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "diff/diff_internal.h"

#define CAPS_FILE_MAX ((size_t)4 << 20)

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static int parse_term(vg_caps *c, const char *w, int model, vg_term *t)
{
	memset(t, 0, sizeof *t);
	const char *v = NULL;
	if (!model && !strncmp(w, "import:", 7)) {
		t->kind = VG_TERM_IMPORT;
		v = w + 7;
	} else if (!model && !strncmp(w, "string:", 7)) {
		t->kind = VG_TERM_STRING;
		v = w + 7;
	} else if (model && !strncmp(w, "new-cap:", 8)) {
		t->kind = VG_TERM_NEWCAP;
		v = w + 8;
	} else if (model && !strncmp(w, "cap:", 4)) {
		t->kind = VG_TERM_CAP;
		v = w + 4;
	} else if (model && !strcmp(w, "third-party")) {
		t->kind = VG_TERM_THIRD;
		v = "";
	} else if (model && !strncmp(w, "VGL-", 4)) {
		t->kind = VG_TERM_SIGNAL;
		v = w;
	} else {
		return -1;
	}
	if ((!*v && t->kind != VG_TERM_THIRD) || strlen(v) >= sizeof t->pat)
		return -1;
	snprintf(t->pat, sizeof t->pat, "%s", v);
	if (t->kind == VG_TERM_IMPORT || t->kind == VG_TERM_STRING)
		lower(t->pat);
	if (t->kind == VG_TERM_STRING)
		t->string_index = c->nstrings++;
	return 0;
}

/* One line into l; 0 parsed, 1 blank or comment, -1 malformed (*why). */
static int parse_line(vg_caps *c, char *line, int model, vg_capline *l, const char **why)
{
	char *save = NULL, *w = strtok_r(line, " \t\r", &save);
	if (!w || *w == '#')
		return 1;
	memset(l, 0, sizeof *l);
	if (strlen(w) >= sizeof l->id) {
		*why = "identifier too long";
		return -1;
	}
	snprintf(l->id, sizeof l->id, "%s", w);
	char *lv = strtok_r(NULL, " \t\r", &save);
	int level = lv ? vigil_dlevel_parse(lv) : -1;
	if (level < VIGIL_DLEVEL_INFO) {
		*why = "no level (info, low, medium, high or critical) after the identifier";
		return -1;
	}
	l->level = (vigil_dlevel)level;
	int want_term = 1;
	size_t before = c->nstrings;
	while ((w = strtok_r(NULL, " \t\r", &save))) {
		if (!strcmp(w, "&")) {
			if (want_term)
				break;
			want_term = 1;
			continue;
		}
		if (!want_term || l->nterms == VG_CAPS_MAX_TERMS ||
		    parse_term(c, w, model, &l->terms[l->nterms]) != 0) {
			c->nstrings = before;
			*why = !want_term ? "terms must be joined by '&'"
			       : l->nterms == VG_CAPS_MAX_TERMS ? "too many terms"
			       : model ? "unknown term (want VGL-..., new-cap:ID, cap:ID or third-party)"
			       : "unknown term (want import:GLOB or string:TEXT)";
			return -1;
		}
		l->nterms++;
		want_term = 0;
	}
	if (want_term) {
		c->nstrings = before;
		*why = "a term is missing";
		return -1;
	}
	return 0;
}

static int load_file(vg_caps *c, const char *dir, const char *file, int model,
		     vigil_diag_fn diag, void *ctx)
{
	char *path = vg_asprintf("%s/%s", dir, file), *buf = NULL;
	size_t len = 0;
	if (!path)
		return -1;
	int err = vg_read_file(path, CAPS_FILE_MAX, &buf, &len);
	if (err) {
		vg_diag(diag, ctx, VIGIL_DIAG_WARNING, path, 0,
			"unable to read the %s: %s", model ? "tamper models" : "capability table",
			strerror(err));
		free(path);
		return 0;
	}
	vg_capline **arr = model ? &c->models : &c->caps;
	size_t *n = model ? &c->nmodels : &c->ncaps, cap = 0, lineno = 0;
	int rc = 0;
	for (char *p = buf, *nl; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		lineno++;
		if (*n >= VG_CAPS_MAX_LINES) {
			vg_diag(diag, ctx, VIGIL_DIAG_WARNING, path, lineno,
				"more than %d lines: the rest ignored", VG_CAPS_MAX_LINES);
			break;
		}
		if (!vg_grow(arr, &cap, *n + 1, sizeof **arr)) {
			rc = -1;
			break;
		}
		const char *why = NULL;
		int r = parse_line(c, p, model, &(*arr)[*n], &why);
		if (r == 0)
			(*n)++;
		else if (r < 0)
			vg_diag(diag, ctx, VIGIL_DIAG_WARNING, path, lineno,
				"malformed line, skipped: %s", why);
	}
	free(buf);
	free(path);
	return rc;
}

int vg_caps_load(vg_caps *c, const char *dir, vigil_diag_fn diag, void *ctx)
{
	memset(c, 0, sizeof *c);
	if (!dir)
		return 0;
	if (load_file(c, dir, "capabilities.tab", 0, diag, ctx) != 0 ||
	    load_file(c, dir, "models.tab", 1, diag, ctx) != 0) {
		vg_caps_free(c);
		return -1;
	}
	return 0;
}

void vg_caps_free(vg_caps *c)
{
	if (!c)
		return;
	free(c->caps);
	free(c->models);
	memset(c, 0, sizeof *c);
}

int vg_caps_import_match(const char *glob, const char *s)
{
	char buf[512];
	size_t n = strlen(s);
	if (n >= sizeof buf)
		return 0;
	memcpy(buf, s, n + 1);
	lower(buf);
	const char *subject = buf;
	if (!strchr(glob, '!')) {
		char *bang = strrchr(buf, '!');
		if (bang)
			subject = bang + 1;
		char *at = strchr(subject, '@');
		if (at)
			*at = '\0';
	}
	return fnmatch(glob, subject, 0) == 0;
}

static int any_import(const json_t *imports, const char *glob)
{
	size_t i;
	json_t *v;
	json_array_foreach(imports, i, v) {
		if (json_is_string(v) && vg_caps_import_match(glob, json_string_value(v)))
			return 1;
	}
	return 0;
}

static int has_string(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return 1;
	}
	return 0;
}

int vg_caps_derive(const vg_caps *c, const json_t *imports, const unsigned char *hits,
		   json_t *out)
{
	for (size_t i = 0; i < c->ncaps; i++) {
		const vg_capline *l = &c->caps[i];
		int ok = 1;
		for (size_t t = 0; ok && t < l->nterms; t++) {
			const vg_term *term = &l->terms[t];
			ok = term->kind == VG_TERM_IMPORT ? any_import(imports, term->pat)
			     : term->kind == VG_TERM_STRING ? hits && hits[term->string_index]
			     : 0;
		}
		if (ok && !has_string(out, l->id) && json_array_append_new(out, json_string(l->id)))
			return -1;
	}
	/* sorted, so that the facts do not depend on the table's order */
	size_t n = json_array_size(out);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			json_t *a = json_array_get(out, j - 1), *b = json_array_get(out, j);
			if (strcmp(json_string_value(a), json_string_value(b)) <= 0)
				break;
			json_incref(a);
			json_array_set(out, j - 1, b);
			json_array_set_new(out, j, a);
		}
	return 0;
}

vigil_dlevel vg_caps_level(const vg_caps *c, const char *id)
{
	vigil_dlevel best = VIGIL_DLEVEL_NONE;
	for (size_t i = 0; i < c->ncaps; i++)
		if (!strcmp(c->caps[i].id, id) && c->caps[i].level > best)
			best = c->caps[i].level;
	return best ? best : VIGIL_DLEVEL_INFO;
}
