/*
 * Time stamps of the log formats, to microseconds since the epoch (UTC).
 * Formats that carry no zone (BIND, syslog, Windows DNS) are taken as UTC:
 * they are written in the server's local time, which a log does not say.
 * Every parser is length-based: lines are not NUL-terminated.
 */
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "logs/logs_internal.h"

void vigil_format_time(int64_t us, char *buf, size_t size)
{
	int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t frac = us - secs * 1000000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (frac)
		snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ",
			 (long long)y, (long long)m, (long long)d, (long long)(rem / 3600),
			 (long long)(rem / 60 % 60), (long long)(rem % 60), (long long)frac);
	else
		snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
			 (long long)y, (long long)m, (long long)d, (long long)(rem / 3600),
			 (long long)(rem / 60 % 60), (long long)(rem % 60));
}

/* exactly k digits at p[*i] */
static int digits(const char *p, size_t n, size_t *i, unsigned k, unsigned *out)
{
	unsigned v = 0;
	if (*i + k > n)
		return 0;
	for (unsigned j = 0; j < k; j++) {
		char c = p[*i + j];
		if (c < '0' || c > '9')
			return 0;
		v = v * 10 + (unsigned)(c - '0');
	}
	*i += k;
	*out = v;
	return 1;
}

/* 1 or 2 digits */
static int digits12(const char *p, size_t n, size_t *i, unsigned *out)
{
	if (!digits(p, n, i, 1, out))
		return 0;
	unsigned d;
	if (*i < n && p[*i] >= '0' && p[*i] <= '9' && digits(p, n, i, 1, &d))
		*out = *out * 10 + d;
	return 1;
}

static int lit(const char *p, size_t n, size_t *i, char c)
{
	if (*i < n && p[*i] == c) {
		(*i)++;
		return 1;
	}
	return 0;
}

/* optional ".ffffff" (any number of digits, microseconds kept) */
static int64_t fraction(const char *p, size_t n, size_t *i)
{
	if (*i >= n || (p[*i] != '.' && p[*i] != ','))
		return 0;
	size_t j = *i + 1;
	int64_t us = 0;
	unsigned k = 0;
	while (j < n && p[j] >= '0' && p[j] <= '9') {
		if (k < 6)
			us = us * 10 + (p[j] - '0');
		k++;
		j++;
	}
	if (!k)
		return 0;
	for (; k < 6; k++)
		us *= 10;
	*i = j;
	return us;
}

static int make(int64_t y, unsigned mo, unsigned d, unsigned h, unsigned mi,
		unsigned s, int64_t frac, int64_t *out)
{
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return 0;
	int64_t days = vg_days_from_civil(y, mo, d);
	*out = ((days * 86400) + h * 3600 + mi * 60 + s) * 1000000 + frac;
	return 1;
}

static int parse_epoch(const char *p, size_t n, int64_t *out)
{
	size_t i = 0;
	int64_t secs = 0;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		if (i >= 12)
			return 0;
		secs = secs * 10 + (p[i] - '0');
		i++;
	}
	if (i == 0)
		return 0;
	int64_t frac = fraction(p, n, &i);
	*out = secs * 1000000 + frac;
	return 1;
}

static int parse_iso(const char *p, size_t n, int64_t *out)
{
	size_t i = 0;
	unsigned y, mo, d, h, mi, s;
	if (!digits(p, n, &i, 4, &y) || !lit(p, n, &i, '-') ||
	    !digits(p, n, &i, 2, &mo) || !lit(p, n, &i, '-') ||
	    !digits(p, n, &i, 2, &d) || !(lit(p, n, &i, 'T') || lit(p, n, &i, ' ')) ||
	    !digits(p, n, &i, 2, &h) || !lit(p, n, &i, ':') ||
	    !digits(p, n, &i, 2, &mi) || !lit(p, n, &i, ':') ||
	    !digits(p, n, &i, 2, &s))
		return 0;
	int64_t frac = fraction(p, n, &i);
	int64_t off = 0;
	if (i < n && (p[i] == '+' || p[i] == '-')) {
		int neg = p[i] == '-';
		unsigned oh, om = 0;
		i++;
		if (!digits(p, n, &i, 2, &oh))
			return 0;
		lit(p, n, &i, ':');
		digits(p, n, &i, 2, &om);
		off = (int64_t)(oh * 60 + om) * 60 * 1000000;
		if (neg)
			off = -off;
	}
	if (!make(y, mo, d, h, mi, s, frac, out))
		return 0;
	*out -= off;
	return 1;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int month(const char *p, size_t n, size_t *i, unsigned *out)
{
	if (*i + 3 > n)
		return 0;
	for (unsigned m = 0; m < 12; m++)
		if (memcmp(p + *i, months + 3 * m, 3) == 0) {
			*out = m + 1;
			*i += 3;
			return 1;
		}
	return 0;
}

static int hms(const char *p, size_t n, size_t *i, unsigned *h, unsigned *mi,
	       unsigned *s)
{
	return digits12(p, n, i, h) && lit(p, n, i, ':') && digits(p, n, i, 2, mi) &&
	       lit(p, n, i, ':') && digits(p, n, i, 2, s);
}

/* 29-Mar-2023 12:34:56.789 */
static int parse_bind(const char *p, size_t n, int64_t *out)
{
	size_t i = 0;
	unsigned d, mo, y, h, mi, s;
	if (!digits12(p, n, &i, &d) || !lit(p, n, &i, '-') || !month(p, n, &i, &mo) ||
	    !lit(p, n, &i, '-') || !digits(p, n, &i, 4, &y) || !lit(p, n, &i, ' ') ||
	    !hms(p, n, &i, &h, &mi, &s))
		return 0;
	return make(y, mo, d, h, mi, s, fraction(p, n, &i), out);
}

/* Mar 29 12:34:56 or Mar  9 12:34:56 */
static int parse_syslog(const char *p, size_t n, int year, int64_t *out)
{
	size_t i = 0;
	unsigned mo, d, h, mi, s;
	if (!month(p, n, &i, &mo) || !lit(p, n, &i, ' '))
		return 0;
	lit(p, n, &i, ' ');
	if (!digits12(p, n, &i, &d) || !lit(p, n, &i, ' ') || !hms(p, n, &i, &h, &mi, &s))
		return 0;
	return make(year, mo, d, h, mi, s, fraction(p, n, &i), out);
}

/* 3/29/2023 12:34:56 PM (the US form Windows writes by default) */
static int parse_windns(const char *p, size_t n, int64_t *out)
{
	size_t i = 0;
	unsigned mo, d, y, h, mi, s;
	if (!digits12(p, n, &i, &mo) || !lit(p, n, &i, '/') || !digits12(p, n, &i, &d) ||
	    !lit(p, n, &i, '/') || !digits(p, n, &i, 4, &y) || !lit(p, n, &i, ' ') ||
	    !hms(p, n, &i, &h, &mi, &s))
		return 0;
	if (i + 3 <= n && p[i] == ' ' && p[i + 2] == 'M' && (p[i + 1] == 'A' || p[i + 1] == 'P')) {
		if (h < 1 || h > 12)
			return 0;
		h %= 12;
		if (p[i + 1] == 'P')
			h += 12;
	}
	return make(y, mo, d, h, mi, s, 0, out);
}

int vg_logtime_parse(enum vg_ts_kind kind, const char *p, size_t n, int year,
		     int64_t *out)
{
	switch (kind) {
	case VG_TS_EPOCH:
		return parse_epoch(p, n, out);
	case VG_TS_ISO:
		return parse_iso(p, n, out);
	case VG_TS_BIND:
		return parse_bind(p, n, out);
	case VG_TS_SYSLOG:
		return parse_syslog(p, n, year, out);
	case VG_TS_WINDNS:
		return parse_windns(p, n, out);
	case VG_TS_GUESS: {
		/* generic text: a stamp at the start, perhaps after '[' */
		if (n && p[0] == '[')
			p++, n--;
		if (parse_iso(p, n, out) || parse_bind(p, n, out) ||
		    parse_syslog(p, n, year, out) || parse_windns(p, n, out))
			return 1;
		/* a bare epoch needs 10 digits, not any number */
		size_t k = 0;
		while (k < n && p[k] >= '0' && p[k] <= '9')
			k++;
		return k == 10 && (k == n || p[k] == '.' || p[k] == ' ' || p[k] == '\t') &&
		       parse_epoch(p, n, out);
	}
	default:
		return 0;
	}
}
