/*
 * Functions vigil does not call (git's banned.h idea): each has a bounded
 * or defined-on-error replacement. Put before every lib/ and src/ file by
 * the build (-include, CMakeLists.txt), so a use is a compile error, not a
 * review comment. The headers that declare them come first: a poisoned
 * name may not appear after the pragma, not even in a declaration. So a
 * feature macro (_GNU_SOURCE) #defined in a file would come after
 * <features.h> and do nothing: such a file is named in CMakeLists.txt
 * instead (ctest banned/feature-macros).
 *
 *   sprintf, vsprintf   no bound: snprintf, vsnprintf, vg_asprintf
 *   strcpy, strcat      no bound: memcpy with a known length, snprintf
 *   gets                cannot be used safely (gone from C11)
 *   strtok              hidden state, not thread-safe: strchr, strspn
 *   atoi, atol, atoll   undefined on overflow, no error: strtol, strtoull
 *   tmpnam, tempnam,    a name that another process can take first:
 *   mktemp              mkstemp, mkdtemp
 */
#ifndef VIGIL_BANNED_H
#define VIGIL_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC poison sprintf vsprintf strcpy strcat gets strtok
#pragma GCC poison atoi atol atoll tmpnam tempnam mktemp

#endif
