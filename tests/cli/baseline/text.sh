#!/bin/sh
# a baseline of a small tree (no times or inodes in the selection, so the
# output is the same on every run), then a changed file, a setuid bit, a
# retargeted symlink, a file added and one removed
mkdir -p tree/sub
printf 'one\n' >tree/a
printf 'two\n' >tree/sub/b
printf 'three\n' >tree/c
chmod 0755 tree tree/sub tree/a tree/c
chmod 0644 tree/sub/b
ln -s a tree/link
printf '%s p+u+g+l+sha256\n!%s/skip\n' "$PWD/tree" "$PWD/tree" >rules
mkdir tree/skip
printf 'not recorded\n' >tree/skip/x
"$VIGIL" baseline init --store store.db --select rules
"$VIGIL" baseline check --store store.db
printf 'ONE\n' >tree/a
chmod u+s tree/c
ln -sfn c tree/link
printf 'new\n' >tree/sub/new
rm tree/sub/b
printf 'changed, but excluded\n' >tree/skip/x
"$VIGIL" baseline check --store store.db
echo "exit $?"
"$VIGIL" baseline check --store store.db tree/sub
echo "exit $?"
"$VIGIL" baseline update --store store.db tree/sub >/dev/null
"$VIGIL" baseline check --store store.db
