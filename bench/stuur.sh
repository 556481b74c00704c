#!/usr/bin/env bash
# Stuurinformatie benchmark (issue 17), on SQLite and PostgreSQL, over the region of
# `rondom demo --region` (ten municipalities, 1,000,000 inhabitants, 400 practices, five
# years: some 87,000 referrals and 37,000 consultations). At 5 connections flat out:
#  1. the largest municipality's dashboard (API, every table, the last four quarters),
#  2. the same filtered to one district, one age band and one quarter,
#  3. its dashboard page (HTML with the SVG charts),
#  4. a CSV export (the practices' table, the heaviest) and the Excel export of every
#     table,
#  5. a team leader's dashboard (API, with the caseload),
#  6. a GP's dashboard (API: the practice next to the municipality's average),
# and /healthz in the same run as the baseline. Before the load, `rondom stuur check`
# reads every municipality's kept facts and recomputes them from the raw tables (the
# referrals, their events and feedback), timing both: the plain recompute in the same
# run. Prints one table; copy it into docs/PERFORMANCE.md.
#
#   bench/stuur.sh                         # both backends, 10 s per run
#   BACKENDS=sqlite DURATION=5s bench/stuur.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-5}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PG_ADMIN="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rondom/target}"
export RONDOM_SECRET_KEY="${RONDOM_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
export RONDOM_LOG=warn

command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
if [ -z "${RONDOM_BIN:-}" ]; then cargo build --release --quiet -p rondom; fi
BIN="${RONDOM_BIN:-$CARGO_TARGET_DIR/release/rondom}"
WORK=$(mktemp -d)
PORT=18475
BASE="http://127.0.0.1:$PORT"
SERVER=""
DB=""
cleanup() {
  [ -n "$SERVER" ] && kill $SERVER 2>/dev/null
  [ -n "$DB" ] && psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

. bench/lib.sh


login_cookie() {
  local jar="$WORK/jar" csrf
  rm -f "$jar"
  csrf=$(curl -fs -c "$jar" "$BASE/inloggen" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
  curl -fs -b "$jar" -c "$jar" -o /dev/null -X POST "$BASE/inloggen" \
    --data-urlencode "email=$1" --data-urlencode "password=rondom-demo-2026" \
    --data-urlencode "csrf=$csrf" --data-urlencode "volgende=/"
  awk '$6 == "rondom_session" {print "rondom_session=" $7}' "$jar"
}

run_wrk() { # $1 path, $2 header -> "rps p50 p99"
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$2" "$BASE$1")
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$non2xx" ]; then echo "bench: $1 answered $non2xx non-2xx responses" >&2; echo "$out" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "50%" {print $2}') $(echo "$out" | awk '$1 == "99%" {print $2}')"
}

printf '\nmachine: %s, %s cores, %s; date: %s; wrk -t2 -c%s -d%s\n' \
  "$(uname -m)" "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "$(date -u +%F)" "$CONNECTIONS" "$DURATION"
row() { printf '%-10s | %-46s | %9s | %8s | %8s\n' "$@"; }
for backend in $BACKENDS; do
  case $backend in
    sqlite) URL="sqlite://$WORK/bench.db" ;;
    postgres)
      DB="rondom_stuurbench_$$"
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
      URL="${PG_ADMIN%/*}/$DB" ;;
  esac
  gen=$("$BIN" --database-url "$URL" demo --region | grep -o 'Region added in [0-9.]* s: .*')
  if [ "$backend" = postgres ]; then psql "$URL" -qc "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; fi
  echo "$backend | $gen"
  echo "$backend | rondom stuur check (kept facts against a recompute from the raw tables):"
  "$BIN" --database-url "$URL" stuur check | sed "s/^/$backend |   /"
  token() { "$BIN" --database-url "$URL" admin create-token --email "$1" --name bench | tail -1; }
  POLICY=$(token beleid@noorderveld.example)
  LEADER=$(token teamleider@noorderveld.example)
  GP=$(token huisarts1@noorderveld.example)
  # --demo: the region's accounts are demo accounts, which log in without a second
  # factor only so (the database is not empty, so nothing is loaded).
  start_server "$URL" --demo
  COOKIE=$(login_cookie beleid@noorderveld.example)
  today=$(date -u +%Y-%m)
  year=${today%-*}; month=$((10#${today#*-}))
  quarter="$year-K$(( (month - 1) / 3 + 1 ))"
  row backend measure "req/s" p50 p99
  read -r h_rps h_p50 h_p99 < <(run_wrk /healthz "X-Bench: 1")
  row "$backend" "/healthz (baseline)" "$h_rps" "$h_p50" "$h_p99"
  read -r g_rps g_p50 g_p99 < <(run_wrk /api/v1/stuurinformatie "Authorization: Bearer $POLICY")
  row "$backend" "municipality, API, last four quarters" "$g_rps" "$g_p50" "$g_p99"
  read -r f_rps f_p50 f_p99 < <(run_wrk "/api/v1/stuurinformatie?van=$quarter&tot=$quarter&wijk=WK970102&leeftijd=4-11" "Authorization: Bearer $POLICY")
  row "$backend" "municipality, API, district+age+quarter" "$f_rps" "$f_p50" "$f_p99"
  read -r p_rps p_p50 p_p99 < <(run_wrk /stuurinformatie "Cookie: $COOKIE")
  row "$backend" "municipality, page with charts" "$p_rps" "$p_p50" "$p_p99"
  read -r c_rps c_p50 c_p99 < <(run_wrk "/stuurinformatie/export.csv?tabel=huisartsen" "Cookie: $COOKIE")
  row "$backend" "municipality, CSV of the practices" "$c_rps" "$c_p50" "$c_p99"
  read -r x_rps x_p50 x_p99 < <(run_wrk "/stuurinformatie/export.xlsx" "Cookie: $COOKIE")
  row "$backend" "municipality, Excel of every table" "$x_rps" "$x_p50" "$x_p99"
  read -r t_rps t_p50 t_p99 < <(run_wrk /api/v1/stuurinformatie "Authorization: Bearer $LEADER")
  row "$backend" "team leader, API" "$t_rps" "$t_p50" "$t_p99"
  read -r d_rps d_p50 d_p99 < <(run_wrk /api/v1/stuurinformatie "Authorization: Bearer $GP")
  row "$backend" "GP (practice and average), API" "$d_rps" "$d_p50" "$d_p99"
  awk -v g="$g_rps" -v p="$p_rps" -v h="$h_rps" -v b="$backend" 'BEGIN {
    printf "%-10s | municipality API/healthz %.4f | page/healthz %.4f\n", b, g/h, p/h }'
  stop_server
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; DB=""; fi
done
