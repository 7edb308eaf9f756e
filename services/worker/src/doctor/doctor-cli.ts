import Docker from 'dockerode';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { loadDoctorSettings } from './doctor-config';
import { buildReport, formatReportJson, formatReportTable } from './doctor-report';
import { type HostCheck, problem, skip } from './host-check';
import { CHECK_IDS, runHostChecks } from './run-host-checks';

export const DOCTOR_USAGE = `Usage: npm run doctor [-- --json]

Checks this host for real Kind workers: Docker and its cgroups, kind/kubectl/helm versions,
inotify limits, memory, CPUs and disk for the planned workers, the Kind node image and the
preload images in the engine, the AIOpsLab runner (RUNNER_COMMAND --list-problems), LLM keys.

It reads the worker's own settings from the environment (CLUSTER_PROVIDER, WORK_DIR,
RUNNER_COMMAND, KIND_*, RUNNER_ENV_PASSTHROUGH, DOCKER_HOST, ...) and its own:
  DOCTOR_WORKERS=N             workers planned on this host (default 1)
  DOCTOR_AGENTS=gpt,deepseek   agents whose keys must be set (default: all, missing keys only warn)
  DOCTOR_RUNNER_TIMEOUT_SECONDS=120
  DOCTOR_INOTIFY_DIR=/proc/sys/fs/inotify

  --json    the report as JSON
Exit code: 0 no check failed (warnings allowed), 1 a check failed, 2 bad usage or DOCTOR_* setting.`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** `npm run doctor`: reads the settings, runs every check, prints, returns the exit code. */
export async function doctorCli(argv: readonly string[], env: Record<string, string | undefined>, output: CliOutput): Promise<number> {
  const unknown = argv.filter((arg) => !['--json', '--help', '-h'].includes(arg));
  if (unknown.length > 0) {
    output.err(`unknown argument: ${unknown.join(' ')}\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    output.out(DOCTOR_USAGE);
    return 0;
  }
  let settings;
  try {
    settings = loadDoctorSettings(env);
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  const { plan, worker } = settings;
  const checks: HostCheck[] = worker.valid
    ? await runHostChecks({ settings: worker.settings, plan, env, docker: () => new Docker({ timeout: 15_000 }), logger: createLogger('doctor', 'error', true) })
    : invalidWorkerConfig(worker.error);
  const report = buildReport(checks, plan.workers);
  output.out(argv.includes('--json') ? formatReportJson(report) : formatReportTable(report));
  return report.ok ? 0 : 1;
}

/** Without the worker's settings no other check means anything: the one finding is the setting. */
function invalidWorkerConfig(error: string): HostCheck[] {
  return [
    problem('worker-config', 'worker settings', 'fail', error.replace(/\s*\n\s*/g, ' '), 'correct the variable named above (a worker would refuse to start with it)'),
    ...CHECK_IDS.map((id) => skip(id, id, 'the worker settings are invalid')),
  ];
}

if (require.main === module) {
  const output: CliOutput = { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(`${text}\n`) };
  void doctorCli(process.argv.slice(2), process.env, output).then((code) => {
    process.exitCode = code;
  });
}
