import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { testEnv } from '@scores/testkit';
import { ensureDatabase } from '../src/db/connect.js';

describe('ensureDatabase', () => {
  it('creates a missing database once, even when replicas race for it', async () => {
    const name = `scores_ensure_${randomBytes(4).toString('hex')}`;
    const url = new URL(testEnv.databaseUrl);
    url.pathname = `/${name}`;
    const admin = postgres(testEnv.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      const created = await Promise.all([ensureDatabase(url.toString()), ensureDatabase(url.toString()), ensureDatabase(url.toString())]);
      expect(created.filter(Boolean)).toHaveLength(1);
      expect(await ensureDatabase(url.toString())).toBe(false);
      const [row] = await admin`select 1 as ok from pg_database where datname = ${name}`;
      expect(row?.ok).toBe(1);
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});
