import { ConfigError } from '../config/load-config';
import { createLogger } from '../logging/logger';
import { ListenError } from './listen-error';
import { runService, Service } from './run-service';

const logger = createLogger('test', 'error', true);

function exits(): { codes: number[]; exit: (code: number) => void; next: Promise<number> } {
  let resolve!: (code: number) => void;
  const next = new Promise<number>((r) => (resolve = r));
  const codes: number[] = [];
  return { codes, next, exit: (code) => (codes.push(code), resolve(code)) };
}

describe('runService', () => {
  let errors: jest.SpyInstance;
  beforeEach(() => {
    errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => errors.mockRestore());

  it('a configuration error exits 78 with its message and builds nothing', async () => {
    const exit = exits();
    const create = jest.fn();
    runService({ name: 'svc', loadConfig: () => { throw new ConfigError(['API_TOKEN must have at least 16 characters']); }, create }, {}, exit.exit);
    expect(await exit.next).toBe(78);
    expect(create).not.toHaveBeenCalled();
    expect(errors.mock.calls[0][0]).toMatch(/API_TOKEN must have at least 16 characters/);
  });

  it('a failure to start stops what started, prints the plain message of a known error, and exits 1', async () => {
    const exit = exits();
    const steps: string[] = [];
    const service: Service = {
      start: async () => { throw new ListenError('svc', 'PORT', '127.0.0.1', 8001, Object.assign(new Error('in use'), { code: 'EADDRINUSE' })); },
      stop: async () => void steps.push('service stopped'),
    };
    runService({ name: 'svc', loadConfig: () => ({}), create: () => ({ service, logger, shutdownDeadlineMs: 1000, close: async () => void steps.push('clients closed') }) }, {}, exit.exit);
    expect(await exit.next).toBe(1);
    expect(steps).toEqual(['service stopped', 'clients closed']);
    expect(errors.mock.calls[0][0]).not.toMatch(/\n\s+at /); // the message, not a stack
  });
});
