#!/bin/sh
# The layer rule of lib/ (docs/design.md, "The tree"): each folder of lib/
# is a layer and may include only its own headers, the headers of the
# layers listed for it below, and the public headers those layers own.
# src/ includes only public headers and its own. Every #include of every
# file is checked; a violation names the file, the line and the rule.
# Usage: check_layers.sh [SOURCE_DIR]   (default: the tree holding this script)
#        check_layers.sh --self-test   (shows that a violation is caught)
set -eu

# layer: the layers it may use (besides itself)
RULES='
base:
source: base
formats: base
report: base
trust: base formats
iocs: base
intel: base iocs
rules: base
checks: base formats trust report
containers: base source formats
content: base iocs intel rules
scan: base source formats report iocs rules checks containers
logs: base source report iocs
inspect: base source formats report trust checks containers
pkg: base source report trust
store: base report iocs
policy: base formats
diff: base source formats report trust iocs rules scan containers policy
fleet: base report iocs store
'
# public header: the layer that owns it (vigil.h, the umbrella, is for
# programs only)
OWNERS='
common: base
escape: base
finding: report
report: report
iocs: iocs
netmatch: iocs
intel: intel
rules: rules
checks: checks
content: content
scan: scan
logs: logs
inspect: inspect
pkg: pkg
filestate: report
store: store
baseline: store
policy: policy
diff: diff
fleet: fleet
'

check() {
	root=$1
	# shellcheck disable=SC2046 # one argument per source file: paths of this tree, no spaces
	RULES="$RULES" OWNERS="$OWNERS" awk '
	BEGIN {
		n = split(ENVIRON["RULES"], lines, "\n")
		for (i = 1; i <= n; i++) {
			if (lines[i] !~ /:/) continue
			split(lines[i], kv, ":")
			layer = kv[1]; known[layer] = 1
			m = split(kv[2], deps, " ")
			for (j = 1; j <= m; j++) allow[layer, deps[j]] = 1
			allow[layer, layer] = 1
		}
		n = split(ENVIRON["OWNERS"], lines, "\n")
		for (i = 1; i <= n; i++) {
			if (lines[i] !~ /:/) continue
			split(lines[i], kv, ":")
			gsub(/ /, "", kv[2]); owner[kv[1]] = kv[2]
		}
		bad = 0
	}
	FNR == 1 {
		file = FILENAME; sub(/^.*\/(lib|src|include\/vigil)\//, "", file)
		area = FILENAME ~ /\/src\/[^\/]*$/ ? "src" : \
		       FILENAME ~ /\/include\/vigil\// ? "public" : "lib"
		if (area == "lib") {
			layer = file; sub(/\/.*/, "", layer)
			if (!(layer in known)) {
				printf "%s: lib/%s is in no layer of the rule\n", FILENAME, layer
				bad = 1
			}
		} else if (area == "public") {
			h = file; sub(/\.h$/, "", h)
			layer = (h in owner) ? owner[h] : ""
		}
	}
	/^[ \t]*#[ \t]*include[ \t]*[<"]/ {
		line = $0
		sub(/^[ \t]*#[ \t]*include[ \t]*/, "", line)
		q = substr(line, 1, 1)
		name = substr(line, 2); sub(/[>"].*/, "", name)
		why = ""
		if (area == "src") {
			if (q == "\"" && name ~ /\//)
				why = "src/ includes public headers and its own only"
		} else if (area == "public") {
			if (q == "\"") {
				h = name; sub(/\.h$/, "", h)
				if (h == "vigil" || !(h in owner))
					why = "a public header includes only other public headers"
				else if (layer != "" && !((layer, owner[h]) in allow))
					why = "public " name " belongs to layer " owner[h] ", which " layer " may not use"
			}
		} else if (q == "\"") {
			dep = name; sub(/\/.*/, "", dep)
			if (name !~ /\//)
				why = "name the layer: \"<layer>/" name "\""
			else if (!((layer, dep) in allow))
				why = "layer " layer " may not use layer " dep
		} else if (name ~ /^vigil\//) {
			h = name; sub(/^vigil\//, "", h); sub(/\.h$/, "", h)
			if (h == "vigil")
				why = "<vigil/vigil.h> is for programs; include the header you use"
			else if (!(h in owner))
				why = "unknown public header"
			else if (!((layer, owner[h]) in allow))
				why = "public " name " belongs to layer " owner[h] ", which " layer " may not use"
		}
		if (why != "") {
			printf "%s:%d: #include %s%s%s: %s\n", FILENAME, FNR, q, name, \
				q == "<" ? ">" : "\"", why
			bad = 1
		}
	}
	END { exit bad }
	' $(find "$root/lib" "$root/src" "$root/include/vigil" -name '*.[ch]' | sort)
}

if [ "${1:-}" = "--self-test" ]; then
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/lib/base" "$t/lib/scan" "$t/src" "$t/include/vigil"
	printf '#include "base/util.h"\n#include <vigil/scan.h>\n' >"$t/lib/scan/ok.c"
	printf '#include <vigil/common.h>\n' >"$t/lib/base/ok.c"
	printf '#include "common.h"\n' >"$t/include/vigil/finding.h"
	printf '#include <vigil/scan.h>\n#include "cli.h"\n' >"$t/src/ok.c"
	check "$t" >/dev/null || { echo "self-test: a clean tree was refused" >&2; exit 1; }
	for bad in 'lib/base/x.c:#include "scan/match.h"' \
		   'lib/base/y.c:#include <vigil/scan.h>' \
		   'lib/scan/z.c:#include "match.h"' \
		   'lib/scan/w.c:#include <vigil/vigil.h>' \
		   'src/v.c:#include "scan/match.h"' \
		   'include/vigil/common.h:#include "scan.h"' \
		   'lib/newlayer/u.c:#include "base/util.h"'; do
		f=${bad%%:*}
		mkdir -p "$t/$(dirname "$f")"
		printf '%s\n' "${bad#*:}" >"$t/$f"
		if check "$t" >/dev/null; then
			echo "self-test: not caught: $bad" >&2
			exit 1
		fi
		rm -f "$t/$f"
	done
	echo "self-test: 7 violations caught, clean tree accepted"
	exit 0
fi

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
if check "$root"; then
	echo "layers: every #include of lib/, src/ and include/vigil/ follows the rule"
else
	exit 1
fi
