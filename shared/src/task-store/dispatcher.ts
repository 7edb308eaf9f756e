import type { SqlDb } from '../db/sql';
import { DISPATCH_PASS_LIMIT, dispatchNeed, dispatchWaitingTasks, DispatchWindow, redispatchLostTasks } from '../tables/tasks-dispatch';
import type { OutboxWake } from './task-store';

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

  constructor(
    private readonly deps: {
      db: SqlDb;
      window: DispatchWindow;
      route: { exchange: string; routingKey: string };
      outbox: OutboxWake;
      onError: (error: Error) => void;
    },
  ) {}

  /** Asks for a pass soon; never throws. */
  nudge(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /**
   * One pass now, published before it returns: how many tasks it dispatched. `refill: 'half'`
   * (a nudge) passes only once the window is at most half full, so that under load one pass
   * fills the places of many claims instead of one pass per claim; the default fills whatever
   * room there is (the leader's pass, tests). A pass that finds another one running leaves the
   * room to it and returns: waiting for the lock, or retrying, would take connections claims
   * need (a hundred workers' retries starved a PgBouncer pool in the fleet bench). What the
   * running pass's snapshot missed is filled by the next claim's pass, or the leader's. A pass
   * that filled DISPATCH_PASS_LIMIT goes on with the next.
   */
  async pass(options: { refill?: 'half' | 'any' } = {}): Promise<number> {
    const { db, window, route, outbox } = this.deps;
    // With no backlog (every task dispatched at its submission) a claim costs one probe, not a locked pass.
    const need = await dispatchNeed(db, window);
    if (!need.waits || (options.refill === 'half' && need.used > Math.floor(need.size / 2))) return 0;
    let dispatched = 0;
    for (;;) {
      const pass = await db.$transaction((tx) => dispatchWaitingTasks(tx, window, route, { direct: true }));
      if (pass === null) return dispatched;
      outbox.committed(pass.announced ?? undefined); // a large pass: the relay publishes it in claimed batches
      dispatched += pass.dispatched;
      if (pass.dispatched < DISPATCH_PASS_LIMIT) return dispatched;
    }
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

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass({ refill: 'half' });
      } catch (error) {
        this.deps.onError(error as Error);
      }
    } while (this.again);
  }
}
