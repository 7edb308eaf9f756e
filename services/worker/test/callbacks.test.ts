import { randomUUID } from 'node:crypto';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { createTaskStore } from '../../../shared/src/task-store/task-store';
import { postCallback } from '../src/callbacks/callback-http';
import { loadWorkerSettings } from '../src/config';
import { callbackSettings, deliverCallback } from '../src/callbacks/deliver-callback';
import { CallbackServer } from './support/callback-server';
import { WorkerHarness } from './support/worker-harness';
import { testDispatch } from '../../../tests/support/test-dispatch';

describe('worker: callbacks when a task ends', () => {
  let h: WorkerHarness;
  const server = new CallbackServer();

  beforeAll(async () => {
    await server.start();
    h = await WorkerHarness.create();
    await h.startWorker('cb-1', { env: { CALLBACK_ALLOW_PRIVATE: 'true', CALLBACK_TIMEOUT_SECONDS: '0.3', CALLBACK_MAX_ATTEMPTS: '3' } });
  });
  afterAll(async () => {
    await h.close();
    await server.stop();
  });

  it('when a task completes, its final state is POSTed once to callback_url with the event id', async () => {
    const submitted = await h.submit({ fixture: 'succeeds', callbackUrl: server.url('/done'), metadata: { run: 'r1' } });
    await h.waitForStatus(submitted.id, 'completed');
    await waitUntil(() => server.on('/done').length === 1, 10_000, 'the callback');
    const [callback] = server.on('/done');
    const completedEvent = (await h.events(submitted.id)).find((e) => e.to_status === 'completed') as unknown as { event_id: string };
    expect(callback.headers).toMatchObject({ 'content-type': 'application/json', 'x-event-id': completedEvent.event_id, 'idempotency-key': completedEvent.event_id, 'x-task-id': submitted.id });
    expect(callback.body).toMatchObject({
      event_id: completedEvent.event_id,
      event: 'task.completed',
      task_id: submitted.id,
      status: 'completed',
      attempt: 1,
      worker_id: 'cb-1',
      metadata: { run: 'r1' },
      error: null,
      result: { results: { 'Detection Accuracy': 'Correct' }, trajectory: expect.any(Array) },
      completed_at: expect.any(String),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.on('/done')).toHaveLength(1);
  });

  it('retries a callback that gets 5xx or no answer, with backoff, until it is accepted', async () => {
    const url = server.script('/flaky', [500, 'hang', 200]);
    const submitted = await h.submit({ fixture: 'fails-non-retryable', callbackUrl: url });
    await h.waitForStatus(submitted.id, 'failed');
    await waitUntil(() => server.on('/flaky').length === 3, 10_000, 'three callback attempts');
    const ids = server.on('/flaky').map((c) => c.headers['x-event-id']);
    expect(new Set(ids).size).toBe(1);
    expect(server.on('/flaky')[2].body).toMatchObject({ status: 'failed', error: { kind: 'runner_error' } });
  });

  it('does not follow redirects and does not retry a 4xx', async () => {
    const redirect = server.script('/moved', [{ redirect: server.url('/elsewhere') }]);
    const gone = server.script('/gone', [404]);
    const a = await h.submit({ fixture: 'succeeds', callbackUrl: redirect });
    const b = await h.submit({ fixture: 'succeeds', callbackUrl: gone });
    await h.waitForStatus(a.id, 'completed');
    await h.waitForStatus(b.id, 'completed');
    await waitUntil(() => server.on('/moved').length === 1 && server.on('/gone').length === 1, 10_000, 'both callbacks');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.on('/moved')).toHaveLength(1);
    expect(server.on('/gone')).toHaveLength(1);
    expect(server.on('/elsewhere')).toHaveLength(0);
  });

  it('calls back for tasks ended elsewhere too: cancelled through the API, failed by the reaper', async () => {
    const queued = await h.db.task.create({
      data: { id: randomUUID(), problemId: 'p', status: 'pending', agentConfig: {}, maxSteps: 1, timeoutMinutes: 1, maxRetries: 0, callbackUrl: server.url('/api-cancel') },
    });
    // as the api's cancel writes it; the workers' relay publishes it
    await createTaskStore({ db: h.db, topology: h.topology, dispatch: testDispatch, outbox: { committed: () => undefined } }).inTransaction((tx) => tx.transition({ taskId: queued.id, to: 'cancelled', notes: 'cancelled by request (api)' }));
    const lost = await h.db.task.create({
      data: {
        id: randomUUID(), problemId: 'p', status: 'processing', agentConfig: {}, maxSteps: 1, timeoutMinutes: 1, maxRetries: 0, attempt: 1,
        workerId: 'ghost', leaseExpiresAt: new Date(Date.now() - 1000), callbackUrl: server.url('/reaped'),
      },
    });
    await waitUntil(() => server.on('/api-cancel').length === 1 && server.on('/reaped').length === 1, 10_000, 'both callbacks');
    expect(server.on('/api-cancel')[0].body).toMatchObject({ task_id: queued.id, status: 'cancelled', event: 'task.cancelled' });
    expect(server.on('/reaped')[0].body).toMatchObject({ task_id: lost.id, status: 'failed', error: { kind: 'lost_worker' } });
  });

  describe('without CALLBACK_ALLOW_PRIVATE', () => {
    const settings = loadWorkerSettings({ CALLBACK_MAX_ATTEMPTS: '3' }, { hostname: 'h' });

    it.each(['127.0.0.1', 'localhost', '[::1]', '10.0.0.1', '169.254.169.254'])('refuses a callback to %s before sending anything', async (host) => {
      const before = server.received.length;
      const response = await postCallback({ url: `http://${host}:${server.port}/private`, body: {}, headers: {}, timeoutMs: 500, allowPrivate: false });
      expect(response).toMatchObject({ kind: 'blocked', reason: expect.stringMatching(/loopback|private|link-local/) });
      expect(server.received.length).toBe(before);
    });

    it('gives up at once on a refused target instead of retrying', async () => {
      const task = { id: randomUUID(), callbackUrl: server.url('/private') } as never;
      const event = { event_id: randomUUID(), task_id: randomUUID(), from_status: 'processing', to_status: 'completed', attempt: 1, worker_id: 'w', occurred_at: new Date().toISOString(), notes: '' } as const;
      const outcome = await deliverCallback({ settings: callbackSettings(settings), logger: h.logger }, { ...(task as object), createdAt: new Date(), startedAt: null, completedAt: null } as never, event);
      expect(outcome).toEqual({ delivered: false, attempts: 1, reason: expect.stringMatching(/^refused target: 127\.0\.0\.1 is loopback/) });
      expect(server.on('/private')).toHaveLength(0);
    });
  });
});
