import type { SqlDb } from '../db/sql';
import { DISPATCH_PASS_LIMIT, dispatchNeed, dispatchWaitingTasks, DispatchWindow, redispatchLostTasks } from '../tables/tasks-dispatch';
import type { OutboxWake } from './task-store';
import { sleep } from '../lifecycle/sleep';

const LOCKED_RETRY_MS = 20;
const LOCKED_RETRIES = 100;

/**
 * The one writer of new tasks' dispatch messages. The broker holds a window of dispatched,
 * unclaimed tasks (DispatchWindow); every change that frees room in it (a claim, a cancel) or
 * adds waiting tasks (a submission) nudges a pass, and the reaper's leader runs one every
 * interval as the safety net (a pass lost with its process, a window grown by new workers).
 *
 * Nudges coalesce: at most one pass runs per process, and nudges during it cause exactly one
 * more. A failed pass is reported to `onError`; the next nudge or the leader's pass recovers.
 */
export class Dispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private insist = false;

  constructor(
    private readonly deps: {
      db: SqlDb;
      window: DispatchWindow;
      route: { exchange: string; routingKey: string };
      outbox: OutboxWake;
      onError: (error: Error) => void;
    },
  ) {}

  /**
   * Asks for a pass soon; never throws. `afterSubmission`: tasks were just left waiting by a
   * submission, so a pass that finds the dispatch lock taken tries again shortly (below).
   */
  nudge(options: { afterSubmission?: boolean } = {}): void {
    if (options.afterSubmission) this.insist = true;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** One pass now, published before it returns: how many tasks it dispatched (see fill). */
  async pass(options: { refill?: 'half' | 'any' } = {}): Promise<number> {
    return (await this.fill(options.refill ?? 'any')).dispatched;
  }

  /**
   * Dispatches again the waiting tasks dispatched more than `olderThanMs` ago, published before it
   * returns; only when the dispatch queue holds no ready message (tables/tasks-dispatch.ts says why).
   */
  async redispatchLost(olderThanMs: number): Promise<number> {
    const { db, route, outbox } = this.deps;
    const announced = await redispatchLostTasks(db, olderThanMs, route, { direct: true });
    if (announced.length > 0) outbox.committed(announced);
    return announced.length;
  }

  /** Resolves when no nudged pass is running or due (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * `'half'` (a nudge) passes only once the window is at most half full, so that under load one
   * pass fills the places of many claims instead of one pass per claim; `'any'` fills whatever
   * room there is (the leader's pass, tests). A pass that finds the lock taken leaves the room to
   * its holder and returns (`locked`): waiting for the lock, or retrying, would take connections
   * claims need (a hundred workers' retries starved a PgBouncer pool in the fleet bench). So a
   * pass that held the lock looks again after its commit, and passes again while tasks wait and
   * the window has room: whoever found the lock taken meanwhile did so before that look. The one
   * holder that does not look again is a submission's INSERT (submissionDispatchRoom): what it
   * turned away is a submission's, whose nudge insists (loop).
   */
  private async fill(refill: 'half' | 'any'): Promise<{ dispatched: number; locked: boolean }> {
    const { db, window, route, outbox } = this.deps;
    // With no backlog (tasks dispatched at their submission) a claim costs one probe, not a locked pass.
    const need = await dispatchNeed(db, window);
    if (!need.waits || (refill === 'half' && need.used > Math.floor(need.size / 2))) return { dispatched: 0, locked: false };
    let dispatched = 0;
    for (;;) {
      const pass = await db.$transaction((tx) => dispatchWaitingTasks(tx, window, route, { direct: true }));
      if (pass === null) return { dispatched, locked: true };
      outbox.committed(pass.announced ?? undefined); // a large pass: the relay publishes it in claimed batches
      dispatched += pass.dispatched;
      if (pass.dispatched === 0) return { dispatched, locked: false };
      if (pass.dispatched < DISPATCH_PASS_LIMIT) {
        const after = await dispatchNeed(db, window);
        if (!after.waits || after.used >= after.size) return { dispatched, locked: false };
      }
    }
  }

  /**
   * Nudged passes, one at a time. After a submission, a pass that found the lock taken tries again
   * every LOCKED_RETRY_MS, up to LOCKED_RETRIES times: its holder may be another submission's
   * INSERT, which does not look again. Only submitters (the api's few processes) insist; a
   * worker's claim leaves it to the holder.
   */
  private async loop(): Promise<void> {
    do {
      this.again = false;
      const insist = this.insist;
      this.insist = false;
      try {
        for (let tries = 0; ; tries++) {
          const { locked } = await this.fill('half');
          if (!locked || !insist || tries >= LOCKED_RETRIES) break;
          await sleep(LOCKED_RETRY_MS);
        }
      } catch (error) {
        this.deps.onError(error as Error);
      }
    } while (this.again);
  }
}
