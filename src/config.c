/* The configuration file (see config.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vigil/escape.h>

#include "config.h"

/* A key, the subcommands that take it (as the option of the same name),
 * and whether it is a yes/no switch. */
struct key {
	const char *name, *cmds;
	int flag;
};

static const struct key keys[] = {
	{"iocs", " scan logs inspect hunt ", 0},
	{"rules", " scan inspect ", 0},
	{"no-builtin", " scan logs inspect ", 1},
	{"exclude", " scan ", 0},
	{"allow", " scan ", 0},
	{"one-file-system", " scan ", 1},
	{"max-size", " scan inspect ", 0},
	{"max-hash-size", " scan ", 0},
	{"max-depth", " scan ", 0},
	{"max-expanded", " scan ", 0},
	{"max-ratio", " scan ", 0},
	{"max-members", " scan ", 0},
	{"max-member-size", " scan ", 0},
	{"max-line", " logs ", 0},
	{"threads", " scan pkg ", 0},
	{"cpu-limit", " scan ", 0},
	{"nice", " scan ", 1},
	{"min-score", " scan inspect pkg hunt ", 0},
	{"store", " scan hunt ", 0},
	{"report", " scan logs ", 0},
};

static const char *const sections[] = {"scan", "logs", "inspect", "pkg", "hunt"};

struct growing {
	char **v;
	size_t n, cap;
};

/* Append s (NULL only as the terminator). */
static int push(struct growing *g, char *s)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		char **nv = realloc(g->v, cap * sizeof *nv);
		if (!nv)
			return -1;
		g->v = nv;
		g->cap = cap;
	}
	g->v[g->n++] = s;
	return 0;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int has_option(const struct option *opts, const char *name)
{
	for (; opts->name; opts++)
		if (strcmp(opts->name, name) == 0)
			return 1;
	return 0;
}

static int cmd_in(const char *cmds, const char *cmd)
{
	char word[32];
	snprintf(word, sizeof word, " %s ", cmd);
	return strstr(cmds, word) != NULL;
}

/* One file's options for cmd, appended to out. 0, 1 when it does not
 * exist (and need not), 2 after saying what is wrong. */
static int read_file(const char *path, int must, const char *cmd,
		     const struct option *opts, struct growing *out)
{
	char *name = vigil_escape_str(path);
	FILE *f = fopen(path, "r");
	if (!f) {
		int quiet = !must && errno == ENOENT;
		if (!quiet)
			fprintf(stderr, "vigil: unable to open the configuration '%s': %s\n",
				name ? name : "", strerror(errno));
		free(name);
		return quiet ? 1 : 2;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned long lineno = 0;
	const char *section = NULL; /* NULL: every command */
	int rc = 0;
	while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (got && line[got - 1] == '\n')
			line[--got] = '\0';
		const char *bad = NULL;
		char *s = trim(line);
		if (strlen(line) != (size_t)got)
			bad = "a NUL byte in the line";
		else if (!*s || *s == '#')
			continue;
		else if (*s == '[') {
			size_t n = strlen(s);
			section = NULL;
			bad = "unknown section (scan, logs, inspect, pkg, hunt)";
			if (n > 2 && s[n - 1] == ']')
				for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
					if (strlen(sections[i]) == n - 2 &&
					    strncmp(s + 1, sections[i], n - 2) == 0) {
						section = sections[i];
						bad = NULL;
					}
			if (!bad)
				continue;
		}
		char *eq = bad ? NULL : strchr(s, '=');
		if (!bad && !eq)
			bad = "not 'key = value'";
		const struct key *k = NULL;
		char *key = NULL, *val = NULL;
		if (!bad) {
			*eq = '\0';
			key = trim(s);
			val = trim(eq + 1);
			for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
				if (strcmp(keys[i].name, key) == 0)
					k = &keys[i];
			if (!k)
				bad = "unknown key";
			else if (!*val)
				bad = "no value";
		}
		int applies = k && (!section || strcmp(section, cmd) == 0) && cmd_in(k->cmds, cmd);
		if (!bad && section && strcmp(section, cmd) == 0 && !cmd_in(k->cmds, cmd))
			bad = "not an option of this command";
		if (!bad && applies && !has_option(opts, k->name))
			bad = "not supported by this build";
		int on = 1;
		if (!bad && k->flag) {
			if (!strcmp(val, "yes") || !strcmp(val, "true") || !strcmp(val, "1"))
				on = 1;
			else if (!strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "0"))
				on = 0;
			else
				bad = "not yes or no";
		}
		if (bad) {
			char *e = key ? vigil_escape_str(key) : NULL;
			fprintf(stderr, "vigil: %s:%lu: %s%s%s%s\n", name ? name : "", lineno, bad,
				e ? " '" : "", e ? e : "", e ? "'" : "");
			free(e);
			rc = 2;
			break;
		}
		if (!applies || !on)
			continue;
		size_t kl = strlen(k->name), vl = strlen(val);
		char *opt = malloc(kl + vl + 4);
		if (!opt) {
			fputs("vigil: out of memory\n", stderr);
			rc = 2;
			break;
		}
		memcpy(opt, "--", 2);
		memcpy(opt + 2, k->name, kl + 1);
		if (!k->flag) {
			opt[2 + kl] = '=';
			memcpy(opt + 3 + kl, val, vl + 1);
		}
		if (push(out, opt) != 0) {
			free(opt);
			fputs("vigil: out of memory\n", stderr);
			rc = 2;
		}
	}
	free(line);
	fclose(f);
	free(name);
	return rc;
}

int config_apply(const char *cmd, const struct option *opts, int *argc, char ***argv)
{
	/* the new command line, kept to the end of the process */
	static struct growing out;
	out.n = 0;
	struct growing files = {0};
	int no_config = 0, rc = 0;
	char **av = *argv;
	int ac = *argc;
	struct growing rest = {0};
	/* --config and --no-config, wherever they are (up to "--") */
	for (int i = 1; i < ac && rc == 0; i++) {
		if (strcmp(av[i], "--") == 0) {
			for (; i < ac; i++)
				rc |= push(&rest, av[i]) ? 2 : 0;
			break;
		}
		if (strcmp(av[i], "--no-config") == 0) {
			no_config = 1;
		} else if (strcmp(av[i], "--config") == 0) {
			if (i + 1 >= ac) {
				fputs("vigil: --config needs a FILE\n", stderr);
				rc = 2;
			} else {
				rc |= push(&files, av[++i]) ? 2 : 0;
			}
		} else if (strncmp(av[i], "--config=", 9) == 0) {
			rc |= push(&files, av[i] + 9) ? 2 : 0;
		} else {
			rc |= push(&rest, av[i]) ? 2 : 0;
		}
	}
	if (rc == 0)
		rc = push(&out, av[0]) ? 2 : 0;
	const char *no_sys = getenv("VIGIL_NO_SYSTEM_CONFIG");
	if (rc == 0 && !no_config && !(no_sys && *no_sys && strcmp(no_sys, "0"))) {
		int r = read_file("/etc/vigil/vigil.conf", 0, cmd, opts, &out);
		rc = r == 2 ? 2 : 0;
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
		char path[4096];
		int n = -1;
		if (xdg && *xdg == '/')
			n = snprintf(path, sizeof path, "%s/vigil/vigil.conf", xdg);
		else if (home && *home == '/')
			n = snprintf(path, sizeof path, "%s/.config/vigil/vigil.conf", home);
		if (rc == 0 && n > 0 && (size_t)n < sizeof path)
			rc = read_file(path, 0, cmd, opts, &out) == 2 ? 2 : 0;
	}
	for (size_t i = 0; rc == 0 && i < files.n; i++)
		rc = read_file(files.v[i], 1, cmd, opts, &out) ? 2 : 0;
	for (size_t i = 0; rc == 0 && i < rest.n; i++)
		rc = push(&out, rest.v[i]) ? 2 : 0;
	if (rc == 0)
		rc = push(&out, NULL) ? 2 : 0;
	free(files.v);
	free(rest.v);
	if (rc)
		return 2;
	*argc = (int)out.n - 1;
	*argv = out.v;
	return 0;
}
