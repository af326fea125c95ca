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
