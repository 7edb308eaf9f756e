import type { ClusterHandle } from '../../clusters/cluster-provider';
import type { RunExit } from '../run/run-outcome';
import type { TaskSpec } from './task-spec';

/** Where a line came from: the runner's stdout/stderr (plain logs) or its protocol fd. */
export type OutputStream = 'stdout' | 'stderr' | 'protocol';

/** The consumer of a run's output; it may ask the executor to stop reading for a while. */
export interface RunOutput {
  /** One line, already cut at the line limit (`cutBytes` > 0 when it was cut). Returns false to pause reading. */
  line(stream: OutputStream, text: string, cutBytes: number): boolean;
  /** Resolves when lines may flow again. */
  writable(): Promise<void>;
}

export interface ExecutionRequest {
  taskId: string;
  attempt: number;
  correlationId: string;
  spec: TaskSpec;
  cluster: ClusterHandle;
  workDir: string;
}

export interface ExecutorExit extends RunExit {
  /** Set when the runner could not be started at all. */
  startError?: string;
  /** Processes of the run outlived SIGTERM and got SIGKILL ('killed'), or even survived that ('stuck'). */
  forced?: 'killed' | 'stuck';
}

/** A started run. */
export interface RunningProcess {
  readonly pid: number | null;
  /** Resolves once the runner and everything it started are gone and its output is read. */
  readonly exited: Promise<ExecutorExit>;
  /** SIGTERM to the whole run, SIGKILL after the grace period. Idempotent. */
  stop(): void;
  /**
   * Tells the runner how long this worker's claim is good for (the lifeline on its stdin), so
   * a run whose worker stalls or dies stops by itself before another worker may claim the task.
   */
  leaseRenewed(validForMs: number): void;
}

/**
 * Runs one problem against one cluster and speaks the runner protocol. `process` spawns
 * RUNNER_COMMAND; a `docker` executor would run a runner image through dockerode.
 */
export interface Executor {
  readonly name: string;
  start(request: ExecutionRequest, output: RunOutput): Promise<RunningProcess>;
  /** Removes an attempt's working directory unless configured to keep it. */
  cleanup(request: ExecutionRequest): Promise<void>;
}
