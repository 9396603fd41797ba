#!/bin/sh
# Two wixl builds of one installer from the same sources differ in their
# SummaryInformation stream only (a new package code, new times): vigil
# diff reports no change (exit 0 at --fail-on info); a real change of a
# summary property (the package's description) still shows the stream
# as modified. A snapshot of the first build agrees.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need wixl
need jq
need_command diff
mkdir -p "$T/src/App"
printf 'not a program, a payload file\n' >"$T/src/App/readme.txt"
wxs() {
	cat <<EOT
<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
 <Product Id="{0B6F3C1E-5A2D-4C7B-9E8F-100000000001}" Name="Test App" Language="1033" Version="1.0.0"
  Manufacturer="Contoso Ltd" UpgradeCode="0b6f3c1e-5a2d-4c7b-9e8f-1a2b3c4d5e60">
  <Package InstallerVersion="200" Compressed="yes" Description="$1"/>
  <Media Id="1" Cabinet="app.cab" EmbedCab="yes"/>
  <Directory Id="TARGETDIR" Name="SourceDir">
   <Directory Id="INSTALLDIR" Name="App">
    <Component Id="Readme" Guid="0b6f3c1e-5a2d-4c7b-9e8f-000000000011"><File Id="readme.txt" Name="readme.txt" Source="App/readme.txt" KeyPath="yes"/></Component>
   </Directory>
  </Directory>
  <Feature Id="Main" Level="1"><ComponentRef Id="Readme"/></Feature>
 </Product>
</Wix>
EOT
}
wxs "Test App" >"$T/a.wxs"
wxs "Test App, another description" >"$T/b.wxs"
(cd "$T/src" && wixl -o "$T/one.msi" "$T/a.wxs" && sleep 1.1 &&
	wixl -o "$T/two.msi" "$T/a.wxs" && wixl -o "$T/other.msi" "$T/b.wxs") ||
	{ not_ok "wixl"; finish; }
cmp -s "$T/one.msi" "$T/two.msi" && echo "# note: the two builds are identical"
diff_json "$T/one.msi" "$T/two.msi" --fail-on info
check "rebuild: exit 0" 0 "$rc"
check "rebuild: nothing modified" 0 "$(jq -r .summary.modified "$T/out")"
check "rebuild: no component listed" 0 "$(jq -r '.components | length' "$T/out")"
run_vigil snapshot "$T/one.msi" -o "$T/one.json"
check "snapshot: the stable summary kept" '"Test App"' \
	"$(jq -r '.components[] | select(.summary) | .summary["dc:subject"]' "$T/one.json")"
diff_json "$T/one.json" "$T/two.msi" --fail-on info
check "rebuild against the snapshot: exit 0" 0 "$rc"
diff_json "$T/one.msi" "$T/other.msi" --fail-on info
check "new description: modified" modified "$(change '\x05summaryinformation')"
check "new description: exit 1 at info" 1 "$rc"
finish
