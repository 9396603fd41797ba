#!/bin/sh
# One memory budget for the file buffers of all threads (--memory-limit):
# four 64 MiB files swept by four threads under a 140 MiB budget are all
# held whole and matched (threads wait for each other's bytes) while the
# process stays far below the 256 MiB that four buffers took before; a
# file the budget can never hold is streamed: hashed, hash IOC matched,
# listed as too-large with the reason; a zip member too large for what is
# left is streamed the same way; a budget too small to work is refused.
. "$(dirname "$0")/lib/common.sh"
need jq
MAXRSS=$VIGIL_TEST_BIN/maxrss
D=$T/big
mkdir -p "$D"
for i in 1 2 3 4; do
	head -c $((64 << 20)) /dev/zero >"$D/f$i.bin"
	printf 'END-OF-BIG-FILE-%d' "$i" >>"$D/f$i.bin"
done
cat >"$T/end.yar" <<'R'
rule end_marker { strings: $a = "END-OF-BIG-FILE-" condition: $a }
R
# sanitizers keep freed memory in quarantine (ASan) or map shadow memory
# (TSan): no RSS comparison there
sanitized=0
if grep -q -e __asan_init -e __tsan_init "$VIGIL" 2>/dev/null; then sanitized=1; fi

sweep() { # LIMIT: sweep $D with 4 threads, rss in $T/rss
	rc=0
	"$MAXRSS" "$T/rss" "$VIGIL" scan --no-store --no-builtin --rules "$T/end.yar" --threads 4 \
		--memory-limit "$1" --json "$D" >"$T/out" 2>"$T/err" || rc=$?
}

sweep none
check "no budget: exit 1 (four matches)" 1 "$rc"
check "no budget: four files matched" 4 "$(jq -s '[.[] | select(.type == "file" and (.findings | length) > 0)] | length' "$T/out")"
rss_none=$(cat "$T/rss")

sweep 140M
check "140M: exit 1" 1 "$rc"
check "140M: all four files held and matched (waited, none streamed)" 4 \
	"$(jq -s '[.[] | select(.type == "file" and (.findings | length) > 0)] | length' "$T/out")"
check "140M: none refused" 0 "$(jq -r 'select(.type == "summary") | .memory.refused' "$T/out")"
check "140M: the budget in the summary" $((140 << 20)) "$(jq -r 'select(.type == "summary") | .memory.limit' "$T/out")"
peak=$(jq -r 'select(.type == "summary") | .memory.peak' "$T/out")
if [ "$peak" -le $((140 << 20)) ] && [ "$peak" -gt $((64 << 20)) ]; then
	ok "140M: peak charged within the budget ($peak)"
else
	not_ok "140M: peak charged $peak, expected 64..140 MiB"
fi
rss_140=$(cat "$T/rss")
if [ "$sanitized" -eq 0 ]; then
	# four 64 MiB buffers at once before the budget: over 256 MiB
	if [ "$rss_none" -gt $((256 * 1024)) ]; then ok "no budget: RSS $rss_none KiB (four buffers)"; else
		not_ok "no budget: RSS $rss_none KiB, expected over 256 MiB"; fi
	if [ "$rss_140" -lt $((200 * 1024)) ]; then ok "140M: RSS $rss_140 KiB"; else
		not_ok "140M: RSS $rss_140 KiB, expected under 200 MiB"; fi
fi

# a file larger than the budget can hold: streamed, hashed, hash IOC found
head -c $((100 << 20)) /dev/zero >"$T/huge.bin"
sum=$(sha256sum "$T/huge.bin" | cut -d' ' -f1)
printf '%s;huge test file\n' "$sum" >"$T/hash-iocs.txt"
run_vigil scan --no-builtin --rules "$T/end.yar" --iocs "$T/hash-iocs.txt" --threads 1 \
	--memory-limit 64M --json "$T/huge.bin"
check "over the budget: exit 1 (the hash IOC)" 1 "$rc"
rec=$(jq -c 'select(.type == "file")' "$T/out")
check "over the budget: too-large" too-large "$(printf '%s' "$rec" | jq -r .skip)"
check "over the budget: hashed" "$sum" "$(printf '%s' "$rec" | jq -r .sha256)"
check "over the budget: the reason names the option" 1 \
	"$(printf '%s' "$rec" | jq -r .skip_detail | grep -c -- '--memory-limit')"
check "over the budget: counted" 1 "$(jq -r 'select(.type == "summary") | .memory.refused' "$T/out")"
run_vigil scan --no-builtin --iocs "$T/hash-iocs.txt" --threads 1 --memory-limit 64M "$T/huge.bin"
check "over the budget (text): said in the summary" 1 "$(grep -c 'memory budget 64 MiB' "$T/out")"

# a zip member larger than what is left: streamed through the digests
if command -v zip >/dev/null 2>&1; then
	mkdir -p "$T/z"
	cp "$T/huge.bin" "$T/z/member.bin"
	(cd "$T/z" && zip -q -1 ../m.zip member.bin)
	run_vigil scan --no-builtin --iocs "$T/hash-iocs.txt" --threads 1 --memory-limit 64M \
		--json "$T/m.zip"
	check "zip member over the budget: exit 1" 1 "$rc"
	mrec=$(jq -c 'select(.type == "file" and (.path | endswith("!/member.bin")))' "$T/out")
	check "zip member: too-large" too-large "$(printf '%s' "$mrec" | jq -r .skip)"
	check "zip member: hashed, IOC matched" "$sum 1" \
		"$(printf '%s' "$mrec" | jq -r '"\(.sha256) \(.findings | length)"')"
	check "zip member: the reason" 1 "$(printf '%s' "$mrec" | jq -r .skip_detail | grep -c 'memory budget')"
	# a member container too large for what is left: streamed, spilled
	# and still opened (its first bytes kept to recognise it)
	mkdir -p "$T/n"
	cp "$T/huge.bin" "$T/n/pad.bin"
	printf 'needle in a large tar\n' >"$T/n/needle.txt"
	nsum=$(sha256sum "$T/n/needle.txt" | cut -d' ' -f1)
	printf '%s;needle\n' "$nsum" >"$T/needle-iocs.txt"
	(cd "$T/n" && tar -cf ../inner.tar pad.bin needle.txt)
	(cd "$T" && zip -q -1 outer.zip inner.tar)
	run_vigil scan --no-builtin --iocs "$T/needle-iocs.txt" --threads 1 --memory-limit 64M \
		--json "$T/outer.zip"
	check "nested tar over the budget: exit 1" 1 "$rc"
	check "nested tar over the budget: opened, its member matched" 1 \
		"$(jq -s '[.[] | select(.type == "file" and (.path | endswith("inner.tar!/needle.txt")) and (.findings | length) == 1)] | length' "$T/out")"
else
	echo "# zip not installed: member case not run"
fi

run_vigil scan --no-builtin --rules "$T/end.yar" --memory-limit 1M "$D"
check "too small a budget: exit 2" 2 "$rc"
check "too small a budget: names the option" 1 "$(grep -c 'memory-limit' "$T/err")"
finish
