/*
 * A byte source for the log scanner: a file descriptor or memory, read
 * through gzip (zlib, multi-member) or zstd (libzstd) when the first bytes
 * carry their magic, and through libarchive's in-process filters for the
 * other compressions (xz, bzip2, lz4, lzip, lzma, compress). A file whose
 * magic says a compression or an archive that cannot be decoded here is
 * an error from the first read on (vg_logsource_unsupported), never read
 * as text. Constant memory: fixed input buffer, streaming decoders with
 * zstd's window capped.
 */
#ifndef VIGIL_LOGSOURCE_H
#define VIGIL_LOGSOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct vg_logsource vg_logsource;

/* fd >= 0 reads the descriptor (not closed here); otherwise mem/len. */
vg_logsource *vg_logsource_open(int fd, const void *mem, size_t len);
void vg_logsource_close(vg_logsource *src);

/* Up to cap decompressed bytes into dst: the count, 0 at the end, -1 on an
 * error (then vg_logsource_error says what). */
long vg_logsource_read(vg_logsource *src, uint8_t *dst, size_t cap);
const char *vg_logsource_error(const vg_logsource *src);
/* "gzip", "zstd", "plain" or the compression's name ("xz", "bzip2"...) */
const char *vg_logsource_kind(const vg_logsource *src);
/* Is the source compressed or archived in a form not read here? */
int vg_logsource_unsupported(const vg_logsource *src);

#endif
