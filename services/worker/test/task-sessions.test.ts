import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findTaskSession } from '../../../shared/src/tables/task-sessions';
import { WorkerHarness } from './support/worker-harness';

describe('worker: the full session of each attempt is kept', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await WorkerHarness.create();
    await h.startWorker('session-w1');
  });
  afterAll(() => h.close());

  it('keeps the whole >1 MiB session file when the result carries a cut copy, and moves metrics/trace files to ARTIFACT_DIR', async () => {
    const submitted = await h.submit({ fixture: 'big-session' });
    const task = await h.waitForStatus(submitted.id, 'completed');
    const resultSession = (task.result as { session: { trace: { content: string }[] } }).session;
    expect(resultSession.trace[1].content).toMatch(/\.\.\.\[truncated \d+ chars\]$/);

    const kept = await findTaskSession(h.db, task.id);
    expect(kept).toMatchObject({ attempt: 1, source: 'results_dir', truncatedInResult: true });
    expect(kept!.sizeBytes).toBeGreaterThan(1024 * 1024);
    const session = JSON.parse(kept!.sessionJson!);
    expect(session.trace[1].content).toHaveLength(700 * 1024);
    expect(session.trace[2].content).toHaveLength(700 * 1024);
    expect(session.results).toEqual({ 'Detection Accuracy': 'Correct', TTD: null }); // Python's NaN

    const attemptArtifacts = path.join(h.workDir, 'artifacts', task.id, '1');
    expect(kept!.artifactDir).toBe(attemptArtifacts);
    expect(kept!.artifacts).toEqual(expect.arrayContaining([{ path: 'metrics_output/cpu.csv', size_bytes: 13 }, { path: 'trace_output/jaeger/traces.json', size_bytes: 12 }]));
    expect(readFileSync(path.join(attemptArtifacts, 'metrics_output/cpu.csv'), 'utf8')).toBe('ts,cpu\n1,0.5\n');
    expect(existsSync(path.join(h.workDir, 'tasks', task.id, '1'))).toBe(false); // the working directory is gone, the files are not
  });

  it("keeps the result event's session when the runner wrote no file, and says it is whole in the result", async () => {
    const submitted = await h.submit({ fixture: 'succeeds' });
    const task = await h.waitForStatus(submitted.id, 'completed');
    const kept = await findTaskSession(h.db, task.id);
    expect(kept).toMatchObject({ attempt: 1, source: 'result_event', truncatedInResult: false, artifactDir: null, artifacts: [] });
    expect(JSON.parse(kept!.sessionJson!)).toEqual((task.result as { session: object }).session);
  });

  it('keeps a session file over SESSION_MAX_BYTES as a file under ARTIFACT_DIR, and records where', async () => {
    await h.stopWorker(h.workers[0]);
    const artifactDir = path.join(h.workDir, 'kept');
    await h.startWorker('session-w2', { env: { SESSION_MAX_BYTES: String(1024 * 1024), ARTIFACT_DIR: artifactDir } });
    const submitted = await h.submit({ fixture: 'big-session' });
    const task = await h.waitForStatus(submitted.id, 'completed');
    const kept = await findTaskSession(h.db, task.id);
    expect(kept).toMatchObject({ source: 'artifact_file', sessionJson: null, truncatedInResult: true, artifactDir: path.join(artifactDir, task.id, '1') });
    const file = kept!.artifacts.find((a) => a.path === 'session/big-1_1700000000.5.json');
    expect(file!.size_bytes).toBeGreaterThan(1024 * 1024);
    expect(kept!.sizeBytes).toBe(file!.size_bytes);
    expect(readFileSync(path.join(kept!.artifactDir!, file!.path), 'utf8')).toContain('"TTD": NaN');
  });

  it('keeps nothing for an attempt that left neither session nor files', async () => {
    const submitted = await h.submit({ fixture: 'fails-non-retryable' });
    await h.waitForStatus(submitted.id, 'failed');
    expect(await findTaskSession(h.db, submitted.id)).toBeNull();
  });
});
