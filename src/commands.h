/* The subcommand table (git's builtin/ pattern). */
#ifndef VIGIL_COMMANDS_H
#define VIGIL_COMMANDS_H

struct command {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
};

const struct command *find_command(const char *name);

#define VIGIL_COMMAND(name, fn, summary) int fn(int argc, char **argv);
#include "command_list.h"
#undef VIGIL_COMMAND

#endif
