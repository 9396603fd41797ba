#!/bin/sh
# `vigil scan` inside archives and installers, with fixtures built here by
# the tools of this machine around benign 3CX look-alikes (tests/tools/mk3cx):
# app/d3dcompiler_47.dll (the SigFlip tag in the certificate table: YARA,
# and a test-only file-name IOC), app/ffmpeg.dll (the loader's RC4 key in a
# PE: YARA) and app/quiet.bin (otherwise quiet: a test-only hash IOC of its
# SHA-256).
#  1. every format holds the three and gives exactly their findings, with
#     the member paths in the "outer!/member" notation: zip, nupkg, tar
#     (plain, gzip, bzip2, xz, zstd, lz4), cpio (newc, binary), ar, 7z, CAB, ISO 9660, xar,
#     deb (whose data.tar nests), rpm, a lone .gz, and a zip in a tar.zst
#     in a deb (three deep); the JSON "container" chain matches the path;
#     --no-archives gives none of them;
#  2. bombs (tests/tools/mkbomb): a 42.zip-style nest, one member of 6 GiB
#     of zeros, overlapping central-directory entries, each ending quickly
#     with its limit record and the summary's counts;
#  3. hostile names and types: "../" and absolute names shown as stored,
#     symlink, hard-link and device members reported and never followed,
#     the member after them still read; an encrypted zip member;
#  4. damage: a truncated tar.gz and a corrupt zip member give an error
#     record naming container and member while later members are found; a
#     zip claiming more members than it holds ends with an error.
# Structural checks are off (--no-checks): they have their own tests.
. "$(dirname "$0")/lib/common.sh"
: "${VIGIL_TEST_SRC:?}" "${VIGIL_TEST_BIN:?}"
MK="$VIGIL_TEST_BIN/mk3cx"
BOMB="$VIGIL_TEST_BIN/mkbomb"
FINDINGS="$VIGIL_TEST_BIN/jsonl_findings"
for t in "$MK" "$BOMB" "$FINDINGS"; do
	[ -x "$t" ] || { echo "skip: $t not built"; exit 77; }
done
for t in zip 7z gcab xorriso dpkg-deb rpmbuild bsdtar cpio ar zstd xz bzip2 lz4 gzip jq; do
	need "$t"
done
export LC_ALL=C

"$MK" "$T/fx" >/dev/null || { echo "mk3cx failed"; exit 1; }
P="$T/payload"
mkdir -p "$P/app"
cp "$T/fx/pe/sigflip_tag_in_cert_table.dll" "$P/app/d3dcompiler_47.dll"
cp "$T/fx/loader/key_in_pe.dll" "$P/app/ffmpeg.dll"
cp "$T/fx/macos/xor_strings_not_macho.bin" "$P/app/quiet.bin"
sha=$(openssl dgst -sha256 -r "$P/app/quiet.bin" | cut -d' ' -f1)
mkdir -p "$T/iocs"
printf '%s;80;test-only: the quiet payload\n' "$sha" >"$T/iocs/hash-iocs.txt"
printf '(?i)d3dcompiler_47\\.dll$;70;test-only: the side-loaded name\n' \
	>"$T/iocs/filename-iocs.txt"
RULES="$VIGIL_TEST_SRC/content/3cx/rules"
scan() {
	run_vigil scan --json --no-checks --no-builtin --iocs "$T/iocs" \
		--rules "$RULES" "$@"
}
# the findings of the payload under member prefix $1
expect() {
	printf '%s\tfilename\t(?i)d3dcompiler_47\\.dll$\n' "$1d3dcompiler_47.dll"
	printf '%s\tyara\tVIGIL_3CX_SigFlip_Tag_In_Certificate_Table\n' "$1d3dcompiler_47.dll"
	printf '%s\tyara\tVIGIL_3CX_Loader_RC4_Key\n' "$1ffmpeg.dll"
	printf '%s\thash\t%s\n' "$1quiet.bin" "$sha"
}

# ---- 1. every format ----
A="$T/arch"
mkdir -p "$A"
(
	cd "$P" || exit 1
	set -e
	zip -qr "$A/p.zip" app
	cp "$A/p.zip" "$A/3CXDesktopApp-18.12.416-full.nupkg"
	tar -cf "$A/p.tar" app
	tar -czf "$A/p.tar.gz" app
	tar -cjf "$A/p.tar.bz2" app
	tar -cJf "$A/p.tar.xz" app
	tar -cf - app | zstd -q -o "$A/p.tar.zst"
	tar -cf - app | lz4 -q >"$A/p.tar.lz4"
	find app | cpio -o -H newc --quiet >"$A/p.cpio"
	find app | cpio -o -H bin --quiet >"$A/p.bcpio"
	(cd app && ar rc "$A/p.a" d3dcompiler_47.dll ffmpeg.dll quiet.bin)
	7z a -bd -bso0 "$A/p.7z" app
	gcab -c "$A/p.cab" app/d3dcompiler_47.dll app/ffmpeg.dll app/quiet.bin
	xorriso -as mkisofs -quiet -R -J -o "$A/p.iso" . 2>/dev/null
	bsdtar --format xar -cf "$A/p.pkg" app
	gzip -c app/ffmpeg.dll >"$A/ffmpeg.dll.gz"
) || { echo "could not build the archives"; exit 1; }
# a .deb: data.tar.* holds /opt/app
D="$T/deb"
mkdir -p "$D/DEBIAN" "$D/opt"
cp -r "$P/app" "$D/opt/"
printf 'Package: vigil-fixture\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: test fixture\n' >"$D/DEBIAN/control"
dpkg-deb -Zxz --root-owner-group --build "$D" "$A/p.deb" >/dev/null 2>&1 ||
	{ echo "dpkg-deb failed"; exit 1; }
# an rpm of /opt/app
R="$T/rpm"
mkdir -p "$R/SPECS" "$R/BUILD"
cat >"$R/SPECS/f.spec" <<EOF
Name: vigil-fixture
Version: 1.0
Release: 1
Summary: test fixture
License: MIT
BuildArch: noarch
%description
test fixture
%install
mkdir -p %{buildroot}/opt/app
cp $P/app/* %{buildroot}/opt/app/
%files
/opt/app
EOF
rpmbuild -bb --quiet --define "_topdir $R" --define "_rpmdir $T/rpmout" \
	--define "__os_install_post %{nil}" --define "debug_package %{nil}" \
	"$R/SPECS/f.spec" >/dev/null 2>&1 || { echo "rpmbuild failed"; exit 1; }
cp "$T"/rpmout/noarch/*.rpm "$A/p.rpm"
# three deep: a zip in a tar.zst in a deb
N="$T/nest"
mkdir -p "$N/DEBIAN" "$N/srv"
cp "$D/DEBIAN/control" "$N/DEBIAN/"
(cd "$N/srv" && cp "$A/p.zip" inner.zip && tar -cf - inner.zip | zstd -q -o mid.tar.zst && rm inner.zip)
dpkg-deb -Zxz --root-owner-group --build "$N" "$A/nest.deb" >/dev/null 2>&1 ||
	{ echo "dpkg-deb failed"; exit 1; }

scan "$A"
check "formats: exit 1 (findings)" 1 "$rc"
{
	expect "p.zip!/app/"
	expect "3CXDesktopApp-18.12.416-full.nupkg!/app/"
	for x in tar tar.gz tar.bz2 tar.xz tar.zst tar.lz4 cpio bcpio 7z cab pkg; do
		expect "p.$x!/app/"
	done
	expect "p.a!/"
	expect "p.iso!/app/"
	expect "p.deb!/data.tar.xz!/./opt/app/"
	expect "p.rpm!/./opt/app/"
	printf '%s\tyara\tVIGIL_3CX_Loader_RC4_Key\n' "ffmpeg.dll.gz!/ffmpeg.dll"
	expect "nest.deb!/data.tar.xz!/./srv/mid.tar.zst!/inner.zip!/app/"
} | sort >"$T/want"
"$FINDINGS" "$A/" <"$T/out" | sort >"$T/got"
if diff -u "$T/want" "$T/got" >"$T/diff"; then ok "formats: exact findings"; else
	not_ok "formats: exact findings"; cat "$T/diff"; fi
# the chain of the deepest member
chain=$(jq -r 'select(.type=="file" and (.path|endswith("inner.zip!/app/quiet.bin"))) | .container | join("|")' "$T/out")
check "chain of a member three deep" \
	"$A/nest.deb|data.tar.xz|./srv/mid.tar.zst|inner.zip|app/quiet.bin" "$chain"
errs=$(jq -r 'select(.type=="file" and (.error != null or .skip != null)) | .path' "$T/out")
check "formats: no skip or error" "" "$errs"
containers=$(jq -r 'select(.type=="summary") | .containers' "$T/out")
# 19 files, and control.tar.xz and data.tar.xz of both debs, mid.tar.zst
# and inner.zip
check "formats: containers opened (19 + 6 nested)" 25 "$containers"
# --max-size 512: every archive is larger, so it is reopened by descriptor;
# the 1 KiB PEs stream (digests only: hash and file-name IOCs, no YARA), and
# the nested containers (data.tar.xz, mid.tar.zst, inner.zip) are spilled to
# unlinked temporary files in $TMPDIR and opened from there
mkdir -p "$T/tmp"
TMPDIR="$T/tmp" scan --max-size 512 "$A"
{
	for pre in p.zip!/app/ 3CXDesktopApp-18.12.416-full.nupkg!/app/ \
		p.tar!/app/ p.tar.gz!/app/ p.tar.bz2!/app/ p.tar.xz!/app/ \
		p.tar.zst!/app/ p.tar.lz4!/app/ p.cpio!/app/ p.bcpio!/app/ p.7z!/app/ \
		p.cab!/app/ p.pkg!/app/ p.a!/ p.iso!/app/ \
		p.deb!/data.tar.xz!/./opt/app/ p.rpm!/./opt/app/ \
		nest.deb!/data.tar.xz!/./srv/mid.tar.zst!/inner.zip!/app/; do
		expect "$pre" | grep -v yara
	done
} | sort >"$T/want"
"$FINDINGS" "$A/" <"$T/out" | sort >"$T/got"
if diff -u "$T/want" "$T/got" >"$T/diff"; then ok "streamed and spilled: exact findings"; else
	not_ok "streamed and spilled: exact findings"; cat "$T/diff"; fi
check "streamed and spilled: no temporary file left" "" "$(ls -A "$T/tmp")"
scan --no-archives "$A"
"$FINDINGS" "$A/" <"$T/out" | grep -c '!/' >"$T/n" || true
check "--no-archives: no member findings" 0 "$(cat "$T/n")"

# ---- 2. bombs ----
B="$T/bomb"
mkdir -p "$B"
"$BOMB" nested "$B/42.zip" && "$BOMB" zeros "$B/zeros.tar.zst" 6 &&
	"$BOMB" overlap "$B/overlap.zip" 2000 || { echo "mkbomb failed"; exit 1; }
summary() { jq -r "select(.type==\"summary\") | $1" "$T/out"; }
limit_of() { jq -r 'select(.type=="file" and .skip=="limit") | .path + " " + .skip_detail' "$T/out"; }

scan --max-expanded 64M "$B/42.zip"
check "42.zip: exit 0" 0 "$rc"
check "42.zip: one limit hit" 1 "$(summary .limit_hits)"
case $(limit_of) in
*"expanded more than 67108864 bytes from one file"*) ok "42.zip: expanded limit record" ;;
*) not_ok "42.zip: expanded limit record"; limit_of ;;
esac
exp=$(summary .bytes_expanded)
[ "$exp" -le $((64 * 1048576 + 16 * 1048576)) ] && ok "42.zip: expansion bounded ($exp)" ||
	not_ok "42.zip: expansion bounded ($exp)"
scan --max-ratio 10 "$B/42.zip"
case $(limit_of) in
*"the ratio limit for this file"*) ok "42.zip: ratio limit record" ;;
*) not_ok "42.zip: ratio limit record"; limit_of ;;
esac
scan --max-depth 2 --max-expanded 64M "$B/42.zip"
depth=$(jq -r 'select(.type=="file" and .skip=="limit") | .skip_detail' "$T/out" | grep -c 'deeper than 2 levels')
[ "$depth" -ge 1 ] && ok "42.zip: depth limit records ($depth)" || not_ok "42.zip: depth limit records"

scan "$B/zeros.tar.zst"
check "6 GiB member: skipped by member size" \
	"$B/zeros.tar.zst!/zeros.dll member of 6442450944 bytes, larger than 4294967296: not read" "$(limit_of)"
check "6 GiB member: nothing expanded" 0 "$(summary .bytes_expanded)"
scan --max-member-size 8G --max-expanded 256M "$B/zeros.tar.zst"
case $(limit_of) in
*"zeros.dll expanded more than 268435456 bytes"*) ok "6 GiB member: streamed to the budget" ;;
*) not_ok "6 GiB member: streamed to the budget"; limit_of ;;
esac

scan "$B/overlap.zip"
check "overlapping entries: exit 0" 0 "$rc"
# libarchive reads each local header once: 2,000 entries, one member
check "overlapping entries: one member" 1 "$(summary .members)"
check "overlapping entries: one kernel expanded" 16777216 "$(summary .bytes_expanded)"

# ---- 3. hostile names, link and device members, encryption ----
H="$T/hostile"
mkdir -p "$H"
"$BOMB" links "$H/links.tar" || { echo "mkbomb links failed"; exit 1; }
printf 'evil' >"$H/quiet.bin"
cp "$P/app/quiet.bin" "$H/enc.bin"
(cd "$H" && zip -q -P secret enc.zip enc.bin && rm enc.bin quiet.bin)
scan "$H"
jq -r 'select(.type=="file") | (.path | ltrimstr("'"$H"'/")) + " " + (.skip // "-") + " " + (.error // "-")' "$T/out" | sort >"$T/got"
cat >"$T/want" <<EOF
enc.zip!/enc.bin encrypted -
links.tar!/dev/null special-file -
links.tar!/fifo special-file -
links.tar!/hard.dll hardlink -
links.tar!/sym.dll symlink -
EOF
if diff -u "$T/want" "$T/got" >"$T/diff"; then ok "links and encryption: records"; else
	not_ok "links and encryption: records"; cat "$T/diff"; fi
check "links and encryption: 8 members listed" "8" "$(summary .members)"
# shellcheck disable=SC2010 # only an exact name is looked for
check "nothing written outside the temp dir" "" "$(ls "$T/.." 2>/dev/null | grep -x 'escape.dll\|abs' || true)"
[ ! -e /abs/x.dll ] && ok "absolute member not written" || not_ok "absolute member written"
scan --iocs "$T/iocs" "$H"
n=$(jq -r 'select(.type=="file" and (.path|endswith("links.tar!/../escape.dll"))) | .path' "$T/out" | wc -l)
check "'../' member matched as data (report-all off: no record)" 0 "$n"

# ---- 4. damage ----
Dm="$T/damage"
mkdir -p "$Dm"
(cd "$P" && tar -czf "$Dm/full.tar.gz" app && zip -q -0 "$Dm/c.zip" app/quiet.bin app/ffmpeg.dll app/d3dcompiler_47.dll) ||
	{ echo "could not build"; exit 1; }
size=$(wc -c <"$Dm/full.tar.gz")
head -c $((size / 2)) "$Dm/full.tar.gz" >"$Dm/cut.tar.gz"
rm "$Dm/full.tar.gz"
# flip a byte in the first stored member's data (after its 30-byte header
# and 12-byte name): its CRC fails
printf 'X' | dd of="$Dm/c.zip" bs=1 seek=100 conv=notrunc 2>/dev/null
"$BOMB" claims "$P/../arch/p.zip" "$Dm/claims.zip" || { echo "mkbomb claims failed"; exit 1; }
scan "$Dm"
errs=$(jq -r 'select(.type=="file" and .error=="damaged") | (.path | ltrimstr("'"$Dm"'/")) + ": " + .error_detail' "$T/out" | sort)
case $errs in
*"c.zip!/app/quiet.bin: unable to read the member: ZIP bad CRC"*) ok "corrupt zip member: error names container and member" ;;
*) not_ok "corrupt zip member: error names container and member"; echo "$errs" ;;
esac
case $errs in
*"cut.tar.gz"*) ok "truncated tar.gz: error record" ;;
*) not_ok "truncated tar.gz: error record"; echo "$errs" ;;
esac
later=$("$FINDINGS" "$Dm/" <"$T/out" | grep -c '^c.zip!/app/\(ffmpeg\|d3dcompiler_47\)\.dll' || true)
check "corrupt zip: later members still found" 3 "$later"
# libarchive goes by the central directory, not the end record's count:
# the three members are read and the container ends (the engine's own
# handling of a reader that runs out of members is in test_unpack.c)
n=$("$FINDINGS" "$Dm/" <"$T/out" | grep -c '^claims.zip!/app/' || true)
check "zip claiming 1000 entries: its 4 findings, then the end" 4 "$n"
check "damage: exit 1 (findings) not 2" 1 "$rc"

finish
