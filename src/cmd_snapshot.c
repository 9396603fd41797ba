/* vigil snapshot: the facts of one release as JSON, to diff against later. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <vigil/diff.h>

#include "cli.h"
#include "commands.h"
#include "diff_text.h"

static const char usage[] =
"usage: vigil snapshot RELEASE -o FILE\n"
"\n"
"Write the facts of every component of RELEASE (a directory, an installer,\n"
"archive or disk image, nested) as one JSON record, so that `vigil diff`\n"
"and `vigil verify --against` can compare a later release with it without\n"
"the old one: a diff against the snapshot gives the same result as a diff\n"
"against the release itself. docs/cli.md describes the record.\n"
"\n"
"Options:\n"
"  -o, --output FILE    write the snapshot to FILE (whole or not at all;\n"
"                       '-' for standard output)\n"
DIFF_CONTENT_USAGE
"  -h, --help           this help\n"
"\n"
"Exit status: 0 written, 2 an error (unreadable release, write error).\n"
"\n"
"Example: vigil snapshot app-1.0.msi -o app-1.0.snapshot.json\n";

static const struct option long_opts[] = {
	{"output", required_argument, NULL, 'o'},
	DIFF_CONTENT_LONG_OPTS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int run(int argc, char **argv, struct diff_content *cc)
{
	const char *output = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", long_opts, NULL)) != -1) {
		int taken = diff_content_opt(cc, c, optarg);
		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil snapshot --help'\n", stderr);
			return 2;
		}
	}
	if (argc - optind != 1 || !output) {
		fputs("vigil: snapshot needs RELEASE and -o FILE\n", stderr);
		return 2;
	}
	struct cli_diag d = {0};
	vigil_diff_options o;
	diff_cli_options(&o);
	if (diff_content_open(cc, &d, &o))
		return 2;
	vigil_release *r = NULL;
	if (diff_cli_load(argv[optind], &o, &d, &r))
		return 2;
	char *text = vigil_release_snapshot(r);
	vigil_release_free(r);
	if (!text) {
		fputs("vigil: out of memory\n", stderr);
		return 2;
	}
	struct cli_output out;
	if (cli_output_open(&out, output) != 0) {
		free(text);
		return 2;
	}
	fputs(text, out.f);
	fputc('\n', out.f);
	free(text);
	return cli_output_commit(&out) == 0 ? 0 : 2;
}

int cmd_snapshot(int argc, char **argv)
{
	struct diff_content cc = {0};
	int rc = run(argc, argv, &cc);
	diff_content_close(&cc);
	return rc;
}
