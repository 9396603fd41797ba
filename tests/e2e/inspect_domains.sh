#!/bin/sh
# Domains in a binary's strings under TLDs of the public suffix list: an
# ELF built here with cc holds the 3CX content pack's .wiki C2 domain
# (content/3cx/c2-iocs.txt), names under word TLDs with and without host
# evidence, and file names whose extension is also a TLD. `vigil inspect`
# must list the domain and the evidenced names, and none of the others.
. "$(dirname "$0")/lib/common.sh"
need jq
need cc
grep -q '^sbmsa\.wiki;' "$VIGIL_TEST_SRC/content/3cx/c2-iocs.txt" ||
	{ echo "skip: the content pack no longer lists sbmsa.wiki"; exit 77; }

cat >"$T/c2.c" <<'EOT'
#include <stdio.h>
/* one string each, as a configuration would hold them */
const char *const s[] = {
	"sbmsa.wiki",                       /* .wiki: listed on its own */
	"beacon to evil.email:8443 hourly", /* word TLD, with a port */
	"libc.so", "main.py", "Makefile.in", "Safari.app", "main.py:12",
	"user.email", "graphical.target", "file.name", "co.uk",
};
int main(void)
{
	for (size_t i = 0; i < sizeof s / sizeof *s; i++)
		puts(s[i]);
	return 0;
}
EOT
cc -O0 -o "$T/c2" "$T/c2.c"
run_vigil inspect --json "$T/c2"
check "inspect exit 0" 0 "$rc"
check "domains: the .wiki C2 and the evidenced name, no file name or key" \
	"evil.email sbmsa.wiki" \
	"$(jq -r '[.network[] | select(.kind == "domain") | .value] | sort | join(" ")' "$T/out")"
finish
