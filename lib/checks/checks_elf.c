/*
 * ELF structural check (docs/detections.md, "VGL-ELF-APPENDED"): bytes after
 * the end of everything the ELF headers account for (the header, both header
 * tables, every segment and every non-NOBITS section). The loader never maps
 * them, no checksum or package digest of the code covers them specially, and
 * they are where a dropper glues its payload onto a benign executable.
 *
 * Cost: non-ELF bytes return after a 6-byte compare; an ELF costs a walk of
 * its header tables (no allocation, no copy); only an ELF with appended
 * bytes pays for an entropy pass over at most ENTROPY_SPAN of them.
 *
 * An all-zero tail is padding (patchelf, as used by Python's auditwheel,
 * leaves one zero byte) and is not reported.
 *
 * Known legitimate carriers are recognised and scored as information only:
 * a signed Linux kernel module (the signature is appended by design), an
 * AppImage (squashfs after the runtime), a PyInstaller one-file executable
 * (its archive ends with the "MEI" cookie).
 */
#include <stdlib.h>
#include <string.h>

#include "checks/checks_internal.h"
#include "base/entropy.h"
#include "formats/byteread.h"
#include "formats/elf.h"
#include "base/util.h"

#define SRC "builtin:checks/elf"
#define ENTROPY_SPAN ((size_t)1 << 20)
#define BIG_APPENDED 4096  /* bytes: room for a real payload */
#define HIGH_ENTROPY 7.0   /* bits per byte: compressed or encrypted */

#define MODSIG_MAGIC "~Module signature appended~\n"
#define MODSIG_INFO 12 /* struct module_signature; sig_len (BE) at 8 */
static const uint8_t MEI_COOKIE[8] = {'M', 'E', 'I', 014, 013, 012, 013, 016};

/*
 * Does [off, len) hold exactly one kernel module signature: the PKCS#7,
 * struct module_signature, then the magic string at the very end?
 */
static int is_module_signature(const uint8_t *buf, size_t len, uint64_t off)
{
	size_t ml = sizeof MODSIG_MAGIC - 1;
	uint64_t n = len - off;
	uint32_t sig_len;
	if (n < ml + MODSIG_INFO || memcmp(buf + len - ml, MODSIG_MAGIC, ml) != 0 ||
	    !vg_be32(buf, len, len - ml - MODSIG_INFO + 8, &sig_len))
		return 0;
	return (uint64_t)sig_len + MODSIG_INFO + ml == n;
}

/* Zero padding (patchelf leaves a byte or so) carries nothing. */
static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* A PyInstaller cookie in the last 4 KiB of the appended bytes. */
static int has_pyinstaller_cookie(const uint8_t *buf, size_t len, uint64_t off)
{
	size_t from = len - off > 4096 ? len - 4096 : (size_t)off;
	for (size_t i = from; i + sizeof MEI_COOKIE <= len; i++)
		if (buf[i] == 'M' && memcmp(buf + i, MEI_COOKIE, sizeof MEI_COOKIE) == 0)
			return 1;
	return 0;
}

void vg_check_elf(const uint8_t *buf, size_t len, vigil_emit_fn emit, void *ctx)
{
	if (!vg_elf_sniff(buf, len))
		return;
	vg_elf_layout lay;
	/* A truncated or capped layout says nothing reliable about its end. */
	if (vg_elf_layout_read(buf, len, &lay, NULL) != VIGIL_OK || !lay.complete ||
	    lay.data_end >= len)
		return;
	uint64_t off = lay.data_end, n = len - off;
	if (is_module_signature(buf, len, off) || all_zero(buf + off, (size_t)n))
		return;

	size_t span = n > ENTROPY_SPAN ? ENTROPY_SPAN : (size_t)n;
	double h = vg_entropy(buf + off, span);
	const char *what = NULL;
	int score;
	if (buf[8] == 'A' && buf[9] == 'I' && buf[10] == 2) {
		what = "AppImage payload";
		score = 10;
	} else if (has_pyinstaller_cookie(buf, len, off)) {
		what = "PyInstaller archive";
		score = 10;
	} else if (n >= BIG_APPENDED && h >= HIGH_ENTROPY) {
		score = 45;
	} else {
		score = 30;
	}
	char *msg = vg_asprintf("%llu bytes appended after the end of the ELF data at "
				"offset 0x%llx, entropy %.2f bits/byte%s%s%s",
				(unsigned long long)n, (unsigned long long)off, h,
				span < n ? " (first 1 MiB)" : "", what ? "; looks like " : "",
				what ? what : "");
	vigil_finding f = {
		.kind = "tamper",
		.id = "VGL-ELF-APPENDED",
		.source = SRC,
		.message = msg ? msg : "bytes appended after the end of the ELF data",
		.score = score,
		.level = vigil_score_level(score),
	};
	emit(ctx, &f);
	free(msg);
}
