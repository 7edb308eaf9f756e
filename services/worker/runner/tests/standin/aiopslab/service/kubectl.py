"""KubeCtl: loads the kubeconfig on construction, which is why the Orchestrator needs a cluster."""

import os
import time

from aiopslab import _standin
from aiopslab.config import Config
from aiopslab.paths import BASE_DIR

config = Config(BASE_DIR / "config.yml")


class ConfigException(Exception):
    """What kubernetes.config raises for a missing or unreadable kubeconfig."""


class KubeCtl:
    def __init__(self):
        kubeconfig = os.environ.get("KUBECONFIG", "")
        if not kubeconfig or not os.path.isfile(kubeconfig):
            raise ConfigException("Invalid kube-config file. No configuration found.")
        cluster = os.environ.get("AIOPSLAB_CLUSTER")
        self.context = f"kind-{cluster}" if cluster else ("kind-kind" if config.get("k8s_host") == "kind" else "current")
        _standin.mark("kubectl-context", self.context)

    def exec_command(self, command):
        _standin.make_noise(f"kubectl: {command[:40]}")
        return ""

    def wait_for_ready(self, namespace, sleep=0, max_wait=300):
        if namespace in _standin.NEVER_READY_NAMESPACES:
            raise Exception(f"Timeout waiting for {namespace}")
        time.sleep(sleep)

    def wait_for_namespace_deletion(self, namespace, sleep=0, max_wait=300):
        time.sleep(float(_standin.setting("STANDIN_TEARDOWN_SLEEP_S", "0") or 0))
        if _standin.setting("STANDIN_TEARDOWN_FAIL"):
            raise Exception(f"Timeout: namespace {namespace} was not deleted within {max_wait} seconds")
