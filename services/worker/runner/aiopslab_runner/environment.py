"""Per-run process environment: cwd, helm state, cluster selection, HOME, ssh key, tiktoken cache.

AIOpsLab writes cache_dir/, metrics_output/, trace_output/ and reads .env relative to the cwd,
and `helm repo add` writes per-user state, so each run gets its own of both under work_dir.
Values the worker already set win; the spec's cluster block only fills what is missing.
A task run and a cleanup run (--cleanup-problem) prepare the same environment.
"""

import os
from pathlib import Path
from typing import MutableMapping, Optional

from aiopslab_runner.agent_shell import AgentShell
from aiopslab_runner.errors import KubeconfigUnavailable
from aiopslab_runner.kube_home import isolate_home
from aiopslab_runner.spec import ClusterSpec, TaskSpec
from aiopslab_runner.ssh_key import install_ssh_key

HOME_DIR_NAME = "home"

TIKTOKEN_CACHE_VARIABLES = ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")


def prepare_environment(spec: TaskSpec, environ: MutableMapping[str, str]) -> list:
    """A task's environment, applied in place; returns warnings worth logging."""
    warnings = prepare_cluster_environment(spec.work_dir, spec.cluster, spec.agent_shell, environ)
    spec.results_dir.mkdir(parents=True, exist_ok=True)
    if spec.parameters:
        warnings.append(f"task parameters {sorted(spec.parameters)} are not used by the AIOpsLab runner")
    return warnings


def prepare_cluster_environment(
    work_dir: Path, cluster: Optional[ClusterSpec], agent_shell: AgentShell, environ: MutableMapping[str, str]
) -> list:
    """What any run against the cluster needs, applied in place; returns warnings worth logging."""
    work_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(work_dir)
    _isolate_helm_state(work_dir, environ)
    _select_cluster(cluster, environ)
    kubeconfig = environ.get("KUBECONFIG")
    if not kubeconfig:
        raise KubeconfigUnavailable(
            "this run has no kubeconfig: AIOpsLab problems need a cluster; start the worker with "
            "CLUSTER_PROVIDER=kind or existing (none is for stand-in and demo runners only)"
        )
    worker_home = environ.get("HOME")
    run_home = work_dir / HOME_DIR_NAME
    isolate_home(run_home, kubeconfig, environ)
    install_ssh_key(agent_shell, worker_home, run_home)
    return _tiktoken_warnings(environ)


def _isolate_helm_state(work_dir: Path, environ: MutableMapping[str, str]) -> None:
    defaults = {
        "HELM_CONFIG_HOME": work_dir / "helm" / "config",
        "HELM_CACHE_HOME": work_dir / "helm" / "cache",
        "HELM_DATA_HOME": work_dir / "helm" / "data",
    }
    for name, default in defaults.items():
        environ.setdefault(name, str(default))
        os.makedirs(environ[name], exist_ok=True)


def _select_cluster(cluster: Optional[ClusterSpec], environ: MutableMapping[str, str]) -> None:
    if cluster is None:
        return
    if cluster.kubeconfig and not environ.get("KUBECONFIG"):
        environ["KUBECONFIG"] = cluster.kubeconfig
    if cluster.provider == "kind" and cluster.name and not environ.get("AIOPSLAB_CLUSTER"):
        environ["AIOPSLAB_CLUSTER"] = cluster.name


def _tiktoken_warnings(environ: MutableMapping[str, str]) -> list:
    if any(environ.get(name) for name in TIKTOKEN_CACHE_VARIABLES):
        return []
    return [
        "neither TIKTOKEN_CACHE_DIR nor DATA_GYM_CACHE_DIR is set: importing aiopslab.orchestrator "
        "downloads the tiktoken encoding and fails without network access"
    ]
