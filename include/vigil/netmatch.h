/*
 * The network IOC matcher: built once from the network indicators of an
 * IOC set (domains with their subdomains, IPv4/IPv6 addresses and CIDR
 * ranges, URLs) and shared read-only by whoever checks observables.
 */
#ifndef VIGIL_NETMATCH_H
#define VIGIL_NETMATCH_H

#include <stddef.h>

#include "iocs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_netmatch vigil_netmatch;

/* Built from the DOMAIN, IPV4, IPV6 and URL indicators of set, which must
 * outlive the matcher. NULL on allocation failure. Thread-safe once built. */
vigil_netmatch *vigil_netmatch_create(const vigil_iocs *set);
void vigil_netmatch_destroy(vigil_netmatch *m);

/* Number of usable indicators of a type the matcher holds (DOMAIN, IPV4,
 * IPV6 or URL; duplicate domains merged). */
size_t vigil_netmatch_count(const vigil_netmatch *m, vigil_ioc_type type);

/*
 * A host name as a log writes it: matches an IOC domain equal to it or to
 * one of its parents at a label boundary, case-insensitively, a trailing
 * dot ignored. The most specific IOC wins. NULL when none.
 */
const vigil_ioc *vigil_netmatch_domain(const vigil_netmatch *m,
				       const char *name, size_t len);
/* A textual IPv4 or IPv6 address (IPv4-mapped IPv6 is also tried as
 * IPv4): the longest matching prefix. NULL when none or not an address. */
const vigil_ioc *vigil_netmatch_ip(const vigil_netmatch *m, const char *addr,
				   size_t len);
/* A URL: scheme and host are compared case-insensitively (trailing dot and
 * default port dropped); an IOC without a path matches every URL of its
 * host, one whose path ends with '/' every URL at or below that path, one
 * with another path that path with any query or fragment. An IOC without
 * a scheme ("host/path", from MISP) matches http and https URLs. */
const vigil_ioc *vigil_netmatch_url(const vigil_netmatch *m, const char *url,
				    size_t len);

#ifdef __cplusplus
}
#endif

#endif
