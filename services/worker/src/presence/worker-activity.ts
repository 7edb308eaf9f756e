import type { WorkerStatus } from '@aiopslab/shared/tables/workers';

export type ReportedStatus = Exclude<WorkerStatus, 'offline'>;

/**
 * What the heartbeat reports: idle, busy with a task, preparing its cluster (between tasks, taking
 * none), unhealthy (its environment is broken, with the reason), or draining before shutdown.
 * Draining wins over busy, busy over unhealthy, unhealthy over preparing.
 */
export class WorkerActivity {
  private drainingNow = false;
  private taskId: string | null = null;
  private healthReason: string | null = null;
  private preparingNow = false;
  clusterName: string | null = null;

  busy(taskId: string): void {
    this.taskId = taskId;
  }

  idle(): void {
    this.taskId = null;
  }

  draining(): void {
    this.drainingNow = true;
  }

  unhealthy(reason: string): void {
    this.healthReason = reason;
  }

  healthy(): void {
    this.healthReason = null;
  }

  preparing(): void {
    this.preparingNow = true;
  }

  prepared(): void {
    this.preparingNow = false;
  }

  snapshot(): { status: ReportedStatus; currentTaskId: string | null; healthReason: string | null } {
    const status: ReportedStatus = this.drainingNow ? 'draining' : this.taskId ? 'busy' : this.healthReason ? 'unhealthy' : this.preparingNow ? 'preparing' : 'idle';
    return { status, currentTaskId: this.taskId, healthReason: status === 'unhealthy' ? this.healthReason : null };
  }

  get unhealthyReason(): string | null {
    return this.healthReason;
  }
}
