#!/usr/bin/env node
// The ceiling of POST /tasks: a bare express 5 route doing the same SQL as the API (one
// statement: the task and its two outbox rows) with pg directly — no validation, no
// Prisma, no relay. Run by bench-api.js as its own process, like the API.
const crypto = require('node:crypto');
const express = require('express');
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();
app.use(express.json());
app.post('/tasks', async (req, res) => {
  const id = crypto.randomUUID();
  const event = JSON.stringify({ event_id: crypto.randomUUID(), task_id: id, from_status: null, to_status: 'pending', attempt: 0, worker_id: null, occurred_at: new Date().toISOString(), notes: 'submitted' });
  // A named (prepared) statement, as the api's node-postgres path uses.
  const { rows } = await pool.query({
    name: 'bare-submit',
    text: `WITH inserted AS (
       INSERT INTO tasks (id, problem_id, status, priority, agent_config, max_steps, timeout_minutes, max_retries)
       VALUES ($1, $2, 'pending', 0, '{"kind":"registry","name":"gpt","params":{}}', 30, 30, 2) RETURNING id, created_at
     ), announced AS (
       INSERT INTO outbox (message_id, exchange, routing_key, payload, headers)
       SELECT m.* FROM inserted CROSS JOIN LATERAL (VALUES
         ($3::uuid, 'bare.task.events', 'task.pending', $4::jsonb, '{"type":"task.transition"}'::jsonb),
         ($5::uuid, 'bare.tasks', 'dispatch', jsonb_build_object('task_id', inserted.id, 'attempt', 0), '{"type":"task.dispatch"}'::jsonb)) AS m(a, b, c, d, e)
     )
     SELECT id, created_at FROM inserted`,
    values: [id, req.body.problem_id, crypto.randomUUID(), event, crypto.randomUUID()],
  });
  res.status(201).json({ task_id: rows[0].id, status: 'pending', submitted_at: rows[0].created_at });
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('bare server listening'));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
