/** The fault suite restarts PostgreSQL and RabbitMQ, so it runs alone, after the other suites. */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/tests/faults'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  maxWorkers: 1,
};
