# Shared by the bench scripts (sourced): starting and stopping the server under test.
# Needs BIN, PORT, BASE and WORK; sets SERVER.

# start_server URL [serve flags...]: starts the server and returns once it is ready and
# its first housekeeping round is over. That round re-derives every open referral's
# facts (a second or two at 100,000 referrals) and would otherwise land in the first
# measurement as a stall.
start_server() {
  local url="$1"; shift
  "$BIN" --database-url "$url" serve "$@" --bind "127.0.0.1:$PORT" >"$WORK/out" 2>&1 &
  SERVER=$!
  until curl -fs "$BASE/readyz" >/dev/null 2>&1; do
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/out"; exit 1; }
    sleep 0.05
  done
  local waited=0
  until curl -fs "$BASE/metrics" | grep -q '^rondom_housekeeping_rounds_total [1-9]'; do
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/out"; exit 1; }
    waited=$((waited + 1))
    [ "$waited" -lt 1200 ] || { echo "bench: no housekeeping round within 2 minutes"; exit 1; }
    sleep 0.1
  done
}

stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }
