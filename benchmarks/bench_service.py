"""The live service benchmark: push latency to 2,000 stream clients, GET throughput with and
without ETag hits, write throughput — all on loopback, bounded in count and time.

Set-up: the real Dakar 2025 data converted into an event folder (a Dakar-size event: 201
crews), a SQLite journal, ``raidcontrol serve`` in a child process on a free port, a steward's
and a timekeeper's token.  Then, from one asyncio load generator (raw HTTP/1.1 over sockets):

1. **fan-out**: ``--clients`` streams connect to ``/api/v1/stream``; ``--rounds`` times a
   steward records a penalty; each client notes when the change's message (its id = the
   write's journal position) arrives.  Latency = arrival − the write's acknowledgement
   (the POST's response received).  Target: p99 ≤ 250 ms.
2. **GET general** (JSON) for ``--seconds`` on ``--connections`` keep-alive connections,
   without then with ``If-None-Match`` (every answer a 304): requests/s and p99 latency.
   Target: ≥ 2,000 req/s with ETag hits.
3. **writes**: timekeepers' times (``POST /api/v1/times``, one per request, each with its
   Idempotency-Key) for ``--seconds`` on ``--writers`` connections, with one stream client
   counting the pushed messages: writes/s accepted, each journaled and pushed.

Every phase stops by itself (counts and deadlines).  Results: ``bench-out/service.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FANOUT_P99_TARGET_MS = 250.0
ETAG_RPS_TARGET = 2000.0
CONNECT_TIMEOUT_S = 60.0
DELIVERY_TIMEOUT_S = 10.0
GENERAL = "/api/v1/classification/general"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--clients", type=int, default=2000, help="stream clients for the fan-out (default 2000)"
    )
    ap.add_argument("--rounds", type=int, default=5, help="steward decisions pushed (default 5)")
    ap.add_argument(
        "--seconds", type=float, default=3.0, help="duration of each throughput phase (default 3)"
    )
    ap.add_argument(
        "--connections", type=int, default=16, help="keep-alive connections for GETs (default 16)"
    )
    ap.add_argument("--writers", type=int, default=4, help="connections writing times (default 4)")
    ap.add_argument("--max-writes", type=int, default=2000, help="writes at most (default 2000)")
    ap.add_argument(
        "--out", type=Path, default=ROOT / "bench-out", help="results folder (default bench-out)"
    )
    return ap.parse_args(argv)


# ---------------------------------------------------------------- a minimal HTTP/1.1 client


class Conn:
    """One keep-alive connection: ``request()`` sends and reads one response (Content-Length bodies)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, fields = _head(head)
        length = int(fields.get("content-length", "0"))
        data = await self.reader.readexactly(length) if length else b""
        return status, fields, data

    def close(self) -> None:
        self.writer.close()


def _head(raw: bytes) -> tuple[int, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            k, _, v = line.partition(":")
            fields[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), fields


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(event: Path, db_url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "RAIDCONTROL_HEARTBEAT_S": "15"}
    env.pop("RAIDCONTROL_DB", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "raidcontrol.cli.main",
            "serve",
            str(event),
            "--db",
            db_url,
            "--port",
            str(port),
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


# ---------------------------------------------------------------- 1. fan-out


async def stream_client(
    port: int,
    ready: asyncio.Event,
    counter: list[int],
    arrivals: dict[int, list[float]],
    total: int,
) -> asyncio.StreamWriter:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    await reader.readuntil(b"\r\n\r\n")
    counter[0] += 1
    if counter[0] == total:
        ready.set()

    async def read() -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line.startswith(b"id:"):
                    arrivals.setdefault(int(line[3:].strip()), []).append(time.perf_counter())
        except (ConnectionError, asyncio.IncompleteReadError):
            return

    asyncio.get_running_loop().create_task(read())
    return writer


async def fanout(port: int, steward: str, clients: int, rounds: int) -> dict:
    ready, counter, arrivals = asyncio.Event(), [0], {}
    writers = await asyncio.wait_for(
        asyncio.gather(
            *[stream_client(port, ready, counter, arrivals, clients) for _ in range(clients)]
        ),
        CONNECT_TIMEOUT_S,
    )
    await asyncio.wait_for(ready.wait(), CONNECT_TIMEOUT_S)
    conn = await Conn.open(port)
    latencies: list[float] = []
    missing = 0
    for i in range(rounds):
        await asyncio.sleep(0.5)
        body = json.dumps(
            {
                "stage": 1,
                "bib": 204,
                "kind": "penalty",
                "amount": f"0:00:{10 + i:02d}",
                "scope": "stage",
                "reason": "benchmark decision",
                "decision": f"B-{uuid.uuid4().hex[:8]}",
            }
        )
        status, _, data = await conn.request(
            "POST",
            "/api/v1/adjustments",
            {
                "Authorization": f"Bearer {steward}",
                "Idempotency-Key": uuid.uuid4().hex,
                "Content-Type": "application/json",
            },
            body.encode(),
        )
        acked = time.perf_counter()
        assert status == 201, data
        position = json.loads(data)["position"]
        deadline = time.monotonic() + DELIVERY_TIMEOUT_S
        while len(arrivals.get(position, [])) < clients and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        got = arrivals.get(position, [])
        missing += clients - len(got)
        latencies += [(t - acked) * 1000 for t in got]
    conn.close()
    for w in writers:
        w.close()
    return {
        "clients": clients,
        "rounds": rounds,
        "deliveries": len(latencies),
        "missing": missing,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies, default=float("nan")),
    }


# ---------------------------------------------------------------- 2. GET general


async def get_load(port: int, connections: int, seconds: float, etag: str | None) -> dict:
    headers = {"If-None-Match": etag} if etag else {}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        conn = await Conn.open(port)
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            status, _, _ = await conn.request("GET", GENERAL, headers)
            latencies.append((time.perf_counter() - t0) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(connections)])
    elapsed = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "statuses": statuses,
    }


# ---------------------------------------------------------------- 3. writes


async def write_load(
    port: int, keeper: str, bibs: list[int], writers: int, seconds: float, max_writes: int
) -> dict:
    arrivals: dict[int, list[float]] = {}
    stream = await stream_client(port, asyncio.Event(), [0], arrivals, 1)
    accepted: list[int] = []
    queue = list(enumerate(bibs * (max_writes // max(1, len(bibs)) + 1)))[:max_writes]
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        conn = await Conn.open(port)
        while queue and time.perf_counter() < deadline:
            i, bib = queue.pop()
            body = json.dumps(
                {
                    "stage": 2,
                    "bib": bib,
                    "start": "08:00:00",
                    "finish": f"{12 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d}",
                }
            )
            status, _, data = await conn.request(
                "POST",
                "/api/v1/times",
                {
                    "Authorization": f"Bearer {keeper}",
                    "Idempotency-Key": uuid.uuid4().hex,
                    "Content-Type": "application/json",
                },
                body.encode(),
            )
            if status == 201:
                accepted.append(json.loads(data)["position"])
        conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(writers)])
    elapsed = time.perf_counter() - t0
    settle = time.monotonic() + DELIVERY_TIMEOUT_S
    while not set(accepted) <= set(arrivals) and time.monotonic() < settle:
        await asyncio.sleep(0.01)
    stream.close()
    return {
        "accepted": len(accepted),
        "writes_per_s": len(accepted) / elapsed,
        "pushed": len(set(accepted) & set(arrivals)),
    }


# ---------------------------------------------------------------- main


def line(
    name: str, measured: float, unit: str, op: str, target: float, baseline: str, ok: bool
) -> str:
    return (
        f"TARGET {name}: {measured:.1f} {unit} (target {op} {target:g}, baseline {baseline}) "
        f"{'PASS' if ok else 'FAIL'}"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from raidcontrol.io.official import convert_official
    from raidcontrol.service.users import Users

    work = Path(tempfile.mkdtemp(prefix="bench-service-"))
    event = work / "dakar2025"
    convert_official(ROOT / "data" / "dakar2025_api_cache", event)
    db_url = f"sqlite:///{work / 'journal.sqlite'}"
    users = Users.at(db_url)
    steward, keeper = (
        users.add("bench-steward", "steward")[1],
        users.add("bench-keeper", "timekeeper")[1],
    )
    users.engine.dispose()
    port = free_port()
    proc = start_server(event, db_url, port, work / "server.log")
    try:
        results = asyncio.run(run(args, port, steward, keeper, event))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    return report(args, results)


async def run(args: argparse.Namespace, port: int, steward: str, keeper: str, event: Path) -> dict:
    import csv

    fan = await fanout(port, steward, args.clients, args.rounds)
    conn = await Conn.open(port)
    _, fields, _ = await conn.request("GET", GENERAL)
    conn.close()
    cold = await get_load(port, args.connections, args.seconds, None)
    hits = await get_load(port, args.connections, args.seconds, fields["etag"])
    with (event / "entries.csv").open() as fh:
        bibs = [int(r["bib"]) for r in csv.DictReader(fh)]
    writes = await write_load(port, keeper, bibs, args.writers, args.seconds, args.max_writes)
    return {"fanout": fan, "get_general": cold, "get_general_etag": hits, "writes": writes}


def report(args: argparse.Namespace, r: dict) -> int:
    fan, cold, hits, writes = r["fanout"], r["get_general"], r["get_general_etag"], r["writes"]
    fan_ok = fan["p99_ms"] <= FANOUT_P99_TARGET_MS and fan["missing"] == 0
    etag_ok = hits["rps"] >= ETAG_RPS_TARGET and set(hits["statuses"]) == {304}
    print(
        line(
            "sse_fanout_p99",
            fan["p99_ms"],
            "ms",
            "<=",
            FANOUT_P99_TARGET_MS,
            f"p50 {fan['p50_ms']:.1f} ms, {fan['clients']} clients, {fan['missing']} missed",
            fan_ok,
        )
    )
    print(
        line(
            "get_general_etag_rps",
            hits["rps"],
            "req/s",
            ">=",
            ETAG_RPS_TARGET,
            f"without ETag {cold['rps']:.0f} req/s (p99 {cold['p99_ms']:.1f} ms); with: p99 {hits['p99_ms']:.1f} ms",
            etag_ok,
        )
    )
    print(
        f"MEASURE write_throughput: {writes['writes_per_s']:.1f} writes/s ({writes['accepted']} times accepted, "
        f"{writes['pushed']} pushed)"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    out = {
        **r,
        "targets": {
            "sse_fanout_p99_ms": {"target": FANOUT_P99_TARGET_MS, "pass": fan_ok},
            "get_general_etag_rps": {"target": ETAG_RPS_TARGET, "pass": etag_ok},
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load": os.getloadavg(),
        },
    }
    (args.out / "service.json").write_text(json.dumps(out, indent=1))
    return 0 if fan_ok and etag_ok else 1


if __name__ == "__main__":
    sys.exit(main())
