#!/bin/sh
# The release fixtures of tests/tools/mkrelease.sh are what the diff and
# verify tests say they are, checked with vigil inspect (which exists
# without the diff engine), readelf and dpkg-deb: versions, signers and
# their trust under the test roots, the renewed certificate, the grown
# certificate table with a valid digest, the new imports, the PDB names,
# the IFUNC and system/dlopen of the XZ-like library, the package versions,
# the MSI and DMG members. It also shows the builder runs in the time the
# tests allow (printed, not asserted).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
start=$(date +%s)
make_releases
echo "# mkrelease.sh took $(($(date +%s) - start)) s"
C="--ca-file $R/trusted-roots.pem"

# pe VARIANT FILE JQ: a field of vigil inspect --json on that component
pe() {
	# shellcheck disable=SC2086
	"$VIGIL" inspect --json $C "$R/win/$1/dir/ContosoPhone/$2" 2>/dev/null | jq -r "$3"
}
imports() { pe "$1" "$2" '[.pe.imports[]? | .dll as $d | .functions[] | "\($d)!\(.name)"] | sort | join(" ")'; }
for v in N benign 3cx 3cx-codec 3cx-certtable signer-swap unsigned pdb; do
	for fmt in dir zip msi; do
		[ -e "$(rel $v $fmt)" ] && ok "$v: $fmt made" || not_ok "$v: $fmt made"
	done
	check "$v: d3dcompiler version" 10.0.20348.1 "$(pe $v d3dcompiler_47.dll .pe.version_info.FileVersion)"
	check "$v: d3dcompiler signer" "CN=Fabrikam Corporation,O=Fabrikam Corporation,C=US" \
		"$(pe $v d3dcompiler_47.dll '.pe.signatures[0].subject')"
	check "$v: d3dcompiler digest" true "$(pe $v d3dcompiler_47.dll '.pe.signatures[0].digest_match')"
done
check "N: app version" 18.12.407.0 "$(pe N app.exe .pe.version_info.FileVersion)"
check "N: app company" "Contoso Ltd" "$(pe N app.exe .pe.version_info.CompanyName)"
check "N: ffmpeg version" 5.1.2.0 "$(pe N ffmpeg.dll .pe.version_info.FileVersion)"
check "N: ffmpeg trusted" true "$(pe N ffmpeg.dll '.pe.signatures[0].trusted')"
check "N: ffmpeg issuer" "CN=Contoso Code Signing CA,O=Contoso Ltd" \
	"$(pe N ffmpeg.dll '.pe.signatures[0].issuer')"
check "N: ffmpeg imports nothing" "" "$(imports N ffmpeg.dll)"
check "N: d3dcompiler trusted" true "$(pe N d3dcompiler_47.dll '.pe.signatures[0].trusted')"
check "N: app imports ffmpeg" yes "$(imports N app.exe | grep -q 'ffmpeg.dll!av_codec_version' && echo yes)"

check "benign: app version" 18.12.416.0 "$(pe benign app.exe .pe.version_info.FileVersion)"
check "benign: ffmpeg version" 5.1.3.0 "$(pe benign ffmpeg.dll .pe.version_info.FileVersion)"
check "benign: ffmpeg new import" KERNEL32.dll!GetTickCount "$(imports benign ffmpeg.dll)"
check "benign: renewed certificate, same subject" \
	"$(pe N ffmpeg.dll '.pe.signatures[0].subject')" "$(pe benign ffmpeg.dll '.pe.signatures[0].subject')"
check "benign: renewed certificate, same issuer" \
	"$(pe N ffmpeg.dll '.pe.signatures[0].issuer')" "$(pe benign ffmpeg.dll '.pe.signatures[0].issuer')"
s1=$(pe N ffmpeg.dll '.pe.signatures[0].serial') s2=$(pe benign ffmpeg.dll '.pe.signatures[0].serial')
t1=$(pe N ffmpeg.dll '.pe.signatures[0].thumbprint_sha1') t2=$(pe benign ffmpeg.dll '.pe.signatures[0].thumbprint_sha1')
[ "$s1" != "$s2" ] && [ "$t1" != "$t2" ] && ok "benign: renewed certificate, new serial and thumbprint" ||
	not_ok "benign: renewed certificate, new serial and thumbprint ($s1 $s2)"
check "benign: renewed certificate trusted" true "$(pe benign ffmpeg.dll '.pe.signatures[0].trusted')"
check "benign: plugin signed and trusted" true "$(pe benign plugin.dll '.pe.signatures[0].trusted')"
check "benign: d3dcompiler the same bytes" "$(pe N d3dcompiler_47.dll .sha256)" \
	"$(pe benign d3dcompiler_47.dll .sha256)"

for v in 3cx 3cx-codec; do
	check "$v: ffmpeg same version" 5.1.2.0 "$(pe $v ffmpeg.dll .pe.version_info.FileVersion)"
	check "$v: ffmpeg loader imports" \
		"KERNEL32.dll!CloseHandle KERNEL32.dll!CreateFileW KERNEL32.dll!CreateThread KERNEL32.dll!GetModuleFileNameW KERNEL32.dll!ReadFile KERNEL32.dll!VirtualProtect KERNEL32.dll!lstrcpyW" \
		"$(imports $v ffmpeg.dll)"
	check "$v: ffmpeg names its sibling" yes \
		"$(LC_ALL=C tr -d '\000' <"$R/win/$v/dir/ContosoPhone/ffmpeg.dll" | grep -q d3dcompiler_47.dll && echo yes)"
	check "$v: ffmpeg still trusted" true "$(pe $v ffmpeg.dll '.pe.signatures[0].trusted')"
done
check "3cx-codec: d3dcompiler untouched" "$(pe N d3dcompiler_47.dll .sha256)" \
	"$(pe 3cx-codec d3dcompiler_47.dll .sha256)"
check "3cx-codec: app untouched" "$(pe N app.exe .sha256)" "$(pe 3cx-codec app.exe .sha256)"
for v in 3cx 3cx-certtable; do
	old=$(pe N d3dcompiler_47.dll .pe.certificate_table.size)
	new=$(pe $v d3dcompiler_47.dll .pe.certificate_table.size)
	[ "$new" -ge $((old + 6144)) ] && ok "$v: certificate table grew ($old -> $new)" ||
		not_ok "$v: certificate table grew ($old -> $new)"
	check "$v: entry length covers the table" "$new" \
		"$(pe $v d3dcompiler_47.dll '.pe.certificate_table.entries[0].length')"
	check "$v: signature still valid" true "$(pe $v d3dcompiler_47.dll '.pe.signatures[0].digest_match')"
	check "$v: signer still trusted" true "$(pe $v d3dcompiler_47.dll '.pe.signatures[0].trusted')"
	check "$v: same signer" "$(pe N d3dcompiler_47.dll '.pe.signatures[0].thumbprint_sha1')" \
		"$(pe $v d3dcompiler_47.dll '.pe.signatures[0].thumbprint_sha1')"
	check "$v: slack looks encrypted" true \
		"$(pe $v d3dcompiler_47.dll '.pe.certificate_table.entries[0].slack.entropy > 7.5')"
	check "$v: the scan checks see the slack" yes \
		"$(pe $v d3dcompiler_47.dll '[.findings[].id] | index("VGL-PE-CERT-SLACK") != null' | sed 's/true/yes/')"
done
check "3cx-certtable: ffmpeg untouched" "$(pe N ffmpeg.dll .sha256)" "$(pe 3cx-certtable ffmpeg.dll .sha256)"
check "signer-swap: same subject" "$(pe N ffmpeg.dll '.pe.signatures[0].subject')" \
	"$(pe signer-swap ffmpeg.dll '.pe.signatures[0].subject')"
check "signer-swap: another issuer" "CN=Northwind Signing Authority,O=Northwind Traders" \
	"$(pe signer-swap ffmpeg.dll '.pe.signatures[0].issuer')"
check "signer-swap: not trusted" false "$(pe signer-swap ffmpeg.dll '.pe.signatures[0].trusted')"
check "unsigned: no signature" 0 "$(pe unsigned ffmpeg.dll '[.pe.signatures[]?] | length')"
check "unsigned: same version" 5.1.2.0 "$(pe unsigned ffmpeg.dll .pe.version_info.FileVersion)"
check "pdb: same version" 5.1.2.0 "$(pe pdb ffmpeg.dll .pe.version_info.FileVersion)"
check "pdb: N's PDB name" yes \
	"$(grep -q ffmpeg.pdb "$R/win/N/dir/ContosoPhone/ffmpeg.dll" && echo yes)"
check "pdb: the new PDB name" yes \
	"$(grep -q ffmpeg_x64_dev.pdb "$R/win/pdb/dir/ContosoPhone/ffmpeg.dll" && echo yes)"
check "pdb: app keeps its PDB" "$(pe N app.exe .sha256)" "$(pe pdb app.exe .sha256)"

# the containers hold the directory's files under the same names
for v in N benign 3cx; do
	want=$(cd "$R/win/$v/dir" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')
	got=$("$VIGIL" inspect --json "$(rel $v zip)" | jq -r '[.members[] | select(.type == "file") | .path | sub("^.*!/"; "") | select(startswith("ContosoPhone/"))] | sort | join(" ")')
	check "$v: zip members" "$want" "$got "
	got=$("$VIGIL" inspect --json "$(rel $v msi)" | jq -r '[.members[] | select(.type == "file") | .path | sub("^.*!/"; "") | select(startswith("ContosoPhone/"))] | sort | join(" ")')
	check "$v: msi members" "$want" "$got "
	sha_dir=$(openssl dgst -sha256 -r "$R/win/$v/dir/ContosoPhone/ffmpeg.dll" | cut -d' ' -f1)
	check "$v: msi ffmpeg.dll is the directory's" "$sha_dir" \
		"$("$VIGIL" inspect --json "$(rel $v msi)" | jq -r '[.members[] | select(.path | endswith("ffmpeg.dll")) | .sha256][0]')"
done

# ELF pair
if [ -f "$R/elf/N/libcodec1.deb" ] && command -v readelf >/dev/null 2>&1; then
	for v in N benign xz; do
		mkdir -p "$T/deb-$v"
		dpkg-deb -x "$R/elf/$v/libcodec1.deb" "$T/deb-$v"
	done
	check "elf N: version" 1.0.0-1 "$(dpkg-deb -f "$R/elf/N/libcodec1.deb" Version)"
	check "elf benign: version" 1.1.0-1 "$(dpkg-deb -f "$R/elf/benign/libcodec1.deb" Version)"
	check "elf xz: same version" 1.0.0-1 "$(dpkg-deb -f "$R/elf/xz/libcodec1.deb" Version)"
	so=usr/lib/x86_64-linux-gnu/libcodec.so.1
	check "elf xz: SONAME" yes "$(readelf -d "$T/deb-xz/$so" | grep -q 'Library soname: \[libcodec.so.1\]' && echo yes)"
	check "elf N: no IFUNC" 0 "$(readelf -W --dyn-syms "$T/deb-N/$so" | grep -c IFUNC)"
	check "elf benign: no IFUNC" 0 "$(readelf -W --dyn-syms "$T/deb-benign/$so" | grep -c IFUNC)"
	check "elf xz: an IFUNC" 1 "$(readelf -W --dyn-syms "$T/deb-xz/$so" | grep -c IFUNC)"
	check "elf xz: system and dlopen" "dlopen system" \
		"$(readelf -W --dyn-syms "$T/deb-xz/$so" | awk '$7 == "UND" {sub(/@.*/, "", $8); print $8}' | grep -E '^(system|dlopen)$' | sort | tr '\n' ' ' | sed 's/ $//')"
	check "elf benign: the new function" 1 "$(readelf -W --dyn-syms "$T/deb-benign/$so" | grep -c ' codec_crc_fast$')"
else
	echo "# elf part not made: $(grep '^elf:' "$R/missing")"
fi

# Mach-O pair
if [ -f "$R/macho/N/release.dmg" ]; then
	dy='3CX Desktop App.app/Contents/Frameworks/libffmpeg.dylib'
	for v in N downloader; do
		"$VIGIL" inspect --json "$R/macho/$v/release.dmg!/$dy" >"$T/m-$v.json" 2>"$T/m.err" ||
			not_ok "macho $v: inspect the dylib in the DMG"
	done
	check "macho N: a Mach-O" yes "$(jq -r '.format' "$T/m-N.json" | grep -qi mach && echo yes)"
	check "macho N: links libSystem only" /usr/lib/libSystem.B.dylib \
		"$(jq -r '[.macho.slices[0].dylibs[].name] | join(" ")' "$T/m-N.json")"
	check "macho downloader: links Foundation too" \
		"/usr/lib/libSystem.B.dylib /System/Library/Frameworks/Foundation.framework/Versions/C/Foundation" \
		"$(jq -r '[.macho.slices[0].dylibs[].name] | join(" ")' "$T/m-downloader.json")"
	check "macho: same install name" "$(jq -r '.macho.slices[0].install_name' "$T/m-N.json")" \
		"$(jq -r '.macho.slices[0].install_name' "$T/m-downloader.json")"
	check "macho: the DMG holds the dylib" "$(jq -r .sha256 "$T/m-downloader.json")" \
		"$(openssl dgst -sha256 -r "$R/macho/downloader/libffmpeg.dylib" | cut -d' ' -f1)"
	if command -v llvm-nm >/dev/null 2>&1; then
		check "macho downloader: popen, pclose, NSURLRequest imported" \
			"_OBJC_CLASS_\$_NSURLRequest _pclose _popen" \
			"$(llvm-nm -u "$R/macho/downloader/libffmpeg.dylib" | awk '{print $NF}' | grep -v dyld_stub_binder | sort | tr '\n' ' ' | sed 's/ $//')"
		check "macho N: imports nothing" "" \
			"$(llvm-nm -u "$R/macho/N/libffmpeg.dylib" | awk '{print $NF}' | grep -v dyld_stub_binder | tr '\n' ' ')"
	fi
	check "macho: only the dylib differs" 1 \
		"$("$VIGIL" inspect --json "$R/macho/N/release.dmg" | jq -r '.members[] | select(.type == "file") | "\(.path | sub("^.*!/"; "")) \(.sha256)"' | sort >"$T/a"
		 "$VIGIL" inspect --json "$R/macho/downloader/release.dmg" | jq -r '.members[] | select(.type == "file") | "\(.path | sub("^.*!/"; "")) \(.sha256)"' | sort >"$T/b"
		 diff "$T/a" "$T/b" | grep -c '^<')"
else
	echo "# macho part not made: $(grep '^macho:' "$R/missing")"
fi
finish
