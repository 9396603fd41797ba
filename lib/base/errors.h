/* The skip and error kinds of <vigil/common.h>, from errno values. */
#ifndef VIGIL_BASE_ERRORS_H
#define VIGIL_BASE_ERRORS_H

#include <vigil/common.h>

/*
 * The error kind of an errno value from opening or reading a file or a
 * directory. following: symlinks are followed (then ELOOP is a loop; else
 * it means the name became a symlink after it was listed).
 */
vigil_error vg_error_from_errno(int e, int following);

#endif
