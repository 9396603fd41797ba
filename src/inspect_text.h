/* Text rendering of a `vigil inspect` result (the JSON model of
 * include/vigil/inspect.h, parsed). */
#ifndef VIGIL_INSPECT_TEXT_H
#define VIGIL_INSPECT_TEXT_H

#include <stdio.h>

#include <jansson.h>

/* Print r for a reader; every string from the file is escaped. r's "path"
 * is escaped already (the library writes it so). */
void inspect_print_text(FILE *out, const json_t *r);

#endif
