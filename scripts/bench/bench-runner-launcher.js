#!/usr/bin/env node
// Does a pre-forked runner launcher pay? In one process grown to a worker's size (~95 MB RSS),
// in alternating rounds of the same run: the no-op runner spawned directly (detached, four pipes,
// a lease line on stdin, as process-executor.ts does) against the same runner spawned by a small
// long-lived node launcher that relays its stdout/stderr/fd 3 and exit back in binary frames,
// coalesced per event-loop pass. Prints CPU ms per run of the "worker" and of the launcher
// (/proc utime+stime). BENCH_LAUNCHER=python uses runner-launcher-probe.py instead (posix_spawn,
// i.e. vfork, from a 14 MB process). Usage: node scripts/bench/bench-runner-launcher.js [MB] [runs] [rounds]
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const CMD = `printf '{"type":"result","results":{"success":true},"framework_overhead":0,"session":null}\\n' >&3`;
const ENV = { PATH: '/usr/bin:/bin', TASK_ID: 'x'.repeat(36), RUNNER_LIFELINE: 'stdin' };
const LEASE = `${JSON.stringify({ type: 'lease', valid_for_ms: 60000 })}\n`;

// Frames launcher → worker: [u32 length][u8 kind][u32 run id][payload]; kinds below.
const SPAWNED = 0, END = 4, EXIT = 5;

function launcher() {
  const runs = new Map();
  let pending = [];
  const flush = () => { const bytes = Buffer.concat(pending); pending = []; process.stdout.write(bytes); };
  const send = (kind, id, payload) => {
    const head = Buffer.allocUnsafe(9);
    head.writeUInt32LE(5 + payload.length, 0); head.writeUInt8(kind, 4); head.writeUInt32LE(id, 5);
    if (pending.push(head, payload) === 2) setImmediate(flush);
  };
  let buffered = '';
  process.stdin.on('data', (chunk) => {
    buffered += chunk;
    for (let i; (i = buffered.indexOf('\n')) >= 0; buffered = buffered.slice(i + 1)) handle(JSON.parse(buffered.slice(0, i)));
  });
  process.stdin.on('end', () => process.exit(0)); // the worker is gone: runner stdins close with us
  function handle(m) {
    if (m.op === 'spawn') {
      const child = spawn('/bin/sh', ['-c', m.command], { cwd: m.cwd, env: m.env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
      child.stdin.on('error', () => undefined);
      runs.set(m.id, child);
      send(SPAWNED, m.id, Buffer.from(JSON.stringify({ pid: child.pid })));
      [child.stdout, child.stderr, child.stdio[3]].forEach((stream, n) => {
        stream.on('data', (data) => send(n + 1, m.id, data));
        stream.on('end', () => send(END, m.id, Buffer.from([n + 1])));
      });
      child.on('exit', (code, signal) => { runs.delete(m.id); send(EXIT, m.id, Buffer.from(JSON.stringify({ code, signal }))); });
    } else if (m.op === 'stdin') runs.get(m.id)?.stdin.write(m.data);
    else if (m.op === 'end') runs.get(m.id)?.stdin.end();
  }
}

function direct() {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', CMD], { cwd: '/tmp', env: ENV, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    child.stdin.write(LEASE);
    let open = 4;
    const done = () => { if (--open === 0) resolve(); };
    for (const stream of [child.stdout, child.stderr, child.stdio[3]]) { stream.on('data', () => undefined); stream.on('close', done); }
    child.on('exit', () => { child.stdin.end(); done(); });
  });
}

function launcherClient() {
  const python = process.env.BENCH_LAUNCHER === 'python';
  const command = python ? ['python3', [path.join(__dirname, 'runner-launcher-probe.py')]] : [process.execPath, [__filename, '--launcher']];
  const child = spawn(...command, { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map();
  let nextId = 1;
  let input = Buffer.alloc(0);
  const tell = (message) => child.stdin.write(`${JSON.stringify(message)}\n`);
  child.stdout.on('data', (chunk) => {
    input = input.length ? Buffer.concat([input, chunk]) : chunk;
    while (input.length >= 4 && input.length >= 4 + input.readUInt32LE(0)) {
      const length = input.readUInt32LE(0);
      const kind = input.readUInt8(4), id = input.readUInt32LE(5);
      input = input.subarray(4 + length);
      const run = waiting.get(id);
      if (kind === SPAWNED) tell({ op: 'stdin', id, data: LEASE });
      if ((kind === END || kind === EXIT) && --run.open === 0) { waiting.delete(id); tell({ op: 'end', id }); run.resolve(); }
    }
  });
  return {
    pid: child.pid,
    run: () => new Promise((resolve) => { const id = nextId++; waiting.set(id, { open: 4, resolve }); tell({ op: 'spawn', id, command: CMD, cwd: '/tmp', env: ENV }); }),
    stop: () => child.stdin.end(),
  };
}

const ticks = (pid) => { const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); return Number(f[11]) + Number(f[12]); };
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function measure(fn, runs, launcherPid) {
  const self0 = ticks(process.pid), launcher0 = ticks(launcherPid);
  for (let i = 0; i < runs; i++) await fn();
  return { worker: ((ticks(process.pid) - self0) * 10) / runs, launcher: ((ticks(launcherPid) - launcher0) * 10) / runs };
}

async function main() {
  const [mb = 25, runs = 300, rounds = 5] = process.argv.slice(2).map(Number);
  const ballast = Array.from({ length: (mb * 1024 * 1024) / 64 }, (_, i) => ({ i, s: String(i) })); // a worker-sized heap
  const client = launcherClient();
  for (let i = 0; i < 30; i++) { await direct(); await client.run(); }
  console.log(`${process.env.BENCH_LAUNCHER === 'python' ? 'python' : 'node'} launcher; "worker" RSS ${rssMb(process.pid).toFixed(0)} MB, launcher RSS ${rssMb(client.pid).toFixed(0)} MB, ${runs} runs per round (ballast ${ballast.length})`);
  for (let round = 0; round < rounds; round++) {
    const d = await measure(direct, runs, client.pid);
    const l = await measure(client.run, runs, client.pid);
    console.log(`round ${round}: direct ${d.worker.toFixed(2)} ms/run | via launcher: worker ${l.worker.toFixed(2)} + launcher ${l.launcher.toFixed(2)} = ${(l.worker + l.launcher).toFixed(2)} ms/run`);
  }
  client.stop();
}

if (process.argv[2] === '--launcher') launcher();
else main().catch((error) => { console.error(error); process.exit(1); });
