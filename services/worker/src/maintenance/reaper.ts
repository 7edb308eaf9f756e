import type { Logger } from '@aiopslab/shared/logging/logger';
import type { Leadership } from './lease-leader';

/**
 * Runs `pass` every `intervalMs` when this worker holds the reaper lease; every
 * worker runs the loop, one at a time reaps. A failing pass is logged and the loop goes on.
 */
export class Reaper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly leader: Leadership,
    private readonly pass: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly onLeadership: (leader: boolean) => void = () => undefined,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** One tick now (tests, and right after start). */
  tick(): Promise<void> {
    this.running ??= this.runOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.leader.release();
    this.onLeadership(false);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick().then(() => this.schedule(this.intervalMs)), delay);
  }

  private async runOnce(): Promise<void> {
    try {
      if (this.stopped) return;
      const led = await this.leader.runIfLeader(this.pass);
      this.onLeadership(led);
    } catch (error) {
      this.logger.error('reaper pass failed', { error: (error as Error).message });
    }
  }
}
