import { canTransition } from '@aiopslab/shared/domain/task-state-machine';
import { isTaskStatus } from '@aiopslab/shared/domain/task-status';

/**
 * What a task's history must look like, checked without I/O. Every transition writes one event,
 * so the recorded rows of a task must form one chain:
 *   null → pending, then each row's from_status is the previous row's to_status, each step is
 *   legal in the state machine, the attempt rises by one exactly when the task enters
 *   `processing` (a claim) and stays put otherwise, and the chain ends at the task's current
 *   status and attempt.
 * A missing link is a gap; a second row for the same (from, to, attempt) step is a duplicate.
 * The chain is ordered by attempt and state-machine phase, not by clock, so clock skew between
 * the hosts that wrote occurred_at (api, workers, reaper) cannot fake a gap.
 */

export interface TaskSnapshot {
  id: string;
  status: string;
  attempt: number;
  /** Last change of the task row; a recent one means its events may still be in flight. */
  updatedAt: Date;
}

export interface HistoryRow {
  event_id: string;
  from_status: string | null;
  to_status: string;
  attempt: number;
}

export type IssueKind = 'gap' | 'duplicate' | 'inconsistent';
export type IssueCode = 'no_history' | 'missing_initial' | 'chain_break' | 'missing_tail' | 'duplicate' | 'illegal_transition' | 'attempt_mismatch';

export interface HistoryIssue {
  kind: IssueKind;
  code: IssueCode;
  message: string;
  /** Rows the issue is about (for duplicates: the extra copies). */
  event_ids?: string[];
}

export interface TaskVerdict {
  task_id: string;
  status: string;
  events: number;
  /** Changed within the grace period: gaps are listed under `excused`, not counted. */
  settling: boolean;
  issues: HistoryIssue[];
  excused: HistoryIssue[];
}

export interface VerifyOptions {
  /** The database's "now" when the task was read. */
  asOf: Date;
  settleMs: number;
}

const stepKey = (row: HistoryRow) => `${row.from_status ?? 'null'}>${row.to_status}#${row.attempt}`;
const step = (row: HistoryRow) => `${row.from_status ?? 'null'} → ${row.to_status} (attempt ${row.attempt})`;

/** The attempt a row must carry right after `previous` (null: the submission, attempt 0). */
function expectedAttempt(previous: HistoryRow | null, row: HistoryRow): number {
  if (!previous) return 0;
  return row.to_status === 'processing' ? previous.attempt + 1 : previous.attempt;
}

/**
 * Where a step sits inside its attempt: the submission, then the claim that starts the attempt
 * (or a pending task's cancel), then how processing ended, then a cancel while retrying.
 */
function phaseOf(row: HistoryRow): number {
  if (row.from_status === null) return 0;
  if (row.to_status === 'processing' || row.from_status === 'pending') return 1;
  if (row.from_status === 'processing') return 2;
  return 3;
}

/**
 * Rows (oldest first) in the order the state machine says they happened: by attempt, then by
 * phase within the attempt; the given (time) order only breaks ties that a valid history
 * never has.
 */
export function orderAsChain(rows: readonly HistoryRow[]): HistoryRow[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => a.row.attempt - b.row.attempt || phaseOf(a.row) - phaseOf(b.row) || a.index - b.index)
    .map(({ row }) => row);
}

function findDuplicates(rows: readonly HistoryRow[]): { unique: HistoryRow[]; issues: HistoryIssue[] } {
  const seen = new Map<string, HistoryRow>();
  const extras = new Map<string, HistoryRow[]>();
  for (const row of rows) {
    const key = stepKey(row);
    if (!seen.has(key)) seen.set(key, row);
    else extras.set(key, [...(extras.get(key) ?? []), row]);
  }
  const issues = [...extras.entries()].map(([key, copies]): HistoryIssue => ({
    kind: 'duplicate',
    code: 'duplicate',
    message: `${step(seen.get(key)!)} recorded ${copies.length + 1} times`,
    event_ids: copies.map((row) => row.event_id),
  }));
  return { unique: [...seen.values()], issues };
}

function checkChain(chain: readonly HistoryRow[]): HistoryIssue[] {
  const issues: HistoryIssue[] = [];
  chain.forEach((row, i) => {
    const previous = i > 0 ? chain[i - 1] : null;
    const from = previous ? previous.to_status : null;
    if (row.from_status !== from) {
      issues.push(
        previous
          ? { kind: 'gap', code: 'chain_break', message: `missing transition(s) from ${from} (attempt ${previous.attempt}) to ${row.from_status} before ${step(row)}`, event_ids: [row.event_id] }
          : { kind: 'gap', code: 'missing_initial', message: `missing the submission null → pending; history starts with ${step(row)}`, event_ids: [row.event_id] },
      );
      return;
    }
    const legal = row.from_status === null ? row.to_status === 'pending' : isTaskStatus(row.from_status) && isTaskStatus(row.to_status) && canTransition(row.from_status, row.to_status);
    if (!legal) issues.push({ kind: 'inconsistent', code: 'illegal_transition', message: `${step(row)} is not a legal transition`, event_ids: [row.event_id] });
    const expected = expectedAttempt(previous, row);
    if (row.attempt !== expected) {
      issues.push({ kind: 'inconsistent', code: 'attempt_mismatch', message: `${step(row)} should carry attempt ${expected}`, event_ids: [row.event_id] });
    }
  });
  return issues;
}

function checkTail(task: TaskSnapshot, last: HistoryRow | undefined): HistoryIssue[] {
  if (!last) return [{ kind: 'gap', code: 'no_history', message: `no transitions recorded; the task is ${task.status} (attempt ${task.attempt})` }];
  if (last.to_status === task.status && last.attempt === task.attempt) return [];
  return [
    {
      kind: 'gap',
      code: 'missing_tail',
      message: `history ends at ${last.to_status} (attempt ${last.attempt}) but the task is ${task.status} (attempt ${task.attempt})`,
    },
  ];
}

/** Compares one task's recorded rows (oldest first) with what its current state implies. */
export function verifyTaskHistory(task: TaskSnapshot, rows: readonly HistoryRow[], options: VerifyOptions): TaskVerdict {
  const { unique, issues: duplicates } = findDuplicates(rows);
  const chain = orderAsChain(unique);
  const all = [...checkChain(chain), ...checkTail(task, chain.at(-1)), ...duplicates];
  const settling = task.updatedAt.getTime() > options.asOf.getTime() - options.settleMs;
  const excusable = (issue: HistoryIssue) => settling && issue.kind === 'gap';
  return {
    task_id: task.id,
    status: task.status,
    events: rows.length,
    settling,
    issues: all.filter((issue) => !excusable(issue)),
    excused: all.filter(excusable),
  };
}
