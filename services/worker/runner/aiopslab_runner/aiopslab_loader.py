"""Imports the AIOpsLab entry points, after writing the config.yml they read at import time."""

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiopslab_runner.aiopslab_config import exclusive_package_lock, locate_aiopslab_package_dir, write_config

ORCHESTRATOR_MODULE = "aiopslab.orchestrator.orchestrator"
PROBLEM_REGISTRY_MODULE = "aiopslab.orchestrator.problems.registry"


@dataclass(frozen=True)
class AIOpsLabEntryPoints:
    Orchestrator: Any
    ProblemRegistry: Any


def load_aiopslab(data_dir: Path) -> AIOpsLabEntryPoints:
    registry_module, orchestrator_module = _import_configured(
        data_dir, (PROBLEM_REGISTRY_MODULE, ORCHESTRATOR_MODULE)
    )
    return AIOpsLabEntryPoints(orchestrator_module.Orchestrator, registry_module.ProblemRegistry)


def load_problem_registry_class(data_dir: Path) -> Any:
    (registry_module,) = _import_configured(data_dir, (PROBLEM_REGISTRY_MODULE,))
    return registry_module.ProblemRegistry


def _import_configured(data_dir: Path, module_names: tuple) -> list:
    package_dir = locate_aiopslab_package_dir()
    with exclusive_package_lock(package_dir):
        write_config(package_dir, data_dir)
        return [importlib.import_module(name) for name in module_names]
