/*
 * Readers for the signature-base/Loki IOC text formats:
 *   hash-iocs      HASH;COMMENT  or  HASH;SCORE;COMMENT
 *   filename-iocs  REGEX;SCORE[;FALSE_POSITIVE_REGEX]
 *   c2-iocs        DOMAIN_OR_IP[;SCORE_OR_COMMENT]
 * '#' lines are comments; the last one before an IOC describes it, as in
 * Loki. Every field is parsed afresh for each line: nothing carries over.
 * The loader (intel_load.c) decides that a file is in one of these formats.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <vigil/intel.h>

#include "intel/intel_internal.h"
#include "iocs/iocs_internal.h"
#include "base/util.h"

#define MAX_IOC_LINE 65536

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* A score field: 1-3 digits, 0..100. Accumulated by hand: at most three
 * digits can be read, so the value cannot overflow, and no sign or leading
 * blank slips in as strtol would let it. */
static int parse_score(const char *s, int *out)
{
	int v = 0;
	size_t n = 0;
	for (; s[n]; n++) {
		if (n == 3 || !isdigit((unsigned char)s[n]))
			return 0;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || v > 100)
		return 0;
	*out = v;
	return 1;
}

static int parse_hash_line(vigil_iocs *set, char *line, const char *comment,
			   const char *src, unsigned long ln)
{
	char *semi = strchr(line, ';');
	char *hash = line, *rest = NULL;
	int score = 100;
	if (semi) {
		*semi = '\0';
		rest = semi + 1;
		/* HASH;SCORE;COMMENT — the comment may itself hold ';' */
		char *semi2 = strchr(rest, ';');
		if (semi2) {
			*semi2 = '\0';
			int s;
			/* trim a copy: a field that is no score goes back
			 * into the comment unchanged */
			char fbuf[16];
			size_t fl = strlen(rest);
			char *f = fbuf;
			if (fl < sizeof fbuf) {
				memcpy(fbuf, rest, fl + 1);
				f = trim(fbuf);
			} else {
				fbuf[0] = 'x', fbuf[1] = '\0';
			}
			if (parse_score(f, &s)) {
				score = s;
				rest = semi2 + 1;
			} else if (*f && strspn(f, "0123456789") == strlen(f)) {
				/* a numeric middle field is a score, not a comment */
				vg_diag(set->diag, set->diag_ctx,
					VIGIL_DIAG_WARNING, src, ln,
					"score '%s' out of range 0-100", f);
				return VIGIL_FAILED;
			} else {
				*semi2 = ';';
			}
		}
	}
	hash = trim(hash);
	return vigil_iocs_add_hash(set, hash, score,
				   rest && *trim(rest) ? trim(rest) : comment,
				   src, ln);
}

/* Find ";SCORE" followed by end or ';': the regex itself may hold ';'. */
static int parse_filename_line(vigil_iocs *set, char *line, const char *comment,
			       const char *src, unsigned long ln)
{
	for (char *p = strchr(line, ';'); p; p = strchr(p + 1, ';')) {
		char *q = p + 1;
		while (isdigit((unsigned char)*q))
			q++;
		if (q == p + 1 || (*q && *q != ';' && *trim(q) != '\0'))
			continue;
		char *fp = *q == ';' ? q + 1 : NULL;
		*q = '\0';
		int score;
		if (!parse_score(p + 1, &score)) {
			vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, src,
				ln, "score '%s' out of range 0-100", p + 1);
			return VIGIL_FAILED;
		}
		*p = '\0';
		if (!*line) {
			vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, src,
				ln, "empty regular expression");
			return VIGIL_FAILED;
		}
		return vigil_iocs_add_path_regex(set, line, score,
						 fp ? trim(fp) : NULL, comment,
						 src, ln);
	}
	vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, src, ln,
		"expected REGEX;SCORE[;FALSE_POSITIVE_REGEX]");
	return VIGIL_FAILED;
}

static int parse_c2_line(vigil_iocs *set, char *line, const char *comment,
			 const char *src, unsigned long ln)
{
	char *semi = strchr(line, ';');
	int score = 100;
	const char *desc = comment;
	if (semi) {
		*semi = '\0';
		char *rest = trim(semi + 1);
		if (!parse_score(rest, &score)) {
			score = 100;
			if (*rest)
				desc = rest;
		}
	}
	return vigil_iocs_add_network(set, trim(line), score, desc, src, ln);
}

int vg_intel_loki(vigil_iocs *set, const char *name, const char *buf,
		  size_t len, vigil_ioc_format fmt)
{
	int status = VIGIL_OK;
	char *comment = NULL, *line = malloc(MAX_IOC_LINE + 1);
	if (!line)
		return VIGIL_FATAL;
	unsigned long ln = 0;
	size_t pos = 0;
	/* A UTF-8 byte order mark is not part of the first line. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;
		ln++;
		if (n > MAX_IOC_LINE || memchr(buf + pos, '\0', n)) {
			vg_diag(set->diag, set->diag_ctx, VIGIL_DIAG_WARNING, name,
				ln, n > MAX_IOC_LINE ? "line longer than %d bytes"
						     : "NUL byte in line",
				MAX_IOC_LINE);
			status = VIGIL_WARN;
			pos = end + 1;
			continue;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos = end + 1;
		char *l = trim(line);
		if (!*l)
			continue;
		if (*l == '#') {
			free(comment);
			comment = vg_strdup(trim(l + 1));
			continue;
		}
		int rc;
		if (fmt == VIGIL_IOC_HASH)
			rc = parse_hash_line(set, l, comment, name, ln);
		else if (fmt == VIGIL_IOC_FILENAME)
			rc = parse_filename_line(set, l, comment, name, ln);
		else
			rc = parse_c2_line(set, l, comment, name, ln);
		if (rc == VIGIL_FATAL) {
			status = VIGIL_FATAL;
			break;
		}
		if (rc != VIGIL_OK)
			status = VIGIL_WARN;
	}
	free(comment);
	free(line);
	return status;
}

