#!/bin/sh
# Real signed PE files: Debian's shim-signed (shimx64.efi.signed carries two
# WIN_CERTIFICATE entries, Microsoft's 2011 and 2023 UEFI CAs) and
# grub-efi-amd64-signed. Downloaded at test time with `apt-get download`
# into a cache under the build dir (kept between runs); skipped (77) when
# the download is impossible. Asserts:
#  1. `vigil scan` reports no finding at all on them (legitimate multiple
#     signatures and reproducible-build timestamps must stay quiet);
#  2. every signature's Authenticode digest matches and its PKCS#7 verifies;
#  3. shimx64.efi.signed has two entries, each with a matching digest and
#     an RFC 3161 timestamp countersignature.
set -u

fail() {
	echo "pe_debian: FAIL: $*" >&2
	exit 1
}

: "${VIGIL:?}" "${VIGIL_TEST_BIN:?}" "${VIGIL_TEST_TMP:?}"
PV="$VIGIL_TEST_BIN/pe_verify"
FINDINGS="$VIGIL_TEST_BIN/jsonl_findings"
for t in "$PV" "$FINDINGS"; do
	[ -x "$t" ] || { echo "pe_debian: skip: $t not built"; exit 77; }
done
for t in apt-get dpkg-deb jq; do
	command -v "$t" >/dev/null 2>&1 || { echo "pe_debian: skip: '$t' not installed"; exit 77; }
done

C="$VIGIL_TEST_BIN/cache/debian-efi"
mkdir -p "$C/debs" || fail "cannot create $C"
if ! ls "$C"/debs/shim-signed_*.deb "$C"/debs/grub-efi-amd64-signed_*.deb >/dev/null 2>&1; then
	(cd "$C/debs" && apt-get download shim-signed grub-efi-amd64-signed) \
		>"$C/download.log" 2>&1 || {
		echo "pe_debian: skip: 'apt-get download shim-signed grub-efi-amd64-signed' failed" \
			"(no network or no Debian archive; see $C/download.log)"
		exit 77
	}
fi
X="$VIGIL_TEST_TMP/pe_debian"
rm -rf "$X" && mkdir -p "$X" || fail "cannot create $X"
for d in "$C"/debs/*.deb; do
	dpkg-deb -x "$d" "$X" || fail "cannot unpack $d"
done
shim="$X/usr/lib/shim/shimx64.efi.signed"
[ -f "$shim" ] || fail "no shimx64.efi.signed in shim-signed"
# shellcheck disable=SC2046 # package file names, no spaces
set -- $(find "$X" -name '*.efi.signed' | sort)
[ $# -ge 2 ] || fail "expected shim and grub images, found $#"

# 1. no finding at all
"$VIGIL" scan --json --no-builtin "$X" >"$X.jsonl" 2>"$X.err"
rc=$?
[ "$rc" -eq 0 ] || { cat "$X.err" >&2; fail "scan: exit $rc, expected 0"; }
"$FINDINGS" "$X/" <"$X.jsonl" >"$X.got" || fail "unreadable JSON output"
[ ! -s "$X.got" ] || { cat "$X.got" >&2; fail "findings on Debian's signed images"; }
scanned=$(jq -r 'select(.type == "summary") | .files_scanned' "$X.jsonl" 2>/dev/null)
[ "${scanned:-0}" -ge $# ] || fail "scan read ${scanned:-0} files, expected >= $#"

# 2. every signature intact
"$PV" "$@" >"$X.pv" || fail "pe_verify failed"
bad=$(grep -v ' digest=match intact=yes ' "$X.pv")
[ -z "$bad" ] || { echo "$bad" >&2; fail "a signature does not verify"; }
[ "$(wc -l <"$X.pv")" -ge $# ] || fail "a file has no signature"

# 3. shim: two entries, each matching
n=$(grep -c "^$shim sig=[0-9]* entry=[01] nest=0 .* digest=match intact=yes .* certs=2 " "$X.pv")
[ "$n" -eq 2 ] || { grep "^$shim" "$X.pv" >&2; fail "shim: expected 2 matching entries, got $n"; }

# Microsoft's signatures on shim carry RFC 3161 timestamps
n=$(grep -c "^$shim .* timestamp=rfc3161 " "$X.pv")
[ "$n" -eq 2 ] || fail "shim: expected 2 RFC 3161 timestamps, got $n"

echo "pe_debian: ok ($# images, $(wc -l <"$X.pv") signatures)"
exit 0
