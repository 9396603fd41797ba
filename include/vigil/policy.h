/*
 * The release policy of `vigil verify`: which signers a component must
 * have, which components must be signed, pinned digests of third-party
 * components per version, allowed and forbidden capability changes, the
 * failing level and waivers. The file format (JSON, read with jansson) is
 * documented in docs/cli.md, "Policy files".
 *
 * Paths are the normalised paths of a release's components (see `vigil
 * diff`); every "path" of a policy is a glob matched with fnmatch(3)
 * without FNM_PATHNAME (so '*' also matches '/') and case-sensitively.
 * Where several entries match a path, the first one in the file wins.
 */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#include <stddef.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_policy vigil_policy;

/* The format version this library reads ("vigil_policy": 1). */
#define VIGIL_POLICY_VERSION 1

typedef struct vigil_policy_options {
	/* "YYYY-MM-DD": the day expired waivers are told of at loading
	 * (a notice each); NULL: today in UTC */
	const char *today;
	/* largest policy file accepted, in bytes (default 4 MiB) */
	size_t max_size;
} vigil_policy_options;

void vigil_policy_options_init(vigil_policy_options *o);

/* Load the policy file at path. NULL when it cannot be read or is not a
 * valid policy: an error diagnostic names the file and the line, and its
 * message starts with "column N:" and says which key or value is wrong.
 * Unknown keys are errors. opt may be NULL (defaults). */
vigil_policy *vigil_policy_load(const char *path, const vigil_policy_options *opt,
				vigil_diag_fn diag, void *ctx);
/* The same for a policy held in memory; name is what the diagnostics call
 * it (may be NULL). */
vigil_policy *vigil_policy_load_buffer(const void *buf, size_t len, const char *name,
				       const vigil_policy_options *opt,
				       vigil_diag_fn diag, void *ctx);
/* The policy that applies when none is given: fail at "high", no signer,
 * pin, capability rule or waiver. */
vigil_policy *vigil_policy_default(void);
void vigil_policy_destroy(vigil_policy *p);

/* The failing level: "info", "low", "medium", "high" or "critical". */
const char *vigil_policy_fail_on(const vigil_policy *p);

/* An expected signer; a NULL member is not constrained. thumbprint is the
 * leaf certificate's SHA-256, lower-case hex. */
typedef struct vigil_policy_signer {
	const char *path;
	const char *subject;
	const char *issuer;
	const char *thumbprint;
} vigil_policy_signer;

/* The first signer entry whose glob matches path, or NULL. */
const vigil_policy_signer *vigil_policy_signer_for(const vigil_policy *p, const char *path);

/* 1 when a must_be_signed glob matches path, else 0. */
int vigil_policy_must_be_signed(const vigil_policy *p, const char *path);

/* A pinned digest: sha256 is lower-case hex; version NULL pins every
 * version. */
typedef struct vigil_policy_pin {
	const char *path;
	const char *version;
	const char *sha256;
} vigil_policy_pin;

/* The first pin whose glob matches path and whose version is version
 * (or unset), or NULL. version may be NULL (then only unversioned pins
 * match). */
const vigil_policy_pin *vigil_policy_pin_for(const vigil_policy *p, const char *path,
					     const char *version);

/* 1 when the capability id is listed in capabilities.allow (resp.
 * .forbid), else 0. */
int vigil_policy_capability_allowed(const vigil_policy *p, const char *id);
int vigil_policy_capability_forbidden(const vigil_policy *p, const char *id);

/* 1 when a waiver covers the signal signal_id on path on the day today
 * ("YYYY-MM-DD"; NULL: today in UTC): its glob matches, its signal is the
 * same ID, and it expires on today or later (the expiry day is the last
 * day it applies). *reason (if reason is not NULL) is then its reason.
 * 0 otherwise. */
int vigil_policy_waived(const vigil_policy *p, const char *path, const char *signal_id,
			const char *today, const char **reason);

#ifdef __cplusplus
}
#endif
#endif
