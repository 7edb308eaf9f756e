// The local Prisma Streams server of `prisma dev` (a local Prisma Postgres), which this project
// never runs: its migrations are applied by shared/src/db/migrator.ts against a real PostgreSQL.
// The real package requires Node >= 22 and the project supports Node 20, so package.json
// overrides put this in its place; whatever would start it gets a plain error instead.
export async function startLocalDurableStreamsServer() {
  throw new Error('@prisma/streams-local is not installed (package.json overrides): `prisma dev` is not supported here');
}
