import { callbackTargetRefusal } from './callback-target';

describe('callback target at submission', () => {
  const lookup = (table: Record<string, string[]>) => async (host: string) => table[host] ?? [];

  it('refuses a name that resolves to an internal address, naming the address', async () => {
    expect(await callbackTargetRefusal('https://hooks.internal.example/x', lookup({ 'hooks.internal.example': ['203.0.113.9', '10.0.0.5'] }))).toBe(
      'hooks.internal.example resolves to 203.0.113.9, a documentation address',
    );
    expect(await callbackTargetRefusal('https://h.example/x', lookup({ 'h.example': ['93.184.216.34', '10.0.0.5'] }))).toBe('h.example resolves to 10.0.0.5, a private address');
  });

  it('accepts a public name, and a name that does not resolve now (the worker checks again at delivery)', async () => {
    expect(await callbackTargetRefusal('https://h.example/x', lookup({ 'h.example': ['93.184.216.34'] }))).toBeNull();
    expect(await callbackTargetRefusal('https://nowhere.example/x', lookup({}))).toBeNull();
  });

  it('refuses literal internal addresses and localhost names without a lookup', async () => {
    const none = async () => {
      throw new Error('no lookup expected');
    };
    expect(await callbackTargetRefusal('http://169.254.169.254/latest/meta-data', none)).toBe('169.254.169.254 is a link-local address');
    expect(await callbackTargetRefusal('http://[fd00::1]/x', none)).toBe('fd00::1 is a unique local (private) address');
    expect(await callbackTargetRefusal('http://api.localhost./x', none)).toBe('api.localhost. is a loopback name');
    expect(await callbackTargetRefusal('http://93.184.216.34/x', none)).toBeNull();
  });
});
