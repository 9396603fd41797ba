#include "checks_internal.h"

const vg_checker vg_checkers[] = {
	NULL,
};
