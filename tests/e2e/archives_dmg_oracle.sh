#!/bin/sh
# The DMG test images checked by tools written independently of vigil, so
# that mkdmg (the oracle of tests/unit/test_dmg.c) writes what the formats
# say: dmg2img must turn each UDIF image (zlib, raw, zero/ignore, bzip2
# chunks) into exactly the disk mkdmg meant, and 7-Zip must extract the
# HFS+ volume's files with the SHA-256s mkdmg put in (the fragmented
# libffmpeg.dylib through the extents-overflow tree). vigil's readers
# (through tests/tools/dmgls) must then give 7-Zip's bytes, from the bare
# volume and from the image, and every line of mkdmg's manifest. Skipped
# (77) when neither tool is installed (hfsprogs, whose fsck.hfsplus would
# check more, is not in Debian 12).
. "$(dirname "$0")/lib/common.sh"
need sha256sum
MK=$VIGIL_TEST_BIN/mkdmg
have=0

if command -v dmg2img >/dev/null 2>&1; then
	have=1
	for v in "" --bzip2 --small --hfsx; do
		"$MK" $v --raw "$T/want.img" "$T/x.dmg"
		rm -f "$T/got.img"
		dmg2img "$T/x.dmg" "$T/got.img" >"$T/d2i.log" 2>&1 || true
		check "dmg2img converts the image ($v)" \
			"$(sha256sum <"$T/want.img" | cut -d' ' -f1)" \
			"$(sha256sum <"$T/got.img" 2>/dev/null | cut -d' ' -f1)"
	done
fi

if command -v 7z >/dev/null 2>&1; then
	have=1
	for v in "" --small --hfsx; do
		"$MK" $v --hfs "$T/v.hfs" --manifest "$T/man" "$T/x.dmg"
		rm -rf "$T/x"
		7z x -y -o"$T/x" "$T/v.hfs" >"$T/7z.log" 2>&1 || true
		# 7-Zip puts the files under the volume's name
		root="$T/x/3CX Desktop App"
		n=0
		while read -r type sum path; do
			case $type in
			file)
				case $path in */..namedfork/rsrc) continue ;; esac
				got=$(sha256sum <"$root/$path" 2>/dev/null | cut -d' ' -f1)
				check "7z extracts '$path' ($v)" "$sum" "$got"
				n=$((n + 1)) ;;
			dir)
				[ -d "$root/$path" ] && ok "7z lists folder '$path' ($v)" ||
					not_ok "7z lists folder '$path' ($v)" ;;
			esac
		done <"$T/man"
		check "files compared ($v)" 4 "$n"
		# vigil's own readers against 7-Zip: every file they yield from the
		# volume and from the image has 7-Zip's bytes
		for src in "$T/v.hfs" "$T/x.dmg"; do
			"$VIGIL_TEST_BIN/dmgls" "$src" >"$T/ls" || not_ok "dmgls reads $src ($v)"
			m=0
			while read -r type sum path; do
				[ "$type" = file ] || continue
				case $path in */..namedfork/rsrc | "free space"*) continue ;; esac
				check "vigil reads '$path' as 7z does ($v)" \
					"$(sha256sum <"$root/$path" 2>/dev/null | cut -d' ' -f1)" "$sum"
				m=$((m + 1))
			done <"$T/ls"
			check "files read by vigil ($v, ${src##*/})" 4 "$m"
			while read -r line; do
				grep -qxF "$line" "$T/ls" && ok "vigil yields '$line' ($v)" ||
					not_ok "vigil yields '$line' ($v)"
			done <"$T/man"
		done
	done
fi
[ "$have" -eq 1 ] || { echo "skip: neither dmg2img nor 7z installed"; exit 77; }
finish
