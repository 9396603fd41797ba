#!/bin/sh
# Fleet mode end to end with a real PostgreSQL: three simulated hosts
# (separate stores and host ids) sweep fixture trees with planted files
# and report; fleet hunt finds exactly the planted hashes on the right
# hosts (and a removed one, as gone); file, findings, hosts; a re-sweep
# sends only what changed; paths that are not UTF-8 or hold tabs,
# newlines and quotes arrive as bytes.
. "$(dirname "$0")/lib/common.sh"
need jq
. "$(dirname "$0")/lib/fleet.sh"
add_hosts a b c

# the fleet's common files, and what each host has of its own
for h in a b c; do
	mkdir -p "$T/$h/usr/lib" "$T/$h/opt"
	i=0
	while [ $i -lt 30 ]; do
		printf 'common library %d\n' $i >"$T/$h/usr/lib/lib$i.so"
		i=$((i + 1))
	done
	printf 'own file of host %s\n' $h >"$T/$h/opt/own.txt"
done
printf 'planted one: trojanized installer\n' >"$T/a/opt/installer.msi"
printf 'planted one: trojanized installer\n' >"$T/b/opt/setup.msi"
printf 'planted two: side-loaded library\n' >"$T/b/usr/lib/ffmpeg.dll"
printf 'planted three: never seen\n' >"$T/p3"
printf 'FLEET_RULE_MARK here\n' >"$T/c/opt/marked.bin"
# names a host may have: not UTF-8, a tab, a newline, quotes and SQL
printf 'odd names\n' >"$T/c/opt/$(printf 'bad\377name')"
printf 'odd names\n' >"$T/c/opt/$(printf 'tab\there')"
printf 'odd names\n' >"$T/c/opt/$(printf "x'); DROP TABLE vigil.files; --")"
printf 'odd names\n' >"$T/c/opt/$(printf 'new\nline')"
h1=$(sha256sum <"$T/a/opt/installer.msi" | cut -d' ' -f1)
h2=$(sha256sum <"$T/b/usr/lib/ffmpeg.dll" | cut -d' ' -f1)
h3=$(sha256sum <"$T/p3" | cut -d' ' -f1)
printf '%s;planted one\n%s;planted two\n%s;planted three\n' "$h1" "$h2" "$h3" >"$T/hash-iocs.txt"
cat >"$T/r.yar" <<'EOT'
rule fleet_mark { strings: $a = "FLEET_RULE_MARK" condition: $a }
EOT

sweep() { # HOST: sweep its tree with its own store and report
	run_vigil scan --no-builtin --rules "$T/r.yar" --threads 2 --store "$T/$1.db" \
		--report "$(host_url "$1")" --host-id "$1" "$T/$1"
}
for h in a b c; do
	sweep $h
	check "host $h: delivered" "1" "$(grep -c 'delivered: ' "$T/err")"
done
check "host c: a finding (exit 1)" 1 "$rc"

run_vigil fleet hunt --db "$ANALYST" --iocs "$T/hash-iocs.txt" --json
check "hunt: exit 1" 1 "$rc"
jq -r 'select(.type == "hit") | [.host_id, .path, .ioc, .present] | @tsv' <"$T/out" | sort >"$T/hits"
printf '%s\t%s\t%s\ttrue\n' a "$T/a/opt/installer.msi" "$h1" b "$T/b/opt/setup.msi" "$h1" \
	b "$T/b/usr/lib/ffmpeg.dll" "$h2" | sort >"$T/want"
check "hunt: exactly the planted files on the right hosts" "$(cat "$T/want")" "$(cat "$T/hits")"
check "hunt: summary" "3 2" "$(jq -r 'select(.type == "summary") | "\(.hits) \(.hosts)"' <"$T/out")"
check "hunt: first and last seen are times" "6" \
	"$(jq -r 'select(.type == "hit") | .first_seen, .last_seen' <"$T/out" | grep -c '^20[0-9-]*T[0-9:]*Z$')"

printf '%s;nothing\n' "$h3" >"$T/none-iocs.txt"
run_vigil fleet hunt --db "$ANALYST" --iocs "$T/none-iocs.txt"
check "hunt of an absent hash: exit 0" 0 "$rc"

# file-name IOCs: vigil's matcher over the reported paths
printf '(?i)[\\\\/]ffmpeg\\.dll$;80\n' >"$T/filename-iocs.txt"
run_vigil fleet hunt --db "$ANALYST" --iocs "$T/filename-iocs.txt" --json
check "hunt by file name: host b only" "b $T/b/usr/lib/ffmpeg.dll" \
	"$(jq -r 'select(.type == "hit") | "\(.host_id) \(.path)"' <"$T/out")"

run_vigil fleet file --db "$ANALYST" "$h1" --json
check "file by digest: two hosts" "a b" "$(jq -r 'select(.type == "file") | .host_id' <"$T/out" | sort | tr '\n' ' ' | sed 's/ $//')"
check "file: exit 1" 1 "$rc"
run_vigil fleet file --db "$ANALYST" 'lib1?.so' --json
check "file by glob: 10 names on 3 hosts" "30 3" "$(jq -r 'select(.type == "summary") | "\(.files) \(.hosts)"' <"$T/out")"
run_vigil fleet file --db "$ANALYST" 'nothing*.exe'
check "file not anywhere: exit 0" 0 "$rc"

run_vigil fleet findings --db "$ANALYST" --json
check "findings: the rule hit on host c" "c $T/c/opt/marked.bin fleet_mark" \
	"$(jq -r 'select(.type == "finding") | "\(.host_id) \(.path) \(.id)"' <"$T/out")"
run_vigil fleet findings --db "$ANALYST" --min-score 100
check "findings above every score: exit 0" 0 "$rc"
run_vigil fleet findings --db "$ANALYST" --since 2999-01-01
check "findings since the future: exit 0" 0 "$rc"

run_vigil fleet hosts --db "$ANALYST" --json
check "hosts: three, each with its files" "a 32 b 33 c 36" \
	"$(jq -r 'select(.type == "host") | "\(.host_id) \(.files)"' <"$T/out" | tr '\n' ' ' | sed 's/ $//')"
check "hosts: exit 0" 0 "$rc"
run_vigil fleet hosts --db "$ANALYST" --stale 1
check "no stale host: exit 0" 0 "$rc"
sql postgres -c "UPDATE vigil.hosts SET last_push = now() - interval '3 days' WHERE host_id = 'b'"
run_vigil fleet hosts --db "$ANALYST" --stale 2 --json
check "a stale host: exit 1, host b" "1 b" "$rc $(jq -r 'select(.type == "host") | .host_id' <"$T/out")"

# the names arrive as bytes, shown escaped; the SQL in a name is data
check "a path that is not UTF-8 kept as bytes" "1" \
	"$(sql analyst -c "SELECT count(*) FROM vigil.files WHERE host_id = 'c' AND position('\\xff'::bytea in path) > 0")"
check "a tab, a newline kept as bytes" "2" \
	"$(sql analyst -c "SELECT count(*) FROM vigil.files WHERE host_id = 'c' AND (position('\\x09'::bytea in path) > 0 OR position('\\x0a'::bytea in path) > 0)")"
check "the SQL in a name was data" "1 36" \
	"$(sql analyst -c "SELECT count(*) FILTER (WHERE shown LIKE '%DROP TABLE%'), count(*) FROM vigil.files WHERE host_id = 'c'" | tr '|' ' ')"

# a re-sweep: one file changed, one removed (a planted one), one added
printf 'changed library\n' >"$T/a/usr/lib/lib3.so"
rm "$T/a/opt/installer.msi"
printf 'added\n' >"$T/a/opt/added.txt"
sweep a
check "re-sweep: only the changed and added rows are sent" "1" \
	"$(grep -c 'sweep 2 delivered: 2 of 32 files sent (changed since sweep 1), 1 removed' "$T/err")"
run_vigil fleet hunt --db "$ANALYST" --iocs "$T/hash-iocs.txt" --json
check "hunt: the removed planted file is still found, as gone" "false" \
	"$(jq -r "select(.type == \"hit\" and .host_id == \"a\") | .present" <"$T/out")"
check "history: the replaced and the removed version of host a" "D 1 M 1" \
	"$(sql analyst -c "SELECT change, count(*) FROM vigil.file_history WHERE host_id = 'a' GROUP BY 1 ORDER BY 1" | tr '|\n' '  ' | sed 's/ $//')"
sweep a
check "an unchanged re-sweep sends nothing" "1" \
	"$(grep -c 'sweep 3 delivered: 0 of 32 files sent' "$T/err")"
finish
