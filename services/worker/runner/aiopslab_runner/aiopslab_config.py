"""Writes `<aiopslab package>/config.yml`, which AIOpsLab reads at import time from a fixed path.

`k8s_host` comes from the run's agent shell (agent_shell.py): `kind` for a worker's Kind cluster,
as upstream runs it, `localhost` or an ssh host for an existing cluster.
"""

import contextlib
import fcntl
import importlib.util
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

from aiopslab_runner.agent_shell import AgentShell
from aiopslab_runner.errors import AIOpsLabNotFound

CONFIG_FILE_NAME = "config.yml"
CONFIG_FILE_MODE = 0o644


def locate_aiopslab_package_dir() -> Path:
    # find_spec on a top-level name locates the package without executing it, so nothing
    # reads config.yml before it is written.
    spec = importlib.util.find_spec("aiopslab")
    if spec is None or not spec.submodule_search_locations:
        raise AIOpsLabNotFound("the aiopslab package is not importable; put the AIOpsLab checkout on PYTHONPATH")
    return Path(list(spec.submodule_search_locations)[0])


def render_config(data_dir: Path, shell: AgentShell) -> str:
    values = {
        **shell.config_values(),
        "data_dir": str(data_dir),
        "qualitative_eval": False,
        "print_session": False,
    }
    # JSON scalars are valid YAML scalars, which spares quoting rules for paths and user names.
    lines = [f"{key}: {json.dumps(value)}" for key, value in values.items()]
    return "# Written by aiopslab-runner before importing aiopslab.\n" + "\n".join(lines) + "\n"


def write_config(package_dir: Path, data_dir: Path, shell: AgentShell) -> Path:
    """Replaces config.yml atomically so a concurrent import never reads a half-written file."""
    target = package_dir / CONFIG_FILE_NAME
    handle, temporary = tempfile.mkstemp(prefix=".config.yml.", dir=package_dir)
    try:
        os.fchmod(handle, CONFIG_FILE_MODE)  # mkstemp's 0600 would hide it from other users of the checkout
        with os.fdopen(handle, "w", encoding="utf-8") as config_file:
            config_file.write(render_config(data_dir, shell))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return target


@contextlib.contextmanager
def exclusive_package_lock(package_dir: Path) -> Iterator[None]:
    """Serialises write-then-import among runners sharing one AIOpsLab checkout.

    config.yml is per installation but data_dir is per task, so without the lock another runner
    could swap the file between this runner's write and its import.
    """
    directory_fd = os.open(package_dir, os.O_RDONLY)
    try:
        fcntl.flock(directory_fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(directory_fd)

