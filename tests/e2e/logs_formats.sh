#!/bin/sh
# vigil logs end to end: one fixture log per supported format, written here,
# with known hits (subdomain, trailing dot, upper case, defanged IOC, IPv6,
# CIDR, URL) and near misses (notakamaicontainer.com,
# akamaicontainer.com.example.org, an address inside a longer number).
# Asserts the exact hits, the per-IOC summary, the JSON schema and the exit
# codes; the same log gzip- and zstd-compressed and on standard input.
. "$(dirname "$0")/lib/common.sh"
need jq

I=$T/iocs
L=$T/logs
mkdir -p "$I" "$L"
cat >"$I/test-c2-iocs.txt" <<'EOT'
# 3CX C2 (test)
akamaicontainer.com
# defanged, upper case
MSStorageAzure[.]com;90
# ranges
203.0.113.0/24;80
2001:db8:bad::/48;80
# URL
hxxps://evil.example/payload
EOT

# Zeek dns.log (TSV): subdomain + trailing dot + upper case; IPv4 answer in
# the CIDR; near misses
{
	printf '#separator \\x09\n#set_separator\t,\n#path\tdns\n'
	printf '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tanswers\n'
	printf '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tvector[string]\n'
	printf '1680093296.5\tC1\t10.0.0.5\t5353\t10.0.0.1\t53\tudp\tsub.AKAMAICONTAINER.com.\t-\n'
	printf '1680093297.0\tC2\t10.0.0.6\t5353\t10.0.0.1\t53\tudp\tnotakamaicontainer.com\t203.0.113.9\n'
	printf '1680093298.0\tC3\t10.0.0.7\t5353\t10.0.0.1\t53\tudp\takamaicontainer.com.example.org\t192.0.2.1\n'
	printf '1680093299.0\tC4\t10.0.0.5\t5353\t10.0.0.1\t53\tudp\twww.akamaicontainer.com\t-\n'
} >"$L/dns.log"
# Zeek JSON ssl.log: SNI of the defanged IOC
printf '{"ts":1680093300.0,"uid":"C5","id.orig_h":"10.0.0.8","id.resp_h":"192.0.2.10","server_name":"cdn.msstorageazure.com"}\n' >"$L/ssl.json"
# Suricata eve.json: dns, http URL (https IOC vs http log: no hit), tls,
# flow to an IPv6 address in the CIDR; a truncated line
cat >"$L/eve.json" <<'EOT'
{"timestamp":"2023-03-29T14:35:01.000000+0200","event_type":"dns","src_ip":"10.0.0.9","dest_ip":"10.0.0.1","dns":{"type":"query","rrname":"akamaicontainer.com"}}
{"timestamp":"2023-03-29T12:35:02Z","event_type":"flow","src_ip":"10.0.0.9","dest_ip":"2001:db8:bad::7","proto":"TCP"}
{"timestamp":"2023-03-29T12:35:03Z","event_type":"http","src_ip":"10.0.0.9","dest_ip":"192.0.2.3","http":{"hostname":"evil.example","url":"/payload"}}
{"timestamp":"2023-03-29T12:35:04Z","event_type":"dns","src_ip":"10.0.0.9","dns":{"rrname":"akamaicont
EOT
# BIND query log
printf '%s\n' \
	'29-Mar-2023 12:35:05.100 queries: info: client @0x7f1c2c0a1b50 10.0.0.10#53211 (update.akamaicontainer.com): query: update.akamaicontainer.com IN A +E(0)K (10.0.0.1)' \
	'29-Mar-2023 12:35:06.000 queries: info: client @0x7f1c2c0a1b50 10.0.0.10#53211 (notakamaicontainer.com): query: notakamaicontainer.com IN A +E(0)K (10.0.0.1)' \
	>"$L/query.log"
# dnsmasq
printf '%s\n' \
	'Mar 29 12:35:07 dnsmasq[99]: query[A] MSSTORAGEAZURE.COM from 10.0.0.11' \
	'Mar 29 12:35:07 dnsmasq[99]: reply msstorageazure.com is 203.0.113.200' \
	>"$L/dnsmasq.log"
# syslog stamps have no year: the file's modification year is used
touch -t 202303300000 "$L/dnsmasq.log"
# Squid access.log: the https URL IOC; CRLF line ends
printf '%s\r\n' \
	'1680093308.250    245 10.0.0.12 TCP_MISS/200 1234 GET https://EVIL.example:443/payload?id=7 - HIER_DIRECT/192.0.2.1 text/html' \
	'1680093309.000     12 10.0.0.12 TCP_MISS/200 1234 GET https://evil.example/payloads - HIER_DIRECT/192.0.2.1 text/html' \
	>"$L/access.log"
# Windows DNS server debug log
printf '%s\r\n' \
	'DNS Server log file creation at 3/29/2023 12:00:00 PM' \
	'' \
	'3/29/2023 12:35:10 PM 0E18 PACKET  0000020F8D5F4F30 UDP Rcv 10.0.0.13       0002   Q [0001   D   NOERROR] A      (3)www(15)akamaicontainer(3)com(0)' \
	>"$L/dns-debug.txt"
# generic text: an address inside longer numbers never matches
printf '%s\n' \
	'2023-03-29T12:35:11Z fw deny 10.0.0.14 -> 203.0.113.66:443' \
	'2023-03-29T12:35:12Z ids ver=1.203.0.113.4 n=203.0.113.4.5 id=1203.0.113.4 akamaicontainer.com.example.org' \
	>"$L/firewall.txt"

run_vigil logs --no-builtin --json --iocs "$I" "$L"
check "exit 1 with hits" 1 "$rc"
got=$(jq -r --arg d "$L/" 'select(.type=="hit") |
	"\(.file|ltrimstr($d)):\(.line)|\(.format)|\(.field)|\(.value)|\(.ioc)|\(.client)|\(.time)"' "$T/out" | sort)
want=$(sort <<'EOT'
dns.log:6|zeek|query|sub.AKAMAICONTAINER.com.|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:56.500000Z
dns.log:7|zeek|answer|203.0.113.9|203.0.113.0/24|10.0.0.6|2023-03-29T12:34:57Z
dns.log:9|zeek|query|www.akamaicontainer.com|akamaicontainer.com|10.0.0.5|2023-03-29T12:34:59Z
ssl.json:1|json|sni|cdn.msstorageazure.com|msstorageazure.com|10.0.0.8|2023-03-29T12:35:00Z
eve.json:1|json|query|akamaicontainer.com|akamaicontainer.com|10.0.0.9|2023-03-29T12:35:01Z
eve.json:2|json|dst|2001:db8:bad::7|2001:db8:bad::/48|10.0.0.9|2023-03-29T12:35:02Z
query.log:1|bind|query|update.akamaicontainer.com|akamaicontainer.com|10.0.0.10|2023-03-29T12:35:05.100000Z
dnsmasq.log:1|dnsmasq|query|MSSTORAGEAZURE.COM|msstorageazure.com|10.0.0.11|2023-03-29T12:35:07Z
dnsmasq.log:2|dnsmasq|answer|203.0.113.200|203.0.113.0/24|null|2023-03-29T12:35:07Z
dnsmasq.log:2|dnsmasq|query|msstorageazure.com|msstorageazure.com|null|2023-03-29T12:35:07Z
access.log:1|squid|url|https://EVIL.example:443/payload?id=7|https://evil.example/payload|10.0.0.12|2023-03-29T12:35:08.250000Z
dns-debug.txt:3|windns|query|www.akamaicontainer.com|akamaicontainer.com|10.0.0.13|2023-03-29T12:35:10Z
firewall.txt:1|generic|text|203.0.113.66|203.0.113.0/24|null|2023-03-29T12:35:11Z
EOT
)
check "exact hits in every format" "$want" "$got"
check "every record has schema 2" 0 "$(jq -c 'select(.schema != 2)' "$T/out" | wc -l)"
check "last record is the summary" summary "$(tail -n 1 "$T/out" | jq -r .type)"
check "summary counts" "8|13|5|1" "$(tail -n 1 "$T/out" | jq -r '"\(.files)|\(.hits)|\(.iocs_hit)|\(.malformed_lines)"')"
check "per-IOC summary" "$(printf '%s\n' \
	'akamaicontainer.com|5|4|2023-03-29T12:34:56.500000Z|2023-03-29T12:35:10Z' \
	'203.0.113.0/24|3|1|2023-03-29T12:34:57Z|2023-03-29T12:35:11Z' \
	'msstorageazure.com|3|2|2023-03-29T12:35:00Z|2023-03-29T12:35:07Z' \
	'2001:db8:bad::/48|1|1|2023-03-29T12:35:02Z|2023-03-29T12:35:02Z' \
	'https://evil.example/payload|1|1|2023-03-29T12:35:08.250000Z|2023-03-29T12:35:08.250000Z')" \
	"$(jq -r 'select(.type=="ioc") | "\(.ioc)|\(.hits)|\(.clients)|\(.first_seen)|\(.last_seen)"' "$T/out")"
check "IOC source named with its line" "test-c2-iocs.txt:4" \
	"$(jq -r 'select(.type=="ioc" and .ioc=="msstorageazure.com") | .ioc_source | sub(".*/"; "")' "$T/out")"
check "malformed eve line reported with file and line" 1 "$(grep -c 'eve.json:4: warning' "$T/err" || true)"

# forced format, and standard input
run_vigil logs --no-builtin --json --iocs "$I" --format zeek - <"$L/dns.log"
check "stdin: exit 1" 1 "$rc"
check "stdin: hits" "-:6 -:7 -:9" "$(jq -r 'select(.type=="hit") | "\(.file):\(.line)"' "$T/out" | tr '\n' ' ' | sed 's/ $//')"

# compressed copies give the same hits with the same line numbers
for z in gzip zstd; do
	if command -v $z >/dev/null 2>&1; then
		$z -c "$L/dns.log" >"$T/dns.log.$z"
		cat "$T/dns.log.$z" "$T/dns.log.$z" >"$T/dns2.log.$z" 2>/dev/null
		run_vigil logs --no-builtin --json --iocs "$I" "$T/dns.log.$z"
		check "$z: hits" "6 7 9" "$(jq -r 'select(.type=="hit") | .line' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
		run_vigil logs --no-builtin --json --iocs "$I" "$T/dns2.log.$z"
		check "$z: concatenated frames read through" 6 "$(jq -r 'select(.type=="hit") | .line' "$T/out" | wc -l)"
		head -c 60 "$T/dns.log.$z" >"$T/cut.log.$z"
		run_vigil logs --no-builtin --json --iocs "$I" "$T/cut.log.$z"
		check "$z: truncated file is an error, not a crash" "0|1" "$rc|$(tail -n 1 "$T/out" | jq .files_failed)"
		check "$z: truncation reported" 1 "$(grep -c "cut.log.$z:.*error: truncated $z data" "$T/err" || true)"
	else
		echo "skip: '$z' not installed, $z part not run"
	fi
done

# text output: one line per hit, hostile bytes escaped
printf '2023-03-29T12:35:11Z \033[31mred\033[0m akamaicontainer.com\n' >"$T/hostile.txt"
run_vigil logs --no-builtin --iocs "$I" "$T/hostile.txt"
check "text: exit 1" 1 "$rc"
check "text: no raw escape byte" 0 "$(grep -c "$(printf '\033')" "$T/out" || true)"
check "text: hit line" "$T/hostile.txt:1: 2023-03-29T12:35:11Z client - text akamaicontainer.com matches domain akamaicontainer.com ($I/test-c2-iocs.txt:2: 3CX C2 (test))" \
	"$(head -n 1 "$T/out")"

# --summary: no hit lines, the IOCs seen and the totals
run_vigil logs --no-builtin --summary --iocs "$I" "$L/dns.log"
check "--summary: exit 1" 1 "$rc"
check "--summary: no hit lines" 0 "$(grep -c ' matches ' "$T/out" || true)"
check "--summary: one line per IOC seen" 2 "$(grep -c '^  domain akamaicontainer.com  hits 2  clients 1  first 2023-03-29T12:34:56.500000Z  last 2023-03-29T12:34:59Z\|^  ipv4 203.0.113.0/24  hits 1  clients 1 ' "$T/out")"

# no hit: exit 0; no IOC: exit 2; bad option: exit 2
printf 'nothing here example.org 192.0.2.1\n' >"$T/clean.txt"
run_vigil logs --no-builtin --iocs "$I" "$T/clean.txt"
check "no hit: exit 0" 0 "$rc"
printf '# empty\n' >"$T/none-c2-iocs.txt"
run_vigil logs --no-builtin --iocs "$T/none-c2-iocs.txt" "$T/clean.txt"
check "no IOC: exit 2" 2 "$rc"
run_vigil logs --no-builtin --iocs "$I" --format nope "$T/clean.txt"
check "bad --format: exit 2" 2 "$rc"
run_vigil logs --no-builtin --iocs "$I" "$T/does-not-exist.log" "$T/clean.txt"
check "missing file: reported, run goes on, exit 2 (nothing searched in it)" "2|1" "$rc|$(grep -c 'does-not-exist.log: error: unable to open' "$T/err")"
# bad input: binary garbage, a 3 MiB line, mixed formats in one Zeek file;
# reported with file and line, counted, never fatal; hits around them kept
head -c 65536 /dev/urandom >"$T/bad.bin" 2>/dev/null || dd if=/dev/urandom of="$T/bad.bin" bs=1024 count=64 2>/dev/null
{
	cat "$L/dns.log"
	printf 'Mar 29 12:35:07 dnsmasq[99]: query[A] x.akamaicontainer.com from 10.0.0.99\n'
	head -c 3145728 /dev/zero | tr '\0' 'a'
	printf ' akamaicontainer.com\n'
	printf '1680093400.0\tC9\t10.0.0.50\t1\t10.0.0.1\t53\tudp\tlast.akamaicontainer.com\t-\n'
} >"$T/mixed.log"
run_vigil logs --no-builtin --json --iocs "$I" "$T/bad.bin" "$T/mixed.log"
check "bad input: exit 1 (hits), not 2" 1 "$rc"
check "bad input: hits kept around bad lines" "6 7 9 10 12" \
	"$(jq -r 'select(.type=="hit" and (.file|endswith("mixed.log"))) | .line' "$T/out" | tr '\n' ' ' | sed 's/ $//')"
check "bad input: the foreign line is searched as text" "generic|x.akamaicontainer.com" \
	"$(jq -r 'select(.type=="hit" and .line==10) | "\(.format)|\(.value)"' "$T/out")"
check "bad input: long line counted" 1 "$(tail -n 1 "$T/out" | jq .long_lines)"
check "bad input: long line reported with file and line" 1 "$(grep -c 'mixed.log:11: warning: line longer than' "$T/err" || true)"
check "bad input: malformed line reported with file and line" 1 "$(grep -c 'mixed.log:10: warning: malformed zeek line' "$T/err" || true)"

# built-in content: loaded unless --no-builtin
mkdir -p "$T/content/test"
printf 'akamaicontainer.com;3CX C2 (built-in test)\n' >"$T/content/test/c2-iocs.txt"
VIGIL_CONTENT_DIR=$T/content run_vigil logs --json "$L/dns.log"
check "built-in content used" "2" "$(jq -r 'select(.type=="hit") | .line' "$T/out" | wc -l | tr -d ' ')"
VIGIL_CONTENT_DIR=$T/content run_vigil logs --no-builtin "$L/dns.log"
check "--no-builtin and no --iocs: exit 2" 2 "$rc"

run_vigil logs --help
check "--help: exit 0" 0 "$rc"
check "--help lists exit codes and an example" 2 "$(grep -c -e '^Exit status' -e '^Example' "$T/out")"

finish
