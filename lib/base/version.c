#include <vigil/common.h>

const char *vigil_version(void)
{
	return VIGIL_VERSION;
}
