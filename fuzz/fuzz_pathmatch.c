/*
 * File-name IOC matching: the input is "REGEX\nFP_REGEX\nPATH". Checks the
 * literal extraction and the prefilter on arbitrary regexes, and that the
 * prefilter never drops a match PCRE2 alone would make.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "iocs/pathmatch.h"

static void count(void *ctx, size_t id)
{
	(void)id;
	(*(int *)ctx)++;
}

static int pcre_matches(const char *re, const char *s, size_t len)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
				      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (!c)
		return -1;
	/* JIT, as lib/pathmatch.c does: PCRE2 10.42's JIT and interpreter
	 * disagree on some subjects with invalid UTF-8 (\z before an invalid
	 * sequence), and the property is about the prefilter, not the engine */
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	int rc = pcre2_match(c, (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0;
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *re = buf, *fp = strchr(re, '\n'), *path = NULL;
	if (fp) {
		*fp++ = '\0';
		path = strchr(fp, '\n');
		if (path)
			*path++ = '\0';
	}
	if (!path) {
		free(buf);
		return 0;
	}
	char lit[256];
	int ci;
	size_t n = vg_regex_required_literal(re, lit, sizeof lit, &ci);
	if (n >= sizeof lit || strlen(lit) != n)
		abort();

	vg_pathmatch *pm = vg_pathmatch_create();
	char err[128];
	int hits = 0;
	size_t plen = strlen(path);
	if (pm && vg_pathmatch_add(pm, re, NULL, 0, err, sizeof err)) {
		vg_pathmatch_prepare(pm);
		vg_pathmatch_run(pm, path, plen, count, &hits);
		/* soundness: a PCRE2 match on the path must not be filtered out */
		if (hits == 0 && pcre_matches(re, path, plen) == 1)
			abort();
		(void)fp;
	}
	vg_pathmatch_destroy(pm);
	free(buf);
	return 0;
}
