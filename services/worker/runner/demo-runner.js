#!/usr/bin/env node
'use strict';
/*
 * Demo runner: speaks docs/runner-protocol.md without AIOpsLab or a cluster, so the whole system
 * runs on a laptop (`npm start`, CLUSTER_PROVIDER=none). It plays a few seconds of a believable
 * session: setup, agent steps (scripted actions when the task has them), and an evaluation in the
 * shape AIOpsLab gives the problem's task type (the catalog's), so runs' results tables work.
 * A detection answer is right when it says "Yes" (or "No" for a noop problem); other task types
 * succeed when the agent submits an answer of their shape (a list, a dict, or anything for
 * mitigation).
 * DEMO_RUNNER_SPEED scales its pauses (default 1; 0 = no pauses). DEMO_RUNNER_BROKEN=1 plays a
 * worker whose environment is broken (AIOpsLab not importable): `--list-problems` fails and every
 * task fails in setup with an error of origin "environment", so the worker hands it back.
 * Like AIOpsLab, it writes the session to <results_dir>/<session_id>_<start>.json.
 *
 *   demo-runner.js                  run the task in $TASK_SPEC_FILE, events on $PROTOCOL_FD (fd 3)
 *   demo-runner.js --list-problems  print the problem list (the checked-in default catalog)
 *   demo-runner.js --cleanup-problem  clean up after $TASK_SPEC_FILE's task: nothing to do, exit 0
 * Without PROTOCOL_FD, events go to stdout and the runner's own output to stderr.
 */
const fs = require('node:fs');
const path = require('node:path');

const protocolFd = process.env.PROTOCOL_FD ? Number(process.env.PROTOCOL_FD) : 1;
const out = (text) => (protocolFd === 1 ? process.stderr : process.stdout).write(`${text}\n`);
const speed = Number(process.env.DEMO_RUNNER_SPEED ?? 1);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms * (Number.isFinite(speed) ? speed : 1)));

function emit(event) {
  let buffer = Buffer.from(`${JSON.stringify({ ts: new Date().toISOString(), ...event })}\n`);
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(fs.writeSync(protocolFd, buffer));
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/** The checked-in default catalog: runnable problems, and those the service leaves out (with why). */
function defaultCatalog() {
  const candidates = [path.join(__dirname, '../../../shared/src/catalog/default-problems.json'), path.join(__dirname, '../../../shared/dist/catalog/default-problems.json')];
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  return file ? JSON.parse(fs.readFileSync(file, 'utf8')) : { problems: [{ id: 'k8s_target_port-misconfig-detection-1', task_type: 'detection' }], unsupported: [] };
}
const catalog = () => defaultCatalog().problems;

function listProblems() {
  const { problems, unsupported = [] } = defaultCatalog();
  emit({ type: 'problems', source: 'demo runner (default catalog)', problems, unsupported });
}

const SUBMISSIONS = {
  detection: (problemId) => `submit("${problemId.includes('noop') ? 'No' : 'Yes'}")`,
  localization: () => 'submit(["user-service"])',
  analysis: () => 'submit({"system_level": "Application", "fault_type": "Misconfiguration"})',
  mitigation: () => 'submit()',
};

const INSTRUCTIONS = { detection: 'submit("Yes") or submit("No")', localization: 'submit(["<service>", ...])', analysis: 'submit({"system_level": ..., "fault_type": ...})', mitigation: 'submit()' };

/** A submission of the shape the task type asks for counts as a success (demo: there is no real answer). */
const ANSWER_SHAPES = { localization: /^submit\(\[/, analysis: /^submit\(\{/, mitigation: /^submit\(/ };

/** AIOpsLab's results dict for the task type (AIOPSLAB.md "Results dict"), from the agent's submission. */
function evaluate(taskType, problemId, submission, loopSeconds, steps) {
  const common = { steps, in_tokens: 1200, out_tokens: 96 };
  if (taskType === 'detection') {
    const answer = /submit\("(Yes|No)"\)/.exec(submission ?? '')?.[1];
    const expected = problemId.includes('noop') ? 'No' : 'Yes';
    return { 'Detection Accuracy': !answer ? 'Invalid Format' : answer === expected ? 'Correct' : 'Incorrect', ...common, TTD: loopSeconds };
  }
  const success = (ANSWER_SHAPES[taskType] ?? /^submit\(/).test(submission ?? '');
  if (taskType === 'localization') return { 'Localization Accuracy': success ? 100 : 0, success, is_subset: success, ...common, TTL: loopSeconds };
  if (taskType === 'analysis') return { system_level_correct: success, fault_type_correct: success, success, ...common, TTA: loopSeconds };
  return { success, ...common, TTM: loopSeconds };
}

const OBSERVATIONS = {
  get: 'NAME                                  READY   STATUS    RESTARTS   AGE\ncompose-post-service-5d9f7c8b9-x2kqp  1/1     Running   0          2m\nuser-service-6c7f9d9d5-7hvzs          0/1     Running   3          2m',
  describe: 'Endpoints: <none>\nEvents:\n  Warning  Unhealthy  readiness probe failed: connection refused on port 9090',
  logs: '[error] user-service: failed to connect to mongodb-user:27017 (connection refused)',
};

function defaultActions(problemId, taskType) {
  const namespace = problemId.includes('hotel') ? 'test-hotel-reservation' : 'test-social-network';
  return [
    `exec_shell("kubectl get pods -n ${namespace}")`,
    `exec_shell("kubectl describe svc user-service -n ${namespace}")`,
    `get_logs("${namespace}", "user-service")`,
    (SUBMISSIONS[taskType] ?? SUBMISSIONS.detection)(problemId),
  ];
}

function observationFor(action) {
  if (action.startsWith('submit')) return null;
  if (action.includes('describe')) return OBSERVATIONS.describe;
  if (action.startsWith('get_logs')) return OBSERVATIONS.logs;
  return OBSERVATIONS.get;
}

async function run() {
  const spec = JSON.parse(fs.readFileSync(process.env.TASK_SPEC_FILE, 'utf8'));
  const taskType = catalog().find((p) => p.id === spec.problem_id)?.task_type ?? 'detection';
  const sessionId = `demo-${spec.task_id.slice(0, 8)}-${spec.attempt}`;
  let phase = 'setup';
  process.on('SIGTERM', () => {
    out('demo runner: SIGTERM, cleaning up');
    emit({ type: 'error', phase, error_type: 'SystemExit', message: 'terminated by SIGTERM', retryable: true });
    process.exit(143);
  });
  const started = Date.now();
  out(`Session ID: ${sessionId}`);
  emit({ type: 'session_started', session_id: sessionId });
  out(`== Fault Injection == problem ${spec.problem_id} (demo: nothing is deployed)`);
  await sleep(800);
  const setupSeconds = (Date.now() - started) / 1000;
  emit({ type: 'setup_done', task_description: `${taskType} task for ${spec.problem_id}. (demo runner)`, instructions: `Respond with one fenced API call; finish with ${INSTRUCTIONS[taskType] ?? INSTRUCTIONS.detection}.`, apis: { exec_shell: 'Run a shell command', get_logs: 'Get service logs', submit: 'Submit your answer' }, duration_s: setupSeconds });

  phase = 'loop';
  const scripted = spec.agent_config?.kind === 'scripted' ? spec.agent_config.actions : null;
  const actions = (scripted ?? defaultActions(spec.problem_id, taskType)).slice(0, spec.max_steps);
  const loopStarted = Date.now();
  for (let i = 0; i < actions.length; i++) {
    const stepStarted = Date.now();
    await sleep(400);
    const prompt = 180 + i * 140;
    emit({ type: 'step', n: i + 1, action: actions[i], observation: observationFor(actions[i]), duration_s: (Date.now() - stepStarted) / 1000, usage: { prompt_tokens: prompt, completion_tokens: 24, total_tokens: prompt + 24 } });
  }
  const loopSeconds = (Date.now() - loopStarted) / 1000;

  phase = 'eval';
  const results = evaluate(taskType, spec.problem_id, actions.find((a) => a.startsWith('submit')), loopSeconds, actions.length);
  phase = 'teardown';
  out('Cleaning up: helm uninstall prometheus (demo: skipped)');
  await sleep(300);
  const trace = actions.flatMap((action) => [{ role: 'assistant', content: action }, { role: 'env', content: observationFor(action) ?? '' }]);
  const total = (Date.now() - started) / 1000;
  const session = { agent: spec.agent_config?.name ?? spec.agent_config?.kind ?? 'demo', session_id: sessionId, problem_id: spec.problem_id, start_time: started / 1000, end_time: Date.now() / 1000, trace, results };
  if (spec.results_dir) {
    fs.mkdirSync(spec.results_dir, { recursive: true }); // the runner makes what it writes to
    fs.writeFileSync(path.join(spec.results_dir, `${sessionId}_${started / 1000}.json`), JSON.stringify(session, null, 4));
  }
  emit({
    type: 'result',
    results,
    framework_overhead: Math.max(0, total - loopSeconds),
    session,
    durations: { setup_s: setupSeconds, loop_s: loopSeconds, teardown_s: 0.3 },
  });
}

const BROKEN_MESSAGE = "No module named 'aiopslab' (demo runner: DEMO_RUNNER_BROKEN=1 plays a broken worker environment)";

function failBroken(listing) {
  process.stderr.write(`demo runner: ModuleNotFoundError: ${BROKEN_MESSAGE}\n`);
  if (!listing) emit({ type: 'error', phase: 'setup', error_type: 'ModuleNotFoundError', message: BROKEN_MESSAGE, retryable: true, origin: 'environment' });
  process.exit(1);
}

function cleanupProblem() {
  process.stderr.write('demo runner: cleanup succeeded (the demo deploys and injects nothing)\n');
}

if (process.argv.includes('--cleanup-problem')) cleanupProblem();
else if (process.env.DEMO_RUNNER_BROKEN === '1') failBroken(process.argv.includes('--list-problems'));
else if (process.argv.includes('--list-problems')) listProblems();
else
  run().catch((error) => {
    emit({ type: 'error', phase: 'setup', error_type: error.name, message: error.message, traceback: error.stack, retryable: false });
    process.exit(1);
  });
