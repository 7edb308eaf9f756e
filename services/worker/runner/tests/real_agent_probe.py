"""Driver run with Debian's Python by the real-source agent tests: loads the real AIOpsLab through
the runner's loader, builds registry agents with the runner's factory, optionally asks one a
question, and prints what happened as JSON.

usage: real_agent_probe.py <home dir> <kubeconfig> <request JSON>
request: {"agents": [{"name": "vllm", "params": {...}}, ...], "ask": "<prompt>" or null}
"""

import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiopslab_runner.agent_config import RegistryAgentConfig  # noqa: E402
from aiopslab_runner.agent_factory import build_agent  # noqa: E402
from aiopslab_runner.agent_shell import LOCAL_SHELL  # noqa: E402
from aiopslab_runner.aiopslab_loader import load_aiopslab  # noqa: E402
from aiopslab_runner.kube_home import isolate_home  # noqa: E402

APIS = {"exec_shell(command: str)": "Run a command.", "submit(has_anomaly: str)": "Submit."}


def probe(name: str, params: dict, ask) -> dict:
    from clients.registry import AgentRegistry

    upstream_class = AgentRegistry().get_agent(name)
    try:
        agent = build_agent(RegistryAgentConfig(name=name, params=params), os.environ).agent
    except Exception as exc:
        return {"name": name, "error": type(exc).__name__, "message": str(exc)}
    report = {"name": name, "class": type(agent).__name__, "upstream_class": upstream_class.__name__, "is_upstream": isinstance(agent, upstream_class)}
    if ask is not None:
        agent.init_context("a problem", "instructions", APIS)
        report["reply"] = asyncio.run(agent.get_action(ask))
    return report


home, kubeconfig, request_json = sys.argv[1:4]
request = json.loads(request_json)
isolate_home(Path(home), kubeconfig, os.environ)
load_aiopslab(Path(home) / "aiopslab-data", LOCAL_SHELL, os.environ)
print(json.dumps([probe(spec["name"], spec.get("params", {}), request.get("ask")) for spec in request["agents"]]))
