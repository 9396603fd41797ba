/*
 * Structural checks of binaries (tampered signatures, overlays...), run by
 * the scan on every file's bytes in its single pass and by `vigil inspect`.
 */
#ifndef VIGIL_CHECKS_H
#define VIGIL_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include "finding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*vigil_emit_fn)(void *ctx, const vigil_finding *f);

/* Run every structural check that applies to buf; emit each finding. */
void vigil_checks_run(const uint8_t *buf, size_t len, vigil_emit_fn emit,
		      void *ctx);

#ifdef __cplusplus
}
#endif

#endif
