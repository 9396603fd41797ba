/*
 * The configuration file: the options a site sets once, read before the
 * command line, which wins. Files, in order: /etc/vigil/vigil.conf, then
 * $XDG_CONFIG_HOME/vigil/vigil.conf (default ~/.config/vigil/vigil.conf),
 * then every --config FILE (which must exist). VIGIL_NO_SYSTEM_CONFIG=1
 * skips the first two (the test suite sets it). See docs/cli.md.
 */
#ifndef VIGIL_CONFIG_H
#define VIGIL_CONFIG_H

#include <getopt.h>

/*
 * Read the files for subcommand cmd, whose options are opts, and make
 * *argv (and *argc) the command line with the files' options first:
 * argv[0], the options from the files, then the rest of the command line
 * without --config FILE, --config=FILE and --no-config (no file at all but
 * those of --config). The new argv stays valid until the process ends.
 * 0, or 2 after naming file:line (unknown key or section, bad value, a
 * key the command or this build does not take, a --config file missing).
 */
int config_apply(const char *cmd, const struct option *opts, int *argc, char ***argv);

#endif
