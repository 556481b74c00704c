#!/usr/bin/env bash
# Faults under load (issue 18): steady writes through the API (consultations, 100 a
# second from four writers) against a release server on a PostgreSQL cluster of the
# script's own, while the cluster restarts (pg_ctl restart -m fast) and while every
# connection of Rondom's is terminated (pg_terminate_backend). Prints, per fault, the
# requests answered 201, 503 and 500, the time from the end of the fault to the first
# saved write, and the acknowledged writes missing afterwards. The goal: 0 answered
# 500, recovery under 2 s, 0 lost.
#
#   bench/faults.sh                # RATE=100 WRITERS=4 SECONDS=12
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/rondom/target}"
cargo build --release --quiet -p rondom
BIN="$CARGO_TARGET_DIR/release/rondom"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d)
chmod 755 "$WORK"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDIR="$WORK/pg"
mkdir -p "$PGDIR"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDIR"
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pgctl() { as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -m fast -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" "$@" >/dev/null; }
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
pgctl start
DB_URL="postgres://postgres@127.0.0.1:$PGPORT/rondom"
psql "postgres://postgres@127.0.0.1:$PGPORT/postgres" -qc "CREATE DATABASE rondom" >/dev/null
export RONDOM_SECRET_KEY="${RONDOM_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}"
export RONDOM_AUDIT_CHECKPOINTS="$WORK/checkpoints"
RONDOM_LOG=error "$BIN" --database-url "$DB_URL" serve --demo --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
until curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; do
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
  sleep 0.1
done
export BASE="http://127.0.0.1:$PORT" DB_URL
TOKEN=$("$BIN" --database-url "$DB_URL" admin create-token --email renske.mulder@huisartsenpraktijk-de-linde.example --name bench 2>/dev/null | grep -o 'rdm_[A-Za-z0-9_-]*' | head -1)
TEAM=$(psql "$DB_URL" -qtAc "SELECT id FROM organisations WHERE name = 'Sociaal Team Voorbeeld'")
export TOKEN TEAM

echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d); PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), release build"
python3 bench/faults.py restart bash -c "$(declare -f as_pg pgctl); PGBIN='$PGBIN' PGDIR='$PGDIR' PGPORT='$PGPORT' pgctl restart"
python3 bench/faults.py terminate psql "postgres://postgres@127.0.0.1:$PGPORT/postgres" -qtAo /dev/null -c \
  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'rondom' AND pid <> pg_backend_pid()"
