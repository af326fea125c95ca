/**
 * Grading benchmark: every pick of ONE final game, across many leagues, graded by the
 * grader's set-based statement (grader_grade_game), against grading the same picks one
 * UPDATE per pick (results computed by the pure rules, as a naive grader would).
 *
 *   npx tsx bench/grading.ts [--quick]
 *
 * Full: 1,000 leagues x 1,000 members = 1,000,000 picks. Quick: 100 x 200 = 20,000.
 * Each of 3 runs flips the final score, so every pick's result changes (no run is a
 * no-op), after a VACUUM as a real table would have had between two games. The row-at-a-
 * time figure times a sample of rows and is extrapolated to all picks (said in notes).
 * Uses a database of its own on the server of `databaseUrl`, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { GameChanged } from '@scores/contracts';
import { testEnv } from '@scores/testkit';
import type { Bench, BenchRow } from './lib.js';
import {
  applyGameChanged,
  createSql,
  gradePick,
  migrate,
  recomputeStandings,
  type PickResult,
} from '../services/grader/src/index.js';

export interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  notes?: string;
}

const GAME = 'bench-1';
const HOME = '130';
const AWAY = '194';
const RUNS = 3;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

function gameEvent(revision: number): GameChanged {
  return {
    type: 'game.changed',
    schemaVersion: 1,
    id: `${GAME}:${revision}`,
    occurredAt: new Date().toISOString(),
    gameId: GAME,
    revision,
    changed: [],
    game: {
      id: GAME,
      sport: 'football',
      league: 'college-football',
      season: { year: 2026, type: 2 },
      week: 13,
      kickoff: '2099-11-28T17:00:00.000Z',
      status: { state: 'pre', name: 'STATUS_SCHEDULED', detail: '', shortDetail: '', period: 0, clock: null, completed: false },
      home: { teamId: HOME, abbreviation: 'MICH', name: 'Michigan Wolverines', score: null, winner: null, logo: null },
      away: { teamId: AWAY, abbreviation: 'OSU', name: 'Ohio State Buckeyes', score: null, winner: null, logo: null },
      possession: null,
      broadcasts: [],
      odds: { homeSpread: -3.5, overUnder: 47.5, details: null },
    },
  };
}

export async function measure(opts: { quick: boolean; databaseUrl: string; log?: (line: string) => void }): Promise<BenchResult[]> {
  const log = opts.log ?? (() => undefined);
  const leagues = opts.quick ? 100 : 1000;
  const members = opts.quick ? 200 : 1000;
  const picks = leagues * members;
  const sample = opts.quick ? 2000 : 20_000;

  const name = `scores_bench_grading_${randomBytes(4).toString('hex')}`;
  const admin = createSql(opts.databaseUrl, { max: 1, applicationName: 'bench-grading' });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(opts.databaseUrl);
  url.pathname = `/${name}`;
  const sql = createSql(url.toString(), { max: 2, applicationName: 'bench-grading', connectTimeoutS: 30 });
  try {
    await migrate(sql);
    const t0 = performance.now();
    await applyGameChanged(sql, gameEvent(1), 'bench');
    await sql`
      insert into leagues (name, against_the_spread, points_per_correct, key_pick_bonus, push_points)
      select 'bench ' || i, i % 4 <> 0, 10, 5, 3 from generate_series(1, ${leagues}) i`;
    // spreads from -7 to +7 in half points: covers, pushes (whole numbers) and straight-up leagues
    await sql`
      insert into league_games (league_id, game_id, home_spread, week)
      select id, ${GAME}, case when against_the_spread then ((row_number() over (order by id) % 29) - 14) / 2.0 end, 13
      from leagues`;
    await sql`
      insert into picks (league_id, user_id, game_id, week, team_id, key_pick, points_guess)
      select l.id, 'member-' || u, ${GAME}, 13, case when (u + hashtext(l.id::text)) % 2 = 0 then ${HOME} else ${AWAY} end,
             u % 7 = 0, 30 + u % 30
      from leagues l cross join generate_series(1, ${members}) u`;
    await sql`vacuum analyze leagues`;
    await sql`vacuum analyze league_games`;
    await sql`vacuum analyze picks`;
    const [size] = await sql<{ table_mb: number; indexes_mb: number }[]>`
      select round(pg_table_size('picks') / 1048576.0)::int as table_mb, round(pg_indexes_size('picks') / 1048576.0)::int as indexes_mb`;
    log(`setup: ${picks} picks in ${leagues} leagues (${size!.table_mb} MB + ${size!.indexes_mb} MB indexes) in ${round((performance.now() - t0) / 1000, 1)} s`);

    const setFinal = (revision: number, home: number, away: number) => sql`
      update games set status_state = 'post', status_name = 'STATUS_FINAL', completed = true,
             home_score = ${home}, away_score = ${away}, revision = ${revision}
      where id = ${GAME}`;
    const pairs = (await sql<{ league_id: string }[]>`select league_id from league_games where game_id = ${GAME}`).map((r) => ({
      leagueId: r.league_id,
      week: 13,
    }));

    const floorRates: number[] = [];
    const setRates: number[] = [];
    const setSeconds: number[] = [];
    const standingsSeconds: number[] = [];
    const hotRatios: number[] = [];
    const rowRates: number[] = [];
    let revision = 1;
    for (let i = 0; i < RUNS; i++) {
      // flip the winner each run: every pick's result changes
      const [home, away] = i % 2 === 0 ? [24, 20] : [20, 24];
      await setFinal(++revision, home, away);
      await sql`vacuum picks`;
      // the floor: the same rows updated in place with a constant, no join, no rules
      const f0 = performance.now();
      await sql`update picks set graded_revision = ${revision} where game_id = ${GAME}`;
      floorRates.push(picks / ((performance.now() - f0) / 1000));
      await sql`vacuum picks`;

      const before = await hotCounts(sql);
      const s0 = performance.now();
      const rows = await sql<{ n: number }[]>`select n from grader_grade_game(${GAME}, ${revision}, 'final')`;
      const seconds = (performance.now() - s0) / 1000;
      const graded = rows.reduce((sum, r) => sum + r.n, 0);
      if (graded !== picks) throw new Error(`graded ${graded} picks, expected ${picks}`);
      const after = await hotCounts(sql);
      await verify(sql, home, away);
      hotRatios.push((after.hot - before.hot) / Math.max(1, after.upd - before.upd));
      setSeconds.push(seconds);
      setRates.push(picks / seconds);

      const st0 = performance.now();
      await recomputeStandings(sql, pairs);
      standingsSeconds.push((performance.now() - st0) / 1000);

      // one UPDATE per pick for a sample, results from the pure rules, in one transaction
      await setFinal(++revision, home, away);
      await sql`vacuum picks`;
      const r0 = performance.now();
      const rev = revision;
      await sql.begin(async (tx) => {
        for (const p of await sampleQuery(tx, sample)) {
          const g = grade(p, home, away);
          await tx`update picks set result = ${g.result}::pick_result, points = ${g.points}, graded_revision = ${rev}
                   where id = ${p.id}`;
        }
      });
      rowRates.push(sample / ((performance.now() - r0) / 1000));
      log(
        `run ${i + 1}: set-based ${round(picks / seconds)} picks/s (${round(seconds, 2)} s, ${round(hotRatios.at(-1)! * 100)}% HOT; ` +
          `floor ${round(floorRates.at(-1)!)}/s), ` +
          `standings ${round(standingsSeconds.at(-1)!, 2)} s, row at a time ${round(rowRates.at(-1)!)} picks/s`,
      );
    }

    // One more grading, not timed, under EXPLAIN (ANALYZE, WAL, BUFFERS): what it writes.
    // The counters include the work done inside the function.
    const [home, away] = RUNS % 2 === 0 ? [24, 20] : [20, 24];
    await setFinal(++revision, home, away);
    await sql`vacuum picks`;
    await sql`checkpoint`.catch(() => undefined); // as after the vacuum of a real table: every page's first change is a full-page image
    const diag = await explain(sql, `select n from grader_grade_game('${GAME}', ${revision}, 'final')`);
    await setFinal(++revision, home, away);
    await sql`vacuum picks`;
    await sql`checkpoint`.catch(() => undefined);
    const floorDiag = await explain(sql, `update picks set graded_revision = ${revision} where game_id = '${GAME}'`);
    log(`wal: grading ${JSON.stringify(diag)}; floor ${JSON.stringify(floorDiag)}`);

    const setRate = median(setRates);
    const rowRate = median(rowRates);
    return [
      {
        name: 'grading.set-based',
        metrics: {
          picks,
          leagues,
          picksPerSecond: round(setRate),
          seconds: round(median(setSeconds), 3),
          hotUpdatePercent: round(median(hotRatios) * 100),
          floorPicksPerSecond: round(median(floorRates)),
          standingsSeconds: round(median(standingsSeconds), 3),
          tableMb: size!.table_mb,
          indexesMb: size!.indexes_mb,
          walBytesPerPick: round(diag.walBytes / picks),
          walFpi: diag.walFpi,
          walMb: round(diag.walBytes / 1048576),
          floorWalMb: round(floorDiag.walBytes / 1048576),
          buffersRead: diag.read,
          buffersDirtied: diag.dirtied,
          buffersWritten: diag.written,
        },
        notes:
          `grader_grade_game: one UPDATE ... FROM for all ${picks} picks of one final game; median of ${RUNS} runs, each flipping ` +
          `every result. floor: the same rows updated with a constant (no join, no rules), what this server can do at best. ` +
          `standings: recomputing the ${leagues} league-weeks, timed apart (the grader runs it in the same transaction)`,
      },
      {
        name: 'grading.row-at-a-time',
        metrics: {
          sampleRows: sample,
          picksPerSecond: round(rowRate),
          extrapolatedSeconds: round(picks / rowRate, 1),
          setBasedSpeedup: round(setRate / rowRate, 1),
        },
        notes: `one UPDATE per pick (results from grading/rules.ts) in one transaction, timed on ${sample} picks and extrapolated to ${picks}; median of ${RUNS} runs`,
      },
    ];
  } finally {
    await sql.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}

interface WalUsage {
  walRecords: number;
  walFpi: number;
  walBytes: number;
  hit: number;
  read: number;
  dirtied: number;
  written: number;
}

async function explain(sql: ReturnType<typeof createSql>, statement: string): Promise<WalUsage> {
  const [row] = await sql.unsafe<{ 'QUERY PLAN': [{ Plan: Record<string, number> }] }[]>(
    `explain (analyze, wal, buffers, timing off, format json) ${statement}`,
  );
  const plan = row!['QUERY PLAN'][0].Plan;
  return {
    walRecords: plan['WAL Records'] ?? 0,
    walFpi: plan['WAL FPI'] ?? 0,
    walBytes: plan['WAL Bytes'] ?? 0,
    hit: plan['Shared Hit Blocks'] ?? 0,
    read: plan['Shared Read Blocks'] ?? 0,
    dirtied: plan['Shared Dirtied Blocks'] ?? 0,
    written: plan['Shared Written Blocks'] ?? 0,
  };
}

/** `pnpm bench` entry: the figures above as table rows. */
export const run: Bench = async ({ quick }) => {
  const [set, row] = await measure({ quick, databaseUrl: testEnv.databaseUrl, log: (line) => process.stderr.write(`  grading: ${line}\n`) });
  const m = set!.metrics;
  const r = row!.metrics;
  const target = 500_000;
  const rows: BenchRow[] = [
    {
      name: `grading: ${m.picks!.toLocaleString('en-US')} picks of one final game (${m.leagues} leagues), set-based`,
      value: m.picksPerSecond!,
      unit: 'picks/s',
      baseline: { name: 'one UPDATE per pick', value: r.picksPerSecond! },
      ratio: r.setBasedSpeedup!,
      target: `>= ${target.toLocaleString('en-US')} picks/s`,
      ...(quick ? {} : { pass: m.picksPerSecond! >= target }),
      notes: `${m.seconds} s, ${m.hotUpdatePercent}% HOT; ${set!.notes ?? ''}`,
    },
    {
      name: 'grading: the same rows updated with a constant (the floor of this server)',
      value: m.floorPicksPerSecond!,
      unit: 'rows/s',
      notes: 'no join, no rules: no UPDATE of every pick row can be faster here',
    },
    {
      name: 'grading: WAL written per pick graded',
      value: m.walBytesPerPick!,
      unit: 'bytes',
      notes:
        `${m.walMb} MB of WAL for the game (${m.walFpi} full-page images; a constant UPDATE of the same rows: ${m.floorWalMb} MB); ` +
        `buffers read ${m.buffersRead}, dirtied ${m.buffersDirtied}, written by the backend ${m.buffersWritten}; table ${m.tableMb} MB + indexes ${m.indexesMb} MB`,
    },
    {
      name: `grading: standings of the ${m.leagues} league-weeks recomputed`,
      value: m.standingsSeconds!,
      unit: 's',
      notes: 'in the same transaction as the grading in the grader; timed apart here',
    },
  ];
  return rows;
};

async function hotCounts(sql: ReturnType<typeof createSql>): Promise<{ upd: number; hot: number }> {
  // the statistics collector reports with a delay: force a flush of this backend's counters
  await sql`select pg_stat_force_next_flush()`.catch(() => undefined);
  const [r] = await sql<{ upd: string; hot: string }[]>`
    select n_tup_upd as upd, n_tup_hot_upd as hot from pg_stat_user_tables where relname = 'picks'`;
  return { upd: Number(r?.upd ?? 0), hot: Number(r?.hot ?? 0) };
}

interface SampleRow {
  id: string;
  team_id: string;
  key_pick: boolean;
  home_spread: string | null;
  ats: boolean;
  ppc: string;
  bonus: string;
  push: string;
  result: PickResult | null;
  points: string;
}

/** a pool or a transaction, as the grader's data functions take */
type Db = Parameters<typeof recomputeStandings>[0];

const sampleQuery = (sql: Db, n: number) => sql<SampleRow[]>`
  select p.id, p.team_id, p.key_pick, lg.home_spread, l.against_the_spread as ats,
         l.points_per_correct as ppc, l.key_pick_bonus as bonus, l.push_points as push, p.result, p.points
  from picks p join league_games lg using (league_id, game_id) join leagues l on l.id = p.league_id
  where p.game_id = ${GAME}
  limit ${n}`;

function grade(p: SampleRow, home: number, away: number) {
  return gradePick(
    { state: 'final', homeTeamId: HOME, awayTeamId: AWAY, homeScore: home, awayScore: away },
    p.home_spread === null ? null : Number(p.home_spread),
    { againstTheSpread: p.ats, pointsPerCorrect: Number(p.ppc), keyPickBonus: Number(p.bonus), pushPoints: Number(p.push) },
    { teamId: p.team_id, keyPick: p.key_pick },
  );
}

/** A benchmark of wrong answers is worthless: the set-based grades must match the pure rules. */
async function verify(sql: ReturnType<typeof createSql>, home: number, away: number): Promise<void> {
  for (const p of await sampleQuery(sql, 5000)) {
    const want = grade(p, home, away);
    if (p.result !== want.result || Number(p.points) !== want.points) {
      throw new Error(`pick ${p.id}: graded ${p.result}/${p.points}, the rules say ${want.result}/${want.points}`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
  const results = await measure({ quick, databaseUrl, log: (line) => console.log(line) });
  for (const r of results) {
    console.log(`\n${r.name}`);
    console.table(r.metrics);
    if (r.notes) console.log(r.notes);
  }
}
