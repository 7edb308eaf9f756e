#!/usr/bin/env node
// `npm run bench`: every benchmark in turn (each prints its figures beside the ceilings it
// measured in the same run). Needs `npm run build` first and local PostgreSQL and RabbitMQ.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const benches = ['scripts/bench/bench-api.js', 'scripts/bench/bench-pipeline.js', 'scripts/bench/bench-history.js', 'scripts/bench/bench-retention.js', 'scripts/bench/bench-runs.js'];
let failed = 0;
for (const bench of benches) {
  console.log(`\n=== ${bench}`);
  const result = spawnSync(process.execPath, [path.resolve(__dirname, '../..', bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
