import winston from 'winston';
import { currentLogContext } from './correlation';
import { prettyFormat } from './pretty-format';

export type Logger = winston.Logger;

/** json: one JSON object a line (containers, pipes, files); pretty: readable lines for a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** No output at all (tests). */
  silent?: boolean;
  /** LOG_FORMAT; json unless the caller knows a person reads the output. */
  format?: LogFormat;
}

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

/** The format of every line: the log context, then JSON (the default) or the readable form. */
export function logFormat(format: LogFormat = 'json'): winston.Logform.Format {
  if (format === 'pretty') return winston.format.combine(withContext(), winston.format.errors({ stack: true }), prettyFormat());
  return winston.format.combine(withContext(), winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json());
}

/**
 * Lines on stdout: fixed messages, variables as fields, the log context on every line. The third
 * argument is the options, or (as older callers pass it) just `silent`.
 */
export function createLogger(service: string, level = 'info', options: LoggerOptions | boolean = {}): Logger {
  const { silent = false, format = 'json' } = typeof options === 'boolean' ? { silent: options } : options;
  guardStdio();
  return winston.createLogger({
    level,
    silent,
    defaultMeta: { service },
    format: logFormat(format),
    transports: [new winston.transports.Console()],
  });
}
