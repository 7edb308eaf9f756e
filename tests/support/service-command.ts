/** scripts/service-command.js for the TypeScript tests: how a service process is started. */
export const { serviceArgs, serviceMain } = require('../../scripts/service-command.js') as {
  serviceArgs(name: string): string[];
  serviceMain(name: string): string;
};
