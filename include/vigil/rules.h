/*
 * YARA rule sets, compiled once and shared read-only by all scan threads.
 * The external variables of Loki/THOR rule sets (filename, filepath,
 * extension, filetype, owner, md5) are always defined, so such rule sets
 * compile unmodified.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_rules vigil_rules;

vigil_rules *vigil_rules_create(void);
void vigil_rules_destroy(vigil_rules *rules);
/* Compile errors (with file and line) and cache notes go here. */
void vigil_rules_set_diag(vigil_rules *rules, vigil_diag_fn fn, void *ctx);

/*
 * Add a .yar/.yara file, or every such file below a directory. Each file
 * gets its own namespace (its path), so rule names may repeat across files.
 * Sources are compiled by vigil_rules_finish(). A file's `include "NAME"`
 * opens NAME relative to the directory of the file that names it (never
 * the working directory); NAME must be relative, and must be a regular
 * file without NUL bytes of at most 64 MiB. Includes nest at most 16
 * deep, may not come back to a file being included, and one compilation
 * includes at most 4096 files or 256 MiB; otherwise it fails with a
 * diagnostic naming the file.
 */
int vigil_rules_add_path(vigil_rules *rules, const char *path);

/* Add rule text under the name 'name' (used in messages and as namespace).
 * Such text may not use `include`: it has no directory to resolve from. */
int vigil_rules_add_string(vigil_rules *rules, const char *name,
			   const char *text);

/*
 * Compile; no more rules may be added. Compile errors are reported through
 * the diagnostic callback with file and line; it then returns VIGIL_FATAL.
 */
int vigil_rules_finish(vigil_rules *rules);

/*
 * Keep compiled rules in dir (created 0700; used only when private to the
 * user) and reuse them when the same sources are compiled again: the same
 * names and contents, and for sources using `include` the same contents
 * of every file they included. NULL (the default) turns the cache off. A
 * cache file that fails its integrity check is removed (an info
 * diagnostic) and the rules are compiled; files are written whole or not
 * at all.
 */
int vigil_rules_set_cache(vigil_rules *rules, const char *dir);

/* 1 when vigil_rules_finish() took the rules from the cache. */
int vigil_rules_from_cache(const vigil_rules *rules);

/* Number of rules compiled (after finish), number of files added. */
unsigned vigil_rules_count(const vigil_rules *rules);
unsigned vigil_rules_file_count(const vigil_rules *rules);

/*
 * Files told apart by their first bytes. YARA searches every string of
 * every rule in a file before it evaluates a condition; a rule whose
 * condition requires other first bytes (a top-level `uint16(0) == 0x5a4d
 * and ...` seen from an ELF file) cannot match, so each class gets its own
 * compiled rules without such rules. MZ files get every rule.
 */
typedef enum {
	VIGIL_FILE_MZ,    /* "MZ": PE and DOS executables */
	VIGIL_FILE_ELF,   /* "\x7fELF" */
	VIGIL_FILE_OTHER, /* neither */
	VIGIL_FILE_CLASSES
} vigil_file_class;

vigil_file_class vigil_file_class_of(const void *data, size_t len);

/*
 * The identity of finished rules: the SHA-256 (hex) of YARA's version and
 * every source's name and text (the compiled-rules cache key), and of what
 * the sources included. Equal identities compile to the same rules.
 * VIGIL_FAILED (out = "") when it cannot be known: not finished, a source
 * YARA read itself, or a cached compilation of sources that include.
 */
int vigil_rules_identity(const vigil_rules *rules, char out[65]);
/* The same identity before vigil_rules_finish (nothing compiled or
 * loaded), for sources that include nothing; VIGIL_FAILED otherwise. */
int vigil_rules_source_identity(vigil_rules *rules, char out[65]);

/* Number of rules compiled for files of class c (after finish). */
unsigned vigil_rules_class_count(const vigil_rules *rules, vigil_file_class c);

/*
 * Files of at least this many bytes get rules of their own too: without
 * those whose condition requires a smaller file (a top-level `filesize <
 * N` with N at most this). With signature-base the rules for ELF files
 * go from 2,652 to 2,148 this way, those for MZ files from 5,883 to 3,154.
 */
#define VIGIL_RULES_LARGE_FILE (1u << 20)

/* Number of rules compiled for files of class c and at least
 * VIGIL_RULES_LARGE_FILE bytes (after finish). */
unsigned vigil_rules_large_class_count(const vigil_rules *rules,
				       vigil_file_class c);

#ifdef __cplusplus
}
#endif

#endif
