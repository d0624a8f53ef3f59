"""A real ``raidcontrol serve`` on loopback (a subprocess on a free port), officials' tokens,
and the backends to run on (SQLite always; PostgreSQL when RAIDCONTROL_TEST_PG_URL is set)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

PG_URL = os.environ.get("RAIDCONTROL_TEST_PG_URL")
REQUIRE_PG = bool(os.environ.get("RAIDCONTROL_REQUIRE_PG"))
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process: ``url`` is its API root; ``stop()`` ends it, ``kill()`` is kill -9."""

    def __init__(self, event_dir: Path, db_url: str, log: Path, extra: tuple[str, ...] = ()):
        self.event_dir, self.db_url, self.log, self.extra = event_dir, db_url, log, extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        env = {**os.environ, "RAIDCONTROL_POLL_S": "0.1", "RAIDCONTROL_HEARTBEAT_S": "1"}
        env.pop("RAIDCONTROL_DB", None)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "raidcontrol.cli.main",
                    "serve",
                    str(self.event_dir),
                    "--db",
                    self.db_url,
                    "--port",
                    str(self.port),
                    *self.extra,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def backends(tmp_path: Path) -> list[tuple[str, str]]:
    out = [("sqlite", f"sqlite:///{tmp_path / 'journal.sqlite'}")]
    if PG_URL:
        out.append(("postgresql", PG_URL))
    elif REQUIRE_PG:
        pytest.fail("RAIDCONTROL_REQUIRE_PG is set but RAIDCONTROL_TEST_PG_URL is not")
    return out


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """The journal URL of each backend (PostgreSQL skipped unless given)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'journal.sqlite'}"
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("RAIDCONTROL_REQUIRE_PG is set but RAIDCONTROL_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL server given (RAIDCONTROL_TEST_PG_URL)")
    return PG_URL


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def token(db_url: str, role: str, name: str | None = None) -> str:
    from raidcontrol.service.users import Users

    users = Users.at(db_url)
    try:
        return users.add(name or unique(role), role)[1]
    finally:
        users.engine.dispose()


def auth(tok: str, key: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}", "Idempotency-Key": key or uuid.uuid4().hex}


@pytest.fixture
def serve(tmp_path):
    """``serve(event_dir, db_url) -> Server`` (started); every server is stopped at the end."""
    started: list[Server] = []

    def start(event_dir: Path, db_url: str, *extra: str) -> Server:
        server = Server(event_dir, db_url, tmp_path / f"server-{len(started)}.log", extra).start()
        started.append(server)
        return server

    yield start
    for s in started:
        s.stop()


SMALL_TIMES = """\
1,200,09:00:00,12:00:00,finished
1,201,09:02:00,12:10:00,finished
1,202,09:04:00,12:01:00,finished
1,500,09:06:00,13:00:00,finished
1,501,09:08:00,,dnf
"""


@pytest.fixture
def small_event(tmp_path) -> Path:
    """A small event (5 crews, stages 1–2) in a folder named uniquely (its journal key)."""
    from tests.conftest import make_event

    return make_event(tmp_path / unique("rally"), times=SMALL_TIMES, stages=(1, 2))


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory):
    """One server per module and backend on a small event: (server, db_url, tokens by role)."""
    if request.param == "postgresql" and not PG_URL:
        if REQUIRE_PG:
            pytest.fail("RAIDCONTROL_REQUIRE_PG is set but RAIDCONTROL_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL server given (RAIDCONTROL_TEST_PG_URL)")
    from tests.conftest import make_event

    tmp = tmp_path_factory.mktemp("live")
    url = PG_URL if request.param == "postgresql" else f"sqlite:///{tmp / 'journal.sqlite'}"
    event = make_event(tmp / unique("rally"), times=SMALL_TIMES, stages=(1, 2))
    server = Server(event, url, tmp / "server.log").start()
    tokens = {
        role: token(url, role)
        for role in ("timekeeper", "steward", "scrutineer", "clerk", "tracking")
    }
    yield server, url, tokens
    server.stop()


class EventReader:
    """Reads a server's stream in a thread: ``events`` gains one dict (id, event, data, and
    ``received``: ``time.monotonic()`` on arrival) per message, ``comments`` one line per heartbeat."""

    def __init__(self, url: str, headers: dict | None = None):
        import threading

        self.events: list[dict] = []
        self.comments: list[str] = []
        self.connected = threading.Event()
        self.url, self.headers = url, headers or {}
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.connected.wait(10), "stream did not connect"

    def _run(self) -> None:
        import json

        current: dict = {}
        try:
            with httpx.stream(
                "GET", f"{self.url}/api/v1/stream", headers=self.headers, timeout=None
            ) as resp:
                self.connected.set()
                for line in resp.iter_lines():
                    if line.startswith(":"):
                        self.comments.append(line)
                    elif not line:
                        if current:
                            current["data"] = json.loads(current["data"])
                            current["received"] = time.monotonic()
                            self.events.append(current)
                            current = {}
                    else:
                        name, _, value = line.partition(":")
                        current[name] = value.strip()
        except httpx.TransportError:
            return

    def wait_for(self, predicate, timeout: float = 5.0) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hit = next((e for e in self.events if predicate(e)), None)
            if hit is not None:
                return hit
            time.sleep(0.01)
        return None
