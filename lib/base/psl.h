/*
 * The public suffix list, through libpsl: does a host name end in a suffix
 * under which names are registered (com, co.uk, wiki, and every other TLD
 * of the list's ICANN section), with a label to register before it? Used
 * to tell domain names from dotted words and file names (netstrings, the
 * MISP reader). The list's "*" default rule is not applied, so "main.json"
 * has no public suffix; private-section suffixes (github.io, blogspot.com)
 * are not public suffixes here: "github.io" itself is a registrable name.
 */
#ifndef VIGIL_PSL_H
#define VIGIL_PSL_H

#include <stddef.h>

/* Length of the longest public suffix ending name (n bytes, any case, no
 * trailing dot), at a label boundary; 0 when its last label is none. */
size_t vg_psl_suffix_len(const char *name, size_t n);

/* Does name end in a public suffix with at least one label before it? */
int vg_psl_registrable(const char *name, size_t n);

/* Is label (n bytes, any case) a top-level public suffix on its own? */
int vg_psl_is_tld(const char *label, size_t n);

#endif
