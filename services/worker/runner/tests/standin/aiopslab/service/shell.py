"""Stand-in for aiopslab/service/shell.py: the same dispatch on config.yml's k8s_host.

Its docker_exec and local_exec are what the runner replaces; these bodies only record that the
upstream paths were reached, so a test can tell whether the runner's replacement ran.
"""

from aiopslab.paths import config


class Shell:
    @staticmethod
    def exec(command: str, input_data=None, cwd=None, timeout=30):
        k8s_host = config.get("k8s_host", "localhost")
        if k8s_host == "kind":
            return Shell.docker_exec("kind-control-plane", command, timeout=timeout)
        if k8s_host == "localhost":
            return Shell.local_exec(command, input_data, cwd, timeout=timeout)
        return f"[standin ssh {k8s_host}] {command}"

    @staticmethod
    def docker_exec(container_name: str, command: str, timeout=30):
        return f"[standin upstream docker_exec {container_name}] {command}"

    @staticmethod
    def local_exec(command: str, input_data=None, cwd=None, timeout=30):
        return f"[standin upstream local_exec] {command}"
