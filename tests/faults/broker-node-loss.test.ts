import { FaultSystem } from './support/fault-system';
import { overlappingExecutions, readExecutions, workerConcurrencyViolations } from './support/run-log';
import { cluster, CLUSTER_AMQP_URL, ClusterNode, clusterConnections, erlangNode, managementUrl, quorumQueues } from './support/rabbitmq-cluster';

/**
 * api, history and three workers as real processes on the three-node RabbitMQ cluster of
 * scripts/rabbitmq-cluster.sh, with quorum queues and AMQP_URL listing the three nodes. Every
 * client starts on node a (the first of the list); node a is stopped mid-run and started again.
 * Every task completes exactly once, history has no gap, no message is left, and every client
 * carries on from a surviving node.
 */
const TASKS = Number(process.env.FAULT_CLUSTER_TASKS ?? 30);
const SETTLE_MS = Number(process.env.FAULT_SETTLE_MS ?? 120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForCompleted(system: FaultSystem, completed: number) {
  const deadline = Date.now() + 30_000;
  while ((await system.db.task.count({ where: { status: 'completed' } })) < completed && Date.now() < deadline) await sleep(100);
}

const CLIENTS = ['api', 'history', 'worker fault-w1', 'worker fault-w2', 'worker fault-w3'];

/**
 * This system's connections (names: see api-service, worker-clients, history-clients) as node
 * `via` lists them, once every process has one there and none is on `notOn`, or after 30 s (the
 * management API lists a connection after its first statistics interval).
 */
async function ownConnections(system: FaultSystem, via: ClusterNode, notOn?: ClusterNode) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ours = (await clusterConnections(via)).filter((c) => c.name.startsWith('api@') || c.name.startsWith(`history ${system.env.queuePrefix}`) || /^worker fault-w\d+$/.test(c.name));
    const names = [...new Set(ours.map((c) => c.name.replace(/^(api|history).*/, '$1')))].sort();
    const settled = names.join() === CLIENTS.join() && !ours.some((c) => notOn && c.node === erlangNode(notOn));
    if (settled || Date.now() > deadline) return { ours, names };
    await sleep(500);
  }
}

describe('a RabbitMQ cluster loses a node', () => {
  beforeAll(async () => {
    await cluster('start');
  }, 300_000);

  afterAll(async () => {
    // npm test started the cluster early and stops it itself (scripts/run-tests.js).
    if (!process.env.RABBITMQ_CLUSTER_STOPPED_BY_CALLER) await cluster('stop');
  }, 120_000);

  it('when node a (every client is on it) stops mid-run and comes back, every task completes once, history has no gap, no message is left, and the clients moved to b or c', async () => {
    const system = new FaultSystem({ env: { AMQP_URL: CLUSTER_AMQP_URL, QUEUE_TYPE: 'quorum' }, managementUrl: managementUrl('b') });
    const started = Date.now();
    try {
      await system.start();
      const before = await ownConnections(system, 'a');
      expect(before.names).toEqual(CLIENTS);
      expect(before.ours.filter((c) => c.node !== erlangNode('a'))).toEqual([]);
      const queues = await quorumQueues('a', system.env.queuePrefix);
      expect(queues.filter((q) => q.name.endsWith('tasks.dispatch') || q.name.endsWith('status-history')).map((q) => [q.type, q.members?.length])).toEqual([['quorum', 3], ['quorum', 3]]);

      const submitting = system.submit(TASKS, 6, [100, 1200]);
      await waitForCompleted(system, 3);
      const stoppedAt = Date.now();
      await cluster('stop-node', 'a');
      await sleep(2000);
      await cluster('start-node', 'a');
      const nodeDownSeconds = (Date.now() - stoppedAt) / 1000;
      await submitting;
      await system.waitAllTerminal(SETTLE_MS);

      const accepted = system.submissions.filter((s) => s.status === 201 || s.status === 200).map((s) => s.taskId!);
      const stored = await system.db.task.findMany({ select: { id: true, status: true, attempt: true, result: true } });
      const executions = readExecutions(system.runLog);
      const history = await system.verifyHistory();
      const leftInQueues = await system.waitQueuesEmpty(30_000);
      const claims = await system.db.statusHistory.groupBy({ by: ['taskId'], where: { toStatus: 'processing' }, _count: { _all: true } });
      const claimMismatch = claims.filter((c) => c._count._all !== stored.find((t) => t.id === c.taskId)?.attempt);
      const after = await ownConnections(system, 'b', 'a');
      console.log(`broker node loss (${TASKS} tasks, 3 workers, quorum queues): node a down ${nodeDownSeconds.toFixed(1)} s, ` +
        `retried requests ${system.submissions.reduce((n, s) => n + s.attempts - 1, 0)}, retries ${stored.reduce((n, t) => n + Math.max(0, t.attempt - 1), 0)}, ` +
        `history gaps/dups ${history.gaps}/${history.duplicates}, clients now on ${[...new Set(after.ours.map((c) => c.node))].sort().join(' ')}, ${((Date.now() - started) / 1000).toFixed(1)} s in all`);

      expect(accepted).toHaveLength(TASKS);
      expect(new Set(accepted).size).toBe(TASKS);
      expect(stored).toHaveLength(TASKS);
      expect(stored.filter((t) => t.status !== 'completed' || t.result === null)).toEqual([]);
      expect(overlappingExecutions(executions)).toEqual([]);
      expect(workerConcurrencyViolations(executions)).toEqual([]);
      expect(executions.filter((e) => e.end === null)).toEqual([]);
      expect(claimMismatch).toEqual([]);
      expect(history).toMatchObject({ ok: true, gaps: 0, duplicates: 0, inconsistencies: 0 });
      expect(leftInQueues).toEqual({});
      expect(after.names).toEqual(CLIENTS);
      expect(after.ours.filter((c) => c.node === erlangNode('a'))).toEqual([]);
      expect([system.api, system.history, ...system.workers].every((p) => p.isRunning())).toBe(true);
    } finally {
      await cluster('start-node', 'a');
      await system.stop();
    }
  }, SETTLE_MS + 240_000);
});
