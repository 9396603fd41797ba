#!/bin/sh
# a release that does not exist: an error naming it, exit 2
"$VIGIL" verify no-such-release
