/*
 * YARA rule sets, compiled once and shared read-only by all scan threads.
 * The external variables of Loki/THOR rule sets (filename, filepath,
 * extension, filetype, owner, md5) are always defined, so such rule sets
 * compile unmodified.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include "vigil.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_rules vigil_rules;

vigil_rules *vigil_rules_create(vigil_diag_fn diag, void *ctx);
void vigil_rules_destroy(vigil_rules *rules);

/*
 * Add a .yar/.yara file, or every such file below a directory. Each file
 * gets its own namespace (its path), so rule names may repeat across files.
 * Compile errors are reported through the diagnostic callback with file and
 * line; the call then returns VIGIL_FATAL.
 */
int vigil_rules_add_path(vigil_rules *rules, const char *path);

/* Add rule text under the name 'name' (used in messages and as namespace). */
int vigil_rules_add_string(vigil_rules *rules, const char *name,
			   const char *text);

/* Finish compiling; no more rules may be added. */
int vigil_rules_finish(vigil_rules *rules);

/* Number of rules compiled (after finish), number of files added. */
unsigned vigil_rules_count(const vigil_rules *rules);
unsigned vigil_rules_file_count(const vigil_rules *rules);

#ifdef __cplusplus
}
#endif

#endif
