#!/bin/sh
# Signed-PE tampering checks (lib/checks_pe.c) end to end: a tiny DLL is
# built with mingw-w64 and signed with a throwaway CA (tests/e2e/lib/
# pe_fixtures.sh); tests/tools/mkpe.c derives tampered and broken copies.
#  1. `vigil scan --json` yields exactly the expected (file, kind, id) set:
#     each tampering variant its own finding IDs, the clean, nested and
#     two-entry signatures none, the broken headers none;
#  2. scores: the SigFlip container is an alert (>= 80), a plain-text tail a
#     warning (60-79), zero slack below notice;
#  3. Authenticode (tests/tools/pe_verify.c): the SigFlip variant's digest
#     still matches (the payload sits outside what the signature covers),
#     a flipped byte breaks it, nested and second signatures verify, the
#     chain verdict is separate from integrity;
#  4. broken headers fail cleanly with the expected reason.
set -u

fail() {
	echo "pe_tamper: FAIL: $*" >&2
	exit 1
}

: "${VIGIL:?}" "${VIGIL_TEST_SRC:?}" "${VIGIL_TEST_BIN:?}" "${VIGIL_TEST_TMP:?}"
MK="$VIGIL_TEST_BIN/mkpe"
PV="$VIGIL_TEST_BIN/pe_verify"
FINDINGS="$VIGIL_TEST_BIN/jsonl_findings"
for t in "$MK" "$PV" "$FINDINGS"; do
	[ -x "$t" ] || { echo "pe_tamper: skip: $t not built"; exit 77; }
done
command -v jq >/dev/null 2>&1 || { echo "pe_tamper: skip: jq not installed"; exit 77; }

T="$VIGIL_TEST_TMP/pe_tamper"
rm -rf "$T" && mkdir -p "$T" || fail "cannot create $T"
. "$VIGIL_TEST_SRC/tests/e2e/lib/pe_fixtures.sh"
build_signed_pe "$T/sign"
F="$T/fix"
mkdir -p "$F"
cp "$T/sign/signed.dll" "$T/sign/nested.dll" "$T/sign/tiny.dll" "$F/" || fail "copy"
for v in sigflip textslack zeroslack flip append sizeskew cuttable truncated selfref \
	lfanew-eof garbage; do
	"$MK" "$v" "$T/sign/signed.dll" "$F/$v.dll" || fail "mkpe $v"
done
"$MK" twocerts "$T/sign/signed.dll" "$F/twocerts.dll" "$T/sign/signed-sha1.dll" ||
	fail "mkpe twocerts"
# a doctored file: the second WIN_CERTIFICATE repeats the first's PKCS#7
"$MK" twocerts "$T/sign/signed.dll" "$F/dupcert.dll" "$T/sign/signed.dll" ||
	fail "mkpe twocerts (duplicate)"
export LC_ALL=C

# 1. exact findings
"$VIGIL" scan --json --no-builtin "$F" >"$T/scan.jsonl" 2>"$T/scan.err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$T/scan.err" >&2; fail "scan: exit $rc, expected 1"; }
"$FINDINGS" "$F/" <"$T/scan.jsonl" | sort >"$T/got" || fail "unreadable JSON output"
sort >"$T/want" <<'EOF'
append.dll	tamper	VGL-PE-DIGEST-MISMATCH
append.dll	tamper	VGL-PE-OVERLAY-AFTER-CERT
cuttable.dll	tamper	VGL-PE-CERT-TABLE-BOUNDS
dupcert.dll	tamper	VGL-PE-CERT-DUPLICATE
flip.dll	tamper	VGL-PE-CHECKSUM-MISMATCH
flip.dll	tamper	VGL-PE-DIGEST-MISMATCH
sigflip.dll	tamper	VGL-PE-CERT-SLACK
sizeskew.dll	tamper	VGL-PE-CERT-TABLE-SIZE
textslack.dll	tamper	VGL-PE-CERT-SLACK
zeroslack.dll	tamper	VGL-PE-CERT-ZERO-SLACK
EOF
diff -u "$T/want" "$T/got" >&2 || fail "findings differ (- expected, + got)"

# 2. scores
score() { # FILE ID
	jq -r --arg p "$F/$1" --arg id "$2" \
		'select(.type == "file" and .path == $p) | .findings[] | select(.id == $id) | .score' \
		"$T/scan.jsonl"
}
s=$(score sigflip.dll VGL-PE-CERT-SLACK)
[ "$s" -ge 80 ] 2>/dev/null || fail "SigFlip container scored '$s', expected >= 80"
msg=$(jq -r --arg p "$F/sigflip.dll" \
	'select(.type == "file" and .path == $p) | .findings[0].message' "$T/scan.jsonl")
case $msg in
*"entropy "*"tag FE ED FA CE FE ED FA CE at +"*) ;;
*) fail "SigFlip evidence lacks the entropy or the tag: $msg" ;;
esac
s=$(score dupcert.dll VGL-PE-CERT-DUPLICATE)
[ "$s" = 60 ] || fail "duplicate certificate entry scored '$s', expected 60"
s=$(score textslack.dll VGL-PE-CERT-SLACK)
[ "$s" -ge 60 ] && [ "$s" -lt 80 ] 2>/dev/null || fail "text slack scored '$s', expected 60-79"
s=$(score zeroslack.dll VGL-PE-CERT-ZERO-SLACK)
[ "$s" -lt 40 ] 2>/dev/null || fail "zero slack scored '$s', expected < 40"

# 3. Authenticode verdicts
pv() { "$PV" "$@" | sed "s|^$F/||; s| thumb=[0-9a-f-]*||"; }
pv --ca "$T/sign/ca.pem" "$F/signed.dll" "$F/sigflip.dll" "$F/flip.dll" \
	"$F/nested.dll" "$F/twocerts.dll" >"$T/pv.got"
cat >"$T/pv.want" <<'EOF'
signed.dll sig=0 entry=0 nest=0 alg=sha256 digest=match intact=yes trusted=yes certs=1 timestamp=none
sigflip.dll sig=0 entry=0 nest=0 alg=sha256 digest=match intact=yes trusted=yes certs=1 timestamp=none
flip.dll sig=0 entry=0 nest=0 alg=sha256 digest=mismatch intact=yes trusted=yes certs=1 timestamp=none
nested.dll sig=0 entry=0 nest=0 alg=sha256 digest=match intact=yes trusted=yes certs=1 timestamp=none
nested.dll sig=1 entry=0 nest=1 alg=sha1 digest=match intact=yes trusted=yes certs=1 timestamp=none
twocerts.dll sig=0 entry=0 nest=0 alg=sha256 digest=match intact=yes trusted=yes certs=2 timestamp=none
twocerts.dll sig=1 entry=1 nest=0 alg=sha1 digest=match intact=yes trusted=yes certs=2 timestamp=none
EOF
diff -u "$T/pv.want" "$T/pv.got" >&2 || fail "Authenticode verdicts differ"
# no CA: unchecked; a CA file without the root: not trusted, still intact
pv "$F/signed.dll" >"$T/pv2.got"
pv --ca "$T/sign/leaf.pem" "$F/signed.dll" >>"$T/pv2.got"
cat >"$T/pv2.want" <<'EOF'
signed.dll sig=0 entry=0 nest=0 alg=sha256 digest=match intact=yes trusted=unchecked certs=1 timestamp=none
signed.dll sig=0 entry=0 nest=0 alg=sha256 digest=match intact=yes trusted=no certs=1 timestamp=none
EOF
diff -u "$T/pv2.want" "$T/pv2.got" >&2 || fail "trust verdicts differ"

# signer details
PE_VERIFY_VERBOSE=1 "$PV" "$F/signed.dll" | grep '^  subject=' >"$T/pv5.got"
serial=$(openssl x509 -in "$T/sign/leaf.pem" -noout -serial | sed 's/^serial=//; s/^0*//')
grep -q "^  subject=CN=vigil test code signing issuer=CN=vigil test root serial=0*$serial signing_time=[1-9][0-9]* not_before=[1-9][0-9]* not_after=[1-9][0-9]* " \
	"$T/pv5.got" || { cat "$T/pv5.got" >&2; fail "signer details of signed.dll differ"; }
thumb=$(openssl x509 -in "$T/sign/leaf.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' |
	tr 'A-F' 'a-f')
"$PV" "$F/signed.dll" | grep -q " thumb=$thumb\$" || fail "SHA-1 thumbprint is not $thumb"

# the parser on a real toolchain's output: export, imports, version strings
PE_VERIFY_VERBOSE=1 "$PV" "$F/signed.dll" | sed -n 's/^  machine=//p' >"$T/pv4.got"
grep -q '^0x8664 .* exports=1 res=1 company=Vigil Test Co product=vigil fixtures version=1.2.3.4 orig=tiny.dll overlay=[1-9][0-9]* after_cert=0 anomalies=0x0$' \
	"$T/pv4.got" || { cat "$T/pv4.got" >&2; fail "parsed headers of signed.dll differ"; }
grep -q ' imports=[1-9][0-9]* ' "$T/pv4.got" || fail "no imports parsed from signed.dll"

# 4. broken headers: a clean reason, no crash
pv "$F/truncated.dll" "$F/selfref.dll" "$F/lfanew-eof.dll" "$F/garbage.dll" \
	"$F/tiny.dll" >"$T/pv3.got"
cat >"$T/pv3.want" <<'EOF'
truncated.dll error=truncated optional header
selfref.dll error=no PE signature at e_lfanew
lfanew-eof.dll error=e_lfanew points past the end of the file
garbage.dll error=e_lfanew points past the end of the file
tiny.dll error=the file is not signed
EOF
diff -u "$T/pv3.want" "$T/pv3.got" >&2 || fail "broken-header errors differ"

echo "pe_tamper: ok ($(wc -l <"$T/got") findings on $(ls "$F" | wc -l) fixtures)"
# The fixtures imitate the attack, and a sweep of a default root (a clone
# under /home, /root or /tmp) would report them: kept only on failure.
rm -rf "$T"
exit 0
