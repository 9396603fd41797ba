#!/bin/sh
# completion/_vigil in an interactive zsh (on a pseudo-terminal, zsh/zpty):
# a command, a subcommand, a long option of a subcommand, the common
# prefix of two options, help COMMAND; and no error from the function.
. "$(dirname "$0")/lib/common.sh"
need zsh
zsh -f -c 'zmodload zsh/zpty' 2>/dev/null || { echo "skip: no zsh/zpty"; exit 77; }

bin=$(dirname "$VIGIL")
cat >"$T/drive.zsh" <<'EOT'
# drive.zsh FPATH PATH WORDS EXPECTED: type WORDS and a TAB in an
# interactive zsh, read the screen (escapes and control characters
# removed) until it shows EXPECTED or 10 s passed; print it; exit 0 if seen
zmodload zsh/zpty
setopt extendedglob
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; path=($2 \$path)"
zpty -w -n z "$3"$'\t'
all= clean= seen=1
for i in {1..100}; do
	while zpty -r -t z chunk; do all+=$chunk; done
	clean=${all//$'\e'\[[0-9\;?]#[a-zA-Z]/}
	clean=${clean//[$'\r\a\b']/}
	[[ $clean == *"$4"* ]] && { seen=0; break }
	sleep 0.1
done
print -r -- "$clean"
zpty -d z
exit $seen
EOT

# completes WORDS EXPECTED: the line shows EXPECTED after the TAB
completes() {
	r=0
	out=$(cd "$T" && timeout 30 zsh -f "$T/drive.zsh" "$VIGIL_TEST_SRC/completion" "$bin" "$1" "$2" 2>&1) || r=$?
	if [ "$r" -eq 0 ]; then ok "'$1' completes to '$2'"; else
		not_ok "'$1' completes to '$2'"
		printf '%s\n' "$out" | tail -5 | sed 's/^/  | /'
	fi
	if printf '%s\n' "$out" | grep -q '_vigil:[0-9]'; then
		not_ok "'$1': no error from _vigil"
		printf '%s\n' "$out" | grep '_vigil:[0-9]' | sed 's/^/  | /'
	fi
}

completes 'vigil sc' 'vigil scan'
completes 'vigil pkg ' 'vigil pkg verify'
completes 'vigil pkg verify --ro' 'vigil pkg verify --root'
completes 'vigil scan --max-mem' 'vigil scan --max-member'
completes 'vigil help ins' 'vigil help inspect'
completes 'vigil logs --verb' 'vigil logs --verbose'
finish
