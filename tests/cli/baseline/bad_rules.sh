#!/bin/sh
# every malformed line is named as file:line, and nothing is written
mkdir tree
cat >rules <<EOT
# a comment, then a good rule
$PWD/tree R
relative/path R
$PWD/tree p+bogus
!$PWD/tree/x R
$PWD/tree
$PWD/tree R extra
EOT
"$VIGIL" baseline init --store store.db --select rules
