#!/usr/bin/env node
// `npm start` (after `npm run build`): the whole system as local processes, for machines without
// Docker. Applies the migrations, then runs api, worker and history against the PostgreSQL and
// RabbitMQ of DATABASE_URL / AMQP_URL (defaults: local servers), with prefixed, coloured output.
//
// A service that dies is restarted with a growing delay (1 s doubling to 30 s), as compose's
// `restart: unless-stopped` does; the others keep running. One that refuses its configuration
// (exit code 78, EX_CONFIG: a bad variable, named in its message) is not: everything stops and
// this exits 78.
// Output: on a terminal the services print readable, coloured lines (LOG_FORMAT=pretty is set for
// them, as their output reaches the terminal through this script's pipes); elsewhere JSON lines.
// An explicit LOG_FORMAT wins; NO_COLOR (or FORCE_COLOR=0) takes the colours out.
// Ctrl-C (SIGINT) or SIGTERM: every service gets SIGTERM once and drains; with a task running,
// this says which and how long the worker waits for it (SHUTDOWN_DEADLINE_SECONDS, default 60)
// before handing it back. A second Ctrl-C makes the worker hand its task back now; a third kills
// everything at once. See scripts/local-supervisor.js.
//
// Each service also reads every variable of its own (see .env.example). Set here, per service:
//   api      PORT (default 8001)
//   history  HEALTH_PORT = HISTORY_HEALTH_PORT (default 8002)
//   worker   HEALTH_PORT = WORKER_HEALTH_PORT (default 8003); CLUSTER_PROVIDER (default none);
//            RUNNER_COMMAND (default: the demo runner while CLUSTER_PROVIDER is none)
// START_LOCAL_SKIP_MIGRATE=1 skips the migration step.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Supervisor } = require('./local-supervisor');
const { serviceArgs } = require('./service-command');

const ROOT = path.resolve(__dirname, '..');
/** The worker's stand-in runner: speaks docs/runner-protocol.md without AIOpsLab or a cluster. */
const DEMO_RUNNER = path.join(ROOT, 'services/worker/runner/demo-runner.js');

const useColor = process.env.FORCE_COLOR ? process.env.FORCE_COLOR !== '0' : !process.env.NO_COLOR && process.stdout.isTTY;
/** ANSI colour sequences, taken out of the services' lines when output is not coloured. */
// eslint-disable-next-line no-control-regex -- an ANSI sequence starts with ESC (\x1b)
const ANSI_COLOR = /\x1b\[[0-9;]*m/g;
const COLORS = { 'start-local': 90, migrate: 35, api: 36, worker: 33, history: 32 };
const WIDTH = Math.max(...Object.keys(COLORS).map((name) => name.length));

function prefixOf(name) {
  const label = name.padEnd(WIDTH);
  return useColor ? `\x1b[${COLORS[name] ?? 37}m${label} |\x1b[0m ` : `${label} | `;
}

function say(name, message) {
  process.stdout.write(`${prefixOf(name)}${message}\n`);
}

/** Copies a child's stream line by line, each line under the service's prefix. */
function pipeLines(name, stream, target) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) target.write(`${prefixOf(name)}${plain(line)}\n`);
  });
  stream.on('end', () => {
    if (pending) target.write(`${prefixOf(name)}${plain(pending)}\n`);
    pending = '';
  });
}

function plain(line) {
  return useColor ? line : line.replace(ANSI_COLOR, '');
}

function shellQuote(word) {
  return /^[\w./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * LOG_FORMAT for the services: the user's if set, else pretty when this script's stdout is a
 * terminal. The services cannot see that themselves: their stdout is a pipe to this script.
 */
function serviceLogFormat(env, stdoutIsTTY) {
  if (env.LOG_FORMAT) return env.LOG_FORMAT;
  return stdoutIsTTY ? 'pretty' : 'json';
}

function serviceEnvironments(processEnv, stdoutIsTTY = Boolean(process.stdout.isTTY)) {
  const env = { ...processEnv, LOG_FORMAT: serviceLogFormat(processEnv, stdoutIsTTY) };
  const worker = { ...env, HEALTH_PORT: env.WORKER_HEALTH_PORT ?? '8003' };
  worker.CLUSTER_PROVIDER = env.CLUSTER_PROVIDER || 'none';
  const demo = worker.CLUSTER_PROVIDER === 'none' && !env.RUNNER_COMMAND;
  // Through this Node binary (RUNNER_COMMAND runs via /bin/sh -c), whatever `node` is on PATH.
  if (demo) worker.RUNNER_COMMAND = `${shellQuote(process.execPath)} ${shellQuote(DEMO_RUNNER)}`;
  return {
    api: { ...env, PORT: env.PORT ?? '8001' },
    worker,
    history: { ...env, HEALTH_PORT: env.HISTORY_HEALTH_PORT ?? '8002' },
    demoRunner: demo,
  };
}

function requireBuilt() {
  const missing = ['shared/dist/db/migrate-cli.js', ...['api', 'worker', 'history'].map((s) => `services/${s}/dist/main.js`)].filter(
    (file) => !fs.existsSync(path.join(ROOT, file)),
  );
  if (missing.length) {
    say('start-local', `not built: ${missing.join(', ')}; run \`npm run build\` (or \`npm start\`, which builds first)`);
    process.exit(1);
  }
}

function migrate(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'shared/dist/db/migrate-cli.js')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    pipeLines('migrate', child.stdout, process.stdout);
    pipeLines('migrate', child.stderr, process.stderr);
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`migration failed (${signal ?? `exit code ${code}`})`))));
  });
}

async function main() {
  requireBuilt();
  const envs = serviceEnvironments(process.env);
  const workerPort = envs.worker.HEALTH_PORT;
  const supervisor = new Supervisor({
    root: ROOT,
    say,
    pipe: (name, child) => {
      pipeLines(name, child.stdout, process.stdout);
      pipeLines(name, child.stderr, process.stderr);
    },
    args: serviceArgs,
    workerHealthUrl: workerPort && workerPort !== '0' ? `http://127.0.0.1:${workerPort}/health` : null,
    workerDeadlineSeconds: Number(envs.worker.SHUTDOWN_DEADLINE_SECONDS || 60),
  });
  process.on('SIGINT', () => supervisor.onSignal('SIGINT'));
  process.on('SIGTERM', () => supervisor.onSignal('SIGTERM'));
  // Last resort if this process dies of an error: leave no orphaned service behind.
  process.on('exit', () => {
    for (const child of supervisor.children.values()) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });

  if (process.env.START_LOCAL_SKIP_MIGRATE !== '1') {
    say('start-local', 'applying migrations (npm run db:migrate)');
    await migrate(process.env);
  }
  if (supervisor.stopping) process.exit(supervisor.exitCode);

  say('worker', envs.demoRunner
    ? `CLUSTER_PROVIDER=none (no cluster) and the demo runner ${path.relative(ROOT, DEMO_RUNNER)}; set CLUSTER_PROVIDER and RUNNER_COMMAND to run AIOpsLab for real`
    : `CLUSTER_PROVIDER=${envs.worker.CLUSTER_PROVIDER}, RUNNER_COMMAND=${envs.worker.RUNNER_COMMAND ?? '(the AIOpsLab runner, services/worker/runner/bin/aiopslab-runner)'}`);
  if (envs.demoRunner && !fs.existsSync(DEMO_RUNNER)) {
    say('start-local', `warning: ${path.relative(ROOT, DEMO_RUNNER)} does not exist; tasks will fail until RUNNER_COMMAND names a runner`);
  }
  for (const name of ['api', 'history', 'worker']) supervisor.start(name, envs[name]);
  say('start-local', `API on http://127.0.0.1:${envs.api.PORT} (dashboard: /ui/, docs: /docs); Ctrl-C stops everything. For the examples and scripts: export API_URL=http://localhost:${envs.api.PORT}`);
}

if (require.main === module) {
  main().catch((error) => {
    say('start-local', error.message);
    process.exit(1);
  });
}

module.exports = { serviceEnvironments, serviceLogFormat };
