#!/usr/bin/env node
// `npm test`: the lint (house rules: eslint.config.js), every jest suite against real PostgreSQL
// and RabbitMQ, then the browser suites (apart from the Docker ones) with the client's Python
// unittest suite beside them (it starts api, worker and history itself through
// scripts/start-local.js), then the fault suite on its own (it restarts both) with the runner's
// Python suite beside it; one closing line with the combined counts, "tests: N passed, N failed,
// N skipped". A skipped test (jest's pending and todo, unittest's skips and expected failures)
// fails the run, and the line before the counts says which suite skipped which test. Arguments go
// to the first jest run (e.g. `npm test -- services/api`), and then only that run happens.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const totals = { passed: 0, failed: 0, skipped: 0 };
/** "<suite>: <test>" for every test that did not run: a skip fails the run (it hides a test). */
const skips = [];

function record(label, counts, skipped) {
  console.log(`\n${label}: ${counts.passed} passed, ${counts.failed} failed, ${skipped.length} skipped`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += skipped.length;
  skips.push(...skipped.map((name) => `${label}: ${name}`));
}

function jest(label, jestArgs) {
  const resultsFile = path.join(os.tmpdir(), `jest-results-${process.pid}-${label}.json`);
  const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--json', `--outputFile=${resultsFile}`, ...jestArgs], { cwd: root, stdio: 'inherit' });
  const counts = { passed: 0, failed: result.status === 0 ? 0 : 1 };
  const skipped = [];
  if (fs.existsSync(resultsFile)) {
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    counts.passed = results.numPassedTests;
    counts.failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (result.status !== 0 && counts.failed === 0) counts.failed = 1;
    // Pending: .skip, xit, xdescribe (and those a .only left out); todo: test.todo.
    for (const file of results.testResults) {
      for (const test of file.assertionResults) {
        if (test.status === 'pending' || test.status === 'todo') skipped.push(`${path.relative(root, file.name)} › ${test.fullName} (${test.status})`);
      }
    }
    const unnamed = results.numPendingTests + results.numTodoTests - skipped.length;
    if (unnamed > 0) skipped.push(...Array(unnamed).fill('a test jest did not name (pending or todo)'));
    fs.rmSync(resultsFile, { force: true });
  }
  record(label, counts, skipped);
}

/**
 * Starts a command in the background with its output held in a file, not a pipe: the jest runs
 * beside it block this process's event loop, and a full pipe would stall it. `exited` resolves
 * to its exit status; `output()` returns what it printed and removes the file.
 */
function startInBackground(label, command, args, options = {}) {
  const outputFile = path.join(os.tmpdir(), `background-${process.pid}-${label}.log`);
  const out = fs.openSync(outputFile, 'w');
  const child = spawn(command, args, { cwd: root, ...options, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return {
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    output() {
      const text = fs.readFileSync(outputFile, 'utf8');
      fs.rmSync(outputFile, { force: true });
      return text;
    },
  };
}

/**
 * Starts a Python unittest suite (scripts/run-unittest.py) in the background, its output held back;
 * the returned function waits for it, prints the output and records the counts. The runner's suite
 * needs neither PostgreSQL nor RabbitMQ, so it runs beside the fault suite on the core that suite
 * leaves idle.
 */
function startPythonUnittest(label, dir) {
  const summaryFile = path.join(os.tmpdir(), `unittest-summary-${process.pid}-${label}.json`);
  // NODE: the client's tests start the services with this same Node binary.
  const suite = startInBackground(label, 'python3', [path.join(__dirname, 'run-unittest.py'), summaryFile], { cwd: path.join(root, dir), env: { ...process.env, NODE: process.execPath } });
  return async () => {
    const status = await suite.exited;
    process.stdout.write(suite.output());
    const counts = { passed: 0, failed: status === 0 ? 0 : 1 };
    let skipped = [];
    if (fs.existsSync(summaryFile)) {
      const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
      // An expected failure did not show the test passing: it counts as skipped, as unittest's
      // closing line hides both.
      skipped = [...summary.skipped, ...summary.expected_failures];
      counts.failed = summary.failures + summary.errors + summary.unexpected_successes;
      counts.passed = summary.ran - counts.failed - skipped.length;
      if (status !== 0 && counts.failed === 0) counts.failed = 1;
      fs.rmSync(summaryFile, { force: true });
    }
    record(`${label} (python unittest)`, counts, skipped);
  };
}

const CLUSTER_SCRIPT = path.join(__dirname, 'rabbitmq-cluster.sh');

/**
 * Starts the three-node RabbitMQ cluster in the background (about 50 s, mostly waiting) while the
 * browser and client suites run, so the fault suite's cluster scenario finds it up. The returned
 * function waits for it; the test's own `start` would also wait for it (the script's lock).
 */
function startClusterEarly() {
  const start = startInBackground('rabbitmq-cluster', 'bash', [CLUSTER_SCRIPT, 'start']);
  return async () => {
    const status = await start.exited;
    const output = start.output();
    // A failed start is left to the test's own start, which says why.
    if (status !== 0) process.stdout.write(`\nthe early start of the three-node RabbitMQ cluster failed (the fault suite starts it again):\n${output}`);
  };
}

function lint() {
  // eslint's package exports do not include its bin; find it beside its package.json. The paths
  // are those of `npm run lint`, through a shell as npm runs them (it expands services/*/src).
  const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
  const [, ...paths] = require('../package.json').scripts.lint.split(/\s+/);
  const result = spawnSync(`"${process.execPath}" "${eslintBin}" ${paths.join(' ')}`, { cwd: root, stdio: 'inherit', shell: true });
  const failed = result.status === 0 ? 0 : 1;
  record('lint (eslint.config.js)', { passed: 1 - failed, failed }, []);
}

/**
 * The browser suites run after the others, on their own: the Docker suites add and remove bridge
 * networks, which Chromium takes for a network change and fails its loads (ERR_NETWORK_CHANGED).
 */
const BROWSER_SUITES = '<rootDir>/tests/e2e/dashboard';

async function main() {
  if (args.length === 0) lint();
  jest('jest', args.length > 0 ? args : ['--testPathIgnorePatterns', '/node_modules/', '/dist/', '<rootDir>/tests/faults/', BROWSER_SUITES]);
  if (args.length === 0) {
    // The client's suite (its own services, database and prefix) beside the browser suites, and
    // done before the fault suite restarts PostgreSQL and RabbitMQ under it.
    const clientSuite = startPythonUnittest('client', 'clients/python');
    const clusterUp = startClusterEarly();
    jest('browser', ['tests/e2e/dashboard']);
    await clientSuite();
    await clusterUp();
    const runnerSuite = startPythonUnittest('runner', 'services/worker/runner');
    // The cluster's scenario leaves it running (whole again) for this runner to stop.
    process.env.RABBITMQ_CLUSTER_STOPPED_BY_CALLER = '1';
    try {
      jest('faults (quick)', ['-c', 'jest.faults.config.js']);
    } finally {
      spawnSync('bash', [CLUSTER_SCRIPT, 'stop'], { cwd: root, stdio: 'inherit' });
      delete process.env.RABBITMQ_CLUSTER_STOPPED_BY_CALLER;
    }
    await runnerSuite();
  }
  if (skips.length > 0) {
    console.log(`\nA skipped test fails the run (it hides what it tests). Skipped:\n${skips.map((skip) => `  ${skip}`).join('\n')}`);
  }
  console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(totals.failed > 0 || totals.skipped > 0 ? 1 : 0);
}

void main();
