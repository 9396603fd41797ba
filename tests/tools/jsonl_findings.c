/*
 * jsonl_findings [PREFIX]: read `vigil scan --json` output on standard input
 * and print one line per finding, "PATH<TAB>KIND<TAB>ID", with PREFIX
 * stripped from the start of PATH. End-to-end tests compare these lines
 * with an expected list. Exit 2 on a line that is not a JSON object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int main(int argc, char **argv)
{
	const char *prefix = argc > 1 ? argv[1] : "";
	size_t plen = strlen(prefix);
	char *line = NULL;
	size_t cap = 0;
	unsigned long ln = 0;
	int rc = 0;
	while (getline(&line, &cap, stdin) != -1) {
		json_error_t err;
		ln++;
		json_t *rec = json_loads(line, 0, &err);
		if (!json_is_object(rec)) {
			fprintf(stderr, "jsonl_findings: line %lu: not a JSON object: %s\n",
				ln, err.text);
			json_decref(rec);
			rc = 2;
			continue;
		}
		const char *type = json_string_value(json_object_get(rec, "type"));
		const char *path = json_string_value(json_object_get(rec, "path"));
		json_t *fs = json_object_get(rec, "findings");
		if (type && strcmp(type, "file") == 0 && path && json_is_array(fs)) {
			if (strncmp(path, prefix, plen) == 0)
				path += plen;
			size_t i;
			json_t *f;
			json_array_foreach(fs, i, f)
			{
				const char *kind = json_string_value(json_object_get(f, "kind"));
				const char *id = json_string_value(json_object_get(f, "id"));
				printf("%s\t%s\t%s\n", path, kind ? kind : "?", id ? id : "?");
			}
		}
		json_decref(rec);
	}
	free(line);
	return rc;
}
