/**
 * The variables each agent of upstream's registry (clients/registry.py) needs in the runner's
 * environment, as upstream's clients read them (clients/utils/llm.py at the pinned commit).
 */
export interface AgentCredentials {
  /** Variables that must be set (and passed to the runner). */
  variables: readonly string[];
  /** Who reads them, for the report. */
  readBy: string;
}

export const REGISTRY_AGENT_CREDENTIALS: Readonly<Record<string, AgentCredentials>> = Object.freeze({
  gpt: { variables: ['OPENAI_API_KEY'], readBy: 'GPTClient in clients/utils/llm.py' },
  qwen: { variables: ['DASHSCOPE_API_KEY'], readBy: "QwenClient (DashScope); the README's QWEN_API_KEY is unused" },
  deepseek: { variables: ['DEEPSEEK_API_KEY'], readBy: 'DeepSeekClient' },
  // Upstream hard-codes http://localhost:8000/v1; the runner takes the server from params.base_url or VLLM_BASE_URL.
  vllm: { variables: ['VLLM_BASE_URL'], readBy: 'the runner (vllm_base_url.py) unless a task sets agent_config.params.base_url' },
  openrouter: { variables: ['OPENROUTER_API_KEY'], readBy: 'OpenRouterClient' },
  generic: { variables: ['OPENAI_COMPATIBLE_API_KEY', 'OPENAI_COMPATIBLE_BASE_URL'], readBy: 'GenericOpenAIClient' },
});

export const REGISTRY_AGENTS: readonly string[] = Object.keys(REGISTRY_AGENT_CREDENTIALS);
