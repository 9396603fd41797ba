#!/bin/sh
# `vigil inspect` end to end, on fixtures built here:
#  1. a mingw DLL signed under a throwaway CA (tests/e2e/lib/pe_fixtures.sh):
#     anatomy (sections, imports, exports, version strings), the signature's
#     signer, serial and thumbprint as openssl reads them from the leaf
#     certificate, digest and signature verdicts, the chain verdict only with
#     --ca-file (true under the right root, false under another);
#  2. tampered copies (tests/tools/mkpe.c): the SigFlip container keeps a
#     matching digest but shows its slack and VGL-PE-CERT-SLACK, exit 1; a
#     flipped byte shows a digest mismatch; two signatures, no finding;
#     broken headers are reported as such, exit 0;
#  3. an ELF built by cc: interpreter, DT_NEEDED and build-id as readelf
#     reads them, and the URL, domain and IPv4 address in its strings;
#  4. a Mach-O from clang/lld when they can target macOS: the ad-hoc
#     signature's identifier;
#  5. errors: a missing file (exit 2, the other files still shown), an
#     unreadable --ca-file, a file name with control characters (escaped).
set -u

fail() {
	echo "inspect: FAIL: $*" >&2
	exit 1
}

: "${VIGIL:?}" "${VIGIL_TEST_SRC:?}" "${VIGIL_TEST_BIN:?}" "${VIGIL_TEST_TMP:?}"
MK="$VIGIL_TEST_BIN/mkpe"
[ -x "$MK" ] || { echo "inspect: skip: $MK not built"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "inspect: skip: jq not installed"; exit 77; }

T="$VIGIL_TEST_TMP/inspect"
rm -rf "$T" && mkdir -p "$T" || fail "cannot create $T"
. "$VIGIL_TEST_SRC/tests/e2e/lib/pe_fixtures.sh"
build_signed_pe "$T/sign"
S="$T/sign"
for v in sigflip flip truncated garbage; do
	"$MK" "$v" "$S/signed.dll" "$T/$v.dll" || fail "mkpe $v"
done
"$MK" twocerts "$S/signed.dll" "$T/twocerts.dll" "$S/signed-sha1.dll" || fail "mkpe twocerts"
export LC_ALL=C

# inspect FILE [OPTIONS...]: JSON of one file into $T/j, exit status in $rc
inspect() {
	f=$1
	shift
	rc=0
	"$VIGIL" inspect --json "$@" "$f" >"$T/j" 2>"$T/err" || rc=$?
	[ "$(wc -l <"$T/j")" -eq 1 ] || { cat "$T/err" >&2; fail "$f: expected one JSON line"; }
}
# q FILTER: the filter's raw output on the last JSON
q() { jq -r "$1" "$T/j"; }
expect() { # WHAT WANT GOT
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# 1. a clean signed DLL
inspect "$S/signed.dll"
expect "clean exit" 0 "$rc"
expect "record type" "inspect 2" "$(q '"\(.type) \(.schema)"')"
expect "format" "PE PE32+ AMD64 true" "$(q '"\(.format) \(.pe.kind) \(.pe.machine_name) \(.pe.dll)"')"
expect "sha256" "$(sha256sum "$S/signed.dll" | cut -d' ' -f1)" "$(q .sha256)"
expect ".text section" "r-x" "$(q '.pe.sections[] | select(.name == ".text") | .flags')"
q '.pe.sections[] | .entropy' | grep -qv '^[0-8]\.[0-9]*$\|^[0-8]$' &&
	fail "a section entropy outside 0..8: $(q '[.pe.sections[].entropy]')"
q '.pe.imports[].dll' | grep -qx 'KERNEL32.dll' || fail "KERNEL32.dll not among the imports"
[ "$(q '[.pe.imports[].functions[].name] | length')" -gt 5 ] || fail "too few imported functions"
expect "export" "vigil_test_add" "$(q '.pe.exports.functions[].name')"
expect "version" "Vigil Test Co|vigil fixtures|1.2.3.4|tiny.dll" \
	"$(q '.pe.version_info | "\(.CompanyName)|\(.ProductName)|\(.FileVersion)|\(.OriginalFilename)"')"
expect "certificate entries" 1 "$(q '.pe.certificate_table.entries | length')"
expect "slack within the alignment" 0 "$(q '.pe.certificate_table.entries[0].slack.nonzero')"
expect "verdicts" "sha256 true true null" \
	"$(q '.pe.signatures[0] | "\(.digest_algorithm) \(.digest_match) \(.intact) \(.trusted)"')"
expect "signed digest = image digest" "$(q '.pe.signatures[0].image_digest')" \
	"$(q '.pe.signatures[0].signed_digest')"
expect "subject" "CN=vigil test code signing" "$(q '.pe.signatures[0].subject')"
expect "issuer" "CN=vigil test root" "$(q '.pe.signatures[0].issuer')"
serial=$(openssl x509 -in "$S/leaf.pem" -noout -serial | sed 's/^serial=//')
expect "serial" "$serial" "$(q '.pe.signatures[0].serial')"
thumb=$(openssl x509 -in "$S/leaf.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' |
	tr 'A-F' 'a-f')
expect "thumbprint" "$thumb" "$(q '.pe.signatures[0].thumbprint_sha1')"
q '.pe.signatures[0].signing_time' | grep -q '^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T' ||
	fail "no signing time: $(q .pe.signatures[0].signing_time)"
expect "timestamp" "null" "$(q '.pe.signatures[0].timestamp')"
expect "findings" "0 none" "$(q '"\(.findings | length) \(.level)"')"

inspect "$S/signed.dll" --ca-file "$S/ca.pem"
expect "trusted under its root" true "$(q '.pe.signatures[0].trusted')"
mkdir -p "$T/other"
openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$T/other/k.pem" -out "$T/other/ca.pem" \
	-days 2 -subj "/CN=another root" 2>/dev/null || fail "openssl req"
inspect "$S/signed.dll" --ca-file "$T/other/ca.pem"
expect "untrusted under another root" "false true true" \
	"$(q '.pe.signatures[0] | "\(.trusted) \(.digest_match) \(.intact)"')"

"$VIGIL" inspect "$S/signed.dll" >"$T/text" 2>&1 || fail "text output: exit $?"
for want in "PE32+ AMD64 DLL" "vigil_test_add" "CompanyName       Vigil Test Co" \
	"digest matches, signature intact, chain not checked" "findings: score 0 (none)"; do
	grep -qF "$want" "$T/text" || { cat "$T/text" >&2; fail "text output lacks '$want'"; }
done

# 2. tampered copies
inspect "$T/sigflip.dll"
expect "SigFlip exit" 1 "$rc"
expect "SigFlip keeps the digest" "true true" \
	"$(q '.pe.signatures[0] | "\(.digest_match) \(.intact)"')"
[ "$(q '.pe.certificate_table.entries[0].slack.nonzero')" -gt 8 ] || fail "SigFlip slack not shown"
expect "SigFlip finding" "VGL-PE-CERT-SLACK alert" "$(q '.findings[0] | "\(.id) \(.level)"')"
"$VIGIL" inspect "$T/sigflip.dll" >"$T/text" 2>&1
grep -q 'alert 9[0-9]\] VGL-PE-CERT-SLACK: .*FE ED FA CE FE ED FA CE' "$T/text" ||
	{ cat "$T/text" >&2; fail "text output lacks the SigFlip finding"; }

inspect "$T/flip.dll"
expect "flipped byte" "false true" "$(q '.pe.signatures[0] | "\(.digest_match) \(.intact)"')"
q '.findings[].id' | grep -qx VGL-PE-DIGEST-MISMATCH || fail "no VGL-PE-DIGEST-MISMATCH"
"$VIGIL" inspect "$T/flip.dll" | grep -q "DIGEST MISMATCH" || fail "text lacks DIGEST MISMATCH"

inspect "$T/twocerts.dll"
expect "two signatures" "2 2 true true 0" \
	"$(q '"\(.pe.certificate_table.entries | length) \(.pe.signatures | length) \(.pe.signatures[0].digest_match) \(.pe.signatures[1].digest_match) \(.findings | length)"')"

for v in truncated garbage; do
	inspect "$T/$v.dll"
	expect "$v exit" 0 "$rc"
	expect "$v format" unknown "$(q .format)"
	[ -n "$(q '.format_error // empty')" ] || fail "$v: no reason given"
done

# 3. ELF
if command -v cc >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1; then
	cat >"$T/e.c" <<-'EOF'
	#include <stdio.h>
	const char *where = "https://updates.example.com/feed/v2 at 192.0.2.44";
	int main(void) { puts(where); return 0; }
	EOF
	cc -O1 -Wl,--build-id -o "$T/e" "$T/e.c" || fail "cc"
	inspect "$T/e"
	expect "ELF" "ELF ELF64 x86-64" "$(q '"\(.format) \(.elf.class) \(.elf.machine_name)"')"
	expect "interpreter" "$(readelf -lW "$T/e" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')" \
		"$(q .elf.interpreter)"
	q '.elf.needed[]' | grep -qx 'libc.so.6' || fail "libc.so.6 not in DT_NEEDED"
	expect "build-id" "$(readelf -nW "$T/e" | sed -n 's/.*Build ID: //p')" "$(q .elf.build_id)"
	expect "network" "url https://updates.example.com/feed/v2|domain updates.example.com|ipv4 192.0.2.44" \
		"$(q '[.network[] | "\(.kind) \(.value)"] | join("|")')"
else
	echo "inspect: ELF part skipped (no cc or readelf)"
fi

# 4. Mach-O, when clang and lld can link one
printf 'int main(void) { return 0; }\n' >"$T/m.c"
if clang -target arm64-apple-macos11 -fuse-ld=lld -nostdlib -o "$T/vgt-macho" "$T/m.c" \
	>/dev/null 2>&1; then
	inspect "$T/vgt-macho"
	expect "Mach-O" "Mach-O arm64 executable true vgt-macho null" \
		"$(q '.macho.slices[0] | "Mach-O \(.cpu_name) \(.filetype_name) \(.code_signature.ad_hoc) \(.code_signature.identifier) \(.code_signature.team_id)"')"
else
	echo "inspect: Mach-O part skipped (clang cannot link for macOS here)"
fi

# 5. errors and hostile names
rc=0
"$VIGIL" inspect --json "$T/missing.dll" "$S/signed.dll" >"$T/j" 2>"$T/err" || rc=$?
expect "missing file exit" 2 "$rc"
grep -q "missing.dll" "$T/err" || fail "the missing file is not named: $(cat "$T/err")"
expect "the other file is still shown" 1 "$(wc -l <"$T/j")"
rc=0
"$VIGIL" inspect --ca-file "$T/no-such-ca.pem" "$S/signed.dll" >/dev/null 2>"$T/err" || rc=$?
expect "bad --ca-file exit" 2 "$rc"
weird="$T/$(printf 'we\033[1mird\nname.dll')"
cp "$S/signed.dll" "$weird"
"$VIGIL" inspect "$weird" >"$T/text" 2>&1 || fail "weird name: exit $?"
[ "$(head -1 "$T/text")" = "$T/we\\x1b[1mird\\nname.dll" ] ||
	fail "name not escaped: $(head -1 "$T/text" | od -c | head -3)"
if grep -q "$(printf '\033')" "$T/text"; then fail "raw escape character in the text output"; fi
rm -f "$weird"
echo "inspect: ok"
# The fixtures imitate the attack, and a sweep of a default root (a clone
# under /home, /root or /tmp) would report them: kept only on failure.
rm -rf "$T"
