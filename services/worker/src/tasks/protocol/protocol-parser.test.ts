import { createProtocolParser } from './protocol-parser';

describe('runner protocol parser', () => {
  const parse = createProtocolParser();

  it('accepts every documented event', () => {
    const lines = [
      { type: 'log', level: 'warning', message: 'slow pods' },
      { type: 'session_started', session_id: 'abc' },
      { type: 'setup_done', task_description: 'find the fault', instructions: 'use kubectl', apis: { exec_shell: 'doc' }, duration_s: 12.5 },
      { type: 'step', n: 1, action: 'exec_shell("kubectl get pods")', observation: 'NAME READY', duration_s: 1.2, usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } },
      { type: 'step', n: 2, action: 'submit("Yes")', observation: null },
      { type: 'metric', name: 'pods', value: 3, unit: 'count' },
      { type: 'result', results: { 'Detection Accuracy': 'Correct' }, framework_overhead: 3.5, session: null, durations: { setup_s: 1, loop_s: 2, teardown_s: null } },
      { type: 'error', phase: 'setup', error_type: 'ValueError', message: 'unknown problem', traceback: 'Traceback...', retryable: false },
      { type: 'problems', problems: [{ id: 'p-1', task_type: 'detection' }] },
    ];
    for (const line of lines) {
      const parsed = parse(JSON.stringify({ ts: '2026-01-01T00:00:00Z', ...line, extra_field: 'ignored' }));
      expect(parsed).toMatchObject({ ok: true, event: line });
    }
  });

  it('explains why a line is not an event', () => {
    expect(parse('Session ID: 1234')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    expect(parse('[1,2]')).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(parse('{"level":"info"}')).toEqual({ ok: false, reason: 'has no "type" field' });
    expect(parse('{"type":"launch"}')).toMatchObject({ ok: false, reason: expect.stringContaining('unknown event type "launch"') });
  });

  it('names the fields that break the schema', () => {
    const parsed = parse(JSON.stringify({ type: 'step', n: 0, observation: 'x' }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason).toMatch(/^invalid step event: /);
      expect(parsed.reason).toContain('n must be >= 1');
      expect(parsed.reason).toContain('action is required');
    }
    expect(parse(JSON.stringify({ type: 'error', phase: 'boot', error_type: 'X', message: 'm', retryable: 'no' }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/phase must be one of: setup, loop, eval, teardown.*retryable must be boolean/),
    });
  });
});
