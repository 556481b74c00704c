#!/usr/bin/env bash
# Messages benchmark (issue 15), the workload Matrix Synapse was measured with on this
# machine, on SQLite and PostgreSQL: 20 people, 4 networks of 5 members with consent
# given, one conversation per network.
#  1. send: 16 clients, each with its own keep-alive connection and its own person's API
#     token, send 2,000 messages in total (after 2 untimed warm-up messages each):
#     messages/s, p50/p95/p99 per send, server CPU seconds per message;
#  2. delivery: one member holds GET /api/v1/events while another sends 200 messages one
#     at a time, each after the previous one arrived plus 20 ms: send-to-event p50/p99;
#  3. memory: idle RSS, and RSS with 1,000 open event streams;
#  4. documents: the same 16 clients share 25 PDFs of 200 KB each (checked by content,
#     sealed with the network's key, stored with a message): documents/s, MB/s, p99;
#  5. rotate-key: a new installation key over the demo municipality and all of the
#     above, first as a dry run (opens every value: the baseline), then for real.
# /healthz in the same run is the baseline. Prints one table for docs/PERFORMANCE.md.
#
#   bench/messages.sh                      # both backends
#   BACKENDS=sqlite bench/messages.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS="${BACKENDS:-sqlite postgres}"
CLIENTS=16
TOTAL="${TOTAL:-2000}"
STREAMS="${STREAMS:-1000}"
PG_ADMIN="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rondom/target}"
export RONDOM_SECRET_KEY="${RONDOM_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
export RONDOM_LOG=warn

command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
if [ -z "${RONDOM_BIN:-}" ]; then cargo build --release --quiet -p rondom; fi
# The clients (crates/rondom/benches/messages_load.rs), built once.
cargo bench --quiet -p rondom --bench messages_load --no-run 2>/dev/null
LOAD=$(ls -t "$CARGO_TARGET_DIR"/release/deps/messages_load-* | grep -v '\.d$' | head -1)
BIN="${RONDOM_BIN:-$CARGO_TARGET_DIR/release/rondom}"
WORK=$(mktemp -d)
PORT=18475
BASE="http://127.0.0.1:$PORT"
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
# 1,000 streams and the server's own connections need more than the default 1,024 files.
ulimit -n 8192

. bench/lib.sh
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }

printf '\nmachine: %s, %s cores, %s; date: %s; %s clients, %s messages\n' \
  "$(uname -m)" "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "$(date -u +%F)" "$CLIENTS" "$TOTAL"
row() { printf '%-10s | %-44s | %s\n' "$@"; }
for backend in $BACKENDS; do
  case $backend in
    sqlite) URL="sqlite://$WORK/bench.db" ;;
    postgres)
      DB="rondom_msgbench_$$"
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
      URL="${PG_ADMIN%/*}/$DB" ;;
  esac
  "$BIN" --database-url "$URL" demo >/dev/null
  "$BIN" --database-url "$URL" demo --message-bench | awk '$1 == "bench" {print $2, $3, $4}' >"$WORK/seats"
  [ "$(wc -l <"$WORK/seats")" = 20 ] || { echo "bench: expected 20 people"; cat "$WORK/seats"; exit 1; }
  # The demo's bulk load written out and its tables analysed first, as in
  # bench/networks.sh: otherwise the checkpointer writes the load out during the sends.
  if [ "$backend" = postgres ]; then psql "$URL" -qc "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; fi
  start_server "$URL"
  idle=$(rss_kb)
  h=$(wrk -t2 -c16 -d5s "$BASE/healthz" | awk '/Requests\/sec/ {print $2}')
  # The clients' 2 warm-up messages each are sent before the timing starts; the CPU
  # count includes them (32 of 2,032 messages).
  before=$(cpu_ticks)
  out=$(BASE="$BASE" SEATS="$WORK/seats" CLIENTS=$CLIENTS PER_CLIENT=$((TOTAL / CLIENTS)) WARMUP=2 RUN=$backend "$LOAD")
  after=$(cpu_ticks)
  read -r _ n errors secs p50 p95 p99 <<<"$(echo "$out" | grep '^RESULT')"
  [ "$errors" = 0 ] || { echo "bench: $errors sends failed"; echo "$out"; exit 1; }
  rate=$(awk -v n="$n" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')
  cpu=$(awk -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz / n * 1000}')
  read -r _ d50 d99 <<<"$(python3 bench/messages.py delivery "$BASE" "$WORK/seats" | grep '^RESULT')"
  loaded=$(rss_kb)
  read -r _ with_streams <<<"$(python3 bench/messages.py streams "$BASE" "$WORK/seats" "$SERVER" "$STREAMS" | grep '^RESULT')"
  docs=$(BASE="$BASE" SEATS="$WORK/seats" CLIENTS=$CLIENTS PER_CLIENT=25 WARMUP=1 MODE=documents RUN=$backend "$LOAD")
  read -r _ dn derrors dsecs _ _ dp99 <<<"$(echo "$docs" | grep '^RESULT')"
  [ "$derrors" = 0 ] || { echo "bench: $derrors documents failed"; echo "$docs"; exit 1; }
  stop_server
  old_key=$RONDOM_SECRET_KEY
  export RONDOM_SECRET_KEY=$(head -c 32 /dev/urandom | base64) RONDOM_PREVIOUS_SECRET_KEYS=$old_key
  t0=$(date +%s.%N)
  "$BIN" --database-url "$URL" admin rotate-key --dry-run >"$WORK/dry"
  t1=$(date +%s.%N)
  "$BIN" --database-url "$URL" admin rotate-key >"$WORK/rot"
  t2=$(date +%s.%N)
  values=$(awk '{for (i = 1; i <= NF; i++) if ($i == "again:") s += $(i + 1)} END {print s}' "$WORK/rot")
  export RONDOM_SECRET_KEY=$old_key; unset RONDOM_PREVIOUS_SECRET_KEYS
  row "$backend" "send, 16 clients: messages/s" "$rate (healthz $h req/s; ratio $(awk -v a="$rate" -v b="$h" 'BEGIN {printf "%.3f", a/b}'))"
  row "$backend" "send p50 / p95 / p99 (ms)" "$p50 / $p95 / $p99"
  row "$backend" "server CPU per message (ms)" "$cpu"
  row "$backend" "delivery send-to-event p50 / p99 (ms)" "$d50 / $d99"
  row "$backend" "RSS idle / after the sends (MB)" "$((idle / 1024)) / $((loaded / 1024))"
  row "$backend" "RSS with $STREAMS open streams (MB)" "$((with_streams / 1024)) (+$(((with_streams - loaded) / 1024)))"
  row "$backend" "documents of 200 KB, 16 clients: per s, MB/s" "$(awk -v n="$dn" -v s="$dsecs" 'BEGIN {printf "%.0f, %.0f", n / s, n * 0.2 / s}') (p99 $dp99 ms)"
  row "$backend" "rotate-key: values sealed again, seconds" "$values in $(awk -v a="$t1" -v b="$t2" 'BEGIN {printf "%.2f", b - a}') s (dry run $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') s; ratio $(awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {printf "%.2f", (c - b) / (b - a)}'))"
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; fi
done
