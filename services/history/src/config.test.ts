import { ConfigError } from '@aiopslab/shared/config/load-config';
import { loadHistoryConfig } from './config';

describe('loadHistoryConfig', () => {
  it('applies the defaults the design names', () => {
    expect(loadHistoryConfig({})).toMatchObject({ HEALTH_PORT: 8002, PREFETCH: 200, BATCH_SIZE: 100, BATCH_WAIT_MS: 0, READY_FILE: '', QUEUE_PREFIX: '' });
    expect(loadHistoryConfig({ HEALTH_PORT: '0' }).HEALTH_PORT).toBe(0);
  });

  it('reports every bad variable at once, by name, including cross-field rules', () => {
    let error: unknown;
    try {
      loadHistoryConfig({ HEALTH_PORT: 'eighty', BATCH_SIZE: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/HEALTH_PORT[\s\S]*BATCH_SIZE|BATCH_SIZE[\s\S]*HEALTH_PORT/);
    expect(() => loadHistoryConfig({ PREFETCH: '50', BATCH_SIZE: '100' })).toThrow(/PREFETCH \(50\) must be at least BATCH_SIZE \(100\)/);
  });
});
