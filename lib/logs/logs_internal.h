/* Internals shared by the log scanner and its format parsers. */
#ifndef VIGIL_LOGS_INTERNAL_H
#define VIGIL_LOGS_INTERNAL_H

#include <vigil/logs.h>

/* How the raw time stamp of the current line is written. */
enum vg_ts_kind {
	VG_TS_NONE = 0,
	VG_TS_EPOCH,   /* 1680093296.123456 */
	VG_TS_ISO,     /* 2023-03-29T12:34:56.123456+0000, Z, +00:00 or none */
	VG_TS_BIND,    /* 29-Mar-2023 12:34:56.789 */
	VG_TS_SYSLOG,  /* Mar 29 12:34:56 (year from the scanner) */
	VG_TS_WINDNS,  /* 3/29/2023 12:34:56 PM */
	VG_TS_GUESS,   /* generic: whichever of the above starts the text */
	VG_TS_PARSED,  /* time_us already set */
};

/* Zeek TSV: what a column holds. */
enum vg_zeek_role {
	ZR_NONE = 0, ZR_TS, ZR_ORIG_H, ZR_RESP_H, ZR_QUERY, ZR_ANSWERS,
	ZR_HOST, ZR_URI, ZR_SNI, ZR_COUNT
};

#define VG_ZEEK_MAX_COLS 256

struct vg_zeek_state {
	int have_fields;
	char sep;
	unsigned ncols;          /* columns named by #fields */
	unsigned last_needed;    /* highest column with a role, +1 */
	int text_only;           /* no column with an observable: generic text */
	int told_text_only;      /* said so for this file */
	unsigned char role[VG_ZEEK_MAX_COLS];
};

/* The per-file state a parser reads and the helpers below update. */
struct vg_logctx {
	const vigil_netmatch *m;
	vigil_loghit_fn on_hit; /* where hits go (may be NULL) */
	void *hit_ctx;
	uint64_t *hits;         /* counted here */
	vigil_diag_fn diag;     /* the scanner's, for notes about the file */
	void *diag_ctx;
	const char *file;
	unsigned long line;
	vigil_logfmt fmt;
	int year;
	int want_dom, want_ip, want_url;
	/* the current line's time stamp and client, parsed only on a hit */
	enum vg_ts_kind ts_kind;
	const char *ts;
	size_t ts_len;
	int64_t time_us;
	const char *client;
	size_t client_len;
	/* IOCs already reported for this line (one hit per IOC and line) */
	const vigil_ioc *seen[16];
	unsigned nseen;
	struct vg_zeek_state zeek;
};

/* Check an observable and report a hit. field is a static string. */
void vg_log_name(struct vg_logctx *c, const char *field, const char *p, size_t n);
void vg_log_ip(struct vg_logctx *c, const char *field, const char *p, size_t n);
/* A URL: the URL IOCs, then its host as a name or address. */
void vg_log_url(struct vg_logctx *c, const char *field, const char *p, size_t n);
/* "host", "host:port", "1.2.3.4:80" or "[v6]:port": a name or an address. */
void vg_log_host(struct vg_logctx *c, const char *field, const char *p, size_t n);
/* Could one of the four above report a hit on this string, whatever the
 * field? Nonzero if so; for prefilters that skip lines without one. */
int vg_log_may_match(struct vg_logctx *c, const char *p, size_t n);

/* Parse a time stamp; 1 on success. */
int vg_logtime_parse(enum vg_ts_kind kind, const char *p, size_t n, int year,
		     int64_t *out_us);

/* Line parsers: 0 when the line was understood (hit or not, including
 * lines the format ignores), -1 when malformed. */
int vg_logfmt_zeek(struct vg_logctx *c, const char *line, size_t n);
int vg_logfmt_json(struct vg_logctx *c, const char *line, size_t n);
int vg_logfmt_bind(struct vg_logctx *c, const char *line, size_t n);
int vg_logfmt_dnsmasq(struct vg_logctx *c, const char *line, size_t n);
int vg_logfmt_squid(struct vg_logctx *c, const char *line, size_t n);
int vg_logfmt_windns(struct vg_logctx *c, const char *line, size_t n);
int vg_logfmt_generic(struct vg_logctx *c, const char *line, size_t n);

/* 1 (default): JSON lines with no candidate string are not parsed; 0 for
 * the fuzz harness's differential check. */
extern int vg_json_prefilter;

/* Which format a line looks like; VIGIL_LOG_AUTO when it cannot tell. */
vigil_logfmt vg_logfmt_guess(const char *line, size_t n);

/* Small length-based string helpers for the parsers. */
const char *vg_memmem(const char *h, size_t hn, const char *needle);
int vg_starts(const char *p, size_t n, const char *prefix);

#endif
