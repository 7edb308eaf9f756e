import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import { collectMessages } from '../../../tests/support/amqp-helpers';
import { WorkerHarness } from './support/worker-harness';

describe('worker: poison messages go to tasks.dead, never into a loop', () => {
  let h: WorkerHarness;
  let dead: Awaited<ReturnType<typeof collectMessages>>;

  beforeAll(async () => {
    h = await WorkerHarness.create();
    await h.startWorker('poison-1');
    dead = await collectMessages(h.topology.queues.dead);
  });
  afterAll(async () => {
    await dead.close();
    await h.close();
  });

  const headersOf = (message: ConsumeMessage) => message.properties.headers as Record<string, string>;

  it('an unparseable dispatch message is dead-lettered with the reason and where it came from', async () => {
    await h.publishRaw(h.topology.exchanges.tasks, h.topology.routing.dispatch, 'not json {', { messageId: 'm-1', correlationId: 'c-1', type: 'task.dispatch' });
    const [message] = await dead.waitFor(1);
    expect(message.content.toString()).toBe('not json {');
    expect(message.properties).toMatchObject({ messageId: 'm-1', correlationId: 'c-1', type: 'task.dispatch' });
    expect(headersOf(message)).toMatchObject({
      'x-dead-letter-reason': 'invalid_json',
      'x-dead-letter-detail': expect.stringMatching(/^dispatch message is not JSON: /),
      'x-original-queue': h.topology.queues.dispatch,
      'x-original-exchange': h.topology.exchanges.tasks,
      'x-original-routing-key': h.topology.routing.dispatch,
      'x-dead-lettered-by': 'poison-1',
    });
  });

  it('a dispatch message that breaks the schema, or names a task that does not exist, is dead-lettered', async () => {
    const unknown = randomUUID();
    await h.publishRaw(h.topology.exchanges.tasks, h.topology.routing.dispatch, JSON.stringify({ task_id: 'nope' }));
    await h.publishRaw(h.topology.exchanges.tasks, h.topology.routing.dispatch, JSON.stringify({ task_id: unknown }));
    const messages = await dead.waitFor(3);
    expect(headersOf(messages[1])).toMatchObject({ 'x-dead-letter-reason': 'schema_violation', 'x-dead-letter-detail': expect.stringMatching(/^dispatch message is invalid: task_id must match format "uuid"/) });
    expect(headersOf(messages[2])).toMatchObject({ 'x-dead-letter-reason': 'unknown_task', 'x-dead-letter-detail': `task ${unknown} does not exist` });
  });

  it('an invalid control message and an invalid task event are dead-lettered too', async () => {
    await h.publishRaw(h.topology.exchanges.control, 'poison-1', JSON.stringify({ task_id: 5 }));
    await h.publishRaw(h.topology.exchanges.events, 'task.completed', '{"event_id": "x"}');
    const messages = await dead.waitFor(5);
    const byQueue = Object.fromEntries(messages.slice(3).map((m) => [headersOf(m)['x-original-queue'], headersOf(m)]));
    expect(byQueue[h.topology.controlQueue('poison-1')]).toMatchObject({ 'x-dead-letter-reason': 'schema_violation', 'x-dead-letter-detail': expect.stringMatching(/^control message is invalid: /) });
    expect(byQueue[h.topology.queues.callbacks]).toMatchObject({ 'x-dead-letter-reason': 'schema_violation', 'x-dead-letter-detail': expect.stringMatching(/^task event is invalid: /) });
  });

  it('after the poison, the worker goes on: a valid task completes and nothing was redelivered', async () => {
    const submitted = await h.submit({ fixture: 'succeeds' });
    await h.waitForStatus(submitted.id, 'completed');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(dead.messages).toHaveLength(5);
    expect(await h.queueDepth(h.topology.queues.dispatch)).toMatchObject({ messageCount: 0 });
    expect(await h.queueDepth(h.topology.queues.callbacks)).toMatchObject({ messageCount: 0 });
    expect((await h.workers[0].metrics.deadLettered.get()).values[0].value).toBe(5);
  });
});
