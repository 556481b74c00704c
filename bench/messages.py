#!/usr/bin/env python3
"""Delivery and memory for bench/messages.sh.

delivery BASE SEATS: one member holds GET /api/v1/events, another sends 200 messages one
at a time into their shared conversation, each after the previous one arrived plus 20
ms; prints send-to-event p50 and p99 in ms.

streams BASE SEATS PID N: opens N event streams (the 20 people's tokens in turn) and
prints the server's RSS in kB with them all open.
"""
import http.client
import json
import socket
import statistics
import sys
import time
from urllib.parse import urlparse


def seats(path):
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                out.append((parts[0], parts[1]))
    return out


def open_stream(host, port, token):
    s = socket.create_connection((host, port))
    s.sendall(
        (
            "GET /api/v1/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("the event stream closed before its headers")
        head += chunk
    status = head.split(b"\r\n", 1)[0]
    if b" 200 " not in status:
        raise SystemExit(f"events: {status!r}")
    return s, head.split(b"\r\n\r\n", 1)[1]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def delivery(base, seats_file):
    u = urlparse(base)
    all_seats = seats(seats_file)
    conv, reader = all_seats[0]
    sender = next(t for c, t in all_seats[1:] if c == conv)
    stream, buf = open_stream(u.hostname, u.port, reader)
    stream.settimeout(10)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    times = []
    for i in range(200):
        marker = f"levering {i} {time.time_ns()}"
        body = json.dumps({"body": marker})
        t0 = time.perf_counter()
        conn.request(
            "POST",
            f"/api/v1/conversations/{conv}/messages",
            body=body,
            headers={"Authorization": f"Bearer {sender}", "Content-Type": "application/json"},
        )
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            raise SystemExit(f"send answered {r.status}")
        while marker.encode() not in buf:
            chunk = stream.recv(65536)
            if not chunk:
                raise SystemExit("the event stream closed")
            buf += chunk
        times.append((time.perf_counter() - t0) * 1000)
        buf = buf[buf.index(marker.encode()) + len(marker):]
        time.sleep(0.02)
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"RESULT {p50:.2f} {p99:.2f}")


def streams(base, seats_file, pid, n):
    u = urlparse(base)
    tokens = [t for _, t in seats(seats_file)]
    held = []
    for i in range(n):
        s, _ = open_stream(u.hostname, u.port, tokens[i % len(tokens)])
        held.append(s)
    time.sleep(1)  # let the server settle after opening (memory, not timing, is measured)
    print(f"RESULT {rss_kb(pid)}")
    for s in held:
        s.close()


if __name__ == "__main__":
    if sys.argv[1] == "delivery":
        delivery(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "streams":
        streams(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
