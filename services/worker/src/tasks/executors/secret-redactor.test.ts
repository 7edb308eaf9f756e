import { redact, redactingOutput, REDACTED, secretValues } from './secret-redactor';
import type { OutputStream } from './executor';

describe('secret redaction', () => {
  const env = { OPENAI_API_KEY: 'sk-live-abcdefgh"1234', GROQ_TOKEN: 'gsk_0123456789', PATH: '/usr/bin:/bin', USE_WANDB: 'false', SHORT_KEY: 'abc' };

  it('takes credential values by variable name, not ordinary ones or short ones', () => {
    const secrets = secretValues(env);
    expect(secrets).toEqual(expect.arrayContaining(['sk-live-abcdefgh"1234', 'sk-live-abcdefgh\\"1234', 'gsk_0123456789']));
    expect(secrets).not.toContain('/usr/bin:/bin');
    expect(secrets).not.toContain('abc');
  });

  it('replaces every occurrence, raw and JSON-escaped', () => {
    const secrets = secretValues(env);
    expect(redact('key=sk-live-abcdefgh"1234 and gsk_0123456789 twice gsk_0123456789', secrets)).toBe(`key=${REDACTED} and ${REDACTED} twice ${REDACTED}`);
    const line = JSON.stringify({ type: 'step', observation: `OPENAI_API_KEY=${env.OPENAI_API_KEY}` });
    expect(JSON.parse(redact(line, secrets)).observation).toBe(`OPENAI_API_KEY=${REDACTED}`);
  });

  it('wraps a run output so no stream delivers a secret', () => {
    const seen: [OutputStream, string][] = [];
    const output = redactingOutput({ line: (s, t) => (seen.push([s, t]), true), writable: async () => undefined }, secretValues(env));
    output.line('stdout', 'env: gsk_0123456789', 0);
    output.line('protocol', JSON.stringify({ type: 'log', message: env.OPENAI_API_KEY }), 0);
    expect(seen.map(([, t]) => t).join('\n')).not.toMatch(/gsk_|sk-live/);
  });
});
