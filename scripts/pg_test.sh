#!/bin/sh
# A throwaway PostgreSQL cluster for the fleet tests and the benchmark.
#   pg_test.sh start DIR   initdb in DIR/pg (a new, empty directory is made
#                          if DIR is missing), start it on a Unix socket in
#                          DIR/pg and a free 127.0.0.1 port, print the
#                          connection as shell assignments:
#                            PGHOST=DIR/pg PGPORT=N VIGIL_PG_ADMIN=postgresql://...
#   pg_test.sh stop DIR    stop the cluster and remove DIR/pg
# Debian's postgresql is installed when missing (apt-get). The server
# refuses to run as root: as root it runs as the 'postgres' user (made by
# the package). Exit 77 when PostgreSQL cannot be installed or started.
set -eu

mode=${1:-}
dir=${2:-}
[ -n "$mode" ] && [ -n "$dir" ] || { echo "usage: pg_test.sh start|stop DIR" >&2; exit 2; }
pg=$dir/pg

bindir() {
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && { echo "$d"; return 0; }
	done
	return 1
}

as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case $mode in
stop)
	if [ -f "$pg/data/postmaster.pid" ] && B=$(bindir); then
		as_owner "$B/pg_ctl" -D "$pg/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$pg"
	exit 0
	;;
start) ;;
*) echo "usage: pg_test.sh start|stop DIR" >&2; exit 2 ;;
esac

if ! B=$(bindir); then
	echo "pg_test: installing postgresql" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	{ $SUDO apt-get install -y -q --no-install-recommends postgresql ||
		{ $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends postgresql; }; } >&2 ||
		{ echo "pg_test: skip: postgresql cannot be installed" >&2; exit 77; }
	B=$(bindir) || { echo "pg_test: skip: no initdb after installing postgresql" >&2; exit 77; }
fi
if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
	echo "pg_test: skip: running as root and no 'postgres' user to run the server" >&2
	exit 77
fi

mkdir -p "$dir"
rm -rf "$pg"
mkdir -m 0700 "$pg"
[ "$(id -u)" -eq 0 ] && chown postgres "$pg"
# the socket directory's path must fit in sun_path (107 bytes)
if [ ${#pg} -gt 90 ]; then
	echo "pg_test: skip: '$pg' is too long for a Unix socket path" >&2
	exit 77
fi
# the parents must be searchable by the server's user
[ "$(id -u)" -eq 0 ] && chmod o+x "$dir" 2>/dev/null || true

as_owner "$B/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 --no-locale \
	>"$pg/initdb.log" 2>&1 || {
	echo "pg_test: skip: initdb failed:" >&2
	tail -5 "$pg/initdb.log" >&2
	exit 77
}

# a free port: ask the kernel for one on 127.0.0.1, retry if taken
tries=0
while :; do
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + $$ % 20000 + tries)))
	if as_owner "$B/pg_ctl" -D "$pg/data" -w -t 30 -l "$pg/server.log" \
		-o "-k $pg -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 -c shared_buffers=64MB" \
		start >/dev/null 2>&1; then
		break
	fi
	tries=$((tries + 1))
	if [ "$tries" -ge 5 ]; then
		echo "pg_test: skip: the server does not start:" >&2
		tail -5 "$pg/server.log" >&2
		exit 77
	fi
done
echo "PGHOST=$pg"
echo "PGPORT=$port"
echo "VIGIL_PG_ADMIN='postgresql://postgres@/postgres?host=$pg&port=$port'"
