#!/bin/sh
# A damaged compiled-rules cache (a truncated file, flipped bytes, in the
# full set's file or in a class's) is found before libyara reads it: the
# run compiles the rules as a cold run would (same findings, same exit
# status), says so under -v, and writes the cache anew, so the run after it
# loads from the cache again. Temporary files left by a killed save are
# removed once their writer is dead or they are old; a live writer's fresh
# one is left alone.
. "$(dirname "$0")/lib/common.sh"
need jq
export VIGIL_CACHE_DIR="$T/cache"
C="$T/cache/rules"
mkdir -p "$T/d"
printf 'alpha beta\n' >"$T/d/f.txt"
printf 'MZ alpha\n' >"$T/d/mz.exe"
printf '\177ELF beta\n' >"$T/d/elf.bin"
# an MZ-only rule gives the ELF and other classes subsets of their own, so
# that class files are cached too
cat >"$T/r.yar" <<'EOT'
rule alpha { strings: $a = "alpha" condition: $a }
rule mz_alpha { strings: $a = "alpha" condition: uint16(0) == 0x5a4d and $a }
rule beta { strings: $b = "beta" condition: $b }
EOT

# what a run reports, without its timings
results() { jq -c 'select(.type=="file") | [.path, [.findings[].id]]' "$T/out" | sort; }
scan() { run_vigil scan -v --no-builtin --json --rules "$T/r.yar" "$T/d"; }
cached() { grep -c 'taken from the cache' "$T/err" || true; }

scan
cold_rc=$rc
cold=$(results)
check "cold run finds" 1 "$cold_rc"
# shellcheck disable=SC2010 # the cache holds only files vigil names (hex keys)
full=$(ls "$C" | grep -v '\.[0-9]\.yarc$' | grep '\.yarc$')
key=${full%.yarc}
# shellcheck disable=SC2010 # as above
class=$(ls "$C" | grep '\.[0-9]\.yarc$' | head -n 1)
check "a class file is cached" 1 "$([ -n "$class" ] && echo 1 || echo 0)"
cp "$C/$full" "$T/full.good"
size=$(wc -c <"$C/$full")

# damage FILE with COMMAND, then expect a cold run's results and a repair
damaged() {
	what=$1
	scan
	check "$what: exit as a cold run" "$cold_rc" "$rc"
	check "$what: results as a cold run" "$cold" "$(results)"
	check "$what: compiled, not loaded" 0 "$(cached)"
	check "$what: said" 1 "$(grep -c 'damaged compiled rules removed' "$T/err" || true)"
	scan
	check "$what: cache repaired" "1 $cold_rc" "$(cached) $rc"
	check "$what: results from the repaired cache" "$cold" "$(results)"
}

for n in 0 1 47 48 100 $((size / 2)) $((size - 1)); do
	truncate -s "$n" "$C/$full"
	damaged "full set truncated to $n bytes"
done
# flip one byte at offsets spread over the file (on libyara's own format,
# several of these abort the process in an assertion)
off=0
while [ "$off" -lt "$size" ]; do
	cp "$T/full.good" "$C/$full"
	printf 'U' | dd of="$C/$full" bs=1 seek="$off" conv=notrunc 2>/dev/null
	if ! cmp -s "$T/full.good" "$C/$full"; then
		scan
		[ "$rc" = "$cold_rc" ] && [ "$(results)" = "$cold" ] && [ "$(cached)" = 0 ] ||
			not_ok "byte $off flipped: expected a cold run, got exit $rc"
		scan
		[ "$(cached)" = 1 ] || not_ok "byte $off flipped: cache not repaired"
	fi
	off=$((off + 37))
done
ok "every flipped byte of the full set (every 37th) compiled afresh and repaired"

printf 'garbage' >>"$C/$class"
damaged "class file with bytes appended"
truncate -s 60 "$C/$class"
damaged "class file truncated"

# Temporary files: a dead writer's (a pid above pid_max cannot be alive) and
# a live writer's old one go; a live writer's fresh one stays.
dead=$(($(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 4194304) + 1))
printf 'partial' >"$C/$key.yarc.$dead.AbC123.tmp"
printf 'partial' >"$C/$key.1.yarc.$$.dEf456.tmp"
touch -d '1 hour ago' "$C/$key.1.yarc.$$.dEf456.tmp"
printf 'partial' >"$C/$key.2.yarc.$$.gHi789.tmp"
scan
check "dead writer's temporary removed" 0 "$([ -e "$C/$key.yarc.$dead.AbC123.tmp" ] && echo 1 || echo 0)"
check "old temporary removed" 0 "$([ -e "$C/$key.1.yarc.$$.dEf456.tmp" ] && echo 1 || echo 0)"
check "live writer's fresh temporary kept" 1 "$([ -e "$C/$key.2.yarc.$$.gHi789.tmp" ] && echo 1 || echo 0)"
check "temporaries do not change results" "$cold_rc $cold" "$rc $(results)"
rm -f "$C/$key.2.yarc.$$.gHi789.tmp"

# A save leaves no temporary behind, and the files are private.
rm -rf "$C"
scan
# shellcheck disable=SC2010 # as above
check "no temporary after a save" 0 "$(ls "$C" | grep -c '\.tmp$' || true)"
check "cache files are private" 600 "$(stat -c %a "$C/$full")"
finish
