import { loadApiConfig } from './config';

describe('API_BIND (where docker compose publishes the api)', () => {
  test.each(['127.0.0.1', '127.0.1.1', '::1', 'localhost'])('%s is loopback: no token needed', (address) => {
    expect(loadApiConfig({ API_BIND: address }).API_BIND).toBe(address);
  });

  test.each(['0.0.0.0', '192.0.2.10', '::'])('%s without API_TOKEN is refused with an error naming API_BIND and API_TOKEN', (address) => {
    expect(() => loadApiConfig({ API_BIND: address })).toThrow(`API_BIND=${address} publishes the api beyond this host, which requires API_TOKEN`);
  });

  test('a wider bind with API_TOKEN starts, and unset API_BIND (npm start) asks nothing', () => {
    expect(loadApiConfig({ API_BIND: '0.0.0.0', API_TOKEN: 'a-token-of-32-characters-0123456' }).API_BIND).toBe('0.0.0.0');
    expect(loadApiConfig({}).API_BIND).toBeUndefined();
  });
});
