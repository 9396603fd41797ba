#!/bin/sh
# The fleet database's least privilege, tried for real: a host's login
# (vigil_host_<id>, member of vigil_ingest) reads and writes its own rows
# only, cannot forge another host id (neither through vigil push nor in
# SQL), cannot change or delete another host's rows, cannot delete or
# change any history; the analyst reads all and writes nothing.
. "$(dirname "$0")/lib/common.sh"
need jq
. "$(dirname "$0")/lib/fleet.sh"
add_hosts a b
echo 'rule fleet_none { condition: false }' >"$T/none.yar"

for h in a b; do
	mkdir -p "$T/$h"
	printf 'one %s\n' $h >"$T/$h/one"
	printf 'two %s\n' $h >"$T/$h/two"
	run_vigil scan --no-builtin --rules "$T/none.yar" --store "$T/$h.db" \
		--report "$(host_url $h)" --host-id $h "$T/$h"
	check "host $h delivered" 1 "$(grep -c 'delivered: 2 of 2' "$T/err")"
done
# try ROLE SQL: sets $out (rows or the error) and $prc
try() {
	prc=0
	out=$(sql "$1" -c "$2" 2>&1) || prc=$?
}
denied() { # NAME ROLE SQL PATTERN
	try "$2" "$3"
	if [ "$prc" -ne 0 ] && printf '%s' "$out" | grep -q "$4"; then ok "$1"; else
		not_ok "$1"
		echo "  psql exit $prc: $out"
	fi
}
snapshot() {
	sql postgres -c "SELECT host_id, encode(path, 'hex'), sha256, sweep_id FROM vigil.files ORDER BY 1, 2;
		SELECT host_id, sweep_id, encode(path, 'hex'), change FROM vigil.file_history ORDER BY 1, 2, 3;
		SELECT host_id, sweep_id, files FROM vigil.sweeps ORDER BY 1, 2;
		SELECT host_id, hostname, last_sweep_id FROM vigil.hosts ORDER BY 1"
}
snapshot >"$T/before"

try vigil_host_a "SELECT count(*) FROM vigil.files"
check "a host reads its own files only" "0 2" "$prc $out"
try vigil_host_a "SELECT count(*) FROM vigil.file_history WHERE host_id = 'b'"
check "a host reads none of another host's history" "0 0" "$prc $out"
try vigil_host_a "SELECT count(*) FROM vigil.hosts"
check "a host sees its own host row only" "0 1" "$prc $out"
denied "a host cannot read the role bindings" vigil_host_a "SELECT * FROM vigil.host_roles" "permission denied"
denied "a host cannot bind itself to another host id" vigil_host_a \
	"INSERT INTO vigil.host_roles VALUES ('vigil_host_a', 'b')" "permission denied"

# forging another host id
run_vigil push "$(host_url a)" --host-id b --store "$T/a.db"
check "vigil push --host-id of another host: refused" "2 1" \
	"$rc $(grep -c "this login pushes for host 'a', not 'b'" "$T/err")"
denied "inserting a file row of another host" vigil_host_a \
	"INSERT INTO vigil.files (host_id, path, shown, dev, ino, size, mtime_ns, ctime_ns, mode, uid, gid, md5, sha1, sha256, skip, score, file_class, sweep_id, first_seen) VALUES ('b', '\\x2f78', '/x', 0, 0, 0, 0, 0, 0, 0, 0, '', '', '', 0, 0, 0, 9, now())" \
	"row-level security"
denied "inserting a sweep of another host" vigil_host_a \
	"INSERT INTO vigil.sweeps (host_id, sweep_id, started, started_ns, complete, vigil_version, content_version, files, sent, removed) VALUES ('b', 9, now(), 0, true, 'x', '', 0, 0, 0)" \
	"row-level security"
denied "inserting history of another host" vigil_host_a \
	"INSERT INTO vigil.file_history (host_id, sweep_id, path, shown, change) VALUES ('b', 9, '\\x2f78', '/x', 'D')" \
	"row-level security"
denied "moving its rows to another host id" vigil_host_a \
	"UPDATE vigil.files SET host_id = 'b'" "row-level security"
denied "renaming its host row to another host id" vigil_host_a \
	"UPDATE vigil.hosts SET host_id = 'b'" "row-level security"
denied "SET ROLE vigil_ingest does not lift the binding" vigil_host_a \
	"SET ROLE vigil_ingest; INSERT INTO vigil.sweeps (host_id, sweep_id, started, started_ns, complete, vigil_version, content_version, files, sent, removed) VALUES ('b', 9, now(), 0, true, 'x', '', 0, 0, 0)" \
	"row-level security"

# changing another host's rows: nothing to see, nothing changed
try vigil_host_a "UPDATE vigil.files SET sha256 = 'forged' WHERE host_id = 'b'"
check "updating another host's files changes nothing" "0 " "$prc $out"
try vigil_host_a "DELETE FROM vigil.files WHERE host_id = 'b'"
check "deleting another host's files deletes nothing" "0 " "$prc $out"

# history cannot be changed, not even one's own
for t in file_history sweeps findings; do
	denied "no DELETE on $t" vigil_host_a "DELETE FROM vigil.$t" "permission denied"
	denied "no UPDATE on $t" vigil_host_a "UPDATE vigil.$t SET sweep_id = 0" "permission denied"
	denied "no TRUNCATE on $t" vigil_host_a "TRUNCATE vigil.$t" "permission denied"
done
denied "no TRUNCATE of the current files" vigil_host_a "TRUNCATE vigil.files" "permission denied"
denied "no DDL in the schema" vigil_host_a "CREATE TABLE vigil.x (a int)" "permission denied"
denied "no replacing the binding function" vigil_host_a \
	"CREATE OR REPLACE FUNCTION vigil.session_host() RETURNS text LANGUAGE sql AS \$\$ SELECT 'b' \$\$" \
	"permission denied\|must be owner"
denied "no making roles" vigil_host_a "SELECT vigil.add_host('evil')" "permission denied"
try postgres "SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname IN ('vigil_host_a', 'vigil_ingest', 'vigil_analyst', 'analyst')"
check "no role used at run time is superuser, makes roles or bypasses RLS" "f|f|f f|f|f f|f|f f|f|f" "$(echo $out)"

# the analyst reads all and writes nothing
try analyst "SELECT count(*) FROM vigil.files"
check "the analyst reads every host's files" "0 4" "$prc $out"
denied "the analyst cannot insert" analyst \
	"INSERT INTO vigil.file_history (host_id, sweep_id, path, shown, change) VALUES ('a', 9, '\\x2f78', '/x', 'D')" \
	"permission denied"
denied "the analyst cannot delete" analyst "DELETE FROM vigil.files" "permission denied"
run_vigil push "$ANALYST" --host-id a --store "$T/a.db"
check "the analyst cannot push" 2 "$rc"

snapshot >"$T/after"
check "after all of it the database is as it was" "$(cat "$T/before")" "$(cat "$T/after")"
finish
