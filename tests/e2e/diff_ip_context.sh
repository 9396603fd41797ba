#!/bin/sh
# VGL-DIFF-NEW-IP only for strings that are IP addresses: not a PE's
# VERSIONINFO (ffmpeg.dll 5.1.2.0 -> 5.1.3.0 of tests/tools/mkrelease.sh),
# not a symbol version ("ZLIB_1.2.3.4" in libpng), not an OID spelled out
# ("1.3.101.110" in libcrypto, "2.5.4.3" in GnuTLS), not the tail of a
# longer token ("1.20.2.3H9C" in GnuTLS), as real libraries from /usr/lib
# carry them; a bare IP in a URL or a string still raises it.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need_command diff
make_releases

# new IPs of component NAME in $T/out, space-separated
new_ips() {
	comp "$1" | jq -r '[.signals[]? | select(.id == "VGL-DIFF-NEW-IP") | .detail.added[]] | join(" ")'
}

diff_json "$(rel N zip)" "$(rel benign zip)"
check "version bump: no NEW-IP on ffmpeg.dll" "" "$(new_ips ffmpeg.dll)"
check "version bump: it is a version change" absent "$(level ffmpeg.dll VGL-DIFF-SAME-VERSION)"
run_vigil snapshot "$(rel benign zip)" -o "$T/benign.json"
check "version bump: FileVersion and ProductVersion are facts" "5.1.3.0 5.1.3.0" \
	"$(jq -r '.components[] | select(.path | endswith("ffmpeg.dll")) | "\(.version) \(.product_version)"' "$T/benign.json")"
check "version bump: the version is no IP fact" "" \
	"$(jq -r '.components[] | select(.path | endswith("ffmpeg.dll")) | .ips | join(" ")' "$T/benign.json")"

L=/usr/lib/x86_64-linux-gnu
base=$L/libz.so.1
[ -f "$base" ] || { echo "skip: no $base"; exit 77; }
mkdir -p "$T/old" "$T/new"
cnt=0
for pair in "libpng16.so.16:1.2.3.4" "libcrypto.so.3:1.3.101.110" "libgnutls.so.30:2.5.4.3" \
	"libgnutls.so.30:1.20.2.3"; do
	lib=${pair%%:*} ip=${pair#*:}
	[ -f "$L/$lib" ] || continue
	# the string is in the library (else the case shows nothing)
	grep -aqF -- "$ip" "$L/$lib" || continue
	cnt=$((cnt + 1))
	cp "$base" "$T/old/lib$cnt.so"
	cp "$L/$lib" "$T/new/lib$cnt.so"
	eval "want$cnt=\$ip"
done
[ "$cnt" -gt 0 ] || { echo "skip: none of the libraries present"; exit 77; }
# a real library with real addresses added: a URL and a bare string
cp "$base" "$T/old/liburl.so"
cp "$base" "$T/new/liburl.so"
printf '\0fetch http://203.0.113.7/beacon now\0server 198.51.100.23\0' >>"$T/new/liburl.so"
diff_json "$T/old" "$T/new"
i=1
while [ "$i" -le "$cnt" ]; do
	eval "ip=\$want$i"
	got=$(new_ips "lib$i.so")
	case " $got " in
	*" $ip "*) not_ok "real library $i: '$ip' is no new IP"; echo "  got: $got" ;;
	*) ok "real library $i: '$ip' is no new IP" ;;
	esac
	i=$((i + 1))
done
check_has "URL host: a new IP" 203.0.113.7 "$(new_ips liburl.so)"
check_has "bare string: a new IP" 198.51.100.23 "$(new_ips liburl.so)"
check "bare IP: medium" medium "$(level liburl.so VGL-DIFF-NEW-IP)"
finish
