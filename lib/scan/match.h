/*
 * The matcher: every check of the one-pass scan on a buffer of bytes that
 * may have no path of its own (a file read by the sweep; later a member of
 * an archive, a component of a release, process memory): the digests, hash
 * and file-name IOCs, YARA with Loki's externals, and the structural
 * checks. One matcher per thread (it holds YARA scanners and digest
 * contexts); the IOC set and rules are shared read-only.
 */
#ifndef VIGIL_SCAN_MATCH_H
#define VIGIL_SCAN_MATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <vigil/filestate.h>
#include <vigil/finding.h>
#include <vigil/iocs.h>
#include <vigil/rules.h>

typedef struct vg_matcher vg_matcher;

/* iocs and rules may be NULL; both must outlive the matcher. */
vg_matcher *vg_matcher_new(const vigil_iocs *iocs, const vigil_rules *rules,
			   int no_checks);
void vg_matcher_free(vg_matcher *m);
/* YARA findings carry their matched strings (vigil_string_match). */
void vg_matcher_set_strings(vg_matcher *m, int on);

/* The owner of the bytes, for YARA's `owner` external. */
typedef struct vg_match_meta {
	uid_t uid;
	int has_uid;
} vg_match_meta;

/*
 * Match len bytes (buf may be NULL with digests_only) known as name (the
 * path, or the member notation of a container). r->hashed set: r's
 * digests are those of the bytes (computed while reading); else they are
 * computed here. digests_only: the bytes are not at hand (too large): the
 * hash and file-name IOCs only. Fills r->findings (strongest first, valid
 * until the next call), r->nfindings, r->score, and r->error when YARA
 * failed or memory ran out; 0 when the digests could not be computed.
 */
int vg_match(vg_matcher *m, const char *name, const uint8_t *buf, size_t len,
	     const vg_match_meta *meta, int digests_only, vigil_file_result *r);

/* A stored result (see filestate.h) as if matched: its digests into r,
 * its kept findings, the hash and file-name IOCs again where ru->redo
 * says so; r->findings as with vg_match. */
void vg_match_stored(vg_matcher *m, const char *name, const vigil_reuse *ru,
		     vigil_file_result *r);

#endif
