/*
 * Public suffix lookups (psl.h). The data is libpsl's built-in copy of the
 * list (psl_builtin()): on Debian 12 it is the same list as the
 * publicsuffix package's file (2023-02-09), needs no file read at run time,
 * no allocation and nothing freed, and is safe from any thread. A libpsl
 * built without a built-in list gets the system's file (psl_latest), once.
 */
#include <pthread.h>
#include <string.h>

#include <libpsl.h>

#include "base/psl.h"

#define MAX_NAME 253

static const psl_ctx_t *psl;
static pthread_once_t psl_once = PTHREAD_ONCE_INIT;

static void psl_init(void)
{
	psl = psl_builtin();
	if (!psl)
		psl = psl_latest(NULL); /* kept for the life of the process */
}

static const psl_ctx_t *ctx(void)
{
	pthread_once(&psl_once, psl_init);
	return psl;
}

/* libpsl compares lower-case names */
static int lower_copy(char *dst, const char *s, size_t n)
{
	if (n == 0 || n > MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\0')
			return 0;
		dst[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	dst[n] = '\0';
	return 1;
}

static int public(const psl_ctx_t *p, const char *s)
{
	return psl_is_public_suffix2(p, s, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE);
}

size_t vg_psl_suffix_len(const char *name, size_t n)
{
	const psl_ctx_t *p = ctx();
	char buf[MAX_NAME + 1];
	if (!p || !lower_copy(buf, name, n))
		return 0;
	/* from the left: the first label start whose rest is public is the
	 * longest public suffix */
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && buf[i - 1] != '.')
			continue;
		if (buf[i] != '.' && public(p, buf + i))
			return n - i;
	}
	return 0;
}

int vg_psl_registrable(const char *name, size_t n)
{
	size_t k = vg_psl_suffix_len(name, n);
	/* a label and its dot before the suffix */
	return k && k + 2 <= n && name[n - k - 1] == '.' && name[n - k - 2] != '.';
}

int vg_psl_is_tld(const char *label, size_t n)
{
	const psl_ctx_t *p = ctx();
	char buf[MAX_NAME + 1];
	return p && !memchr(label, '.', n) && lower_copy(buf, label, n) && public(p, buf);
}
