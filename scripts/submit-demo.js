#!/usr/bin/env node
// Submits a demo batch through the API (POST /tasks/batch) and prints one task id per line on
// stdout (progress and errors on stderr), so it composes:
//   node scripts/submit-demo.js --count 3 | xargs -n1 node scripts/tail-task.js
//
// Options (or environment):
//   --api URL          API base URL (API_URL; else http://127.0.0.1:$PORT, PORT default 8001)
//   --token TOKEN      bearer token (API_TOKEN; needed when the API has one)
//   --count N          tasks in the batch (default 3)
//   --problem ID       problem id, repeatable (default k8s_target_port-misconfig-detection-1)
//   --agent JSON       agent_config (default: a scripted agent that looks, then submits "Yes";
//                      e.g. '{"kind":"registry","name":"gpt"}' for AIOpsLab's GPT agent)
//   --max-steps N      default 5
//   --timeout M        timeout_minutes (default 30)
//   --priority P       0-9 (default 0)
//   --json             print the API's whole answer instead of the ids
'use strict';
const { defaultApiUrl } = require('./api-url');

const DEFAULT_PROBLEM = 'k8s_target_port-misconfig-detection-1';
const DEFAULT_AGENT = { kind: 'scripted', actions: ['exec_shell("kubectl get pods -A")', 'submit("Yes")'] };

function usage(message) {
  if (message) console.error(`submit-demo: ${message}`);
  console.error('usage: node scripts/submit-demo.js [--api URL] [--token TOKEN] [--count N] [--problem ID]... [--agent JSON] [--max-steps N] [--timeout M] [--priority P] [--json]');
  process.exit(2);
}

function integer(name, value, min, max) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) usage(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function parseArgs(argv, env) {
  const options = { api: defaultApiUrl(env), token: env.API_TOKEN || '', count: 3, problems: [], agent: DEFAULT_AGENT, maxSteps: 5, timeout: 30, priority: 0, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${flag} needs a value`));
    switch (flag) {
      case '--api': options.api = value(); break;
      case '--token': options.token = value(); break;
      case '--count': options.count = integer('--count', value(), 1, 1000); break;
      case '--problem': options.problems.push(value()); break;
      case '--agent':
        try {
          options.agent = JSON.parse(value());
        } catch (error) {
          usage(`--agent is not JSON: ${error.message}`);
        }
        break;
      case '--max-steps': options.maxSteps = integer('--max-steps', value(), 1, 1000); break;
      case '--timeout': options.timeout = integer('--timeout', value(), 1, 10080); break;
      case '--priority': options.priority = integer('--priority', value(), 0, 9); break;
      case '--json': options.json = true; break;
      case '-h':
      case '--help': usage();
      // falls through (usage exits)
      default: usage(`unknown option ${flag}`);
    }
  }
  if (options.problems.length === 0) options.problems.push(DEFAULT_PROBLEM);
  return options;
}

function buildBatch(options) {
  const batchId = new Date().toISOString();
  return {
    tasks: Array.from({ length: options.count }, (_, i) => ({
      problem_id: options.problems[i % options.problems.length],
      agent_config: options.agent,
      max_steps: options.maxSteps,
      timeout_minutes: options.timeout,
      priority: options.priority,
      metadata: { source: 'scripts/submit-demo.js', demo_batch: batchId, index: i },
    })),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2), process.env);
  const url = new URL('/tasks/batch', options.api);
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response;
  try {
    response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(buildBatch(options)) });
  } catch (error) {
    console.error(`submit-demo: cannot reach ${url.origin}: ${error.cause?.message ?? error.message} (is the API up? npm start, or docker compose up)`);
    process.exit(1);
  }
  const text = await response.text();
  if (!response.ok) {
    console.error(`submit-demo: POST ${url.pathname} answered ${response.status}: ${text}`);
    process.exit(1);
  }
  const body = JSON.parse(text);
  if (options.json) {
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  console.error(`submit-demo: ${body.tasks.length} task(s) submitted to ${url.origin}; follow one with: node scripts/tail-task.js <task_id>`);
  for (const task of body.tasks) console.log(task.task_id);
}

main().catch((error) => {
  console.error(`submit-demo: ${error.message}`);
  process.exit(1);
});
