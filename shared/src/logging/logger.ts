import winston from 'winston';
import { currentLogContext } from './correlation';

export type Logger = winston.Logger;

const withContext = winston.format((info) => Object.assign(info, currentLogContext(), info));

/** JSON lines on stdout: fixed messages, variables as fields, the log context on every line. */
export function createLogger(service: string, level = 'info', silent = false): Logger {
  return winston.createLogger({
    level,
    silent,
    defaultMeta: { service },
    format: winston.format.combine(withContext(), winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
