#!/bin/sh
# Golden tests of the vigil command line (zstd's tests/cli-tests idea).
#
#   tests/cli/run.sh [--update] [DIR|CASE.sh]...
#   tests/cli/run.sh --check-commands
#
# A case is tests/cli/<command>/<case>.sh, run by sh in a new empty
# directory (its working directory, removed afterwards) that it builds its
# fixtures in. Beside it:
#   <case>.sh.exit           the exit status expected (required)
#   <case>.sh.stdout.exact   standard output, byte for byte, or
#   <case>.sh.stdout.glob    standard output line by line: each line is a
#                            shell pattern (* and ?), a line '...' stands
#                            for any number of lines
#   <case>.sh.stderr.exact   standard error, likewise (.stderr.glob); with
#                            neither file standard error must be empty
# Both outputs pass through the filter below first, which replaces the
# fields that change from run to run with fixed text: in JSON the values of
# elapsed_s, seconds, mb_per_s, seen, seen_ns (and host, hostname, started,
# sweep_start, mtime, ctime, mtime_ns, ctime_ns) become "*"; in text a
# duration ("0.01 s") becomes "N s", a rate "N MiB/s", hunt's "seen by the
# sweep of TIME"; the source tree becomes $SRC, the case's temporary
# directory $TMP. Times that come from the fixtures (log time stamps) are
# kept.
#
# --update writes .exit, .stdout.exact and .stderr.exact (the last only
# when there was output) from what the cases print now; a .glob file is
# kept and checked, never rewritten. Review the diff before committing.
# --check-commands fails when a command of 'vigil --help' has no case
# directory here.
#
# Environment: VIGIL (the binary; default build/vigil), VIGIL_TEST_BIN
# (the fixture tools; default the directory of VIGIL + /tests),
# VIGIL_TEST_TMP (where temporary directories go; default /tmp).
# Cases see VIGIL, VIGIL_TEST_BIN, VIGIL_TEST_SRC and CASE_DIR (the
# directory holding the case); HOME, the store, the caches and the
# configuration point into the temporary directory; LC_ALL=C, TZ=UTC.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
: "${VIGIL:=$src/build/vigil}"
VIGIL=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
: "${VIGIL_TEST_BIN:=$(dirname "$VIGIL")/tests}"
tmproot=${VIGIL_TEST_TMP:-/tmp}
mkdir -p "$tmproot"
tmproot=$(cd "$tmproot" && pwd)

update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi

if [ ! -x "$VIGIL" ]; then
	echo "cli: no vigil binary at '$VIGIL' (set VIGIL)" >&2
	exit 2
fi

if [ "${1:-}" = "--check-commands" ]; then
	missing=0
	for c in $("$VIGIL" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
		[ "$c" = help ] && continue
		if ! ls "$here/$c"/*.sh >/dev/null 2>&1; then
			echo "not ok - command '$c' has no golden tests (tests/cli/$c/)"
			missing=$((missing + 1))
		else
			echo "ok - command '$c' has golden tests"
		fi
	done
	[ "$missing" -eq 0 ]
	exit
fi

# The fields that change from run to run, and what they become. JSON
# fields are matched by name wherever they are; the text patterns are the
# ones docs/cli.md documents for the text outputs (durations, rates).
filter() {
	sed -E \
		-e 's#"(elapsed_s|seconds|mb_per_s|seen|seen_ns|host|hostname|started|sweep_start|mtime|ctime|mtime_ns|ctime_ns)":("([^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)#"\1":"*"#g' \
		-e 's#(seen by the sweep of) [0-9TZ:.-]+#\1 TIME#g' \
		-e 's#[0-9]+(\.[0-9]+)? ?(s|ms|µs)( |,|\)|$)#N s\3#g' \
		-e 's#[0-9]+(\.[0-9]+)? (MiB|files)/s#N \2/s#g' \
		-e "s#$tmproot/cli\\.[A-Za-z0-9]*#\$TMP#g" \
		-e "s#$src#\$SRC#g"
}

# match_glob PATTERN_FILE ACTUAL_FILE: 0 when every line matches
match_glob() {
	awk -v pf="$1" '
	function re(p,   out, i, ch) {
		out = "^"
		for (i = 1; i <= length(p); i++) {
			ch = substr(p, i, 1)
			if (ch == "*") out = out ".*"
			else if (ch == "?") out = out "."
			else if (index("\\^$.[]|()+{}/", ch)) out = out "\\" ch
			else out = out ch
		}
		return out "$"
	}
	BEGIN { np = 0; while ((getline l < pf) > 0) pat[++np] = l }
	{ line[++nl] = $0 }
	function m(pi, li,   k) {
		if (pi > np) return li > nl
		if (pat[pi] == "...") {
			for (k = li; k <= nl + 1; k++) if (m(pi + 1, k)) return 1
			return 0
		}
		if (li > nl) return 0
		if (line[li] !~ re(pat[pi])) return 0
		return m(pi + 1, li + 1)
	}
	END { exit m(1, 1) ? 0 : 1 }' "$2"
}

pass=0
fails=0

# check_stream CASE NAME(stdout|stderr) ACTUAL
check_stream() {
	exact=$1.$2.exact
	glob=$1.$2.glob
	if [ -f "$glob" ]; then
		if match_glob "$glob" "$3"; then return 0; fi
		echo "  $2 does not match $(basename "$glob"):"
		sed 's/^/    | /' "$3" | head -50
		return 1
	fi
	if [ "$update" -eq 1 ]; then
		if [ -s "$3" ] || [ -f "$exact" ] || [ "$2" = stdout ]; then
			cp "$3" "$exact"
		fi
		return 0
	fi
	if [ -f "$exact" ]; then
		if cmp -s "$exact" "$3"; then return 0; fi
		echo "  $2 differs from $(basename "$exact"):"
		diff -u "$exact" "$3" | sed 's/^/    /' | head -80
		return 1
	fi
	if [ -s "$3" ]; then
		echo "  unexpected $2 (no $(basename "$exact")):"
		sed 's/^/    | /' "$3" | head -20
		return 1
	fi
	return 0
}

run_case() {
	case_file=$1
	name=${case_file#"$here"/}
	t=$(mktemp -d "$tmproot/cli.XXXXXX")
	mkdir -p "$t/home" "$t/work"
	rc=0
	(
		cd "$t/work"
		env -u XDG_CONFIG_HOME -u XDG_CACHE_HOME -u XDG_STATE_HOME \
			-u VIGIL_CONTENT_DIR -u VIGIL_CONFIG \
			LC_ALL=C TZ=UTC HOME="$t/home" VIGIL="$VIGIL" \
			VIGIL_TEST_BIN="$VIGIL_TEST_BIN" VIGIL_TEST_SRC="$src" \
			CASE_DIR="$(dirname "$case_file")" \
			VIGIL_STORE=off VIGIL_CACHE_DIR="$t/cache" \
			sh "$case_file" >"$t/stdout.raw" 2>"$t/stderr.raw" </dev/null
	) || rc=$?
	filter <"$t/stdout.raw" >"$t/stdout"
	filter <"$t/stderr.raw" >"$t/stderr"
	bad=0
	if [ "$rc" -eq 77 ]; then
		echo "skip - $name ($(head -c 200 "$t/stdout"))"
		chmod -R u+rwx "$t" 2>/dev/null || true
		rm -rf "$t"
		return 0
	fi
	if [ "$update" -eq 1 ]; then
		echo "$rc" >"$case_file.exit"
	elif [ ! -f "$case_file.exit" ]; then
		echo "  no $(basename "$case_file").exit (run with --update)"
		bad=1
	elif [ "$(cat "$case_file.exit")" != "$rc" ]; then
		echo "  exit status $rc, expected $(cat "$case_file.exit")"
		bad=1
	fi
	check_stream "$case_file" stdout "$t/stdout" || bad=1
	check_stream "$case_file" stderr "$t/stderr" || bad=1
	if [ "$bad" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		fails=$((fails + 1))
		echo "not ok - $name"
	fi
	chmod -R u+rwx "$t" 2>/dev/null || true
	rm -rf "$t"
}

[ $# -gt 0 ] || set -- "$here"
for arg in "$@"; do
	if [ -d "$arg" ]; then
		for f in $(find "$arg" -name '*.sh' ! -name run.sh ! -path '*/lib/*' | sort); do
			run_case "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
		done
	elif [ -f "$arg" ]; then
		run_case "$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")"
	else
		echo "cli: no case or directory '$arg'" >&2
		exit 2
	fi
done
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
