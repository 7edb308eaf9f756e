import type { BackoffPolicy } from '@aiopslab/shared/domain/backoff';
import type { ClusterConfig } from '../clusters/cluster-config';
import type { WorkerSettings } from '../config';
import { secretValues } from './executors/secret-redactor';

/** What claiming a task reads. */
export interface ClaimSettings {
  workerId: string;
  leaseMs: number;
  /** The broker's limit on an unacked message, in task minutes (MAX_TASK_TIMEOUT_MINUTES). */
  maxTaskTimeoutMinutes: number;
}

/** What running an attempt reads. */
export interface AttemptSettings {
  workerId: string;
  leaseMs: number;
  /** A task minute in ms (tests shorten it). */
  timeoutMinuteMs: number;
  killGraceMs: number;
  /** WORK_DIR: each attempt's directory is made under it. */
  workDir: string;
  logLimits: { maxLines: number; maxBytes: number };
  agentShell: Pick<ClusterConfig, 'EXISTING_AGENT_SHELL' | 'EXISTING_SSH_HOST' | 'EXISTING_SSH_USER' | 'EXISTING_SSH_KEY'>;
}

/** What finishing an attempt reads. */
export interface FinishSettings {
  workerId: string;
  retryPolicy: BackoffPolicy;
}

/** What keeping an attempt's session reads. */
export interface SessionSettings {
  artifactRoot: string;
  maxSessionBytes: number;
  /** KEEP_WORK_DIRS: copy the artifacts instead of moving them. */
  copy: boolean;
  /** Credential values to redact from stored sessions. */
  secrets: string[];
}

/** The task feature's settings: each use case's parameter type names the part it reads. */
export type TaskSettings = ClaimSettings & AttemptSettings & FinishSettings & { sessions: SessionSettings };

export function taskSettings(settings: WorkerSettings): TaskSettings {
  const { env } = settings;
  return {
    workerId: env.WORKER_ID,
    leaseMs: settings.leaseMs,
    maxTaskTimeoutMinutes: env.MAX_TASK_TIMEOUT_MINUTES,
    timeoutMinuteMs: settings.timeoutMinuteMs,
    killGraceMs: settings.killGraceMs,
    workDir: env.WORK_DIR,
    logLimits: { maxLines: env.LOG_MAX_LINES, maxBytes: env.LOG_MAX_BYTES },
    agentShell: { EXISTING_AGENT_SHELL: env.EXISTING_AGENT_SHELL, EXISTING_SSH_HOST: env.EXISTING_SSH_HOST, EXISTING_SSH_USER: env.EXISTING_SSH_USER, EXISTING_SSH_KEY: env.EXISTING_SSH_KEY },
    retryPolicy: settings.retryPolicy,
    sessions: { artifactRoot: settings.artifactDir, maxSessionBytes: env.SESSION_MAX_BYTES, copy: env.KEEP_WORK_DIRS, secrets: secretValues(settings.runnerEnv) },
  };
}
