import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { testEnv } from './env.js';

/** A database of its own for a test file, dropped (with its connections) by `drop()`. */
export async function freshDatabase(label = 't'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `scores_${label.replace(/[^a-z0-9_]/gi, '').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  const admin = postgres(testEnv.databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}"`);
  } catch (err) {
    await admin.end();
    throw new Error(`Postgres is not reachable at ${testEnv.databaseUrl} (set DATABASE_URL)`, { cause: err });
  }
  await admin.end();
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const sql = postgres(testEnv.databaseUrl, { max: 1, onnotice: () => undefined });
      try {
        await sql.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}
