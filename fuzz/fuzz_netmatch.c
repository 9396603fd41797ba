/*
 * Fuzz the network IOC matcher from both sides: the input up to the first
 * empty line is a c2-iocs file (refanged and normalised by
 * vigil_iocs_add_network, then built into the matcher's tables); every
 * line after it is looked up as a domain, an address and a URL. A hit must
 * return an IOC of the right type.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/intel.h>
#include <vigil/iocs.h>
#include <vigil/logs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	size_t split = size;
	for (size_t i = 0; i + 1 < size; i++)
		if (d[i] == '\n' && d[i + 1] == '\n') {
			split = i + 1;
			break;
		}
	vigil_iocs *set = vigil_iocs_create();
	if (!set)
		return 0;
	vigil_iocs_load_buffer(set, "fuzz-c2-iocs.txt", d, split, VIGIL_IOC_C2);
	vigil_netmatch *m = vigil_netmatch_create(set);
	if (m) {
		size_t pos = split < size ? split + 1 : size;
		while (pos < size) {
			const char *nl = memchr(d + pos, '\n', size - pos);
			size_t end = nl ? (size_t)(nl - d) : size, n = end - pos;
			const vigil_ioc *a = vigil_netmatch_domain(m, d + pos, n);
			const vigil_ioc *b = vigil_netmatch_ip(m, d + pos, n);
			const vigil_ioc *c = vigil_netmatch_url(m, d + pos, n);
			if ((a && a->type != VIGIL_IOC_DOMAIN) ||
			    (b && b->type != VIGIL_IOC_IPV4 && b->type != VIGIL_IOC_IPV6) ||
			    (c && c->type != VIGIL_IOC_URL))
				abort();
			pos = end + 1;
		}
		vigil_netmatch_destroy(m);
	}
	vigil_iocs_destroy(set);
	return 0;
}
