/* Findings: what a check reports about one file. */
#ifndef VIGIL_FINDING_H
#define VIGIL_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vigil_file_stat; /* filestate.h */

typedef enum vigil_level {
	VIGIL_LEVEL_NONE = 0,
	VIGIL_LEVEL_NOTICE,
	VIGIL_LEVEL_WARNING,
	VIGIL_LEVEL_ALERT,
} vigil_level;

/*
 * The one shape of a result, for the scan, `vigil inspect` and the log
 * hunt. kind is "hash", "filename", "yara", "tamper" or "network"; id is
 * the IOC value, the rule name or a stable finding ID (VGL-...); source
 * names where the IOC or rule came from (file:line, or the rule's
 * namespace); message carries the IOC's comment, the rule's description or
 * the check's explanation; evidence, when not NULL, is what in the input
 * matched (a log line's field and value...). level is
 * vigil_score_level(score), set by whoever delivers the finding. Strings
 * are owned by whoever emits the finding and valid for the duration of the
 * callback that receives it.
 */
/* One match of a YARA string (with vigil_scan_options.strings, like
 * `yara -s`): where, which string, and the first bytes matched. At most
 * VIGIL_STRING_MATCHES matches per string and VIGIL_STRING_DATA bytes of
 * each are kept; length is the whole match's. */
#define VIGIL_STRING_MATCHES 16
#define VIGIL_STRING_DATA 64
typedef struct vigil_string_match {
	uint64_t offset;
	const char *identifier; /* "$a" */
	const uint8_t *data;    /* min(length, VIGIL_STRING_DATA) bytes */
	size_t data_len;
	size_t length;
} vigil_string_match;

typedef struct vigil_finding {
	const char *kind;
	const char *id;
	const char *source;
	const char *message;
	int score; /* 0..100 */
	vigil_level level;
	const char *evidence;
	/* a YARA finding's matched strings when asked for, else NULL/0 */
	const vigil_string_match *strings;
	size_t nstrings;
} vigil_finding;

/* What was found about one file (a file on disk, or a member of a
 * container): its digests and findings, or why it was skipped or could
 * not be read. A member's path is the notation "outer!/member" (nested:
 * "a.zip!/b.tar!/x.dll"); chain holds the same unambiguously: the
 * top-level path, then each member name as stored. */
typedef struct vigil_file_result {
	const char *path;        /* raw bytes; escape before printing */
	const char *const *chain; /* chain_len > 1 for a member, else NULL */
	size_t chain_len;
	uint64_t size;
	int hashed;              /* digests below are valid */
	uint8_t md5[16];
	uint8_t sha1[20];
	uint8_t sha256[32];
	const vigil_finding *findings; /* strongest first */
	size_t nfindings;
	int score;               /* combined, see vigil_score_combine() */
	vigil_skip skip;
	vigil_error error;
	const char *error_detail; /* strerror-like text, or NULL */
	const char *skip_detail;  /* why, for the skips of members, or NULL */
	const struct vigil_file_stat *stat; /* the file's stat tuple, or NULL */
	int file_class;          /* 1 + vigil_file_class of the bytes; 0 unknown */
	int reused;              /* results taken from a store, file not read */
	int container;           /* an archive or installer whose members are
				  * delivered as results of their own */
} vigil_file_result;

/*
 * Combine finding scores into one file score: 100 * (1 - prod(1 - s/100)),
 * rounded; a single finding keeps its own score, and further evidence raises
 * it without passing 100.
 */
int vigil_score_combine(const int *scores, size_t n);
vigil_level vigil_score_level(int score);
const char *vigil_level_name(vigil_level level);

#ifdef __cplusplus
}
#endif

#endif
