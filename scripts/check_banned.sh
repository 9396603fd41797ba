#!/bin/sh
# lib/base/banned.h holds, checked two ways (ctest banned/*):
#   scripts/check_banned.sh --defines SRC   no lib/ or src/ file #defines a
#       feature macro (_GNU_SOURCE...): banned.h, put before each file,
#       includes system headers first, so the macro would come too late;
#       such a file is named in CMakeLists.txt instead
#   scripts/check_banned.sh --compile SRC CC   each banned function fails to
#       compile with -include banned.h, snprintf and strtol do not
set -eu
src=$2
fails=0
case $1 in
--defines)
	bad=$(grep -rlE '^[[:space:]]*#[[:space:]]*define[[:space:]]+_[A-Z0-9_]*_SOURCE' \
		"$src/lib" "$src/src" --include='*.c' --include='*.h' || true)
	for f in $bad; do
		echo "not ok - ${f#"$src"/} defines a feature macro: name the file in CMakeLists.txt (see lib/base/banned.h)"
		fails=$((fails + 1))
	done
	[ "$fails" -eq 0 ] && echo "ok - no feature macro defined in lib/ or src/"
	;;
--compile)
	cc=$3
	t=$(mktemp -d "${TMPDIR:-/tmp}/banned.XXXXXX")
	trap 'rm -rf "$t"' EXIT
	try() { # NAME EXPECT(ok|fail) CODE
		printf '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint f(char *b, const char *s);\nint f(char *b, const char *s)\n{\n\t%s\n}\n' "$3" >"$t/$1.c"
		if "$cc" -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
			-include "$src/lib/base/banned.h" -fsyntax-only "$t/$1.c" 2>"$t/$1.err"; then
			got=ok
		else
			got=fail
		fi
		if [ "$got" = "$2" ]; then echo "ok - $1: $2"; else
			echo "not ok - $1: expected $2, got $got"
			sed 's/^/  | /' "$t/$1.err" | head -5
			fails=$((fails + 1))
		fi
	}
	try snprintf ok 'return snprintf(b, 8, "%s", s) + (int)strtol(s, NULL, 10);'
	try sprintf fail 'return sprintf(b, "%s", s);'
	try strcpy fail 'strcpy(b, s); return 0;'
	try strcat fail 'strcat(b, s); return 0;'
	try atoi fail 'return atoi(s);'
	try atol fail 'return (int)atol(s);'
	try strtok fail 'return strtok(b, s) != NULL;'
	try mktemp fail 'return mktemp(b) != NULL;'
	try tmpnam fail 'return tmpnam(b) != NULL;'
	;;
*)
	echo "usage: scripts/check_banned.sh --defines SRC | --compile SRC CC" >&2
	exit 2
	;;
esac
[ "$fails" -eq 0 ]
