# Shared setup of the fleet tests (sourced after common.sh): a throwaway
# PostgreSQL cluster (scripts/pg_test.sh) in $T, stopped and removed at
# exit, the schema made by vigil fleet init-db, and helpers.
need psql
pg_out=$(sh "$VIGIL_TEST_SRC/scripts/pg_test.sh" start "$T") || {
	prc=$?
	if [ "$prc" -eq 77 ]; then
		echo "skip: PostgreSQL cannot be installed or started here"
		exit 77
	fi
	echo "not ok - pg_test.sh start failed ($prc)"
	exit 1
}
eval "$pg_out"
PORT=$PGPORT
trap 'sh "$VIGIL_TEST_SRC/scripts/pg_test.sh" stop "$T" >/dev/null 2>&1; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
# only the URLs below name the server
unset PGHOST PGPORT PGUSER PGDATABASE PGSERVICE PGPASSWORD VIGIL_DB 2>/dev/null || true
SOCK=$T/pg
url() { echo "postgresql://$1@/postgres?host=$SOCK&port=$PORT"; }
ADMIN=$(url postgres)
# shellcheck disable=SC2034 # read by the tests that source this
ANALYST=$(url analyst)
host_url() { url "vigil_host_$1"; }
# psql as a role: sql ROLE SQL...  (prints rows unaligned, tuples only)
sql() {
	r=$1
	shift
	psql "$(url "$r")" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

run_vigil fleet init-db --db "$ADMIN"
# shellcheck disable=SC2154 # rc is set by run_vigil (common.sh)
check "init-db" 0 "$rc"
sql postgres -c "CREATE ROLE analyst LOGIN IN ROLE vigil_analyst" >/dev/null

# add_hosts ID...: the login role of each host
add_hosts() {
	for h in "$@"; do
		sql postgres -c "SELECT vigil.add_host('$h')" >/dev/null
	done
}
