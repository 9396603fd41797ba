/*
 * Printable strings of a buffer and the network indicators in them: URLs
 * (http, https, ftp), domain names and IPv4 addresses. Feeds
 * `vigil inspect`; works on any bytes, whatever the format.
 *
 *   vg_netstrings *ns;
 *   if (vg_netstrings_extract(buf, len, 0, &ns) == VIGIL_FATAL) -> no memory
 *   for (size_t i = 0; i < ns->n; i++) ... ns->items[i].value ...
 *   vg_netstrings_free(ns);
 *
 * Strings are runs of at least VG_STRINGS_MIN_LEN printable ASCII
 * characters (0x20-0x7e and tab), as single bytes or as UTF-16LE (each
 * character followed by a zero byte). A run longer than VG_STRINGS_MAX_RUN
 * is handled in pieces of that size, so an indicator straddling a piece
 * boundary is missed.
 *
 * Domains: the name must end in a public suffix of the ICANN list
 * (libpsl's built-in copy, see base/psl.h) with a registrable label before
 * it, so "co.uk" and "config.json" are not domains. Then the top-level
 * label decides: under the TLDs most seen in intrusions (com, net, org,
 * country codes, xyz, top, wiki...: ANYWHERE_TLDS in netstrings.c) a name
 * is listed wherever it is; under one that is also a common file
 * extension (.so, .sh, .py, .pl, .rs, .md, .in, .cc, .la, .zip, .app,
 * .ads...) only as a URL's host, to keep "libc.so" and "Makefile.in" out;
 * under any other public suffix (hundreds are words: .name, .email,
 * .target, .data) only when the string shows it is a host: "user@NAME",
 * "NAME:PORT" or "NAME/path". URL hosts need no listed TLD: the scheme
 * is evidence enough. IPv4 addresses are four decimal octets 0-255 without
 * leading zeros, not preceded by a letter, digit or dot and not followed by
 * a digit or another ".<digit>" (so "v1.2.3.4" and "1.2.3.4.5" are not
 * addresses). Values are lower-cased (except URL paths) and de-duplicated;
 * the first occurrence's offset is kept.
 */
#ifndef VIGIL_NETSTRINGS_H
#define VIGIL_NETSTRINGS_H

#include <stddef.h>
#include <stdint.h>

#include <vigil/common.h>

#define VG_STRINGS_MIN_LEN 6
#define VG_STRINGS_MAX_RUN 4096
#define VG_NETSTR_DEFAULT_MAX 1000 /* items kept when the caller passes 0 */
#define VG_NETSTR_HARD_MAX 100000  /* items kept at most, whatever is asked */
#define VG_NETSTR_MAX_URL 2048     /* bytes of a URL kept */

/*
 * Call fn for each printable string of at least minlen characters (minlen 0
 * means VG_STRINGS_MIN_LEN): s is NUL-terminated ASCII (UTF-16 strings
 * narrowed), n its length, offset where it starts in buf. A non-zero return
 * from fn stops the walk. ASCII strings are reported first, then UTF-16LE.
 */
typedef int (*vg_string_fn)(void *ctx, const char *s, size_t n, uint64_t offset,
			    int utf16);
void vg_strings_each(const uint8_t *buf, size_t len, size_t minlen, vg_string_fn fn,
		     void *ctx);

typedef enum vg_netstr_kind {
	VG_NETSTR_URL = 0,
	VG_NETSTR_DOMAIN,
	VG_NETSTR_IPV4,
} vg_netstr_kind;

typedef struct vg_netstr {
	vg_netstr_kind kind;
	char *value;
	uint64_t offset; /* of the string it was found in */
	int utf16;       /* found in a UTF-16LE string */
} vg_netstr;

typedef struct vg_netstrings {
	vg_netstr *items;
	size_t n;
	int capped; /* more were found than max_items */
	/* private */
	size_t cap, max;
	size_t *set; /* open-addressing index of items, for de-duplication */
	size_t set_size;
} vg_netstrings;

/*
 * Extract URLs, domains and IPv4 addresses from buf's strings, keeping at
 * most max_items (0: VG_NETSTR_DEFAULT_MAX) in order of first occurrence.
 * Returns VIGIL_OK, VIGIL_WARN when capped, VIGIL_FATAL (and *out NULL) when
 * out of memory.
 */
int vg_netstrings_extract(const uint8_t *buf, size_t len, size_t max_items,
			  vg_netstrings **out);
void vg_netstrings_free(vg_netstrings *ns);

const char *vg_netstr_kind_name(vg_netstr_kind kind); /* "url", "domain", "ipv4" */

#endif
