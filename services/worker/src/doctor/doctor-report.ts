import { type CheckStatus, type HostCheck, summarize } from './host-check';

const LABELS: Record<CheckStatus, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

export interface DoctorReport {
  workers: number;
  ok: boolean;
  summary: ReturnType<typeof summarize>;
  checks: HostCheck[];
}

export function buildReport(checks: HostCheck[], workers: number): DoctorReport {
  const summary = summarize(checks);
  return { workers, ok: summary.fail === 0, summary, checks };
}

/** The terminal form: a table of every check, then the fix of each warning and failure. */
export function formatReportTable(report: DoctorReport): string {
  const nameWidth = Math.max(5, ...report.checks.map((check) => check.name.length));
  const row = (status: string, name: string, detail: string) => `${status.padEnd(6)}  ${name.padEnd(nameWidth)}  ${detail}`;
  const lines = [
    `AIOpsLab doctor: this host, planned for ${report.workers} Kind worker${report.workers === 1 ? '' : 's'} (DOCTOR_WORKERS)`,
    '',
    row('STATUS', 'CHECK', 'DETAIL'),
    ...report.checks.map((check) => row(LABELS[check.status], check.name, check.detail)),
  ];
  const toFix = report.checks.filter((check) => check.fix && (check.status === 'fail' || check.status === 'warn'));
  if (toFix.length > 0) {
    lines.push('', 'How to fix:');
    for (const check of [...toFix].sort((a, b) => Number(b.status === 'fail') - Number(a.status === 'fail'))) {
      lines.push(`  ${LABELS[check.status]} ${check.name}:`, ...check.fix!.split('\n').map((line) => `    ${line}`));
    }
  }
  const { ok, warn, fail, skip } = report.summary;
  lines.push('', `${fail} failed, ${warn} warnings, ${ok} ok, ${skip} skipped: ${report.ok ? 'no check failed' : 'fix the failures above before starting Kind workers'}`);
  return lines.join('\n');
}

export function formatReportJson(report: DoctorReport): string {
  return JSON.stringify(report, null, 2);
}
