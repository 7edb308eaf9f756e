"""Builds the agent named by `agent_config`, before the Orchestrator touches the cluster."""

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from aiopslab_runner.agent_config import (
    AgentConfig,
    OpenAICompatibleAgentConfig,
    ReferenceAgentConfig,
    RegistryAgentConfig,
    ScriptedAgentConfig,
)
from aiopslab_runner.chat_completions import ChatCompletionsClient
from aiopslab_runner.errors import AIOpsLabNotFound, AgentDependencyMissing, InvalidAgentConfig
from aiopslab_runner.openai_compatible_agent import OpenAICompatibleAgent
from aiopslab_runner.reference_agent import ReferenceAgent
from aiopslab_runner.scripted_agent import ScriptedAgent
from aiopslab_runner.token_counting import load_token_counter
from aiopslab_runner.vllm_base_url import LLM_MODULE, VLLM_AGENT, redirect_llm_clients, take_vllm_base_url

AGENT_REGISTRY_MODULE = "clients.registry"


@dataclass(frozen=True)
class BuiltAgent:
    agent: Any
    name: str
    notes: tuple = ()


def build_agent(config: AgentConfig, environ: Mapping[str, str], task_type: Optional[str] = None) -> BuiltAgent:
    """`task_type` is the problem's (problem_task_type.py); only the reference agents read it."""
    if isinstance(config, RegistryAgentConfig):
        return BuiltAgent(_build_registry_agent(config, environ), config.name)
    if isinstance(config, OpenAICompatibleAgentConfig):
        client = ChatCompletionsClient(config.base_url, _api_key(config, environ))
        counter = load_token_counter()
        note = f"history trimmed to {config.history_token_limit} tokens, counted as {counter.description}"
        return BuiltAgent(OpenAICompatibleAgent(config, client, counter), config.model, (note,))
    if isinstance(config, ScriptedAgentConfig):
        return BuiltAgent(ScriptedAgent(config.actions), "scripted")
    if isinstance(config, ReferenceAgentConfig):
        agent = ReferenceAgent(config.name, task_type)
        return BuiltAgent(agent, f"reference-{config.name}", (f"reference agent {config.name}: {agent.action}",))
    raise InvalidAgentConfig(f"unsupported agent config {type(config).__name__}")


def _build_registry_agent(config: RegistryAgentConfig, environ: Mapping[str, str]) -> Any:
    registry = _import_agent_module(AGENT_REGISTRY_MODULE).AgentRegistry()
    agent_class = registry.get_agent(config.name)
    if agent_class is None:
        known = registry.get_agent_ids() if hasattr(registry, "get_agent_ids") else []
        raise InvalidAgentConfig(f"unknown registry agent {config.name!r}; known agents: {known}")
    params = dict(config.params)
    if config.name == VLLM_AGENT:
        base_url, params = take_vllm_base_url(params, environ)
        redirect_llm_clients(_import_agent_module(LLM_MODULE), base_url)
    try:
        inspect.signature(agent_class).bind(**params)
    except TypeError as exc:
        raise InvalidAgentConfig(f"agent_config.params do not fit agent {config.name!r}: {exc}") from None
    except ValueError:
        pass  # no introspectable signature: let the constructor judge the params
    return agent_class(**params)


def _import_agent_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name in ("clients", name):
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
