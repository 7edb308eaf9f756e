"""The four `agent_config` kinds of the task spec, validated into frozen dataclasses."""

import urllib.parse
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional, Union

from aiopslab_runner.errors import InvalidAgentConfig
from aiopslab_runner.reference_agent import REFERENCE_AGENT_NAMES
from aiopslab_runner.prompt_templates import PROMPT_TEMPLATES, SHELL_ONLY
from aiopslab_runner.upstream_gpt_defaults import HISTORY_TOKEN_LIMIT, MESSAGE_OVERHEAD_TOKENS


@dataclass(frozen=True)
class RegistryAgentConfig:
    kind: ClassVar[str] = "registry"
    name: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OpenAICompatibleAgentConfig:
    """Unset sampling fields take upstream gpt agent's values (upstream_gpt_defaults.py)."""

    kind: ClassVar[str] = "openai_compatible"
    base_url: str
    model: str
    api_key_env: Optional[str] = None
    temperature: Optional[float] = None
    top_p: Optional[float] = None
    max_tokens: Optional[int] = None
    extra_body: dict = field(default_factory=dict)
    prompt_template: str = SHELL_ONLY
    history_token_limit: int = HISTORY_TOKEN_LIMIT


@dataclass(frozen=True)
class ScriptedAgentConfig:
    kind: ClassVar[str] = "scripted"
    actions: tuple


@dataclass(frozen=True)
class ReferenceAgentConfig:
    """A built-in baseline (reference_agent.py): do_nothing or constant_yes."""

    kind: ClassVar[str] = "reference"
    name: str


AgentConfig = Union[RegistryAgentConfig, OpenAICompatibleAgentConfig, ScriptedAgentConfig, ReferenceAgentConfig]


def parse_agent_config(raw: Any) -> AgentConfig:
    if not isinstance(raw, dict):
        raise InvalidAgentConfig("agent_config must be an object")
    kind = raw.get("kind")
    parsers = {
        RegistryAgentConfig.kind: _parse_registry,
        OpenAICompatibleAgentConfig.kind: _parse_openai_compatible,
        ScriptedAgentConfig.kind: _parse_scripted,
        ReferenceAgentConfig.kind: _parse_reference,
    }
    if kind not in parsers:
        raise InvalidAgentConfig(f"agent_config.kind must be one of {sorted(parsers)}, got {kind!r}")
    problems: list = []
    config = parsers[kind](raw, problems)
    if problems:
        raise InvalidAgentConfig("; ".join(problems))
    return config


def _parse_registry(raw: dict, problems: list) -> Optional[RegistryAgentConfig]:
    name = raw.get("name")
    params = raw.get("params", {})
    if not isinstance(name, str) or not name:
        problems.append("agent_config.name must be a non-empty string")
    if not isinstance(params, dict):
        problems.append("agent_config.params must be an object")
    return None if problems else RegistryAgentConfig(name=name, params=dict(params))


def _parse_openai_compatible(raw: dict, problems: list) -> Optional[OpenAICompatibleAgentConfig]:
    base_url, model = raw.get("base_url"), raw.get("model")
    if not is_http_url(base_url):
        problems.append("agent_config.base_url must be an http(s) URL")
    if not isinstance(model, str) or not model:
        problems.append("agent_config.model must be a non-empty string")
    api_key_env = raw.get("api_key_env")
    if api_key_env is not None and (not isinstance(api_key_env, str) or not api_key_env):
        problems.append("agent_config.api_key_env must be a non-empty environment variable name")
    for name in ("temperature", "top_p"):
        if raw.get(name) is not None and not _is_number(raw[name]):
            problems.append(f"agent_config.{name} must be a number")
    max_tokens = raw.get("max_tokens")
    if max_tokens is not None and (not _is_int(max_tokens) or max_tokens < 1):
        problems.append("agent_config.max_tokens must be a positive integer")
    history_token_limit = raw.get("history_token_limit", HISTORY_TOKEN_LIMIT)
    if not _is_int(history_token_limit) or history_token_limit <= MESSAGE_OVERHEAD_TOKENS:
        problems.append(
            f"agent_config.history_token_limit must be an integer above {MESSAGE_OVERHEAD_TOKENS}: the model's "
            "context length minus max_tokens, with a margin for its own tokenizer"
        )
    extra_body = raw.get("extra_body", {})
    if not isinstance(extra_body, dict):
        problems.append("agent_config.extra_body must be an object")
    prompt_template = raw.get("prompt_template", SHELL_ONLY)
    if prompt_template not in PROMPT_TEMPLATES:
        problems.append(f"agent_config.prompt_template must be one of {list(PROMPT_TEMPLATES)}")
    if problems:
        return None
    return OpenAICompatibleAgentConfig(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        temperature=raw.get("temperature"),
        top_p=raw.get("top_p"),
        max_tokens=max_tokens,
        extra_body=dict(extra_body),
        prompt_template=prompt_template,
        history_token_limit=history_token_limit,
    )


def _parse_scripted(raw: dict, problems: list) -> Optional[ScriptedAgentConfig]:
    actions = raw.get("actions")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        problems.append("agent_config.actions must be a non-empty list of strings")
        return None
    return ScriptedAgentConfig(actions=tuple(actions))


def _parse_reference(raw: dict, problems: list) -> Optional[ReferenceAgentConfig]:
    name = raw.get("name")
    if name not in REFERENCE_AGENT_NAMES:
        problems.append(f"agent_config.name of a reference agent must be one of {list(REFERENCE_AGENT_NAMES)}, got {name!r}")
    unknown = sorted(set(raw) - {"kind", "name"})
    if unknown:
        problems.append(f"a reference agent takes only kind and name; remove {unknown}")
    return None if problems else ReferenceAgentConfig(name=name)


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parsed = urllib.parse.urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
