import { hasErrorName } from '../errors/app-error';
import type { Logger } from '../logging/logger';
import { EXIT_CONFIG, EXIT_FAILURE } from './exit-codes';
import { Shutdown } from './shutdown';

/** What every service is to runService: started once, stopped once (closing its own clients). */
export interface Service {
  start(): Promise<void>;
  stop(reason: string): Promise<void>;
  /** A second signal: stop waiting (the worker hands its running task back now). */
  hurry?(): void;
}

export interface ServiceDefinition<Config> {
  name: string;
  /** Reads and validates the environment; throws a ConfigError naming every bad variable. */
  loadConfig(env: Record<string, string | undefined>): Config;
  /** Builds the logger, the clients and the service from the config (no I/O yet). */
  create(config: Config): BuiltService;
}

export interface BuiltService {
  service: Service;
  logger: Logger;
  shutdownDeadlineMs: number;
  /** Closes the clients the service was given (database, broker connection), after it stopped. */
  close(): Promise<void>;
}

/** Start-up failures whose message is the whole story (no stack): a bad setting, a taken port, a held WORKER_ID. */
const PLAIN_START_ERRORS = ['ConfigError', 'ListenError', 'WorkerIdTakenError'];

/**
 * THE way a service process runs (each main.ts is one call): reads its config, builds it, stops
 * it in order on SIGTERM/SIGINT under one deadline (a second signal hurries, a third exits), stops
 * it too on a bug that escaped (an uncaught exception) so no child process or lease is orphaned,
 * and exits with a code that tells a wrong setting (78, EX_CONFIG: a restart cannot help) from any
 * other failure to start (1).
 */
export function runService<Config>(definition: ServiceDefinition<Config>, env: Record<string, string | undefined>, exit: (code: number) => void = process.exit): void {
  let built: BuiltService;
  try {
    built = definition.create(definition.loadConfig(env));
  } catch (error) {
    return failedToStart(definition.name, error, exit);
  }
  const { service, logger } = built;
  const shutdown = new Shutdown(logger, built.shutdownDeadlineMs);
  shutdown.add('clients', () => built.close());
  shutdown.add(definition.name, () => service.stop('shutdown'));
  shutdown.installSignalHandlers(exit, service.hurry ? () => service.hurry!() : undefined);
  let crashing = false;
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; shutting down', { error: error.message, stack: error.stack });
    if (crashing) return; // one shutdown, however many errors it meets
    crashing = true;
    void shutdown.run('uncaught exception').finally(() => exit(EXIT_FAILURE));
  });
  process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection', { reason: String(reason) }));
  service.start().catch(async (error: unknown) => {
    await shutdown.run('start failed').catch(() => undefined);
    failedToStart(definition.name, error, exit);
  });
}

function failedToStart(name: string, error: unknown, exit: (code: number) => void): void {
  const plain = hasErrorName(error, ...PLAIN_START_ERRORS);
  console.error(plain ? (error as Error).message : `${name} failed to start: ${(error as Error)?.stack ?? String(error)}`);
  exit(hasErrorName(error, 'ConfigError') ? EXIT_CONFIG : EXIT_FAILURE);
}
