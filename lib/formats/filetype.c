/*
 * File types by magic bytes, named as Loki names them so that rules testing
 * `filetype == "EXE"` behave the same. Longer signatures are listed first:
 * the first match wins.
 */
#include <string.h>

#include "formats/filetype.h"

struct magic {
	const char *bytes;
	size_t len;
	const char *name;
};

#define M(b, n) {b, sizeof(b) - 1, n}
static const struct magic magics[] = {
	M("\x50\x4B\x03\x04\x14\x00\x06\x00", "Office"),
	M("\x30\x00\x00\x00\x4C\x66\x4C\x65", "EVT Event Viewer File"),
	M("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "MS Office"),
	M("\x52\x61\x72\x21\x1A\x07", "RAR"),
	M("\x37\x7A\xBC\xAF\x27\x1C", "7Zip"),
	M("\xFF\xFE\x3C\x00\x25\x00", "JSP"),
	M("\xFE\xFF\x00\x3C\x00\x25", "JSP"),
	M("\x3C\x3F\x70\x68\x70", "PHP"),
	M("\x50\x4B\x53\x70\x58", "PKSFX"),
	M("\x3C\x25\x2D\x2D", "JSP"),
	M("\x4D\x44\x4D\x50", "MDMP"),
	M("\x7B\x5C\x72\x74", "RTF"),
	M("\x25\x50\x44\x46", "PDF"),
	M("\x50\x4B\x05\x06", "PKZIP"),
	M("\x50\x4B\x03\x04", "ZIP"),
	M("\xFE\xED\xFA\xCE", "MACH-O"),
	M("\xFE\xED\xFA\xCF", "MACH-O"),
	M("\xCE\xFA\xED\xFE", "MACH-O"),
	M("\xCF\xFA\xED\xFE", "MACH-O"),
	M("\xCA\xFE\xBA\xBE", "MACH-O"),
	M("\x7F\x45\x4C\x46", "ELF"),
	M("\x1F\x8B\x08", "GZIP"),
	M("\x42\x5A\x68", "BZip2"),
	M("\xFF\xD8\xFF", "JPEG"),
	M("\x3C\x25", "JSP"),
	M("\x4D\x5A", "EXE"),
};
#undef M

const char *vg_filetype(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
		if (len >= magics[i].len &&
		    memcmp(buf, magics[i].bytes, magics[i].len) == 0)
			return magics[i].name;
	return "UNKNOWN";
}
