/* Identities of IOC sets (see vigil_iocs_identity in iocs.h). */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <vigil/iocs.h>

#include "base/digest.h"
#include "base/util.h"
#include "iocs/iocs_internal.h"

/* A string with its length first, so that no two lists serialise alike. */
static int feed_str(EVP_MD_CTX *md, const char *s)
{
	if (!s)
		s = "";
	char len[24];
	int n = snprintf(len, sizeof len, "%zu:", strlen(s));
	return EVP_DigestUpdate(md, len, (size_t)n) == 1 &&
	       EVP_DigestUpdate(md, s, strlen(s)) == 1;
}

void vg_iocs_note_fp(vigil_iocs *set, size_t id, const char *fp_regex)
{
	if (!fp_regex || !*fp_regex)
		return;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char idx[24];
	snprintf(idx, sizeof idx, "%zu", id);
	unsigned dl = 0;
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(md, set->fp_chain, sizeof set->fp_chain) == 1 &&
		 feed_str(md, idx) && feed_str(md, fp_regex) &&
		 EVP_DigestFinal_ex(md, set->fp_chain, &dl) == 1;
	if (!ok)
		set->fp_failed = 1;
	EVP_MD_CTX_free(md);
}

static int feed_type(EVP_MD_CTX *md, const vigil_iocs *set, vigil_ioc_type t)
{
	char num[48];
	snprintf(num, sizeof num, "type %d count %zu", (int)t, set->lists[t].len);
	int ok = feed_str(md, num);
	for (size_t i = 0; ok && i < set->lists[t].len; i++) {
		const vigil_ioc *x = &set->lists[t].items[i];
		snprintf(num, sizeof num, "%d %lu", x->score, x->line);
		ok = feed_str(md, x->value) && feed_str(md, x->comment) &&
		     feed_str(md, x->source) && feed_str(md, num);
	}
	return ok;
}

int vigil_iocs_identity(const vigil_iocs *set, vigil_ioc_type type,
			char out[65])
{
	if (type >= VIGIL_IOC_TYPE_COUNT)
		return VIGIL_FATAL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		 feed_str(md, "vigil-iocs-1");
	if (type <= VIGIL_IOC_SHA256) {
		for (int t = VIGIL_IOC_MD5; ok && t <= VIGIL_IOC_SHA256; t++)
			ok = feed_type(md, set, (vigil_ioc_type)t);
	} else {
		ok = ok && feed_type(md, set, type);
	}
	if (ok && type == VIGIL_IOC_PATH_REGEX)
		ok = !set->fp_failed &&
		     EVP_DigestUpdate(md, set->fp_chain, sizeof set->fp_chain) == 1;
	return vg_sha256_hex_final(md, ok, out) ? VIGIL_OK : VIGIL_FATAL;
}
