import { keepTaskSession } from '@aiopslab/shared/tables/task-sessions';
import { collectSession } from './sessions/collect-session';
import type { WorkerContext } from '../worker-context';
import type { SessionSettings } from './task-settings';
import type { AttemptReport, ClaimedAttempt } from './run-attempt';
import { sleep } from '@aiopslab/shared/lifecycle/sleep';

/**
 * Keeps the attempt's full session and its metrics/trace files before the working directory is
 * deleted (table task_sessions, served at GET /tasks/{id}/session). Nothing is kept for an
 * attempt that lost its lease or was handed back: it writes nothing, or is run again under the
 * same attempt number. A database that stays down fails the attempt's finish the same way.
 */
export async function keepAttemptSession(ctx: WorkerContext & { settings: { sessions: SessionSettings } }, claimed: ClaimedAttempt, report: AttemptReport): Promise<void> {
  const { outcome, request, result } = report;
  if (!request || outcome.status === 'fenced' || outcome.status === 'handed_back') return;
  const { logger } = ctx;
  const { sessions } = ctx.settings;
  let session;
  try {
    session = await collectSession({
      taskId: claimed.task.id,
      attempt: claimed.attempt,
      workDir: request.workDir,
      resultsDir: request.spec.results_dir,
      artifactRoot: sessions.artifactRoot,
      sessionId: result.session_id,
      resultSession: result.session,
      trajectoryTruncated: result.trajectory_truncated,
      maxSessionBytes: sessions.maxSessionBytes,
      copy: sessions.copy,
      secrets: sessions.secrets,
      warn: (message) => logger.warn(message),
    });
  } catch (error) {
    logger.error('the session and artifacts of the attempt could not be collected', { error: (error as Error).message });
    return;
  }
  if (!session) return;
  for (let tries = 1; ; tries++) {
    try {
      await keepTaskSession(ctx.db, session);
      logger.info('session kept', { attempt: claimed.attempt, source: session.source, size_bytes: session.sizeBytes, truncated_in_result: session.truncatedInResult, artifacts: session.artifacts.length });
      return;
    } catch (error) {
      if (tries >= 4) throw error;
      logger.warn('keeping the session failed; retrying', { error: (error as Error).message, tries });
      await sleep(500 * tries);
    }
  }
}
