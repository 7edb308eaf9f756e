"""Helpers shared by the client's tests: the CLI as a subprocess, waiting on the live API."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import unittest
from typing import Callable, Dict, List, Optional, TypeVar

CLIENT_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
DETECTION = "k8s_target_port-misconfig-detection-1"
LOCALIZATION = "k8s_target_port-misconfig-localization-1"
ANALYSIS = "k8s_target_port-misconfig-analysis-1"
MITIGATION = "k8s_target_port-misconfig-mitigation-1"
GPT = {"kind": "registry", "name": "gpt"}
T = TypeVar("T")


def run_cli(args: List[str], env: Optional[Dict[str, str]] = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python3 -m aiopslab_tasks ARGS` as a user runs it from a checkout (PYTHONPATH=clients/python)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AIOPSLAB_TASKS_")}
    full_env.update(env or {})
    full_env["PYTHONPATH"] = CLIENT_DIR
    return subprocess.run([sys.executable, "-m", "aiopslab_tasks", *args], env=full_env, capture_output=True, text=True, timeout=timeout)


def wait_for(what: str, probe: Callable[[], Optional[T]], timeout_s: float = 120) -> T:
    """Polls until probe returns something other than None; the deadline only guards against a hang."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout_s} s waiting for {what}")
        time.sleep(0.2)


def python_with(module: str) -> Optional[str]:
    """An interpreter that can import `module`: this one, else Debian's /usr/bin/python3."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(candidate) and subprocess.run([candidate, "-c", f"import {module}"], capture_output=True).returncode == 0:
            return candidate
    return None


class CliCase(unittest.TestCase):
    """A live CLI test: `auth` is the system's `--url`/`--token` arguments, set by the module's setUp."""

    auth: List[str] = []

    def ok(self, *args: str, env: Optional[Dict[str, str]] = None) -> str:
        """The command's stdout; fails the test on a non-zero exit. With `env`, no auth arguments are added."""
        done = run_cli([*args, *self.auth] if env is None else list(args), env=env)
        self.assertEqual(done.returncode, 0, f"{args}: {done.stderr}")
        return done.stdout


class LiveCli:
    """A live CLI test module's system: `live = LiveCli()`, `setUpModule = live.start`, `tearDownModule = live.stop`."""

    def __init__(self, demo_speed: str = "0") -> None:
        self.demo_speed = demo_speed
        self.system = None
        self.auth: List[str] = []

    def start(self) -> None:
        from live_system import LiveSystem

        self.system = LiveSystem(demo_speed=self.demo_speed).__enter__()
        self.auth = self.system.cli_auth
        CliCase.auth = self.auth

    def stop(self) -> None:
        self.system.stop()
