#!/bin/sh
# vigil pkg verify on a temporary dpkg root: tiny packages built with
# dpkg-deb and installed with dpkg --root (never the host's database),
# then a binary changed with its mtime restored, a missing file, a changed
# conffile, a diverted file, a file replaced by a symlink, an unowned
# executable, a file under /usr/local, and cached .debs: one whose digest
# apt's list contradicts, one the list vouches for whose md5sums were
# rewritten with the file. Asserts the exact set of findings.
. "$VIGIL_TEST_SRC/tests/e2e/lib/common.sh"
need dpkg
need dpkg-deb
need dpkg-divert
need jq
need sha256sum

R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" \
	"$R/usr/bin" "$R/usr/lib" "$R/var/cache/apt/archives" "$R/var/lib/apt/lists"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
ln -s usr/bin "$R/bin"   # a merged /usr, as on Debian 12
ln -s usr/lib "$R/lib"

# mkpkg NAME VERSION ARCH: build $T/NAME.deb from $T/src/NAME
mkpkg() {
	d=$T/src/$1
	mkdir -p "$d/DEBIAN"
	printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@example.org>\nDescription: test\n' \
		"$1" "$2" "$3" >"$d/DEBIAN/control"
	if [ -d "$d/etc" ]; then
		(cd "$d" && find etc -type f | sed 's|^|/|') >"$d/DEBIAN/conffiles"
	fi
	(cd "$d" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' |
		sort | xargs -d '\n' md5sum) >"$d/DEBIAN/md5sums"
	dpkg-deb --root-owner-group -Zgzip --build "$d" "$T/$1.deb" >/dev/null
}
install_pkg() {
	dpkg --root="$R" --force-not-root --force-script-chrootless \
		--force-unsafe-io --force-depends --force-architecture -i "$1" \
		>"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log"; exit 1; }
}

s=$T/src/vgt-tool
mkdir -p "$s/usr/bin" "$s/etc/vgt" "$s/usr/share/vgt" "$s/bin"
cp /bin/true "$s/usr/bin/vgt-hello"
printf 'gone\n' >"$s/usr/bin/vgt-gone"
printf '#!/bin/sh\necho old\n' >"$s/bin/vgt-old"   # installed through /bin -> usr/bin
chmod 755 "$s/usr/bin/vgt-gone" "$s/bin/vgt-old"
printf 'setting=1\n' >"$s/etc/vgt/vgt.conf"
printf 'data\n' >"$s/usr/share/vgt/data.txt"
printf 'spaced\n' >"$s/usr/share/vgt/with space.txt"
printf 'linked\n' >"$s/usr/share/vgt/linked.txt"
mkpkg vgt-tool 1:1.0-1 amd64

s=$T/src/vgt-divert
mkdir -p "$s/usr/bin"
printf '#!/bin/sh\necho packaged\n' >"$s/usr/bin/vgt-div"
chmod 755 "$s/usr/bin/vgt-div"
mkpkg vgt-divert 1.0 all

s=$T/src/vgt-badcache
mkdir -p "$s/usr/share/vgt-badcache"
printf 'b\n' >"$s/usr/share/vgt-badcache/b.txt"
mkpkg vgt-badcache 2.0 amd64

s=$T/src/vgt-cached
mkdir -p "$s/usr/share/vgt-cached"
printf 'c\n' >"$s/usr/share/vgt-cached/c.txt"
printf 'd\n' >"$s/usr/share/vgt-cached/d.txt"
mkpkg vgt-cached 3.0 amd64

dpkg-divert --root="$R" --admindir="$R/var/lib/dpkg" --local --rename \
	--divert /usr/bin/vgt-div.distrib --add /usr/bin/vgt-div >/dev/null
for p in vgt-tool vgt-divert vgt-badcache vgt-cached; do install_pkg "$T/$p.deb"; done
[ -f "$R/usr/bin/vgt-div.distrib" ] && [ -f "$R/usr/bin/vgt-old" ] ||
	{ echo "dpkg --root did not install as expected"; exit 1; }
printf '#!/bin/sh\necho local replacement\n' >"$R/usr/bin/vgt-div"
chmod 755 "$R/usr/bin/vgt-div"

# the cached .debs and an apt list: one digest wrong, one right
cp "$T/vgt-badcache.deb" "$R/var/cache/apt/archives/vgt-badcache_2.0_amd64.deb"
cp "$T/vgt-cached.deb" "$R/var/cache/apt/archives/vgt-cached_3.0_amd64.deb"
cp "$T/vgt-tool.deb" "$R/var/cache/apt/archives/vgt-tool_1%3a1.0-1_amd64.deb"
# write_list SHA256-OF-vgt-badcache
write_list() {
	{
		printf 'Package: vgt-badcache\nVersion: 2.0\nArchitecture: amd64\nSHA256: %s\n\n' "$1"
		printf 'Package: vgt-cached\nVersion: 3.0\nArchitecture: amd64\nSHA256: %s\n\n' \
			"$(sha256sum "$T/vgt-cached.deb" | cut -d' ' -f1)"
		printf 'Package: vgt-tool\nDescription: multi-line\n continued\n .\nVersion: 1:1.0-1\nArchitecture: amd64\nSHA256: %s\n' \
			"$(sha256sum "$T/vgt-tool.deb" | cut -d' ' -f1)"
	} | gzip >"$R/var/lib/apt/lists/test_dists_t_main_binary-amd64_Packages.gz"
}
write_list "$(sha256sum "$T/vgt-badcache.deb" | cut -d' ' -f1)"

# the clean state: nothing to report but the unowned files added below
run_vigil pkg verify --root "$R" --json
check "clean root: exit 0" 0 "$rc"
check "clean root: no finding" "" "$(jq -r 'select(.type == "package") | .finding.id' "$T/out")"
check "clean root: 3 .debs compared" 3 "$(jq -r 'select(.type == "summary") | .debs' "$T/out")"

# the changes
write_list "$(printf '%064d' 0)"
f=$R/usr/bin/vgt-hello
touch -r "$f" "$T/mtime"
printf 'IMPLANT' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
touch -r "$T/mtime" "$f"
rm "$R/usr/bin/vgt-gone"
printf 'admin=1\n' >>"$R/etc/vgt/vgt.conf"
printf 'changed\n' >"$R/usr/bin/vgt-div.distrib"
printf 'spaced!\n' >"$R/usr/share/vgt/with space.txt"
rm "$R/usr/share/vgt/linked.txt"
ln -s /etc/hostname "$R/usr/share/vgt/linked.txt"
printf '#!/bin/sh\necho implant\n' >"$R/usr/bin/implant"
chmod 755 "$R/usr/bin/implant"
printf 'not executable\n' >"$R/usr/lib/plain.cache"
mkdir -p "$R/usr/local/bin"
cp /bin/true "$R/usr/local/bin/localtool"
# the md5sums rewritten along with the file: only the .deb tells
printf 'D\n' >"$R/usr/share/vgt-cached/d.txt"
sed -i "s|^[0-9a-f]*  usr/share/vgt-cached/d.txt|$(md5sum <"$R/usr/share/vgt-cached/d.txt" | cut -d' ' -f1)  usr/share/vgt-cached/d.txt|" \
	"$R/var/lib/dpkg/info/vgt-cached.md5sums"

run_vigil pkg verify --root "$R" --json
check "changed root: exit 1" 1 "$rc"
got=$(jq -r 'select(.type == "package") | [.finding.id, (.package // "-"), (.path // "-"), (.disk_path // "-")] | join(" ")' "$T/out")
want="VGL-PKG-DEB-DIGEST vgt-badcache:amd64 /var/cache/apt/archives/vgt-badcache_2.0_amd64.deb -
VGL-PKG-DEB-MISMATCH vgt-cached:amd64 /usr/share/vgt-cached/d.txt -
VGL-PKG-CHANGED vgt-divert /usr/bin/vgt-div /usr/bin/vgt-div.distrib
VGL-PKG-MISSING vgt-tool:amd64 /usr/bin/vgt-gone -
VGL-PKG-CHANGED vgt-tool:amd64 /usr/bin/vgt-hello -
VGL-PKG-REPLACED vgt-tool:amd64 /usr/share/vgt/linked.txt -
VGL-PKG-CHANGED vgt-tool:amd64 /usr/share/vgt/with space.txt -
VGL-PKG-CONFFILE-CHANGED vgt-tool:amd64 /etc/vgt/vgt.conf -
VGL-PKG-UNOWNED - /usr/bin/implant -
VGL-PKG-UNMANAGED - /usr/local/bin/localtool -"
check "changed root: the exact findings" "$want" "$got"
check "changed binary: the digests" \
	"md5 $(md5sum <"$T/src/vgt-tool/usr/bin/vgt-hello" | cut -d' ' -f1) $(md5sum <"$f" | cut -d' ' -f1)" \
	"$(jq -r 'select(.finding.id == "VGL-PKG-CHANGED" and .path == "/usr/bin/vgt-hello") | "\(.digest) \(.expected) \(.actual)"' "$T/out")"
check "levels" "alert alert alert notice alert alert alert notice warning none" \
	"$(jq -r 'select(.type == "package") | .finding.level' "$T/out" | tr '\n' ' ' | sed 's/ $//')"

# a conffile change alone is a notice: exit 0
run_vigil pkg verify --root "$R" vgt-tool:amd64 --no-debs
check "one package named: only its findings" "VGL-PKG-MISSING VGL-PKG-CHANGED VGL-PKG-REPLACED VGL-PKG-CHANGED VGL-PKG-CONFFILE-CHANGED" \
	"$(grep -v '^[0-9]* packages' "$T/out" | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')"
check "one package named: no other package in the text" "" "$(grep -c vgt-div "$T/out" | grep -v '^0$' || true)"
run_vigil pkg verify --root "$R" --no-unowned --min-score 81 vgt-tool
check "--min-score above every finding: exit 0" 0 "$rc"

# a named package that is not installed: exit 2, named
run_vigil pkg verify --root "$R" no-such-package
check "unknown package: exit 2" 2 "$rc"
check "unknown package: named" 1 "$(grep -c "no-such-package: error: package not installed" "$T/err")"

# malformed databases: diagnostics with file and line, the run goes on
printf 'Package: vgt-tool\nStatus install ok installed\n garbage\n' >>"$R/var/lib/dpkg/status"
printf 'not-an-md5  usr/x\n' >>"$R/var/lib/dpkg/info/vgt-divert.md5sums"
run_vigil pkg verify --root "$R" --no-unowned vgt-divert
check "malformed lines: still verified" 1 "$rc"
check "malformed status line named" 1 "$(grep -c "status:[0-9]*: warning: malformed line skipped: no ':'" "$T/err")"
check "malformed md5sums line named" 1 "$(grep -c "vgt-divert.md5sums:2: warning: malformed line skipped" "$T/err")"

# no database: exit 2
mkdir -p "$T/empty"
run_vigil pkg verify --root "$T/empty"
check "no dpkg database: exit 2" 2 "$rc"
check "no dpkg database: said" 1 "$(grep -c 'no dpkg database' "$T/err")"
finish
