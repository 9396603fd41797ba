/* Internals shared by the IOC set's files. */
#ifndef VIGIL_IOCS_INTERNAL_H
#define VIGIL_IOCS_INTERNAL_H

#include <vigil/iocs.h>

#include "base/strpool.h"
#include "iocs/pathmatch.h"

struct hash_key {
	uint8_t digest[32];
	uint8_t len;
	size_t index; /* into the type's ioc array */
};

struct ioc_list {
	vigil_ioc *items;
	size_t len, cap;
};

struct vigil_iocs {
	struct ioc_list lists[VIGIL_IOC_TYPE_COUNT];
	/* Digests of the MD5/SHA1/SHA256 IOCs: in load order until sealed,
	 * then sorted by (len, digest, index). */
	struct hash_key *keys;
	size_t nkeys, keycap;
	int sealed; /* vigil_iocs_seal: no more adds, lookups on sorted tables */
	vg_pathmatch *paths;
	/* The IOCs' strings. Loaders add a file's IOCs in a row, so the
	 * source (and often the comment) is the previous IOC's: those are
	 * stored once. */
	vg_strpool strings;
	const char *last_comment, *last_source;
	vigil_diag_fn diag;
	void *diag_ctx;
	/* SHA-256 chained over the false-positive regexes (with the index of
	 * their IOC), which the set keeps only compiled: part of the
	 * file-name IOCs' identity (iocs_identity.c) */
	uint8_t fp_chain[32];
	int fp_failed;
};

/* Append an IOC; strings are copied into the set's pool. Returns the
 * stored IOC or NULL. */
vigil_ioc *vg_iocs_append(vigil_iocs *set, vigil_ioc_type type,
			  const char *value, const char *comment,
			  const char *source, unsigned long line, int score);

/* Nonzero, after a diagnostic naming source:line, when set is sealed and
 * takes no more IOCs (the adds and loaders then return VIGIL_FATAL). */
int vg_iocs_refuse_sealed(vigil_iocs *set, const char *source,
			  unsigned long line);

/* Chain the false-positive regex of path IOC id into set->fp_chain. */
void vg_iocs_note_fp(vigil_iocs *set, size_t id, const char *fp_regex);

#endif
