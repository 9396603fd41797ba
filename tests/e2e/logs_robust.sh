#!/bin/sh
# vigil logs on input as real deployments write it (the real-data issue):
# malformed JSON lines counted the same whatever the IOC set; logs
# compressed with xz, bzip2 and lz4 read like gzip and zstd ones, and a
# compression vigil cannot read is an error, not a clean file.
. "$(dirname "$0")/lib/common.sh"
need jq

mkdir -p "$T/a" "$T/b"
printf 'akamaicontainer.com\n' >"$T/b/b-c2-iocs.txt"
printf 'akamaicontainer.com\nwww.example.org\nevil.example.org\n198.51.100.7\n' >"$T/a/a-c2-iocs.txt"

# 1. JSON: the prefilter skips lines with no candidate string; a malformed
# line must be counted (and searched as text) all the same
cat >"$T/eve.json" <<'EOT'
{"timestamp":"2023-03-29T12:35:01Z","event_type":"dns","src_ip":"10.0.0.9","dns":{"rrname":"akamaicontainer.com"}}
{"timestamp":"2023-03-29T12:35:02Z","event_type":"flow","src_ip":"10.0.0.9","dest_ip":"198.51.100.7",}
{"ts":1680093300.0,"query":"www.example.org" "x"}
{"hello":"www.example.org"}
{"ts":1680093301.0,"query":evil.example.org}
{"ts":1680093302.0,"query":"clean.example.net","answers":["192.0.2.1"]}
EOT
for set in a b; do
	run_vigil logs --no-builtin --json --iocs "$T/$set" "$T/eve.json"
	check "json, IOC set $set: malformed lines" 4 "$(tail -n 1 "$T/out" | jq .malformed_lines)"
	check "json, IOC set $set: lines" 6 "$(tail -n 1 "$T/out" | jq .lines)"
done
run_vigil logs --no-builtin --json --iocs "$T/a" "$T/eve.json"
check "json: an indicator outside the strings of a malformed line is found" \
	"5|generic|text|evil.example.org" \
	"$(jq -r 'select(.type=="hit" and .line==5) | "\(.line)|\(.format)|\(.field)|\(.value)"' "$T/out")"

# 2. compressions: the same Zeek dns.log through each tool
{
	printf '#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\n'
	printf '1680093296.5\tC1\t10.0.0.5\t5353\t10.0.0.1\t53\tudp\tclean.example.net\n'
	printf '1680093297.0\tC2\t10.0.0.6\t5353\t10.0.0.1\t53\tudp\tsub.akamaicontainer.com\n'
} >"$T/dns.log"
for z in xz bzip2 lz4; do
	if ! command -v $z >/dev/null 2>&1; then
		echo "skip: '$z' not installed (scripts/deps.sh installs it)"
		continue
	fi
	$z -c <"$T/dns.log" >"$T/dns.log.$z"
	run_vigil logs --no-builtin --json --iocs "$T/b" "$T/dns.log.$z"
	check "$z: exit 1 (a hit)" 1 "$rc"
	check "$z: the hit, line and format" "4|zeek|sub.akamaicontainer.com" \
		"$(jq -r 'select(.type=="hit") | "\(.line)|\(.format)|\(.value)"' "$T/out")"
	check "$z: decompressed bytes" "$(wc -c <"$T/dns.log" | tr -d ' ')" "$(tail -n 1 "$T/out" | jq .bytes)"
	# two streams back to back are read through, as gzip members are
	cat "$T/dns.log.$z" "$T/dns.log.$z" >"$T/dns2.log.$z"
	run_vigil logs --no-builtin --json --iocs "$T/b" "$T/dns2.log.$z"
	check "$z: concatenated streams" 2 "$(jq -r 'select(.type=="hit") | .line' "$T/out" | wc -l | tr -d ' ')"
	# cut short: an error naming the file, the hits before it kept
	head -c 40 "$T/dns.log.$z" >"$T/cut.log.$z"
	run_vigil logs --no-builtin --json --iocs "$T/b" "$T/cut.log.$z"
	check "$z: truncated: counted as failed" 1 "$(tail -n 1 "$T/out" | jq .files_failed)"
	check "$z: truncated: reported" 1 "$(grep -c "cut.log.$z:.*error: " "$T/err" || true)"
done

# 3. a compression libarchive decodes only through an external program
# (lzop on Debian 12) and an archive: errors, files_failed, exit 2
printf '\211LZO\000\r\n\032\n\020\060\040\240\011\100\001\005\003\000\000' >"$T/dns.log.lzo"
printf '7z\274\257\047\034\000\004 rest of an archive' >"$T/logs.7z"
run_vigil logs --no-builtin --json --iocs "$T/b" "$T/dns.log.lzo" "$T/logs.7z" "$T/dns.log"
check "unreadable compression, a hit in another file: exit 1" 1 "$rc"
check "unreadable compression: both counted as failed" 2 "$(tail -n 1 "$T/out" | jq .files_failed)"
check "unreadable compression: lzop named" 1 "$(grep -c "dns.log.lzo:1: error: compressed (lzop), which vigil cannot read" "$T/err" || true)"
check "unreadable compression: 7-Zip named" 1 "$(grep -c "logs.7z:1: error: compressed (7-Zip archive), which vigil cannot read" "$T/err" || true)"
check "the readable file still gives its hit" "4" "$(jq -r 'select(.type=="hit") | .line' "$T/out")"
run_vigil logs --no-builtin --json --iocs "$T/a" "$T/dns.log.lzo"
check "unreadable compression alone: exit 2" 2 "$rc"

finish
