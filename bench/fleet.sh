#!/bin/sh
# Fleet mode against one local PostgreSQL (scripts/pg_test.sh): simulated
# hosts push their stores in parallel; ingest rows/s, database size per
# host, fleet hunt latency for 10,000 hash IOCs, and a re-sweep push where
# 1 % of each host's files changed.
#
# The hosts' stores are one real store (vigil scan of a synthetic tree of
# FLEET_FILES files) copied per host, with 2 % of each copy's digests made
# unique to the host (most paths and digests shared, as in a fleet).
# Defaults are scaled down for a small shared machine; the issue's size:
#   FLEET_HOSTS=200 FLEET_FILES=20000 sh bench/fleet.sh
# Knobs: FLEET_HOSTS (20), FLEET_FILES (20000), FLEET_PARALLEL (4),
#        VIGIL (build/vigil), W (a scratch directory, removed at the end),
#        FLEET_KEEP=1 (keep W and the server running, to look at it).
# The peer: psql's \copy of the same rows (the first host's) into a plain
# table, no index, no row-level security, no merge: the floor of what
# PostgreSQL takes in on this machine; and the hunt's two joins (current
# files, history) run by psql, without first/last seen or host names.
set -eu
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-build/vigil}
VIGIL=$(cd "$(dirname "$VIGIL")" && pwd)/$(basename "$VIGIL")
HOSTS=${FLEET_HOSTS:-20}
FILES=${FLEET_FILES:-20000}
PAR=${FLEET_PARALLEL:-4}
for t in psql sqlite3 awk; do
	command -v $t >/dev/null || { echo "bench/fleet: needs $t" >&2; exit 2; }
done
W=${W:-$(mktemp -d /tmp/vigil-fleet-bench.XXXXXX)}
. bench/lib.sh
if [ -n "${FLEET_KEEP:-}" ]; then
	trap 'echo "bench/fleet: kept $W (sh scripts/pg_test.sh stop $W)"' EXIT
else
	trap 'sh scripts/pg_test.sh stop "$W" >/dev/null 2>&1; rm -rf "$W"' EXIT
fi
eval "$(sh scripts/pg_test.sh start "$W")"
PORT=$PGPORT
SOCK=$W/pg
unset PGHOST PGPORT
url() { echo "postgresql://$1@/postgres?host=$SOCK&port=$PORT"; }
sql() { psql "$(url postgres)" -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
"$VIGIL" fleet init-db --db "$(url postgres)" 2>/dev/null
sql -c "CREATE ROLE analyst LOGIN IN ROLE vigil_analyst"

echo "bench/fleet: $HOSTS hosts x $FILES files, $PAR pushes at a time"
# the template store: a real sweep of a synthetic tree
mkdir -p "$W/tree"
awk -v n="$FILES" -v d="$W/tree" 'BEGIN {
	for (i = 0; i < n; i++) {
		dir = d "/dir" (i % 100)
		if (i < 100) system("mkdir -p " dir)
		f = dir "/file-" i ".so"
		printf "synthetic shared file %d\n", i > f
		close(f)
	}
}'
echo 'rule fleet_bench_none { condition: false }' >"$W/none.yar"
"$VIGIL" scan --no-builtin --rules "$W/none.yar" --store "$W/template.db" "$W/tree" >/dev/null 2>&1 || true
rows=$(sqlite3 "$W/template.db" "SELECT count(*) FROM files")
echo "bench/fleet: template store of $rows files"
i=1
while [ $i -le $HOSTS ]; do
	h=$(printf 'h%04d' $i)
	cp "$W/template.db" "$W/$h.db"
	sqlite3 "$W/$h.db" "UPDATE files SET sha256 = printf('%056x%08x', rowid, $i),
		md5 = printf('%024x%08x', rowid, $i), sha1 = printf('%032x%08x', rowid, $i)
		WHERE rowid % 50 = 0"
	sql -c "SELECT vigil.add_host('$h')" >/dev/null
	i=$((i + 1))
done

push_all() { # the stores pushed, PAR at a time
	i=1
	while [ $i -le $HOSTS ]; do printf 'h%04d\n' $i; i=$((i + 1)); done |
		xargs -P "$PAR" -I{} sh -c '"$1" push "postgresql://vigil_host_$2@/postgres?host=$3&port=$4" --host-id "$2" --store "$5/$2.db" >/dev/null 2>"$5/$2.err" || { cat "$5/$2.err" >&2; exit 255; }' \
			sh "$VIGIL" {} "$SOCK" "$PORT" "$W"
}

s=$(now)
push_all
e=$(now)
total=$((rows * HOSTS))
ingest=$(awk -v t="$total" -v s="$s" -v e="$e" 'BEGIN { printf "%.0f", t / (e - s) }')
echo "ingest (first push, every row): $total file rows in $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }') s: $ingest rows/s"
got=$(sql -c "SELECT count(*) FROM vigil.files")
[ "$got" = "$total" ] || { echo "bench/fleet: the database holds $got file rows, not $total" >&2; exit 1; }

# the peer: psql \copy of one host's rows, as many times as there are hosts,
# into a plain table
sqlite3 -separator '	' "$W/h0001.db" "SELECT hex(path), shown, dev, ino, size, mtime_ns, ctime_ns,
	mode, uid, gid, md5, sha1, sha256, skip, score, file_class, sweep_id FROM files" |
	awk -F'\t' -v OFS='\t' '{ $1 = "\\\\x" tolower($1); print }' >"$W/rows.tsv"
sql -c "CREATE TABLE public.peer (path bytea, shown text, dev bigint, ino bigint, size bigint,
	mtime_ns bigint, ctime_ns bigint, mode bigint, uid bigint, gid bigint, md5 text, sha1 text,
	sha256 text, skip int, score int, file_class int, sweep_id bigint)"
s=$(now)
i=1
while [ $i -le $HOSTS ]; do printf '%d\n' $i; i=$((i + 1)); done |
	xargs -P "$PAR" -I{} psql "$(url postgres)" -X -q -c "\\copy public.peer FROM '$W/rows.tsv'"
e=$(now)
peer=$(awk -v t="$total" -v s="$s" -v e="$e" 'BEGIN { printf "%.0f", t / (e - s) }')
printf 'peer (psql \\copy into a plain table): %s rows/s; vigil push / peer: %s\n' "$peer" \
	"$(awk -v a="$ingest" -v b="$peer" 'BEGIN { printf "%.2f", a / b }')"
sql -c "DROP TABLE public.peer"

sql -c "VACUUM ANALYZE" 2>/dev/null
size=$(sql -c "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'vigil' AND c.relkind IN ('r', 'm')")
echo "database size: $(awk -v b="$size" 'BEGIN { printf "%.1f MiB", b / 1048576 }') for $HOSTS hosts, $(awk -v b="$size" -v h="$HOSTS" 'BEGIN { printf "%.2f MiB", b / h / 1048576 }') per host ($(awk -v b="$size" -v t="$total" 'BEGIN { printf "%.0f", b / t }') bytes per file row, with history and indexes)"

# fleet hunt: 10,000 SHA-256 IOCs, 10 of them present (shared by every
# host), the rest absent
sqlite3 "$W/template.db" "SELECT sha256 || ';present' FROM files WHERE rowid % 50 <> 0 LIMIT 10" >"$W/hash-iocs.txt"
awk 'BEGIN { srand(7); for (i = 0; i < 9990; i++) { s = ""; for (k = 0; k < 8; k++) s = s sprintf("%08x", int(rand() * 4294967296)); print s ";absent" } }' >>"$W/hash-iocs.txt"
hunt() { bench_time hunt "$VIGIL" fleet hunt --db "$(url analyst)" --iocs "$W/hash-iocs.txt" --json; }
cut -d';' -f1 "$W/hash-iocs.txt" >"$W/hashes.txt"
peer_hunt() {
	bench_time peer_hunt psql "$(url analyst)" -X -q -c "CREATE TEMP TABLE i (v text)" \
		-c "\\copy i FROM '$W/hashes.txt'" -c "ANALYZE i" \
		-c "SELECT f.host_id, f.shown FROM i JOIN vigil.files f ON f.sha256 = i.v UNION ALL SELECT h.host_id, h.shown FROM i JOIN vigil.file_history h ON h.sha256 = i.v"
}
bench_rounds 3 hunt peer_hunt
n=$("$VIGIL" fleet hunt --db "$(url analyst)" --iocs "$W/hash-iocs.txt" --json | grep -c '"type":"hit"' || true)
echo "fleet hunt, 10,000 hashes: $(bench_median hunt) s (median of 3; $n hits = 10 files x $HOSTS hosts); psql join alone: $(bench_median peer_hunt) s; ratio $(awk -v a="$(bench_median hunt)" -v b="$(bench_median peer_hunt)" 'BEGIN { printf "%.2f", a / b }')"

# a re-sweep where 1 % of each host's files changed: a new sweep in each
# store, those rows rewritten by it
i=1
while [ $i -le $HOSTS ]; do
	h=$(printf 'h%04d' $i)
	sqlite3 "$W/$h.db" "INSERT INTO sweeps (id, started_ns, finished_ns, complete, vigil_version)
		SELECT max(id) + 1, max(started_ns) + 1000000000, max(finished_ns) + 1000000000, 1, max(vigil_version) FROM sweeps;
		UPDATE files SET sha256 = printf('%048x%08x%08x', rowid, $i, 2), sweep_id = (SELECT max(id) FROM sweeps)
		WHERE rowid % 100 = 7"
	i=$((i + 1))
done
changed=$(sqlite3 "$W/h0001.db" "SELECT count(*) FROM files WHERE rowid % 100 = 7")
s=$(now)
push_all
e=$(now)
echo "re-push, 1 % changed: $((changed * HOSTS)) rows sent in $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }') s ($(awk -v s="$s" -v e="$e" -v h="$HOSTS" 'BEGIN { printf "%.0f", 1000 * (e - s) / h * '"$PAR"' }') ms per host push, $PAR at a time)"
got=$(sql -c "SELECT count(*) FROM vigil.file_history WHERE change = 'M'")
[ "$got" = "$((changed * HOSTS))" ] || { echo "bench/fleet: $got changed rows recorded, not $((changed * HOSTS))" >&2; exit 1; }
