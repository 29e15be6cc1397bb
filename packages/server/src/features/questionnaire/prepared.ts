import type { Queryable } from '../../db/database';

/**
 * Statements of the hot client paths (link session, submit), each built once per database
 * (Drizzle's `prepare`, with `sql.placeholder`s) instead of on every request: building a query is
 * most of Drizzle's cost, and a named statement is also parsed and planned once per connection by
 * PostgreSQL (PGlite ignores the name).
 *
 * Drizzle binds a prepared statement to the connection it was made on. To run one inside a
 * transaction it is copied onto the transaction's connection: drizzle-orm 0.45 keeps that
 * connection as `session.client` on the database or transaction and as `client` on the statement,
 * for node-postgres and PGlite alike (checked by the questionnaire tests on both).
 */
type Bound = { client: unknown };
type Handle = { dialect: object; session: { client: unknown } };

const built = new WeakMap<object, Map<string, Bound>>();

/** The statement `name` (made by `build` the first time on this database) on `q`'s connection. */
export function preparedOn<T extends object>(q: Queryable, name: string, build: (q: Queryable) => T): T {
  const handle = q as unknown as Handle;
  // A transaction shares its database's dialect object, so the dialect keys "this database".
  let byName = built.get(handle.dialect);
  if (!byName) built.set(handle.dialect, (byName = new Map()));
  let statement = byName.get(name);
  if (!statement) byName.set(name, (statement = build(q) as unknown as Bound));
  const client = handle.session.client;
  if (statement.client === client) return statement as unknown as T;
  return Object.assign(Object.create(Object.getPrototypeOf(statement) as object) as object, statement, { client }) as T;
}
