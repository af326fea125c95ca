import { createSql, ensureDatabase, migrate as runMigrations } from '@scores/grader';
import { envReader, readDatabaseUrl, redactUrl } from '@scores/service-kit';
import { CliError } from '../nats.js';

export async function migrate(): Promise<void> {
  const v = envReader(process.env);
  const url = readDatabaseUrl(v);
  v.done();
  try {
    if (await ensureDatabase(url)) console.log(`created database ${new URL(url).pathname.slice(1)}`);
  } catch (err) {
    throw new CliError(`cannot reach Postgres at ${redactUrl(url)}: ${(err as Error).message}`, 3);
  }
  const sql = createSql(url, { max: 1 });
  try {
    const applied = await runMigrations(sql);
    console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
  } catch (err) {
    throw new CliError(`migration failed on ${redactUrl(url)}: ${(err as Error).message}`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
