#!/usr/bin/env bash
# Referral benchmark (issue 4), on SQLite and PostgreSQL:
#  1. the team inbox page (/verwijzingen: counts and first rows of every section) with
#     100,000 referrals in the database: flat out at 20, 5 and 1 connections (each asks
#     again the moment it has its answer: throughput, and latency behind a queue), and
#     for 20 users who each look at the page for 50-250 ms before asking again (latency
#     at a load far above a real team's, below saturation);
#  2. the referral lifecycle through the API at 20 concurrent users: each "user" creates
#     a referral (GP token) and the team moves it accepted → in-progress → completed
#     (consultant token), so four requests per referral;
# next to /healthz in the same run. Prints one table; copy it into docs/PERFORMANCE.md.
#
#   bench/referrals.sh                     # both backends, 10 s per run
#   DURATION=30s BACKENDS=sqlite REFERRALS=20000 bench/referrals.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-20}"
BACKENDS="${BACKENDS:-sqlite postgres}"
REFERRALS="${REFERRALS:-100000}"
PG_ADMIN="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rondom/target}"
export RONDOM_SECRET_KEY="${RONDOM_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
export RONDOM_LOG=warn

command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
# RONDOM_BIN: measure another build (an A/B of two binaries on the same machine).
if [ -z "${RONDOM_BIN:-}" ]; then cargo build --release --quiet -p rondom; fi
BIN="${RONDOM_BIN:-$CARGO_TARGET_DIR/release/rondom}"
WORK=$(mktemp -d)
PORT=18473
BASE="http://127.0.0.1:$PORT"
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT

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

run_wrk() { # $1 path, $2 header or "", $3 lua script or "" -> "rps p50 p99"
  local args=(-t"${THREADS:-2}" -c"$CONNECTIONS" -d"$DURATION" --latency)
  [ -n "$2" ] && args+=(-H "$2")
  [ -n "$3" ] && args+=(-s "$3")
  local out; out=$(wrk "${args[@]}" "$BASE$1")
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$non2xx" ]; then echo "bench: $1 answered $non2xx non-2xx responses" >&2; echo "$out" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "50%" {print $2}') $(echo "$out" | awk '$1 == "99%" {print $2}')"
}

# The lifecycle: each answer (a created or moved referral) queues that referral's next
# move; with nothing queued, a new referral is created.
lifecycle_lua() { # $1 GP token, $2 consultant token, $3 team id, $4 consultant id
  cat <<LUA
local gp, team, team_id, director = "$1", "$2", "$3", "$4"
local queue = {}
-- The next move for a referral that stands at a status.
local next_move = {
  ["requested"] = '{"to":"accepted","case_director_id":"' .. director .. '"}',
  ["accepted"] = '{"to":"in-progress"}',
  ["in-progress"] = '{"to":"completed","outcome":{"help_given":"Gesprekken","given_by":"Consulent","next":"Niets"}}',
}
local create = '{"child":{"name":"Noor de Vries","birth_date":"2014-03-01","gemeente_code":"GM9999"},'
  .. '"to_org_id":"' .. team_id .. '","reason":"Ouders lopen vast in de opvoeding.",'
  .. '"problem_areas":["opvoeding"]}'
request = function()
  local item = table.remove(queue, 1)
  if item then
    return wrk.format("POST", "/api/v1/referrals/" .. item.id .. "/transitions",
      {["Authorization"] = "Bearer " .. team, ["Content-Type"] = "application/json"}, item.body)
  end
  return wrk.format("POST", "/api/v1/referrals",
    {["Authorization"] = "Bearer " .. gp, ["Content-Type"] = "application/json"}, create)
end
-- Every answer names the referral and its status (the first "id" and "status" in the
-- detail are the referral's own), so the next move follows from the answer alone.
response = function(status, headers, body)
  if status >= 300 then return end
  local id = string.match(body, '"id":"([^"]+)"')
  local st = string.match(body, '"status":"([^"]+)"')
  local move = st and next_move[st]
  if id and move then
    table.insert(queue, {id = id, body = move})
  end
end
LUA
}

printf '\nmachine: %s, %s cores, %s; date: %s; %s referrals; wrk -t2 -c%s -d%s\n' \
  "$(uname -m)" "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "$(date -u +%F)" "$REFERRALS" "$CONNECTIONS" "$DURATION"
printf '%-10s | %-34s | %9s | %8s | %8s\n' backend measure "req/s" p50 p99
for backend in $BACKENDS; do
  case $backend in
    sqlite) URL="sqlite://$WORK/bench.db" ;;
    postgres)
      DB="rondom_refbench_$$"
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
      URL="${PG_ADMIN%/*}/$DB" ;;
  esac
  "$BIN" --database-url "$URL" demo >"$WORK/demo" 2>&1 || { cat "$WORK/demo"; exit 1; }
  GP=$(grep -E '^  huisarts ' "$WORK/demo" | awk '{print $2}')
  CONSULENT=$(grep -E '^  consulent ' "$WORK/demo" | awk '{print $2}')
  gen=$("$BIN" --database-url "$URL" demo --referrals "$REFERRALS" | grep -o 'in [0-9.]* s')
  GP_TOKEN=$("$BIN" --database-url "$URL" admin create-token --email "$GP" | tail -1)
  TEAM_TOKEN=$("$BIN" --database-url "$URL" admin create-token --email "$CONSULENT" | tail -1)
  start_server "$URL" --demo
  COOKIE=$(login_cookie "$CONSULENT")
  [ -n "$COOKIE" ] || { echo "bench: login failed"; exit 1; }
  ME=$(curl -fs -H "Authorization: Bearer $TEAM_TOKEN" "$BASE/api/v1/me")
  DIRECTOR=$(echo "$ME" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  TEAM_ID=$(echo "$ME" | python3 -c 'import json,sys; m=json.load(sys.stdin)["memberships"]; print([x for x in m if x["role"]=="consulent"][0]["organisation_id"])')
  lifecycle_lua "$GP_TOKEN" "$TEAM_TOKEN" "$TEAM_ID" "$DIRECTOR" >"$WORK/life.lua"
  read -r h_rps h_p50 h_p99 <<<"$(run_wrk /healthz "" "")"
  read -r i_rps i_p50 i_p99 <<<"$(run_wrk /verwijzingen "Cookie: $COOKIE" "")"
  # The same page for a team of five opening it at once, and for one person alone (the
  # page's own latency, without queueing behind others).
  read -r f_rps f_p50 f_p99 <<<"$(CONNECTIONS=5 run_wrk /verwijzingen "Cookie: $COOKIE" "")"
  read -r o_rps o_p50 o_p99 <<<"$(THREADS=1 CONNECTIONS=1 run_wrk /verwijzingen "Cookie: $COOKIE" "")"
  # wrk leaves a connection's pause out of the latency it records.
  echo 'math.randomseed(42); delay = function() return math.random(50, 250) end' >"$WORK/think.lua"
  read -r u_rps u_p50 u_p99 <<<"$(run_wrk /verwijzingen "Cookie: $COOKIE" "$WORK/think.lua")"
  read -r l_rps l_p50 l_p99 <<<"$(run_wrk /api/v1/referrals "" "$WORK/life.lua")"
  stop_server
  printf '%-10s | %-34s | %9s | %8s | %8s\n' "$backend" "/healthz" "$h_rps" "$h_p50" "$h_p99"
  printf '%-10s | %-34s | %9s | %8s | %8s\n' "$backend" "team inbox, 20 connections" "$i_rps" "$i_p50" "$i_p99"
  printf '%-10s | %-34s | %9s | %8s | %8s\n' "$backend" "team inbox, 5 connections" "$f_rps" "$f_p50" "$f_p99"
  printf '%-10s | %-34s | %9s | %8s | %8s\n' "$backend" "team inbox, 1 connection" "$o_rps" "$o_p50" "$o_p99"
  printf '%-10s | %-34s | %9s | %8s | %8s\n' "$backend" "team inbox, 20 users, 50-250 ms" "$u_rps" "$u_p50" "$u_p99"
  printf '%-10s | %-34s | %9s | %8s | %8s\n' "$backend" "lifecycle (create + 3 moves, API)" "$l_rps" "$l_p50" "$l_p99"
  awk -v i="$i_rps" -v l="$l_rps" -v h="$h_rps" -v b="$backend" -v gen="$gen" 'BEGIN {
    printf "%-10s | inbox/healthz ratio %.3f | lifecycle/healthz ratio %.3f | %.0f referrals through their life per s | referrals generated %s\n", b, i/h, l/h, l/4, gen }'
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; fi
done
