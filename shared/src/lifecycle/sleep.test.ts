import { sleep } from './sleep';

describe('sleep', () => {
  it('resolves after the delay, and at once when its signal aborts (never rejecting)', async () => {
    const order: string[] = [];
    const controller = new AbortController();
    const long = sleep(60_000, controller.signal).then(() => order.push('aborted sleep'));
    await sleep(5).then(() => order.push('short sleep'));
    controller.abort();
    await long;
    expect(order).toEqual(['short sleep', 'aborted sleep']);
    await expect(sleep(60_000, controller.signal)).resolves.toBeUndefined(); // already aborted
  });
});
