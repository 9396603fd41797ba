/*
 * File-name IOC matching: PCRE2 regexes (Loki's are Python `re` syntax,
 * which POSIX ERE cannot express: \d, (?i), lazy quantifiers), with a
 * literal prefilter so that a path is only run through the few regexes whose
 * required literal it contains.
 */
#ifndef VIGIL_PATHMATCH_H
#define VIGIL_PATHMATCH_H

#include <stddef.h>

typedef struct vg_pathmatch vg_pathmatch;

vg_pathmatch *vg_pathmatch_create(void);
void vg_pathmatch_destroy(vg_pathmatch *pm);

/* Compile and add a regex with its optional false-positive regex; id is
 * returned on a match. On error returns 0 and writes a message to err. */
int vg_pathmatch_add(vg_pathmatch *pm, const char *re, const char *fp_re,
		     size_t id, char *err, size_t errlen);

/* Build the prefilter; call after the last add, before matching. */
void vg_pathmatch_prepare(vg_pathmatch *pm);

/* Call fn(ctx, id), in the order of adding, for each regex matching path
 * (either with '/' or with '\\' as separator) and not its false-positive
 * regex. Without a prefilter built since the last add, every regex runs:
 * the same answer, slower. Changes nothing, so it may run from several
 * threads (not during an add or prepare). Returns -1 on allocation
 * failure, else the number of regexes that could not be run to the end
 * (PCRE2's match, depth or heap limit: neither a match nor none). */
int vg_pathmatch_run(const vg_pathmatch *pm, const char *path, size_t len,
		     void (*fn)(void *ctx, size_t id), void *ctx);
/* The same, calling err(ctx, id, why) (when not NULL) for each such
 * regex, why PCRE2's message ("match limit exceeded"). */
int vg_pathmatch_run_err(const vg_pathmatch *pm, const char *path, size_t len,
			 void (*fn)(void *ctx, size_t id),
			 void (*err)(void *ctx, size_t id, const char *why),
			 void *ctx);

/* The longest literal every match of re must contain (for tests). */
size_t vg_regex_required_literal(const char *re, char *out, size_t outlen,
				 int *caseless);

#endif
