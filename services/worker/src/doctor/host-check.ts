/** One line of the doctor's report: what was checked, how it went, and what to do about it. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface HostCheck {
  /** Stable id (e.g. `inotify`, `llm-key:gpt`), for machines and for `runHostChecks({ only })`. */
  id: string;
  /** What a person reads in the table. */
  name: string;
  status: CheckStatus;
  detail: string;
  /** The exact command or setting that fixes a warn or fail; null when there is nothing to do. */
  fix: string | null;
}

export interface CheckSummary {
  ok: number;
  warn: number;
  fail: number;
  skip: number;
}

export const ok = (id: string, name: string, detail: string): HostCheck => ({ id, name, status: 'ok', detail, fix: null });
export const skip = (id: string, name: string, detail: string): HostCheck => ({ id, name, status: 'skip', detail, fix: null });
export const problem = (id: string, name: string, status: 'warn' | 'fail', detail: string, fix: string): HostCheck => ({ id, name, status, detail, fix });

export function summarize(checks: readonly HostCheck[]): CheckSummary {
  const summary: CheckSummary = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) summary[check.status] += 1;
  return summary;
}

/** The doctor's exit code: 0 when no check failed (warnings allowed), 1 otherwise. */
export function exitCodeOf(checks: readonly HostCheck[]): 0 | 1 {
  return checks.some((check) => check.status === 'fail') ? 1 : 0;
}
