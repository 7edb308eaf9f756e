import type { WorkerStatus } from '@aiopslab/shared/db/worker-registry';

/** What the heartbeat reports: idle, busy with a task, or draining before shutdown. */
export class WorkerActivity {
  private status: Exclude<WorkerStatus, 'offline'> = 'idle';
  private taskId: string | null = null;
  clusterName: string | null = null;

  busy(taskId: string): void {
    this.taskId = taskId;
    if (this.status !== 'draining') this.status = 'busy';
  }

  idle(): void {
    this.taskId = null;
    if (this.status !== 'draining') this.status = 'idle';
  }

  draining(): void {
    this.status = 'draining';
  }

  snapshot(): { status: Exclude<WorkerStatus, 'offline'>; currentTaskId: string | null } {
    return { status: this.status, currentTaskId: this.taskId };
  }
}
