import type { Writable } from 'node:stream';

/**
 * Frames written to the broker in one pass of the event loop (a relay batch of publishes, acks
 * that fall together) leave in one writev instead of one write each: the socket is corked at the
 * first write of a pass and uncorked on the next tick, before any I/O, so nothing waits longer.
 * amqplib writes every frame with its own socket.write, so the cork goes around that method.
 */
export function coalesceWrites(stream: Writable): void {
  const write = stream.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function (this: Writable, ...args: unknown[]) {
    if (!corked && !stream.destroyed) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Writable['write'];
}
