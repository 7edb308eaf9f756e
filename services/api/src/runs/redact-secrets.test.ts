import { redactSecrets } from './redact-secrets';

describe('redactSecrets', () => {
  it('drops keys that look like secrets at any depth and keeps everything else', () => {
    const config = {
      kind: 'openai_compatible',
      model: 'gpt-4o',
      api_key_env: 'OPENAI_API_KEY',
      max_tokens: 512,
      extra_body: { Authorization_Token: 'x', nested: [{ password: 'p', keep: 1 }], client_secret: 's' },
      params: { apiKey: 'sk-1', temperature: 0.2 },
    };
    expect(redactSecrets(config)).toEqual({ kind: 'openai_compatible', model: 'gpt-4o', max_tokens: 512, extra_body: { nested: [{ keep: 1 }] }, params: { temperature: 0.2 } });
    expect(redactSecrets(null)).toBeNull();
    expect(redactSecrets('text')).toBe('text');
  });
});
