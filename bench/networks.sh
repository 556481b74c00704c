#!/usr/bin/env bash
# Network benchmark (issue 14), on SQLite and PostgreSQL, with 100,000 networks and
# 10 million access-log entries in the database (and 100,000 referrals under them):
#  1. the parent's start page (/: their children's networks),
#  2. the network page (/netwerken/{id}: members, consent, the help) as the parent,
#  3. the child's access log (/netwerken/{id}/inzage), whose child has 10,000 entries of
#     its own: first page,
#  4. the family plan (/netwerken/{id}/plan: the parent's akkoord and what changed
#     since) as the parent; every generated network has a plan of two versions, the
#     parent's has five years of monthly versions and two messages a day,
#  5. the agenda of the team's next case meeting (/api/v1/meetings/{id}) as the team
#     leader, with the work's suggestions over every network the team coordinates,
#  6. the copy of the parent's file (/api/v1/networks/{id}/export: five years of
#     messages and plan versions and 10,000 log entries as one FHIR Bundle), one at a
#     time, five times,
# each at 20 connections flat out (throughput) and for 20 users who pause 50-250 ms
# between pages (latency below saturation), the access log also at 1 connection; /healthz in the same run as the baseline. Every page view
# writes its own audit entries, as in production. Prints one table; copy it into
# docs/PERFORMANCE.md.
#
#   bench/networks.sh                                      # both backends, 10 s per run
#   NETWORKS=20000 LOG_ENTRIES=1000000 BACKENDS=sqlite bench/networks.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-10s}"
# The "20 users" runs pause between pages, so they make few requests: 30 s gives about
# 4,000, enough for a p99 that is not decided by a dozen requests.
USERS_DURATION="${USERS_DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-20}"
BACKENDS="${BACKENDS:-sqlite postgres}"
NETWORKS="${NETWORKS:-100000}"
LOG_ENTRIES="${LOG_ENTRIES:-10000000}"
PG_ADMIN="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_SOCKET_DIR="${PG_SOCKET_DIR:-/var/run/postgresql}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rondom/target}"
export RONDOM_SECRET_KEY="${RONDOM_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
export RONDOM_LOG=warn

command -v wrk >/dev/null || { echo "bench: installing wrk"; apt-get install -y -qq wrk >/dev/null; }
if [ -z "${RONDOM_BIN:-}" ]; then cargo build --release --quiet -p rondom; fi
BIN="${RONDOM_BIN:-$CARGO_TARGET_DIR/release/rondom}"
WORK=$(mktemp -d)
PORT=18474
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
  [ -n "${3:-}" ] && args+=(-s "$3")
  local out; out=$(wrk "${args[@]}" "$BASE$1")
  local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  if [ -n "$non2xx" ]; then echo "bench: $1 answered $non2xx non-2xx responses" >&2; echo "$out" >&2; exit 1; fi
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1 == "50%" {print $2}') $(echo "$out" | awk '$1 == "99%" {print $2}')"
}

printf '\nmachine: %s, %s cores, %s; date: %s; %s networks, %s access-log entries; wrk -t2 -c%s -d%s (20 users: -d%s)\n' \
  "$(uname -m)" "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "$(date -u +%F)" "$NETWORKS" "$LOG_ENTRIES" "$CONNECTIONS" "$DURATION" "$USERS_DURATION"
row() { printf '%-10s | %-38s | %9s | %8s | %8s\n' "$@"; }
row backend measure "req/s" p50 p99
for backend in $BACKENDS; do
  case $backend in
    sqlite) URL="sqlite://$WORK/bench.db" ;;
    postgres)
      DB="rondom_netbench_$$"
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
      URL="${PG_ADMIN%/*}/$DB" ;;
  esac
  # The server reaches a PostgreSQL on this machine over its Unix socket, as the README
  # advises for one machine: TLS over loopback only spends the two cores that the
  # server, PostgreSQL and wrk share here (RONDOM_BENCH_PG_TCP=1 keeps TCP).
  SERVE_URL="$URL"
  if [ "$backend" = postgres ] && [ -z "${RONDOM_BENCH_PG_TCP:-}" ] && [ -S "$PG_SOCKET_DIR/.s.PGSQL.5432" ]; then
    pg_user="${PG_ADMIN#*://}"; pg_user="${pg_user%%@*}"
    SERVE_URL="postgres://$pg_user@${PG_SOCKET_DIR//\//%2F}/$DB"
  fi
  "$BIN" --database-url "$URL" demo >"$WORK/demo" 2>&1 || { cat "$WORK/demo"; exit 1; }
  PARENT=$(grep -E '^  ouder ' "$WORK/demo" | awk '{print $2}')
  LEADER=$(grep -E '^  teamleider ' "$WORK/demo" | awk '{print $2}')
  "$BIN" --database-url "$URL" demo --referrals "$NETWORKS" >/dev/null
  gen=$("$BIN" --database-url "$URL" demo --networks "$NETWORKS" --log-entries "$LOG_ENTRIES" \
    --long-log-for "$PARENT" | grep -o 'in [0-9.]* s')
  # Measure the steady state, not the bulk load's aftermath: PostgreSQL writes the
  # loaded pages out and vacuums first (else a checkpoint lands in the measurement).
  if [ "$backend" = postgres ]; then psql "$URL" -qc "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null; fi
  LEADER_TOKEN=$("$BIN" --database-url "$URL" admin create-token --email "$LEADER" --name bench | tail -1)
  PARENT_TOKEN=$("$BIN" --database-url "$URL" admin create-token --email "$PARENT" --name bench | tail -1)
  start_server "$SERVE_URL"
  COOKIE=$(login_cookie "$PARENT")
  [ -n "$COOKIE" ] || { echo "bench: login failed"; exit 1; }
  NET=$(curl -fs -H "Cookie: $COOKIE" "$BASE/" | grep -o '/netwerken/[0-9a-f-]*' | head -1)
  [ -n "$NET" ] || { echo "bench: the parent sees no network"; exit 1; }
  # The copy of the file, five times one at a time, before the load below adds its own
  # looks to the log: seconds per copy, and its size.
  EXPORTS=""
  for _ in 1 2 3 4 5; do
    EXPORTS="$EXPORTS $(curl -fs -o "$WORK/export.json" -w '%{time_total}' -H "Authorization: Bearer $PARENT_TOKEN" "$BASE${NET/netwerken/api/v1/networks}/export")"
  done
  entries=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); print(len(b["entry"]))' "$WORK/export.json")
  export_mb=$(du -m "$WORK/export.json" | cut -f1)
  # The long log must be there: the first page is full.
  lines=$(curl -fs -H "Cookie: $COOKIE" "$BASE$NET/inzage" | grep -c '<tr' || true)
  [ "$lines" -gt 100 ] || { echo "bench: the access log shows $lines rows"; exit 1; }
  read -r h_rps h_p50 h_p99 <<<"$(run_wrk /healthz "")"
  read -r s_rps s_p50 s_p99 <<<"$(run_wrk / "Cookie: $COOKIE")"
  read -r n_rps n_p50 n_p99 <<<"$(run_wrk "$NET" "Cookie: $COOKIE")"
  read -r l_rps l_p50 l_p99 <<<"$(run_wrk "$NET/inzage" "Cookie: $COOKIE")"
  # One request, kept whole: a second one to learn the status could answer otherwise.
  plan_status=$(curl -s -o "$WORK/plan.html" -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE$NET/plan")
  if [ "$plan_status" != 200 ] || ! grep -q 'Eerdere versies' "$WORK/plan.html"; then
    echo "bench: the plan page of $NET shows no earlier versions (HTTP $plan_status); it says:"
    sed -e 's/<[^>]*>/ /g' "$WORK/plan.html" | tr -s ' \n' | head -c 2000; echo
    tail -20 "$WORK/out"; exit 1
  fi
  MEETING=$(curl -fs -H "Authorization: Bearer $LEADER_TOKEN" "$BASE/api/v1/meetings" | python3 -c 'import json,sys; print([m["id"] for m in json.load(sys.stdin) if not m["held"]][0])')
  suggestions=$(curl -fs -H "Authorization: Bearer $LEADER_TOKEN" "$BASE/api/v1/meetings/$MEETING" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["suggestions"]))')
  [ "$suggestions" -gt 0 ] || { echo "bench: the agenda suggests nothing"; exit 1; }
  read -r a_rps a_p50 a_p99 <<<"$(run_wrk "/api/v1/meetings/$MEETING" "Authorization: Bearer $LEADER_TOKEN")"
  read -r p_rps p_p50 p_p99 <<<"$(run_wrk "$NET/plan" "Cookie: $COOKIE")"
  read -r o_rps o_p50 o_p99 <<<"$(THREADS=1 CONNECTIONS=1 run_wrk "$NET/inzage" "Cookie: $COOKIE")"
  # 20 people who each read the page for 50-250 ms before asking again: latency at a
  # load far above a real family's, below saturation (wrk leaves the pause out).
  echo 'math.randomseed(42); delay = function() return math.random(50, 250) end' >"$WORK/think.lua"
  read -r su_rps su_p50 su_p99 <<<"$(DURATION=$USERS_DURATION run_wrk / "Cookie: $COOKIE" "$WORK/think.lua")"
  read -r nu_rps nu_p50 nu_p99 <<<"$(DURATION=$USERS_DURATION run_wrk "$NET" "Cookie: $COOKIE" "$WORK/think.lua")"
  read -r lu_rps lu_p50 lu_p99 <<<"$(DURATION=$USERS_DURATION run_wrk "$NET/inzage" "Cookie: $COOKIE" "$WORK/think.lua")"
  read -r pu_rps pu_p50 pu_p99 <<<"$(DURATION=$USERS_DURATION run_wrk "$NET/plan" "Cookie: $COOKIE" "$WORK/think.lua")"
  read -r au_rps au_p50 au_p99 <<<"$(DURATION=$USERS_DURATION run_wrk "/api/v1/meetings/$MEETING" "Authorization: Bearer $LEADER_TOKEN" "$WORK/think.lua")"
  stop_server
  row "$backend" "/healthz" "$h_rps" "$h_p50" "$h_p99"
  row "$backend" "parent's start page, 20 connections" "$s_rps" "$s_p50" "$s_p99"
  row "$backend" "network page, 20 connections" "$n_rps" "$n_p50" "$n_p99"
  row "$backend" "access log (10,000), 20 connections" "$l_rps" "$l_p50" "$l_p99"
  row "$backend" "access log (10,000), 1 connection" "$o_rps" "$o_p50" "$o_p99"
  row "$backend" "start page, 20 users, 50-250 ms" "$su_rps" "$su_p50" "$su_p99"
  row "$backend" "network page, 20 users, 50-250 ms" "$nu_rps" "$nu_p50" "$nu_p99"
  row "$backend" "access log, 20 users, 50-250 ms" "$lu_rps" "$lu_p50" "$lu_p99"
  row "$backend" "plan page, 20 connections" "$p_rps" "$p_p50" "$p_p99"
  row "$backend" "plan page, 20 users, 50-250 ms" "$pu_rps" "$pu_p50" "$pu_p99"
  row "$backend" "meeting agenda (API), 20 connections" "$a_rps" "$a_p50" "$a_p99"
  row "$backend" "meeting agenda, 20 users, 50-250 ms" "$au_rps" "$au_p50" "$au_p99"
  echo "$backend | copy of the file (FHIR Bundle, $entries entries, ${export_mb} MB), seconds per copy:$EXPORTS"
  awk -v s="$s_rps" -v n="$n_rps" -v l="$l_rps" -v p="$p_rps" -v h="$h_rps" -v b="$backend" -v gen="$gen" 'BEGIN {
    printf "%-10s | start/healthz %.3f | network/healthz %.3f | log/healthz %.3f | plan/healthz %.3f | networks and log generated %s\n", b, s/h, n/h, l/h, p/h, gen }'
  if [ "$backend" = postgres ]; then psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null; fi
done
