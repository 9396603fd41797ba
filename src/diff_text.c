/* The text view of a diff or verify record and the release loading the
 * release commands share. */
#include <stdlib.h>
#include <string.h>

#include <vigil/content.h>
#include <vigil/escape.h>

#include "diff_text.h"

void diff_cli_options(vigil_diff_options *o)
{
	static char dir[4096];
	vigil_diff_options_init(o);
	snprintf(dir, sizeof dir, "%s/capabilities", vigil_content_dir());
	o->capabilities_dir = dir;
}

int diff_cli_load(const char *path, const vigil_diff_options *o, struct cli_diag *d,
		  vigil_release **out)
{
	int st = vigil_release_load(path, o, out, cli_print_diag, d);
	return st == VIGIL_OK || st == VIGIL_WARN ? 0 : 2;
}

int diff_content_opt(struct diff_content *c, int opt, const char *arg)
{
	return cli_content_opt(&c->args, opt, arg);
}

int diff_content_open(struct diff_content *c, struct cli_diag *d, vigil_diff_options *o)
{
	c->args.no_builtin = 1;
	if (!c->args.niocs && !c->args.nrules)
		return 0;
	if (cli_content_open(&c->args, d, &c->iocs, &c->rules) != 0)
		return 2;
	o->iocs = c->args.niocs ? c->iocs : NULL;
	o->rules = c->args.nrules ? c->rules : NULL;
	return 0;
}

void diff_content_close(struct diff_content *c)
{
	vigil_rules_destroy(c->rules);
	vigil_iocs_destroy(c->iocs);
	cli_content_args_free(&c->args);
	memset(c, 0, sizeof *c);
}

static void put(FILE *out, const char *s)
{
	if (!s)
		return;
	if (!vigil_escape_needed(s, strlen(s))) {
		fputs(s, out);
		return;
	}
	char *e = vigil_escape_str(s);
	fputs(e ? e : "?", out);
	free(e);
}

static const char *jstr(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

static int level_of(const json_t *o)
{
	int l = vigil_dlevel_parse(jstr(o, "level"));
	return l < 0 ? 0 : l;
}

static void upper(FILE *out, const char *s, int width)
{
	int n = 0;
	for (; *s; s++, n++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, out);
	for (; n < width; n++)
		fputc(' ', out);
}

int diff_text_print(FILE *out, const char *text)
{
	json_t *rec = json_loads(text, 0, NULL);
	if (!json_is_object(rec)) {
		json_decref(rec);
		fputs("vigil: internal error: not a record\n", stderr);
		return -1;
	}
	const char *type = jstr(rec, "type");
	json_t *sum = json_object_get(rec, "summary");
	if (json_object_get(rec, "old")) {
		put(out, jstr(rec, "old"));
		fputs(" -> ", out);
	}
	put(out, jstr(rec, "new"));
	fputs(": ", out);
	upper(out, jstr(rec, "verdict"), 0);
	if (!strcmp(type, "verify"))
		fprintf(out, " (%s at %s, %s policy)", json_is_true(json_object_get(rec, "pass"))
			? "pass" : "FAIL", jstr(rec, "fail_on"), jstr(rec, "policy"));
	json_int_t nc = json_integer_value(json_object_get(sum, "new_components"));
	if (json_object_get(rec, "old"))
		fprintf(out, "; %lld component%s: %lld added, %lld removed, %lld modified, %lld renamed, %lld unchanged\n",
			(long long)nc, nc == 1 ? "" : "s",
			(long long)json_integer_value(json_object_get(sum, "added")),
			(long long)json_integer_value(json_object_get(sum, "removed")),
			(long long)json_integer_value(json_object_get(sum, "modified")),
			(long long)json_integer_value(json_object_get(sum, "renamed")),
			(long long)json_integer_value(json_object_get(sum, "unchanged")));
	else
		fprintf(out, "; %lld component%s\n", (long long)nc, nc == 1 ? "" : "s");
	json_t *ct = json_object_get(rec, "content");
	if (json_is_false(json_object_get(ct, "rules_compared")) &&
	    json_is_string(json_object_get(ct, "new_rules")))
		fputs("note: OLD and NEW were matched with different YARA rules (or OLD with none): NEW's matches are all reported, not compared\n",
		      out);
	size_t i, j;
	json_t *c, *s;
	if (!json_array_size(json_object_get(rec, "components")))
		fputs(json_object_get(rec, "old") ? "no component changed\n" : "nothing to report\n", out);
	json_array_foreach(json_object_get(rec, "components"), i, c) {
		fputc('\n', out);
		upper(out, jstr(c, "level"), 9);
		put(out, jstr(c, "path"));
		fprintf(out, " (%s)", jstr(c, "change"));
		json_t *m = json_object_get(c, "models");
		if (json_array_size(m)) {
			fputs("  tamper model:", out);
			json_array_foreach(m, j, s) {
				fputc(' ', out);
				put(out, json_is_string(s) ? json_string_value(s) : "");
			}
		}
		fputc('\n', out);
		/* strongest signal first; equal levels in the record's order */
		json_t *sigs = json_object_get(c, "signals");
		for (int l = VIGIL_DLEVEL_CRITICAL; l >= VIGIL_DLEVEL_NONE; l--)
			json_array_foreach(sigs, j, s) {
				if (level_of(s) != l)
					continue;
				fputs("  ", out);
				fprintf(out, "%-9s", jstr(s, "level"));
				fprintf(out, "%-28s ", jstr(s, "id"));
				put(out, jstr(s, "message"));
				fputc('\n', out);
			}
	}
	json_decref(rec);
	return 0;
}

int diff_emit(FILE *out, const char *json, int as_json, int as_sarif)
{
	if (as_sarif) {
		char *s = vigil_diff_sarif(json);
		if (!s) {
			fputs("vigil: out of memory\n", stderr);
			return -1;
		}
		fputs(s, out);
		fputc('\n', out);
		free(s);
		return 0;
	}
	if (as_json) {
		fputs(json, out);
		fputc('\n', out);
		return 0;
	}
	return diff_text_print(out, json);
}
