import { ConfigError } from '@aiopslab/shared/config/load-config';

/** US dollars per one million input (prompt) and output (completion) tokens. */
export interface Price {
  input_per_million: number;
  output_per_million: number;
}

/** PRICE_TABLE: agent label or model name → price. */
export type PriceTable = Readonly<Record<string, Price>>;

/** Parses and checks PRICE_TABLE (JSON); a bad value stops the service with a message naming it. */
export function parsePriceTable(raw: string | undefined): PriceTable {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError([`PRICE_TABLE is not JSON (${(error as Error).message}); e.g. {"gpt-4o":{"input_per_million":2.5,"output_per_million":10}}`]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(['PRICE_TABLE must be a JSON object mapping an agent label or model name to its price']);
  const problems: string[] = [];
  for (const [name, price] of Object.entries(parsed as Record<string, unknown>)) {
    const p = price as Partial<Price> | null;
    for (const key of ['input_per_million', 'output_per_million'] as const) {
      if (typeof p?.[key] !== 'number' || !Number.isFinite(p[key]) || p[key]! < 0) problems.push(`PRICE_TABLE["${name}"].${key} must be a number ≥ 0 (US dollars per 1M tokens)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(parsed as Record<string, Price>);
}

/**
 * The price of an agent: by its run label first, then by its model (openai_compatible) or
 * registry name; null when the table has neither.
 */
export function priceOf(table: PriceTable, agent: { label: string; agent_config: Record<string, unknown> }): { key: string; price: Price } | null {
  const config = agent.agent_config;
  for (const key of [agent.label, config.model, config.name]) {
    if (typeof key === 'string' && Object.hasOwn(table, key)) return { key, price: table[key] };
  }
  return null;
}

export interface TokenTotals {
  /** Real usage the runner reported per step (prompt/completion tokens). */
  prompt_tokens: number;
  completion_tokens: number;
  /** AIOpsLab's own in_tokens/out_tokens (tiktoken estimates over the trace). */
  in_tokens: number;
  out_tokens: number;
}

/**
 * Estimated cost in US dollars: from real usage when any was reported, else from AIOpsLab's
 * token estimates; null when the agent has no price.
 */
export function estimateCost(price: Price | null, tokens: TokenTotals): { usd: number; basis: 'usage' | 'aiopslab_estimate' } | null {
  if (!price) return null;
  const real = tokens.prompt_tokens + tokens.completion_tokens > 0;
  const input = real ? tokens.prompt_tokens : tokens.in_tokens;
  const output = real ? tokens.completion_tokens : tokens.out_tokens;
  const usd = (input * price.input_per_million + output * price.output_per_million) / 1_000_000;
  return { usd: Math.round(usd * 1e6) / 1e6, basis: real ? 'usage' : 'aiopslab_estimate' };
}
