#!/bin/sh
# `vigil inspect` on files whose sections overlap (tests/tools/mkoverlap.c):
# 15,000 ELF sections over the same bytes of a file under 1 MB, and a PE
# with 96 sections over the same raw data. The work per file is bounded
# (base/entropy.h: the sections' entropy stops after the file's size plus
# 64 MiB of bytes), so the output must be complete and well-formed: every
# section listed, the early ones with their entropy, the later ones "not
# computed" (null) and the anomaly that says so, in JSON and text.
. "$VIGIL_TEST_SRC/tests/e2e/lib/common.sh"
need jq
MK="$VIGIL_TEST_BIN/mkoverlap"
[ -x "$MK" ] || { echo "skip: $MK not built"; exit 77; }
budget="entropy budget spent: later sections not computed"

"$MK" elf 15000 980000 "$T/many.elf" || exit 1
run_vigil inspect --json "$T/many.elf"
check "elf: exit 0" 0 "$rc"
check "elf: one JSON record" 1 "$(wc -l <"$T/out" | tr -d ' ')"
check "elf: every section listed" 15001 "$(jq '.elf.sections | length' "$T/out")"
check "elf: the anomaly says the budget was spent" true \
	"$(jq --arg a "$budget" '.elf.anomalies | index($a) != null' "$T/out")"
check "elf: the first section's entropy computed" number \
	"$(jq -r '.elf.sections[0].entropy | type' "$T/out")"
check "elf: the last overlapping section's not computed" null \
	"$(jq -r '.elf.sections[14999].entropy | type' "$T/out")"
check "elf: entropy of the early sections in range" true \
	"$(jq '[.elf.sections[] | select(.entropy != null) | .entropy] | length > 10 and all(. > 0 and . <= 8)' "$T/out")"
run_vigil inspect "$T/many.elf"
check "elf text: exit 0" 0 "$rc"
check "elf text: every section listed" 15001 "$(grep -c '^  \.' "$T/out")"
check "elf text: the anomaly shown" 1 "$(grep -c "anomalies *$budget" "$T/out")"
check "elf text: complete (findings at the end)" 1 "$(grep -c '^findings:' "$T/out")"

# a file whose sections do not overlap keeps every entropy
"$MK" elf 20 980000 "$T/few.elf" || exit 1
run_vigil inspect --json "$T/few.elf"
check "few sections: no anomaly" 0 "$(jq '.elf.anomalies | length' "$T/out")"
check "few sections: no entropy left out" 0 \
	"$(jq '[.elf.sections[] | select(.entropy == null)] | length' "$T/out")"

"$MK" pe 96 980000 "$T/many.exe" || exit 1
run_vigil inspect --json "$T/many.exe"
check "pe: exit 0" 0 "$rc"
check "pe: every section listed" 96 "$(jq '.pe.sections | length' "$T/out")"
check "pe: the anomaly says the budget was spent" true \
	"$(jq --arg a "$budget" '.pe.anomalies | index($a) != null' "$T/out")"
check "pe: the first section's entropy computed" number \
	"$(jq -r '.pe.sections[0].entropy | type' "$T/out")"
check "pe: the last section's not computed" null \
	"$(jq -r '.pe.sections[95].entropy | type' "$T/out")"
finish
