/** scripts/service-command.js for the TypeScript tests: how a service process is started. */
// scripts/ is CommonJS without types: required, and typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { serviceArgs, serviceMain } = require('../../scripts/service-command.js') as {
  serviceArgs(name: string): string[];
  serviceMain(name: string): string;
};
