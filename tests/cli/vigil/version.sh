#!/bin/sh
# vigil --version names vigil first (the library versions after it may vary)
"$VIGIL" --version
