/** Where the tests find PostgreSQL and RabbitMQ (overridable for other machines). */
export const TEST_SERVER_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_AMQP_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const TEST_MANAGEMENT_URL = process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

export function databaseUrlFor(name: string): string {
  const url = new URL(TEST_SERVER_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function templateDatabaseName(runId: string): string {
  return `aiopslab_test_${runId}_template`;
}

/** Management API call with basic auth taken from the URL (the test broker's, or another node's). */
export async function managementApi(path: string, init: RequestInit = {}, managementUrl = TEST_MANAGEMENT_URL): Promise<Response> {
  const base = new URL(managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  base.username = '';
  base.password = '';
  return fetch(new URL(path, base), { ...init, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
}
