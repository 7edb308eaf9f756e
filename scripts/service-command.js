// How a service process is started, in one place: `node`, the V8 flags its package.json names
// (`nodeOptions`, the same flags its Dockerfile's CMD passes), then its built entry point. Used
// by `npm start`, the benchmarks and the tests that run services as real processes.
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** The entry point of a service: services/<name>/dist/main.js. */
function serviceMain(name) {
  return path.join(root, 'services', name, 'dist', 'main.js');
}

/** The arguments to pass to `node` (process.execPath) to start a service. */
function serviceArgs(name) {
  const nodeOptions = require(path.join(root, 'services', name, 'package.json')).nodeOptions ?? [];
  return [...nodeOptions, serviceMain(name)];
}

module.exports = { serviceMain, serviceArgs };
