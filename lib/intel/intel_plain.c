/*
 * Plain IOC lists: one value per line; the kind is told per line: 32, 40 or
 * 64 hex digits are a hash, anything else must be an IP address or CIDR
 * range, a URL or a domain (defanged forms accepted). Text after the value
 * (after white space) describes it, as in sha256sum output; otherwise the
 * last '#' comment line above does, as in Loki's files. A hash may also be
 * written as Loki writes it, hash;comment or hash;score;comment.
 */
#include <stdlib.h>
#include <string.h>

#include "intel/intel_internal.h"
#include "base/util.h"

#define MAX_LINE 65536

int vg_intel_plain(struct vg_intel *in, const char *buf, size_t len)
{
	char *line = malloc(MAX_LINE + 1), *comment = NULL;
	if (!line) {
		in->status = VIGIL_FATAL;
		return in->status;
	}
	size_t pos = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	unsigned long ln = 0, values = 0;
	while (pos < len && in->status < VIGIL_FATAL) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - pos;
		ln++;
		if (n > MAX_LINE || memchr(buf + pos, '\0', n)) {
			vg_intel_warn(in, ln, n > MAX_LINE ? "line longer than 64 KiB, skipped"
							   : "NUL byte in line, skipped");
			pos = end + 1;
			continue;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos = end + 1;
		char *v = line;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v == '#') {
			while (*v == '#' || *v == ' ' || *v == '\t')
				v++;
			size_t cl = strlen(v);
			while (cl && (v[cl - 1] == ' ' || v[cl - 1] == '\t' || v[cl - 1] == '\r'))
				v[--cl] = '\0';
			free(comment);
			comment = vg_strdup(v);
			continue;
		}
		size_t vl = strcspn(v, " \t\r");
		/* a hash in Loki's form, hash;comment or hash;score;comment,
		 * in a file whose name does not say Loki (a URL may hold ';',
		 * so only a hash ends there) */
		size_t semi = strcspn(v, ";");
		int score = 100, loki_hash = semi < vl && vg_intel_is_hash(v, semi);
		if (loki_hash)
			vl = semi;
		char *rest = v + vl;
		if (*rest)
			*rest++ = '\0';
		if (loki_hash && *rest >= '0' && *rest <= '9') {
			char *sc_end;
			long sc = strtol(rest, &sc_end, 10);
			if (*sc_end == ';' && sc <= 100) {
				score = (int)sc;
				rest = sc_end + 1;
			}
		}
		while (*rest == ' ' || *rest == '\t' || *rest == '#' || *rest == ';')
			rest++;
		size_t rl = strlen(rest);
		while (rl && (rest[rl - 1] == ' ' || rest[rl - 1] == '\t' || rest[rl - 1] == '\r'))
			rest[--rl] = '\0';
		if (!*v)
			continue;
		if (++values > VG_INTEL_MAX_ITEMS) {
			vg_intel_warn(in, ln, "more than %u values, the rest ignored",
				      VG_INTEL_MAX_ITEMS);
			break;
		}
		const char *desc = *rest ? rest : comment;
		if (vg_intel_is_hash(v, vl))
			vg_intel_add_hash(in, VIGIL_IOC_TYPE_COUNT, v, score, desc, ln);
		else
			vg_intel_add_network(in, v, 100, desc, ln);
	}
	free(comment);
	free(line);
	vg_intel_info(in, 0, "plain list: %lu values, %zu IOCs", values, in->added);
	return in->status;
}
