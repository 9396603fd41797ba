/*
 * Network IOC hunting in logs: a matcher built once from the network IOCs
 * of a set (domains with their subdomains, IPv4/IPv6 addresses and CIDR
 * ranges, URLs), and a streaming log scanner that reads DNS, proxy and flow
 * logs (plain or compressed) line by line in constant memory and reports
 * every observable that matches.
 */
#ifndef VIGIL_LOGS_H
#define VIGIL_LOGS_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "finding.h"
#include "iocs.h"
#include "netmatch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- log formats ---- */

typedef enum vigil_logfmt {
	VIGIL_LOG_AUTO = 0, /* detected per file from its first lines */
	VIGIL_LOG_ZEEK,     /* Zeek TSV with a #fields header (dns, http, ssl, conn...) */
	VIGIL_LOG_JSON,     /* Zeek JSON and Suricata eve.json, told apart per line */
	VIGIL_LOG_BIND,     /* BIND query log */
	VIGIL_LOG_DNSMASQ,  /* dnsmasq log-queries (syslog) */
	VIGIL_LOG_SQUID,    /* Squid native access.log */
	VIGIL_LOG_WINDNS,   /* Windows DNS server debug log */
	VIGIL_LOG_GENERIC,  /* any text: domains, addresses and URLs of each line */
	VIGIL_LOG_FORMAT_COUNT
} vigil_logfmt;

const char *vigil_logfmt_name(vigil_logfmt fmt);
/* "zeek", "json", "bind", "dnsmasq", "squid", "windns", "generic", "auto";
 * returns 0, or -1 for an unknown name. */
int vigil_logfmt_parse(const char *name, vigil_logfmt *out);

/* ---- the scanner ---- */

typedef struct vigil_loghit {
	const char *file;    /* as given ("-" for standard input) */
	unsigned long line;  /* 1-based line of the (decompressed) file */
	vigil_logfmt format; /* the format the line was read as */
	int has_time;        /* time_us is valid */
	int64_t time_us;     /* microseconds since 1970-01-01 UTC */
	const char *client;  /* source address as in the log, or NULL */
	size_t client_len;
	const char *field;   /* where it was found: query, answer, host, url, sni, dst, src, text */
	const char *value;   /* the observable as in the log (untrusted bytes) */
	size_t value_len;
	const vigil_ioc *ioc;
	/* The hit in the one result shape: kind "network", id the IOC's value,
	 * source its file:line (the file alone when it has no line, or when
	 * out of memory), message its comment, its score and level, and
	 * evidence the field and the observable ("query=evil.example", the
	 * log's bytes escaped with vigil_escape(); NULL when out of memory).
	 * Valid for the duration of the callback. */
	vigil_finding finding;
} vigil_loghit;

typedef void (*vigil_loghit_fn)(void *ctx, const vigil_loghit *hit);

typedef struct vigil_logstats {
	uint64_t files, files_failed; /* files read; files that could not be (fully) read */
	uint64_t files_unreadable;    /* of files_failed: compressed or archived in a
				       * form vigil cannot read, or a path named
				       * that could not be opened (missing, not a
				       * regular file, a symlink not followed):
				       * nothing searched */
	uint64_t bytes;               /* decompressed bytes */
	uint64_t lines, malformed, too_long;
	uint64_t hits;
	int interrupted;              /* vigil_logscan_stop stopped the run */
} vigil_logstats;

typedef struct vigil_logscan vigil_logscan;

/* m must outlive the scanner. NULL on allocation failure. */
vigil_logscan *vigil_logscan_create(const vigil_netmatch *m);
void vigil_logscan_destroy(vigil_logscan *s);
/* Called for every hit, in the order of the input. */
void vigil_logscan_set_callback(vigil_logscan *s, vigil_loghit_fn fn, void *ctx);
void vigil_logscan_set_diag(vigil_logscan *s, vigil_diag_fn fn, void *ctx);
/* Longest line kept (default 1 MiB, at least 256 bytes); longer lines are
 * skipped, counted and reported. */
void vigil_logscan_set_max_line(vigil_logscan *s, size_t max);
/* Year for formats whose time stamps have none (dnsmasq's syslog); by
 * default the year of the file's modification time, or the current one. */
void vigil_logscan_set_year(vigil_logscan *s, int year);
/* Follow symbolic links: a path given to vigil_logscan_path that is one,
 * and those below a directory (with loop protection). Off by default: a
 * symlink is an error naming it, and is skipped below a directory. */
void vigil_logscan_set_follow_symlinks(vigil_logscan *s, int follow);

/*
 * Scan a file ("-" is standard input) or every regular file below a
 * directory (symlinks not followed unless set). Only regular files are
 * opened: a FIFO, device or socket named or found is an error, never read. Compressions are detected by their
 * magic: gzip and zstd, and those libarchive decodes in the process (xz,
 * bzip2, lz4, lzip, lzma, compress); a file compressed or archived in a
 * form vigil cannot read fails (counted in files_failed and
 * files_unreadable). Returns VIGIL_OK, VIGIL_WARN when lines were malformed or
 * too long, VIGIL_FAILED when a file could not be read (reported), and
 * VIGIL_FATAL on allocation failure.
 */
int vigil_logscan_path(vigil_logscan *s, const char *path, vigil_logfmt fmt);

/* Scan bytes in memory (possibly compressed) as if they were file name. */
int vigil_logscan_buffer(vigil_logscan *s, const char *name, const void *buf,
			 size_t len, vigil_logfmt fmt);

void vigil_logscan_stats(const vigil_logscan *s, vigil_logstats *out);
/* Stop the run from any thread or a signal handler (an atomic store): the
 * current read ends, the lines already read have been searched, no other
 * file is opened; stats say interrupted. */
void vigil_logscan_stop(vigil_logscan *s);

/* Format microseconds since the epoch as ISO-8601 UTC
 * ("2023-03-29T12:34:56Z", with ".ffffff" when not a whole second) into
 * buf (at least 32 bytes). */
void vigil_format_time(int64_t time_us, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
