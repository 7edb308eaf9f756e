import type { RunAggregates } from '@aiopslab/shared/tables/runs-results';
import { countsFingerprint, ResultsCache } from './results-cache';

const aggregates = (n: number): RunAggregates => ({ groups: [], problems: [{ agent_label: 'a', task_type: 'detection', key: 'p', n, solved: 0 }], repeats: [] });

describe('results cache', () => {
  it('answers only for the fingerprint it was stored under', () => {
    const cache = new ResultsCache();
    cache.set('r1', 'f1', aggregates(1));
    expect(cache.get('r1', 'f1')).toEqual(aggregates(1));
    expect(cache.get('r1', 'f2')).toBeUndefined();
    expect(cache.get('r2', 'f1')).toBeUndefined();
  });

  it('keeps the most recently used runs', () => {
    const cache = new ResultsCache(2);
    cache.set('r1', 'f', aggregates(1));
    cache.set('r2', 'f', aggregates(2));
    cache.get('r1', 'f');
    cache.set('r3', 'f', aggregates(3));
    expect(cache.get('r2', 'f')).toBeUndefined();
    expect(cache.get('r1', 'f')).toEqual(aggregates(1));
    expect(cache.get('r3', 'f')).toEqual(aggregates(3));
  });

  it('fingerprints change with any count or completion time, not with row order', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const base = [{ status: 'completed', n: 3, last_completed_at: at }, { status: 'pending', n: 1, last_completed_at: null }];
    expect(countsFingerprint(base)).toBe(countsFingerprint([...base].reverse()));
    expect(countsFingerprint(base)).not.toBe(countsFingerprint([{ ...base[0], n: 4 }, base[1]]));
    expect(countsFingerprint(base)).not.toBe(countsFingerprint([{ ...base[0], last_completed_at: new Date(at.getTime() + 1) }, base[1]]));
  });
});
