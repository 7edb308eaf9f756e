import { randomUUID } from 'node:crypto';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import type { WriteOutcome } from '@aiopslab/shared/tables/status-history';
import { recordEvents } from './record-events';

const event = (notes = 'ok'): TaskEvent => ({
  event_id: randomUUID(),
  task_id: randomUUID(),
  from_status: 'pending',
  to_status: 'processing',
  attempt: 1,
  worker_id: 'w',
  occurred_at: new Date().toISOString(),
  notes,
});

/** The shape of a PostgreSQL error as node-postgres reports it. */
const pgError = (code: string) => Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code });

/** An in-memory stand-in for the INSERT: rejects rows whose notes say "bad", knows what it stored. */
function memoryWriter(options: { down?: boolean } = {}) {
  const stored = new Set<string>();
  const calls: number[] = [];
  const write = async (events: readonly TaskEvent[]): Promise<WriteOutcome[]> => {
    calls.push(events.length);
    if (options.down) throw Object.assign(new Error("Can't reach database server: connect ECONNREFUSED 127.0.0.1:5432"), { code: 'ECONNREFUSED' });
    if (events.some((e) => e.notes === 'bad')) throw pgError('22021');
    return events.map((e) => {
      if (stored.has(e.event_id)) return { status: 'duplicate' };
      stored.add(e.event_id);
      return { status: 'recorded', recordedAt: new Date() };
    });
  };
  return { write, stored, calls };
}

describe('recordEvents', () => {
  it('records a batch in one write and reports duplicates, including copies inside the batch', async () => {
    const writer = memoryWriter();
    const [a, b] = [event(), event()];
    await recordEvents(writer.write, [a]);
    const outcomes = await recordEvents(writer.write, [a, b, b]);
    expect(outcomes.map((o) => o.status)).toEqual(['duplicate', 'recorded', 'duplicate']);
    expect(writer.calls).toEqual([1, 2]);
  });

  it('when one row is bad data, records the others and rejects only that one', async () => {
    const writer = memoryWriter();
    const events = [event(), event('bad'), event()];
    const outcomes = await recordEvents(writer.write, events);
    expect(outcomes.map((o) => o.status)).toEqual(['recorded', 'rejected', 'recorded']);
    expect(outcomes[1]).toMatchObject({ detail: expect.stringContaining('22021') });
    expect(writer.stored.size).toBe(2);
  });

  it('when the database is unreachable, throws so that nothing is acknowledged', async () => {
    await expect(recordEvents(memoryWriter({ down: true }).write, [event(), event()])).rejects.toThrow(/reach database/);
  });
});
