import type postgres from 'postgres';
import type { PickResult } from './rules.js';

type Tx = postgres.TransactionSql;

export interface GradeSummary {
  /** leagues that have the game on their slate, sorted */
  leagues: string[];
  /** every (league, week) whose standings the game touches */
  leagueWeeks: { leagueId: string; week: number }[];
  graded: number;
  results: Record<PickResult, number>;
}

const emptyResults = (): Record<PickResult, number> => ({ win: 0, loss: 0, push: 0, void: 0 });

/**
 * Grades every pick of one game in every league with ONE statement (the rules of
 * grading/rules.ts, per league first, then per pick). Must run in the transaction that
 * holds the game's row lock (taken by its upsert), which is what keeps two replicas
 * from grading the same game at once.
 */
export async function gradeGamePicks(tx: Tx, gameId: string, revision: number, state: 'final' | 'void'): Promise<GradeSummary> {
  const rows = await tx<{ league_id: string; week: number; result: PickResult | null; n: number }[]>`
    with outcome as (
      select lg.league_id, g.home_team_id, g.away_team_id,
             l.points_per_correct, l.key_pick_bonus, l.push_points,
             case
               when ${state} = 'void' or g.home_score is null or g.away_score is null then 'void'
               else case sign(g.home_score - g.away_score
                              + case when l.against_the_spread then coalesce(lg.home_spread, 0) else 0 end)
                      when 1 then 'home' when -1 then 'away' else 'push' end
             end as side
      from league_games lg
      join leagues l on l.id = lg.league_id
      join games g on g.id = lg.game_id
      where lg.game_id = ${gameId}
    ), o as (
      select *, case side when 'home' then home_team_id when 'away' then away_team_id end as winner
      from outcome
    ), graded as (
      update picks p set
        result = case
          when o.side = 'void' or p.team_id not in (o.home_team_id, o.away_team_id) then 'void'::pick_result
          when o.side = 'push' then 'push'::pick_result
          when p.team_id = o.winner then 'win'::pick_result
          else 'loss'::pick_result
        end,
        points = case
          when o.side = 'void' or p.team_id not in (o.home_team_id, o.away_team_id) then 0
          when o.side = 'push' then o.push_points
          when p.team_id = o.winner then o.points_per_correct + case when p.key_pick then o.key_pick_bonus else 0 end
          else 0
        end,
        graded_revision = ${revision},
        graded_at = now()
      from o
      where p.game_id = ${gameId} and p.league_id = o.league_id
      returning p.league_id, p.week, p.result
    )
    select lg.league_id, lg.week, c.result, coalesce(c.n, 0)::int as n
    from league_games lg
    left join (select league_id, result, count(*) as n from graded group by 1, 2) c on c.league_id = lg.league_id
    where lg.game_id = ${gameId}`;
  return summarise(rows);
}

/**
 * A game that was graded and is no longer final nor void (ESPN took a final back, or a
 * postponed game was rescheduled): its picks lose their grade until it is final again.
 */
export async function ungradeGamePicks(tx: Tx, gameId: string): Promise<GradeSummary> {
  const rows = await tx<{ league_id: string; week: number; result: PickResult | null; n: number }[]>`
    with ungraded as (
      update picks set result = null, points = 0, graded_revision = null, graded_at = null
      where game_id = ${gameId} and graded_revision is not null
      returning league_id
    )
    select lg.league_id, lg.week, null::pick_result as result,
           (select count(*) from ungraded u where u.league_id = lg.league_id)::int as n
    from league_games lg
    where lg.game_id = ${gameId}`;
  const s = summarise(rows);
  return { ...s, results: emptyResults() };
}

function summarise(rows: { league_id: string; week: number; result: PickResult | null; n: number }[]): GradeSummary {
  const results = emptyResults();
  const leagueWeeks = new Map<string, { leagueId: string; week: number }>();
  let graded = 0;
  for (const r of rows) {
    leagueWeeks.set(`${r.league_id}/${r.week}`, { leagueId: r.league_id, week: r.week });
    if (r.result) results[r.result] += r.n;
    graded += r.n;
  }
  const weeks = [...leagueWeeks.values()].sort((a, b) => (a.leagueId < b.leagueId ? -1 : a.leagueId > b.leagueId ? 1 : a.week - b.week));
  return { leagues: [...new Set(weeks.map((w) => w.leagueId))], leagueWeeks: weeks, graded, results };
}

/**
 * Recomputes the standings of the given league-weeks with one statement. Transactions
 * grading two games of the same week would each miss the other's uncommitted grades, so
 * each league-week is locked first (in a fixed order, so two graders cannot deadlock);
 * the statement that follows takes a fresh snapshot and sees what the other committed.
 */
export async function recomputeStandings(tx: Tx, leagueWeeks: { leagueId: string; week: number }[]): Promise<number> {
  if (leagueWeeks.length === 0) return 0;
  const leagues = leagueWeeks.map((w) => w.leagueId);
  const weeks = leagueWeeks.map((w) => w.week);
  await tx`
    select pg_advisory_xact_lock(k)
    from (select distinct hashtextextended(league_id::text || '/' || week, 0) as k
          from unnest(${leagues}::uuid[], ${weeks}::int[]) as t(league_id, week)
          order by k) s`;
  const result = await tx`
    with lw as (
      select * from unnest(${leagues}::uuid[], ${weeks}::int[]) as t(league_id, week)
    ), tb as (
      select lg.league_id, lg.week, lg.game_id, g.home_score + g.away_score as total
      from league_games lg
      join lw on lw.league_id = lg.league_id and lw.week = lg.week
      join games g on g.id = lg.game_id
      where lg.tiebreaker and g.status_state = 'post' and g.completed
        and g.home_score is not null and g.away_score is not null
    ), agg as (
      select p.league_id, p.week, p.user_id,
             count(*) filter (where p.result = 'win')::int as wins,
             count(*) filter (where p.result = 'loss')::int as losses,
             count(*) filter (where p.result = 'push')::int as pushes,
             coalesce(sum(p.points), 0) as points,
             min(abs(p.points_guess - tb.total)) filter (where p.game_id = tb.game_id) as tiebreak
      from picks p
      join lw on lw.league_id = p.league_id and lw.week = p.week
      left join tb on tb.league_id = p.league_id and tb.week = p.week
      group by 1, 2, 3
    ), ranked as (
      select agg.*, rank() over (partition by league_id, week order by points desc, tiebreak asc nulls last)::int as rank
      from agg
    )
    insert into standings (league_id, week, user_id, wins, losses, pushes, points, tiebreak, rank)
    select league_id, week, user_id, wins, losses, pushes, points, tiebreak, rank from ranked
    on conflict (league_id, week, user_id) do update set
      wins = excluded.wins, losses = excluded.losses, pushes = excluded.pushes, points = excluded.points,
      tiebreak = excluded.tiebreak, rank = excluded.rank, updated_at = now()
    where (standings.wins, standings.losses, standings.pushes, standings.points, standings.tiebreak, standings.rank)
      is distinct from (excluded.wins, excluded.losses, excluded.pushes, excluded.points, excluded.tiebreak, excluded.rank)`;
  return result.count;
}
