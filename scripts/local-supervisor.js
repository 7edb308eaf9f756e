// The supervisor behind `npm start` (scripts/start-local.js): runs each service as a child
// process, restarts one that dies with a growing delay (as compose's `restart: unless-stopped`
// does), and stops them all on Ctrl-C, saying what it waits for.
//
// A service that exits with EXIT_CONFIG (78, sysexits' EX_CONFIG) refused its configuration: the
// same settings would fail again, so it is not restarted. Its message (on its stderr) stands as
// the error; the others are stopped and the supervisor exits 78.
//
// Ctrl-C once: every service gets SIGTERM and drains; the worker lets its running task finish
// within SHUTDOWN_DEADLINE_SECONDS, else hands it back. Ctrl-C again: the worker gets a second
// SIGTERM and hands its task back now (the task goes back to the queue, its attempt not counted).
// A third Ctrl-C kills every process at once, runners included.
'use strict';
const { spawn, spawnSync } = require('node:child_process');

/** Signals closer together than this are one Ctrl-C seen twice (terminal + npm forwarding). */
const SIGNAL_DEBOUNCE_MS = 1000;
/** Restart delays: 1 s, doubling to 30 s; a service that ran this long starts again from 1 s. */
const RESTART_BASE_MS = 1000;
const RESTART_CAP_MS = 30_000;
const STABLE_AFTER_MS = 30_000;
/** A service's exit code for a configuration error: shared/src/lifecycle/exit-codes.ts EXIT_CONFIG. */
const EXIT_CONFIG = 78;
/** How long an exited service's last output may take to arrive through its pipes. */
const OUTPUT_WAIT_MS = 1000;

function restartDelayMs(failures) {
  return Math.min(RESTART_CAP_MS, RESTART_BASE_MS * 2 ** Math.max(0, failures - 1));
}

class Supervisor {
  /**
   * @param {{ root: string, say: (name: string, message: string) => void, pipe: (name: string, child: import('node:child_process').ChildProcess) => void,
   *           args: (name: string) => string[], workerHealthUrl: string | null, workerDeadlineSeconds: number,
   *           exit?: (code: number) => void }} options  exit: how the supervisor ends (process.exit; tests pass their own)
   */
  constructor(options) {
    this.options = options;
    this.children = new Map(); // name -> ChildProcess
    this.envs = new Map();
    this.startedAt = new Map();
    this.failures = new Map();
    this.timers = new Map();
    this.stopping = false;
    this.signals = 0;
    this.lastSignalAt = 0;
    this.exitCode = 0;
    this.refusing = false; // a refused configuration is being reported: not done yet
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  start(name, env) {
    const { say } = this.options;
    this.envs.set(name, env);
    // detached: a process group of its own, so the terminal's Ctrl-C reaches only this
    // supervisor, which decides what each service gets.
    const child = spawn(process.execPath, this.options.args(name), { cwd: this.options.root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.children.set(name, child);
    this.startedAt.set(name, Date.now());
    this.options.pipe(name, child);
    say('start-local', `${name} started (pid ${child.pid})`);
    child.on('error', (error) => say('start-local', `${name} could not start: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(name, code, signal, child));
  }

  onExit(name, code, signal, child) {
    const { say } = this.options;
    this.children.delete(name);
    say('start-local', `${name} exited (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    if (code === EXIT_CONFIG && !this.stopping) return void this.stopForConfiguration(name, child);
    if (!this.stopping) return this.scheduleRestart(name);
    if (code !== 0 && this.exitCode === 0) this.exitCode = 1;
    if (this.children.size === 0 && this.timers.size === 0 && !this.refusing) {
      say('start-local', 'all services stopped');
      this.exit(this.exitCode);
    }
  }

  /**
   * A refused configuration: the same settings would fail again, so nothing restarts, every other
   * service stops and the supervisor exits EXIT_CONFIG. The service's own message (its stderr,
   * printed once) is the error; this waits for the last of it so the verdict comes after it.
   */
  async stopForConfiguration(name, child) {
    this.stopping = true; // from here on nothing restarts, whatever else exits
    this.refusing = true;
    this.exitCode = EXIT_CONFIG;
    await outputClosed(child, OUTPUT_WAIT_MS);
    const others = [...this.children.keys()];
    const stopping = others.length > 0 ? `; stopping ${others.join(', ')}` : '';
    this.options.say('start-local', `${name} refused its configuration (exit code ${EXIT_CONFIG}, message above): not restarting it${stopping}. Fix the setting and run npm start again.`);
    this.refusing = false;
    await this.stop();
  }

  scheduleRestart(name) {
    const ranMs = Date.now() - (this.startedAt.get(name) ?? 0);
    const failures = ranMs >= STABLE_AFTER_MS ? 1 : (this.failures.get(name) ?? 0) + 1;
    this.failures.set(name, failures);
    const delay = restartDelayMs(failures);
    this.options.say('start-local', `${name} stopped unexpectedly; restarting it in ${delay / 1000} s (failure ${failures} in a row; the others keep running, as under compose's restart: unless-stopped). Ctrl-C stops everything.`);
    const timer = setTimeout(() => {
      this.timers.delete(name);
      if (!this.stopping) this.start(name, this.envs.get(name));
    }, delay);
    this.timers.set(name, timer);
  }

  onSignal(signal) {
    const now = Date.now();
    if (this.signals > 0 && now - this.lastSignalAt < SIGNAL_DEBOUNCE_MS) return;
    this.lastSignalAt = now;
    this.signals += 1;
    const running = [...this.children.keys()].join(', ') || 'nothing';
    if (this.signals === 1) {
      this.options.say('start-local', `${signal}: stopping ${running} (Ctrl-C again to stop without waiting)`);
      void this.stop();
    } else if (this.signals === 2 && this.children.has('worker')) {
      this.options.say('start-local', `${signal} again: the worker hands its running task back now (it goes back to the queue); Ctrl-C once more kills everything`);
      this.exitCode = 1;
      this.signalChild('worker', 'SIGTERM');
    } else {
      this.options.say('start-local', `${signal} again: killing ${running}`);
      this.kill();
    }
  }

  async stop() {
    this.stopping = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    if (this.children.size === 0) return this.exit(this.exitCode);
    await this.announceDrain();
    for (const name of this.children.keys()) this.signalChild(name, 'SIGTERM');
  }

  /** Says what the worker's drain waits for: its running task and the deadline. */
  async announceDrain() {
    const { workerHealthUrl, workerDeadlineSeconds, say } = this.options;
    if (!workerHealthUrl || !this.children.has('worker')) return;
    const health = await fetch(workerHealthUrl, { signal: AbortSignal.timeout(1000) }).then((r) => r.json(), () => null);
    if (health?.current_task_id) {
      say('start-local', `the worker is running task ${health.current_task_id}: waiting up to ${workerDeadlineSeconds} s (SHUTDOWN_DEADLINE_SECONDS) for it to finish, then it is handed back. Ctrl-C again hands it back now.`);
    }
  }

  signalChild(name, signal) {
    try {
      this.children.get(name)?.kill(signal);
    } catch (error) {
      this.options.say('start-local', `could not signal ${name}: ${error.message}`);
    }
  }

  /**
   * SIGKILL to each child's process group and to everything it started: the worker runs each
   * runner in a process group of its own, which killing the worker's group would leave behind.
   */
  kill() {
    this.exitCode = 1;
    const pids = [...this.children.values()].map((child) => child.pid);
    for (const pid of [...descendantsOf(pids), ...pids]) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          /* not a group leader, or already gone */
        }
      }
    }
  }
}

/** Resolves once the child's stdout and stderr are closed (all read), or after `ms`. */
function outputClosed(child, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Every process below the given ones (from `ps`; empty where ps is missing). */
function descendantsOf(roots) {
  const table = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  if (table.status !== 0) return [];
  const children = new Map();
  for (const line of table.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid) continue;
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const found = [];
  const queue = [...roots];
  while (queue.length) {
    for (const child of children.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

module.exports = { Supervisor, restartDelayMs, EXIT_CONFIG };
