import { Client } from 'pg';
import { managementApi, TEST_SERVER_DATABASE_URL } from './test-services';

/** Drops this run's databases and deletes its queues and exchanges (by prefix). */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.TEST_RUN_ID;
  if (!runId || process.env.KEEP_TEST_DATA === '1') return;
  const client = new Client({ connectionString: TEST_SERVER_DATABASE_URL });
  await client.connect();
  try {
    const dbs = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`aiopslab_test_${runId}_%`]);
    for (const { datname } of dbs.rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
  const prefix = `test.${runId}.`;
  for (const kind of ['queues', 'exchanges'] as const) {
    const response = await managementApi(`/api/${kind}/%2F?columns=name`).catch(() => null);
    if (!response?.ok) continue;
    const items = (await response.json()) as { name: string }[];
    for (const { name } of items.filter((item) => item.name.startsWith(prefix))) {
      await managementApi(`/api/${kind}/%2F/${encodeURIComponent(name)}`, { method: 'DELETE' }).catch(() => null);
    }
  }
}
