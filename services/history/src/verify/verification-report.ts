import type { TaskVerdict } from './history-verification';

export interface VerificationSummary {
  ok: boolean;
  as_of: string | null;
  settle_ms: number;
  tasks_checked: number;
  events_checked: number;
  tasks_with_issues: number;
  /** Missing links (each may stand for one or more lost events). */
  gaps: number;
  /** Extra rows for a step already recorded. */
  duplicates: number;
  /** Illegal steps and attempt numbers that do not add up. */
  inconsistencies: number;
  /** Tasks changed within the grace period whose gaps were not counted. */
  settling: number;
}

export interface VerificationReport {
  summary: VerificationSummary;
  /** Tasks with counted issues, then settling tasks with excused gaps. */
  tasks: TaskVerdict[];
}

/** Accumulates verdicts page by page, keeping only tasks worth showing. Pure. */
export class VerificationTally {
  private readonly summary: VerificationSummary;
  private readonly failing: TaskVerdict[] = [];
  private readonly excused: TaskVerdict[] = [];

  constructor(settleMs: number) {
    this.summary = { ok: true, as_of: null, settle_ms: settleMs, tasks_checked: 0, events_checked: 0, tasks_with_issues: 0, gaps: 0, duplicates: 0, inconsistencies: 0, settling: 0 };
  }

  add(verdict: TaskVerdict, asOf: Date): void {
    const s = this.summary;
    s.as_of ??= asOf.toISOString();
    s.tasks_checked++;
    s.events_checked += verdict.events;
    if (verdict.settling) s.settling++;
    for (const issue of verdict.issues) {
      if (issue.kind === 'gap') s.gaps++;
      else if (issue.kind === 'duplicate') s.duplicates += issue.event_ids?.length ?? 1;
      else s.inconsistencies++;
    }
    if (verdict.issues.length > 0) {
      s.tasks_with_issues++;
      this.failing.push(verdict);
    } else if (verdict.excused.length > 0) {
      this.excused.push(verdict);
    }
    s.ok = s.tasks_with_issues === 0;
  }

  report(): VerificationReport {
    return { summary: { ...this.summary }, tasks: [...this.failing, ...this.excused] };
  }
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

/** A table for people: one line per issue, then a summary line. */
export function formatReportTable(report: VerificationReport): string {
  const lines: string[] = [];
  const header = [pad('TASK', 36), pad('STATUS', 10), pad('EVENTS', 6), pad('ISSUE', 12), 'DETAIL'].join('  ');
  if (report.tasks.length > 0) lines.push(header, '-'.repeat(header.length + 30));
  for (const verdict of report.tasks) {
    const rows = [...verdict.issues.map((i) => ({ label: i.code, message: i.message })), ...verdict.excused.map((i) => ({ label: 'settling', message: `(not counted) ${i.message}` }))];
    rows.forEach((row, index) => {
      const first = index === 0;
      lines.push([pad(first ? verdict.task_id : '', 36), pad(first ? verdict.status : '', 10), pad(first ? String(verdict.events) : '', 6), pad(row.label, 12), row.message].join('  '));
    });
  }
  const s = report.summary;
  if (report.tasks.length > 0) lines.push('');
  lines.push(
    `${s.ok ? 'OK' : 'FAILED'}: ${s.tasks_checked} tasks, ${s.events_checked} events checked; ` +
      `${s.gaps} gaps, ${s.duplicates} duplicates, ${s.inconsistencies} inconsistencies in ${s.tasks_with_issues} tasks; ` +
      `${s.settling} tasks changed within the last ${s.settle_ms} ms (gaps not counted)`,
  );
  return lines.join('\n');
}
