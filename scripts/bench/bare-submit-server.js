#!/usr/bin/env node
// The ceiling of POST /tasks: a bare express 5 route doing the same statement as the API (the
// task and its two outbox rows, `insertTasks` from shared/src/tables/tasks-insert.ts) through
// the same client (Prisma Client over @prisma/adapter-pg, pool of 10) — no validation, no
// catalog check, no relay publishing the rows. Run by bench-api.js as its own process, like the API.
const path = require('node:path');
const express = require('express');

const dist = (file) => require(path.join(__dirname, '../..', file));
const { createPrismaClient } = dist('shared/dist/db/prisma-client.js');
const { insertTasks, toTaskRows } = dist('shared/dist/tables/tasks-insert.js');
const { topologyNames } = dist('shared/dist/amqp/topology.js');

const db = createPrismaClient(process.env.DATABASE_URL);
const topology = topologyNames('bare.');
const app = express();
app.use(express.json());
app.post('/tasks', async (req, res) => {
  const submission = { problem_id: req.body.problem_id, agent_config: { kind: 'registry', name: 'gpt', params: {} }, max_steps: 30, timeout_minutes: 30, max_retries: 2, priority: 0, metadata: req.body.metadata ?? {}, parameters: {} };
  const rows = toTaskRows([{ submission, fingerprint: null }]);
  // direct: the api's exact statement (its rows claimed for a publisher), which this route never publishes.
  const stored = (await insertTasks(db, topology, rows, { direct: true })).stored.get(rows[0].id);
  res.status(201).json({ task_id: stored.id, status: 'pending', submitted_at: stored.createdAt });
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('bare server listening'));
// As the api: idle keep-alive sockets stay open longer than the load generator leaves them idle
// (at node's 5 s default, a reused socket could be closed under a request: ECONNRESET).
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => db.$disconnect().then(() => process.exit(0))));
