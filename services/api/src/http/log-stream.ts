import type { Request, Response } from 'express';
import type { Db } from '@aiopslab/shared/db/prisma-client';
import { isTaskStatus, isTerminal } from '@aiopslab/shared/domain/task-status';
import { readTaskLogs } from '../use-cases/read-task-logs';

const KEEPALIVE_MS = 15_000;

/**
 * Server-sent events: every stored line after `afterSeq` (event `log`, id = seq, so a client
 * resumes with Last-Event-ID), then new lines as the worker writes them, until the task is
 * finished and drained (event `end` with the final status).
 */
export async function streamTaskLogs(req: Request, res: Response, options: { db: Db; taskId: string; afterSeq: number; pollMs: number }): Promise<void> {
  let afterSeq = options.afterSeq;
  const first = await readTaskLogs(options.db, options.taskId, afterSeq, 1000); // 404 before any header is sent
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  let lastWrite = Date.now();
  let page = first;
  while (!closed) {
    for (const line of page.logs) res.write(`id: ${line.seq}\nevent: log\ndata: ${JSON.stringify(line)}\n\n`);
    if (page.logs.length > 0) lastWrite = Date.now();
    afterSeq = page.next_after_seq;
    const finished = isTaskStatus(page.task_status) && isTerminal(page.task_status);
    if (finished && page.logs.length === 0) {
      res.write(`event: end\ndata: ${JSON.stringify({ status: page.task_status, last_seq: afterSeq })}\n\n`);
      break;
    }
    if (page.logs.length < 1000) {
      if (Date.now() - lastWrite > KEEPALIVE_MS) {
        res.write(': keepalive\n\n');
        lastWrite = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
    if (closed) break;
    page = await readTaskLogs(options.db, options.taskId, afterSeq, 1000);
  }
  res.end();
}
