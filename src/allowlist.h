/*
 * The allow-list (`--allow FILE`): findings a site has judged and accepts,
 * by path glob and finding ID, each with its reason and an optional expiry
 * date. Applied to a result before it is written, in every output format:
 * an allowed finding is left out of the result (its score recomputed) and
 * counted as suppressed in the summary. See docs/cli.md for the format.
 */
#ifndef VIGIL_ALLOWLIST_H
#define VIGIL_ALLOWLIST_H

#include <stddef.h>
#include <time.h>

#include <vigil/finding.h>

struct allowlist;

/* Load file into *al (created on the first call, entries appended on the
 * next). now decides which entries have expired: those are dropped with a
 * warning naming file:line. -1 after naming file:line of the first
 * malformed entry (the run must stop: exit 2), or the file that cannot be
 * read. */
int allowlist_load(struct allowlist **al, const char *file, time_t now);
void allowlist_free(struct allowlist *al);

/* The entry that allows finding id at path, or NULL: its reason. */
const char *allowlist_match(const struct allowlist *al, const char *path, const char *id);

/*
 * r with the allowed findings left out: the kept findings go to keep (room
 * for r->nfindings), out is r with them and the score of the kept ones.
 * Returns how many were left out (0: out is r as it was).
 */
size_t allowlist_filter(const struct allowlist *al, const vigil_file_result *r,
			vigil_finding *keep, vigil_file_result *out);

#endif
