import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerNames, msgIds, PicksGraded, subjects } from '@scores/contracts';
import { freshDatabase, quietPeriod, testContext, waitFor } from '@scores/testkit';
import { loadConfig } from '../src/config.js';
import { createSql } from '../src/db/connect.js';
import { createLeague, putLeagueGame } from '../src/db/leagues.js';
import { listPicks, upsertPick } from '../src/db/picks.js';
import { loadMigrations, migrate } from '../src/db/migrate.js';
import { createGraderService } from '../src/grader.js';
import { startHarness, type Harness } from './harness.js';
import { startPgProxy } from './proxy.js';
import { gameEvent } from './support.js';

const USERS = ['ann', 'bob', 'cat'];

/** Games on one league's slate with a pick per user, ready to be graded. */
async function slate(h: Harness, ids: string[], week: number) {
  for (const id of ids) await h.publish(gameEvent({ id, revision: 1, week }));
  await h.drained();
  const league = await createLeague(h.sql, { name: `week ${week}`, againstTheSpread: false, pointsPerCorrect: 1 });
  for (const id of ids) {
    await putLeagueGame(h.sql, league.id, id);
    for (const [i, userId] of USERS.entries()) await upsertPick(h.sql, league.id, { userId, gameId: id, teamId: i % 2 ? '194' : '130' });
  }
  return league.id;
}

async function allGraded(h: Harness, leagueId: string, revision: number): Promise<boolean> {
  const picks = await listPicks(h.sql, leagueId);
  return picks.length > 0 && picks.every((p) => p.gradedRevision === revision);
}

describe('when Postgres fails', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('graderkill');
  });
  afterAll(() => h?.close());

  it('naks while its connections are killed and loses nothing once they come back', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `g-kill-${i}`);
    const league = await slate(h, ids, 3);
    const kill = () => h.sql`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = ${h.db.name} and application_name = 'scores-grader' and pid <> pg_backend_pid()`;
    const nakBefore = await h.counter('scores_events_consumed_total', { consumer: consumerNames(h.ns).graderGames, outcome: 'nak' });
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await kill();
        await quietPeriod(5);
      }
    })();
    for (const [i, id] of ids.entries()) {
      for (let rev = 2; rev <= 4; rev++) {
        await h.publish(gameEvent({ id, revision: rev, week: 3, phase: rev === 4 ? 'final' : 'in', home: 7 * rev + i, away: 10 }));
      }
    }
    await waitFor(async () => (await h.counter('scores_events_consumed_total', { consumer: consumerNames(h.ns).graderGames, outcome: 'nak' })) > nakBefore, {
      message: 'a nak while connections are killed',
    });
    killing = false;
    await killer;
    await waitFor(() => allGraded(h, league, 4), { timeoutMs: 30_000, message: 'every pick graded at revision 4' });
    await h.drained();
    const games = await h.sql<{ n: number }[]>`select count(*)::int as n from games where id like 'g-kill-%' and revision = 4 and graded_revision = 4`;
    expect(games[0]!.n).toBe(ids.length);
    await waitFor(async () => new Set((await h.gradedEvents()).map((e) => e.gameId)).size === ids.length);
  });

  it('naks while the database cannot be reached and applies everything when it returns', async () => {
    const db = await freshDatabase('graderdown');
    const proxy = await startPgProxy(db.url);
    const ctx = await testContext(h.ns, { name: 'behind-proxy', keep: true });
    // the grader of the first test stops: this one, behind the proxy, takes the durable alone
    await h.grader.stop();
    const cfg = loadConfig({ NAMESPACE: h.ns, DATABASE_URL: proxy.url, GRADER_OUTBOX_INTERVAL_S: '1' });
    const grader = await createGraderService(cfg, { retryDelayMs: () => 200 }).start(ctx);
    const sql = createSql(db.url, { max: 2 });
    try {
      await proxy.down();
      expect((await ctx.health.run(['postgres'])).ready).toBe(false);
      const ids = ['g-down-1', 'g-down-2', 'g-down-3'];
      for (const id of ids) await h.publish(gameEvent({ id, revision: 1, phase: 'in', home: 3, away: 0 }));
      const naks = () => h.counter('scores_events_consumed_total', { consumer: consumerNames(h.ns).graderGames, outcome: 'nak' }, ctx);
      await waitFor(async () => (await naks()) >= ids.length, { timeoutMs: 20_000, message: 'naks while down' });
      expect(await sql`select id from games`).toEqual([]);
      await proxy.up();
      await waitFor(async () => (await sql`select id from games where id like 'g-down-%'`).length === ids.length, { timeoutMs: 20_000 });
      expect((await ctx.health.run(['postgres'])).ready).toBe(true);
    } finally {
      await grader.stop();
      await grader.close?.();
      await sql.end({ timeout: 1 });
      await ctx.close();
      await proxy.close();
      await db.drop();
    }
  });
});

describe('two grader replicas', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('grader2');
  });
  afterAll(() => h?.close());

  it('never grade a game twice, even when both receive the same final at once', async () => {
    const ctx2 = await testContext(h.ns, { name: 'replica-2', keep: true });
    const second = await createGraderService(h.cfg, { retryDelayMs: () => 100 }).start(ctx2);
    try {
      const ids = Array.from({ length: 30 }, (_, i) => `g-twice-${i}`);
      const league = await slate(h, ids, 4);
      // each final three times under different message ids: the replicas race on it
      for (const copy of ['a', 'b', null]) {
        for (const [i, id] of ids.entries()) {
          const e = gameEvent({ id, revision: 2, week: 4, phase: 'final', home: 20 + (i % 3), away: 21 });
          await h.publish(e, copy === null ? null : `${msgIds.gameChanged(id, 2)}:${copy}`);
        }
      }
      await h.drained();
      expect(await allGraded(h, league, 2)).toBe(true);
      const graded = (c?: Awaited<ReturnType<typeof testContext>>) => h.counter('scores_grader_games_graded_total', {}, c);
      expect((await graded()) + (await graded(ctx2))).toBe(ids.length);
      // both replicas took part, and every copy but one of each final was found stale
      const events = (outcome: string, c?: Awaited<ReturnType<typeof testContext>>) => h.counter('scores_grader_events_total', { outcome }, c);
      expect((await events('applied')) + (await events('stale'))).toBeGreaterThan(0);
      expect((await events('applied', ctx2)) + (await events('stale', ctx2))).toBeGreaterThan(0);
      expect((await events('stale')) + (await events('stale', ctx2))).toBe(2 * ids.length);
      const outbox = await h.sql<{ msg_id: string; n: number }[]>`select msg_id, count(*)::int as n from outbox group by msg_id`;
      expect(outbox).toHaveLength(ids.length);
      expect(outbox.every((r) => r.n === 1)).toBe(true);
      await waitFor(async () => (await h.gradedEvents()).length === ids.length);
    } finally {
      await second.stop();
      await second.close?.();
      await ctx2.close();
    }
  });

  it('publishes an outbox row left unpublished by a crash', async () => {
    const event: PicksGraded = { gameId: 'g-crashed', revision: 9, leagues: [], graded: 0, results: { win: 0, loss: 0, push: 0, void: 0 } };
    await h.sql`insert into outbox (subject, msg_id, payload)
      values (${subjects.picksGraded(h.ns, 'g-crashed')}, ${msgIds.picksGraded('g-crashed', 9)}, ${h.sql.json(event)})`;
    await waitFor(async () => (await h.gradedEvents()).some((e) => e.gameId === 'g-crashed'), { message: 'periodic outbox flush' });
    await waitFor(async () => (await h.sql`select 1 from outbox where sent_at is null`).length === 0);
  });
});

describe('migrations', () => {
  it('are applied once when several connections run them at once', async () => {
    const db = await freshDatabase('gradermig');
    const pools = Array.from({ length: 6 }, () => createSql(db.url, { max: 1 }));
    try {
      const ran = await Promise.all(pools.map((sql) => migrate(sql)));
      const all = (await loadMigrations()).map((m) => m.name);
      expect(ran.flat().sort()).toEqual(all);
      expect((await pools[0]!<{ name: string }[]>`select name from schema_migrations order by name`).map((r) => r.name)).toEqual(all);
      expect(await migrate(pools[1]!)).toEqual([]);
    } finally {
      await Promise.all(pools.map((p) => p.end({ timeout: 1 })));
      await db.drop();
    }
  });

  it('refuse to run when an applied migration was edited', async () => {
    const db = await freshDatabase('gradermig2');
    const sql = createSql(db.url, { max: 1 });
    try {
      const migrations = await loadMigrations();
      await migrate(sql, undefined, migrations);
      const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
      await expect(migrate(sql, undefined, edited)).rejects.toMatchObject({ code: 'MIGRATION_CHANGED' });
    } finally {
      await sql.end({ timeout: 1 });
      await db.drop();
    }
  });
});
