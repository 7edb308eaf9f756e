"""Imports the AIOpsLab entry points, after writing the config.yml they read at import time."""

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from aiopslab_runner.agent_shell import AgentShell, install_agent_shell
from aiopslab_runner.aiopslab_config import exclusive_package_lock, locate_aiopslab_package_dir, write_config
from aiopslab_runner.errors import AIOpsLabImportFailed, RunnerError

ORCHESTRATOR_MODULE = "aiopslab.orchestrator.orchestrator"
PROBLEM_REGISTRY_MODULE = "aiopslab.orchestrator.problems.registry"
SHELL_MODULE = "aiopslab.service.shell"


@dataclass(frozen=True)
class AIOpsLabEntryPoints:
    Orchestrator: Any
    ProblemRegistry: Any


def load_aiopslab(data_dir: Path, shell: AgentShell, environ: Mapping[str, str]) -> AIOpsLabEntryPoints:
    registry_module, orchestrator_module, shell_module = _import_configured(
        data_dir, shell, (PROBLEM_REGISTRY_MODULE, ORCHESTRATOR_MODULE, SHELL_MODULE)
    )
    install_agent_shell(shell_module.Shell, shell, environ)
    return AIOpsLabEntryPoints(orchestrator_module.Orchestrator, registry_module.ProblemRegistry)


def load_problem_registry_class(data_dir: Path, shell: AgentShell) -> Any:
    (registry_module,) = _import_configured(data_dir, shell, (PROBLEM_REGISTRY_MODULE,))
    return registry_module.ProblemRegistry


def _import_configured(data_dir: Path, shell: AgentShell, module_names: tuple) -> list:
    package_dir = locate_aiopslab_package_dir()
    with exclusive_package_lock(package_dir):
        write_config(package_dir, data_dir, shell)
        try:
            return [importlib.import_module(name) for name in module_names]
        except (RunnerError, SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # any import-time failure is this worker's setup, not the task
            raise AIOpsLabImportFailed(exc) from exc
