import { ConfigError } from '@aiopslab/shared/config/load-config';
import { estimateCost, parsePriceTable, priceOf } from './price-table';
import { DEFAULT_PRICES, withDefaultPrices } from './default-prices';

describe('price table', () => {
  it('parses PRICE_TABLE and names every bad entry', () => {
    expect(parsePriceTable(undefined)).toEqual({});
    expect(parsePriceTable('{"gpt-4o":{"input_per_million":2.5,"output_per_million":10}}')).toEqual({ 'gpt-4o': { input_per_million: 2.5, output_per_million: 10 } });
    expect(() => parsePriceTable('{nope')).toThrow(ConfigError);
    expect(() => parsePriceTable('[]')).toThrow(/JSON object/);
    expect(() => parsePriceTable('{"a":{"input_per_million":-1}}')).toThrow(/PRICE_TABLE\["a"\].input_per_million.*\n.*PRICE_TABLE\["a"\].output_per_million/);
  });

  it('prices an agent by label, then by model or registry name', () => {
    const table = parsePriceTable('{"mine":{"input_per_million":1,"output_per_million":2},"gpt-4o":{"input_per_million":3,"output_per_million":4},"gpt":{"input_per_million":5,"output_per_million":6}}');
    expect(priceOf(table, { label: 'mine', agent_config: { kind: 'registry', name: 'gpt' } })?.key).toBe('mine');
    expect(priceOf(table, { label: 'x', agent_config: { kind: 'openai_compatible', model: 'gpt-4o' } })?.key).toBe('gpt-4o');
    expect(priceOf(table, { label: 'x', agent_config: { kind: 'registry', name: 'gpt' } })?.key).toBe('gpt');
    expect(priceOf(table, { label: 'x', agent_config: { kind: 'scripted' } })).toBeNull();
  });

  it('estimates cost from real usage when reported, else from AIOpsLab token estimates', () => {
    const price = { input_per_million: 2, output_per_million: 8 };
    expect(estimateCost(price, { prompt_tokens: 1_000_000, completion_tokens: 500_000, in_tokens: 9, out_tokens: 9 })).toEqual({ usd: 6, basis: 'usage' });
    expect(estimateCost(price, { prompt_tokens: 0, completion_tokens: 0, in_tokens: 500_000, out_tokens: 250_000 })).toEqual({ usd: 3, basis: 'aiopslab_estimate' });
    expect(estimateCost(null, { prompt_tokens: 1, completion_tokens: 1, in_tokens: 1, out_tokens: 1 })).toBeNull();
  });
});

describe('the shipped price table', () => {
  it('prices the common models and the registry gpt agent by default, and PRICE_TABLE overrides an entry', () => {
    const table = withDefaultPrices(parsePriceTable('{"gpt-4o":{"input_per_million":1,"output_per_million":1}}'));
    expect(priceOf(table, { label: 'x', agent_config: { kind: 'registry', name: 'gpt' } })?.price).toEqual(DEFAULT_PRICES.gpt);
    expect(priceOf(table, { label: 'x', agent_config: { kind: 'openai_compatible', model: 'gpt-4o-mini' } })?.price).toEqual({ input_per_million: 0.15, output_per_million: 0.6 });
    expect(table['gpt-4o']).toEqual({ input_per_million: 1, output_per_million: 1 });
  });
});
