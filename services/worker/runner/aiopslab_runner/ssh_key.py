"""The ssh agent shell's private key, copied into the run's own HOME.

Upstream's ssh path (`aiopslab/service/shell.py`) expands config.yml's `ssh_key_path`, by default
`~/.ssh/id_rsa`, when each command runs, and by then HOME is the run's private HOME
(kube_home.py), which has no key. So the key the worker names (EXISTING_SSH_KEY, sent as
`agent_shell.key_path`), or else the worker user's own ~/.ssh/id_rsa as upstream would use, is
copied to `<run HOME>/.ssh/id_rsa`, and config.yml keeps naming `~/.ssh/id_rsa`.
"""

import os
from pathlib import Path
from typing import Optional

from aiopslab_runner.agent_shell import SSH, AgentShell
from aiopslab_runner.errors import SshKeyUnavailable

RUN_KEY_NAME = "id_rsa"
UPSTREAM_DEFAULT_KEY = Path(".ssh") / "id_rsa"
SSH_DIR_MODE, KEY_MODE = 0o700, 0o600


def install_ssh_key(shell: AgentShell, worker_home: Optional[str], run_home: Path) -> Optional[Path]:
    """Copies the key for an ssh agent shell; returns where it now is (None for other shells)."""
    if shell.mode != SSH:
        return None
    source = _key_source(shell, worker_home)
    try:
        key = source.read_bytes()
    except OSError as exc:
        raise SshKeyUnavailable(
            f"cannot read the agent shell's ssh key {source}: {exc.strerror}; set EXISTING_SSH_KEY to a private "
            "key file the worker's user can read"
        ) from None
    ssh_dir = run_home / ".ssh"
    ssh_dir.mkdir(parents=True, exist_ok=True, mode=SSH_DIR_MODE)
    os.chmod(ssh_dir, SSH_DIR_MODE)  # mkdir's mode is cut by the umask and ignored for an existing dir
    target = ssh_dir / RUN_KEY_NAME
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, KEY_MODE)
    with os.fdopen(descriptor, "wb") as key_file:
        os.fchmod(key_file.fileno(), KEY_MODE)  # paramiko and ssh refuse a key others can read
        key_file.write(key)
    return target


def _key_source(shell: AgentShell, worker_home: Optional[str]) -> Path:
    if shell.key_path:
        return _expand_home(shell.key_path, worker_home)
    default = Path(worker_home) / UPSTREAM_DEFAULT_KEY if worker_home else None
    if default is not None and default.is_file():
        return default
    where = f"{default}" if default is not None else "~/.ssh/id_rsa (the worker has no HOME)"
    raise SshKeyUnavailable(
        f"the agent shell runs over ssh to {shell.host} but no private key is available: set EXISTING_SSH_KEY "
        f"to the private key file for {shell.user or 'root'}@{shell.host} (upstream's default, the worker "
        f"user's {where}, does not exist)"
    )


def _expand_home(path: str, worker_home: Optional[str]) -> Path:
    """`~` means the worker's HOME, not the run's, which holds no key yet."""
    if worker_home and (path == "~" or path.startswith("~/")):
        return Path(worker_home) / path[2:]
    return Path(path).expanduser()
