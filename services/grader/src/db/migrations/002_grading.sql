-- Grading lives in functions so that applying one game.changed is ONE statement from the
-- client: it runs in that statement's implicit transaction (all or nothing) in one round
-- trip, and no client-side transaction is left open on a connection that may die.
-- (postgres.js 3.4.9 can throw an uncatchable TypeError and poison its pool when a
-- connection dies inside sql.begin(): porsager/postgres#1154, #1208.)
-- grading/rules.ts holds the same rules as pure functions; a test keeps them in step.

-- Every pick of one game, in every league, graded by one statement. The outcome is worked
-- out once per league (which side covers, a push, or void) with what each side's pick
-- earns; each pick then only compares its team. Answers the count per result.
-- work_mem: RETURNING one row per pick is counted in memory, not spilled to disk.
create function grader_grade_game(p_game_id text, p_revision integer, p_state text)
returns table (result pick_result, n integer)
language sql volatile
set work_mem = '64MB'
as $$
  with outcome as (
    select lg.league_id, g.home_team_id, g.away_team_id, l.points_per_correct, l.key_pick_bonus, l.push_points,
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
    select league_id, home_team_id, away_team_id,
           case side when 'home' then 'win' when 'away' then 'loss' else side end::pick_result as home_result,
           case side when 'away' then 'win' when 'home' then 'loss' else side end::pick_result as away_result,
           case side when 'home' then points_per_correct when 'push' then push_points else 0 end as home_points,
           case side when 'home' then points_per_correct + key_pick_bonus when 'push' then push_points else 0 end as home_key_points,
           case side when 'away' then points_per_correct when 'push' then push_points else 0 end as away_points,
           case side when 'away' then points_per_correct + key_pick_bonus when 'push' then push_points else 0 end as away_key_points
    from outcome
  ), graded as (
    -- a pick of a team no longer in the game (ESPN replaced an undecided team) is void
    update picks p set
      result = case p.team_id when o.home_team_id then o.home_result when o.away_team_id then o.away_result
                              else 'void'::pick_result end,
      points = case p.team_id
                 when o.home_team_id then case when p.key_pick then o.home_key_points else o.home_points end
                 when o.away_team_id then case when p.key_pick then o.away_key_points else o.away_points end
                 else 0 end,
      graded_revision = p_revision
    from o
    where p.game_id = p_game_id and p.league_id = o.league_id
    returning p.result
  )
  select gr.result, count(*)::integer from graded gr group by gr.result
$$;

-- A game that was graded and is neither final nor void any more (ESPN took a final back,
-- or a postponed game was rescheduled): its picks lose their grade until it is final again.
create function grader_ungrade_game(p_game_id text)
returns integer
language sql volatile as $$
  with ungraded as (
    update picks set result = null, points = 0, graded_revision = null
    where game_id = p_game_id and graded_revision is not null
    returning 1
  )
  select count(*)::integer from ungraded
$$;

-- The standings of the given league-weeks, recomputed by one statement. Two transactions
-- grading games of the same week would each miss the other's uncommitted grades, so each
-- league-week is locked first, in a fixed order (no deadlock); the statement after the
-- lock takes a fresh snapshot (read committed) and sees what the other committed.
create function grader_recompute_standings(p_leagues uuid[], p_weeks integer[])
returns integer
language plpgsql volatile
set work_mem = '128MB'
as $$
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

  -- MERGE leaves a member whose line did not change alone (no write, no row lock)
  merge into standings s
  using (
    with lw as (
      select distinct t.l as league_id, t.w as week from unnest(p_leagues, p_weeks) as t(l, w)
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
    )
    select agg.*, rank() over (partition by agg.league_id, agg.week order by agg.points desc, agg.tiebreak asc nulls last)::integer as rank
    from agg
  ) r on s.league_id = r.league_id and s.week = r.week and s.user_id = r.user_id
      -- says which standings rows can match: the join plans for the real number of rows
      and s.league_id = any(p_leagues)
  when matched and (s.wins, s.losses, s.pushes, s.points, s.tiebreak, s.rank)
                   is distinct from (r.wins, r.losses, r.pushes, r.points, r.tiebreak, r.rank) then
    update set wins = r.wins, losses = r.losses, pushes = r.pushes, points = r.points,
               tiebreak = r.tiebreak, rank = r.rank, updated_at = now()
  when not matched then
    insert (league_id, week, user_id, wins, losses, pushes, points, tiebreak, rank)
    values (r.league_id, r.week, r.user_id, r.wins, r.losses, r.pushes, r.points, r.tiebreak, r.rank);
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

  -- every league-week with the game on its slate
  select array_agg(lg.league_id order by lg.league_id), array_agg(lg.week order by lg.league_id)
  into v_leagues, v_weeks
  from league_games lg where lg.game_id = v_id;

  if p_state is not null then
    select coalesce(jsonb_object_agg(r.result, r.n), '{}') into v_rows from grader_grade_game(v_id, v_revision, p_state) r;
    update games set graded_revision = v_revision where id = v_id;
  elsif v_prev is not null then
    v_n := grader_ungrade_game(v_id);
    update games set graded_revision = null where id = v_id;
  else
    return jsonb_build_object('applied', true);
  end if;

  perform grader_recompute_standings(v_leagues, v_weeks);

  if p_state is null then
    return jsonb_build_object('applied', true, 'ungraded', v_n);
  end if;

  v_payload := jsonb_build_object(
    'gameId', v_id,
    'revision', v_revision,
    'leagues', coalesce((select jsonb_agg(l::text order by l::text) from unnest(v_leagues) l), '[]'),
    'graded', coalesce((v_rows->>'win')::integer, 0) + coalesce((v_rows->>'loss')::integer, 0)
              + coalesce((v_rows->>'push')::integer, 0) + coalesce((v_rows->>'void')::integer, 0),
    'results', jsonb_build_object(
      'win', coalesce((v_rows->>'win')::integer, 0),
      'loss', coalesce((v_rows->>'loss')::integer, 0),
      'push', coalesce((v_rows->>'push')::integer, 0),
      'void', coalesce((v_rows->>'void')::integer, 0)));

  insert into outbox (subject, msg_id, payload) values (p_subject, p_msg_id, v_payload) returning id into v_outbox;
  return jsonb_build_object('applied', true, 'graded', v_payload, 'outboxId', v_outbox);
end
$$;
