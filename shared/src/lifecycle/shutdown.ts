import type { Logger } from '../logging/logger';

type Step = { name: string; run: () => Promise<void> | void };

/**
 * Named cleanup steps run in reverse order of registration, each guarded, under one deadline.
 * A second signal forces the exit.
 */
export class Shutdown {
  private readonly steps: Step[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly deadlineMs: number,
  ) {}

  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  run(reason: string): Promise<void> {
    this.running ??= this.runSteps(reason);
    return this.running;
  }

  private async runSteps(reason: string): Promise<void> {
    this.logger.info('shutting down', { reason });
    const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), this.deadlineMs).unref());
    const startedAt = Date.now();
    const all = (async () => {
      for (const step of [...this.steps].reverse()) {
        const stepStart = Date.now();
        try {
          await step.run();
          this.logger.debug('shutdown step done', { step: step.name, duration_ms: Date.now() - stepStart });
        } catch (error) {
          this.logger.error('shutdown step failed', { step: step.name, error: (error as Error).message });
        }
      }
      this.logger.info('shutdown complete', { duration_ms: Date.now() - startedAt });
    })();
    if ((await Promise.race([all, deadline])) === 'deadline') {
      this.logger.error('shutdown deadline passed; exiting with work unfinished', { deadline_ms: this.deadlineMs });
    }
  }

  /**
   * SIGTERM/SIGINT run the steps then exit(0). A second signal exits(1) at once, unless `hurry`
   * is given: then the second signal calls it (the worker hands its task back now instead of
   * waiting for it) and a third one exits.
   */
  installSignalHandlers(exit: (code: number) => void = process.exit, hurry?: () => void): void {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals === 2 && hurry) {
        this.logger.warn('second signal; not waiting any longer (a third signal exits at once)', { signal });
        hurry();
        return;
      }
      if (signals > 1) {
        this.logger.warn('another signal; forcing exit', { signal });
        exit(1);
        return;
      }
      void this.run(signal).then(() => exit(0));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
}
