#!/bin/sh
# The manual pages, made from docs/cli.md (their one source) with pandoc:
#
#   scripts/man.sh OUTDIR [VERSION]      write OUTDIR/vigil.1 and one
#                                        OUTDIR/vigil-COMMAND.1 per command
#   scripts/man.sh --check OUTDIR VIGIL  fail when a command of
#                                        'VIGIL --help' has no section in
#                                        docs/cli.md or no page in OUTDIR,
#                                        when a page in OUTDIR is not what
#                                        docs/cli.md makes now (stale), or
#                                        when an option of 'VIGIL COMMAND
#                                        --help' is missing from its page
#
# vigil-COMMAND.1 is the section "## vigil COMMAND..." of docs/cli.md, its
# "###" headings as the page's sections; its NAME line is the command's
# summary in src/command_list.h (what 'vigil --help' prints). vigil.1 is
# the text before the first command section, the command list and the
# section "## IOC input formats", which several commands share.
set -eu
cd "$(dirname "$0")/.."
doc=docs/cli.md
list=src/command_list.h

# commands NAME<TAB>SUMMARY, from the command table
commands() {
	sed -n 's/^VIGIL_COMMAND("\([a-z][a-z-]*\)", *[a-z_]*, *"\(.*\)")$/\1\t\2/p' "$list"
}

# section TITLE: the body of "## TITLE" (up to the next "## "), headings
# raised two levels ("### x" -> "# x")
section() {
	awk -v t="$1" '
	/^```/ { fence = !fence }
	!fence && /^## / { on = (substr($0, 4) == t) ; next }
	on {
		if (!fence && /^###/) sub(/^##/, "")
		print
	}' "$doc"
}

# the section title of a command: "vigil NAME" or "vigil NAME WORD..."
title_of() {
	grep -E "^## vigil $1( |\$)" "$doc" | head -1 | sed 's/^## //'
}

page() { # NAME TITLE SUMMARY BODY-COMMAND...
	name=$1 summary=$2 version=$3
	shift 3
	{
		printf -- '---\ntitle: %s\nsection: 1\nheader: vigil manual\nfooter: vigil %s\n---\n\n' \
			"$(printf '%s' "$name" | tr a-z- A-Z-)" "$version"
		printf '# NAME\n\n%s - %s\n\n' "$name" "$summary"
		"$@"
	} | pandoc --standalone --from markdown-smart --to man
}

body_main() {
	printf '# SYNOPSIS\n\n'
	awk '/^## /{exit} NR > 1' "$doc"
	printf '\n# COMMANDS\n\n'
	commands | while IFS='	' read -r c s; do
		printf '**vigil %s**\n:   %s; see **vigil-%s**(1).\n\n' "$c" "$s" "$c"
	done
	printf '# IOC INPUT FORMATS\n\n'
	section "IOC input formats"
}

body_command() {
	printf '# DESCRIPTION\n\n'
	section "$1"
	printf '\n# SEE ALSO\n\n**vigil**(1)\n'
}

generate() { # OUTDIR VERSION
	mkdir -p "$1"
	page vigil "find software supply-chain compromises" "$2" body_main >"$1/vigil.1"
	commands | while IFS='	' read -r c s; do
		t=$(title_of "$c")
		if [ -z "$t" ]; then
			echo "man: command '$c' has no section '## vigil $c' in $doc" >&2
			exit 1
		fi
		page "vigil-$c" "$s" "$2" body_command "$t" >"$1/vigil-$c.1"
	done
}

version() {
	sed -n 's/^project(vigil VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt
}

if [ "${1:-}" != "--check" ]; then
	[ $# -ge 1 ] || { echo "usage: scripts/man.sh OUTDIR [VERSION]" >&2; exit 2; }
	generate "$1" "${2:-$(version)}"
	exit 0
fi

out=$2 vigil=$3
fails=0
pass=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fails=$((fails + 1)); echo "not ok - $1"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
generate "$tmp" "$(version)" 2>"$tmp/err" || { cat "$tmp/err"; not_ok "pages generate"; }

for c in $("$vigil" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'); do
	[ "$c" = help ] && continue
	if [ -z "$(title_of "$c")" ]; then
		not_ok "command '$c' has a section '## vigil $c' in $doc"
		continue
	fi
	if [ ! -f "$out/vigil-$c.1" ]; then
		not_ok "command '$c' has a page $out/vigil-$c.1"
		continue
	fi
	# options of the help, each must be named in the page (roff may write
	# a hyphen as \-)
	sed 's/\\-/-/g' "$out/vigil-$c.1" >"$tmp/page"
	missing=""
	help=$("$vigil" "$c" --help 2>&1 || true)
	sub=$(printf '%s\n' "$help" | sed -n -E "1s/^usage: vigil $c ([a-z][a-z-]*)( .*)?\$/\\1/p")
	[ -n "$sub" ] && help=$("$vigil" "$c" "$sub" --help 2>&1 || true)
	for o in $(printf '%s\n' "$help" | sed -n -E 's/^  +(-[A-Za-z0-9], )?(--[a-z0-9][a-z0-9-]*).*/\2/p'); do
		[ "$o" = --help ] && continue
		grep -Eq -- "$o([^a-z0-9-]|\$)" "$tmp/page" || missing="$missing $o"
	done
	if [ -n "$missing" ]; then
		not_ok "vigil-$c.1 documents every option of 'vigil $c --help' (missing:$missing)"
	else
		ok "vigil-$c.1 documents every option of 'vigil $c --help'"
	fi
done
for f in "$tmp"/*.1; do
	p=$(basename "$f")
	if [ ! -f "$out/$p" ]; then
		not_ok "$p is built (not in $out)"
	elif cmp -s "$f" "$out/$p"; then
		ok "$p is up to date with $doc"
	else
		not_ok "$p is up to date with $doc (stale: rebuild)"
	fi
done
echo "$pass passed, $fails failed"
[ "$fails" -eq 0 ]
