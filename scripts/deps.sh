#!/bin/sh
# Install the Debian 12 packages vigil needs to build and test, if missing.
set -eu

PKGS="build-essential cmake pkg-config
libyara-dev yara libssl-dev openssl libpcre2-dev libjansson-dev
libarchive-dev libsqlite3-dev libbz2-dev libelf-dev libzstd-dev zlib1g-dev libpsl-dev libcmocka-dev
libgsf-1-dev msitools wixl libfuzzy-dev
clang libclang-rt-14-dev lld gcc-mingw-w64-x86-64 osslsigncode
gzip zstd xz-utils bzip2 lz4 jq dmg2img ca-certificates debsums
zip 7zip p7zip-full gcab xorriso rpm libarchive-tools cpio binutils
python3-jsonschema libpq-dev postgresql
pandoc shellcheck cppcheck gcovr zsh
attr acl aide"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
