#!/bin/sh
# VGL-DIFF-ENTRY-MOVED for ELF (e_entry) and Mach-O (LC_MAIN): a program
# rebuilt with its entry point in another section is flagged; rebuilt the
# same way it is not. Mach-O imports are the symbol table's undefined
# symbols: a new popen is a new import, the program's own functions are
# none. Programs built here (gcc; clang -target x86_64-apple-macos11 with
# ld.lld and a text stub of libSystem), nothing run.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/release.sh"
need jq
need gcc
need_command diff
mkdir -p "$T/src" "$T/old" "$T/new" "$T/same"
cat >"$T/src/p.c" <<'EOF'
#ifdef MOVED
__attribute__((section(".evil"))) void start_here(void) { for (;;) {} }
#endif
int main(void) { return 0; }
EOF
gcc -O2 -o "$T/old/prog" "$T/src/p.c" || { not_ok "gcc"; finish; }
gcc -O2 -DMOVED -Wl,-e,start_here -o "$T/new/prog" "$T/src/p.c" || { not_ok "gcc -e"; finish; }
gcc -O2 -DMOVED -o "$T/same/prog" "$T/src/p.c"
diff_json "$T/old" "$T/new"
check "ELF: entry moved" medium "$(level prog VGL-DIFF-ENTRY-MOVED)"
check_detail "ELF: the new section named" prog VGL-DIFF-ENTRY-MOVED '.evil'
diff_json "$T/old" "$T/same"
check "ELF: entry kept" absent "$(level prog VGL-DIFF-ENTRY-MOVED)"

if command -v clang >/dev/null 2>&1 && command -v ld.lld >/dev/null 2>&1; then
	cat >"$T/src/libSystem.tbd" <<'EOF'
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos ]
install-name:    '/usr/lib/libSystem.B.dylib'
current-version: 1311
exports:
  - targets:     [ x86_64-macos ]
    symbols:     [ _popen, dyld_stub_binder ]
...
EOF
	cat >"$T/src/m.c" <<'EOF'
#ifdef MOVED
__attribute__((section("__TEXT,__evil")))
#endif
int main(void) { return 0; }
#ifdef POPEN
void *popen(const char *, const char *);
void *run(void) { return popen("true", "r"); }
#endif
int own_helper(void) { return 1; }
EOF
	mk() {
		clang -target x86_64-apple-macos11 -fuse-ld=lld -nostdlib -O2 "$@" \
			"$T/src/m.c" "$T/src/libSystem.tbd" 2>"$T/clang.err"
	}
	mkdir -p "$T/mo" "$T/mn" "$T/mp"
	if mk -o "$T/mo/app" && mk -DMOVED -o "$T/mn/app" && mk -DPOPEN -o "$T/mp/app"; then
		diff_json "$T/mo" "$T/mn"
		check "Mach-O: entry moved" medium "$(level app VGL-DIFF-ENTRY-MOVED)"
		check_detail "Mach-O: the new section named" app VGL-DIFF-ENTRY-MOVED '__TEXT,__evil'
		diff_json "$T/mo" "$T/mp"
		check "Mach-O: entry kept" absent "$(level app VGL-DIFF-ENTRY-MOVED)"
		check_detail "Mach-O: popen a new import" app VGL-DIFF-NEW-IMPORTS '"popen"'
		check "Mach-O: the program's own function is no import" "" \
			"$(comp app | jq -r '.signals[] | select(.id == "VGL-DIFF-NEW-IMPORTS") | .detail.added[] | select(. == "run")')"
	else
		echo "# Mach-O part left out: $(head -c 200 "$T/clang.err")"
	fi
fi
finish
