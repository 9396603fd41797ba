/* vigil verify: the gate a pipeline runs before it deploys a release. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/diff.h>

#include "cli.h"
#include "commands.h"
#include "diff_text.h"

static const char usage[] =
"usage: vigil verify [options] NEW\n"
"\n"
"Decide whether release NEW (a directory, installer, archive, disk image or\n"
"snapshot) may be deployed: the policy's checks on NEW alone and, with\n"
"--against, every signal of `vigil diff OLD NEW`. The built-in policy\n"
"fails at level high: an unsigned PE component in a release whose vendor\n"
"signs, a writable and executable section, a self-signed signer, a\n"
"signature that does not match its file (docs/detections.md, \"Release\n"
"gate\"), and with --against every diff signal of level high or above.\n"
"\n"
"Options:\n"
"  --against OLD        also compare with the release (or snapshot) OLD\n"
"  --policy FILE        a policy file (JSON, docs/cli.md \"Policy files\"):\n"
"                       fail_on, signers, must_be_signed, pinned digests,\n"
"                       allowed and forbidden capabilities, waivers\n"
"  --json               the verify record as one JSON object\n"
"  --sarif              a SARIF 2.1.0 log\n"
DIFF_CONTENT_USAGE
"  -h, --help           this help\n"
"\n"
"Exit status: 0 pass, 1 fail, 2 an error (unreadable release, bad option,\n"
"a malformed policy: its file, line and key are named).\n"
"\n"
"Example: vigil verify --against app-1.0.snapshot.json app-1.1.msi\n";

enum { OPT_JSON = 256, OPT_SARIF, OPT_AGAINST, OPT_POLICY };

static const struct option long_opts[] = {
	{"json", no_argument, NULL, OPT_JSON},
	{"sarif", no_argument, NULL, OPT_SARIF},
	{"against", required_argument, NULL, OPT_AGAINST},
	{"policy", required_argument, NULL, OPT_POLICY},
	DIFF_CONTENT_LONG_OPTS,
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* --rules, --iocs and --no-rules-cache are taken as by `vigil diff`
 * (docs/cli.md, "vigil verify"). */
static int run(int argc, char **argv, struct diff_content *cc)
{
	int json = 0, sarif = 0, c;
	const char *against = NULL, *policy = NULL;
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
		case OPT_AGAINST:
			against = optarg;
			break;
		case OPT_POLICY:
			policy = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil verify --help'\n", stderr);
			return 2;
		}
	}
	if (json && sarif) {
		fputs("vigil: --json and --sarif exclude each other\n", stderr);
		return 2;
	}
	if (argc - optind != 1) {
		fputs("vigil: verify needs NEW\n", stderr);
		return 2;
	}
	struct cli_diag d = {0};
	vigil_policy *pol = NULL;
	/* the policy's notices (expired waivers) are always shown */
	struct cli_diag pd = {0};
	pd.verbose = 1;
	if (policy && !(pol = vigil_policy_load(policy, NULL, cli_print_diag, &pd)))
		return 2; /* the diagnostics named the file, line and key */
	vigil_diff_options o;
	diff_cli_options(&o);
	if (diff_content_open(cc, &d, &o)) {
		vigil_policy_destroy(pol);
		return 2;
	}
	vigil_release *old_r = NULL, *new_r = NULL;
	if ((against && diff_cli_load(against, &o, &d, &old_r)) ||
	    diff_cli_load(argv[optind], &o, &d, &new_r)) {
		vigil_release_free(old_r);
		vigil_policy_destroy(pol);
		return 2;
	}
	char *text = NULL;
	int pass = 0;
	int st = vigil_verify_policy_json(new_r, old_r, &o, pol, policy, NULL, &text, &pass);
	vigil_release_free(old_r);
	vigil_release_free(new_r);
	vigil_policy_destroy(pol);
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
	return pass ? 0 : 1;
}

int cmd_verify_release(int argc, char **argv)
{
	struct diff_content cc = {0};
	int rc = run(argc, argv, &cc);
	diff_content_close(&cc);
	return rc;
}
