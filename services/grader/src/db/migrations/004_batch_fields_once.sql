-- grader_apply_game_changes (003) reading each event's fields once: jsonb_to_recordset and
-- jsonb_to_record instead of a `->` chain per field (each `->` copies the object it
-- returns), and only the games with grading to do come back to the loop (most events of a
-- busy day are not finals). Same arguments, same answer, same end state as 003.
create or replace function grader_apply_game_changes(p_events jsonb)
returns jsonb
language plpgsql volatile as $$
declare
  v_bad text;
  v_main jsonb;
  v_game record;
  v_l uuid[];
  v_w integer[];
  v_leagues uuid[] := '{}';
  v_weeks integer[] := '{}';
  v_rows jsonb;
  v_payload jsonb;
  v_graded jsonb := '[]';
  v_ungraded jsonb := '[]';
  v_n integer;
begin
  select e->>'state' into v_bad from jsonb_array_elements(p_events) e
  where e->>'state' is not null and e->>'state' not in ('final', 'void')
  limit 1;
  if found then
    raise exception 'unknown grading state %', v_bad using errcode = '22023';
  end if;

  insert into seasons (sport, league, year, type)
  select distinct e->'game'->>'sport', e->'game'->>'league', (e->'game'->'season'->>'year')::integer,
         (e->'game'->'season'->>'type')::integer
  from jsonb_array_elements(p_events) e
  order by 1, 2, 3, 4
  on conflict do nothing;

  -- One statement for the games and their teams. The stored games are locked first, in
  -- id order (so two replicas' batches queue instead of deadlocking), which also fixes
  -- the revision each event is compared with until the commit.
  with ev as (
    -- each event's fields read once (a -> on jsonb copies the object it returns)
    select t.ord, t.state, t.subject, t.msg_id, t.game, g.id, g.revision as rev, g.sport, g.league, g.week, g.kickoff,
           g.season, g.status, g.home, g.away
    from rows from (jsonb_to_recordset(p_events) as (game jsonb, state text, subject text, "msgId" text))
           with ordinality as t(game, state, subject, msg_id, ord)
    cross join lateral jsonb_to_record(t.game) as g(id text, revision integer, sport text, league text, week integer,
                                                     kickoff timestamptz, season jsonb, status jsonb, home jsonb, away jsonb)
  ), stored as (
    select g.id, g.revision from games g
    where g.id in (select ev.id from ev)
    order by g.id
    for update
  ), marked as (
    select ev.*,
           ev.rev > greatest(coalesce(s.revision, 0),
                             coalesce(max(ev.rev) over (partition by ev.id order by ev.ord
                                                        rows between unbounded preceding and 1 preceding), 0)) as applied
    from ev left join stored s on s.id = ev.id
  ), newest as (
    -- the last applied event of a game is its newest revision
    select distinct on (m.id) m.*
    from marked m where m.applied
    order by m.id, m.ord desc
  ), up as (
    insert into games as g (id, sport, league, season_year, season_type, week, kickoff, status_state, status_name,
                            completed, home_team_id, away_team_id, home_score, away_score, game, revision)
    select n.id, n.sport, n.league, (n.season->>'year')::integer, (n.season->>'type')::integer, n.week, n.kickoff,
           n.status->>'state', n.status->>'name', (n.status->>'completed')::boolean,
           n.home->>'teamId', n.away->>'teamId', (n.home->>'score')::numeric, (n.away->>'score')::numeric, n.game, n.rev
    from newest n
    order by n.id
    on conflict (id) do update set
      sport = excluded.sport, league = excluded.league, season_year = excluded.season_year,
      season_type = excluded.season_type, week = excluded.week, kickoff = excluded.kickoff,
      status_state = excluded.status_state, status_name = excluded.status_name, completed = excluded.completed,
      home_team_id = excluded.home_team_id, away_team_id = excluded.away_team_id,
      home_score = excluded.home_score, away_score = excluded.away_score,
      game = excluded.game, revision = excluded.revision, updated_at = now()
    -- still guarded: a game another replica inserted meanwhile may hold a newer revision
    where g.revision < excluded.revision
    -- not changed by the upsert: the graded revision before this batch
    returning g.id, g.graded_revision as prev_graded
  ), applied as (
    select m.* from marked m join up on up.id = m.id where m.applied
  ), team_rows as (
    -- ESPN's placeholders for undecided teams (-1, -2) are not teams
    select distinct on (a.sport, a.league, side.team->>'teamId')
           a.sport, a.league, side.team->>'teamId' as id,
           side.team->>'abbreviation' as abbreviation, side.team->>'name' as name, side.team->>'logo' as logo
    from applied a
    cross join lateral (values (a.home), (a.away)) as side(team)
    where side.team->>'teamId' not like '-%'
    order by a.sport, a.league, side.team->>'teamId', a.ord desc
  ), teams_up as (
    insert into teams as t (sport, league, id, abbreviation, name, logo)
    select r.sport, r.league, r.id, r.abbreviation, r.name, r.logo from team_rows r
    order by r.sport, r.league, r.id
    on conflict (sport, league, id) do update set
      abbreviation = excluded.abbreviation, name = excluded.name, logo = excluded.logo, updated_at = now()
    where (t.abbreviation, t.name, t.logo) is distinct from (excluded.abbreviation, excluded.name, excluded.logo)
    returning 1
  ), graded_meanwhile as (
    select a.id from applied a where a.state is not null group by a.id
  )
  -- only the games with grading to do come back: most events of a busy day are not finals
  select jsonb_build_object(
    'applied', (select count(*) from applied),
    'teams', (select count(*) from teams_up),
    'games', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', n.id, 'revision', n.rev, 'ord', n.ord, 'state', n.state,
               'subject', n.subject, 'msgId', n.msg_id, 'prevGraded', up.prev_graded,
               'gradedMeanwhile', gm.id is not null)
             order by n.ord)
      from newest n
      join up on up.id = n.id
      left join graded_meanwhile gm on gm.id = n.id
      where n.state is not null or up.prev_graded is not null or gm.id is not null), '[]'))
  into v_main;

  for v_game in
    select * from jsonb_to_recordset(v_main->'games')
      as x(id text, revision integer, ord bigint, state text, subject text, "msgId" text, "prevGraded" integer, "gradedMeanwhile" boolean)
    order by x.ord
  loop
    select array_agg(lg.league_id order by lg.league_id), array_agg(lg.week order by lg.league_id)
    into v_l, v_w
    from league_games lg where lg.game_id = v_game.id;
    v_leagues := v_leagues || coalesce(v_l, '{}');
    v_weeks := v_weeks || coalesce(v_w, '{}');

    if v_game.state is not null then
      select coalesce(jsonb_object_agg(r.result, r.n), '{}') into v_rows
      from grader_grade_game(v_game.id, v_game.revision, v_game.state) r;
      update games set graded_revision = v_game.revision where id = v_game.id;
      v_payload := jsonb_build_object(
        'gameId', v_game.id,
        'revision', v_game.revision,
        'leagues', coalesce((select jsonb_agg(l::text order by l::text) from unnest(v_l) l), '[]'),
        'graded', coalesce((v_rows->>'win')::integer, 0) + coalesce((v_rows->>'loss')::integer, 0)
                  + coalesce((v_rows->>'push')::integer, 0) + coalesce((v_rows->>'void')::integer, 0),
        'results', jsonb_build_object(
          'win', coalesce((v_rows->>'win')::integer, 0),
          'loss', coalesce((v_rows->>'loss')::integer, 0),
          'push', coalesce((v_rows->>'push')::integer, 0),
          'void', coalesce((v_rows->>'void')::integer, 0)));
      insert into outbox (subject, msg_id, payload) values (v_game.subject, v_game."msgId", v_payload);
      v_graded := v_graded || jsonb_build_array(v_payload);
    elsif v_game."prevGraded" is not null then
      v_n := grader_ungrade_game(v_game.id);
      update games set graded_revision = null where id = v_game.id;
      v_ungraded := v_ungraded || jsonb_build_array(jsonb_build_object('gameId', v_game.id, 'revision', v_game.revision, 'picks', v_n));
    end if;
    -- else: graded and withdrawn within this batch; its picks are as they were, and only
    -- its standings are recomputed, as one by one would have
  end loop;

  perform grader_recompute_standings(v_leagues, v_weeks);

  return jsonb_build_object(
    'applied', (v_main->>'applied')::integer,
    'stale', jsonb_array_length(p_events) - (v_main->>'applied')::integer,
    'graded', v_graded,
    'ungraded', v_ungraded);
end
$$;
