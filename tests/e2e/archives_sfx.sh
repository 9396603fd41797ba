#!/bin/sh
# Self-extracting PE installers end to end: a mingw-w64 stub program with
# a zip appended (offsets from the zip's start, and adjusted by `zip -A` to
# count from the file's), a 7z appended, a CAB (gcab) appended, and the zip
# SFX signed with osslsigncode after appending (the certificate table then
# follows the archive). The overlay reader (listed through mkasar --list
# FILE pe-overlay) must yield one member whose bytes are exactly the
# appended archive (the whole file up to the zip's end for `zip -A`).
# Then, once the unpacking engine is there (`vigil scan --help` mentions
# --no-archives), `vigil scan --json --no-checks --iocs` with a test-only
# hash IOC must report setup.exe!/[overlay].zip!/ffmpeg.dll and the like.
. "$(dirname "$0")/lib/common.sh"
need x86_64-w64-mingw32-gcc
need zip
need sha256sum
MK="$VIGIL_TEST_BIN/mkasar"
[ -x "$MK" ] || { echo "skip: mkasar not built"; exit 77; }

cd "$T"
mkdir p tree
printf 'int main(void) { return 0; }\n' >stub.c
x86_64-w64-mingw32-gcc -O2 -s -o stub.exe stub.c || { echo "cannot build the stub"; exit 1; }
printf 'benign stand-in for a side-loaded ffmpeg.dll\n' >p/ffmpeg.dll
h_dll=$(sha256sum <p/ffmpeg.dll | cut -d' ' -f1)
(cd p && zip -q ../a.zip ffmpeg.dll)
cat stub.exe a.zip >tree/setup-zip.exe
cp tree/setup-zip.exe tree/setup-zipA.exe
zip -qA tree/setup-zipA.exe

sha() { sha256sum <"$1" | cut -d' ' -f1; }
# overlay NAME FILE: the listing line of the member NAME
overlay() {
	rc=0
	"$MK" --list "$2" pe-overlay >"$T/list" 2>&1 || rc=$?
	grep " $1\$" "$T/list" || cat "$T/list"
}
size() { wc -c <"$1" | tr -d ' '; }

check "zip SFX: the member is the appended zip" \
	"f $(size a.zip) $(sha a.zip) [overlay].zip" "$(overlay '\[overlay\].zip' tree/setup-zip.exe)"
check "zip -A SFX: the member is the file up to the zip's end" \
	"f $(size tree/setup-zipA.exe) $(sha tree/setup-zipA.exe) [overlay].zip" \
	"$(overlay '\[overlay\].zip' tree/setup-zipA.exe)"
rc=0
"$MK" --list stub.exe pe-overlay >"$T/list" 2>&1 || rc=$?
check "a PE without an overlay is not taken" 1 "$rc"

SEVENZ=$(command -v 7zz || command -v 7z || true)
if [ -n "$SEVENZ" ]; then
	(cd p && "$SEVENZ" a -bd -bso0 ../a.7z ffmpeg.dll) || { echo "7z failed"; exit 1; }
	cat stub.exe a.7z >tree/setup-7z.exe
	check "7z SFX: the member is the appended 7z" \
		"f $(size a.7z) $(sha a.7z) [overlay].7z" "$(overlay '\[overlay\].7z' tree/setup-7z.exe)"
else
	echo "skip: no 7zz/7z: 7z SFX not tested"
fi
if command -v gcab >/dev/null 2>&1; then
	(cd p && gcab -c ../a.cab ffmpeg.dll) || { echo "gcab failed"; exit 1; }
	cat stub.exe a.cab >tree/setup-cab.exe
	check "CAB SFX: the member is the appended CAB" \
		"f $(size a.cab) $(sha a.cab) [overlay].cab" "$(overlay '\[overlay\].cab' tree/setup-cab.exe)"
else
	echo "skip: no gcab: CAB SFX not tested"
fi
if command -v osslsigncode >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout k.pem -out c.pem -days 2 \
		-subj "/CN=vigil sfx test" 2>/dev/null || { echo "openssl failed"; exit 1; }
	osslsigncode sign -certs c.pem -key k.pem -h sha256 -in tree/setup-zip.exe \
		-out tree/setup-signed.exe >/dev/null || { echo "osslsigncode failed"; exit 1; }
	[ "$(size tree/setup-signed.exe)" -gt $(($(size tree/setup-zip.exe) + 500)) ] &&
		ok "signed SFX: a certificate table was appended" ||
		not_ok "signed SFX: a certificate table was appended"
	check "signed SFX: the member is the zip, not the certificate table" \
		"f $(size a.zip) $(sha a.zip) [overlay].zip" \
		"$(overlay '\[overlay\].zip' tree/setup-signed.exe)"
else
	echo "skip: no osslsigncode/openssl: signed SFX not tested"
fi

if "$VIGIL" scan --help 2>&1 | grep -q -- --no-archives; then
	need jq
	printf '%s;test-only sfx member\n' "$h_dll" >iocs.txt
	run_vigil scan --json --no-checks --no-builtin --iocs iocs.txt "$T/tree"
	check "scan: exit 1" 1 "$rc"
	want=""
	for f in tree/setup-*.exe; do
		b=${f#tree/}
		case $b in
		setup-7z.exe) k=7z ;;
		setup-cab.exe) k=cab ;;
		*) k=zip ;;
		esac
		want="$want$T/tree/$b!/[overlay].$k!/ffmpeg.dll|hash
"
	done
	check "scan: a hash finding inside every SFX" "$(printf '%s' "$want" | sort)" \
		"$(jq -r 'select(.type=="file") | . as $r | .findings[] | "\($r.path)|\(.kind)"' \
			"$T/out" | sort)"
else
	echo "skip: vigil scan has no --no-archives yet: scan part skipped"
fi
finish
