#!/usr/bin/env node
// Follows one task: prints its status (GET /tasks/{id}), streams its logs as they are written
// (GET /tasks/{id}/logs?follow=true, server-sent events; resumes with Last-Event-ID after a
// dropped connection), then prints the final status, error and result.
//   node scripts/tail-task.js <task_id> [--api URL] [--token TOKEN] [--json]
// API_URL (else PORT, as the api reads it) and API_TOKEN are read from the environment too. Exit code: 0 when the task
// completed, 1 when it ended otherwise (failed, timed_out, cancelled) or could not be followed.
'use strict';
const { defaultApiUrl } = require('./api-url');

const TERMINAL = new Set(['completed', 'failed', 'timed_out', 'cancelled']);
const RECONNECT_DELAY_MS = 1000;
const MAX_RECONNECTS = 30;

function usage(message) {
  if (message) console.error(`tail-task: ${message}`);
  console.error('usage: node scripts/tail-task.js <task_id> [--api URL] [--token TOKEN] [--json]');
  process.exit(2);
}

function parseArgs(argv, env) {
  const options = { api: defaultApiUrl(env), token: env.API_TOKEN || '', json: false, taskId: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${arg} needs a value`));
    if (arg === '--api') options.api = value();
    else if (arg === '--token') options.token = value();
    else if (arg === '--json') options.json = true;
    else if (arg === '-h' || arg === '--help') usage();
    else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else if (!options.taskId) options.taskId = arg;
    else usage(`unexpected argument ${arg}`);
  }
  if (!options.taskId) usage('a task id is required');
  return options;
}

function client(options) {
  const headers = (extra = {}) => ({ ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...extra });
  const url = (path) => new URL(path, options.api);
  return {
    async task() {
      const response = await fetch(url(`/tasks/${encodeURIComponent(options.taskId)}`), { headers: headers({ accept: 'application/json' }) });
      if (!response.ok) throw new Error(`GET /tasks/${options.taskId} answered ${response.status}: ${await response.text()}`);
      return response.json();
    },
    logs(lastEventId, signal) {
      const extra = { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': String(lastEventId) } : {}) };
      return fetch(url(`/tasks/${encodeURIComponent(options.taskId)}/logs?follow=true`), { headers: headers(extra), signal });
    },
  };
}

/** Yields {event, id, data} from a text/event-stream body. */
async function* serverSentEvents(body) {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let boundary;
    while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
      const message = { event: 'message', id: null, data: '' };
      for (const line of block.split(/\r?\n/)) {
        if (!line || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') message.event = value;
        else if (field === 'id') message.id = value;
        else if (field === 'data') message.data += (message.data ? '\n' : '') + value;
      }
      if (message.data || message.event !== 'message') yield message;
    }
  }
}

function printLog(line, json) {
  if (json) {
    console.log(JSON.stringify(line));
    return;
  }
  const where = line.stream === 'system' ? 'system' : `${line.stream}/${line.level}`;
  console.log(`${line.ts} #${line.attempt} [${where}] ${line.message}`);
}

function printSummary(task) {
  for (const step of task.status_history ?? []) {
    console.error(`tail-task: ${step.occurred_at} ${step.from_status ?? '-'} -> ${step.to_status}${step.notes ? ` (${step.notes})` : ''}`);
  }
  console.error(`tail-task: ${task.task_id} ${task.status} (attempt ${task.attempt}, worker ${task.worker_id ?? '-'})`);
  if (task.error) console.error(`tail-task: error ${JSON.stringify(task.error)}`);
  if (task.result) console.error(`tail-task: result ${JSON.stringify(task.result).slice(0, 2000)}`);
}

async function follow(api, json) {
  let lastEventId = 0;
  for (let reconnects = 0; reconnects <= MAX_RECONNECTS; reconnects++) {
    try {
      const response = await api.logs(lastEventId);
      if (response.status === 404) throw new Error('task not found');
      if (!response.ok) throw new Error(`logs answered ${response.status}: ${await response.text()}`);
      for await (const message of serverSentEvents(response.body)) {
        if (message.event === 'log') {
          printLog(JSON.parse(message.data), json);
          if (message.id) lastEventId = Number(message.id);
          reconnects = 0;
        } else if (message.event === 'end') {
          return;
        }
      }
    } catch (error) {
      if (error.message === 'task not found') throw error;
      console.error(`tail-task: log stream interrupted (${error.cause?.message ?? error.message}); reconnecting`);
    }
    const task = await api.task().catch(() => null);
    if (task && TERMINAL.has(task.status)) return;
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
  }
  throw new Error(`gave up after ${MAX_RECONNECTS} reconnects`);
}

async function main() {
  const options = parseArgs(process.argv.slice(2), process.env);
  const api = client(options);
  const first = await api.task();
  console.error(`tail-task: ${first.task_id} ${first.problem_id} is ${first.status}`);
  await follow(api, options.json);
  const final = await api.task();
  printSummary(final);
  process.exit(final.status === 'completed' ? 0 : 1);
}

main().catch((error) => {
  console.error(`tail-task: ${error.cause?.message ?? error.message}`);
  process.exit(1);
});
