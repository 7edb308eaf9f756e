// The house rules that check themselves (`npm run lint`, run by `npm test`):
// - the pure core (domain, schemas, planners, protocol parsing) imports nothing that does I/O;
// - services import `shared` only through its published surface (`@aiopslab/shared/...`);
// - no service imports another;
// - every SQL statement lives in the module of its table (shared/src/tables/<table>*.ts);
// - no source file grows past 300 lines.
const tseslint = require('typescript-eslint');

const IO_MODULES = [
  'node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process', 'child_process',
  'node:net', 'net', 'node:http', 'http', 'node:https', 'https', 'node:dgram', 'node:worker_threads',
  'pg', 'amqplib', 'express', 'dockerode', 'winston', '@prisma/client', '@prisma/adapter-pg',
];
const IO_PATTERNS = ['**/db/*', '**/tables/*', '**/amqp/*', '**/outbox/*', '**/data/*', '**/logging/*', '**/http/*', '**/messaging/*', '**/clusters/*', '**/executors/*'];

const pureCore = {
  // Types carry no I/O: a planner may name an adapter's types.
  paths: IO_MODULES.map((name) => ({ name, allowTypeImports: true, message: 'the pure core does no I/O: take what it needs as arguments, do the I/O in a use case or adapter' })),
  patterns: [{ group: IO_PATTERNS, allowTypeImports: true, message: 'the pure core does no I/O: move this call into a use case and pass the result in' }],
};

const shared = (otherServices) => ({
  patterns: [
    { group: ['**/shared/src/*', '**/shared/src/**', '**/shared/dist/**'], message: "import shared through its published surface: '@aiopslab/shared/<module>'" },
    ...otherServices.map((service) => ({ group: [`**/services/${service}/**`, `../../${service}/**`, `@aiopslab/${service}`, `@aiopslab/${service}/**`], message: `services do not import each other: move what ${service} and this service share into shared/` })),
  ],
});

const SERVICES = ['api', 'worker', 'history'];

const STATEMENT_MESSAGE = 'statements live in the module of their table: add a function to shared/src/tables/<table>.ts and call it';
/** Raw statements and Prisma model calls, allowed only in shared/src/tables (and the client code in shared/src/db). */
const statementsOnlyInTables = [
  { selector: 'TaggedTemplateExpression[tag.property.name=/^\\$(queryRaw|executeRaw)/]', message: STATEMENT_MESSAGE },
  { selector: 'CallExpression[callee.property.name=/^\\$(queryRaw|executeRaw)/]', message: STATEMENT_MESSAGE },
  {
    selector: 'CallExpression[callee.object.property.name=/^(task|taskLog|taskCallback|taskSession|statusHistory|worker|run|problem|outboxMessage)$/][callee.property.name=/^(find|create|update|delete|upsert|count|aggregate|groupBy)/]',
    message: STATEMENT_MESSAGE,
  },
];

module.exports = tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'shared/src/db/generated/**', 'test-output/**', '**/*.js', '**/*.cjs', '**/*.mjs'] },
  {
    files: ['shared/src/**/*.ts', 'services/*/src/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      '@typescript-eslint/no-require-imports': 'error', // one import style; a lazy require says why
      'no-restricted-syntax': ['error', ...statementsOnlyInTables],
    },
  },
  {
    files: ['shared/src/tables/**/*.ts', 'shared/src/db/**/*.ts', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  ...SERVICES.map((service) => ({
    files: [`services/${service}/src/**/*.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', shared(SERVICES.filter((other) => other !== service))] },
  })),
  {
    files: ['shared/src/domain/**/*.ts', 'shared/src/schemas/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', pureCore] },
  },
  {
    // One rule setting per file wins in flat config, so the worker's pure folders carry both sets.
    files: ['services/worker/src/run/**/*.ts', 'services/worker/src/protocol/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', both(pureCore, shared(['api', 'history']))] },
  },
);

function both(a, b) {
  return { paths: [...(a.paths ?? []), ...(b.paths ?? [])], patterns: [...(a.patterns ?? []), ...(b.patterns ?? [])] };
}
