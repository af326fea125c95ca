/**
 * A batch applied by one call (grader_apply_game_changes) against the same events applied
 * one by one (grader_apply_game_changed), each in a database of its own set up alike: the
 * end state must be equal, and what the batch publishes a part of what one by one does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GameChanged } from '@scores/contracts';
import { freshDatabase } from '@scores/testkit';
import type postgres from 'postgres';
import { createSql } from '../src/db/connect.js';
import { createLeague, putLeagueGame } from '../src/db/leagues.js';
import { migrate } from '../src/db/migrate.js';
import { upsertPick } from '../src/db/picks.js';
import { applyGameChanged, applyGameChanges } from '../src/grading/apply.js';
import { gameEvent, type GameSpec, type Phase } from './support.js';

const NS = 'batch';
const USERS = ['ann', 'bob', 'cat'];

interface Db {
  sql: postgres.Sql;
  drop(): Promise<void>;
}
const opened: Db[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.drop()));
});

async function openDb(label: string): Promise<Db> {
  const db = await freshDatabase(label);
  const sql = createSql(db.url, { max: 2, applicationName: 'grader-batch-test' });
  const handle = {
    sql,
    async drop() {
      await sql.end({ timeout: 1 });
      await db.drop();
    },
  };
  opened.push(handle);
  await migrate(sql);
  return handle;
}

/** The games at revision 1, two leagues with every game on their slate, picks by three members. */
async function setUp(sql: postgres.Sql, ids: string[]) {
  for (const [i, id] of ids.entries()) await applyGameChanged(sql, gameEvent({ id, revision: 1, week: weekOf(i), homeSpread: -3.5 }), NS);
  const ats = await createLeague(sql, { name: 'ats', againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 5, pushPoints: 3 });
  const su = await createLeague(sql, { name: 'su', againstTheSpread: false, pointsPerCorrect: 1 });
  for (const [i, id] of ids.entries()) {
    await putLeagueGame(sql, ats.id, id, { tiebreaker: i < 2 }); // the first game of each week breaks ties
    await putLeagueGame(sql, su.id, id);
    for (const [u, userId] of USERS.entries()) {
      const teamId = (u + i) % 2 ? '194' : '130';
      await upsertPick(sql, ats.id, { userId, gameId: id, teamId, keyPick: u === 0 && i < 2, pointsGuess: 30 + 7 * u });
      await upsertPick(sql, su.id, { userId, gameId: id, teamId: u === 2 ? '194' : '130' });
    }
  }
}
const weekOf = (i: number) => 1 + (i % 2);

/** Everything grading leaves, with league names for their (random) ids. */
async function snapshot(sql: postgres.Sql) {
  return {
    seasons: await sql`select sport, league, year, type from seasons order by 1, 2, 3, 4`,
    teams: await sql`select sport, league, id, abbreviation, name, logo from teams order by 1, 2, 3`,
    games: await sql`select id, revision, graded_revision, game from games order by id`,
    picks: await sql`
      select l.name as league, p.user_id, p.game_id, p.result, p.points::text as points, p.graded_revision
      from picks p join leagues l on l.id = p.league_id order by 1, 2, 3`,
    standings: await sql`
      select l.name as league, s.week, s.user_id, s.wins, s.losses, s.pushes, s.points::text as points,
             s.tiebreak::text as tiebreak, s.rank
      from standings s join leagues l on l.id = s.league_id order by 1, 2, 3`,
  };
}

interface OutboxRow {
  msgId: string;
  gameId: string;
  revision: number;
  payload: unknown;
}
async function outbox(sql: postgres.Sql): Promise<OutboxRow[]> {
  const names = new Map((await sql<{ id: string; name: string }[]>`select id, name from leagues`).map((r) => [r.id, r.name]));
  const rows = await sql<{ msg_id: string; payload: { gameId: string; revision: number; leagues: string[] } }[]>`
    select msg_id, payload from outbox order by id`;
  return rows.map((r) => ({
    msgId: r.msg_id,
    gameId: r.payload.gameId,
    revision: r.payload.revision,
    payload: { ...r.payload, leagues: r.payload.leagues.map((l) => names.get(l)).sort() },
  }));
}

/**
 * Applies `events` one by one in one database and in the given batches in another, both
 * set up alike, and expects the same end state; answers both for more checks.
 */
async function compare(ids: string[], events: GameChanged[], batches: GameChanged[][]) {
  expect(batches.flat()).toEqual(events);
  const [one, many] = await Promise.all([openDb('onebyone'), openDb('batched')]);
  await setUp(one.sql, ids);
  await setUp(many.sql, ids);
  let applied = 0;
  for (const e of events) if ((await applyGameChanged(one.sql, e, NS)).applied) applied++;
  let batchApplied = 0;
  let batchStale = 0;
  const published: string[] = [];
  for (const b of batches) {
    const r = await applyGameChanges(many.sql, b, NS);
    batchApplied += r.applied;
    batchStale += r.stale;
    published.push(...r.graded.map((g) => `${g.gameId}:${g.revision}`));
  }
  expect({ applied: batchApplied, stale: batchStale }).toEqual({ applied, stale: events.length - applied });
  const end = await snapshot(many.sql);
  expect(end).toEqual(await snapshot(one.sql));

  const [oneOut, manyOut] = [await outbox(one.sql), await outbox(many.sql)];
  expect(manyOut.map((r) => `${r.gameId}:${r.revision}`)).toEqual(published);
  // what the batches publish, one by one publishes too, with the same content
  const byMsgId = new Map(oneOut.map((r) => [r.msgId, r]));
  for (const r of manyOut) expect(r).toEqual(byMsgId.get(r.msgId));
  // at most one picks.graded per game and revision, and the last one announces the grade the game ends with
  for (const rows of [oneOut, manyOut]) expect(new Set(rows.map((r) => r.msgId)).size).toBe(rows.length);
  for (const g of end.games as unknown as { id: string; graded_revision: number | null }[]) {
    if (g.graded_revision === null) continue;
    expect(manyOut.filter((r) => r.gameId === g.id).at(-1)?.revision).toBe(g.graded_revision);
    expect(oneOut.filter((r) => r.gameId === g.id).at(-1)?.revision).toBe(g.graded_revision);
  }
  return { one, many, oneOut, manyOut };
}

const ev = (id: string, revision: number, phase: Phase, extra: Partial<GameSpec> = {}) =>
  gameEvent({ id, revision, phase, week: weekOf(Number(id.split('-').at(-1))), home: 10 + revision, away: 13, ...extra });

describe('a batch of game.changed in one call', () => {
  it('ends where one by one ends, revisions out of order and repeated', async () => {
    const ids = ['g-0', 'g-1'];
    const events = [
      ev('g-0', 3, 'in'),
      ev('g-0', 1, 'pre'),
      ev('g-0', 2, 'in'),
      ev('g-0', 3, 'in'),
      ev('g-1', 2, 'in'),
      ev('g-0', 5, 'final'),
      ev('g-0', 4, 'in'),
      ev('g-1', 2, 'in'),
      ev('g-1', 1, 'pre'),
    ];
    const { manyOut } = await compare(ids, events, [events]);
    expect(manyOut.map((r) => r.msgId)).toEqual(['graded:g-0:5']);
  });

  it('grades a final and its correction in one batch at the correction, and publishes it alone', async () => {
    const ids = ['g-0', 'g-1'];
    const final = ev('g-0', 2, 'final', { home: 24, away: 20 });
    const corrected = ev('g-0', 3, 'final', { home: 21, away: 20 });
    const { many, oneOut, manyOut } = await compare(ids, [final, corrected], [[final, corrected]]);
    expect(oneOut.map((r) => r.msgId)).toEqual(['graded:g-0:2', 'graded:g-0:3']);
    expect(manyOut.map((r) => r.msgId)).toEqual(['graded:g-0:3']);
    const picks = await many.sql<{ result: string; n: number }[]>`
      select result, count(*)::int as n from picks where game_id = 'g-0' and graded_revision = 3 group by result order by result`;
    expect(picks.reduce((s, r) => s + r.n, 0)).toBe(6);
  });

  it('withdraws nothing and publishes nothing for a final taken back within the batch', async () => {
    const ids = ['g-0', 'g-1'];
    const events = [ev('g-0', 2, 'final'), ev('g-0', 3, 'in'), ev('g-1', 2, 'postponed'), ev('g-1', 3, 'pre')];
    const { oneOut, manyOut, many } = await compare(ids, events, [events]);
    expect(oneOut.map((r) => r.msgId)).toEqual(['graded:g-0:2', 'graded:g-1:2']);
    expect(manyOut).toEqual([]);
    // one by one recomputed these weeks (grading, then withdrawing): the batch does too
    expect((await many.sql`select 1 from standings`).length).toBeGreaterThan(0);
  });

  it('ends where one by one ends on random sequences, whatever the batches', async () => {
    for (const seed of [1, 7, 42, 2026]) {
      const rand = mulberry32(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const ids = ['g-0', 'g-1', 'g-2', 'g-3'];
      const phases: Phase[] = ['pre', 'in', 'in', 'final', 'final', 'postponed', 'canceled', 'suspended'];
      const events: GameChanged[] = [];
      const next = new Map(ids.map((id) => [id, 2]));
      for (let n = 0; n < 60; n++) {
        const id = pick(ids);
        const revision = next.get(id)!;
        next.set(id, revision + 1);
        const e = ev(id, revision, pick(phases), { home: Math.floor(rand() * 35), away: Math.floor(rand() * 35) });
        // ESPN renames a team now and then, or replaces a team by an undecided one
        if (rand() < 0.2) e.game.home.abbreviation = `M${revision}`;
        if (rand() < 0.1) e.game.away.teamId = '-2';
        events.push(e);
      }
      // out of order: neighbours swapped; and redeliveries
      for (let k = 0; k < 20; k++) {
        const i = Math.floor(rand() * (events.length - 1));
        [events[i], events[i + 1]] = [events[i + 1]!, events[i]!];
      }
      for (let k = 0; k < 8; k++) events.splice(Math.floor(rand() * events.length), 0, structuredClone(pick(events)));
      const batches: GameChanged[][] = [];
      for (let i = 0; i < events.length; ) {
        const size = 1 + Math.floor(rand() * 15);
        batches.push(events.slice(i, i + size));
        i += size;
      }
      await compare(ids, events, batches);
      await Promise.all(opened.splice(0).map((db) => db.drop()));
    }
  });
});

/** A small seeded PRNG: the same sequences on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
