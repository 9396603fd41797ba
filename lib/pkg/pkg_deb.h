/*
 * What apt knows beyond dpkg's own database: the SHA-256 of each package
 * version in the lists (var/lib/apt/lists/SUITE_Packages, plain or compressed,
 * read through libarchive's filters) and the contents of a cached .deb
 * (an ar archive whose data.tar.* member, in any compression, holds the
 * files; read with libarchive, the inner archive streamed from the outer
 * one).
 */
#ifndef VIGIL_PKG_DEB_H
#define VIGIL_PKG_DEB_H

#include <stddef.h>
#include <stdint.h>

#include "pkg/dpkg.h"
#include "pkg/pkg_map.h"

/* The key of a package version: "name\nversion\narch". New string. */
char *vg_deb_key(vg_span name, vg_span version, vg_span arch);

/*
 * Read one Packages list (buf, len: its decompressed text): for every
 * stanza whose key is in want with no value yet, the value becomes the
 * 32 bytes of its SHA256 field (malloc'd). Malformed lines go to dg.
 * 0, or -1 when out of memory.
 */
int vg_apt_list_digests(const char *buf, size_t len, vg_dpkg_diag *dg,
			vg_pmap *want);

/*
 * The regular files of a .deb's data member (deb: the whole .deb, len
 * bytes): "/path" -> the MD5 of its bytes (16 bytes, malloc'd) in out
 * (free_vals set). Hard links get their target's digest. 0, or -1 with
 * what went wrong in err.
 */
int vg_deb_members(const void *deb, size_t len, vg_pmap *out, char *err,
		   size_t errlen);

#endif
