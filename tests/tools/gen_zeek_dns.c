/*
 * Writes a Zeek dns.log of about SIZE bytes with realistic query names
 * (popular sites, CDN and cloud names with random subdomains, reverse
 * lookups, random tracker-style names) and a c2-iocs file of N random
 * domain IOCs, of which HITS are queried (as themselves or a subdomain)
 * somewhere in the log. Deterministic (fixed seed). For bench/logs.sh.
 * Usage: gen_zeek_dns LOG SIZE IOCS N [HITS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const sites[] = {
	"google.com", "www.google.com", "googleapis.com", "gstatic.com",
	"microsoft.com", "windowsupdate.com", "office365.com", "live.com",
	"apple.com", "icloud.com", "amazonaws.com", "cloudfront.net",
	"akamaiedge.net", "akamai.net", "facebook.com", "fbcdn.net",
	"github.com", "githubusercontent.com", "slack.com", "zoom.us",
	"3cx.com", "azureedge.net", "doubleclick.net", "wikipedia.org",
	"debian.org", "ubuntu.com", "example.org", "teams.microsoft.com",
};
static const char *const words[] = {
	"api", "cdn", "static", "img", "login", "auth", "mail", "update",
	"edge", "prod", "eu", "us", "west", "east", "media", "files", "app",
	"data", "sync", "telemetry", "assets", "video", "ws", "push",
};
static const char *const tlds[] = {"com", "net", "org", "io", "co", "info", "biz"};

static void rand_label(char *out, unsigned min, unsigned max)
{
	unsigned n = min + rnd(max - min + 1);
	for (unsigned i = 0; i < n; i++)
		out[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rnd(i ? 36 : 26)];
	out[n] = '\0';
}

static void make_name(char *out, size_t cap)
{
	char l[40], l2[40];
	switch (rnd(6)) {
	case 0:
	case 1:
		snprintf(out, cap, "%s", sites[rnd(sizeof sites / sizeof *sites)]);
		break;
	case 2:
		snprintf(out, cap, "%s.%s", words[rnd(sizeof words / sizeof *words)],
			 sites[rnd(sizeof sites / sizeof *sites)]);
		break;
	case 3:
		rand_label(l, 6, 14);
		snprintf(out, cap, "%s.%s.%s", l, words[rnd(sizeof words / sizeof *words)],
			 sites[rnd(sizeof sites / sizeof *sites)]);
		break;
	case 4:
		snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa", rnd(256), rnd(256),
			 rnd(256), rnd(256));
		break;
	default:
		rand_label(l, 5, 12);
		rand_label(l2, 3, 8);
		snprintf(out, cap, "%s.%s.%s", l2, l, tlds[rnd(sizeof tlds / sizeof *tlds)]);
	}
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: gen_zeek_dns LOG SIZE IOCS N [HITS]\n");
		return 2;
	}
	unsigned long long size = strtoull(argv[2], NULL, 10);
	unsigned long n = strtoul(argv[4], NULL, 10), hits = argc > 5 ? strtoul(argv[5], NULL, 10) : 10;
	if (hits > n)
		hits = n;
	FILE *iocs = fopen(argv[3], "w"), *log = fopen(argv[1], "w");
	if (!iocs || !log) {
		perror("gen_zeek_dns");
		return 1;
	}
	char **ioc = calloc(n ? n : 1, sizeof *ioc);
	fprintf(iocs, "# generated domain IOCs\n");
	for (unsigned long i = 0; i < n; i++) {
		char l[40];
		ioc[i] = malloc(64);
		rand_label(l, 8, 16);
		/* "-c2" never occurs in the log's random names */
		snprintf(ioc[i], 64, "%s-c2.%s", l, tlds[rnd(sizeof tlds / sizeof *tlds)]);
		fprintf(iocs, "%s\n", ioc[i]);
	}
	static char buf[1 << 16];
	setvbuf(log, buf, _IOFBF, sizeof buf);
	fprintf(log, "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
		"#unset_field\t-\n#path\tdns\n#open\t2023-03-29-00-00-00\n"
		"#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
		"trans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\t"
		"rcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n"
		"#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\t"
		"string\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\t"
		"bool\tcount\tvector[string]\tvector[interval]\tbool\n");
	unsigned long long written = 0;
	double ts = 1680048000.0;
	unsigned long long lines = 0, every = 0;
	unsigned long placed = 0;
	char name[300], uid[20];
	while (written < size) {
		lines++;
		ts += rnd(5000) / 1e6;
		if (placed < hits && lines % 100003 == 0) {
			/* a hit: the IOC itself or a subdomain of it */
			if (placed % 2)
				snprintf(name, sizeof name, "%s", ioc[placed]);
			else
				snprintf(name, sizeof name, "x%lu.%s", placed, ioc[placed]);
			placed++;
		} else {
			make_name(name, sizeof name);
		}
		rand_label(uid, 17, 17);
		uid[0] = 'C';
		const char *qt = rnd(3) ? "A" : "AAAA";
		int nx = rnd(20) == 0;
		int len = fprintf(log,
			"%.6f\t%s\t10.%u.%u.%u\t%u\t10.0.0.53\t53\tudp\t%u\t%.6f\t%s\t1\t"
			"C_INTERNET\t%u\t%s\t%u\t%s\tF\tF\tT\t%s\t0\t",
			ts, uid, rnd(4), rnd(256), 1 + rnd(254), 1024 + rnd(60000),
			rnd(65536), rnd(100000) / 1e6, name, qt[1] ? 28 : 1, qt,
			nx ? 3 : 0, nx ? "NXDOMAIN" : "NOERROR", nx ? "F" : "T");
		if (nx)
			len += fprintf(log, "-\t-\tF\n");
		else if (*qt == 'A' && !qt[1])
			len += fprintf(log, "%u.%u.%u.%u,%u.%u.%u.%u\t%u.000000,%u.000000\tF\n",
				       rnd(223) + 1, rnd(256), rnd(256), rnd(256), rnd(223) + 1,
				       rnd(256), rnd(256), rnd(256), rnd(3600), rnd(3600));
		else
			len += fprintf(log, "2001:db8:%x::%x\t%u.000000\tF\n", rnd(65536),
				       rnd(65536), rnd(3600));
		written += (unsigned long long)len;
		every++;
	}
	fprintf(log, "#close\t2023-03-30-00-00-00\n");
	fclose(log);
	fclose(iocs);
	fprintf(stderr, "gen_zeek_dns: %llu lines, %llu bytes, %lu of %lu IOCs placed\n",
		lines, written, placed, n);
	for (unsigned long i = 0; i < n; i++)
		free(ioc[i]);
	free(ioc);
	return 0;
}
