#!/bin/sh
"$VIGIL" diff "$TMP/missing-old" "$TMP/missing-new"
