-- Grading lives in functions so that applying one game.changed is ONE statement from the
-- client: it runs in that statement's implicit transaction (all or nothing) in one round
-- trip, and no client-side transaction is left open on a connection that may die.
-- (postgres.js 3.4.9 can throw an uncatchable TypeError and poison its pool when a
-- connection dies inside sql.begin(): porsager/postgres#1154, #1208.)
-- grading/rules.ts holds the same rules as pure functions; a test keeps them in step.

-- Every pick of one game, in every league, graded by one statement: the outcome per
-- league first (which side covers, a push, or void), then each pick against it.
create function grader_grade_game(p_game_id text, p_revision integer, p_state text)
returns table (league_id uuid, week integer, result pick_result, n integer)
language sql volatile as $$
  with outcome as (
    select lg.league_id, g.home_team_id, g.away_team_id,
           l.points_per_correct, l.key_pick_bonus, l.push_points,
           case
             when p_state = 'void' or g.home_score is null or g.away_score is null then 'void'
             else case sign(g.home_score - g.away_score
                            + case when l.against_the_spread then coalesce(lg.home_spread, 0) else 0 end)
                    when 1 then 'home' when -1 then 'away' else 'push' end
           end as side
    from league_games lg
    join leagues l on l.id = lg.league_id
    join games g on g.id = lg.game_id
    where lg.game_id = p_game_id
  ), o as (
    select outcome.*, case side when 'home' then home_team_id when 'away' then away_team_id end as winner
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
      graded_revision = p_revision,
      graded_at = now()
    from o
    where p.game_id = p_game_id and p.league_id = o.league_id
    returning p.league_id, p.result
  )
  select lg.league_id, lg.week, c.result, coalesce(c.n, 0)::integer
  from league_games lg
  left join (select gr.league_id, gr.result, count(*) as n from graded gr group by 1, 2) c on c.league_id = lg.league_id
  where lg.game_id = p_game_id
$$;

-- A game that was graded and is neither final nor void any more (ESPN took a final back,
-- or a postponed game was rescheduled): its picks lose their grade until it is final again.
create function grader_ungrade_game(p_game_id text)
returns table (league_id uuid, week integer, n integer)
language sql volatile as $$
  with ungraded as (
    update picks set result = null, points = 0, graded_revision = null, graded_at = null
    where game_id = p_game_id and graded_revision is not null
    returning league_id
  )
  select lg.league_id, lg.week, (select count(*) from ungraded u where u.league_id = lg.league_id)::integer
  from league_games lg
  where lg.game_id = p_game_id
$$;

-- The standings of the given league-weeks, recomputed by one statement. Two transactions
-- grading games of the same week would each miss the other's uncommitted grades, so each
-- league-week is locked first, in a fixed order (no deadlock); the statement after the
-- lock takes a fresh snapshot (read committed) and sees what the other committed.
create function grader_recompute_standings(p_leagues uuid[], p_weeks integer[])
returns integer
language plpgsql volatile as $$
declare
  v_count integer;
begin
  if coalesce(cardinality(p_leagues), 0) = 0 then
    return 0;
  end if;
  perform pg_advisory_xact_lock(s.k)
  from (select distinct hashtextextended(t.l::text || '/' || t.w, 0) as k
        from unnest(p_leagues, p_weeks) as t(l, w)
        order by 1) s;

  with lw as (
    select t.l as league_id, t.w as week from unnest(p_leagues, p_weeks) as t(l, w)
  ), tb as (
    select lg.league_id, lg.week, lg.game_id, g.home_score + g.away_score as total
    from league_games lg
    join lw on lw.league_id = lg.league_id and lw.week = lg.week
    join games g on g.id = lg.game_id
    where lg.tiebreaker and g.status_state = 'post' and g.completed
      and g.home_score is not null and g.away_score is not null
  ), agg as (
    select p.league_id, p.week, p.user_id,
           count(*) filter (where p.result = 'win')::integer as wins,
           count(*) filter (where p.result = 'loss')::integer as losses,
           count(*) filter (where p.result = 'push')::integer as pushes,
           coalesce(sum(p.points), 0) as points,
           min(abs(p.points_guess - tb.total)) filter (where p.game_id = tb.game_id) as tiebreak
    from picks p
    join lw on lw.league_id = p.league_id and lw.week = p.week
    left join tb on tb.league_id = p.league_id and tb.week = p.week
    group by 1, 2, 3
  ), ranked as (
    select agg.*, rank() over (partition by agg.league_id, agg.week order by agg.points desc, agg.tiebreak asc nulls last)::integer as rank
    from agg
  )
  insert into standings as s (league_id, week, user_id, wins, losses, pushes, points, tiebreak, rank)
  select r.league_id, r.week, r.user_id, r.wins, r.losses, r.pushes, r.points, r.tiebreak, r.rank from ranked r
  on conflict (league_id, week, user_id) do update set
    wins = excluded.wins, losses = excluded.losses, pushes = excluded.pushes, points = excluded.points,
    tiebreak = excluded.tiebreak, rank = excluded.rank, updated_at = now()
  where (s.wins, s.losses, s.pushes, s.points, s.tiebreak, s.rank)
    is distinct from (excluded.wins, excluded.losses, excluded.pushes, excluded.points, excluded.tiebreak, excluded.rank);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

-- One game.changed: the game (only when its revision is newer than the stored one), its
-- season and teams, and, when it is final or void (p_state, decided by the contracts'
-- isFinal/isVoid), the grades of its picks, the standings they touch and a picks.graded
-- outbox row. The upsert holds the game's row lock to the end of the transaction, so a
-- second replica applying the same event waits, then finds nothing newer to do.
-- Answers { applied } or { applied, graded: PicksGraded, outboxId } or { applied, ungraded }.
create function grader_apply_game_changed(p_game jsonb, p_state text, p_subject text, p_msg_id text)
returns jsonb
language plpgsql volatile as $$
declare
  v_id text := p_game->>'id';
  v_revision integer := (p_game->>'revision')::integer;
  v_prev integer;
  v_rows jsonb;
  v_leagues uuid[];
  v_weeks integer[];
  v_payload jsonb;
  v_outbox bigint;
  v_n integer;
begin
  if p_state is not null and p_state not in ('final', 'void') then
    raise exception 'unknown grading state %', p_state using errcode = '22023';
  end if;

  insert into seasons (sport, league, year, type)
  values (p_game->>'sport', p_game->>'league', (p_game->'season'->>'year')::integer, (p_game->'season'->>'type')::integer)
  on conflict do nothing;

  insert into games as g (id, sport, league, season_year, season_type, week, kickoff, status_state, status_name,
                          completed, home_team_id, away_team_id, home_score, away_score, game, revision)
  values (v_id, p_game->>'sport', p_game->>'league', (p_game->'season'->>'year')::integer,
          (p_game->'season'->>'type')::integer, (p_game->>'week')::integer, (p_game->>'kickoff')::timestamptz,
          p_game->'status'->>'state', p_game->'status'->>'name', (p_game->'status'->>'completed')::boolean,
          p_game->'home'->>'teamId', p_game->'away'->>'teamId',
          (p_game->'home'->>'score')::numeric, (p_game->'away'->>'score')::numeric, p_game, v_revision)
  on conflict (id) do update set
    sport = excluded.sport, league = excluded.league, season_year = excluded.season_year,
    season_type = excluded.season_type, week = excluded.week, kickoff = excluded.kickoff,
    status_state = excluded.status_state, status_name = excluded.status_name, completed = excluded.completed,
    home_team_id = excluded.home_team_id, away_team_id = excluded.away_team_id,
    home_score = excluded.home_score, away_score = excluded.away_score,
    game = excluded.game, revision = excluded.revision, updated_at = now()
  where g.revision < excluded.revision
  returning g.graded_revision into v_prev;
  if not found then
    return jsonb_build_object('applied', false);
  end if;

  -- ESPN's placeholders for undecided teams (-1, -2) are not teams; sorted, so two
  -- transactions touching the same teams lock them in the same order
  insert into teams as t (sport, league, id, abbreviation, name, logo)
  select p_game->>'sport', p_game->>'league', s.team->>'teamId', s.team->>'abbreviation', s.team->>'name', s.team->>'logo'
  from (select distinct on (x->>'teamId') x as team
        from jsonb_array_elements(jsonb_build_array(p_game->'home', p_game->'away')) x
        order by x->>'teamId') s
  where s.team->>'teamId' not like '-%'
  order by s.team->>'teamId'
  on conflict (sport, league, id) do update set
    abbreviation = excluded.abbreviation, name = excluded.name, logo = excluded.logo, updated_at = now()
  where (t.abbreviation, t.name, t.logo) is distinct from (excluded.abbreviation, excluded.name, excluded.logo);

  if p_state is not null then
    select coalesce(jsonb_agg(to_jsonb(r)), '[]') into v_rows from grader_grade_game(v_id, v_revision, p_state) r;
    update games set graded_revision = v_revision where id = v_id;
  elsif v_prev is not null then
    select coalesce(jsonb_agg(to_jsonb(r)), '[]') into v_rows from grader_ungrade_game(v_id) r;
    update games set graded_revision = null where id = v_id;
  else
    return jsonb_build_object('applied', true);
  end if;

  select array_agg(s.l order by s.l, s.w), array_agg(s.w order by s.l, s.w) into v_leagues, v_weeks
  from (select distinct (e->>'league_id')::uuid as l, (e->>'week')::integer as w from jsonb_array_elements(v_rows) e) s;
  perform grader_recompute_standings(v_leagues, v_weeks);

  if p_state is null then
    select coalesce(sum((e->>'n')::integer), 0) into v_n from jsonb_array_elements(v_rows) e;
    return jsonb_build_object('applied', true, 'ungraded', v_n);
  end if;

  select jsonb_build_object(
           'gameId', v_id,
           'revision', v_revision,
           'leagues', coalesce((select jsonb_agg(d.l order by d.l)
                                from (select distinct x->>'league_id' as l from jsonb_array_elements(v_rows) x) d), '[]'),
           'graded', coalesce(sum((e->>'n')::integer), 0),
           'results', jsonb_build_object(
             'win', coalesce(sum((e->>'n')::integer) filter (where e->>'result' = 'win'), 0),
             'loss', coalesce(sum((e->>'n')::integer) filter (where e->>'result' = 'loss'), 0),
             'push', coalesce(sum((e->>'n')::integer) filter (where e->>'result' = 'push'), 0),
             'void', coalesce(sum((e->>'n')::integer) filter (where e->>'result' = 'void'), 0)))
  into v_payload
  from jsonb_array_elements(v_rows) e;

  insert into outbox (subject, msg_id, payload) values (p_subject, p_msg_id, v_payload) returning id into v_outbox;
  return jsonb_build_object('applied', true, 'graded', v_payload, 'outboxId', v_outbox);
end
$$;
