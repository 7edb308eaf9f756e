"""A temporary copy of the REAL AIOpsLab source, run with Debian's Python, for one test.

The source is `../shared/upstream/aiopslab` beside the repository (AIOPSLAB_UPSTREAM_DIR
overrides). Its dependencies are Debian's python3-* packages (the test step installs them) plus
the four stand-ins in `upstream_standins/`. kubectl, helm and docker on PATH are fakes that
record every call (`real_bin/`); the kubeconfig names a server on a loopback port given by the
test, so AIOpsLab's Kubernetes client fails fast (nothing listens) or hangs (a silent listener).
"""

import json
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Optional

from runner_paths import RUNNER_DIR, TESTS_DIR

REPO_ROOT = RUNNER_DIR.parents[2]
UPSTREAM_DIR = Path(os.environ.get("AIOPSLAB_UPSTREAM_DIR", REPO_ROOT.parent / "shared" / "upstream" / "aiopslab"))
DEBIAN_PYTHON = os.environ.get("AIOPSLAB_PYTHON", "/usr/bin/python3")
STANDINS_DIR = TESTS_DIR / "upstream_standins"
FAKE_BIN_DIR = TESTS_DIR / "real_bin"
CLUSTER = "worker-w1-kind"
SECRET_VALUE = "sk-real-source-suite-secret-0123456789"


def require_upstream() -> None:
    """The suite fails, never skips, without the real source: a stand-in cannot replace it."""
    if not (UPSTREAM_DIR / "aiopslab" / "orchestrator").is_dir():
        raise AssertionError(f"the real AIOpsLab source is not at {UPSTREAM_DIR}; set AIOPSLAB_UPSTREAM_DIR")
    if not os.access(DEBIAN_PYTHON, os.X_OK):
        raise AssertionError(f"{DEBIAN_PYTHON} is missing; set AIOPSLAB_PYTHON to Debian's python3")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def kubeconfig_text(port: int, context: str = f"kind-{CLUSTER}") -> str:
    return (
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: {context}\n  cluster: {{server: \"https://127.0.0.1:{port}\", insecure-skip-tls-verify: true}}\n"
        f"contexts:\n- name: {context}\n  context: {{cluster: {context}, user: {context}}}\n"
        f"current-context: {context}\n"
        f"users:\n- name: {context}\n  user: {{token: not-a-real-token}}\n"
    )


class RealLab:
    def __init__(self, api_port: Optional[int] = None) -> None:
        require_upstream()
        self.root = Path(tempfile.mkdtemp(prefix="aiopslab-real-source-"))
        self.source = self.root / "AIOpsLab"
        shutil.copytree(UPSTREAM_DIR, self.source, ignore=shutil.ignore_patterns("__pycache__", "config.yml"))
        self.home = self.root / "empty-home"  # the worker's HOME: no ~/.kube at all
        self.home.mkdir()
        self.kubeconfig = self.root / "worker-kubeconfig"
        self.kubeconfig.write_text(kubeconfig_text(api_port or closed_port()))
        self.work_dir = self.root / "work"
        self.spec_file = self.root / "spec.json"
        self.tool_log = self.root / "tools.jsonl"

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def spec(self, **overrides) -> dict:
        spec = {
            "protocol_version": 1,
            "task_id": "0b6f1d7e-5a1c-4c56-9b0e-3f1e2d4c5b6a",
            "attempt": 1,
            "problem_id": "k8s_target_port-misconfig-detection-1",
            "agent_config": {"kind": "scripted", "actions": ['exec_shell("kubectl get pods -A")', 'submit("Yes")']},
            "max_steps": 5,
            "timeout_minutes": 30,
            "parameters": {},
            "cluster": {"provider": "kind", "name": CLUSTER, "kubeconfig": str(self.kubeconfig), "context": f"kind-{CLUSTER}"},
            "work_dir": str(self.work_dir),
            "results_dir": str(self.work_dir / "results"),
        }
        spec.update(overrides)
        return spec

    def env(self, spec: Optional[dict] = None, **extra: str) -> dict:
        """A deployment-like environment: an empty HOME, fakes first on PATH, a credential present."""
        self.spec_file.write_text(json.dumps(spec if spec is not None else self.spec()))
        env = {
            "PATH": f"{FAKE_BIN_DIR}:/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "PYTHONPATH": f"{self.source}:{STANDINS_DIR}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "TASK_SPEC_FILE": str(self.spec_file),
            "TIKTOKEN_CACHE_DIR": str(self.root / "tiktoken"),
            "FAKE_TOOL_LOG": str(self.tool_log),
            "OPENAI_API_KEY": SECRET_VALUE,
        }
        env.update(extra)
        return env

    def tool_calls(self, tool: Optional[str] = None) -> list:
        if not self.tool_log.exists():
            return []
        calls = [json.loads(line) for line in self.tool_log.read_text().splitlines()]
        return [call for call in calls if tool is None or call["tool"] == tool]
