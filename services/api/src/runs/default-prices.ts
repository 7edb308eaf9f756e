import type { PriceTable } from './price-table';

/**
 * The shipped price table, so a run's cost is not null by default: providers' public list prices
 * in US dollars per one million input / output tokens (standard tier, no caching or batch
 * discounts) as published in 2025. Prices change: PRICE_TABLE overrides any entry by its key and
 * adds others (docs/runs-and-results.md "Price table"). Keys are model names (openai_compatible
 * `model`) and AIOpsLab registry agent names (`gpt` is AIOpsLab's GPT agent, gpt-4-turbo;
 * `deepseek` its DeepSeek agent, deepseek-reasoner).
 */
export const DEFAULT_PRICES: PriceTable = Object.freeze({
  'gpt-4o': { input_per_million: 2.5, output_per_million: 10 },
  'gpt-4o-mini': { input_per_million: 0.15, output_per_million: 0.6 },
  'gpt-4.1': { input_per_million: 2, output_per_million: 8 },
  'gpt-4.1-mini': { input_per_million: 0.4, output_per_million: 1.6 },
  'gpt-4.1-nano': { input_per_million: 0.1, output_per_million: 0.4 },
  'gpt-4-turbo': { input_per_million: 10, output_per_million: 30 },
  'o3-mini': { input_per_million: 1.1, output_per_million: 4.4 },
  'o4-mini': { input_per_million: 1.1, output_per_million: 4.4 },
  'claude-3-5-haiku-latest': { input_per_million: 0.8, output_per_million: 4 },
  'claude-3-7-sonnet-latest': { input_per_million: 3, output_per_million: 15 },
  'claude-sonnet-4-0': { input_per_million: 3, output_per_million: 15 },
  'deepseek-chat': { input_per_million: 0.27, output_per_million: 1.1 },
  'deepseek-reasoner': { input_per_million: 0.55, output_per_million: 2.19 },
  gpt: { input_per_million: 10, output_per_million: 30 },
  deepseek: { input_per_million: 0.55, output_per_million: 2.19 },
});

/** The shipped prices with PRICE_TABLE's entries over them (an entry of PRICE_TABLE wins). */
export function withDefaultPrices(overrides: PriceTable): PriceTable {
  return Object.freeze({ ...DEFAULT_PRICES, ...overrides });
}
