import { createHash } from 'node:crypto';
import { Pool, PoolClient, types as pgTypes } from 'pg';

/**
 * The SQL surface the hot paths need: tagged-template and positional raw queries. Its method
 * names and results match Prisma's raw-query API (int8 → bigint, timestamptz → Date, jsonb →
 * parsed), so a PrismaClient satisfies it too and the same module serves both.
 */
export interface SqlClient {
  $queryRaw<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T>;
  $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  /** `text` uses $1, $2 … placeholders for `values`; never interpolate input into `text`. */
  $queryRawUnsafe<T = unknown>(text: string, ...values: unknown[]): Promise<T>;
  /** The same, returning the number of rows changed. */
  $executeRawUnsafe(text: string, ...values: unknown[]): Promise<number>;
}

/** A database handle that can also run a transaction; `fn` gets the transaction's client. */
export interface SqlDb extends SqlClient {
  $transaction<R>(fn: (tx: SqlClient) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $disconnect(): Promise<void>;
}

const INT8_OID = 20;
/** Prisma's raw queries return int8 as bigint; the pg pool does the same so callers see one shape. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => BigInt(value);
    return pgTypes.getTypeParser(oid, format);
  },
};

/** Template strings → "$1 … $n" text, compiled once per call site (template objects are cached by JS). */
const compiled = new WeakMap<TemplateStringsArray, string>();
function toText(strings: TemplateStringsArray): string {
  let text = compiled.get(strings);
  if (text === undefined) {
    text = strings.reduce((sql, part, i) => (i === 0 ? part : `${sql}$${i}${part}`), '');
    compiled.set(strings, text);
  }
  return text;
}

/** Values as pg sends them; bigint arrays and JSON objects need no help, bigint scalars do. */
function toParam(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Statements run as named prepared statements: each connection parses and plans one once, then
 * sends only its parameters (the hot statements are 1–3 kB of SQL). Names are a hash of the
 * text; past MAX_PREPARED distinct texts, new ones run unnamed, so dynamic SQL cannot grow the
 * per-connection statement cache without bound.
 */
const MAX_PREPARED = 500;
const statementNames = new Map<string, string>();
export function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

type Queryable = Pick<Pool, 'query'> | PoolClient;

/** Names statements (prepared once per connection), or leaves them unnamed (PgBouncer in transaction mode before 1.21). */
type Namer = (text: string) => string | undefined;
const unnamed: Namer = () => undefined;

class PgSqlClient implements SqlClient {
  constructor(
    protected readonly target: Queryable,
    protected readonly name: Namer = statementName,
  ) {}

  async $queryRaw<T = unknown>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T> {
    return this.$queryRawUnsafe<T>(toText(strings), ...values);
  }

  async $executeRaw(strings: TemplateStringsArray, ...values: unknown[]): Promise<number> {
    return this.$executeRawUnsafe(toText(strings), ...values);
  }

  async $executeRawUnsafe(text: string, ...values: unknown[]): Promise<number> {
    const result = await this.target.query({ name: this.name(text), text, values: values.map(toParam), types: typeParsers });
    return result.rowCount ?? 0;
  }

  async $queryRawUnsafe<T = unknown>(text: string, ...values: unknown[]): Promise<T> {
    const result = await this.target.query({ name: this.name(text), text, values: values.map(toParam), types: typeParsers });
    return result.rows as T;
  }
}

/**
 * node-postgres behind the SqlDb interface: what the worker and history services use instead of
 * the Prisma client, whose ~110 MB of resident memory and per-query overhead they cannot afford
 * (README "Design decisions"). The api keeps Prisma for its reads.
 */
export class PgSql extends PgSqlClient implements SqlDb {
  constructor(
    private readonly pool: Pool,
    name: Namer = statementName,
  ) {
    super(pool, name);
    // An idle client that loses its connection (a PostgreSQL restart) must not crash the process.
    pool.on('error', () => undefined);
  }

  async $transaction<R>(fn: (tx: SqlClient) => Promise<R>): Promise<R> {
    const client = await this.pool.connect();
    let broken = false;
    // A checked-out client whose connection drops (a PostgreSQL restart mid-transaction) emits
    // 'error' besides failing its query; unheard, that event would crash the process.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(new PgSqlClient(client, this.name));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      // A broken client is discarded, and keeps its listener for any late event.
      if (!broken) client.off('error', onError);
      client.release(broken);
    }
  }

  async $disconnect(): Promise<void> {
    await this.pool.end();
  }
}

/** Resolves when the database answers SELECT 1 (the health checks). */
export async function pingDatabase(db: Pick<SqlClient, '$queryRaw'>): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

export interface SqlDbOptions {
  /**
   * false: every statement unnamed (parsed and planned on each run), for poolers that cannot
   * carry named prepared statements across transactions (PgBouncer in transaction mode before
   * 1.21). DATABASE_PREPARED_STATEMENTS; docs/benchmarks.md measures the cost.
   */
  preparedStatements?: boolean;
  /** An idle connection is closed after this long, so an idle service holds no session (0 keeps them). */
  idleTimeoutMs?: number;
}

/** Idle connections close after 5 s: a worker between heartbeats (≥ 10 s apart) holds none. */
export const DEFAULT_IDLE_TIMEOUT_MS = 5000;

export function createSqlDb(databaseUrl: string, poolSize = 10, options: SqlDbOptions = {}): PgSql {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS });
  return new PgSql(pool, options.preparedStatements === false ? unnamed : statementName);
}
