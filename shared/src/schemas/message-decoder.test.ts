import { randomUUID } from 'node:crypto';
import { TaskEvent, taskEventSchema } from './messages';
import { createMessageDecoder } from './message-decoder';

const decode = createMessageDecoder<TaskEvent>(taskEventSchema, 'task event');
const event = () => ({
  event_id: randomUUID(),
  task_id: randomUUID(),
  from_status: 'pending',
  to_status: 'processing',
  attempt: 1,
  worker_id: 'w-1',
  occurred_at: '2026-01-01T12:00:00.123Z',
  notes: 'claimed by w-1',
});
const encode = (body: unknown) => Buffer.from(JSON.stringify(body));

describe('createMessageDecoder (task events)', () => {
  it('accepts a transition event, the submission (from_status null) and extra fields', () => {
    expect(decode(encode(event()))).toMatchObject({ ok: true, value: { to_status: 'processing' } });
    expect(decode(encode({ ...event(), from_status: null, to_status: 'pending', attempt: 0, worker_id: null }))).toMatchObject({ ok: true });
    expect(decode(encode({ ...event(), schema_version: 2 }))).toMatchObject({ ok: true });
  });

  it('refuses a body that is not JSON', () => {
    expect(decode(Buffer.from('{"event_id": '))).toMatchObject({ ok: false, reason: 'invalid_json' });
    expect(decode(Buffer.from([0xff, 0xfe, 0x00]))).toMatchObject({ ok: false, reason: 'invalid_json' });
  });

  it('refuses schema violations and names the field', () => {
    const { to_status: _omitted, ...missing } = event();
    expect(decode(encode(missing))).toMatchObject({ ok: false, reason: 'schema_violation', detail: expect.stringContaining('to_status') });
    expect(decode(encode({ ...event(), to_status: 'exploded' }))).toMatchObject({ ok: false, reason: 'schema_violation', detail: expect.stringContaining('to_status') });
    expect(decode(encode({ ...event(), task_id: 'not-a-uuid' }))).toMatchObject({ ok: false, reason: 'schema_violation', detail: expect.stringContaining('task_id') });
    expect(decode(encode({ ...event(), occurred_at: 'yesterday' }))).toMatchObject({ ok: false, reason: 'schema_violation' });
    expect(decode(encode([event()]))).toMatchObject({ ok: false, reason: 'schema_violation' });
    expect(decode(encode(null))).toMatchObject({ ok: false, reason: 'schema_violation' });
  });
});
