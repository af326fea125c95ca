import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type postgres from 'postgres';
import type { Logger } from '@scores/service-kit';
import { GraderError } from '../errors.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

// Two-key advisory locks never collide with the single-key ones taken for standings.
const LOCK_CLASS = 0x5c0e;
const LOCK_MIGRATIONS = 1;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The .sql files of db/migrations, in name order (001_..., 002_...). */
export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(new URL(name, dir), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies the migrations not yet recorded, all in one transaction under an advisory lock:
 * replicas starting at once queue on the lock, and the later ones find nothing to do.
 * A migration therefore cannot use statements that refuse a transaction (CREATE INDEX
 * CONCURRENTLY); none does. Returns the names applied by this call.
 */
export async function migrate(sql: postgres.Sql, log?: Logger, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const applied = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_CLASS}, ${LOCK_MIGRATIONS})`;
    await tx`create table if not exists schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`;
    const done = new Map((await tx<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations`).map((r) => [r.name, r.checksum]));
    const ran: string[] = [];
    for (const m of all) {
      const recorded = done.get(m.name);
      if (recorded !== undefined) {
        if (recorded !== m.checksum) {
          throw new GraderError('MIGRATION_CHANGED', `migration ${m.name} was changed after it was applied; add a new migration instead`);
        }
        continue;
      }
      await tx.unsafe(m.sql);
      await tx`insert into schema_migrations (name, checksum) values (${m.name}, ${m.checksum})`;
      ran.push(m.name);
    }
    return ran;
  });
  if (applied.length) log?.info({ migrations: applied }, 'migrations applied');
  else log?.debug('schema up to date');
  return applied;
}
