/* Built-in content packs: IOC files and YARA rules shipped as data files. */
#ifndef VIGIL_CONTENT_H
#define VIGIL_CONTENT_H

#include "iocs.h"
#include "rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The content directory: $VIGIL_CONTENT_DIR, else the source tree's
 * content/ when it exists (a build that is not installed), else the
 * installed share/vigil/content. Never NULL.
 */
const char *vigil_content_dir(void);

/*
 * Load every pack (each subdirectory of dir): its IOC files into iocs (by
 * name, as vigil_iocs_load does for a directory) and its rules/ directory
 * into rules. Either target may be NULL. Returns the worst status.
 */
int vigil_content_load(const char *dir, vigil_iocs *iocs, vigil_rules *rules,
		       vigil_diag_fn diag, void *ctx);

#ifdef __cplusplus
}
#endif

#endif
