/*
 * What a baseline signature covers and the Ed25519 keys (OpenSSL's EVP,
 * the libcrypto vigil links already). The canonical digest is a SHA-256
 * over netstrings ("<decimal length>:<bytes>,"; "~," for an absent
 * value) of the format tag, the rules text, the roots and every row in
 * byte order of the path, each row's fields in a fixed order, so that
 * the same baseline gives the same digest on any database (docs/design.md
 * "What is signed"). The signed message is the text
 * "vigil baseline signature 1\n" followed by the digest in hex.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base/util.h"
#include "store/baseline_internal.h"

#define SIG_PREFIX "vigil baseline signature 1\n"

static int put(EVP_MD_CTX *md, const char *s, size_t n)
{
	char len[32];
	int l = snprintf(len, sizeof len, "%zu:", n);
	return EVP_DigestUpdate(md, len, (size_t)l) == 1 &&
	       EVP_DigestUpdate(md, s, n) == 1 && EVP_DigestUpdate(md, ",", 1) == 1;
}

static int put_str(EVP_MD_CTX *md, const char *s)
{
	if (!s)
		return EVP_DigestUpdate(md, "~,", 2) == 1;
	return put(md, s, strlen(s));
}

static int put_int(EVP_MD_CTX *md, int64_t v)
{
	char b[32];
	int l = snprintf(b, sizeof b, "%lld", (long long)v);
	return put(md, b, (size_t)l);
}

static int put_row(EVP_MD_CTX *md, const vg_bentry *e)
{
	int ok = put_str(md, e->path) && put_str(md, vg_btype_name(e->type)) &&
		 put_int(md, e->attrs) && put_int(md, e->mode) && put_int(md, e->uid) &&
		 put_int(md, e->gid) && put_int(md, e->size) && put_int(md, e->mtime_ns) &&
		 put_int(md, e->ctime_ns) && put_int(md, e->dev) && put_int(md, e->ino) &&
		 put_int(md, e->nlink) && put_str(md, e->link) &&
		 put_str(md, e->sha256[0] ? e->sha256 : NULL) && put_int(md, (int64_t)e->nxattrs);
	for (size_t i = 0; ok && i < e->nxattrs; i++) {
		char *hex = malloc(e->xattrs[i].len * 2 + 1);
		if (!hex)
			return 0;
		vg_hex(e->xattrs[i].value, e->xattrs[i].len, hex);
		ok = put_str(md, e->xattrs[i].name) && put_str(md, hex);
		free(hex);
	}
	return ok;
}

int vg_baseline_digest(const char *rules, const char *const *roots, size_t nroots,
		       const vg_bentry *rows, size_t n, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		 put_str(md, "vigil-baseline-1") && put_str(md, rules ? rules : "") &&
		 put_int(md, (int64_t)nroots);
	for (size_t i = 0; ok && i < nroots; i++)
		ok = put_str(md, roots[i]);
	ok = ok && put_int(md, (int64_t)n);
	for (size_t i = 0; ok && i < n; i++)
		ok = put_row(md, &rows[i]);
	unsigned l = 0;
	ok = ok && EVP_DigestFinal_ex(md, out, &l) == 1 && l == 32;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

/* OpenSSL would ask the terminal for a passphrase: the library never does. */
static int no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return -1;
}

static EVP_PKEY *load_key(const char *path, int private_key, vigil_diag_fn diag, void *ctx)
{
	char *text = NULL;
	size_t len = 0;
	int e = vg_read_file(path, 1 << 16, &text, &len);
	if (e) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, path, 0, "unable to read the key: %s",
			strerror(e));
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(text, (int)len);
	EVP_PKEY *k = NULL;
	if (bio)
		k = private_key ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
				: PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	free(text);
	if (!k) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, path, 0,
			private_key ? "not an unencrypted PEM private key (vigil baseline keygen writes one)"
				    : "not a PEM public key (vigil baseline keygen writes one, FILE.pub)");
		return NULL;
	}
	if (EVP_PKEY_id(k) != EVP_PKEY_ED25519) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, path, 0, "not an Ed25519 key");
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

static void message(const uint8_t digest[32], char msg[sizeof SIG_PREFIX + 64])
{
	memcpy(msg, SIG_PREFIX, sizeof SIG_PREFIX - 1);
	vg_hex(digest, 32, msg + sizeof SIG_PREFIX - 1);
}

int vg_baseline_sign(const char *key_path, const uint8_t digest[32], char sig_hex[129],
		     char pub_hex[65], vigil_diag_fn diag, void *ctx)
{
	EVP_PKEY *k = load_key(key_path, 1, diag, ctx);
	if (!k)
		return -1;
	char msg[sizeof SIG_PREFIX + 64];
	message(digest, msg);
	uint8_t sig[64], pub[32];
	size_t sl = sizeof sig, pl = sizeof pub;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, k) == 1 &&
		 EVP_DigestSign(md, sig, &sl, (const uint8_t *)msg, sizeof SIG_PREFIX - 1 + 64) == 1 &&
		 sl == 64 && EVP_PKEY_get_raw_public_key(k, pub, &pl) == 1 && pl == 32;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	if (!ok) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, key_path, 0, "unable to sign the baseline");
		return -1;
	}
	vg_hex(sig, 64, sig_hex);
	vg_hex(pub, 32, pub_hex);
	return 0;
}

int vg_baseline_verify(const char *pub_path, const uint8_t digest[32],
		       const char *sig_hex, vigil_diag_fn diag, void *ctx)
{
	EVP_PKEY *k = load_key(pub_path, 0, diag, ctx);
	if (!k)
		return -1;
	uint8_t sig[64];
	int ok = 0;
	if (sig_hex && vg_unhex(sig_hex, strlen(sig_hex), sig, sizeof sig) == 64) {
		char msg[sizeof SIG_PREFIX + 64];
		message(digest, msg);
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		ok = md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) == 1 &&
		     EVP_DigestVerify(md, sig, 64, (const uint8_t *)msg,
				      sizeof SIG_PREFIX - 1 + 64) == 1;
		EVP_MD_CTX_free(md);
	}
	EVP_PKEY_free(k);
	return ok;
}

static int write_pem(const char *path, mode_t mode, EVP_PKEY *k, int private_key,
		     vigil_diag_fn diag, void *ctx)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, path, 0, "unable to create: %s%s",
			strerror(errno), errno == EEXIST ? " (a key is never overwritten)" : "");
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	int ok = f && (private_key ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)
				   : PEM_write_PUBKEY(f, k)) == 1;
	if (f) {
		ok = fflush(f) == 0 && fsync(fd) == 0 && ok;
		ok = fclose(f) == 0 && ok;
	} else {
		close(fd);
	}
	if (!ok) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, path, 0, "unable to write the key");
		unlink(path);
	}
	return ok ? 0 : -1;
}

int vigil_baseline_keygen(const char *path, vigil_diag_fn diag, void *ctx)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	int ok = kc && EVP_PKEY_keygen_init(kc) == 1 && EVP_PKEY_keygen(kc, &k) == 1;
	EVP_PKEY_CTX_free(kc);
	char *pub = vg_asprintf("%s.pub", path);
	if (!ok || !pub) {
		vg_diag(diag, ctx, VIGIL_DIAG_ERROR, path, 0, "unable to make an Ed25519 key");
		EVP_PKEY_free(k);
		free(pub);
		return VIGIL_FATAL;
	}
	int rc = VIGIL_FATAL;
	if (write_pem(path, 0600, k, 1, diag, ctx) == 0) {
		if (write_pem(pub, 0644, k, 0, diag, ctx) == 0)
			rc = VIGIL_OK;
		else
			unlink(path);
	}
	EVP_PKEY_free(k);
	free(pub);
	return rc;
}
