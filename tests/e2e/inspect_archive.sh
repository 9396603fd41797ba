#!/bin/sh
# `vigil inspect` on containers, with fixtures built here: a mingw DLL
# signed under a throwaway CA (tests/e2e/lib/pe_fixtures.sh) and an unsigned
# one in a zip, the zip in a tar.gz beside a text file.
#  1. the member tree: every member's path in the notation, depth, type,
#     declared size and SHA-256 equal to those of the source files, the
#     zip opened, the signature summary of both DLLs (text and --json);
#  2. a nested member named by its path is inspected as a file: its
#     sections and signer appear; a member that is not there, or a path
#     whose container does not exist, is exit 2 naming container and member;
#  3. a zip cut short: its readable member is listed, the cut one is a
#     "damaged" record naming it, and the exit status stays 0 (damage is
#     reported, not a finding, as in `vigil scan`).
. "$(dirname "$0")/lib/common.sh"
: "${VIGIL_TEST_SRC:?}"
need jq
need zip
need tar
need gzip
need sha256sum
. "$VIGIL_TEST_SRC/tests/e2e/lib/pe_fixtures.sh"
build_signed_pe "$T/sign"
export LC_ALL=C

mkdir -p "$T/src/app" "$T/outer"
cp "$T/sign/signed.dll" "$T/src/app/signed.dll"
cp "$T/sign/tiny.dll" "$T/src/app/plain.dll"
printf 'read me\n' >"$T/src/app/readme.txt"
(cd "$T/src" && zip -q -X ../outer/inner.zip app/readme.txt app/signed.dll app/plain.dll)
printf 'a note\n' >"$T/outer/note.txt"
(cd "$T/outer" && tar cf - note.txt inner.zip) | gzip -n >"$T/pack.tar.gz"
P="$T/pack.tar.gz"
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { wc -c <"$1" | tr -d ' '; }

# 1. the tree, JSON
run_vigil inspect --json "$P"
check "tree: exit" 0 "$rc"
check "tree: one record" 1 "$(wc -l <"$T/out" | tr -d ' ')"
q() { jq -r "$1" "$T/out"; }
check "tree: paths and depths" \
"$P!/note.txt 1 file
$P!/inner.zip 1 file
$P!/inner.zip!/app/readme.txt 2 file
$P!/inner.zip!/app/signed.dll 2 file
$P!/inner.zip!/app/plain.dll 2 file" \
	"$(q '.members[] | "\(.path) \(.depth) \(.type)"')"
for f in note.txt inner.zip; do
	check "tree: $f size and sha256" "$(size "$T/outer/$f") $(sha "$T/outer/$f")" \
		"$(jq -r --arg p "$P!/$f" '.members[] | select(.path == $p) | "\(.size) \(.sha256)"' "$T/out")"
done
for f in readme.txt signed.dll plain.dll; do
	check "tree: $f size and sha256" "$(size "$T/src/app/$f") $(sha "$T/src/app/$f")" \
		"$(jq -r --arg p "$P!/inner.zip!/app/$f" \
			'.members[] | select(.path == $p) | "\(.size) \(.sha256)"' "$T/out")"
done
check "tree: md5 of the zip" "$(md5sum "$T/outer/inner.zip" | cut -d' ' -f1)" \
	"$(jq -r --arg p "$P!/inner.zip" '.members[] | select(.path == $p) | .md5' "$T/out")"
check "tree: the zip was opened" "true" \
	"$(jq -r --arg p "$P!/inner.zip" '.members[] | select(.path == $p) | .opened' "$T/out")"
check "tree: signed DLL summary" "PE true CN=vigil test code signing true" \
	"$(jq -r --arg p "$P!/inner.zip!/app/signed.dll" '.members[] | select(.path == $p) |
		.binary | "\(.format) \(.signed) \(.signer) \(.digest_match)"' "$T/out")"
check "tree: unsigned DLL summary" "PE false" \
	"$(jq -r --arg p "$P!/inner.zip!/app/plain.dll" '.members[] | select(.path == $p) |
		.binary | "\(.format) \(.signed)"' "$T/out")"
check "tree: text member has no binary summary" "null" \
	"$(jq -r --arg p "$P!/note.txt" '.members[] | select(.path == $p) | .binary' "$T/out")"

# 1b. the tree, text
run_vigil inspect "$P"
check "text: exit" 0 "$rc"
check "text: member count" "members: 5" "$(grep '^members:' "$T/out")"
check "text: nested member indented" "1" \
	"$(grep -c "^    $P!/inner.zip!/app/signed.dll  \[" "$T/out")"
check "text: signed summary" "1" \
	"$(grep -c '^      PE, signed by CN=vigil test code signing, digest matches$' "$T/out")"
check "text: sha256 of the DLL" "1" "$(grep -c "sha256 $(sha "$T/src/app/signed.dll")" "$T/out")"

# 2. a nested member by its path
run_vigil inspect --json "$P!/inner.zip!/app/signed.dll"
check "member: exit" 0 "$rc"
check "member: path, format, sha256" "$P!/inner.zip!/app/signed.dll PE $(sha "$T/src/app/signed.dll")" \
	"$(q '"\(.path) \(.format) \(.sha256)"')"
check "member: .text section" "1" "$(q '[.pe.sections[] | select(.name == ".text")] | length')"
check "member: signer" "CN=vigil test code signing true" \
	"$(q '.pe.signatures[0] | "\(.subject) \(.digest_match)"')"
check "member: no member tree" "null" "$(q .members)"
run_vigil inspect "$P!/inner.zip!/app/signed.dll"
check "member text: sections" "1" "$(grep -c '^sections (' "$T/out")"

run_vigil inspect "$P!/inner.zip!/app/missing.dll"
check "missing member: exit" 2 "$rc"
check "missing member: message" "1" \
	"$(grep -c "$P: error: no member $P!/inner.zip!/app/missing.dll" "$T/err")"
run_vigil inspect "$T/nothere.zip!/x.dll"
check "missing container: exit" 2 "$rc"
# a file whose own name holds "!/" is inspected as that file
mkdir -p "$T/odd.zip!"
cp "$T/src/app/readme.txt" "$T/odd.zip!/x.txt"
run_vigil inspect --json "$T/odd.zip!/x.txt"
check "name with !/: the file wins" "0 $(sha "$T/src/app/readme.txt")" "$rc $(q .sha256)"

# 3. a zip cut short
head -c 3000 "$T/outer/inner.zip" >"$T/cut.zip"
run_vigil inspect --json "$T/cut.zip"
check "cut zip: exit" 0 "$rc"
check "cut zip: readable member" "ok $(sha "$T/src/app/readme.txt")" \
	"$(jq -r --arg p "$T/cut.zip!/app/readme.txt" '.members[] | select(.path == $p) | "\(.status) \(.sha256)"' "$T/out")"
check "cut zip: damaged record" "damaged" \
	"$(jq -r --arg p "$T/cut.zip!/app/signed.dll" '.members[] | select(.path == $p) | .status' "$T/out")"
check "cut zip: its detail" "true" \
	"$(jq -r --arg p "$T/cut.zip!/app/signed.dll" '.members[] | select(.path == $p) | .detail | length > 0' "$T/out")"
check "cut zip: warned on stderr" "1" "$(grep -c "$T/cut.zip!/app/signed.dll: warning: damaged" "$T/err")"
run_vigil inspect "$T/cut.zip!/app/signed.dll"
check "cut member by path: exit" 2 "$rc"
check "cut member by path: message" "1" "$(grep -c "$T/cut.zip!/app/signed.dll: error: member not read" "$T/err")"
finish
