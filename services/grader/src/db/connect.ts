import postgres from 'postgres';

export interface SqlOptions {
  /** pool size (default 10) */
  max?: number;
  /** name shown in pg_stat_activity */
  applicationName?: string;
  /** seconds to wait for a connection before a query fails (default 5) */
  connectTimeoutS?: number;
}

/**
 * A pool for the grader's data layer (the api may open its own with this). A query
 * made while Postgres is down fails within the connect timeout instead of hanging, so
 * a consumer naks the event and retries later. Without fetch_types: the array-type query
 * postgres.js runs on every new connection rejects unhandled when that connection is
 * killed; arrays are passed as literals instead (arrays.ts).
 */
export function createSql(url: string, opts: SqlOptions = {}): postgres.Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeoutS ?? 5,
    idle_timeout: 60,
    max_lifetime: 30 * 60,
    onnotice: () => undefined,
    fetch_types: false,
    connection: { application_name: opts.applicationName ?? 'scores-grader' },
  });
}

/**
 * Creates the database of `url` when it does not exist yet (a fresh machine: the server
 * runs, the `scores` database does not), through the server's `postgres` database.
 * Concurrent replicas may race: "already exists" counts as success. Returns true when it
 * created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const probe = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined, fetch_types: false });
  try {
    await probe`select 1`;
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== '3D000') throw err; // invalid_catalog_name: no such database
  } finally {
    await probe.end({ timeout: 1 });
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return false;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, connect_timeout: 5, onnotice: () => undefined, fetch_types: false });
  try {
    await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
    return true;
  } catch (err) {
    // another replica won: duplicate_database, or the catalog's unique index when both ran at once
    const code = (err as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw err;
  } finally {
    await sql.end({ timeout: 1 });
  }
}
