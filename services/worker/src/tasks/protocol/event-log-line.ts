import type { RunnerEvent } from '@aiopslab/shared/schemas/runner-protocol';
import type { LogLevel } from '@aiopslab/shared/tables/task-logs';

export interface EventLogLine {
  level: LogLevel;
  message: string;
}

const LEVELS: Record<string, LogLevel> = { debug: 'debug', info: 'info', warning: 'warn', error: 'error' };

function clip(text: string | null | undefined, max: number): string {
  const value = text ?? '';
  return value.length > max ? `${value.slice(0, max)}… [${value.length - max} more characters]` : value;
}

function seconds(value: number | null | undefined): string {
  return typeof value === 'number' ? `${Math.round(value * 10) / 10} s` : 'unknown time';
}

/**
 * The `system` log line(s) that make a protocol event visible in GET /tasks/{id}/logs while the
 * task runs (pure). The full data goes into the result; these lines are short on purpose.
 */
export function describeEvent(event: RunnerEvent): EventLogLine[] {
  switch (event.type) {
    case 'log':
      return [{ level: LEVELS[event.level] ?? 'info', message: event.message }];
    case 'session_started':
      return [{ level: 'info', message: `AIOpsLab session ${event.session_id} started` }];
    case 'setup_done':
      return [{ level: 'info', message: `problem set up in ${seconds(event.duration_s)}: ${clip(event.task_description, 300)}` }];
    case 'step': {
      const tokens = event.usage?.total_tokens ? `, ${event.usage.total_tokens} tokens` : '';
      const took = typeof event.duration_s === 'number' ? ` (${seconds(event.duration_s)}${tokens})` : tokens ? ` (${tokens.slice(2)})` : '';
      return [{ level: 'info', message: `step ${event.n}${took}: ${clip(event.action, 500)}` }];
    }
    case 'metric':
      return [{ level: 'info', message: `metric ${event.name} = ${event.value}${event.unit ? ` ${event.unit}` : ''}` }];
    case 'result':
      return [{ level: 'info', message: `result: ${clip(JSON.stringify(event.results), 1000)}` }];
    case 'error': {
      const lines: EventLogLine[] = [{ level: 'error', message: `runner error in ${event.phase} (${event.retryable ? 'retryable' : 'not retryable'}): ${event.error_type}: ${clip(event.message, 2000)}` }];
      if (event.traceback) lines.push({ level: 'error', message: clip(event.traceback, 8000) });
      return lines;
    }
    case 'problems':
      return [{ level: 'info', message: `runner listed ${event.problems.length} problems` }];
  }
}
