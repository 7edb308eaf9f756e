import { assertTransition, canTransition, IllegalTransitionError, sourcesOf } from './task-state-machine';
import { TASK_STATUSES, TERMINAL_STATUSES } from './task-status';

describe('task state machine', () => {
  it('allows the documented lifecycle', () => {
    expect(canTransition('pending', 'processing')).toBe(true);
    expect(canTransition('processing', 'completed')).toBe(true);
    expect(canTransition('processing', 'retrying')).toBe(true);
    expect(canTransition('retrying', 'processing')).toBe(true);
    expect(canTransition('pending', 'cancelled')).toBe(true);
    expect(canTransition('retrying', 'cancelled')).toBe(true);
    expect(canTransition('processing', 'timed_out')).toBe(true);
  });

  it('never lets a terminal status change again', () => {
    for (const from of TERMINAL_STATUSES) {
      for (const to of TASK_STATUSES) {
        expect(canTransition(from, to)).toBe(false);
        expect(() => assertTransition(from, to)).toThrow(/never changes again/);
      }
    }
  });

  it('rejects skipping the claim', () => {
    expect(canTransition('pending', 'completed')).toBe(false);
    expect(() => assertTransition('pending', 'completed')).toThrow(IllegalTransitionError);
    expect(() => assertTransition('retrying', 'failed')).toThrow(/allowed: processing, cancelled/);
  });

  it('derives the SQL guard of each target status', () => {
    expect(sourcesOf('processing').sort()).toEqual(['pending', 'retrying']);
    expect(sourcesOf('cancelled').sort()).toEqual(['pending', 'processing', 'retrying']);
    expect(sourcesOf('pending')).toEqual([]);
  });
});
