import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import { isDataError, sqlStateOf } from '../data/db-errors';
import type { WriteOutcome } from '@aiopslab/shared/tables/status-history';

export type RecordOutcome = WriteOutcome | { status: 'rejected'; detail: string };

export type WriteEvents = (events: readonly TaskEvent[]) => Promise<WriteOutcome[]>;

/**
 * Records a batch of valid events and says, per event and in order, what became of it:
 * recorded, a duplicate (already recorded, or an earlier copy in the same batch), of an unknown
 * task, or rejected by the database as bad data. One bad row does not sink the batch: the batch
 * is retried event by event and only the offender is rejected. Errors that are not about the data
 * (database down) are thrown, and nothing may be acknowledged.
 */
export async function recordEvents(write: WriteEvents, events: readonly TaskEvent[]): Promise<RecordOutcome[]> {
  const firstIndex = new Map<string, number>();
  const unique: TaskEvent[] = [];
  events.forEach((event, index) => {
    if (firstIndex.has(event.event_id)) return;
    firstIndex.set(event.event_id, index);
    unique.push(event);
  });
  const written = await writeIsolatingBadRows(write, unique);
  const byEventId = new Map(unique.map((event, i) => [event.event_id, written[i]]));
  return events.map((event, index) => {
    const outcome = byEventId.get(event.event_id)!;
    if (firstIndex.get(event.event_id) === index) return outcome;
    return outcome.status === 'recorded' ? { status: 'duplicate' } : outcome;
  });
}

async function writeIsolatingBadRows(write: WriteEvents, events: readonly TaskEvent[]): Promise<RecordOutcome[]> {
  if (events.length === 0) return [];
  try {
    return await write(events);
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (events.length === 1) return [rejected(error)];
  }
  const outcomes: RecordOutcome[] = [];
  for (const event of events) {
    try {
      outcomes.push(...(await write([event])));
    } catch (error) {
      if (!isDataError(error)) throw error;
      outcomes.push(rejected(error));
    }
  }
  return outcomes;
}

function rejected(error: unknown): RecordOutcome {
  const message = (error as Error).message ?? String(error);
  return { status: 'rejected', detail: `${message} (SQLSTATE ${sqlStateOf(error)})` };
}
