import { createSqlDb } from '@aiopslab/shared/db/sql';
import { loadVerifyConfig } from './config';
import { parseVerifyArgs, VERIFY_USAGE } from './verify/verify-args';
import { formatReportTable } from './verify/verification-report';
import { runVerification } from './verify/run-verification';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/**
 * `npm run history:verify`: loads, compares, prints. Returns the exit status:
 * 0 clean, 1 gaps/duplicates/inconsistencies found, 2 bad usage or configuration or database error.
 */
export async function verifyCli(argv: readonly string[], env: Record<string, string | undefined>, output: CliOutput): Promise<number> {
  let args;
  let config;
  try {
    args = parseVerifyArgs(argv);
    config = loadVerifyConfig(env);
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${VERIFY_USAGE}`);
    return 2;
  }
  if (args.help) {
    output.out(VERIFY_USAGE);
    return 0;
  }
  const db = createSqlDb(config.DATABASE_URL, 2);
  try {
    const report = await runVerification(db, { taskIds: args.taskIds.length > 0 ? args.taskIds : undefined, since: args.since }, args.settleMs);
    output.out(args.json ? JSON.stringify(report, null, 2) : formatReportTable(report));
    const missing = args.taskIds.length - report.summary.tasks_checked;
    if (missing > 0) {
      output.err(`${missing} of the given task ids do not exist`);
      return 2;
    }
    return report.summary.ok ? 0 : 1;
  } catch (error) {
    output.err(`history:verify failed: ${(error as Error).message}`);
    return 2;
  } finally {
    await db.$disconnect();
  }
}

if (require.main === module) {
  const output: CliOutput = { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) };
  void verifyCli(process.argv.slice(2), process.env, output).then((code) => {
    process.exitCode = code;
  });
}
