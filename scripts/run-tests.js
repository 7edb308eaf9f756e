#!/usr/bin/env node
// `npm test`: the lint (house rules: eslint.config.js), every jest suite against real PostgreSQL
// and RabbitMQ, then the fault suite on its own (it restarts both), then the Python unittest
// suites (the runner's; the client's, which starts api, worker and history itself through
// scripts/start-local.js); one closing line with the combined counts. Arguments go to the first jest run (e.g. `npm test -- services/api`), and
// then only that run happens.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const totals = { passed: 0, failed: 0 };

function jest(label, jestArgs) {
  const resultsFile = path.join(os.tmpdir(), `jest-results-${process.pid}-${label}.json`);
  const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--json', `--outputFile=${resultsFile}`, ...jestArgs], { cwd: root, stdio: 'inherit' });
  let passed = 0;
  let failed = result.status === 0 ? 0 : 1;
  if (fs.existsSync(resultsFile)) {
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    passed = results.numPassedTests;
    failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    if (result.status !== 0 && failed === 0) failed = 1;
    fs.rmSync(resultsFile, { force: true });
  }
  console.log(`\n${label}: ${passed} passed, ${failed} failed`);
  totals.passed += passed;
  totals.failed += failed;
}

function pythonUnittest(label, dir) {
  // NODE: the client's tests start the services with this same Node binary.
  const python = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests'], { cwd: path.join(root, dir), encoding: 'utf8', env: { ...process.env, NODE: process.execPath } });
  process.stdout.write(python.stdout);
  process.stderr.write(python.stderr);
  const ran = Number(/Ran (\d+) tests?/.exec(python.stderr)?.[1] ?? 0);
  const failures = /FAILED \(([^)]*)\)/.exec(python.stderr)?.[1] ?? '';
  let bad = [...failures.matchAll(/(?:failures|errors)=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  if (python.status !== 0 && bad === 0) bad = 1;
  console.log(`\n${label} (python unittest): ${ran - bad} passed, ${bad} failed`);
  totals.passed += ran - bad;
  totals.failed += bad;
}

function lint() {
  // eslint's package exports do not include its bin; find it beside its package.json. The paths
  // are those of `npm run lint`, through a shell as npm runs them (it expands services/*/src).
  const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
  const [, ...paths] = require('../package.json').scripts.lint.split(/\s+/);
  const result = spawnSync(`"${process.execPath}" "${eslintBin}" ${paths.join(' ')}`, { cwd: root, stdio: 'inherit', shell: true });
  const failed = result.status === 0 ? 0 : 1;
  console.log(`\nlint (eslint.config.js): ${1 - failed} passed, ${failed} failed`);
  totals.passed += 1 - failed;
  totals.failed += failed;
}

if (args.length === 0) lint();
jest('jest', args);
if (args.length === 0) {
  jest('faults (quick)', ['-c', 'jest.faults.config.js']);
  pythonUnittest('runner', 'services/worker/runner');
  pythonUnittest('client', 'clients/python');
}
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
