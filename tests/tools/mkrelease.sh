#!/bin/sh
# mkrelease.sh OUTDIR: two releases of a benign vendor application, built
# the way vendors build them, for the tests of `vigil diff` and `vigil
# verify` (tests/e2e/diff_*.sh, verify_*.sh). Programs are compiled from
# tests/tools/release/*.c; nothing is downloaded, nothing is run.
#
# Windows (mingw-w64, windres VERSIONINFO, osslsigncode under throwaway
# CAs made here with openssl; no key outlives the run):
#   OUTDIR/win/<variant>/dir/ContosoPhone/{app.exe,ffmpeg.dll,d3dcompiler_47.dll[,plugin.dll]}
#   OUTDIR/win/<variant>/release.zip   the same tree (ContosoPhone/...)
#   OUTDIR/win/<variant>/release.msi   wixl, installing to ContosoPhone/
#   OUTDIR/trusted-roots.pem           the vendor's and the third party's roots
#   OUTDIR/rogue-root.pem              the root of signer-swap
# variants:
#   N              app 18.12.407.0 and ffmpeg 5.1.2.0 signed by "Contoso Ltd"
#                  (Contoso Code Signing CA); d3dcompiler_47.dll 10.0.20348.1
#                  signed by "Fabrikam Corporation" (Fabrikam Root CA, the
#                  third party)
#   benign         app 18.12.416.0, ffmpeg 5.1.3.0 (new export using
#                  GetTickCount), both re-signed with a renewed Contoso
#                  certificate (same CA and subject, new key and serial), a
#                  new signed component plugin.dll; d3dcompiler unchanged
#   3cx            app 18.12.416.0; ffmpeg.dll still 5.1.2.0 gains a loader
#                  (CreateFileW/ReadFile of "d3dcompiler_47.dll",
#                  VirtualProtect PAGE_EXECUTE_READWRITE, CreateThread);
#                  d3dcompiler_47.dll same build, version and signer, its
#                  certificate table grown by a tagged encrypted-looking
#                  blob (tests/tools/pe_certgrow.c, the SigFlip layout)
#   3cx-codec      only the ffmpeg.dll change of 3cx
#   3cx-certtable  only the d3dcompiler_47.dll change of 3cx
#   signer-swap    ffmpeg.dll (same build) signed by "Contoso Ltd" under
#                  another throwaway CA (Northwind Signing Authority)
#   unsigned       ffmpeg.dll (same build) not signed
#   pdb            ffmpeg.dll 5.1.2.0 rebuilt with another PDB path
#                  (ffmpeg.pdb -> ffmpeg_x64_dev.pdb)
# ELF (gcc, dpkg-deb): OUTDIR/elf/<variant>/libcodec1.deb holding
#   usr/lib/x86_64-linux-gnu/libcodec.so.1
#   N       1.0.0-1
#   benign  1.1.0-1, one new harmless function
#   xz      1.0.0-1 (same version), gains an IFUNC resolver, system, dlopen
# Mach-O (clang -target x86_64-apple-macos11, ld.lld, text stubs of
# libSystem and Foundation; tests/tools/mkdmg.c): OUTDIR/macho/<variant>/
#   release.dmg with "3CX Desktop App.app/Contents/Frameworks/libffmpeg.dylib"
#   (and libffmpeg.dylib, the same file, beside it)
#   N           av_codec_version only
#   downloader  same version, gains popen/pclose and NSURLRequest
#
# Needs: x86_64-w64-mingw32-gcc, -windres, osslsigncode, openssl, zip,
# wixl; gcc and dpkg-deb for the ELF part; clang and ld.lld for the Mach-O
# part; the host tools pe_certgrow and mkdmg in $VIGIL_TEST_BIN (default:
# the build tree's tests/). A part whose tools are missing is left out and
# named in OUTDIR/missing ("part: reason", one a line). Exit 0 when the
# Windows part was made, 77 when one of its tools is missing, 1 on a
# failure. Deterministic except for what is random by nature: the keys
# (so the signatures) and the PDB GUIDs that ld makes.
set -eu

die() {
	echo "mkrelease: $*" >&2
	exit 1
}

[ $# -eq 1 ] || die "usage: mkrelease.sh OUTDIR"
SRC=$(cd "$(dirname "$0")/release" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
BIN=${VIGIL_TEST_BIN:-$(cd "$(dirname "$0")/../../build/tests" 2>/dev/null && pwd || echo /nonexistent)}
have() { command -v "$1" >/dev/null 2>&1; }
for t in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-windres osslsigncode openssl zip wixl; do
	have "$t" || { echo "mkrelease: skip: '$t' not installed" >&2; exit 77; }
done
[ -x "$BIN/pe_certgrow" ] || { echo "mkrelease: skip: $BIN/pe_certgrow not built" >&2; exit 77; }

# one fixed time for file dates, signing times and archives
EPOCH=1764547200 # 2025-12-01T00:00:00Z
SOURCE_DATE_EPOCH=$EPOCH
TZ=UTC
export SOURCE_DATE_EPOCH TZ
W=$OUT/work
rm -rf "$W" "$OUT/win" "$OUT/elf" "$OUT/macho"
mkdir -p "$W/pki" "$W/obj"
: >"$OUT/missing"

# ---- PKI: three throwaway roots, a code-signing leaf each (Contoso two)
P=$W/pki
cat >"$P/leaf.ext" <<'EOT'
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOT
cat >"$P/ca.ext" <<'EOT'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOT
key() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$P/$1.key" 2>/dev/null
}
# ca NAME SUBJECT SERIAL
ca() {
	key "$1"
	openssl req -new -key "$P/$1.key" -subj "$2" -out "$P/$1.csr" 2>/dev/null
	openssl x509 -req -in "$P/$1.csr" -signkey "$P/$1.key" -days 7300 -set_serial "$3" \
		-sha256 -extfile "$P/ca.ext" -out "$P/$1.pem" 2>/dev/null
}
# leaf NAME CA SUBJECT SERIAL
leaf() {
	key "$1"
	openssl req -new -key "$P/$1.key" -subj "$3" -out "$P/$1.csr" 2>/dev/null
	openssl x509 -req -in "$P/$1.csr" -CA "$P/$2.pem" -CAkey "$P/$2.key" -days 3650 \
		-set_serial "$4" -sha256 -extfile "$P/leaf.ext" -out "$P/$1.crt" 2>/dev/null
	cat "$P/$1.crt" "$P/$2.pem" >"$P/$1.chain.pem"
}
ca vendor-ca "/O=Contoso Ltd/CN=Contoso Code Signing CA" 1
ca fabrikam-ca "/O=Fabrikam Corporation/CN=Fabrikam Root CA" 1
ca rogue-ca "/O=Northwind Traders/CN=Northwind Signing Authority" 1
leaf vendor vendor-ca "/C=GB/O=Contoso Ltd/CN=Contoso Ltd" 4096
leaf vendor-renewed vendor-ca "/C=GB/O=Contoso Ltd/CN=Contoso Ltd" 4097
leaf fabrikam fabrikam-ca "/C=US/O=Fabrikam Corporation/CN=Fabrikam Corporation" 8192
leaf rogue rogue-ca "/C=GB/O=Contoso Ltd/CN=Contoso Ltd" 77
for c in vendor vendor-renewed fabrikam rogue; do
	[ -s "$P/$c.chain.pem" ] || die "openssl could not make the certificate '$c'"
done
cat "$P/vendor-ca.pem" "$P/fabrikam-ca.pem" >"$OUT/trusted-roots.pem"
cp "$P/rogue-ca.pem" "$OUT/rogue-root.pem"

# sign CERT IN OUT
sign() {
	osslsigncode sign -certs "$P/$1.chain.pem" -key "$P/$1.key" -h sha256 \
		-n "Contoso Phone" -i "https://contoso.example/" -time "$EPOCH" \
		-in "$2" -out "$3" >/dev/null 2>"$W/sign.err" ||
		{ cat "$W/sign.err" >&2; die "osslsigncode could not sign $2"; }
}

# ---- Windows programs
# rc NAME COMPANY DESCRIPTION VERSION(a.b.c.d) PRODUCT: $W/obj/NAME.res.o
rc() {
	commas=$(echo "$4" | tr . ,)
	cat >"$W/obj/$1.rc" <<EOT
1 VERSIONINFO
FILEVERSION $commas
PRODUCTVERSION $commas
FILEOS 0x40004
FILETYPE $(case $1 in app*) echo 1 ;; *) echo 2 ;; esac)
BEGIN
 BLOCK "StringFileInfo"
 BEGIN
  BLOCK "040904b0"
  BEGIN
   VALUE "CompanyName", "$2"
   VALUE "FileDescription", "$3"
   VALUE "FileVersion", "$4"
   VALUE "ProductName", "$5"
   VALUE "ProductVersion", "$4"
  END
 END
 BLOCK "VarFileInfo"
 BEGIN
  VALUE "Translation", 0x409, 1200
 END
END
EOT
	x86_64-w64-mingw32-windres "$W/obj/$1.rc" -O coff -o "$W/obj/$1.res.o" ||
		die "windres could not compile $1.rc"
}
# pe NAME FILE SOURCE PDB [cflags...]: $W/obj/NAME/FILE (a DLL exports
# under its file's name), built in $W/obj/NAME so that the PDB path
# recorded is the one given; an .exe links to release N's ffmpeg.dll
pe() {
	name=$1 file=$2 src=$3 pdb=$4
	shift 4
	mkdir -p "$W/obj/$name"
	# DLLs without the C runtime, as a vendor's MSVC build has none of
	# mingw's (whose start-up code imports VirtualProtect everywhere)
	case $file in
	*.dll) kind="-shared -nostdlib -Wl,-e,DllMain -lkernel32" ;;
	*) kind="$W/obj/ffmpeg-N/ffmpeg.dll -mwindows" ;;
	esac
	# shellcheck disable=SC2086
	(cd "$W/obj/$name" && x86_64-w64-mingw32-gcc -std=c17 -O2 -Wall -s -o "$file" \
		"$@" "$SRC/$src" "../$name.res.o" $kind \
		-Wl,--no-insert-timestamp -Wl,--pdb="$pdb") || die "mingw could not build $name"
}
rc ffmpeg-N "Contoso Ltd" "Contoso media codec" 5.1.2.0 "Contoso Phone"
pe ffmpeg-N ffmpeg.dll ffmpeg.c ffmpeg.pdb -DCODEC_VERSION=512
rc app-N "Contoso Ltd" "Contoso Phone" 18.12.407.0 "Contoso Phone"
pe app-N app.exe app.c app.pdb
rc d3dcompiler "Fabrikam Corporation" "Fabrikam Direct3D HLSL Compiler" 10.0.20348.1 \
	"Fabrikam Graphics Runtime"
pe d3dcompiler d3dcompiler_47.dll d3dcompiler.c D3DCompiler_47.pdb
rc ffmpeg-benign "Contoso Ltd" "Contoso media codec" 5.1.3.0 "Contoso Phone"
pe ffmpeg-benign ffmpeg.dll ffmpeg.c ffmpeg.pdb -DCODEC_VERSION=513 -DCODEC_TIMING
rc app-benign "Contoso Ltd" "Contoso Phone" 18.12.416.0 "Contoso Phone"
pe app-benign app.exe app.c app.pdb -DAPP_UPTIME
rc plugin "Contoso Ltd" "Contoso Phone settings" 18.12.416.0 "Contoso Phone"
pe plugin plugin.dll plugin.c plugin.pdb
rc ffmpeg-3cx "Contoso Ltd" "Contoso media codec" 5.1.2.0 "Contoso Phone"
pe ffmpeg-3cx ffmpeg.dll ffmpeg.c ffmpeg.pdb -DCODEC_VERSION=512 -DCODEC_SIDELOAD
rc ffmpeg-pdb "Contoso Ltd" "Contoso media codec" 5.1.2.0 "Contoso Phone"
# (ld records the PDB's file name only, so the name is what changes)
pe ffmpeg-pdb ffmpeg.dll ffmpeg.c ffmpeg_x64_dev.pdb -DCODEC_VERSION=512

S=$W/signed
o=$W/obj
mkdir -p "$S"
sign vendor "$o/app-N/app.exe" "$S/app-N.exe"
sign vendor "$o/ffmpeg-N/ffmpeg.dll" "$S/ffmpeg-N.dll"
sign fabrikam "$o/d3dcompiler/d3dcompiler_47.dll" "$S/d3dcompiler.dll"
sign vendor-renewed "$o/app-benign/app.exe" "$S/app-benign.exe"
sign vendor-renewed "$o/ffmpeg-benign/ffmpeg.dll" "$S/ffmpeg-benign.dll"
sign vendor-renewed "$o/plugin/plugin.dll" "$S/plugin.dll"
sign vendor "$o/ffmpeg-3cx/ffmpeg.dll" "$S/ffmpeg-3cx.dll"
sign vendor "$o/ffmpeg-pdb/ffmpeg.dll" "$S/ffmpeg-pdb.dll"
sign rogue "$o/ffmpeg-N/ffmpeg.dll" "$S/ffmpeg-rogue.dll"
cp "$o/ffmpeg-N/ffmpeg.dll" "$S/ffmpeg-unsigned.dll"
"$BIN/pe_certgrow" "$S/d3dcompiler.dll" "$S/d3dcompiler-grown.dll" 0x3c3 6144 ||
	die "pe_certgrow could not grow the certificate table"
osslsigncode verify -CAfile "$OUT/trusted-roots.pem" -in "$S/d3dcompiler-grown.dll" \
	>"$W/verify.out" 2>&1 ||
	{ cat "$W/verify.out" >&2; die "the grown DLL's signature no longer verifies"; }

# release VARIANT VERSION PRODUCTCODE APP FFMPEG D3D [PLUGIN]
release() {
	v=$1 ver=$2 code=$3
	d=$OUT/win/$v
	mkdir -p "$d/dir/ContosoPhone"
	cp "$S/$4" "$d/dir/ContosoPhone/app.exe"
	cp "$S/$5" "$d/dir/ContosoPhone/ffmpeg.dll"
	cp "$S/$6" "$d/dir/ContosoPhone/d3dcompiler_47.dll"
	plugin_comp="" plugin_ref=""
	if [ $# -ge 7 ]; then
		cp "$S/$7" "$d/dir/ContosoPhone/plugin.dll"
		plugin_comp='<Component Id="Plugin" Guid="0b6f3c1e-5a2d-4c7b-9e8f-000000000004"><File Id="plugin.dll" Name="plugin.dll" Source="ContosoPhone/plugin.dll" KeyPath="yes"/></Component>'
		plugin_ref='<ComponentRef Id="Plugin"/>'
	fi
	find "$d/dir" -exec touch -h -d "@$EPOCH" {} +
	(cd "$d/dir" && find ContosoPhone -type f | LC_ALL=C sort |
		zip -X -q -D "$d/release.zip" -@) || die "zip failed for $v"
	cat >"$W/$v.wxs" <<EOT
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
 <Product Id="$code" Name="Contoso Phone" Language="1033" Version="$ver"
  Manufacturer="Contoso Ltd" UpgradeCode="0b6f3c1e-5a2d-4c7b-9e8f-1a2b3c4d5e6f">
  <Package InstallerVersion="200" Compressed="yes" Description="Contoso Phone $ver"/>
  <Media Id="1" Cabinet="phone.cab" EmbedCab="yes"/>
  <Directory Id="TARGETDIR" Name="SourceDir">
   <Directory Id="INSTALLDIR" Name="ContosoPhone">
    <Component Id="App" Guid="0b6f3c1e-5a2d-4c7b-9e8f-000000000001"><File Id="app.exe" Name="app.exe" Source="ContosoPhone/app.exe" KeyPath="yes"/></Component>
    <Component Id="Codec" Guid="0b6f3c1e-5a2d-4c7b-9e8f-000000000002"><File Id="ffmpeg.dll" Name="ffmpeg.dll" Source="ContosoPhone/ffmpeg.dll" KeyPath="yes"/></Component>
    <Component Id="D3D" Guid="0b6f3c1e-5a2d-4c7b-9e8f-000000000003"><File Id="d3dcompiler_47.dll" Name="d3dcompiler_47.dll" Source="ContosoPhone/d3dcompiler_47.dll" KeyPath="yes"/></Component>
    $plugin_comp
   </Directory>
  </Directory>
  <Feature Id="Main" Level="1"><ComponentRef Id="App"/><ComponentRef Id="Codec"/><ComponentRef Id="D3D"/>$plugin_ref</Feature>
 </Product>
</Wix>
EOT
	(cd "$d/dir" && wixl -o "$d/release.msi" "$W/$v.wxs") >/dev/null 2>"$W/wixl.err" ||
		{ cat "$W/wixl.err" >&2; die "wixl could not build the $v installer"; }
}
release N 18.12.407 "{0B6F3C1E-5A2D-4C7B-9E8F-100000000407}" app-N.exe ffmpeg-N.dll \
	d3dcompiler.dll
release benign 18.12.416 "{0B6F3C1E-5A2D-4C7B-9E8F-100000000416}" app-benign.exe \
	ffmpeg-benign.dll d3dcompiler.dll plugin.dll
release 3cx 18.12.416 "{0B6F3C1E-5A2D-4C7B-9E8F-200000000416}" app-benign.exe \
	ffmpeg-3cx.dll d3dcompiler-grown.dll
release 3cx-codec 18.12.407 "{0B6F3C1E-5A2D-4C7B-9E8F-300000000407}" app-N.exe \
	ffmpeg-3cx.dll d3dcompiler.dll
release 3cx-certtable 18.12.407 "{0B6F3C1E-5A2D-4C7B-9E8F-400000000407}" app-N.exe \
	ffmpeg-N.dll d3dcompiler-grown.dll
release signer-swap 18.12.407 "{0B6F3C1E-5A2D-4C7B-9E8F-500000000407}" app-N.exe \
	ffmpeg-rogue.dll d3dcompiler.dll
release unsigned 18.12.407 "{0B6F3C1E-5A2D-4C7B-9E8F-600000000407}" app-N.exe \
	ffmpeg-unsigned.dll d3dcompiler.dll
release pdb 18.12.407 "{0B6F3C1E-5A2D-4C7B-9E8F-700000000407}" app-N.exe \
	ffmpeg-pdb.dll d3dcompiler.dll

# ---- ELF pair as .deb
# elf VARIANT VERSION [cflags...]
elf() {
	v=$1 ver=$2
	shift 2
	root=$W/deb-$v
	mkdir -p "$root/DEBIAN" "$root/usr/lib/x86_64-linux-gnu" "$OUT/elf/$v"
	gcc -std=gnu17 -O2 -fPIC -shared -g0 -Wl,-soname,libcodec.so.1 "$@" \
		-o "$root/usr/lib/x86_64-linux-gnu/libcodec.so.1" "$SRC/libcodec.c" ||
		die "gcc could not build libcodec ($v)"
	cat >"$root/DEBIAN/control" <<EOT
Package: libcodec1
Version: $ver
Architecture: amd64
Maintainer: Contoso Ltd <packages@contoso.example>
Section: libs
Priority: optional
Description: Contoso media codec library
 A test fixture of vigil's release comparison.
EOT
	find "$root" -exec touch -h -d "@$EPOCH" {} +
	dpkg-deb --root-owner-group -Zxz --build "$root" "$OUT/elf/$v/libcodec1.deb" >/dev/null ||
		die "dpkg-deb could not build libcodec1 ($v)"
}
if have gcc && have dpkg-deb; then
	elf N 1.0.0-1 -DCODEC_VERSION=100
	elf benign 1.1.0-1 -DCODEC_VERSION=110 -DCODEC_BENIGN
	elf xz 1.0.0-1 -DCODEC_VERSION=100 -DCODEC_XZ -ldl
else
	echo "elf: gcc or dpkg-deb not installed" >>"$OUT/missing"
fi

# ---- Mach-O pair in a DMG
# text stubs (TAPI v4) of the two libraries the dylib links to: there is no
# macOS SDK here, and lld links against .tbd files as Apple's ld does
cat >"$W/libSystem.tbd" <<'EOT'
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos ]
install-name:    '/usr/lib/libSystem.B.dylib'
current-version: 1311
exports:
  - targets:     [ x86_64-macos ]
    symbols:     [ _popen, _pclose, dyld_stub_binder ]
...
EOT
cat >"$W/Foundation.tbd" <<'EOT'
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos ]
install-name:    '/System/Library/Frameworks/Foundation.framework/Versions/C/Foundation'
current-version: 1770
exports:
  - targets:     [ x86_64-macos ]
    objc-classes: [ NSURLRequest ]
...
EOT
# macho VARIANT [cflags and stubs...]
macho() {
	v=$1
	shift
	mkdir -p "$OUT/macho/$v"
	clang -target x86_64-apple-macos11 -fuse-ld=lld -shared -nostdlib -O2 \
		-Wl,-install_name,@rpath/libffmpeg.dylib -Wl,-current_version,5.1.2 \
		-Wl,-compatibility_version,5.0.0 "$@" -o "$W/libffmpeg-$v.dylib" \
		"$SRC/libffmpeg_mac.c" 2>"$W/clang.err" || return 1
	cp "$W/libffmpeg-$v.dylib" "$OUT/macho/$v/libffmpeg.dylib"
	"$BIN/mkdmg" --file "3CX Desktop App.app/Contents/Frameworks/libffmpeg.dylib=$W/libffmpeg-$v.dylib" \
		"$OUT/macho/$v/release.dmg" >/dev/null 2>"$W/clang.err" || return 1
}
if ! have clang || ! have ld.lld; then
	echo "macho: clang or ld.lld not installed" >>"$OUT/missing"
elif [ ! -x "$BIN/mkdmg" ]; then
	echo "macho: $BIN/mkdmg not built" >>"$OUT/missing"
elif ! macho N -DCODEC_VERSION=1 "$W/libSystem.tbd" ||
	! macho downloader -DCODEC_VERSION=1 -DCODEC_DOWNLOADER "$W/libSystem.tbd" \
		"$W/Foundation.tbd"; then
	echo "macho: clang -target x86_64-apple-macos11 with ld.lld failed: $(head -c 300 "$W/clang.err" | tr '\n' ' ')" >>"$OUT/missing"
	rm -rf "$OUT/macho"
fi

rm -rf "$W"
exit 0
