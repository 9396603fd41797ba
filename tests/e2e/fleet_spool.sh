#!/bin/sh
# An unreachable fleet database: vigil scan --report keeps the sweep in
# the local store (the scan's own result unchanged), a second sweep too;
# a later vigil push delivers the newest, with every row the database
# lacks. The database named by $VIGIL_DB and by libpq's own variables.
. "$(dirname "$0")/lib/common.sh"
need jq
. "$(dirname "$0")/lib/fleet.sh"
add_hosts s
echo 'rule fleet_none { condition: false }' >"$T/none.yar"
mkdir -p "$T/tree"
for i in 1 2 3 4 5; do printf 'spool file %d\n' $i >"$T/tree/f$i"; done
# nothing listens there: the socket directory exists, the port does not
DOWN="postgresql://vigil_host_s@/postgres?host=$SOCK&port=1"

run_vigil scan --no-builtin --rules "$T/none.yar" --store "$T/s.db" --report "$DOWN" --host-id s "$T/tree"
check "unreachable: the scan's exit status is its own" 0 "$rc"
check "unreachable: said so, the sweep kept" "1 1" \
	"$(grep -c 'cannot be reached' "$T/err") $(grep -c 'stays in the store' "$T/err")"
printf 'changed\n' >"$T/tree/f2"
rm "$T/tree/f5"
printf 'new\n' >"$T/tree/f6"
run_vigil scan --no-builtin --rules "$T/none.yar" --store "$T/s.db" --report "$DOWN" --host-id s "$T/tree"
check "unreachable again: kept" 1 "$(grep -c 'stays in the store' "$T/err")"
check "nothing arrived" "0" "$(sql postgres -c "SELECT count(*) FROM vigil.sweeps")"
if command -v sqlite3 >/dev/null 2>&1; then
	check "the store records no delivery" "" "$(sqlite3 "$T/s.db" "SELECT name FROM sqlite_master WHERE name = 'pushes'")"
fi

run_vigil push "$DOWN" --host-id s --store "$T/s.db"
check "vigil push while unreachable: exit 2, kept" "2 1" "$rc $(grep -c 'stays in the store' "$T/err")"

rc=0
env VIGIL_DB="$(host_url s)" "$VIGIL" push --host-id s --store "$T/s.db" --json >"$T/out" 2>"$T/err" || rc=$?
check "later push (\$VIGIL_DB): the newest sweep, every file" "0 2 0 5 5 0" \
	"$rc $(jq -r '"\(.sweep) \(.since) \(.files) \(.sent) \(.removed)"' <"$T/out")"
if command -v sqlite3 >/dev/null 2>&1; then
	check "the store records the delivery" "s|2" "$(sqlite3 "$T/s.db" "SELECT target, sweep_id FROM pushes")"
fi
sha256sum "$T"/tree/* | awk '{print $2 " " $1}' | sort >"$T/want"
check "the database holds the tree as it is now" "$(cat "$T/want")" \
	"$(sql postgres -c "SELECT shown || ' ' || sha256 FROM vigil.files WHERE host_id = 's' ORDER BY 1")"

run_vigil push --host-id s --store "$T/s.db" --db "postgresql://vigil_host_s@/postgres?host=$SOCK&port=$PORT"
check "pushed again: delivered already" "0 1" "$rc $(grep -c 'sweep 2 was delivered already' "$T/out")"
# libpq's own variables name the server when no URL does
rc=0
env PGHOST="$SOCK" PGPORT="$PORT" PGUSER=vigil_host_s PGDATABASE=postgres \
	"$VIGIL" push --host-id s --store "$T/s.db" >"$T/out" 2>"$T/err" || rc=$?
check "libpq's environment: delivered already" "0 1" "$rc $(grep -c 'delivered already' "$T/out")"
run_vigil push "$(host_url s)" --host-id s --store "$T/none.db"
check "a store with no sweep: nothing to push" "0 1" "$rc $(grep -c 'holds no sweep' "$T/out")"
finish
