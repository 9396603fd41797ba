/* vigil: the command-line front end; one src/cmd_*.c per subcommand. */
#include <stdio.h>
#include <string.h>

#include <vigil/vigil.h>

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
	fprintf(out, "\n'vigil help <command>' or 'vigil <command> --help' for details.\n");
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
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("vigil %s\n", vigil_version());
		return 0;
	}
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
