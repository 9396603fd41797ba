#!/bin/sh
# a root without a dpkg database
mkdir empty
"$VIGIL" pkg verify --root empty
