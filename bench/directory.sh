#!/usr/bin/env bash
# Directory benchmark (issue 3): a generated sociale kaart of 20,000 services, imported
# with `rondom import hsds` (timed), then the search page at 20 concurrent users (wrk on
# loopback, a rotating set of Dutch queries and filters), next to /healthz in the same
# run, on SQLite and on PostgreSQL. Prints one table; copy it into docs/PERFORMANCE.md.
#
#   bench/directory.sh                  # both backends, 10 s per run
#   DURATION=30s BACKENDS=sqlite bench/directory.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-20}"
BACKENDS="${BACKENDS:-sqlite postgres}"
ORGS="${ORGS:-1000}"
PER_ORG="${PER_ORG:-20}"
PG_ADMIN="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rondom/target}"
export RONDOM_SECRET_KEY="${RONDOM_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
export RONDOM_LOG=warn

command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
# RONDOM_BIN: measure another build (an A/B of two binaries on the same machine).
if [ -z "${RONDOM_BIN:-}" ]; then cargo build --release --quiet -p rondom; fi
BIN="${RONDOM_BIN:-$CARGO_TARGET_DIR/release/rondom}"
WORK=$(mktemp -d)
PORT=18472
BASE="http://127.0.0.1:$PORT"
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

python3 bench/gen_directory.py "$WORK/directory.json" "$ORGS" "$PER_ORG"

# The queries a GP types, with and without filters; wrk cycles through them.
cat >"$WORK/queries.lua" <<'LUA'
local paths = {
  "/sociale-kaart?q=opvoeden",
  "/sociale-kaart?q=opvoeden+9+jaar",
  "/sociale-kaart?q=faalangst",
  "/sociale-kaart?q=angst&leeftijd=12",
  "/sociale-kaart?q=huiswerkbegeleidng",
  "/sociale-kaart?q=scheiding&postcode=9992",
  "/sociale-kaart?categorie=specialistisch&max_wacht=4",
  "/sociale-kaart?q=autisme&toegang=verwijzing",
  "/sociale-kaart?q=slapen+baby",
  "/sociale-kaart?probleem=financien&gebied=praktijk",
  "/sociale-kaart?q=rouw",
  "/sociale-kaart?q=blowen",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA

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

run_wrk() { # $1 path, $2 cookie or "", $3 lua script or "" -> "rps p50 p99"
  local args=(-t2 -c"$CONNECTIONS" -d"$DURATION" --latency)
  [ -n "$2" ] && args+=(-H "Cookie: $2")
  [ -n "$3" ] && args+=(-s "$3")
  local out; out=$(wrk "${args[@]}" "$BASE$1")
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$non2xx" ]; then echo "bench: $1 answered $non2xx non-2xx responses" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "50%" {print $2}') $(echo "$out" | awk '$1 == "99%" {print $2}')"
}

printf '\nmachine: %s, %s cores, %s; date: %s; %s services; wrk -t2 -c%s -d%s\n' \
  "$(uname -m)" "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "$(date -u +%F)" "$((ORGS * PER_ORG))" "$CONNECTIONS" "$DURATION"
printf '%-10s | %-28s | %9s | %8s | %8s\n' backend measure "req/s" p50 p99
for backend in $BACKENDS; do
  case $backend in
    sqlite) URL="sqlite://$WORK/bench.db" ;;
    postgres)
      DB="rondom_dirbench_$$"
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
      URL="${PG_ADMIN%/*}/$DB" ;;
  esac
  # The demo municipality first (for its logins), then the generated region on top.
  start_server "$URL" --demo
  EMAIL=$(grep -E '^  huisarts ' "$WORK/out" | awk '{print $2}')
  stop_server
  t0=$(date +%s%3N)
  "$BIN" --database-url "$URL" import hsds "$WORK/directory.json" >"$WORK/import" 2>&1 || { cat "$WORK/import"; exit 1; }
  import_ms=$(( $(date +%s%3N) - t0 ))
  start_server "$URL" --demo
  COOKIE=$(login_cookie "$EMAIL")
  [ -n "$COOKIE" ] || { echo "bench: login failed"; exit 1; }
  # The first search builds this server's index; the benchmark measures searches after it.
  first=$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $COOKIE" "$BASE/sociale-kaart?q=opvoeden")
  read -r h_rps h_p50 h_p99 <<<"$(run_wrk /healthz "" "")"
  read -r s_rps s_p50 s_p99 <<<"$(run_wrk /sociale-kaart "$COOKIE" "$WORK/queries.lua")"
  stop_server
  printf '%-10s | %-28s | %9s | %8s | %8s\n' "$backend" "/healthz" "$h_rps" "$h_p50" "$h_p99"
  printf '%-10s | %-28s | %9s | %8s | %8s\n' "$backend" "search page (10 queries)" "$s_rps" "$s_p50" "$s_p99"
  awk -v s="$s_rps" -v h="$h_rps" -v b="$backend" -v imp="$import_ms" -v first="$first" 'BEGIN {
    printf "%-10s | search/healthz req/s ratio %.2f | HSDS import %.2f s (wall, incl. start-up) | first search (index build) %.0f ms\n", b, s/h, imp/1000, first*1000 }'
  grep -o 'imported.*' "$WORK/import" | sed "s/^/$backend     | /"
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; fi
done
