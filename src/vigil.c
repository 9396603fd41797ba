/* vigil: the command-line front end; one src/cmd_*.c per subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/vigil.h>

#include "cli.h"
#include "commands.h"

static const struct command commands[] = {
#define VIGIL_COMMAND(name, fn, summary) {name, fn, summary},
#include "command_list.h"
#undef VIGIL_COMMAND
};

static void usage(FILE *out)
{
	fprintf(out, "usage: vigil <command> [options] [args]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-10s %s\n", "help", "show help for a command");
	fprintf(out, "\n'vigil help <command>' or 'vigil <command> --help' for details;\n"
		"'vigil --version' (-V) names the libraries and the built-in content.\n");
}

/* The version, the libraries' versions and the built-in content's
 * identity: what a report must name to be compared across hosts. */
static int print_version(int argc, char **argv)
{
	int json = argc > 1 && strcmp(argv[1], "--json") == 0;
	if (argc > 1 && !json) {
		fprintf(stderr, "vigil: usage: vigil --version [--json]\n");
		return 2;
	}
	vigil_component_version v[16];
	size_t n = vigil_component_versions(v, sizeof v / sizeof *v);
	if (n > sizeof v / sizeof *v)
		n = sizeof v / sizeof *v;
	/* the built-in content as a sweep without options loads it */
	struct cli_diag diag = {0};
	struct cli_content_args ca = {0};
	vigil_iocs *iocs = NULL;
	vigil_rules *rules = NULL;
	int loaded = cli_content_open(&ca, &diag, &iocs, &rules) == 0;
	json_t *content = loaded ? cli_content_identity(iocs, rules, NULL) : json_null();
	if (json) {
		json_t *o = json_object(), *libs = json_object();
		json_object_set_new(o, "vigil", json_string(vigil_version()));
		json_object_set_new(o, "schema", json_integer(VIGIL_JSON_SCHEMA));
		for (size_t i = 0; i < n; i++)
			json_object_set_new(libs, v[i].name, json_string(v[i].version));
		json_object_set_new(o, "libraries", libs);
		json_object_set_new(o, "content_dir", cli_json_path(vigil_content_dir()));
		json_object_set_new(o, "content", content);
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		printf("vigil %s (JSON schema %d)\n", vigil_version(), VIGIL_JSON_SCHEMA);
		for (size_t i = 0; i < n; i++)
			printf("  %-11s %s\n", v[i].name, v[i].version ? v[i].version : "?");
		char *dir = vigil_escape_str(vigil_content_dir());
		printf("built-in content: %s\n", dir ? dir : "?");
		free(dir);
		json_t *io = json_object_get(content, "iocs"), *ru = json_object_get(content, "rules");
		if (!loaded) {
			printf("  not loaded (%lu errors)\n", diag.errors);
		} else {
			printf("  IOCs   %lld hash, %lld file-name, %lld network  sha256 %s\n",
			       (long long)json_integer_value(json_object_get(io, "hash")),
			       (long long)json_integer_value(json_object_get(io, "filename")),
			       (long long)json_integer_value(json_object_get(io, "network")),
			       json_string_value(json_object_get(io, "sha256")) ?
			       json_string_value(json_object_get(io, "sha256")) : "unknown");
			printf("  rules  %lld from %lld files  sha256 %s\n",
			       (long long)json_integer_value(json_object_get(ru, "count")),
			       (long long)json_integer_value(json_object_get(ru, "files")),
			       json_string_value(json_object_get(ru, "sha256")) ?
			       json_string_value(json_object_get(ru, "sha256")) : "unknown");
			if (diag.warnings)
				printf("  malformed lines skipped: %lu\n", diag.warnings);
		}
		json_decref(content);
	}
	vigil_rules_destroy(rules);
	vigil_iocs_destroy(iocs);
	return fflush(stdout) == 0 ? 0 : 2;
}

const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0 ||
	    strcmp(name, "version") == 0)
		return print_version(argc - 1, argv + 1);
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		const struct command *c = find_command(argv[2]);
		if (!c) {
			fprintf(stderr, "vigil: unknown command '%s'\n", argv[2]);
			return 2;
		}
		char *hargv[] = {argv[2], "--help", NULL};
		return c->fn(2, hargv);
	}
	const struct command *c = find_command(name);
	if (!c) {
		fprintf(stderr, "vigil: unknown command '%s'\n", name);
		usage(stderr);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
