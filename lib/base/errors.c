/* Names of the skip and error kinds, and the one errno -> error mapping. */
#include <errno.h>

#include "base/errors.h"

const char *vigil_skip_name(vigil_skip s)
{
	static const char *const names[] = {"none", "special-file", "symlink",
					    "too-large", "other-filesystem",
					    "pseudo-filesystem",
					    "encrypted", "unsupported",
					    "hardlink", "limit", "hash-limit"};
	return s < VIGIL_SKIP_COUNT ? names[s] : "unknown";
}

const char *vigil_error_name(vigil_error e)
{
	static const char *const names[] = {"none",  "permission", "vanished",
					    "changed", "loop",     "name-too-long",
					    "io",    "yara", "no-memory",
					    "damaged", "regex"};
	return e < VIGIL_ERR_COUNT ? names[e] : "unknown";
}

vigil_error vg_error_from_errno(int e, int following)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return VIGIL_ERR_PERMISSION;
	case ENOENT:
	case ENOTDIR: /* a directory on the way is one no more */
		return VIGIL_ERR_VANISHED;
	case ELOOP:
		/* following symlinks: a loop; else a name that became a symlink
		 * after it was listed (O_NOFOLLOW) */
		return following ? VIGIL_ERR_LOOP : VIGIL_ERR_CHANGED;
	case ENAMETOOLONG:
		return VIGIL_ERR_NAME;
	case ENOMEM:
		return VIGIL_ERR_NOMEM;
	default:
		return VIGIL_ERR_IO;
	}
}
