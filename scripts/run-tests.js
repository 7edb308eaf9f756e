#!/usr/bin/env node
// `npm test`: the jest suites (TypeScript services, against real PostgreSQL and RabbitMQ) and the
// Python runner's unittest suite, then one closing line with the combined counts.
// Arguments are passed to jest (e.g. `npm test -- services/api`); the Python suite then runs
// only when no argument is given or `--runner` is.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2).filter((a) => a !== '--runner');
const runPython = process.argv.length === 2 || process.argv.includes('--runner');

const resultsFile = path.join(os.tmpdir(), `jest-results-${process.pid}.json`);
const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--json', `--outputFile=${resultsFile}`, ...args], { cwd: root, stdio: 'inherit' });
let passed = 0;
let failed = jest.status === 0 ? 0 : 1;
if (fs.existsSync(resultsFile)) {
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites + (jest.status !== 0 && results.numFailedTests === 0 ? 1 : 0);
  fs.rmSync(resultsFile, { force: true });
}

const runnerDir = path.join(root, 'services/worker/runner');
if (runPython && fs.existsSync(path.join(runnerDir, 'tests'))) {
  const python = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-v'], { cwd: runnerDir, encoding: 'utf8' });
  process.stdout.write(python.stdout);
  process.stderr.write(python.stderr);
  const ran = Number(/Ran (\d+) tests?/.exec(python.stderr)?.[1] ?? 0);
  const failures = /FAILED \(([^)]*)\)/.exec(python.stderr)?.[1] ?? '';
  const bad = [...failures.matchAll(/(?:failures|errors)=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0) + (python.status !== 0 && !failures ? 1 : 0);
  console.log(`\nrunner (python unittest): ${ran - bad} passed, ${bad} failed`);
  passed += ran - bad;
  failed += bad;
}

console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
