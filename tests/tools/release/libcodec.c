/*
 * The ELF pair: libcodec.so.1. Release N+1 (CODEC_BENIGN) gains a harmless
 * function. The XZ-like variant (CODEC_XZ) keeps the version and gains
 * the shape of the xz backdoor (reference: ../shared/reference/3cx.md
 * §4.4): an IFUNC resolver that runs at load time, and system() and
 * dlopen() use. The resolver only picks an implementation; the command is
 * a fixed harmless string; nothing here is run by the tests.
 */
#include <stddef.h>
#ifdef CODEC_XZ
#include <dlfcn.h>
#include <stdlib.h>
#endif

int codec_version(void)
{
	return CODEC_VERSION;
}

size_t codec_crc(const unsigned char *p, size_t n)
{
	size_t h = 5381;
	for (size_t i = 0; i < n; i++)
		h = h * 33 + p[i];
	return h;
}

#ifdef CODEC_BENIGN
size_t codec_crc_fast(const unsigned char *p, size_t n)
{
	size_t h = 0;
	for (size_t i = 0; i < n; i++)
		h += p[i];
	return h;
}
#endif

#ifdef CODEC_XZ
static size_t crc_plain(const unsigned char *p, size_t n)
{
	return codec_crc(p, n);
}

static size_t (*resolve_crc(void))(const unsigned char *, size_t)
{
	return crc_plain;
}

size_t codec_crc64(const unsigned char *p, size_t n) __attribute__((ifunc("resolve_crc")));

int codec_hook(const char *what)
{
	void *h = dlopen(what, RTLD_NOW);
	if (h)
		dlclose(h);
	return system("true");
}
#endif
