import { once } from 'node:events';
import type { Request, Response } from 'express';

/**
 * Streams text chunks as application/x-ndjson with backpressure: waits for `drain` when the
 * socket's buffer is full, and stops reading when the client goes away.
 */
export async function streamNdjson(req: Request, res: Response, chunks: AsyncGenerator<string>, filename: string): Promise<void> {
  let closed = false;
  const gone = new Promise<void>((resolve) =>
    req.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  res.status(200).set({ 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'X-Accel-Buffering': 'no' });
  for await (const chunk of chunks) {
    if (closed) {
      await chunks.return(undefined);
      break;
    }
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), gone]);
  }
  res.end();
}
