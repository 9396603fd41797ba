/*
 * The container readers in the order they are asked (container.h): the
 * formats that libarchive does not read, or that need more than it gives
 * (MSI's File table names, the HFS+ volume of a DMG), come first;
 * libarchive's reader last, since it bids for many formats.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "containers/container.h"

/* one line per reader: extern here, and its place in the table below */
extern const vg_container_ops vg_reader_msi, vg_reader_ole2;
extern const vg_container_ops vg_reader_dmg;
extern const vg_container_ops vg_reader_hfs;
extern const vg_container_ops vg_reader_asar;
extern const vg_container_ops vg_reader_pe_overlay;
extern const vg_container_ops vg_reader_libarchive;

const vg_container_ops *const vg_container_readers[] = {
	&vg_reader_msi, &vg_reader_ole2,
	&vg_reader_dmg,
	&vg_reader_hfs,
	&vg_reader_asar,
	&vg_reader_pe_overlay,
	&vg_reader_libarchive, /* last: it bids for many formats */
	NULL,
};

const vg_container_ops *vg_container_detect(const vg_blob *src,
					    const uint8_t *head, size_t n,
					    const char *name)
{
	for (size_t i = 0; vg_container_readers[i]; i++)
		if (vg_container_readers[i]->probe(src, head, n, name))
			return vg_container_readers[i];
	return NULL;
}

int vg_blob_pread(const vg_blob *b, void *buf, size_t n, uint64_t off,
		  size_t *got)
{
	*got = 0;
	if (off >= b->size || !n)
		return 0;
	if (n > b->size - off)
		n = (size_t)(b->size - off);
	if (b->mem) {
		memcpy(buf, b->mem + off, n);
		*got = n;
		return 0;
	}
	if (b->fd < 0)
		return EBADF;
	while (*got < n) {
		ssize_t r = pread(b->fd, (uint8_t *)buf + *got, n - *got,
				  (off_t)(off + *got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno;
		if (r == 0)
			break; /* the file shrank */
		*got += (size_t)r;
	}
	return 0;
}

void vg_c_seterr(char err[VG_C_ERRLEN], const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, VG_C_ERRLEN, fmt, ap);
	va_end(ap);
}
