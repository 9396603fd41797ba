#!/bin/sh
# vigil baseline on a tree of copies of real binaries: a content change
# with the mtime restored (caught by check, and by --fast because ctime
# changed), setuid, files added and removed, a retargeted symlink, an
# xattr (setfattr), an ACL (setfacl), a capability; what --fast trusts
# (a row whose SHA-256 no longer matches, with an unchanged stat tuple);
# and a signed baseline refused after a row was edited in the store.
. "$VIGIL_TEST_SRC/tests/e2e/lib/common.sh"
need setfattr
need setfacl
need python3
python3 -c 'import sqlite3' 2>/dev/null || { echo "skip: python3 without sqlite3"; exit 77; }
S=$T/b.db
W=$T/tree
mkdir -p "$W/bin" "$W/lib"
cp /bin/ls /bin/cat /bin/sh "$W/bin/"
for f in /usr/lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libc.so.6; do
	[ -f "$f" ] && { cp "$f" "$W/lib/"; break; }
done
ln -s ls "$W/bin/list"
printf 'gone soon\n' >"$W/bin/old"
W=$(cd "$W" && pwd -P)

run_vigil baseline init --store "$S" "$W"
check "init exit" 0 "$rc"
run_vigil baseline check --store "$S"
check "unchanged: exit 0" 0 "$rc"

# content changed, mtime restored
touch -r "$W/bin/cat" "$T/ref"
printf 'X' | dd of="$W/bin/cat" bs=1 seek=100 conv=notrunc 2>/dev/null
touch -r "$T/ref" "$W/bin/cat"
run_vigil baseline check --store "$S" --json "$W/bin/cat"
check "content change (mtime restored): exit 1" 1 "$rc"
check "sha256 reported" 1 "$(grep -c '"name":"sha256"' "$T/out")"
check "mtime not reported (restored)" 0 "$(grep -c '"name":"mtime"' "$T/out" || true)"
check "ctime reported" 1 "$(grep -c '"name":"ctime"' "$T/out")"
run_vigil baseline check --store "$S" --json --fast "$W/bin/cat"
check "--fast: caught, ctime changed" 1 "$(grep -c '"name":"sha256"' "$T/out")"

chmod u+s "$W/bin/ls"
printf 'new\n' >"$W/bin/dropped"
rm "$W/bin/old"
ln -sfn cat "$W/bin/list"
setfattr -n user.vigil -v planted "$W/bin/sh"
setfacl -m u:nobody:rwx "$W/lib"
caps=0
if setfattr -n security.capability -v 0x0100000200200000000000000000000000000000 "$W/bin/cat" 2>/dev/null; then
	caps=1
fi
run_vigil baseline check --store "$S" --json
check "changes: exit 1" 1 "$rc"
grep '"type":"baseline"' "$T/out" >"$T/changes"
has() { grep -F "$1" "$T/changes" | grep -c -F "$2" || true; }
check "setuid" 1 "$(has "\"path\":\"$W/bin/ls\"" '{"name":"perm","old":"0755","new":"4755"}')"
check "added" 1 "$(has "\"path\":\"$W/bin/dropped\"" '"change":"added"')"
check "removed" 1 "$(has "\"path\":\"$W/bin/old\"" '"change":"removed"')"
check "symlink retargeted" 1 "$(has "\"path\":\"$W/bin/list\"" '{"name":"link","old":"ls","new":"cat"}')"
check "xattr" 1 "$(has "\"path\":\"$W/bin/sh\"" '{"name":"xattr:user.vigil","old":null,"new":"706c616e746564"}')"
check "acl" 1 "$(has "\"path\":\"$W/lib\"" '{"name":"acl_access","old":null')"
if [ "$caps" = 1 ]; then
	check "capability" 1 "$(has "\"path\":\"$W/bin/cat\"" '{"name":"caps","old":null,"new":"0100000200200000000000000000000000000000"}')"
fi

run_vigil baseline update --store "$S"
check "update exit" 0 "$rc"
run_vigil baseline check --store "$S"
check "after update: no change" 0 "$rc"

# --fast trusts the stat tuple: a stored SHA-256 that no longer matches
# the bytes (as after a write the kernel's clock did not see) is missed
# by --fast and caught by the full check
python3 - "$S" "$W/bin/sh" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE baseline_files SET sha256 = ? WHERE path = ?", ("0" * 64, sys.argv[2]))
db.commit()
PY
run_vigil baseline check --store "$S" --fast --json
check "--fast trusts the unchanged tuple" 0 "$rc"
run_vigil baseline check --store "$S"
check "full check rehashes" 1 "$rc"

# signatures
run_vigil baseline keygen "$T/site.key"
check "keygen" 0 "$rc"
run_vigil baseline update --store "$S" --sign "$T/site.key"
run_vigil baseline check --store "$S" --key "$T/site.key.pub"
check "signed: verified, exit 0" 0 "$rc"
python3 - "$S" "$W/bin/ls" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE baseline_files SET mode = 33261 WHERE path = ?", (sys.argv[2],))
db.commit()
PY
run_vigil baseline check --store "$S" --key "$T/site.key.pub"
check "tampered row: refused" 2 "$rc"
check "refusal names the signature" 1 "$(grep -c 'signature does not verify' "$T/err")"
run_vigil baseline check --store "$S"
check "without --key the tampered row is compared as it stands" 1 "$rc"
finish
