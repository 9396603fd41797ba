/* The allow-list of findings (see allowlist.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <vigil/escape.h>

#include "allowlist.h"

struct allow_entry {
	char *glob, *id, *reason;
};

struct allowlist {
	struct allow_entry *e;
	size_t n, cap;
};

/* "YYYY-MM-DD" -> the first second after that day (UTC), or -1. */
static time_t day_end(const char *s)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return -1;
	/* days from 1970-01-01 (civil-from-days, proleptic Gregorian) */
	int yy = m <= 2 ? y - 1 : y;
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long days = era * 146097 + doe - 719468;
	return (time_t)(days + 1) * 86400;
}

static int add(struct allowlist *al, const char *glob, const char *id, const char *reason)
{
	if (al->n == al->cap) {
		size_t cap = al->cap ? 2 * al->cap : 16;
		struct allow_entry *ne = realloc(al->e, cap * sizeof *ne);
		if (!ne)
			return -1;
		al->e = ne;
		al->cap = cap;
	}
	struct allow_entry x = {strdup(glob), strdup(id), strdup(reason)};
	if (!x.glob || !x.id || !x.reason) {
		free(x.glob);
		free(x.id);
		free(x.reason);
		return -1;
	}
	al->e[al->n++] = x;
	return 0;
}

/* Split the next whitespace-separated field off *p. */
static char *field(char **p)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	char *f = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return f;
}

/* One entry of a line; NULL when fine, else what is wrong. *expires set
 * to the expiry text or NULL. Fields point into line or into j. */
static const char *parse_line(char *line, json_t **j, const char **glob, const char **id,
			      const char **reason, const char **expires)
{
	*expires = NULL;
	if (line[0] == '{') {
		json_error_t err;
		*j = json_loads(line, 0, &err);
		if (!*j || !json_is_object(*j))
			return "not a JSON object";
		const char *key;
		json_t *v;
		json_object_foreach(*j, key, v) {
			if (strcmp(key, "path") && strcmp(key, "id") && strcmp(key, "reason") &&
			    strcmp(key, "expires"))
				return "unknown key (path, id, reason, expires)";
			if (!json_is_string(v))
				return "a value that is not a string";
		}
		*glob = json_string_value(json_object_get(*j, "path"));
		*id = json_string_value(json_object_get(*j, "id"));
		*reason = json_string_value(json_object_get(*j, "reason"));
		*expires = json_string_value(json_object_get(*j, "expires"));
	} else {
		char *p = line;
		*glob = field(&p);
		*id = field(&p);
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "expires=", 8) == 0) {
			*expires = field(&p) + 8;
			while (*p == ' ' || *p == '\t')
				p++;
		}
		*reason = *p ? p : NULL;
	}
	if (!*glob || !**glob)
		return "no path glob";
	if (!*id || !**id)
		return "no finding ID";
	if (!*reason || !**reason)
		return "no reason (every entry says why the finding is accepted)";
	return NULL;
}

int allowlist_load(struct allowlist **alp, const char *file, time_t now)
{
	if (!*alp && !(*alp = calloc(1, sizeof **alp))) {
		fputs("vigil: out of memory\n", stderr);
		return -1;
	}
	struct allowlist *al = *alp;
	char *name = vigil_escape_str(file);
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "vigil: unable to open the allow-list '%s': %s\n",
			name ? name : "", strerror(errno));
		free(name);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned long lineno = 0;
	int rc = 0;
	while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		json_t *j = NULL;
		const char *glob, *id, *reason, *expires;
		const char *bad = strlen(s) != (size_t)(got - (s - line))
					  ? "a NUL byte in the line"
					  : parse_line(s, &j, &glob, &id, &reason, &expires);
		time_t until = 0;
		if (!bad && expires && (until = day_end(expires)) < 0)
			bad = "expiry date not YYYY-MM-DD";
		if (bad) {
			fprintf(stderr, "vigil: %s:%lu: malformed allow-list entry: %s\n",
				name ? name : "", lineno, bad);
			rc = -1;
		} else if (expires && until <= now) {
			char *e = vigil_escape_str(expires);
			fprintf(stderr, "vigil: %s:%lu: warning: allow-list entry expired on %s, "
				"ignored\n", name ? name : "", lineno, e ? e : "");
			free(e);
		} else if (add(al, glob, id, reason) != 0) {
			fputs("vigil: out of memory\n", stderr);
			rc = -1;
		}
		json_decref(j);
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "vigil: unable to read the allow-list '%s'\n", name ? name : "");
		rc = -1;
	}
	free(line);
	fclose(f);
	free(name);
	return rc;
}

void allowlist_free(struct allowlist *al)
{
	if (!al)
		return;
	for (size_t i = 0; i < al->n; i++) {
		free(al->e[i].glob);
		free(al->e[i].id);
		free(al->e[i].reason);
	}
	free(al->e);
	free(al);
}

const char *allowlist_match(const struct allowlist *al, const char *path, const char *id)
{
	if (!al || !path || !id)
		return NULL;
	for (size_t i = 0; i < al->n; i++)
		if (fnmatch(al->e[i].glob, path, 0) == 0 && fnmatch(al->e[i].id, id, 0) == 0)
			return al->e[i].reason;
	return NULL;
}

size_t allowlist_filter(const struct allowlist *al, const vigil_file_result *r,
			vigil_finding *keep, vigil_file_result *out)
{
	*out = *r;
	if (!al || !r->nfindings)
		return 0;
	size_t n = 0;
	int scores[256];
	for (size_t i = 0; i < r->nfindings; i++)
		if (!allowlist_match(al, r->path, r->findings[i].id))
			keep[n++] = r->findings[i];
	size_t left = r->nfindings - n;
	if (!left)
		return 0;
	out->findings = keep;
	out->nfindings = n;
	/* the score of what is left, as the sweep combines it */
	size_t ns = n < sizeof scores / sizeof *scores ? n : sizeof scores / sizeof *scores;
	for (size_t i = 0; i < ns; i++)
		scores[i] = keep[i].score;
	out->score = n ? vigil_score_combine(scores, ns) : 0;
	for (size_t i = 0; i < n; i++)
		keep[i].level = vigil_score_level(keep[i].score);
	return left;
}
