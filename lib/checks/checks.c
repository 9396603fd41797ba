/* Dispatch of the structural checks to the format that a file's magic names. */
#include <vigil/checks.h>

#include "checks/checks_internal.h"

void vigil_checks_run(const uint8_t *buf, size_t len, vigil_emit_fn emit,
		      void *ctx)
{
	for (size_t i = 0; vg_checkers[i]; i++)
		vg_checkers[i](buf, len, emit, ctx);
}
