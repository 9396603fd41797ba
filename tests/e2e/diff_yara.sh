#!/bin/sh
# vigil diff / snapshot / verify with --rules and --iocs: a YARA rule that
# matches the 3CX-like ffmpeg.dll (its wide "d3dcompiler_47.dll", the
# sibling it reads) and not the N one gives VGL-DIFF-YARA-NEW on that
# component only; a hash IOC of the new ffmpeg.dll gives VGL-DIFF-IOC-HIT
# (critical), a file-name IOC the same at high; a snapshot made with the
# same rules gives the same diff as the release, one made without rules
# says it cannot compare (rules_compared false, a note in the text);
# verify of NEW alone reports the matches (VGL-VERIFY-YARA, -IOC-HIT); a
# rule file that does not compile exits 2.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need sha256sum
need_command diff
make_releases

N=$(rel N zip)
NEW=$(rel 3cx-codec zip)
cat >"$T/sibling.yar" <<'EOF'
rule reads_sibling_dll { strings: $a = "d3dcompiler_47.dll" wide nocase condition: $a }
rule any_pe { condition: uint16(0) == 0x5a4d }
EOF

diff_json "$N" "$NEW"
check "no rules: exit 1 (the 3CX-like codec)" 1 "$rc"
check "no rules: no YARA-NEW" absent "$(level ffmpeg.dll VGL-DIFF-YARA-NEW)"
check "no rules: no content record" null "$(jq -c .content "$T/out")"

diff_json "$N" "$NEW" --rules "$T/sibling.yar"
cp "$T/out" "$T/with-rules.json"
check "rules: exit 1" 1 "$rc"
check "rules: ffmpeg.dll YARA-NEW high" high "$(level ffmpeg.dll VGL-DIFF-YARA-NEW)"
check_detail "rules: the rule named" ffmpeg.dll VGL-DIFF-YARA-NEW reads_sibling_dll
check "rules: a rule matching both sides is not new" absent \
	"$(comp ffmpeg.dll | jq -r '[.signals[] | select(.id == "VGL-DIFF-YARA-NEW") | .detail.added[]] | index("any_pe") // "absent"')"
check "rules: unchanged d3dcompiler has none" absent "$(level d3dcompiler_47.dll VGL-DIFF-YARA-NEW)"
check "rules: compared" true "$(jq -r .content.rules_compared "$T/out")"

# snapshots carry the matches and the rules' identity
run_vigil snapshot --rules "$T/sibling.yar" "$N" -o "$T/N-rules.json"
check "snapshot with rules: exit 0" 0 "$rc"
check "snapshot: rules identity" 64 "$(jq -r '.content.rules | length' "$T/N-rules.json")"
check "snapshot: matches kept" any_pe \
	"$(jq -r '[.components[] | select(.path | endswith("ffmpeg.dll")) | .yara[]] | join(" ")' "$T/N-rules.json")"
diff_json "$T/N-rules.json" "$NEW" --rules "$T/sibling.yar"
cmp -s "$T/with-rules.json" "$T/out" && ok "snapshot with the same rules: identical diff" ||
	{ not_ok "snapshot with the same rules: identical diff"; diff "$T/with-rules.json" "$T/out" | head; }

run_vigil snapshot "$N" -o "$T/N-plain.json"
diff_json "$T/N-plain.json" "$NEW" --rules "$T/sibling.yar"
check "snapshot without rules: not compared" false "$(jq -r .content.rules_compared "$T/out")"
check "snapshot without rules: every match reported" \
	"any_pe reads_sibling_dll" \
	"$(comp ffmpeg.dll | jq -r '[.signals[] | select(.id == "VGL-DIFF-YARA-NEW") | .detail.added[]] | sort | join(" ")')"
check "snapshot without rules: marked uncompared" false \
	"$(comp ffmpeg.dll | jq -r '.signals[] | select(.id == "VGL-DIFF-YARA-NEW") | .detail.compared')"
run_vigil diff --rules "$T/sibling.yar" "$T/N-plain.json" "$NEW"
check "text: the note" yes "$(grep -q '^note: OLD and NEW were matched with different YARA rules' "$T/out" && echo yes)"
echo 'rule other { condition: false }' >"$T/other.yar"
diff_json "$T/N-rules.json" "$NEW" --rules "$T/other.yar"
check "snapshot with other rules: not compared" false "$(jq -r .content.rules_compared "$T/out")"

# IOCs
unzip -p "$NEW" ContosoPhone/ffmpeg.dll | sha256sum | cut -d' ' -f1 >"$T/h"
printf '%s;90;test: the 3CX-like codec\n' "$(cat "$T/h")" >"$T/hash-iocs.txt"
diff_json "$N" "$NEW" --iocs "$T/hash-iocs.txt"
check "hash IOC: critical" critical "$(level ffmpeg.dll VGL-DIFF-IOC-HIT)"
check_detail "hash IOC: the hash named" ffmpeg.dll VGL-DIFF-IOC-HIT "hash:$(cat "$T/h")"
check "hash IOC: not on app.exe" absent "$(level app.exe VGL-DIFF-IOC-HIT)"
check "hash IOC: verdict" critical "$(verdict)"
printf '# test\nd3dcompiler_47\\.dll;80\n' >"$T/filename-iocs.txt"
diff_json "$N" "$NEW" --iocs "$T/filename-iocs.txt"
check "file-name IOC on an unchanged component: high" high "$(level d3dcompiler_47.dll VGL-DIFF-IOC-HIT)"
check "file-name IOC: listed though unchanged" unchanged "$(change d3dcompiler_47.dll)"

# verify of NEW alone
run_vigil verify --json --rules "$T/sibling.yar" --iocs "$T/hash-iocs.txt" "$NEW"
check "verify: exit 1" 1 "$rc"
check "verify: YARA on NEW" high "$(level ffmpeg.dll VGL-VERIFY-YARA)"
check "verify: IOC on NEW" critical "$(level ffmpeg.dll VGL-VERIFY-IOC-HIT)"
run_vigil verify --json --rules "$T/sibling.yar" --iocs "$T/hash-iocs.txt" --against "$N" "$NEW"
check "verify --against: IOC said once" "VGL-DIFF-IOC-HIT" \
	"$(comp ffmpeg.dll | jq -r '[.signals[].id | select(test("IOC"))] | join(" ")')"
check "verify --against: the rule matching both sides still fails the gate" high \
	"$(level app.exe VGL-VERIFY-YARA)"

# bad content
echo 'rule broken {' >"$T/broken.yar"
run_vigil diff --rules "$T/broken.yar" "$N" "$NEW"
check "rules that do not compile: exit 2" 2 "$rc"
check "rules that do not compile: named" yes "$(grep -q broken.yar "$T/err" && echo yes)"
run_vigil diff --iocs "$T/missing-iocs.txt" "$N" "$NEW"
check "missing IOC file: exit 2" 2 "$rc"
finish
