#!/bin/sh
# vigil diff / snapshot / verify end to end on releases built here:
# mingw-w64 DLLs with version resources, signed by a vendor leaf and a
# third-party leaf of a second throwaway CA (tests/e2e/lib/pe_fixtures.sh
# for the first), laid out as directories and a zip; and an ELF library
# pair built with cc. Checks: a benign upgrade passes; the 3CX-like release
# (third-party DLL's certificate table grown at the same version, codec
# gaining a sibling-file read and executable memory at the same version)
# is critical with VGL-MODEL-3CX on both (the codec had VirtualProtect
# before, as every mingw-w64 DLL has); signed -> unsigned is high; the
# ELF library gaining an IFUNC resolver and system() at the same SONAME is
# VGL-MODEL-XZ; a zip of a release compares like the directory; a diff
# against a snapshot is byte-identical to the diff against the release;
# SARIF validates; exit codes 0/1/2.
. "$VIGIL_TEST_SRC/tests/e2e/lib/common.sh"
need jq
need cc
MK="$VIGIL_TEST_BIN/mkpe"
[ -x "$MK" ] || { echo "skip: $MK not built"; exit 77; }
. "$VIGIL_TEST_SRC/tests/e2e/lib/pe_fixtures.sh"
S=$T/sign
build_signed_pe "$S" >/dev/null
need zip
export LC_ALL=C

# a second CA and its leaf: the third party
(
	cd "$S" &&
	openssl req -x509 -new -newkey rsa:2048 -nodes -keyout ca2.key -out ca2.pem \
		-days 30 -subj "/CN=third party test root" -config ca.cnf -extensions ca_ext 2>/dev/null &&
	openssl req -new -newkey rsa:2048 -nodes -keyout leaf2.key -out leaf2.csr \
		-subj "/CN=Third Party Corp" 2>/dev/null &&
	openssl x509 -req -in leaf2.csr -CA ca2.pem -CAkey ca2.key -CAcreateserial \
		-days 30 -extfile ca.cnf -extensions leaf_ext -out leaf2.pem 2>/dev/null
) || { echo "cannot create the second CA"; exit 1; }

# dll NAME VERSION SOURCE OUT [vendor|third|none]
dll() {
	cat >"$T/$1.rc" <<-EOF
	1 VERSIONINFO
	BEGIN
	  BLOCK "StringFileInfo"
	  BEGIN
	    BLOCK "040904b0"
	    BEGIN
	      VALUE "CompanyName", "Vigil Test Co"
	      VALUE "FileVersion", "$2"
	    END
	  END
	END
	EOF
	printf '%s\n' "$3" >"$T/$1.c"
	x86_64-w64-mingw32-windres "$T/$1.rc" -O coff -o "$T/$1.res.o" &&
	x86_64-w64-mingw32-gcc -shared -s -O2 -o "$T/$1.raw.dll" "$T/$1.c" "$T/$1.res.o" ||
		{ echo "cannot build $1"; exit 1; }
	case ${5:-vendor} in
	vendor) osslsigncode sign -certs "$S/leaf.pem" -key "$S/leaf.key" -h sha256 \
		-in "$T/$1.raw.dll" -out "$4" >/dev/null ;;
	third) osslsigncode sign -certs "$S/leaf2.pem" -key "$S/leaf2.key" -h sha256 \
		-in "$T/$1.raw.dll" -out "$4" >/dev/null ;;
	none) cp "$T/$1.raw.dll" "$4" ;;
	esac || { echo "cannot sign $1"; exit 1; }
}

APP='__declspec(dllexport) int app_main(int a) { return a * 3; }'
APP2='__declspec(dllexport) int app_main(int a) { return a * 3 + 1; }'
CODEC='__declspec(dllexport) int decode(int a) { return a ^ 0x55; }'
CODEC_BAD='#include <windows.h>
__declspec(dllexport) int decode(int a) {
	wchar_t p[260]; DWORD n = 0, old = 0; char b[64];
	GetModuleFileNameW(NULL, p, 260);
	HANDLE h = CreateFileW(p, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
	ReadFile(h, b, sizeof b, &n, NULL);
	VirtualProtect(b, sizeof b, PAGE_EXECUTE_READWRITE, &old);
	return a ^ 0x55 ^ (int)n;
}'
THIRD='__declspec(dllexport) int compile(int a) { return a + 47; }'

mkdir -p "$T/old" "$T/benign" "$T/tcx" "$T/unsigned"
dll app 1.0.0.0 "$APP" "$T/old/App.dll"
dll app11 1.1.0.0 "$APP2" "$T/benign/App.dll"
dll codec 4.0.0.0 "$CODEC" "$T/old/codec.dll"
dll codecbad 4.0.0.0 "$CODEC_BAD" "$T/tcx/codec.dll"
dll third 10.0.0.0 "$THIRD" "$T/old/d3d.dll" third
dll appu 1.0.0.0 "$APP" "$T/unsigned/App.dll" none
cp "$T/old/codec.dll" "$T/old/d3d.dll" "$T/benign/"
cp "$T/old/App.dll" "$T/tcx/"
"$MK" sigflip "$T/old/d3d.dll" "$T/tcx/d3d.dll" || { echo "mkpe failed"; exit 1; }
cp "$T/old/codec.dll" "$T/old/d3d.dll" "$T/unsigned/"

# 1. a benign upgrade: exit 0, App.dll modified (paths case-folded)
run_vigil diff --json "$T/old" "$T/benign"
check "benign: exit" 0 "$rc"
check "benign: components" "app.dll:modified" \
	"$(jq -r '.components[] | "\(.path):\(.change)"' "$T/out")"
check "benign: no signal at high" "" \
	"$(jq -r '.components[].signals[] | select(.level == "high" or .level == "critical") | .id' "$T/out")"

# 2. 3CX-like: critical, both components matching the model
run_vigil diff --json "$T/old" "$T/tcx"
check "3cx: exit" 1 "$rc"
check "3cx: verdict" critical "$(jq -r .verdict "$T/out")"
check "3cx: models" "codec.dll VGL-MODEL-3CX
d3d.dll VGL-MODEL-3CX" "$(jq -r '.components[] | select(.models | length > 0) | "\(.path) \(.models | join(","))"' "$T/out" | sort)"
check "3cx: d3d signals" "VGL-DIFF-CERT-SLACK
VGL-DIFF-CERT-TABLE-GREW
VGL-DIFF-MODIFIED
VGL-DIFF-SAME-VERSION:high" \
	"$(jq -r '.components[] | select(.path == "d3d.dll") | .signals[] | if .id == "VGL-DIFF-SAME-VERSION" then "\(.id):\(.level)" else .id end' "$T/out" | sort)"
check "3cx: codec capabilities" "file.read-sibling" "$(jq -r '.components[] | select(.path == "codec.dll") | .signals[] | select(.id == "VGL-DIFF-NEW-CAPABILITY") | .detail.capability' "$T/out" | sort)"
run_vigil diff --fail-on critical "$T/old" "$T/tcx"
check "3cx: text exit at critical" 1 "$rc"
grep -q 'CRITICAL *codec.dll (modified)  tamper model: VGL-MODEL-3CX' "$T/out" && ok "3cx: text line" ||
	not_ok "3cx: text line: $(head -5 "$T/out")"

# 3. signed -> unsigned
run_vigil diff --json "$T/old" "$T/unsigned"
check "unsigned: exit" 1 "$rc"
check "unsigned: signal" "app.dll VGL-DIFF-UNSIGNED high" \
	"$(jq -r '.components[] | .path as $p | .signals[] | select(.id == "VGL-DIFF-UNSIGNED") | "\($p) \(.id) \(.level)"' "$T/out")"
run_vigil diff --fail-on critical "$T/old" "$T/unsigned"
check "unsigned: --fail-on critical" 0 "$rc"

# 4. a zip of the old release compares like the directory
(cd "$T/old" && zip -q -r "$T/old.zip" .)
{ "$VIGIL" diff --json "$T/old" "$T/tcx" || :; } | jq -c .components >"$T/dir.c"
{ "$VIGIL" diff --json "$T/old.zip" "$T/tcx" || :; } | jq -c .components >"$T/zip.c"
cmp -s "$T/dir.c" "$T/zip.c" && ok "zip compares like the directory" ||
	not_ok "zip compares like the directory"

# 5. snapshot equivalence, both sides
run_vigil snapshot "$T/old" -o "$T/old.snap"
check "snapshot: exit" 0 "$rc"
check "snapshot: record" "snapshot 1 old 3" \
	"$(jq -r '"\(.type) \(.snapshot_format) \(.release) \(.components | length)"' "$T/old.snap")"
"$VIGIL" snapshot "$T/tcx" -o "$T/tcx.snap" || not_ok "snapshot tcx"
for v in tcx benign unsigned; do
	"$VIGIL" diff --json "$T/old" "$T/$v" >"$T/a.json" || :
	"$VIGIL" diff --json "$T/old.snap" "$T/$v" >"$T/b.json" || :
	cmp -s "$T/a.json" "$T/b.json" && ok "snapshot equivalence ($v)" ||
		not_ok "snapshot equivalence ($v)"
done
"$VIGIL" diff --json "$T/old.snap" "$T/tcx.snap" >"$T/c.json" || :
"$VIGIL" diff --json "$T/old" "$T/tcx" >"$T/a.json" || :
cmp -s "$T/a.json" "$T/c.json" && ok "snapshot against snapshot" || not_ok "snapshot against snapshot"

# 6. errors: exit 2, the file named
printf '{"schema": 1, "type": "snapshot", "snapshot_format": 1, "release": "x", "components": [' \
	>"$T/cut.snap"
run_vigil diff "$T/cut.snap" "$T/tcx"
check "truncated snapshot: exit" 2 "$rc"
grep -q "cut.snap.*malformed snapshot" "$T/err" && ok "truncated snapshot: named" ||
	not_ok "truncated snapshot: named: $(cat "$T/err")"
printf '{"schema": 1, "type": "snapshot", "snapshot_format": 1, "release": "x", "components": [{"sha256": 3}]}' \
	>"$T/bad.snap"
run_vigil diff "$T/bad.snap" "$T/tcx"
check "bad component: exit" 2 "$rc"
run_vigil diff "$T/missing" "$T/tcx"
check "missing release: exit" 2 "$rc"
grep -q "missing" "$T/err" && ok "missing release: named" || not_ok "missing release: named"
run_vigil diff --fail-on severe "$T/old" "$T/tcx"
check "bad --fail-on" 2 "$rc"

# 7. SARIF
run_vigil diff --sarif "$T/old" "$T/tcx"
check "sarif: exit" 1 "$rc"
check "sarif: rules and results" "vigil 2.1.0 error" \
	"$(jq -r '"\(.runs[0].tool.driver.name) \(.version) \([.runs[0].results[] | select(.ruleId == "VGL-MODEL-3CX") | .level] | unique | join(","))"' "$T/out")"
SCHEMA=$VIGIL_TEST_SRC/../shared/schemas/sarif-schema-2.1.0.json
if [ ! -f "$SCHEMA" ]; then
	echo "# $SCHEMA missing: SARIF schema validation skipped"
elif python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$SCHEMA" "$T/out" <<-'EOF' &&
	import json, sys, jsonschema
	jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
	EOF
	ok "sarif: valid" || not_ok "sarif: valid"
else
	echo "# python3 jsonschema missing: SARIF schema validation skipped"
fi

# 8. verify: the default policy
run_vigil verify --against "$T/old" "$T/benign"
check "verify benign" 0 "$rc"
run_vigil verify --against "$T/old.snap" "$T/tcx"
check "verify 3cx" 1 "$rc"
run_vigil verify --json "$T/unsigned"
check "verify unsigned in a signing release" "1 VGL-VERIFY-UNSIGNED" \
	"$rc $(jq -r '[.components[].signals[].id] | unique | join(",")' "$T/out")"
run_vigil verify --policy "$T/p.json" "$T/benign"
check "verify --policy: not yet" 2 "$rc"

# 9. ELF: same SONAME, a new IFUNC resolver and system()
cat >"$T/lib1.c" <<-'EOF'
int crc(int a) { return a * 31; }
EOF
cat >"$T/lib2.c" <<-'EOF'
#include <stdlib.h>
static int crc_impl(int a) { return a * 31; }
static int (*resolve(void))(int) { if (getenv("X_Y_Z")) system("true"); return crc_impl; }
int crc(int a) __attribute__((ifunc("resolve")));
EOF
mkdir -p "$T/e1" "$T/e2"
cc -shared -fPIC -O2 -Wl,-soname,libcrc.so.1 -o "$T/e1/libcrc.so.1" "$T/lib1.c" &&
cc -shared -fPIC -O2 -Wl,-soname,libcrc.so.1 -o "$T/e2/libcrc.so.1" "$T/lib2.c" ||
	{ echo "cannot build the ELF pair"; exit 1; }
run_vigil diff --json "$T/e1" "$T/e2"
check "xz: exit" 1 "$rc"
check "xz: model" "libcrc.so.1 critical VGL-MODEL-XZ" \
	"$(jq -r '.components[] | "\(.path) \(.level) \(.models | join(","))"' "$T/out")"
check "xz: signals" "VGL-DIFF-NEW-CAPABILITY VGL-DIFF-NEW-IFUNC VGL-DIFF-NEW-IMPORTS VGL-DIFF-SAME-VERSION" \
	"$(jq -r '[.components[].signals[].id] | unique | map(select(test("CAPABILITY|IFUNC|IMPORTS|SAME-VERSION"))) | join(" ")' "$T/out")"
finish
