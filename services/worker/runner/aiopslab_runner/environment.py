"""Per-task process environment: cwd, helm state, cluster selection, HOME, tiktoken cache.

AIOpsLab writes cache_dir/, metrics_output/, trace_output/ and reads .env relative to the cwd,
and `helm repo add` writes per-user state, so each task gets its own of both under work_dir.
Values the worker already set win; the spec's cluster block only fills what is missing.
"""

import os
from typing import MutableMapping

from aiopslab_runner.errors import KubeconfigUnavailable
from aiopslab_runner.kube_home import isolate_home
from aiopslab_runner.spec import TaskSpec

HOME_DIR_NAME = "home"

TIKTOKEN_CACHE_VARIABLES = ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")


def prepare_environment(spec: TaskSpec, environ: MutableMapping[str, str]) -> list:
    """Applies the task's environment in place and returns warnings worth logging."""
    spec.work_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(spec.work_dir)
    spec.results_dir.mkdir(parents=True, exist_ok=True)
    _isolate_helm_state(spec, environ)
    _select_cluster(spec, environ)
    kubeconfig = environ.get("KUBECONFIG")
    if not kubeconfig:
        raise KubeconfigUnavailable(
            "this run has no kubeconfig: AIOpsLab problems need a cluster; start the worker with "
            "CLUSTER_PROVIDER=kind or existing (none is for stand-in and demo runners only)"
        )
    isolate_home(spec.work_dir / HOME_DIR_NAME, kubeconfig, environ)
    return _warnings(spec, environ)


def _isolate_helm_state(spec: TaskSpec, environ: MutableMapping[str, str]) -> None:
    defaults = {
        "HELM_CONFIG_HOME": spec.work_dir / "helm" / "config",
        "HELM_CACHE_HOME": spec.work_dir / "helm" / "cache",
        "HELM_DATA_HOME": spec.work_dir / "helm" / "data",
    }
    for name, default in defaults.items():
        environ.setdefault(name, str(default))
        os.makedirs(environ[name], exist_ok=True)


def _select_cluster(spec: TaskSpec, environ: MutableMapping[str, str]) -> None:
    cluster = spec.cluster
    if cluster is None:
        return
    if cluster.kubeconfig and not environ.get("KUBECONFIG"):
        environ["KUBECONFIG"] = cluster.kubeconfig
    if cluster.provider == "kind" and cluster.name and not environ.get("AIOPSLAB_CLUSTER"):
        environ["AIOPSLAB_CLUSTER"] = cluster.name


def _warnings(spec: TaskSpec, environ: MutableMapping[str, str]) -> list:
    warnings = []
    if not any(environ.get(name) for name in TIKTOKEN_CACHE_VARIABLES):
        warnings.append(
            "neither TIKTOKEN_CACHE_DIR nor DATA_GYM_CACHE_DIR is set: importing aiopslab.orchestrator "
            "downloads the tiktoken encoding and fails without network access"
        )
    if spec.parameters:
        warnings.append(f"task parameters {sorted(spec.parameters)} are not used by the AIOpsLab runner")
    return warnings
