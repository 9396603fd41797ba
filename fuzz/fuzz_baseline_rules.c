/*
 * The baseline's rules parser (lib/store/baseline_rules.c) on arbitrary
 * bytes: parse; when the text parses, every rule has an absolute glob and
 * an attribute set within VG_BA_ALL, matching a few paths and taking the
 * roots never fail, and every root is absolute.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "store/baseline_internal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_brules rs;
	if (vg_brules_parse((const char *)data, size, "fuzz", NULL, NULL, &rs) != 0)
		return 0;
	static const char *const paths[] = {"/", "/usr", "/usr/bin/ls", "/var/log/syslog",
					    "/a b*", "/etc/x/y/z"};
	for (size_t i = 0; i < rs.n; i++) {
		if (rs.r[i].glob[0] != '/' || (rs.r[i].attrs & ~(unsigned)VG_BA_ALL))
			abort();
	}
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		unsigned a = 0;
		int m = vg_brules_match(&rs, paths[i], &a);
		if (m < -1 || m > 1 || (a & ~(unsigned)VG_BA_ALL))
			abort();
	}
	char **roots;
	size_t n;
	if (vg_brules_roots(&rs, &roots, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (roots[i][0] != '/')
				abort();
		vg_free_list(roots, n);
	}
	vg_brules_free(&rs);
	return 0;
}
