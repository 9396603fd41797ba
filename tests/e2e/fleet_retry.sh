#!/bin/sh
# A push broken in the middle of its COPY, then retried, gives the same
# rows as a push that was never broken: the connection cut by a relay
# (tests/tools/pg_cut.c) after a fixed number of bytes, and the vigil
# process killed (SIGKILL) while the relay holds the connection mid-COPY.
# A retry of a delivered sweep sends nothing.
. "$(dirname "$0")/lib/common.sh"
: "${VIGIL_TEST_BIN:?}"
need jq
. "$(dirname "$0")/lib/fleet.sh"
CUT=$VIGIL_TEST_BIN/pg_cut
add_hosts a r
echo 'rule fleet_none { condition: false }' >"$T/none.yar"

# a tree large enough that its COPY is well over the cut point
mkdir -p "$T/tree/d1" "$T/tree/d2" "$T/tree/d3"
i=0
while [ $i -lt 2000 ]; do
	printf 'file number %d of the retry tree\n' $i >"$T/tree/d$((i % 3 + 1))/file-$i.txt"
	i=$((i + 1))
done
for h in a r; do
	run_vigil scan --no-builtin --rules "$T/none.yar" --threads 2 --store "$T/$h.db" "$T/tree"
	check "sweep for host $h" 0 "$rc"
done
run_vigil push "$(host_url r)" --host-id r --store "$T/r.db"
check "reference host r: delivered in one go" "0 1" "$rc $(grep -c 'delivered: 2000 of 2000' "$T/out")"

# relay URL (TCP through pg_cut): relay MODE BYTES, sets $purl, $ppid_cut
relay() {
	rm -f "$T/port" "$T/mark"
	"$CUT" "$T/port" "$PORT" "$2" "$1" "$T/mark" &
	ppid_cut=$!
	n=0
	while [ ! -s "$T/port" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	purl="postgresql://vigil_host_a@127.0.0.1:$(cat "$T/port")/postgres?sslmode=disable"
}
# wait until the server has ended every session of host a
no_session() {
	n=0
	while [ "$(sql postgres -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'vigil_host_a'")" != 0 ] &&
		[ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}
rows() { # HOST: the current set and history without the host id
	sql postgres -c "SELECT encode(path, 'hex'), shown, size, md5, sha1, sha256, sweep_id FROM vigil.files WHERE host_id = '$1' ORDER BY 1;
		SELECT encode(path, 'hex'), change, sha256 FROM vigil.file_history WHERE host_id = '$1' ORDER BY 1;
		SELECT sweep_id, files, sent, removed FROM vigil.sweeps WHERE host_id = '$1' ORDER BY 1"
}
count_a() {
	sql postgres -c "SELECT (SELECT count(*) FROM vigil.files WHERE host_id = 'a') || ' ' ||
		(SELECT count(*) FROM vigil.file_history WHERE host_id = 'a') || ' ' ||
		(SELECT count(*) FROM vigil.sweeps WHERE host_id = 'a')"
}

# 1. the connection cut 300,000 bytes in (the COPY of 2,000 rows is larger)
relay cut 300000
run_vigil push "$purl" --host-id a --store "$T/a.db"
wait "$ppid_cut" || true
check "cut mid-COPY: not delivered (exit 2)" 2 "$rc"
check "cut mid-COPY: it was the COPY that broke" 1 "$(grep -c 'unable to send' "$T/err")"
check "cut mid-COPY: the sweep stays in the store" 1 "$(grep -c 'stays in the store' "$T/err")"
no_session
check "cut mid-COPY: nothing of it in the database" "0 0 0" "$(count_a)"
run_vigil push "$(host_url a)" --host-id a --store "$T/a.db"
check "retry: delivered" "0 1" "$rc $(grep -c 'sweep 1 delivered: 2000 of 2000' "$T/out")"
check "retry: the same rows as the push never broken" "$(rows r)" "$(rows a)"
run_vigil push "$(host_url a)" --host-id a --store "$T/a.db"
check "retry of a delivered sweep: nothing sent" "0 1" "$rc $(grep -c 'sweep 1 was delivered already' "$T/out")"
check "retry of a delivered sweep: no row more (files, history, sweeps)" "2000 0 1" "$(count_a)"

# 2. vigil killed while the relay holds the connection mid-COPY
i=0
while [ $i -lt 30 ]; do
	printf 'changed %d\n' $i >"$T/tree/d1/file-$((i * 3)).txt"
	i=$((i + 1))
done
for h in a r; do
	run_vigil scan --no-builtin --rules "$T/none.yar" --threads 2 --store "$T/$h.db" "$T/tree"
done
rows a >"$T/a.before"
# hold the connection 6,000 bytes in: past the statements before the
# COPY (about 1.5 kB), inside the COPY data of the 30 rows (about 13 kB)
relay hold 6000
"$VIGIL" push "$purl" --host-id a --store "$T/a.db" >"$T/out" 2>"$T/err" &
vpid=$!
n=0
while [ ! -e "$T/mark" ] && [ $n -lt 200 ]; do sleep 0.1; n=$((n + 1)); done
check "hold: the relay stopped the push mid-way" "yes" "$([ -e "$T/mark" ] && echo yes || echo no)"
kill -9 "$vpid" 2>/dev/null || true
wait "$vpid" 2>/dev/null || true
wait "$ppid_cut" || true
no_session
check "killed mid-push: the database as it was" "$(cat "$T/a.before")" "$(rows a)"
run_vigil push "$(host_url a)" --host-id a --store "$T/a.db"
check "retry after the kill: delivered the 30 changed rows" "0 1" \
	"$rc $(grep -c 'sweep 2 delivered: 30 of 2000 files sent (changed since sweep 1)' "$T/out")"
run_vigil push "$(host_url r)" --host-id r --store "$T/r.db"
check "retry after the kill: the same rows as host r's clean push" "$(rows r)" "$(rows a)"
finish
