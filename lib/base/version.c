/* vigil's version and the versions of the libraries it was built with and
 * runs with (see common.h). */
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>
#include <yara.h>

#include <vigil/common.h>

#include "base/util.h"

const char *vigil_version(void)
{
	return VIGIL_VERSION;
}

#define STR2(x) #x
#define STR(x) STR2(x)

size_t vigil_component_versions(vigil_component_version *out, size_t max)
{
	/* libyara has no run-time version call: the headers it was built
	 * with, which the soname pins to the same major version */
	static char pcre[64];
	if (!pcre[0] && pcre2_config(PCRE2_CONFIG_VERSION, pcre) < 0)
		snprintf(pcre, sizeof pcre, "%d.%d", PCRE2_MAJOR, PCRE2_MINOR);
	const vigil_component_version all[] = {
		{"libyara", STR(YR_MAJOR_VERSION) "." STR(YR_MINOR_VERSION) "."
			    STR(YR_MICRO_VERSION)},
		{"OpenSSL", OpenSSL_version(OPENSSL_VERSION_STRING)},
		{"libarchive", strncmp(archive_version_string(), "libarchive ", 11) == 0
				       ? archive_version_string() + 11 : archive_version_string()},
		{"SQLite", sqlite3_libversion()},
		{"jansson", jansson_version_str()},
		{"PCRE2", pcre},
	};
	size_t n = sizeof all / sizeof *all;
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = all[i];
	return n;
}

int vigil_sha256_hex(const void *p, size_t n, char out[65])
{
	uint8_t d[32];
	unsigned dl = 0;
	out[0] = '\0';
	if (EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL) != 1 || dl != 32)
		return VIGIL_FATAL;
	vg_hex(d, 32, out);
	return VIGIL_OK;
}
