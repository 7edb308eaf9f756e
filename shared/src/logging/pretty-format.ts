import winston from 'winston';

/**
 * The readable form of a log line, for a person at a terminal (`npm start` on a TTY):
 *
 *   14:03:12.532 worker  info  task finished  task_id=… worker_id=… correlation_id=… status=completed
 *
 * time, service, level (coloured), message, then every other field as key=value with the ids
 * that tie lines together first. A `stack` field (and any Error in a field) is printed below the
 * line as it is. Nothing is dropped: every field of the JSON line is on the readable one.
 */

/** Fields shown first, in this order, when present. */
const LEADING_FIELDS = ['task_id', 'worker_id', 'correlation_id'];
/** Fields that have their own place on the line. */
const PLACED_FIELDS = new Set(['timestamp', 'service', 'level', 'message', 'stack']);
const SERVICE_WIDTH = 7; // "history"
const LEVEL_WIDTH = 5; // "debug"
const LEVEL = Symbol.for('level');

const grey = (text: string) => `\x1b[90m${text}\x1b[39m`;

/** A value as it reads after `key=`: plain when that is unambiguous, else JSON. */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return /^[\w.:/@%+,#-]+$/.test(value) ? value : JSON.stringify(value);
  if (value instanceof Error) return JSON.stringify(value.message);
  if (value === undefined || typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // a circular object: say what it is rather than drop the line
  }
}

function orderedFields(info: Record<string, unknown>): [string, unknown][] {
  const rest = Object.keys(info).filter((key) => !PLACED_FIELDS.has(key) && !LEADING_FIELDS.includes(key));
  return [...LEADING_FIELDS.filter((key) => key in info), ...rest].map((key) => [key, info[key]]);
}

/** The stacks to print under the line: the `stack` field, then any Error among the fields. */
function stacksOf(info: Record<string, unknown>): string[] {
  const stacks = typeof info.stack === 'string' && info.stack ? [info.stack] : [];
  for (const value of Object.values(info)) if (value instanceof Error && value.stack) stacks.push(value.stack);
  return stacks;
}

/** One entry (after the timestamp and colorize formats) as readable text; pure, for tests. */
export function renderPrettyLine(info: winston.Logform.TransformableInfo): string {
  const entry = info as Record<string | symbol, unknown>;
  const rawLevel = String(entry[LEVEL] ?? info.level);
  const level = String(info.level) + ' '.repeat(Math.max(0, LEVEL_WIDTH - rawLevel.length));
  const message = typeof info.message === 'string' ? info.message : renderValue(info.message);
  const fields = orderedFields(info).map(([key, value]) => `${grey(`${key}=`)}${renderValue(value)}`);
  const head = [grey(String(info.timestamp ?? '')), String(info.service ?? '').padEnd(SERVICE_WIDTH), level, message].join(' ');
  const line = fields.length > 0 ? `${head}  ${fields.join(' ')}` : head;
  return [line, ...stacksOf(info)].join('\n');
}

/** The winston format of readable lines: local time of day, coloured level, fields, stacks. */
export function prettyFormat(): winston.Logform.Format {
  return winston.format.combine(
    winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
    winston.format.colorize({ level: true }),
    winston.format.printf(renderPrettyLine),
  );
}
