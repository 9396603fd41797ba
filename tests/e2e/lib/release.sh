# Shared by tests/e2e/diff_*.sh and verify_*.sh (sourced after common.sh):
# skip unless this vigil has the command, build the release fixtures of
# tests/tools/mkrelease.sh once into $T/rel, and pick fields of a `vigil
# diff --json` report with jq.

# need_command NAME: skip (77) only when vigil answers "unknown command",
# so that the test runs for real once the command is built
need_command() {
	if "$VIGIL" "$1" --help >/dev/null 2>"$T/help.err"; then
		return 0
	fi
	if grep -q "unknown command" "$T/help.err"; then
		echo "skip: vigil $1 not built"
		exit 77
	fi
}

# make_releases: the fixtures in $R (exit 77 when a tool is missing)
make_releases() {
	R=$T/rel
	mrc=0
	sh "$VIGIL_TEST_SRC/tests/tools/mkrelease.sh" "$R" >"$T/mkrelease.log" 2>&1 || mrc=$?
	if [ "$mrc" -eq 77 ]; then
		echo "skip: $(tail -n 1 "$T/mkrelease.log")"
		exit 77
	fi
	[ "$mrc" -eq 0 ] || { cat "$T/mkrelease.log"; echo "not ok - mkrelease.sh failed"; exit 1; }
}

# rel VARIANT FORMAT: the Windows release of that variant as dir, zip or msi
rel() {
	case $2 in
	dir) echo "$R/win/$1/dir" ;;
	zip) echo "$R/win/$1/release.zip" ;;
	msi) echo "$R/win/$1/release.msi" ;;
	esac
}

# diff_json OLD NEW [options...]: vigil diff --json; $rc, $T/out, $T/err
diff_json() {
	o=$1 n=$2
	shift 2
	run_vigil diff --json "$@" "$o" "$n"
}

# the component of $T/out whose path is NAME or ends in /NAME (any case)
comp() {
	jq -c --arg n "$1" '[.components[] | select((.path | ascii_downcase) as $p
		| $p == ($n | ascii_downcase) or ($p | endswith("/" + ($n | ascii_downcase))))][0] // {}' "$T/out"
}
# change NAME: added, removed, modified, renamed or unchanged; a component
# the report does not list is unchanged (a report may leave those out)
change() { comp "$1" | jq -r '.change // "unchanged"'; }
# level NAME SIGNAL: that signal's level on the component, or "absent"
level() {
	comp "$1" | jq -r --arg s "$2" '[.signals[]? | select(.id == $s) | .level][0] // "absent"'
}
# models NAME: the component's models, sorted, space-separated
models() { comp "$1" | jq -r '[.models[]?] | sort | join(" ")'; }
# all_models: every model of every component, sorted and unique
all_models() { jq -r '[.components[].models[]?] | unique | join(" ")' "$T/out"; }
verdict() { jq -r '.verdict' "$T/out"; }

# check_has NAME WANT GOT: GOT (a word list) holds the word WANT
check_has() {
	case " $3 " in
	*" $2 "*) ok "$1" ;;
	*) not_ok "$1"; echo "  expected '$2' in: $3" ;;
	esac
}
# check_high NAME LEVEL: LEVEL is high or critical
check_high() {
	case $2 in
	high | critical) ok "$1" ;;
	*) not_ok "$1"; echo "  expected high or critical, got: $2" ;;
	esac
}
# check_present NAME COMPONENT SIGNAL: the component carries the signal
check_present() {
	l=$(level "$2" "$3")
	if [ "$l" != absent ]; then ok "$1"; else
		not_ok "$1"
		echo "  $3 missing on $2: $(comp "$2" | head -c 1500)"
	fi
}
# check_detail NAME COMPONENT SIGNAL TEXT: the signal's JSON mentions TEXT
check_detail() {
	if comp "$2" | jq -c --arg s "$3" '.signals[]? | select(.id == $s)' | grep -qF -- "$4"; then
		ok "$1"
	else
		not_ok "$1"
		echo "  '$4' not in $3 of $2: $(comp "$2" | head -c 1500)"
	fi
}
