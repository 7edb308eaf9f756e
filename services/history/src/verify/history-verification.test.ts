import { HistoryRow, orderAsChain, TaskSnapshot, verifyTaskHistory } from './history-verification';

let n = 0;
const row = (from: string | null, to: string, attempt: number): HistoryRow => ({ event_id: `e${++n}`, from_status: from, to_status: to, attempt });
const asOf = new Date('2026-01-01T12:00:00Z');
const longAgo = new Date('2026-01-01T11:00:00Z');
const task = (status: string, attempt: number, updatedAt = longAgo): TaskSnapshot => ({ id: 't1', status, attempt, updatedAt });
const verify = (t: TaskSnapshot, rows: HistoryRow[], settleMs = 5000) => verifyTaskHistory(t, rows, { asOf, settleMs });
const codes = (verdict: ReturnType<typeof verify>) => verdict.issues.map((i) => i.code);

const completed = () => [row(null, 'pending', 0), row('pending', 'processing', 1), row('processing', 'completed', 1)];
const retriedThenFailed = () => [
  row(null, 'pending', 0),
  row('pending', 'processing', 1),
  row('processing', 'retrying', 1),
  row('retrying', 'processing', 2),
  row('processing', 'retrying', 2),
  row('retrying', 'processing', 3),
  row('processing', 'failed', 3),
];

describe('verifyTaskHistory', () => {
  it('accepts a complete lifecycle, a retried one and every kind of cancel', () => {
    expect(verify(task('completed', 1), completed()).issues).toEqual([]);
    expect(verify(task('failed', 3), retriedThenFailed()).issues).toEqual([]);
    expect(verify(task('cancelled', 0), [row(null, 'pending', 0), row('pending', 'cancelled', 0)]).issues).toEqual([]);
    expect(verify(task('cancelled', 1), [row(null, 'pending', 0), row('pending', 'processing', 1), row('processing', 'retrying', 1), row('retrying', 'cancelled', 1)]).issues).toEqual([]);
    expect(verify(task('processing', 1), completed().slice(0, 2)).issues).toEqual([]);
  });

  it('when a middle transition is missing, reports one gap naming both ends', () => {
    const rows = retriedThenFailed();
    rows.splice(2, 1); // processing → retrying (attempt 1) lost
    const verdict = verify(task('failed', 3), rows);
    expect(codes(verdict)).toEqual(['chain_break']);
    expect(verdict.issues[0].message).toContain('from processing (attempt 1) to retrying');
  });

  it('when the submission or the last transition is missing, or nothing was recorded, reports a gap', () => {
    expect(codes(verify(task('completed', 1), completed().slice(1)))).toEqual(['missing_initial']);
    expect(codes(verify(task('completed', 1), completed().slice(0, 2)))).toEqual(['missing_tail']);
    expect(codes(verify(task('pending', 0), []))).toEqual(['no_history']);
    // same status, older attempt: the whole retry cycle at the end is missing
    expect(codes(verify(task('processing', 2), completed().slice(0, 2)))).toEqual(['missing_tail']);
  });

  it('reports a step recorded twice under different event ids as a duplicate, and nothing else', () => {
    const rows = completed();
    const copy = { ...rows[1], event_id: 'copy' };
    rows.splice(2, 0, copy);
    const verdict = verify(task('completed', 1), rows);
    expect(codes(verdict)).toEqual(['duplicate']);
    expect(verdict.issues[0].event_ids).toEqual(['copy']);
  });

  it('does not mistake clock skew between hosts for a gap: rows are linked, not sorted by time', () => {
    const [submitted, claimed, done] = completed();
    expect(verify(task('completed', 1), [claimed, submitted, done]).issues).toEqual([]);
    const rows = retriedThenFailed();
    const shuffled = [rows[0], rows[3], rows[1], rows[5], rows[2], rows[6], rows[4]];
    expect(orderAsChain(shuffled).map((r) => r.event_id)).toEqual(rows.map((r) => r.event_id));
    expect(verify(task('failed', 3), shuffled).issues).toEqual([]);
  });

  it('flags illegal steps and attempts that do not add up', () => {
    expect(codes(verify(task('processing', 1), [row(null, 'pending', 0), row('pending', 'completed', 0), row('completed', 'processing', 1)]))).toEqual(['illegal_transition', 'illegal_transition']);
    // a claim that did not increment the attempt
    expect(codes(verify(task('completed', 0), [row(null, 'pending', 0), row('pending', 'processing', 0), row('processing', 'completed', 0)]))).toEqual(['attempt_mismatch']);
    expect(codes(verify(task('pending', 0), [row(null, 'pending', 3)]))).toContain('attempt_mismatch');
  });

  it('within the settle grace, excuses gaps (events may be in flight) but never duplicates', () => {
    const recent = new Date(asOf.getTime() - 1000);
    const rows = completed().slice(0, 2);
    const settling = verify(task('completed', 1, recent), rows, 5000);
    expect(settling).toMatchObject({ settling: true, issues: [] });
    expect(settling.excused.map((i) => i.code)).toEqual(['missing_tail']);
    expect(codes(verify(task('completed', 1, recent), rows, 0))).toEqual(['missing_tail']);
    const duplicated = [...completed(), { ...completed()[2], event_id: 'again' }];
    expect(codes(verify(task('completed', 1, recent), duplicated, 5000))).toEqual(['duplicate']);
  });
});
