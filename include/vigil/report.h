/*
 * The one JSON writer of results: a finding and a file result as JSON
 * text, the same for every command, so that no caller needs a JSON
 * library's types. Untrusted strings are written as they are when valid
 * UTF-8 with no character a terminal acts on (see vigil_escape_needed())
 * and escaped with vigil_escape() otherwise; a NULL string is written as null. Paths are
 * escaped as the text output shows them.
 *
 * A finding's "level" is always vigil_level_name(vigil_score_level(score)),
 * whatever its level member holds, so that the JSON is right even from a
 * producer that left the member unset.
 */
#ifndef VIGIL_REPORT_H
#define VIGIL_REPORT_H

#include "common.h"
#include "finding.h"

#ifdef __cplusplus
extern "C" {
#endif

/* {"kind", "id", "score", "level", "source", "message"[, "evidence"]} as
 * compact JSON text; "evidence" only when it is not NULL. New string
 * (free()), NULL when out of memory. */
char *vigil_finding_json(const vigil_finding *f);

/* One JSON Lines record {"schema", "type": "file", "path", "size", digests
 * (when hashed), "score", "level", "findings" (each as above), "skip",
 * "error"[, "error_detail"]} without the newline: `vigil scan --json`'s
 * record. New string (free()), NULL when out of memory. */
char *vigil_file_result_json(const vigil_file_result *r);

#ifdef __cplusplus
}
#endif

#endif
