/* Calendar arithmetic shared by the layers that read time stamps (log
 * formats, STIX validity, certificate validity). */
#ifndef VIGIL_TIMEUTIL_H
#define VIGIL_TIMEUTIL_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil); m is 1..12, d 1..31, any year int64_t can carry
 * without the result overflowing. Callers check the ranges. */
int64_t vg_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
