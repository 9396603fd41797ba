/* vigil baseline: an integrity baseline kept in the store (init, check,
 * update), signed with a key kept off the host (keygen). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/baseline.h>
#include <vigil/escape.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "store_cli.h"

static const char usage[] =
"usage: vigil baseline init [options] [PATH...]\n"
"       vigil baseline check [options] [PATH...]\n"
"       vigil baseline update [options] [PATH...]\n"
"       vigil baseline keygen FILE\n"
"\n"
"An integrity baseline kept in the store, like AIDE's: each selected entry's\n"
"type, permissions (setuid, setgid, sticky), owner, group, size, mtime,\n"
"ctime, inode, link count, symlink target, extended attributes (capabilities\n"
"and POSIX ACLs among them) and SHA-256. init records the PATHs (or the\n"
"roots of --select's rules), replacing any baseline; check reports what was\n"
"added, removed and changed, with each attribute that changed (old -> new),\n"
"rehashing every file; update accepts the current state (of the PATHs only,\n"
"when given). keygen writes an Ed25519 key pair, FILE and FILE.pub: keep FILE\n"
"off the host and give --sign FILE to init or update, --key FILE.pub to check.\n"
"\n"
"Options:\n"
"  --select FILE        rules: include and exclude globs with an attribute\n"
"                       set each ('/usr R', '!/var/log'); init and update\n"
"                       (check uses the rules stored with the baseline)\n"
"  --sign KEY           sign the baseline with the Ed25519 private key KEY\n"
"                       (init, update)\n"
"  --key PUB            refuse a baseline whose signature does not verify\n"
"                       with the public key PUB (check, update)\n"
"  --fast               trust an unchanged stat tuple (device, inode, size,\n"
"                       mtime, ctime): do not read such files again\n"
"                       (check, update)\n"
"  --json               JSON Lines: a baseline record per change, then a\n"
"                       summary record\n"
"  --threads N          reading threads (default 2)\n"
"  --store PATH         the store file (default as for vigil scan)\n"
"  -v, --verbose        info-level messages too\n"
"  -h, --help           this help\n"
"\n"
"Exit status: 0 no change (check) or done (init, update, keygen), 1 changes\n"
"(check), 2 an error (no baseline, malformed rules, a signature that does\n"
"not verify, a directory that could not be listed).\n"
"\n"
"Example:\n"
"  vigil baseline init --select /etc/vigil/baseline.rules --sign /media/key/vigil.key\n"
"  vigil baseline check --key /etc/vigil/vigil.key.pub\n";

enum {
	OPT_SELECT = 256, OPT_SIGN, OPT_KEY, OPT_FAST, OPT_JSON, OPT_THREADS, OPT_STORE,
};

static const struct option long_opts[] = {
	{"select", required_argument, NULL, OPT_SELECT},
	{"sign", required_argument, NULL, OPT_SIGN},
	{"key", required_argument, NULL, OPT_KEY},
	{"fast", no_argument, NULL, OPT_FAST},
	{"json", no_argument, NULL, OPT_JSON},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"store", required_argument, NULL, OPT_STORE},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char *const kind_names[] = {"added", "removed", "changed"};

struct out {
	int json;
	int oom;
};

static void print_value(const char *v)
{
	if (!v) {
		fputs("(none)", stdout);
		return;
	}
	char *e = vigil_escape_str(v);
	fputs(e ? e : "?", stdout);
	free(e);
}

static void on_change(void *ctx, const vigil_baseline_change *c)
{
	struct out *o = ctx;
	if (o->json) {
		char *rec = vigil_baseline_change_json(c);
		if (!rec || cli_record_puts(stdout, rec) != 0)
			o->oom = 1;
		free(rec);
		return;
	}
	char *p = vigil_escape_str(c->path);
	printf("%-8s %s (%s)\n", kind_names[c->kind % 3], p ? p : "?", c->type);
	free(p);
	for (size_t i = 0; i < c->nattrs; i++) {
		printf("         %s: ", c->attrs[i].name);
		print_value(c->attrs[i].old_value);
		fputs(" -> ", stdout);
		print_value(c->attrs[i].new_value);
		putchar('\n');
	}
}

static const char *signature_text(vigil_baseline_signature s)
{
	switch (s) {
	case VIGIL_BASELINE_SIGNED:
		return "signed";
	case VIGIL_BASELINE_VERIFIED:
		return "verified";
	case VIGIL_BASELINE_NOT_VERIFIED:
		return "not verified (no --key)";
	default:
		return "unsigned";
	}
}

static void summary(const struct out *o, const char *op, const vigil_baseline_summary *s)
{
	if (o->json) {
		json_t *rec = cli_json_record("summary");
		json_object_set_new(rec, "command", json_string(op));
		json_object_set_new(rec, "entries", json_integer((json_int_t)s->entries));
		json_object_set_new(rec, "files_read", json_integer((json_int_t)s->hashed));
		json_object_set_new(rec, "files_trusted", json_integer((json_int_t)s->trusted));
		json_object_set_new(rec, "unreadable", json_integer((json_int_t)s->unreadable));
		json_object_set_new(rec, "added", json_integer((json_int_t)s->added));
		json_object_set_new(rec, "removed", json_integer((json_int_t)s->removed));
		json_object_set_new(rec, "changed", json_integer((json_int_t)s->changed));
		json_object_set_new(rec, "stored", json_integer((json_int_t)s->stored));
		json_object_set_new(rec, "errors", json_integer(s->errors));
		json_object_set_new(rec, "signature", json_string(signature_text(s->signature)));
		cli_json_emit(stdout, rec);
		return;
	}
	printf("%s--- summary ---\n", s->added + s->removed + s->changed ? "\n" : "");
	printf("baseline %s: %llu entries, %llu files read, %llu trusted by --fast, %llu unreadable\n",
	       op, (unsigned long long)s->entries, (unsigned long long)s->hashed,
	       (unsigned long long)s->trusted, (unsigned long long)s->unreadable);
	printf("added %llu, removed %llu, changed %llu; %llu entries stored; signature %s\n",
	       (unsigned long long)s->added, (unsigned long long)s->removed,
	       (unsigned long long)s->changed, (unsigned long long)s->stored,
	       signature_text(s->signature));
}

static int keygen(int argc, char **argv)
{
	struct cli_diag diag = {0};
	if (argc != 2 || argv[1][0] == '-') {
		fputs("vigil: baseline keygen takes one FILE (the private key; FILE.pub the public)\n"
		      "vigil: see 'vigil baseline --help'\n", stderr);
		return 2;
	}
	if (vigil_baseline_keygen(argv[1], cli_print_diag, &diag) != VIGIL_OK)
		return 2;
	char *p = vigil_escape_str(argv[1]);
	printf("wrote %s (private: keep it off the host) and %s.pub\n", p ? p : "?", p ? p : "?");
	free(p);
	return 0;
}

static int run(vigil_baseline_op op, const char *name, int argc, char **argv)
{
	if (config_apply("baseline", long_opts, &argc, &argv) != 0)
		return 2;
	vigil_baseline_options opt;
	vigil_baseline_options_init(&opt);
	struct store_cli so = {0};
	struct cli_diag diag = {0};
	struct out o = {0};
	long threads = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SELECT:
			opt.select_path = optarg;
			break;
		case OPT_SIGN:
			opt.sign_key = optarg;
			break;
		case OPT_KEY:
			opt.verify_key = optarg;
			break;
		case OPT_FAST:
			opt.fast = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_THREADS:
			if (cli_opt_int("threads", optarg, 1, 64, &threads))
				return 2;
			opt.threads = (int)threads;
			break;
		case OPT_STORE:
			so.path = optarg;
			break;
		case 'v':
			diag.verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs("vigil: see 'vigil baseline --help'\n", stderr);
			return 2;
		}
	}
	const char *wrong = op == VIGIL_BASELINE_CHECK && opt.select_path ? "--select"
			  : op == VIGIL_BASELINE_CHECK && opt.sign_key   ? "--sign"
			  : op == VIGIL_BASELINE_INIT && opt.verify_key  ? "--key"
			  : op == VIGIL_BASELINE_INIT && opt.fast        ? "--fast"
									 : NULL;
	if (wrong) {
		fprintf(stderr, "vigil: baseline %s does not take %s\n"
				"vigil: see 'vigil baseline --help'\n", name, wrong);
		return 2;
	}
	vigil_store *st = NULL;
	if (store_cli_open(&so, &diag, &st))
		return 2;
	if (!st) {
		fputs("vigil: baseline needs a store (VIGIL_STORE is off)\n", stderr);
		return 2;
	}
	if (cli_record_begin(NULL, NULL, NULL) != 0) {
		vigil_store_close(st);
		return 2;
	}
	vigil_baseline_summary sum;
	int r = vigil_baseline_run(st, op, (const char *const *)argv + optind,
				   (size_t)(argc - optind), &opt, on_change, &o, cli_print_diag,
				   &diag, &sum);
	int rc = 2;
	if (r == VIGIL_OK) {
		summary(&o, name, &sum);
		rc = o.oom || sum.errors ? 2
		     : op == VIGIL_BASELINE_CHECK && sum.added + sum.removed + sum.changed ? 1
											 : 0;
	}
	if (o.oom)
		fputs("vigil: out of memory writing a record\n", stderr);
	if (fflush(stdout) != 0)
		rc = 2;
	vigil_store_close(st);
	cli_record_end();
	return rc;
}

int cmd_baseline(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "init"))
		return run(VIGIL_BASELINE_INIT, "init", argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return run(VIGIL_BASELINE_CHECK, "check", argc - 1, argv + 1);
	if (!strcmp(argv[1], "update"))
		return run(VIGIL_BASELINE_UPDATE, "update", argc - 1, argv + 1);
	if (!strcmp(argv[1], "keygen"))
		return keygen(argc - 1, argv + 1);
	fprintf(stderr, "vigil: unknown baseline command '%s' (init, check, update, keygen)\n",
		argv[1]);
	return 2;
}
