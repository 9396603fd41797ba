#!/bin/sh
# a signed baseline verifies with its public key and is refused with
# another one; an unsigned one is refused when --key asks for a signature
mkdir -p tree keys
printf 'one\n' >tree/a
chmod 0755 tree
chmod 0644 tree/a
printf '%s p+u+g+sha256\n' "$PWD/tree" >rules
"$VIGIL" baseline keygen keys/site.key
"$VIGIL" baseline keygen keys/other.key
"$VIGIL" baseline keygen keys/site.key
echo "exit $?"
"$VIGIL" baseline init --store store.db --select rules --sign keys/site.key
"$VIGIL" baseline check --store store.db --key keys/site.key.pub
echo "exit $?"
"$VIGIL" baseline check --store store.db --key keys/other.key.pub
echo "exit $?"
"$VIGIL" baseline check --store store.db
echo "exit $?"
"$VIGIL" baseline update --store store.db >/dev/null
"$VIGIL" baseline check --store store.db --key keys/site.key.pub
