/*
 * vigil — supply-chain compromise scanner: public API umbrella.
 *
 * Conventions (see docs/design.md):
 *  - every exported symbol starts with vigil_ / VIGIL_;
 *  - functions return an int status (vigil_status); detail goes to the
 *    diagnostic callback, never to stdout/stderr: the library never prints
 *    and never calls exit();
 *  - opaque handles come in create/destroy pairs, destroy accepts NULL;
 *  - a detection is a result (vigil_finding), never an error code.
 */
#ifndef VIGIL_VIGIL_H
#define VIGIL_VIGIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_VERSION "0.1.0"
/* Bumped when a JSON record changes incompatibly. */
#define VIGIL_JSON_SCHEMA 1

/* Graded like libarchive: an item failed, or nothing more is possible. */
typedef enum vigil_status {
	VIGIL_OK = 0,
	VIGIL_WARN = 1,   /* done, with diagnostics (e.g. malformed IOC lines skipped) */
	VIGIL_FAILED = 2, /* this item failed; the caller may go on with the next */
	VIGIL_FATAL = 3,  /* nothing more is possible (bad configuration, no memory) */
} vigil_status;

typedef enum vigil_severity {
	VIGIL_DIAG_INFO = 0,
	VIGIL_DIAG_WARNING = 1,
	VIGIL_DIAG_ERROR = 2,
} vigil_severity;

/* A message about an input: a malformed IOC line, an unreadable file... */
typedef struct vigil_diag {
	vigil_severity severity;
	const char *file; /* the input it is about, or NULL */
	unsigned long line; /* 1-based, 0 when not line oriented */
	const char *message;
} vigil_diag;

typedef void (*vigil_diag_fn)(void *ctx, const vigil_diag *d);

const char *vigil_version(void);

#ifdef __cplusplus
}
#endif

#endif
