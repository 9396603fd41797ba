/* vigil diff: the risk-weighted comparison of two releases. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/diff.h>

#include "cli.h"
#include "commands.h"
#include "diff_text.h"

static const char usage[] =
"usage: vigil diff [options] OLD NEW\n"
"\n"
"Compare two releases of a product, component by component, and say what\n"
"changed and how much it matters: signer, certificate table, version kept\n"
"with new bytes, imports and capabilities, URLs, domains and IP addresses,\n"
"high-entropy data, overlay, TLS callbacks, entry point, sections, IFUNC\n"
"resolvers, init_array, RPATH, toolchain fingerprint, and the tamper models\n"
"(3CX-like, XZ-like) built on them (docs/detections.md).\n"
"\n"
"OLD and NEW are each a directory, an installer, archive or disk image (MSI,\n"
"ZIP, deb, DMG, tar.*, nested...), or a snapshot written by `vigil snapshot`.\n"
"Components are matched by their path inside the release (the top file's own\n"
"name left out; lower-cased for Windows releases).\n"
"\n"
"Options:\n"
"  --json               the diff record as one JSON object\n"
"  --sarif              a SARIF 2.1.0 log\n"
"  --fail-on LEVEL      exit 1 when a component reaches LEVEL: info, low,\n"
"                       medium, high (default) or critical\n"
"  --all                list unchanged components too\n"
DIFF_CONTENT_USAGE
"  -h, --help           this help\n"
"\n"
"Exit status: 0 no change at --fail-on or above, 1 one is, 2 an error\n"
"(unreadable release, malformed snapshot, bad option).\n"
"\n"
"Example: vigil diff --fail-on high app-1.0.msi app-1.1.msi\n";

enum { OPT_JSON = 256, OPT_SARIF, OPT_FAIL_ON, OPT_ALL };

static const struct option long_opts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"sarif", no_argument, NULL, OPT_SARIF},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"all", no_argument, NULL, OPT_ALL},
	DIFF_CONTENT_LONG_OPTS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int run(int argc, char **argv, struct diff_content *cc)
{
	int json = 0, sarif = 0, all = 0, fail_on = VIGIL_DLEVEL_HIGH, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		int taken = diff_content_opt(cc, c, optarg);
		if (taken < 0)
			return 2;
		if (taken)
			continue;
		switch (c) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_SARIF:
			sarif = 1;
			break;
		case OPT_ALL:
			all = 1;
			break;
		case OPT_FAIL_ON:
			fail_on = vigil_dlevel_parse(optarg);
			if (fail_on < VIGIL_DLEVEL_INFO) {
				fputs("vigil: invalid --fail-on (info, low, medium, high or critical)\n",
				      stderr);
				return 2;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil diff --help'\n", stderr);
			return 2;
		}
	}
	if (json && sarif) {
		fputs("vigil: --json and --sarif exclude each other\n", stderr);
		return 2;
	}
	if (argc - optind != 2) {
		fputs("vigil: diff needs OLD and NEW\n", stderr);
		return 2;
	}
	struct cli_diag d = {0};
	vigil_diff_options o;
	diff_cli_options(&o);
	if (diff_content_open(cc, &d, &o))
		return 2;
	o.all = all;
	vigil_release *old_r = NULL, *new_r = NULL;
	if (diff_cli_load(argv[optind], &o, &d, &old_r) ||
	    diff_cli_load(argv[optind + 1], &o, &d, &new_r)) {
		vigil_release_free(old_r);
		return 2;
	}
	char *text = NULL;
	vigil_dlevel verdict;
	int st = vigil_diff_json(old_r, new_r, &o, &text, &verdict);
	vigil_release_free(old_r);
	vigil_release_free(new_r);
	if (st != VIGIL_OK) {
		fputs("vigil: out of memory\n", stderr);
		return 2;
	}
	int rc = diff_emit(stdout, text, json, sarif);
	free(text);
	if (rc || fflush(stdout) != 0 || ferror(stdout)) {
		if (!rc)
			fputs("vigil: unable to write the output\n", stderr);
		return 2;
	}
	return (int)verdict >= fail_on ? 1 : 0;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_content cc = {0};
	int rc = run(argc, argv, &cc);
	diff_content_close(&cc);
	return rc;
}
