"""A temporary stand-in AIOpsLab checkout, work dir, kubeconfig and marker dir for one test.

The runner writes aiopslab/config.yml into the package it imports, so every test gets its own copy.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from runner_paths import STANDIN_SOURCE

SCRIPTED_SUCCESS = {
    "kind": "scripted",
    "actions": ['exec_shell("kubectl get pods -n test-social-network")', 'submit("Yes")'],
}


class StandinLab:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="aiopslab-runner-test-"))
        self.lab_dir = self.root / "lab"
        shutil.copytree(STANDIN_SOURCE, self.lab_dir, ignore=shutil.ignore_patterns("__pycache__", "config.yml"))
        self.markers = self.root / "markers"
        self.markers.mkdir()
        self.kubeconfig = self.root / "kubeconfig"
        self.kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
        self.work_dir = self.root / "work"
        self.results_dir = self.work_dir / "results"
        self.spec_file = self.root / "spec.json"

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def spec(self, **overrides) -> dict:
        spec = {
            "protocol_version": 1,
            "task_id": "7f2f0c2e-2a57-4d0e-9d57-1b1f8a0d3c11",
            "attempt": 1,
            "problem_id": "k8s_target_port-misconfig-detection-1",
            "agent_config": SCRIPTED_SUCCESS,
            "max_steps": 10,
            "timeout_minutes": 30,
            "parameters": {},
            "cluster": {
                "provider": "kind",
                "name": "worker-w1-kind",
                "kubeconfig": str(self.kubeconfig),
                "context": "kind-worker-w1-kind",
            },
            "work_dir": str(self.work_dir),
            "results_dir": str(self.results_dir),
        }
        spec.update(overrides)
        return spec

    def env(self, spec: Optional[dict] = None, **extra: str) -> dict:
        """Writes the spec file and returns a clean environment (no proxies, no inherited keys)."""
        self.spec_file.write_text(json.dumps(spec if spec is not None else self.spec()))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(self.lab_dir),
            "PYTHONDONTWRITEBYTECODE": "1",
            "TASK_SPEC_FILE": str(self.spec_file),
            "TIKTOKEN_CACHE_DIR": str(self.root / "tiktoken"),
            "STANDIN_MARKER_DIR": str(self.markers),
        }
        env.update(extra)
        return env

    def marker(self, name: str) -> list:
        path = self.markers / name
        return path.read_text().splitlines() if path.exists() else []

    def config_yml(self) -> dict:
        values = {}
        for line in (self.lab_dir / "aiopslab" / "config.yml").read_text().splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.partition(":")
                values[key.strip()] = json.loads(value.strip())
        return values
