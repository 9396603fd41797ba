/* Built-in content packs (see include/vigil/content.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <vigil/content.h>
#include <vigil/intel.h>

#include "base/util.h"

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *vigil_content_dir(void)
{
	const char *env = getenv("VIGIL_CONTENT_DIR");
	if (env && *env)
		return env;
	if (is_dir(VIGIL_SOURCE_CONTENT_DIR))
		return VIGIL_SOURCE_CONTENT_DIR;
	return VIGIL_INSTALL_CONTENT_DIR;
}

int vigil_content_load(const char *dir, vigil_iocs *iocs, vigil_rules *rules,
		       vigil_diag_fn diag, void *ctx)
{
	char **packs;
	size_t n;
	if (vg_list_dir(dir, &packs, &n) != 0) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, dir, 0,
			"unable to open the content directory");
		return VIGIL_FAILED;
	}
	int status = VIGIL_OK;
	for (size_t i = 0; i < n; i++) {
		int rc;
		if (!is_dir(packs[i]))
			continue;
		if (iocs && (rc = vigil_iocs_load(iocs, packs[i], VIGIL_IOC_AUTO)) > status)
			status = rc;
		char *rd = vg_asprintf("%s/rules", packs[i]);
		if (rules && rd && is_dir(rd) &&
		    (rc = vigil_rules_add_path(rules, rd)) > status)
			status = rc;
		free(rd);
	}
	vg_free_list(packs, n);
	return status;
}
