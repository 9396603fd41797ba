/*
 * Fuzz the log scanner: the first byte picks the format ('0' auto, '1'
 * zeek, '2' json, '3' bind, '4' dnsmasq, '5' squid, '6' windns, '7'
 * generic: the byte modulo 8); the rest is the log. With bit 0x80 of the
 * first byte set, the rest is gzip-compressed first and fed whole and cut
 * in half; with bit 0x40, the same with zstd. Bits 0x18 pick the line
 * cap (256, 1000, 4096 bytes or 1 MiB) to exercise the overlong-line path.
 * Seeds of compressed logs (xz, bzip2, lz4: libarchive's filters) are
 * committed as "#vigil-hex" text (hexseed.h), format byte first.
 * JSON input runs twice, with and without the prefilter that skips lines
 * with no candidate string: the hits and the count of malformed lines must
 * agree (the prefilter's structural check says what the parse would).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#include <zstd.h>

#include <vigil/iocs.h>
#include <vigil/logs.h>

#include "hexseed.h"
#include "logs/logs_internal.h"

static vigil_iocs *set;
/* hits from a parsed JSON record, not from the text search of a line
 * that did not parse (which the prefilter skips when it is braced) */
static unsigned long parsed_hits;
static vigil_netmatch *m;

static void on_hit(void *ctx, const vigil_loghit *h)
{
	char t[40];
	/* touch everything a consumer would read */
	if (h->has_time)
		vigil_format_time(h->time_us, t, sizeof t);
	volatile size_t sink = h->value_len + h->client_len + strlen(h->field) +
			       strlen(h->ioc->value) + strlen(h->file);
	if (h->value_len)
		sink += (unsigned char)h->value[h->value_len - 1];
	if (h->client_len)
		sink += (unsigned char)h->client[h->client_len - 1];
	(void)sink;
	(*(unsigned long *)ctx)++;
	if (h->format == VIGIL_LOG_JSON)
		parsed_hits++;
}

static void init(void)
{
	static const char *const v[] = {
		"akamaicontainer.com", "msstorageazure[.]com", "203.0.113.0/24",
		"198.51.100.7", "2001:db8:bad::/48", "hxxps://evil.example/payload",
		"http://plain.example",
	};
	set = vigil_iocs_create();
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		vigil_iocs_add_network(set, v[i], 100, "", "fuzz", i + 1);
	m = vigil_netmatch_create(set);
}

/* One scanner per line cap, kept across inputs: allocating the line
 * buffer for every input would cost more than the parsing. */
static const size_t caps[4] = {256, 1000, 4096, 1u << 20};
static vigil_logscan *scanners[4];
static unsigned long hits;

static vigil_logstats run(vigil_logfmt fmt, const uint8_t *d, size_t n, unsigned cap)
{
	vigil_logstats before = {0}, after = {0};
	if (!scanners[cap]) {
		scanners[cap] = vigil_logscan_create(m);
		if (scanners[cap])
			vigil_logscan_set_callback(scanners[cap], on_hit, &hits);
		if (!scanners[cap])
			return after;
		vigil_logscan_set_max_line(scanners[cap], caps[cap]);
		vigil_logscan_set_year(scanners[cap], 2023);
	}
	vigil_logscan_stats(scanners[cap], &before);
	vigil_logscan_buffer(scanners[cap], "fuzz.log", d, n, fmt);
	vigil_logscan_stats(scanners[cap], &after);
	/* what this input added */
	after.malformed -= before.malformed;
	after.hits -= before.hits;
	return after;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void one_input(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!m)
		init();
	int failed;
	uint8_t *own = hexseed_decode(&data, &size, &failed);
	if (failed)
		return 0;
	if (size >= 1)
		one_input(data, size);
	free(own);
	return 0;
}

static void one_input(const uint8_t *data, size_t size)
{
	vigil_logfmt fmt = (vigil_logfmt)((data[0] & 7) % VIGIL_LOG_FORMAT_COUNT);
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	unsigned max_line = (data[0] >> 3) & 3; /* which line cap */
	if (data[0] & 0xc0) {
		size_t cap = (data[0] & 0x80) ? compressBound(n) + 64 : ZSTD_compressBound(n);
		uint8_t *z = malloc(cap ? cap : 1);
		size_t zn = 0;
		if (!z)
			return;
		if (data[0] & 0x80) {
			z_stream zs = {0};
			if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
				zs.next_in = (Bytef *)d;
				zs.avail_in = (uInt)n;
				zs.next_out = z;
				zs.avail_out = (uInt)cap;
				if (deflate(&zs, Z_FINISH) == Z_STREAM_END)
					zn = zs.total_out;
				deflateEnd(&zs);
			}
		} else {
			size_t r = ZSTD_compress(z, cap, d, n, 1);
			zn = ZSTD_isError(r) ? 0 : r;
		}
		if (zn) {
			run(fmt, z, zn, max_line);
			run(fmt, z, zn / 2, max_line);
		}
		free(z);
		return;
	}
	parsed_hits = 0;
	vigil_logstats on = run(fmt, d, n, max_line);
	if (fmt == VIGIL_LOG_JSON) {
		/* the JSON prefilter must never lose a hit the parser reports,
		 * nor change what is malformed */
		unsigned long with = parsed_hits;
		parsed_hits = 0;
		vg_json_prefilter = 0;
		vigil_logstats off = run(fmt, d, n, max_line);
		vg_json_prefilter = 1;
		if (parsed_hits != with || on.malformed != off.malformed || on.hits != off.hits)
			abort();
	}
}
