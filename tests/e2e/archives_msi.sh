#!/bin/sh
# vigil scan looks inside an MSI: an installer built with wixl (msitools)
# carries benign look-alikes of the 3CX installer's ffmpeg.dll and
# d3dcompiler_47.dll (written by tests/tools/mk3cx.c) in an embedded
# cabinet; a test-only hash IOC of the ffmpeg look-alike must fire on
# setup.msi!/ContosoPhone/ffmpeg.dll, the member under its installed name
# (File → Component → Directory tables), and on nothing else.
# Skipped (77) when wixl is missing, or when this vigil does not yet
# unpack containers (its scan --help has no --no-archives).
set -u

fail() {
	echo "archives_msi: FAIL: $*" >&2
	exit 1
}

: "${VIGIL:?}" "${VIGIL_TEST_BIN:?}" "${VIGIL_TEST_TMP:?}"
MK="$VIGIL_TEST_BIN/mk3cx"
FINDINGS="$VIGIL_TEST_BIN/jsonl_findings"
for t in "$MK" "$FINDINGS"; do
	[ -x "$t" ] || { echo "archives_msi: skip: $t not built"; exit 77; }
done
command -v wixl >/dev/null 2>&1 || { echo "archives_msi: skip: wixl not installed"; exit 77; }
"$VIGIL" scan --help 2>&1 | grep -q -- --no-archives ||
	{ echo "archives_msi: skip: this vigil scan does not unpack containers"; exit 77; }

T="$VIGIL_TEST_TMP/archives_msi"
rm -rf "$T" && mkdir -p "$T/src" "$T/scan" || fail "cannot create $T"
"$MK" "$T/3cx" || fail "mk3cx could not write the fixtures"
# the loader look-alike stands for ffmpeg.dll, the certificate-table tag
# for d3dcompiler_47.dll
cp "$T/3cx/loader/key_in_pe.dll" "$T/src/ffmpeg.dll" &&
	cp "$T/3cx/pe/sigflip_tag_in_cert_table.dll" "$T/src/d3dcompiler_47.dll" &&
	printf 'MZ benign custom action\n' >"$T/src/ca.dll" || fail "cannot copy fixtures"
cat >"$T/src/setup.wxs" <<'WXS'
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
 <Product Id="*" Name="Contoso Phone" Language="1033" Version="1.0.0"
  Manufacturer="Contoso" UpgradeCode="6d3f1d52-0f7e-4b8e-9d43-1a2b3c4d5e6f">
  <Package InstallerVersion="200" Compressed="yes"/>
  <Media Id="1" Cabinet="payload.cab" EmbedCab="yes"/>
  <Binary Id="CustomActionDll" SourceFile="ca.dll"/>
  <Directory Id="TARGETDIR" Name="SourceDir">
   <Directory Id="INSTALLDIR" Name="ContosoPhone">
    <Component Id="C1" Guid="11111111-2222-3333-4444-555555555555">
     <File Id="ffmpeg.dll" Name="ffmpeg.dll" Source="ffmpeg.dll" KeyPath="yes"/>
    </Component>
    <Component Id="C2" Guid="11111111-2222-3333-4444-555555555556">
     <File Id="d3dcompiler_47.dll" Name="d3dcompiler_47.dll" Source="d3dcompiler_47.dll" KeyPath="yes"/>
    </Component>
   </Directory>
  </Directory>
  <Feature Id="Main" Level="1"><ComponentRef Id="C1"/><ComponentRef Id="C2"/></Feature>
 </Product>
</Wix>
WXS
(cd "$T/src" && wixl -o "$T/scan/setup.msi" setup.wxs) || fail "wixl could not build the installer"

sha=$(openssl dgst -sha256 -r "$T/src/ffmpeg.dll" | cut -d' ' -f1)
[ ${#sha} -eq 64 ] || fail "no SHA-256 of the fixture"
printf '%s;test-only IOC: the ffmpeg look-alike\n' "$sha" >"$T/hash-iocs.txt"

"$VIGIL" scan --json --no-checks --no-builtin --iocs "$T/hash-iocs.txt" "$T/scan" \
	>"$T/out.jsonl" 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || { cat "$T/err" >&2; fail "scan: exit $rc, expected 1 (a finding)"; }
got=$("$FINDINGS" "$T/scan/" <"$T/out.jsonl" | cut -f1,2) || fail "unreadable JSON output"
want=$(printf 'setup.msi!/ContosoPhone/ffmpeg.dll\thash')
[ "$got" = "$want" ] || fail "findings: expected '$want', got '$got'"
echo "archives_msi: ok"
