import { type HostCheck, ok, problem } from './host-check';
import { REGISTRY_AGENT_CREDENTIALS } from './agent-credentials';

export interface LlmKeyInput {
  agents: readonly string[];
  /** The worker's own environment. */
  env: Readonly<Record<string, string | undefined>>;
  /** What the runner gets (RUNNER_ENV_PASSTHROUGH applied): a key must reach it. */
  runnerEnv: Readonly<Record<string, string>>;
  /** RUNNER_ENV_PASSTHROUGH as the worker resolved it (its default when unset). */
  passthrough: string;
  /** Named in DOCTOR_AGENTS: a missing key fails; otherwise (every agent checked) it warns. */
  agentsChosen: boolean;
}

/** One check per agent; values are never printed, only whether each variable reaches the runner. */
export function checkLlmKeys(input: LlmKeyInput): HostCheck[] {
  return input.agents.map((agent) => {
    const { variables, readBy } = REGISTRY_AGENT_CREDENTIALS[agent];
    const id = `llm-key:${agent}`;
    const name = `agent ${agent}`;
    const missing = variables.filter((v) => !input.env[v]);
    const filtered = variables.filter((v) => input.env[v] && !input.runnerEnv[v]);
    const severity = input.agentsChosen ? 'fail' : 'warn';
    if (missing.length > 0) {
      return problem(id, name, severity, `${missing.join(', ')} not set; read by ${readBy}`, `${missing.map((v) => `${v}=<value>`).join(' and ')} in the worker's environment (.env for docker compose)`);
    }
    if (filtered.length > 0) {
      const fix = `RUNNER_ENV_PASSTHROUGH=${[input.passthrough, ...filtered].filter(Boolean).join(',')}`;
      return problem(id, name, severity, `${filtered.join(', ')} set, but RUNNER_ENV_PASSTHROUGH does not pass it to the runner`, fix);
    }
    return ok(id, name, `${variables.join(', ')} set and passed to the runner`);
  });
}
