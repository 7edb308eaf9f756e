import { Writable } from 'node:stream';
import { coalesceWrites } from './coalesced-writes';

function recordingStream() {
  const calls: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      calls.push([chunk.toString()]);
      callback();
    },
    writev(chunks, callback) {
      calls.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      callback();
    },
  });
  return { stream, calls };
}

const nextTick = () => new Promise((resolve) => process.nextTick(resolve));

describe('coalesced writes to the broker socket', () => {
  it('sends the frames written in one pass of the event loop as one writev', async () => {
    const { stream, calls } = recordingStream();
    coalesceWrites(stream);
    stream.write(Buffer.from('publish-1'));
    stream.write(Buffer.from('publish-2'));
    stream.write(Buffer.from('ack'));
    expect(calls).toEqual([]);
    await nextTick();
    expect(calls).toEqual([['publish-1', 'publish-2', 'ack']]);
  });

  it('sends a frame of a later pass in a write of its own, in order', async () => {
    const { stream, calls } = recordingStream();
    coalesceWrites(stream);
    stream.write(Buffer.from('first'));
    await nextTick();
    stream.write(Buffer.from('second'));
    await nextTick();
    expect(calls).toEqual([['first'], ['second']]);
  });

  it('still calls the write callback and reports backpressure', async () => {
    const { stream } = recordingStream();
    coalesceWrites(stream);
    const written = new Promise((resolve) => stream.write(Buffer.from('x'), (error) => resolve(error ?? 'no error')));
    expect(stream.write(Buffer.alloc(stream.writableHighWaterMark))).toBe(false);
    await expect(written).resolves.toBe('no error');
  });
});
