#!/bin/sh
# completion/vigil.bash loaded in bash completes commands, subcommands,
# options and option values from vigil's own help; and that help lists
# every long option of each command's getopt table (src/cmd_*.c), so the
# completion (which reads the help) misses none.
. "$(dirname "$0")/lib/common.sh"
need bash

S=$VIGIL_TEST_SRC
bin=$(dirname "$VIGIL")
mkdir -p "$T/files/sub"
: >"$T/files/iocs-one.txt"
: >"$T/files/iocs-two.txt"

# complete WORD...: the completions of the last word, sorted, one a line
complete_words() {
	(cd "$T/files" && PATH="$bin:$PATH" bash -c '
		. "$1/completion/vigil.bash"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_vigil
		printf "%s\n" "${COMPREPLY[@]}" | sort' sh "$S" "$@")
}

check "commands" "scan" "$(complete_words vigil sc)"
check "commands, all" "$(printf '%s\n' "$("$VIGIL" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')" --help --version -V | sort)" \
	"$(complete_words vigil '')"
check "help COMMAND" "logs" "$(complete_words vigil help lo)"
check "long option" "$(printf '%s\n' --max-member-size --max-members)" \
	"$(complete_words vigil scan --max-mem)"
check "option with a short form" "$(printf '%s\n' --verbose)" \
	"$(complete_words vigil logs --verb)"
check "subcommand" "verify" "$(complete_words vigil pkg '')"
check "option of a subcommand" "--root" "$(complete_words vigil pkg verify --ro)"
check "PATH value completes files" "$(printf '%s\n' iocs-one.txt iocs-two.txt)" \
	"$(complete_words vigil scan --iocs iocs-)"
check "N value completes nothing" "" "$(complete_words vigil scan --threads '')"
check "operand completes files" "sub" "$(complete_words vigil inspect su)"
check "unknown command completes nothing" "" "$(complete_words vigil nosuch --)"

# every long option of a getopt table is in the command's help
for f in "$S"/src/cmd_*.c; do
	cmd=$(basename "$f" .c)
	cmd=${cmd#cmd_}
	"$VIGIL" "$cmd" --help >/dev/null 2>&1 || continue
	help=$("$VIGIL" "$cmd" --help 2>/dev/null; "$VIGIL" "$cmd" verify --help 2>/dev/null || true)
	opts=$(sed -n 's/^[[:space:]]*{"\([a-z][a-z0-9-]*\)", *\(no\|required\|optional\)_argument.*/\1/p' "$f")
	if grep -q CLI_CONTENT_LONG_OPTS "$f"; then
		opts="$opts $(sed -n 's/^[[:space:]]*{"\([a-z][a-z0-9-]*\)", *\(no\|required\|optional\)_argument.*/\1/p' "$S/src/cli.h")"
	fi
	missing=""
	for o in $opts; do
		printf '%s\n' "$help" | grep -q -- "--$o\\b" || missing="$missing --$o"
	done
	check "vigil $cmd --help lists every option of its table" "" "$missing"
done

finish
