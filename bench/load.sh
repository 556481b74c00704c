#!/usr/bin/env bash
# Load benchmark for the foundation: an authenticated page (/account) and the start page
# (the work of today) versus /healthz at 50 concurrent connections (wrk on loopback), on
# SQLite and on PostgreSQL, plus idle memory and start-to-ready time. Prints one table; copy it into docs/PERFORMANCE.md.
#
#   bench/load.sh                 # both backends, 10 s per run
#   DURATION=30s bench/load.sh    # longer runs
#   BACKENDS=sqlite bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-50}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG_ADMIN="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rondom/target}"
# PostgreSQL installations need a shared key; any key will do for a benchmark.
export RONDOM_SECRET_KEY="${RONDOM_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"

command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
# RONDOM_BIN: measure another build (an A/B of two binaries on the same machine).
if [ -z "${RONDOM_BIN:-}" ]; then cargo build --release --quiet -p rondom; fi
BIN="${RONDOM_BIN:-$CARGO_TARGET_DIR/release/rondom}"
WORK=$(mktemp -d)
PORT=18471
BASE="http://127.0.0.1:$PORT"
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

now_ms() { date +%s%3N; }

start_server() { # $1 = database url; sets SERVER and READY_MS
  local t0; t0=$(now_ms)
  RONDOM_LOG=warn "$BIN" --database-url "$1" serve --demo --bind "127.0.0.1:$PORT" >"$WORK/out" 2>&1 &
  SERVER=$!
  # Poll readiness every 5 ms; this measures start-up, it is not a test.
  until curl -fs "$BASE/readyz" >/dev/null 2>&1; do
    kill -0 $SERVER 2>/dev/null || { cat "$WORK/out"; exit 1; }
    sleep 0.005
  done
  READY_MS=$(( $(now_ms) - t0 ))
}

stop_server() { kill $SERVER; wait $SERVER 2>/dev/null || true; }

login_cookie() { # demo huisarts; demo accounts skip the second factor in demo mode
  local jar="$WORK/jar" email="$EMAIL" csrf
  rm -f "$jar"
  csrf=$(curl -fs -c "$jar" "$BASE/inloggen" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
  curl -fs -b "$jar" -c "$jar" -o /dev/null -X POST "$BASE/inloggen" \
    --data-urlencode "email=$email" --data-urlencode "password=rondom-demo-2026" \
    --data-urlencode "csrf=$csrf" --data-urlencode "volgende=/"
  awk '$6 == "rondom_session" {print "rondom_session=" $7}' "$jar"
}

run_wrk() { # $1 path, $2 optional cookie -> "rps p50 p99"
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $2" "$BASE$1")
  else
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$1")
  fi
  local rps p50 p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$non2xx" ]; then echo "bench: $1 answered $non2xx non-2xx responses" >&2; exit 1; fi
  echo "$rps $p50 $p99"
}

printf '\nmachine: %s, %s cores, %s; date: %s; wrk -t2 -c%s -d%s\n' \
  "$(uname -m)" "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" "$(date -u +%F)" "$CONNECTIONS" "$DURATION"
printf '%-10s | %-22s | %9s | %8s | %8s\n' backend endpoint "req/s" p50 p99
for backend in $BACKENDS; do
  case $backend in
    sqlite) URL="sqlite://$WORK/bench.db" ;;
    postgres)
      DB="rondom_bench_$$"
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
      URL="${PG_ADMIN%/*}/$DB" ;;
  esac
  start_server "$URL"
  FIRST_READY=$READY_MS
  EMAIL=$(grep -E '^  huisarts ' "$WORK/out" | awk '{print $2}')
  stop_server
  # Start-to-ready and idle memory on the existing (migrated, filled) database.
  start_server "$URL"
  RSS_KB=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
  COOKIE=$(login_cookie)
  [ -n "$COOKIE" ] || { echo "bench: login failed"; exit 1; }
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/")
  [ "$code" = 200 ] || { echo "bench: authenticated page answered $code"; exit 1; }
  read -r h_rps h_p50 h_p99 <<<"$(run_wrk /healthz)"
  # The foundation's logged-in page (session, menu, render) and the start page, which
  # since issue 13 reads the person's work of today fresh on every view.
  read -r a_rps a_p50 a_p99 <<<"$(run_wrk /account "$COOKIE")"
  read -r s_rps s_p50 s_p99 <<<"$(run_wrk / "$COOKIE")"
  stop_server
  printf '%-10s | %-22s | %9s | %8s | %8s\n' "$backend" "/healthz" "$h_rps" "$h_p50" "$h_p99"
  printf '%-10s | %-22s | %9s | %8s | %8s\n' "$backend" "/account (logged in)" "$a_rps" "$a_p50" "$a_p99"
  printf '%-10s | %-22s | %9s | %8s | %8s\n' "$backend" "/ (work of today)" "$s_rps" "$s_p50" "$s_p99"
  awk -v a="$a_rps" -v h="$h_rps" -v b="$backend" -v rss="$RSS_KB" -v r1="$FIRST_READY" -v r2="$READY_MS" 'BEGIN {
    printf "%-10s | page/healthz req/s ratio %.2f | idle RSS %.1f MB | ready %d ms (new db, migrate + demo) / %d ms (existing db)\n", b, a/h, rss/1024, r1, r2 }'
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; fi
done
