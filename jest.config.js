/** One jest run over every workspace. Each test file gets its own database and queue prefix
 * (tests/support/test-env.ts); globalSetup migrates a template database once per run. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/shared/src', '<rootDir>/services', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The fault suite restarts PostgreSQL and RabbitMQ: it runs alone (jest.faults.config.js).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '<rootDir>/tests/faults/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: { '^@aiopslab/shared/(.*)$': '<rootDir>/shared/src/$1' },
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  maxWorkers: 2,
  testTimeout: 30000,
};
