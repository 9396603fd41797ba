/* The store's options and default location, and the scan's wiring. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_cli.h"

/* mkdir -p of the directories above path, mode 0700. */
static int make_parents(const char *path)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "vigil: warning: unable to create '%s': %s\n", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

/* The default: /var/lib/vigil/store.db for root, else
 * $XDG_STATE_HOME/vigil/store.db or ~/.local/state/vigil/store.db. */
static char *default_path(void)
{
	const char *v;
	if (geteuid() == 0)
		return strdup("/var/lib/vigil/store.db");
	if ((v = getenv("XDG_STATE_HOME")) && *v == '/')
		return cli_join3(v, "/vigil/", "store.db");
	if ((v = getenv("HOME")) && *v == '/')
		return cli_join3(v, "/.local/state/vigil/", "store.db");
	return NULL;
}

int store_cli_open(const struct store_cli *o, struct cli_diag *diag,
		   vigil_store **st)
{
	*st = NULL;
	if (o->off)
		return 0;
	char *path = NULL;
	/* the default store is a convenience: when it cannot be made or used
	 * the sweep runs without it (a warning says so); a store asked for
	 * by --store or VIGIL_STORE that cannot be used stops the run */
	int chosen = 1;
	const char *env = getenv("VIGIL_STORE");
	if (o->path)
		path = strdup(o->path);
	else if (env && strcmp(env, "off") == 0)
		return 0;
	else if (env && *env)
		path = strdup(env);
	else {
		chosen = 0;
		if (!(path = default_path())) {
			if (diag->verbose)
				fprintf(stderr, "vigil: no home directory: running without a store\n");
			return 0;
		}
		if (make_parents(path)) {
			free(path);
			fputs("vigil: warning: running without a store (--store PATH "
			      "names one, --no-store says so)\n", stderr);
			return 0;
		}
	}
	if (!path) {
		fputs("vigil: out of memory\n", stderr);
		return -1;
	}
	vigil_store_options so;
	vigil_store_options_init(&so);
	so.path = path;
	so.rebuild = o->rebuild;
	int rc = vigil_store_open(&so, cli_print_diag, diag, st);
	free(path);
	if (rc != VIGIL_OK && !chosen) {
		fputs("vigil: warning: the default store cannot be used: running without "
		      "it (--rebuild starts a new one, --no-store says so)\n", stderr);
		*st = NULL;
		return 0;
	}
	if (rc != VIGIL_OK) {
		fputs("vigil: the store cannot be used, stopping (--no-store runs without it)\n", stderr);
		return -1;
	}
	return 0;
}

int store_cli_scan_begin(vigil_store *st, vigil_scanner *sc,
			 const vigil_iocs *iocs, const char *rules_id,
			 const vigil_rules *rules,
			 const vigil_scan_options *opt, int rescan,
			 const char *const *roots, size_t n)
{
	char hash[65] = "", name[65] = "", rid[65] = "";
	if (vigil_iocs_identity(iocs, VIGIL_IOC_MD5, hash) != VIGIL_OK)
		hash[0] = '\0';
	if (vigil_iocs_identity(iocs, VIGIL_IOC_PATH_REGEX, name) != VIGIL_OK)
		name[0] = '\0';
	if (rules_id)
		snprintf(rid, sizeof rid, "%s", rules_id);
	else if (vigil_rules_identity(rules, rid) != VIGIL_OK)
		rid[0] = '\0';
	char checks[96];
	snprintf(checks, sizeof checks, "vigil %s checks %s", vigil_version(),
		 opt->no_checks ? "off" : "on");
	vigil_store_parts parts = {
		.hash_iocs = hash, .name_iocs = name, .rules = rid,
		.checks = checks, .max_size = opt->max_size, .rescan = rescan,
	};
	if (vigil_store_sweep_begin(st, roots, n, &parts) != VIGIL_OK) {
		fputs("vigil: the store cannot be used, stopping (--no-store runs without it)\n", stderr);
		return -1;
	}
	vigil_scanner_set_reuse(sc, vigil_store_reuse, st);
	return 0;
}

void store_cli_scan_file(void *ctx, const vigil_file_result *r)
{
	struct store_cli_sink *k = ctx;
	vigil_store_record(k->st, r);
	if (r->nfindings || r->skip || r->error)
		k->report(k->report_ctx, r);
}

int store_cli_late_rules(void *ctx, const vigil_rules **out)
{
	struct store_cli_late *l = ctx;
	if (vigil_rules_finish(l->rules) != VIGIL_OK) {
		fputs("vigil: rules do not compile, stopping\n", stderr);
		l->failed = 1;
		return VIGIL_FATAL;
	}
	*out = l->rules;
	return VIGIL_OK;
}
