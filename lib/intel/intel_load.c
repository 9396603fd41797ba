/*
 * The one loader of IOC files: it tells the format (threat-intel formats by
 * content, Loki's by file name, else a plain list) and hands the bytes to
 * that format's reader (lib/intel/intel_*.c). Readers never call back here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <vigil/intel.h>

#include "base/util.h"
#include "intel/intel_internal.h"
#include "iocs/iocs_internal.h"

#define MAX_IOC_FILE (256u << 20)

static size_t lower_basename(const char *path, char *out, size_t cap)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)base[i]);
	out[n] = '\0';
	return n;
}

/* Loki: the file name says what the file holds. */
static vigil_ioc_format format_from_name(const char *path)
{
	char lower[256];
	lower_basename(path, lower, sizeof lower);
	if (strstr(lower, "filename"))
		return VIGIL_IOC_FILENAME;
	if (strstr(lower, "hash"))
		return VIGIL_IOC_HASH;
	if (strstr(lower, "c2"))
		return VIGIL_IOC_C2;
	return VIGIL_IOC_AUTO;
}

static size_t skip_space(const char *buf, size_t len)
{
	size_t i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
			   buf[i] == '\n'))
		i++;
	return i;
}

/* A first line naming 'type' and 'value' columns, comma separated. */
static int has_csv_header(const char *buf, size_t len)
{
	size_t i = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	const char *nl = memchr(buf + i, '\n', len - i);
	size_t end = nl ? (size_t)(nl - buf) : len;
	if (end - i > 4096 || !memchr(buf + i, ',', end - i))
		return 0;
	int type = 0, value = 0;
	while (i <= end) {
		size_t f = i;
		while (i < end && buf[i] != ',')
			i++;
		/* one column name, maybe quoted and padded */
		size_t a = f, b = i;
		while (a < b && strchr(" \t\r\"", buf[a]))
			a++;
		while (b > a && strchr(" \t\r\"", buf[b - 1]))
			b--;
		if (b - a == 4 && strncasecmp(buf + a, "type", 4) == 0)
			type = 1;
		if (b - a == 5 && strncasecmp(buf + a, "value", 5) == 0)
			value = 1;
		i++;
	}
	return type && value;
}

static int load_json(struct vg_intel *in, const char *buf, size_t len,
		     vigil_ioc_format fmt, vigil_ioc_format loki)
{
	if (len > VG_INTEL_MAX_JSON) {
		vg_intel_fail(in, 0, "JSON input larger than %u MiB",
			      VG_INTEL_MAX_JSON >> 20);
		return -2;
	}
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err);
	if (!root) {
		if (fmt == VIGIL_IOC_AUTO && loki != VIGIL_IOC_AUTO)
			return -1; /* not JSON after all: a Loki file by name */
		vg_intel_fail(in, err.line > 0 ? (unsigned long)err.line : 0,
			      "malformed JSON: %s (column %d)", err.text,
			      err.column);
		return -2;
	}
	int is_stix = vg_intel_is_stix(root), is_misp = vg_intel_is_misp(root);
	if ((fmt == VIGIL_IOC_STIX || fmt == VIGIL_IOC_AUTO) && is_stix)
		vg_intel_stix(in, root);
	else if ((fmt == VIGIL_IOC_MISP || fmt == VIGIL_IOC_AUTO) && is_misp)
		vg_intel_misp(in, root);
	else
		vg_intel_fail(in, 0, "JSON that is not a %s",
			      fmt == VIGIL_IOC_STIX   ? "STIX bundle"
			      : fmt == VIGIL_IOC_MISP ? "MISP event"
						      : "STIX bundle or MISP event");
	json_decref(root);
	return 0;
}

/* The threat-intel reader for buf when fmt is VIGIL_IOC_AUTO or one of the
 * intel formats; returns its status, or -1 when buf is for a Loki reader
 * (then *loki holds the format the name says). */
static int load_intel(vigil_iocs *set, const char *name, const char *buf,
		      size_t len, vigil_ioc_format fmt, vigil_ioc_format *loki)
{
	*loki = format_from_name(name);
	size_t first = skip_space(buf, len);
	int json = first < len && (buf[first] == '{' || buf[first] == '[');
	/* JSON stays AUTO: STIX or MISP is told after parsing */
	if (fmt == VIGIL_IOC_AUTO && !json) {
		if (has_csv_header(buf, len))
			fmt = VIGIL_IOC_MISP_CSV;
		else if (*loki != VIGIL_IOC_AUTO)
			return -1;
		else
			fmt = VIGIL_IOC_PLAIN;
	}
	struct vg_intel in;
	vg_intel_begin(&in, set, name);
	if (fmt == VIGIL_IOC_AUTO || fmt == VIGIL_IOC_STIX ||
	    fmt == VIGIL_IOC_MISP) {
		if (load_json(&in, buf + first, len - first, fmt, *loki) == -1) {
			vg_intel_end(&in);
			return -1;
		}
	} else if (fmt == VIGIL_IOC_MISP_CSV) {
		vg_intel_misp_csv(&in, buf, len);
	} else {
		vg_intel_plain(&in, buf, len);
	}
	return vg_intel_end(&in);
}

static int name_wanted(const char *path)
{
	if (format_from_name(path) != VIGIL_IOC_AUTO)
		return 1;
	char lower[256];
	size_t n = lower_basename(path, lower, sizeof lower);
	if (strstr(lower, "stix") || strstr(lower, "misp") || strstr(lower, "list"))
		return 1;
	return (n > 5 && strcmp(lower + n - 5, ".json") == 0) ||
	       (n > 4 && strcmp(lower + n - 4, ".csv") == 0);
}

int vigil_iocs_load_buffer(vigil_iocs *set, const char *name, const char *buf,
			   size_t len, vigil_ioc_format fmt)
{
	if (vg_iocs_refuse_sealed(set, name, 0))
		return VIGIL_FATAL;
	if (fmt == VIGIL_IOC_AUTO || fmt > VIGIL_IOC_C2) {
		/* threat-intel formats by content, else the Loki one by name */
		vigil_ioc_format loki;
		int rc = load_intel(set, name, buf, len, fmt, &loki);
		if (rc >= 0)
			return rc;
		fmt = loki;
	}
	return vg_intel_loki(set, name, buf, len, fmt);
}

static int load_file(vigil_iocs *set, const char *path, vigil_ioc_format fmt)
{
	char *buf;
	size_t len;
	int e = vg_read_file(path, MAX_IOC_FILE, &buf, &len);
	if (e) {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to read IOC file: %s", strerror(e));
		return VIGIL_FAILED;
	}
	int rc = vigil_iocs_load_buffer(set, path, buf, len, fmt);
	free(buf);
	return rc;
}

int vigil_iocs_load(vigil_iocs *set, const char *path, vigil_ioc_format fmt)
{
	struct stat st;
	/* before reading anything: a sealed set takes none of it */
	if (vg_iocs_refuse_sealed(set, path, 0))
		return VIGIL_FATAL;
	if (stat(path, &st) != 0) {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to read IOC path: %s", strerror(errno));
		return VIGIL_FAILED;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(set, path, fmt);

	char **names;
	size_t n;
	int err = vg_list_dir(path, &names, &n);
	if (err) {
		vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_ERROR, path, 0,
			"unable to open IOC directory: %s", strerror(err));
		return err == ENOMEM ? VIGIL_FATAL : VIGIL_FAILED;
	}
	int status = VIGIL_OK;
	for (size_t i = 0; i < n; i++) {
		struct stat fst;
		if (stat(names[i], &fst) != 0 || !S_ISREG(fst.st_mode) ||
		    (fmt == VIGIL_IOC_AUTO && !name_wanted(names[i]))) {
			/* Loki ignores files whose name names no format */
			vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_INFO,
				names[i], 0, "not an IOC file, skipped");
		} else {
			int rc = load_file(set, names[i], fmt);
			if (rc > status)
				status = rc;
		}
	}
	vg_free_list(names, n);
	return status;
}
