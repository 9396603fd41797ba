/*
 * Release comparison for `vigil diff`, `vigil snapshot` and `vigil verify`:
 * the facts of every component of a vendor release (a directory, any
 * container the containers layer opens, nested, or a snapshot written
 * earlier), and the risk-weighted signals of what changed between two
 * releases (docs/detections.md, "Release diff").
 *
 *   vigil_diff_options o;
 *   vigil_diff_options_init(&o);
 *   o.capabilities_dir = "<content>/capabilities";
 *   vigil_release *old, *new;
 *   vigil_release_load(old_path, &o, &old, diag, ctx);   // VIGIL_OK or FAILED
 *   vigil_release_load(new_path, &o, &new, diag, ctx);
 *   char *json;
 *   vigil_level_t verdict;
 *   vigil_diff_json(old, new, &o, &json, &verdict);      // {"type": "diff", ...}
 *
 * Results leave the library as JSON text (docs/cli.md, "vigil diff"); the
 * JSON of a diff never depends on whether a release was read from its
 * bytes or from its snapshot: both go through the same facts record.
 */
#ifndef VIGIL_DIFF_H
#define VIGIL_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "iocs.h"
#include "policy.h"
#include "rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The levels of diff signals, components and verdicts, weakest first. */
typedef enum vigil_dlevel {
	VIGIL_DLEVEL_NONE = 0,
	VIGIL_DLEVEL_INFO,
	VIGIL_DLEVEL_LOW,
	VIGIL_DLEVEL_MEDIUM,
	VIGIL_DLEVEL_HIGH,
	VIGIL_DLEVEL_CRITICAL,
} vigil_dlevel;

/* "none", "info", "low", "medium", "high", "critical". */
const char *vigil_dlevel_name(vigil_dlevel l);
/* The level named s; -1 when s names none. */
int vigil_dlevel_parse(const char *s);

typedef struct vigil_diff_options {
	/* The directory of the capability table and the tamper models
	 * (capabilities.tab, models.tab: docs/design.md, "Release diff");
	 * NULL or missing files: no capability is derived and no model
	 * applies (a diagnostic says so). */
	const char *capabilities_dir;
	/* Largest member or file held in memory for its facts (default 128
	 * MiB); larger ones are digested while they stream. */
	uint64_t max_whole;
	/* List unchanged components too (`--all`). */
	int all;
	/* YARA rules (finished) and IOCs (sealed) matched against every
	 * component read from its bytes (at most max_whole bytes), or NULL:
	 * the matches are facts ("yara", "ioc_hits") and the release keeps the
	 * identity of what it was matched with, so that a diff with a release
	 * matched under other rules says so (docs/detections.md). */
	const vigil_rules *rules;
	const vigil_iocs *iocs;
} vigil_diff_options;

void vigil_diff_options_init(vigil_diff_options *o);

/* The facts of one release. */
typedef struct vigil_release vigil_release;

/*
 * Read the release at path: a snapshot file written by
 * vigil_release_snapshot() (told by its content: a JSON object of type
 * "snapshot"), a directory, or any file (a container is opened, nested;
 * another file is a release of one component). VIGIL_OK or VIGIL_WARN
 * (some member damaged or unreadable: said to diag, naming file and
 * member) with *out set; VIGIL_FAILED when path cannot be read or is a
 * malformed snapshot (diag names path); VIGIL_FATAL out of memory.
 */
int vigil_release_load(const char *path, const vigil_diff_options *opt,
		       vigil_release **out, vigil_diag_fn diag, void *diag_ctx);
void vigil_release_free(vigil_release *r);

/* The release's name (its basename, or the snapshot's "release"). */
const char *vigil_release_name(const vigil_release *r);
/* Components read. */
size_t vigil_release_count(const vigil_release *r);

/* The snapshot record {"schema", "type": "snapshot", "snapshot_format",
 * "release", "components"} as new compact JSON text (free()); NULL when
 * out of memory. */
char *vigil_release_snapshot(const vigil_release *r);

/*
 * Compare old and new: *json gets the diff record (new text, free()),
 * *verdict the worst component level. VIGIL_OK, or VIGIL_FATAL out of
 * memory (*json NULL).
 */
int vigil_diff_json(const vigil_release *old_r, const vigil_release *new_r,
		    const vigil_diff_options *opt, char **json,
		    vigil_dlevel *verdict);

/* A diff or verify record (the JSON text above) as a SARIF 2.1.0 log
 * (new text); NULL when the text is not such a record or out of memory. */
char *vigil_diff_sarif(const char *record_json);

/*
 * `vigil verify` with the built-in policy: the checks on new_r alone
 * (unsigned PE components in a release whose vendor signs, writable and
 * executable sections, self-signed signers) and, when old_r is not NULL,
 * the diff's signals. *json gets a record of type "verify" shaped as the
 * diff record plus "fail_on" and "pass"; *pass is 1 when no component
 * reaches fail_on. VIGIL_OK or VIGIL_FATAL.
 */
int vigil_verify_json(const vigil_release *new_r, const vigil_release *old_r,
		      const vigil_diff_options *opt, vigil_dlevel fail_on,
		      char **json, int *pass);

/*
 * The same under a policy file's rules (include/vigil/policy.h, docs/cli.md
 * "Policy files"): its fail_on; must_be_signed, signers and pinned digests
 * checked on new_r (VGL-POLICY-UNSIGNED, -SIGNER, -PIN); a new capability
 * the policy allows no longer counts, one it forbids is VGL-POLICY-
 * CAPABILITY (critical); a signal or model a waiver covers on today
 * ("YYYY-MM-DD"; NULL: today in UTC) is kept in the record with "waived"
 * (its reason) and counts no more. policy NULL: the default policy.
 */
int vigil_verify_policy_json(const vigil_release *new_r, const vigil_release *old_r,
			     const vigil_diff_options *opt, const vigil_policy *policy,
			     const char *policy_name, const char *today, char **json,
			     int *pass);

#ifdef __cplusplus
}
#endif

#endif
