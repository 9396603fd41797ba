/*
 * What every part of libvigil shares: the version, the status codes, the
 * diagnostic callback, and why a file was skipped or could not be read.
 *
 * Conventions (see docs/design.md):
 *  - every exported symbol starts with vigil_ / VIGIL_;
 *  - functions return an int status (vigil_status); detail goes to the
 *    diagnostic callback, never to stdout/stderr: the library never prints
 *    and never calls exit();
 *  - opaque handles come in create/destroy pairs, destroy accepts NULL;
 *    callbacks and diagnostics are set on a handle with *_set_callback()
 *    and *_set_diag(); every options struct has an *_options_init();
 *  - a detection is a result (vigil_finding), never an error code.
 */
#ifndef VIGIL_COMMON_H
#define VIGIL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_VERSION "0.1.0"
/* Bumped when a JSON record changes incompatibly. */
#define VIGIL_JSON_SCHEMA 2

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

/* A library vigil uses and its version ("3.8.2"). */
typedef struct vigil_component_version {
	const char *name, *version;
} vigil_component_version;
/* Fill up to max entries (libyara, OpenSSL, libarchive, SQLite, jansson,
 * PCRE2: the run-time versions where the library says, else the one
 * built against); returns how many there are. */
size_t vigil_component_versions(vigil_component_version *out, size_t max);

/* Lower-case hex SHA-256 of n bytes (for identities a program combines).
 * VIGIL_OK, or VIGIL_FATAL when the digest failed (out is ""). */
int vigil_sha256_hex(const void *p, size_t n, char out[65]);

/* Why a file was not fully examined. */
typedef enum vigil_skip {
	VIGIL_SKIP_NONE = 0,
	VIGIL_SKIP_SPECIAL,    /* FIFO, socket, device: never opened */
	VIGIL_SKIP_SYMLINK,    /* a symlink, not followed */
	VIGIL_SKIP_TOO_LARGE,  /* hashed, but larger than max_size for YARA */
	VIGIL_SKIP_OTHER_FS,   /* --one-file-system */
	VIGIL_SKIP_PSEUDO_FS,  /* /proc, /sys and the like */
	/* members of containers (the detail text says more) */
	VIGIL_SKIP_ENCRYPTED,  /* an encrypted member: not read */
	VIGIL_SKIP_UNSUPPORTED, /* a codec or part the reader cannot decode */
	VIGIL_SKIP_HARDLINK,   /* a hard-link member: reported, not followed */
	VIGIL_SKIP_LIMIT,      /* an unpacking limit was hit */
	VIGIL_SKIP_HASH_LIMIT, /* larger than max_hash_size: not read, name only */
	VIGIL_SKIP_COUNT
} vigil_skip;

/* Why a file or directory could not be read. */
typedef enum vigil_error {
	VIGIL_ERR_NONE = 0,
	VIGIL_ERR_PERMISSION,
	VIGIL_ERR_VANISHED,   /* gone between listing and reading */
	VIGIL_ERR_CHANGED,    /* grew, shrank or was replaced while read */
	VIGIL_ERR_LOOP,       /* symlink loop (with follow_symlinks) */
	VIGIL_ERR_NAME,       /* path too long */
	VIGIL_ERR_IO,         /* any other read error */
	VIGIL_ERR_YARA,       /* YARA failed on the file (timeout), or a rule's
			       * string had too many matches (that rule's result
			       * may be incomplete; the others are kept) */
	VIGIL_ERR_NOMEM,      /* out of memory while examining it */
	VIGIL_ERR_DAMAGED,    /* a damaged member or container */
	VIGIL_ERR_REGEX,      /* a file-name IOC regex hit PCRE2's match limit */
	VIGIL_ERR_COUNT
} vigil_error;

const char *vigil_skip_name(vigil_skip s);
const char *vigil_error_name(vigil_error e);

#ifdef __cplusplus
}
#endif

#endif
