/* Three digests in one pass (see digest.h). */
#include <stdlib.h>

#include <openssl/evp.h>

#include "base/digest.h"
#include "base/util.h"

/* A piece small enough to stay in the L2 cache while three digests read
 * it one after the other, so that memory is read once, not three times. */
#define PIECE (128u << 10)

struct vg_digests {
	EVP_MD_CTX *md[3];
	int ok;
	int n; /* digests in use: 3, or 1 after vg_digests_init_md5 */
};

vg_digests *vg_digests_new(void)
{
	vg_digests *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	for (int i = 0; i < 3; i++)
		if (!(d->md[i] = EVP_MD_CTX_new())) {
			vg_digests_free(d);
			return NULL;
		}
	return d;
}

void vg_digests_free(vg_digests *d)
{
	if (!d)
		return;
	for (int i = 0; i < 3; i++)
		EVP_MD_CTX_free(d->md[i]);
	free(d);
}

int vg_digests_init(vg_digests *d)
{
	const EVP_MD *md[3] = {EVP_md5(), EVP_sha1(), EVP_sha256()};
	d->ok = 1;
	d->n = 3;
	for (int i = 0; i < 3; i++)
		if (!md[i] || EVP_DigestInit_ex(d->md[i], md[i], NULL) != 1)
			d->ok = 0;
	return d->ok;
}

int vg_digests_init_md5(vg_digests *d)
{
	const EVP_MD *md5 = EVP_md5();
	d->n = 1;
	d->ok = md5 && EVP_DigestInit_ex(d->md[0], md5, NULL) == 1;
	return d->ok;
}

void vg_digests_update(vg_digests *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t off = 0; d->ok && off < n; off += PIECE) {
		size_t k = n - off < PIECE ? n - off : PIECE;
		for (int i = 0; i < d->n; i++)
			if (EVP_DigestUpdate(d->md[i], b + off, k) != 1)
				d->ok = 0;
	}
}

int vg_digests_final(vg_digests *d, uint8_t md5[16], uint8_t sha1[20],
		     uint8_t sha256[32])
{
	uint8_t *out[3] = {md5, sha1, sha256};
	const unsigned want[3] = {16, 20, 32};
	if (!d->ok)
		return 0;
	for (int i = 0; i < d->n; i++) {
		unsigned len = 0;
		if (EVP_DigestFinal_ex(d->md[i], out[i], &len) != 1 || len != want[i])
			d->ok = 0;
	}
	return d->ok;
}

int vg_digests_buffer(vg_digests *d, const void *p, size_t n, uint8_t md5[16],
		      uint8_t sha1[20], uint8_t sha256[32])
{
	if (!vg_digests_init(d))
		return 0;
	vg_digests_update(d, p, n);
	return vg_digests_final(d, md5, sha1, sha256);
}

int vg_sha256_hex_final(void *evp_md_ctx, int ok, char out[65])
{
	EVP_MD_CTX *md = evp_md_ctx;
	uint8_t d[32];
	unsigned dl = 0;
	ok = ok && md && EVP_DigestFinal_ex(md, d, &dl) == 1 && dl == 32;
	EVP_MD_CTX_free(md);
	if (ok)
		vg_hex(d, 32, out);
	return ok;
}
