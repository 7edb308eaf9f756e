import type { RunnerEvent } from '@aiopslab/shared/schemas/runner-protocol';
import { RunRecord } from './run-record';

const context = { attempt: 2, workerId: 'w1', runSeconds: 12.3456, clusterWaitSeconds: 0.0424, exit: { code: 0, signal: null }, logs: { truncated: false, dropped: { lines: 0, bytes: 0 } } };

describe('run record', () => {
  it('turns a run into a result with trajectory, token usage and durations', () => {
    const record = new RunRecord();
    const events: RunnerEvent[] = [
      { type: 'session_started', session_id: 's-1' },
      { type: 'setup_done', task_description: 'detect', instructions: 'submit', apis: { submit: 'doc' }, duration_s: 4 },
      { type: 'step', n: 1, action: 'exec_shell("ls")', observation: 'a b', duration_s: 1, usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } },
      { type: 'step', n: 2, action: 'submit("Yes")', observation: null, usage: { prompt_tokens: 20, completion_tokens: 3 } },
      { type: 'metric', name: 'steps', value: 2, unit: null },
      { type: 'result', results: { 'Detection Accuracy': 'Correct', TTD: 3.2 }, framework_overhead: 5.5, session: { session_id: 's-1', trace: [] }, durations: { setup_s: 4, loop_s: 3.2, teardown_s: 1 } },
    ];
    events.forEach((e) => record.apply(e));
    expect(record.toResult(context)).toEqual({
      results: { 'Detection Accuracy': 'Correct', TTD: 3.2 },
      framework_overhead: 5.5,
      session: { session_id: 's-1', trace: [] },
      session_id: 's-1',
      setup: { task_description: 'detect', instructions: 'submit', apis: { submit: 'doc' } },
      trajectory: [
        { n: 1, action: 'exec_shell("ls")', observation: 'a b', duration_s: 1, usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }, ts: null },
        { n: 2, action: 'submit("Yes")', observation: null, duration_s: null, usage: { prompt_tokens: 20, completion_tokens: 3 }, ts: null },
      ],
      trajectory_truncated: false,
      usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35, steps_with_usage: 2 },
      durations: { setup_s: 4, loop_s: 3.2, teardown_s: 1, run_s: 12.346, cluster_wait_s: 0.042 },
      metrics: { steps: { value: 2, unit: null } },
      runner: { exit_code: 0, signal: null, invalid_protocol_lines: 0 },
      logs: { truncated: false, dropped_lines: 0, dropped_bytes: 0 },
      attempt: 2,
      worker_id: 'w1',
    });
  });

  it('keeps the first error outside teardown and notes whether it came before the stop', () => {
    const record = new RunRecord();
    record.apply({ type: 'error', phase: 'teardown', error_type: 'T', message: 't', retryable: true });
    record.markStopRequested();
    record.apply({ type: 'error', phase: 'loop', error_type: 'SystemExit', message: 'terminated', retryable: true });
    record.apply({ type: 'error', phase: 'eval', error_type: 'Other', message: 'o', retryable: false });
    expect(record.teardownError?.error_type).toBe('T');
    expect(record.error?.error_type).toBe('SystemExit');
    expect(record.errorBeforeStop).toBe(false);
  });

  it('shortens observations past the trajectory budget instead of growing without bound', () => {
    const record = new RunRecord(5000);
    for (let n = 1; n <= 5; n++) record.apply({ type: 'step', n, action: 'a', observation: 'x'.repeat(3000) });
    const result = record.toResult(context);
    expect(result.trajectory).toHaveLength(5);
    expect(result.trajectory_truncated).toBe(true);
    expect(result.trajectory[0].observation).toHaveLength(3000);
    expect(result.trajectory[1]).toMatchObject({ observation_truncated: true });
    expect((result.trajectory[1].observation as string).length).toBe(2000);
  });

  it('makes runner strings safe for jsonb', () => {
    const record = new RunRecord();
    record.apply({ type: 'result', results: { 'a\u0000': 'b\u0000c', n: Number.NaN }, framework_overhead: null, session: null });
    expect(record.toResult(context).results).toEqual({ 'a\uFFFD': 'b\uFFFDc', n: null });
  });
});
