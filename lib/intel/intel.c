/* Threat-intel input: format detection, the per-file run, add helpers. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "intel/intel_internal.h"
#include "iocs/iocs_internal.h"
#include "base/util.h"

/* Every message of a run passes here: warnings are capped per file, and
 * the set's own messages (prefix) name the item being read. */
static void forward(struct vg_intel *in, const vigil_diag *d, int prefix)
{
	if (d->severity == VIGIL_DIAG_WARNING &&
	    ++in->warnings > VG_INTEL_MAX_WARNINGS) {
		in->hidden++;
		return;
	}
	if (!in->up)
		return;
	if (prefix && in->where) {
		char *msg = vg_asprintf("%s: %s", in->where, d->message);
		vigil_diag d2 = *d;
		d2.message = msg ? msg : d->message;
		in->up(in->up_ctx, &d2);
		free(msg);
		return;
	}
	in->up(in->up_ctx, d);
}

static void run_diag(void *ctx, const vigil_diag *d)
{
	forward(ctx, d, 1);
}

void vg_intel_begin(struct vg_intel *in, vigil_iocs *set, const char *src)
{
	memset(in, 0, sizeof *in);
	in->set = set;
	in->src = src;
	in->up = set->diag;
	in->up_ctx = set->diag_ctx;
	set->diag = run_diag;
	set->diag_ctx = in;
}

int vg_intel_end(struct vg_intel *in)
{
	in->set->diag = in->up;
	in->set->diag_ctx = in->up_ctx;
	if (in->hidden)
		vg_diag(in->up, in->up_ctx, VIGIL_DIAG_WARNING, in->src, 0,
			"%lu more warnings not shown", in->hidden);
	return in->status;
}

static void raise_status(struct vg_intel *in, int st)
{
	if (st > in->status)
		in->status = st;
}

__attribute__((format(printf, 4, 0)))
static void vreport(struct vg_intel *in, vigil_severity sev,
		    unsigned long line, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	vigil_diag d = {sev, in->src, line, msg};
	forward(in, &d, 0);
}

void vg_intel_warn(struct vg_intel *in, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(in, VIGIL_DIAG_WARNING, line, fmt, ap);
	va_end(ap);
	raise_status(in, VIGIL_WARN);
}

void vg_intel_info(struct vg_intel *in, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(in, VIGIL_DIAG_INFO, line, fmt, ap);
	va_end(ap);
}

void vg_intel_fail(struct vg_intel *in, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(in, VIGIL_DIAG_ERROR, line, fmt, ap);
	va_end(ap);
	raise_status(in, VIGIL_FAILED);
}

/* Map an add function's status to the helpers' 1 / 0 / -1. */
static int added(struct vg_intel *in, int rc)
{
	if (rc == VIGIL_OK) {
		in->added++;
		return 1;
	}
	if (rc == VIGIL_FATAL) {
		raise_status(in, VIGIL_FATAL);
		return -1;
	}
	raise_status(in, VIGIL_WARN);
	return 0;
}

int vg_intel_is_hash(const char *s, size_t n)
{
	if (n != 32 && n != 40 && n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int vg_intel_add_hash(struct vg_intel *in, vigil_ioc_type want,
		      const char *hex, int score, const char *comment,
		      unsigned long line)
{
	static const size_t len_of[] = {[VIGIL_IOC_MD5] = 32,
					[VIGIL_IOC_SHA1] = 40,
					[VIGIL_IOC_SHA256] = 64};
	static const char *const name_of[] = {[VIGIL_IOC_MD5] = "MD5",
					      [VIGIL_IOC_SHA1] = "SHA-1",
					      [VIGIL_IOC_SHA256] = "SHA-256"};
	size_t n = strlen(hex);
	if (want <= VIGIL_IOC_SHA256 && n != len_of[want]) {
		vg_intel_warn(in, line, "%s%snot an %s hash (%zu characters)",
			      in->where ? in->where : "", in->where ? ": " : "",
			      name_of[want], n);
		return 0;
	}
	return added(in, vigil_iocs_add_hash(in->set, hex, score, comment,
					     in->src, line));
}

int vg_intel_add_network(struct vg_intel *in, const char *value, int score,
			 const char *comment, unsigned long line)
{
	return added(in, vigil_iocs_add_network(in->set, value, score, comment,
						in->src, line));
}

int vg_intel_add_url_any_scheme(struct vg_intel *in, const char *value, int score,
				const char *comment, unsigned long line)
{
	/* vigil_iocs_add_network takes a value without "://" for a domain */
	if (!vg_iocs_append(in->set, VIGIL_IOC_URL, value, comment, in->src, line, score)) {
		raise_status(in, VIGIL_FATAL);
		return -1;
	}
	in->added++;
	return 1;
}

int vg_intel_add_filename(struct vg_intel *in, const char *name, int score,
			  const char *comment, unsigned long line)
{
	size_t n = strlen(name);
	if (n == 0 || n > 1024) {
		vg_intel_warn(in, line, "%s%sfile name %s",
			      in->where ? in->where : "", in->where ? ": " : "",
			      n ? "longer than 1024 bytes" : "is empty");
		return 0;
	}
	/* (?i)(?:^|[\\/]) + escaped name + $; at most 6 bytes per byte */
	static const char head[] = "(?i)(?:^|[\\\\/])";
	char *re = malloc(sizeof head + 6 * n + 1);
	if (!re) {
		raise_status(in, VIGIL_FATAL);
		return -1;
	}
	char *o = re;
	memcpy(o, head, sizeof head - 1);
	o += sizeof head - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f) {
			o += snprintf(o, 7, "\\x{%02x}", c);
		} else if (strchr("\\^$.|?*+()[]{}", c)) {
			*o++ = '\\';
			*o++ = (char)c;
		} else {
			*o++ = (char)c;
		}
	}
	*o++ = '$';
	*o = '\0';
	int rc = added(in, vigil_iocs_add_path_regex(in->set, re, score, NULL,
						     comment, in->src, line));
	free(re);
	return rc;
}

/* The first byte that is not a BOM or white space. */
