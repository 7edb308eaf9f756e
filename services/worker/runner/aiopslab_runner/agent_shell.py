"""Where the agent's `exec_shell` commands run, as upstream runs them, and with no credentials.

Upstream (`aiopslab/service/shell.py`) picks the place from config.yml's `k8s_host`:
- `kind`: `docker exec kind-control-plane sh -c "<command>"`. The container name is hard-coded,
  wrong for per-worker clusters (`worker-<id>-kind-control-plane`), and the command is pasted
  into a host shell inside double quotes, so `$VAR` and backticks expand on the worker, where the
  LLM keys live. Here the container is the run's own, and the command goes to `docker exec` as
  one argument: it is interpreted only by the container's shell.
- `localhost`: a local subprocess that inherits every variable, keys included. Here it gets an
  allowlisted environment: what kubectl, helm and a shell need, nothing else.
- any other host: ssh through paramiko, unchanged.
"""

import subprocess
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from aiopslab_runner.errors import InvalidTaskSpec

KIND, LOCALHOST, SSH = "kind", "localhost", "ssh"
# Upstream expands it per command, in the run's HOME, where ssh_key.py puts the key.
RUN_SSH_KEY_PATH = "~/.ssh/id_rsa"
SHELL_ENV_ALLOWLIST = (
    "PATH", "HOME", "LANG", "LC_ALL", "TERM", "TZ", "USER", "LOGNAME", "TMPDIR",
    "KUBECONFIG", "AIOPSLAB_CLUSTER", "HELM_CONFIG_HOME", "HELM_CACHE_HOME", "HELM_DATA_HOME",
    "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY",
)


@dataclass(frozen=True)
class AgentShell:
    mode: str
    container: Optional[str] = None
    host: Optional[str] = None
    user: Optional[str] = None
    key_path: Optional[str] = None

    def config_values(self) -> dict:
        """The config.yml keys upstream's Shell and KubeCtl read."""
        if self.mode == SSH:
            return {"k8s_host": self.host, "k8s_user": self.user or "root", "ssh_key_path": RUN_SSH_KEY_PATH}
        # `kind` also makes KubeCtl select context kind-$AIOPSLAB_CLUSTER.
        return {"k8s_host": self.mode, "k8s_user": "aiopslab", "ssh_key_path": RUN_SSH_KEY_PATH}


LOCAL_SHELL = AgentShell(LOCALHOST)


def parse_agent_shell(raw: Any, cluster_provider: Optional[str], cluster_name: Optional[str]) -> AgentShell:
    """The spec's `agent_shell`; absent, a Kind cluster's control plane, else localhost."""
    if raw is None:
        if cluster_provider == KIND and cluster_name:
            return AgentShell(KIND, container=f"{cluster_name}-control-plane")
        return LOCAL_SHELL
    if not isinstance(raw, dict) or raw.get("mode") not in (KIND, LOCALHOST, SSH):
        raise InvalidTaskSpec("agent_shell.mode must be one of kind, localhost, ssh")
    text = {key: raw.get(key) if isinstance(raw.get(key), str) and raw.get(key) else None for key in ("container", "host", "user", "key_path")}
    if raw["mode"] == KIND and not (text["container"] or cluster_name):
        raise InvalidTaskSpec("agent_shell.container is required for mode kind when the cluster has no name")
    if raw["mode"] == SSH and not text["host"]:
        raise InvalidTaskSpec("agent_shell.host is required for mode ssh")
    container = text["container"] or (f"{cluster_name}-control-plane" if raw["mode"] == KIND else None)
    return AgentShell(raw["mode"], container, text["host"], text["user"], text["key_path"])


def shell_environment(environ: Mapping[str, str]) -> dict:
    return {name: environ[name] for name in SHELL_ENV_ALLOWLIST if name in environ}


def install_agent_shell(shell_class: Any, shell: AgentShell, environ: Mapping[str, str]) -> None:
    """Replaces upstream Shell's local and docker paths on the class (exec looks them up per call)."""
    env = shell_environment(environ)

    def docker_exec(_container_name: str, command: str, timeout: int = 30) -> str:
        return run_in_container(shell.container or _container_name, command, timeout, env)

    def local_exec(command: str, input_data: Any = None, cwd: Any = None, timeout: int = 30) -> str:
        return run_locally(command, input_data, cwd, timeout, env)

    shell_class.docker_exec = staticmethod(docker_exec)
    shell_class.local_exec = staticmethod(local_exec)


def run_in_container(container: str, command: str, timeout: int, env: Mapping[str, str]) -> str:
    """Upstream's docker_exec, with the command as one argv element instead of host-shell text."""
    try:
        out = subprocess.run(
            ["docker", "exec", container, "sh", "-c", command],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=timeout, env=dict(env),
        )
    except Exception as exc:
        raise RuntimeError(f"Failed to execute command in Docker container: {container}\nError: {exc}") from None
    if out.returncode != 0:
        return f"[ERROR] Docker command execution failed: {out.stderr.decode('utf-8', 'replace')}"
    return out.stdout.decode("utf-8", "replace")


def run_locally(command: str, input_data: Any, cwd: Any, timeout: int, env: Mapping[str, str]) -> str:
    """Upstream's local_exec, with an allowlisted environment."""
    data = input_data.encode("utf-8") if input_data is not None else None
    try:
        out = subprocess.run(
            command, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, shell=True, cwd=cwd, timeout=timeout,
            env=dict(env), stdin=None if data is not None else subprocess.DEVNULL,
        )
    except Exception as exc:
        raise RuntimeError(f"Failed to execute command: {command}\nError: {exc}") from None
    if out.returncode != 0:
        return f"[ERROR] Command execution failed: {out.stderr.decode('utf-8', 'replace')}"
    return out.stdout.decode("utf-8", "replace") + out.stderr.decode("utf-8", "replace")
