import winston from 'winston';
import { currentLogContext } from './correlation';

export type Logger = winston.Logger;

const withContext = winston.format((info) => Object.assign(info, currentLogContext(), info));

let stdioGuarded = false;

/**
 * When whoever reads our stdout goes away (a supervisor that died, a closed pipe), every write
 * fails with EPIPE. Unhandled, that error is an uncaught exception per log line, and a handler
 * that logs it makes another one: a process spinning and growing instead of shutting down. The
 * lines have nowhere to go, so the error is dropped.
 */
function guardStdio(): void {
  if (stdioGuarded) return;
  stdioGuarded = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

/** JSON lines on stdout: fixed messages, variables as fields, the log context on every line. */
export function createLogger(service: string, level = 'info', silent = false): Logger {
  guardStdio();
  return winston.createLogger({
    level,
    silent,
    defaultMeta: { service },
    format: winston.format.combine(withContext(), winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
