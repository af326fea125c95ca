-- grader_grade_game (002) graded a straight-up league's game straight up even when a spread
-- was locked on it with PUT /api/leagues/:leagueId/games/:gameId. SPEC "Grading": against
-- the spread when the league's game has a locked home spread, straight up otherwise. The
-- league's againstTheSpread says which spread is locked when the PUT gives none (the game's
-- current ESPN spread, or none). Same arguments, same answer.
create or replace function grader_grade_game(p_game_id text, p_revision integer, p_state text)
returns table (result pick_result, n integer)
language sql volatile
set work_mem = '64MB'
as $$
  with outcome as (
    select lg.league_id, g.home_team_id, g.away_team_id, l.points_per_correct, l.key_pick_bonus, l.push_points,
           case
             when p_state = 'void' or g.home_score is null or g.away_score is null then 'void'
             -- the league game's locked spread decides (SPEC "Grading"), whatever the league's
             -- default: a league against the spread locks the game's spread when it is put
             -- on the slate, a straight-up one locks none unless given one
             else case sign(g.home_score - g.away_score + coalesce(lg.home_spread, 0))
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
