#include "checks/checks_internal.h"

const vg_checker vg_checkers[] = {
	vg_check_pe,
	vg_check_elf,
	vg_check_macho,
	NULL,
};
