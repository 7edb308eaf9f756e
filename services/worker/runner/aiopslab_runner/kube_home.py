"""A private HOME for the run, whose ~/.kube/config is this run's own cluster.

AIOpsLab reads the cluster two ways: `aiopslab.observer` loads '~/.kube/config' when it is
imported (its monitor_config.yaml names that path), while kubectl, helm and KubeCtl follow
$KUBECONFIG. Both must name the worker's own cluster, never the host's kubeconfig or another
worker's, so every run gets a HOME of its own holding a copy of its kubeconfig. Without a cluster
(listing problems) the copy is a placeholder whose server is unreachable: enough to import,
useless for reaching anything.
"""

import os
from pathlib import Path
from typing import MutableMapping, Optional

from aiopslab_runner.errors import KubeconfigUnavailable

PLACEHOLDER_KUBECONFIG = """\
# Written by aiopslab-runner: this run has no cluster. AIOpsLab needs a kubeconfig to import;
# this one names no reachable server, so nothing can use it by mistake.
apiVersion: v1
kind: Config
clusters:
- name: no-cluster
  cluster: {server: "https://127.0.0.1:9"}
contexts:
- name: no-cluster
  context: {cluster: no-cluster, user: no-cluster}
current-context: no-cluster
users:
- name: no-cluster
  user: {}
"""


def isolate_home(home_dir: Path, kubeconfig: Optional[str], environ: MutableMapping[str, str]) -> Path:
    """Makes `home_dir` the run's HOME with .kube/config = `kubeconfig` (or the placeholder)."""
    kube_dir = home_dir / ".kube"
    kube_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = kube_dir / "config"
    contents = _read_kubeconfig(kubeconfig) if kubeconfig else PLACEHOLDER_KUBECONFIG
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as config_file:
        config_file.write(contents)
    environ["HOME"] = str(home_dir)
    # kubectl and helm must not fall back to a kubeconfig outside this HOME either.
    environ["KUBECONFIG"] = kubeconfig or str(target)
    return target


def _read_kubeconfig(path: str) -> str:
    first = path.split(os.pathsep)[0]
    try:
        with open(first, encoding="utf-8") as source:
            return source.read()
    except OSError as exc:
        raise KubeconfigUnavailable(
            f"cannot read the run's kubeconfig {first}: {exc.strerror}; the worker must hand every run "
            "its cluster's kubeconfig (check CLUSTER_PROVIDER and EXISTING_KUBECONFIG)"
        ) from None
