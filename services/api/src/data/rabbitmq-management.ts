import { parseAmqpUrls } from '@aiopslab/shared/amqp/amqp-urls';

/** One queue as the RabbitMQ management HTTP API reports it (the fields the dashboard shows). */
export interface ManagementQueue {
  name: string;
  type: string | null;
  state: string | null;
  consumers: number;
  ready: number;
  unacked: number;
}

export class ManagementUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManagementUnreachableError';
  }
}

const COLUMNS = 'name,type,state,consumers,messages_ready,messages_unacknowledged';

/** The management API's base URL and Basic credentials (fetch refuses credentials in the URL). */
export function managementEndpoint(managementUrl: string): { base: string; authorization: string | null } {
  const url = new URL(managementUrl);
  const user = decodeURIComponent(url.username);
  const authorization = user ? `Basic ${Buffer.from(`${user}:${decodeURIComponent(url.password)}`).toString('base64')}` : null;
  url.username = '';
  url.password = '';
  return { base: url.toString().replace(/\/$/, ''), authorization };
}

/** The virtual host an AMQP URL (or the first node of a list) names ("/" when its path is empty). */
export function vhostOf(amqpUrl: string): string {
  const path = new URL(parseAmqpUrls(amqpUrl)[0]).pathname.slice(1);
  return path ? decodeURIComponent(path) : '/';
}

/**
 * The queues of one virtual host whose names start with `prefix`. Every failure (refused,
 * timeout, 401, a body that is not a queue list) is a ManagementUnreachableError that says what
 * happened, so GET /queues can still answer with the outbox backlog.
 */
export async function listManagementQueues(input: { managementUrl: string; vhost: string; prefix: string; timeoutMs: number }): Promise<ManagementQueue[]> {
  const { base, authorization } = managementEndpoint(input.managementUrl);
  const url = `${base}/api/queues/${encodeURIComponent(input.vhost)}?columns=${COLUMNS}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(input.timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new ManagementUnreachableError(`the RabbitMQ management API at ${base} did not answer (${cause}); is the management plugin enabled and RABBITMQ_MANAGEMENT_URL right?`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    const hint = response.status === 401 ? 'check the credentials in RABBITMQ_MANAGEMENT_URL' : response.status === 404 ? `check that virtual host "${input.vhost}" exists` : 'see the broker log';
    throw new ManagementUnreachableError(`the RabbitMQ management API at ${base} answered ${response.status}; ${hint}`);
  }
  const body = (await response.json().catch(() => null)) as Array<Record<string, unknown>> | null;
  if (!Array.isArray(body)) throw new ManagementUnreachableError(`the RabbitMQ management API at ${base} did not return a queue list`);
  return body
    .filter((q) => typeof q.name === 'string' && q.name.startsWith(input.prefix))
    .map((q) => ({
      name: q.name as string,
      type: typeof q.type === 'string' ? q.type : null,
      state: typeof q.state === 'string' ? q.state : null,
      consumers: Number(q.consumers ?? 0),
      ready: Number(q.messages_ready ?? 0),
      unacked: Number(q.messages_unacknowledged ?? 0),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
