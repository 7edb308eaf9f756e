export interface VerifyArgs {
  taskIds: string[];
  since: Date | null;
  settleMs: number;
  json: boolean;
  help: boolean;
}

export const VERIFY_USAGE = `Usage: npm run history:verify -- [--task <id>]... [--since <iso-time>] [--settle-ms <n>] [--json]

Checks that every task's status history is one unbroken chain of transitions, from
null → pending to the task's current status, without duplicates.

  --task <id>       check only this task (repeatable)
  --since <time>    check only tasks created at or after this ISO 8601 time
  --settle-ms <n>   tasks changed less than n ms ago may still have events in flight:
                    their gaps are shown but not counted (default 5000)
  --json            print a JSON report instead of a table

Exit status: 0 no gaps or duplicates, 1 issues found, 2 bad usage or database error.
Reads DATABASE_URL.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses the command line (without node and script). Pure; throws UsageError naming the flag. */
export function parseVerifyArgs(argv: readonly string[]): VerifyArgs {
  const args: VerifyArgs = { taskIds: [], since: null, settleMs: 5000, json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--task': {
        const id = value();
        if (!UUID.test(id)) throw new UsageError(`--task must be a task id (uuid), got "${id}"`);
        if (!args.taskIds.includes(id.toLowerCase())) args.taskIds.push(id.toLowerCase());
        break;
      }
      case '--since': {
        const text = value();
        const since = new Date(text);
        if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(since.getTime())) throw new UsageError(`--since must be an ISO 8601 time such as 2026-01-31T12:00:00Z, got "${text}"`);
        args.since = since;
        break;
      }
      case '--settle-ms': {
        const text = value();
        if (!/^\d+$/.test(text)) throw new UsageError(`--settle-ms must be a whole number of milliseconds, got "${text}"`);
        args.settleMs = Number(text);
        break;
      }
      case '--json':
        args.json = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new UsageError(`unknown argument "${argv[i]}"`);
    }
  }
  return args;
}
