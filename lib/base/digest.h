/*
 * MD5, SHA-1 and SHA-256 of the same bytes, fed once: each chunk goes
 * through the three while it is still in the CPU cache. Every OpenSSL
 * return is checked: a failed digest is reported, never used.
 */
#ifndef VIGIL_BASE_DIGEST_H
#define VIGIL_BASE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct vg_digests vg_digests;

vg_digests *vg_digests_new(void);
void vg_digests_free(vg_digests *d);

/* Start over; 0 when OpenSSL failed (then update and final fail too). */
int vg_digests_init(vg_digests *d);
/* Start over with MD5 alone (dpkg's md5sums): final fills md5 only and
 * leaves sha1 and sha256 as they were; the next vg_digests_init brings
 * back the three. */
int vg_digests_init_md5(vg_digests *d);
/* Any length: fed to the three in cache-sized pieces, one after another. */
void vg_digests_update(vg_digests *d, const void *p, size_t n);
/* 1 with the three digests, 0 when any step since init failed. */
int vg_digests_final(vg_digests *d, uint8_t md5[16], uint8_t sha1[20],
		     uint8_t sha256[32]);

/* All three of a buffer in one pass over cache-sized pieces. */
int vg_digests_buffer(vg_digests *d, const void *p, size_t n, uint8_t md5[16],
		      uint8_t sha1[20], uint8_t sha256[32]);

/*
 * Finish a SHA-256 the caller fed (an OpenSSL EVP_MD_CTX, given as void *
 * so this header needs no OpenSSL): ok says every step before succeeded.
 * The context is freed; out gets 64 lowercase hex digits and a NUL.
 * 1, or 0 when any step failed (out untouched).
 */
int vg_sha256_hex_final(void *evp_md_ctx, int ok, char out[65]);

#endif
