"""The real system for the client's tests: api, worker (demo runner, no cluster) and history,
started by `scripts/start-local.js` (the `npm start` supervisor) as real processes, with a
database and a queue prefix of their own that are removed afterwards.

Needs `npm run build` first (npm test does it), PostgreSQL and RabbitMQ on loopback, and `node`
(NODE, else the first on PATH). TEST_DATABASE_URL, TEST_AMQP_URL and
TEST_RABBITMQ_MANAGEMENT_URL override where those servers are, as for the jest suites.
"""
from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from typing import Dict, Optional

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SERVER_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672")
MANAGEMENT_URL = os.environ.get("TEST_RABBITMQ_MANAGEMENT_URL", "http://guest:guest@127.0.0.1:15672")
START_TIMEOUT_S = 120
STOP_GRACE_S = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def node() -> str:
    found = os.environ.get("NODE") or shutil.which("node")
    if not found:
        raise RuntimeError("node is not on PATH: the client tests start the services with it (set NODE=/path/to/node)")
    return found


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def database_url(name: str) -> str:
    parts = urllib.parse.urlsplit(SERVER_DATABASE_URL)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


class LiveSystem:
    """`with LiveSystem(demo_speed="0") as system:` → system.url and system.token of a running api."""

    def __init__(self, demo_speed: str = "0") -> None:
        self.id = secrets.token_hex(4)
        self.database_url = database_url(f"aiopslab_pyclient_{os.getpid()}_{self.id}")
        self.queue_prefix = f"test.pyclient.{self.id}."
        # Leading "-" on purpose: a urlsafe token starts with one 1 time in 32, and the CLI must
        # take it (as --token=VALUE) every time, not only when the dice fall right.
        self.token = "-" + secrets.token_urlsafe(24)
        self.demo_speed = demo_speed
        self.work_dir = tempfile.mkdtemp(prefix="aiopslab-pyclient-")
        self.log_path = os.path.join(self.work_dir, "services.log")
        self.process: Optional[subprocess.Popen] = None
        self.url = ""

    @property
    def cli_auth(self) -> list:
        return [f"--url={self.url}", f"--token={self.token}"]

    def __enter__(self) -> "LiveSystem":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        api, history, worker = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{api}"
        env: Dict[str, str] = {
            "PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
            "DATABASE_URL": self.database_url, "AMQP_URL": AMQP_URL, "QUEUE_PREFIX": self.queue_prefix,
            "PORT": str(api), "HOST": "127.0.0.1", "HISTORY_HEALTH_PORT": str(history), "WORKER_HEALTH_PORT": str(worker),
            "HEALTH_HOST": "127.0.0.1", "WORK_DIR": self.work_dir, "WORKER_ID": f"pyclient-{self.id}",
            "CLUSTER_PROVIDER": "none", "DEMO_RUNNER_SPEED": self.demo_speed, "REFRESH_PROBLEMS_AT_START": "false",
            "API_TOKEN": self.token, "LOG_LEVEL": os.environ.get("TEST_LOG_LEVEL", "warn"), "NO_COLOR": "1",
        }
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([node(), os.path.join(ROOT, "scripts", "start-local.js")], cwd=ROOT, env=env,
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        endpoints = [f"{self.url}/health", f"http://127.0.0.1:{history}/health", f"http://127.0.0.1:{worker}/health"]
        while not all(healthy(url) for url in endpoints):
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/start-local.js exited ({self.process.returncode}):\n{self.output()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"api, worker and history not healthy within {START_TIMEOUT_S} s:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                return log.read()[-4000:]
        except OSError:
            return ""

    def service_pids(self):
        return [int(pid) for pid in re.findall(r"^\S+\s*\| \w+ started \(pid (\d+)\)", self.output(), re.M)]

    def stop(self) -> None:
        """SIGTERM to the supervisor (it drains each service); SIGKILL whatever is left after a grace period."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    for pid in self.service_pids():
                        try:
                            os.killpg(pid, signal.SIGKILL)  # each service leads its own process group
                        except OSError:
                            pass
                    self.process.kill()
                    self.process.wait()
        self.drop_database()
        self.delete_queues()
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def drop_database(self) -> None:
        script = ("require(process.argv[1]).dropDatabase(process.argv[2])"
                  ".then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); })")
        module = os.path.join(ROOT, "shared", "dist", "db", "create-database.js")
        subprocess.run([node(), "-e", script, module, self.database_url], cwd=ROOT, check=False, timeout=60)

    def delete_queues(self) -> None:
        parts = urllib.parse.urlsplit(MANAGEMENT_URL)
        base = urllib.parse.urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port}", "", "", ""))
        auth = base64.b64encode(f"{urllib.parse.unquote(parts.username or '')}:{urllib.parse.unquote(parts.password or '')}".encode()).decode()

        def call(path: str, method: str = "GET"):
            request = urllib.request.Request(base + path, method=method, headers={"Authorization": f"Basic {auth}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")

        for kind in ("queues", "exchanges"):
            try:
                for item in call(f"/api/{kind}/%2F?columns=name"):
                    if item["name"].startswith(self.queue_prefix):
                        call(f"/api/{kind}/%2F/{urllib.parse.quote(item['name'], safe='')}", "DELETE")
            except OSError:
                pass  # the management API is optional for cleanup
