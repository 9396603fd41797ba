/*
 * The anatomy of one binary, for `vigil inspect`: format and architecture,
 * sections with entropy, imports and exports, version information,
 * Authenticode signatures, certificate-table slack, overlay, ELF and Mach-O
 * specifics, network indicators in the strings, and the tampering findings
 * of vigil_checks_run().
 *
 * The result is a JSON object (jansson's json_t): the documented model of
 * docs/cli.md ("vigil inspect"), which the CLI prints as JSON or renders as
 * text. Strings taken from the file are kept when they are valid UTF-8 and
 * escaped (vigil_escape) otherwise; a renderer for a terminal must still
 * escape control characters.
 */
#ifndef VIGIL_INSPECT_H
#define VIGIL_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_t; /* <jansson.h> */

typedef struct vigil_inspect_options {
	/* PEM bundle of trusted roots for Authenticode chain validation; NULL:
	 * the chain is not checked ("trusted": null). */
	const char *ca_file;
	/* Network indicators kept at most (0: the library default, 1000). */
	size_t max_network;
} vigil_inspect_options;

/*
 * Inspect len bytes; name is what the report calls the file (may be NULL).
 * On VIGIL_OK *out is a new object (json_decref it). VIGIL_FATAL: out of
 * memory or an unusable ca_file; the reason is sent to diag.
 */
int vigil_inspect_buffer(const uint8_t *buf, size_t len, const char *name,
			 const vigil_inspect_options *opt, struct json_t **out,
			 vigil_diag_fn diag, void *diag_ctx);

/*
 * Read the regular file at path (at most max_size bytes; symbolic links
 * followed, as the user named it) and inspect it. VIGIL_FAILED when it
 * cannot be read (the reason goes to diag), else as above.
 */
int vigil_inspect_file(const char *path, uint64_t max_size,
		       const vigil_inspect_options *opt, struct json_t **out,
		       vigil_diag_fn diag, void *diag_ctx);

#ifdef __cplusplus
}
#endif

#endif
