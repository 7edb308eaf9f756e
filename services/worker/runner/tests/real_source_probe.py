"""Driver run with Debian's Python by the real-source suite: loads the real AIOpsLab through the
runner's loader and calls upstream's own `exec_shell` action, printing its observation as JSON.

usage: real_source_probe.py <home dir> <kubeconfig> <agent_shell JSON or null> <command>
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiopslab_runner.agent_shell import parse_agent_shell  # noqa: E402
from aiopslab_runner.aiopslab_loader import load_aiopslab  # noqa: E402
from aiopslab_runner.kube_home import isolate_home  # noqa: E402

home, kubeconfig, shell_json, command = sys.argv[1:5]
isolate_home(Path(home), kubeconfig, os.environ)
shell = parse_agent_shell(json.loads(shell_json), "kind", "worker-w1-kind")
load_aiopslab(Path(home) / "aiopslab-data", shell, os.environ)
from aiopslab.orchestrator.actions.base import TaskActions  # noqa: E402

print(json.dumps({"observation": TaskActions.exec_shell(command)}))
