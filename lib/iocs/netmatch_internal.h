/* Address and URL parsing shared by the matcher and the log parsers. */
#ifndef VIGIL_NETMATCH_INTERNAL_H
#define VIGIL_NETMATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Strict dotted quad: exactly four parts of 1-3 digits, each at most 255. */
int vg_parse_ipv4(const char *s, size_t n, uint32_t *out);
/* IPv6 text (brackets and a %zone allowed) via inet_pton. */
int vg_parse_ipv6(const char *s, size_t n, uint8_t out[16]);
/* The bits of a CIDR "/bits" suffix (s is what follows the slash): 0..max,
 * as strtol reads it, the whole string; 0 when it is none. */
int vg_parse_prefix_len(const char *s, unsigned max, unsigned *bits);
/* Split a URL into a normalised origin (buffer of at least 512 bytes) and
 * the rest; 0 when it is not "scheme://..." or the origin is too long. */
int vg_url_split(const char *u, size_t n, char *origin, size_t *olen,
		 const char **rest, size_t *rlen);

#endif
