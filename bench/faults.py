#!/usr/bin/env python3
"""Steady writes through the API while a fault script runs; prints what the writers saw.

Used by bench/faults.sh. Writes consultations at RATE per second from WRITERS threads,
runs the fault command given on the command line once the writers are warm, and keeps
writing until SECONDS have passed. Then it checks every acknowledged write against the
database (psql) and prints one line:

  faults: <name> requests=N ok=N 503=N 500=N other=N recover_ms=N lost=N
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

BASE = os.environ["BASE"]
TOKEN = os.environ["TOKEN"]
TEAM = os.environ["TEAM"]
DB_URL = os.environ["DB_URL"]
RATE = float(os.environ.get("RATE", "100"))
WRITERS = int(os.environ.get("WRITERS", "4"))
SECONDS = float(os.environ.get("SECONDS", "12"))
WARM = float(os.environ.get("WARM", "3"))
NAME = sys.argv[1]
FAULT = sys.argv[2:]

lock = threading.Lock()
seen = []  # (time, status, id or None)
stop = threading.Event()


def writer(w):
    interval = WRITERS / RATE
    n = 0
    next_at = time.monotonic()
    while not stop.is_set():
        n += 1
        body = json.dumps({
            "team_id": TEAM,
            "subject": f"Bench {w}-{n}",
            "question": "Meisje van 9 slaapt slecht; wat past?",
        }).encode()
        req = urllib.request.Request(
            f"{BASE}/api/v1/consultations", data=body, method="POST",
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        ident = None
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status = r.status
                ident = json.load(r)["consultation"]["id"]
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = 0
        with lock:
            seen.append((time.monotonic(), status, ident))
        next_at += interval
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)


threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
start = time.monotonic()
for t in threads:
    t.start()
time.sleep(WARM)
subprocess.run(FAULT, check=True)
fault_over = time.monotonic()
time.sleep(max(0.0, SECONDS - (fault_over - start)))
stop.set()
for t in threads:
    t.join()

statuses = [s for _, s, _ in seen]
ok_after = [t for t, s, _ in seen if s == 201 and t > fault_over]
recover_ms = round((min(ok_after) - fault_over) * 1000) if ok_after else -1
acked = [i for _, s, i in seen if s == 201 and i]
ids = ",".join(f"'{i}'" for i in acked)
found = subprocess.run(
    ["psql", DB_URL, "-qtAc", f"SELECT count(*) FROM consultations WHERE id IN ({ids})"],
    check=True, capture_output=True, text=True).stdout.strip()
lost = len(acked) - int(found)
print(f"faults: {NAME} requests={len(statuses)} ok={statuses.count(201)} "
      f"503={statuses.count(503)} 500={statuses.count(500)} "
      f"other={len([s for s in statuses if s not in (201, 503, 500)])} "
      f"recover_ms={recover_ms} lost={lost}")
