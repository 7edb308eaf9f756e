"""Where upstream's `vllm` registry agent sends its requests.

Upstream's `vLLMClient.inference` (clients/utils/llm.py) builds
`OpenAI(api_key="EMPTY", base_url="http://localhost:8000/v1")` on every call: inside a worker
nothing listens there. The address comes instead from `agent_config.params.base_url`, else the
worker's `VLLM_BASE_URL` (passed through RUNNER_ENV_PASSTHROUGH). Upstream's files stay as they
are: the `OpenAI` name that `clients.utils.llm` looks up per call is replaced by one that sends
every client it builds to that address. The runner builds one agent per process, so with `vllm`
no other client of that module exists to be redirected by mistake.
"""

from typing import Any, Callable, Mapping, Tuple

from aiopslab_runner.agent_config import is_http_url
from aiopslab_runner.errors import InvalidAgentConfig

VLLM_AGENT = "vllm"
BASE_URL_PARAM = "base_url"
BASE_URL_ENV = "VLLM_BASE_URL"
UPSTREAM_VLLM_BASE_URL = "http://localhost:8000/v1"
LLM_MODULE = "clients.utils.llm"


def take_vllm_base_url(params: dict, environ: Mapping[str, str]) -> Tuple[str, dict]:
    """Returns the server's base URL and the params left for upstream's constructor."""
    remaining = dict(params)
    from_params = remaining.pop(BASE_URL_PARAM, None)
    base_url = from_params if from_params is not None else environ.get(BASE_URL_ENV)
    source = f"agent_config.params.{BASE_URL_PARAM}" if from_params is not None else BASE_URL_ENV
    if not base_url:
        raise InvalidAgentConfig(
            f"the vllm agent needs its server's address: set agent_config.params.{BASE_URL_PARAM} "
            f"(e.g. http://vllm.internal:8000/v1) or {BASE_URL_ENV} in the worker's environment and its "
            f"RUNNER_ENV_PASSTHROUGH; upstream's hard-coded {UPSTREAM_VLLM_BASE_URL} is the worker itself"
        )
    if not is_http_url(base_url):
        raise InvalidAgentConfig(f"{source} must be an http(s) URL such as http://vllm.internal:8000/v1, got {base_url!r}")
    return base_url, remaining


def redirect_llm_clients(llm_module: Any, base_url: str) -> None:
    original = getattr(llm_module, "_aiopslab_runner_original_openai", None) or llm_module.OpenAI
    llm_module._aiopslab_runner_original_openai = original
    llm_module.OpenAI = _client_factory(original, base_url)


def _client_factory(openai_class: Any, base_url: str) -> Callable[..., Any]:
    def build(*args: Any, **kwargs: Any) -> Any:
        return openai_class(*args, **{**kwargs, "base_url": base_url})

    return build

