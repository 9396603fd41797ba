/*
 * The anatomy of one binary, for `vigil inspect`: format and architecture,
 * sections with entropy, imports and exports, version information,
 * Authenticode signatures, certificate-table slack, overlay, ELF and Mach-O
 * specifics, network indicators in the strings, and the tampering findings
 * of vigil_checks_run().
 *
 * The result is JSON text: one object, the record {"schema", "type":
 * "inspect", "path", ...} documented in docs/cli.md ("vigil inspect"),
 * which the CLI prints as a JSON Lines record or parses and renders as
 * text. The path is escaped as in `vigil scan`; other strings taken from
 * the file are kept when they are valid UTF-8 and escaped (vigil_escape)
 * otherwise; a renderer for a terminal must still escape control
 * characters. Findings are written as <vigil/report.h> writes them.
 */
#ifndef VIGIL_INSPECT_H
#define VIGIL_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_inspect_options {
	/* PEM bundle of trusted roots for Authenticode chain validation; NULL:
	 * the chain is not checked ("trusted": null). */
	const char *ca_file;
	/* Network indicators kept at most (0: the library default, 1000). */
	size_t max_network;
	/* Content matching (NULL: none): called once per file with the bytes
	 * inspected and the file's name; every finding it passes to emit
	 * joins the record's findings and score beside the structural
	 * checks'. `vigil inspect` matches here what `vigil scan` matches
	 * (vigil_match_buffer of <vigil/scan.h>, checks off: inspect runs
	 * them itself). */
	void (*content)(void *content_ctx, const uint8_t *buf, size_t len,
			const char *name, vigil_emit_fn emit, void *emit_ctx);
	void *content_ctx;
} vigil_inspect_options;

/* The defaults: no CA file, the library's max_network, no content. */
void vigil_inspect_options_init(vigil_inspect_options *opt);

/*
 * Inspect len bytes; name is what the report calls the file (may be NULL:
 * "path" is null); opt may be NULL for the defaults. On VIGIL_OK
 * *json_out is a new string (free()), compact and without a newline; else
 * it is NULL. VIGIL_FATAL: out of memory or an unusable ca_file; the
 * reason is sent to diag.
 */
int vigil_inspect_buffer(const uint8_t *buf, size_t len, const char *name,
			 const vigil_inspect_options *opt, char **json_out,
			 vigil_diag_fn diag, void *diag_ctx);

/*
 * Read the regular file at path (at most max_size bytes; symbolic links
 * followed, as the user named it) and inspect it. VIGIL_FAILED when it
 * cannot be read (the reason goes to diag), else as above.
 */
int vigil_inspect_file(const char *path, uint64_t max_size,
		       const vigil_inspect_options *opt, char **json_out,
		       vigil_diag_fn diag, void *diag_ctx);

/*
 * The member tree of the container at path (read with the scan's default
 * limits, vg_unpack_limits_init): *json_out is a JSON array, one object per
 * record of the unpacking engine, {"path" (the "outer!/member" notation),
 * "name", "depth", "container_format", "type" ("file", "dir", "symlink",
 * "hardlink", "device", "other", or "container" for a record about a
 * container itself), "status" ("ok", "encrypted", "unsupported",
 * "symlink", "hardlink", "device", "limit", "damaged"), "limit", "detail",
 * "size" (declared), "read", "md5", "sha1", "sha256", "filetype",
 * "binary" (PE/ELF/Mach-O: {"format", "signed", "signer", ...}),
 * "opened"} as docs/cli.md describes. VIGIL_OK with *json_out NULL when
 * the file is no container vigil opens; VIGIL_FAILED when it cannot be
 * read; VIGIL_FATAL out of memory.
 */
int vigil_inspect_members(const char *path, const vigil_inspect_options *opt,
			  char **json_out, vigil_diag_fn diag, void *diag_ctx);

/*
 * Inspect one member of the container file at container, as
 * vigil_inspect_buffer() would: member is its full path in the notation
 * ("setup.msi!/app/ffmpeg.dll", nested "a.tar.gz!/b.zip!/x.dll", starting
 * with container as given). VIGIL_FAILED when there is no such member or
 * it cannot be read in full (the reason, naming container and member, goes
 * to diag).
 */
int vigil_inspect_member(const char *container, const char *member,
			 const vigil_inspect_options *opt, char **json_out,
			 vigil_diag_fn diag, void *diag_ctx);

#ifdef __cplusplus
}
#endif

#endif
