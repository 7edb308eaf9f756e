#!/usr/bin/env node
// Runs `prisma generate` on machines that cannot download Prisma's native engines: generate only
// checks that a schema engine exists, so a placeholder file satisfies it (DESIGN.md, Prisma note).
// Migrations never use the CLI; shared/src/db/migrator.ts applies them.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = path.join(os.tmpdir(), 'prisma-schema-engine-placeholder');
  fs.writeFileSync(placeholder, '#!/bin/sh\necho "placeholder: migrations are applied by npm run db:migrate" >&2\nexit 1\n', { mode: 0o755 });
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const cli = require.resolve('prisma/build/index.js');
execFileSync(process.execPath, [cli, 'generate', '--schema', path.join(__dirname, '..', 'prisma', 'schema.prisma')], {
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
console.log('prisma client generated (shared/src/db/generated)');
