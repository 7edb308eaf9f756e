"""Builds the agent named by `agent_config`, before the Orchestrator touches the cluster."""

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Mapping

from aiopslab_runner.agent_config import (
    AgentConfig,
    OpenAICompatibleAgentConfig,
    RegistryAgentConfig,
    ScriptedAgentConfig,
)
from aiopslab_runner.chat_completions import ChatCompletionsClient
from aiopslab_runner.errors import AIOpsLabNotFound, AgentDependencyMissing, InvalidAgentConfig
from aiopslab_runner.openai_compatible_agent import OpenAICompatibleAgent
from aiopslab_runner.scripted_agent import ScriptedAgent

AGENT_REGISTRY_MODULE = "clients.registry"


@dataclass(frozen=True)
class BuiltAgent:
    agent: Any
    name: str


def build_agent(config: AgentConfig, environ: Mapping[str, str]) -> BuiltAgent:
    if isinstance(config, RegistryAgentConfig):
        return BuiltAgent(_build_registry_agent(config), config.name)
    if isinstance(config, OpenAICompatibleAgentConfig):
        client = ChatCompletionsClient(config.base_url, _api_key(config, environ))
        return BuiltAgent(OpenAICompatibleAgent(config, client), config.model)
    if isinstance(config, ScriptedAgentConfig):
        return BuiltAgent(ScriptedAgent(config.actions), "scripted")
    raise InvalidAgentConfig(f"unsupported agent config {type(config).__name__}")


def _build_registry_agent(config: RegistryAgentConfig) -> Any:
    registry = _import_agent_registry().AgentRegistry()
    agent_class = registry.get_agent(config.name)
    if agent_class is None:
        known = registry.get_agent_ids() if hasattr(registry, "get_agent_ids") else []
        raise InvalidAgentConfig(f"unknown registry agent {config.name!r}; known agents: {known}")
    try:
        inspect.signature(agent_class).bind(**config.params)
    except TypeError as exc:
        raise InvalidAgentConfig(f"agent_config.params do not fit agent {config.name!r}: {exc}") from None
    except ValueError:
        pass  # no introspectable signature: let the constructor judge the params
    return agent_class(**config.params)


def _import_agent_registry() -> Any:
    try:
        return importlib.import_module(AGENT_REGISTRY_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in ("clients", AGENT_REGISTRY_MODULE):
            raise AIOpsLabNotFound(
                "AIOpsLab's clients package is not importable; put the AIOpsLab checkout root on PYTHONPATH"
            ) from exc
        raise AgentDependencyMissing(
            f"AIOpsLab's bundled agents need Python module {exc.name!r}, which this worker's runner lacks: "
            "install AIOpsLab's clients dependency group (poetry install --with clients), or use "
            "agent_config kind openai_compatible, which needs nothing beyond the standard library"
        ) from exc


def _api_key(config: OpenAICompatibleAgentConfig, environ: Mapping[str, str]) -> Any:
    if config.api_key_env is None:
        return None
    key = environ.get(config.api_key_env)
    if not key:
        raise InvalidAgentConfig(
            f"environment variable {config.api_key_env} named by agent_config.api_key_env is not set"
        )
    return key
