# bash completion for vigil.
#
# The commands and their options come from vigil itself: 'vigil --help'
# lists the commands, 'vigil COMMAND --help' the options (each at the start
# of a help line: "  -v, --verbose", "  --iocs PATH"), so this file never
# goes out of date with the program. An option whose value is a PATH,
# FILE, DIR or GLOB completes file names; other values (N, SIZE, FMT...)
# complete nothing.
#
# Install as /usr/share/bash-completion/completions/vigil, or source it.

# The help text of "vigil ARGS --help", cached per command line.
_vigil_help()
{
	local key="$*"
	if [[ "${_vigil_help_key-}" != "$key" ]]; then
		_vigil_help_key=$key
		_vigil_help_text=$("${_vigil_bin:-vigil}" "$@" --help 2>/dev/null)
	fi
	printf '%s\n' "$_vigil_help_text"
}

# Options of a help text, one per line as "NAME ARG" (ARG empty if none).
_vigil_options()
{
	awk '/^  +-[A-Za-z0-9-]/ {
		n = split($0, w, " ")
		m = 0
		arg = ""
		for (k = 1; k <= n; k++) {
			t = w[k]
			last = t !~ /,$/
			sub(/,$/, "", t)
			if (split(t, kv, "=") == 2) {
				t = kv[1]
				arg = kv[2]
			}
			if (t !~ /^--?[A-Za-z0-9][A-Za-z0-9-]*$/)
				break
			names[++m] = t
			if (last) {
				# "--opt ARG", one space: not the description
				if (arg == "" && k < n && w[k + 1] ~ /^[A-Z][A-Z_|]*$/ &&
				    index($0, w[k] " " w[k + 1]))
					arg = w[k + 1]
				break
			}
		}
		for (k = 1; k <= m; k++)
			print names[k], arg
	}'
}

_vigil()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]}
	_vigil_bin=${COMP_WORDS[0]}
	COMPREPLY=()

	local commands
	commands=$("$_vigil_bin" --help 2>/dev/null |
		sed -n -E 's/^  ([a-z][a-z-]*)  .*/\1/p')

	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "$commands --help --version -V" -- "$cur")
		return
	fi

	local cmd=${COMP_WORDS[1]}
	if [[ $cmd == help ]]; then
		((COMP_CWORD == 2)) &&
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		return
	fi
	[[ " $(echo $commands) " == *" $cmd "* ]] || return

	# a command with subcommands says so in its usage line:
	# "usage: vigil pkg verify [options]"
	local -a args=("$cmd")
	local sub
	sub=$("$_vigil_bin" "$cmd" --help 2>/dev/null |
		sed -n -E "1s/^usage: vigil $cmd ([a-z][a-z-]*)( .*)?\$/\\1/p")
	if [[ -n $sub ]]; then
		if ((COMP_CWORD == 2)); then
			mapfile -t COMPREPLY < <(compgen -W "$sub" -- "$cur")
			return
		fi
		args+=("$sub")
	fi

	local opts
	opts=$(_vigil_help "${args[@]}" | _vigil_options)

	# the value of an option
	local arg
	arg=$(printf '%s\n' "$opts" | awk -v o="$prev" '$1 == o { print $2; exit }')
	if [[ -n $arg ]]; then
		case $arg in
		PATH | FILE | DIR | GLOB | *PATH | *FILE)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			;;
		*) ;;
		esac
		return
	fi

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(printf '%s\n' "$opts" | cut -d' ' -f1)" -- "$cur")
		return
	fi
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

complete -F _vigil vigil
