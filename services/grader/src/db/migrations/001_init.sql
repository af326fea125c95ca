-- The grader's schema: games as the poller reports them, and the picks game built on them.
-- Ids from ESPN are text (they are opaque strings); league ids are ours (uuid).

create type pick_result as enum ('win', 'loss', 'push', 'void');

create table seasons (
  sport  text not null,
  league text not null,
  year   integer not null,
  type   integer not null,
  primary key (sport, league, year, type)
);

-- ESPN team ids are only unique within a league (130 is Michigan in college football).
create table teams (
  sport        text not null,
  league       text not null,
  id           text not null,
  abbreviation text not null,
  name         text,
  logo         text,
  updated_at   timestamptz not null default now(),
  primary key (sport, league, id)
);

create table games (
  id              text primary key,
  sport           text not null,
  league          text not null,
  season_year     integer not null,
  season_type     integer not null,
  week            integer,
  kickoff         timestamptz not null,
  status_state    text not null check (status_state in ('pre', 'in', 'post')),
  status_name     text not null,
  completed       boolean not null,
  home_team_id    text not null,
  away_team_id    text not null,
  home_score      numeric,
  away_score      numeric,
  -- the event's game plus its revision, exactly as the api serves it
  game            jsonb not null,
  revision        integer not null check (revision >= 1),
  -- the revision whose grades the picks hold; null when the picks are not graded
  graded_revision integer,
  updated_at      timestamptz not null default now(),
  foreign key (sport, league, season_year, season_type) references seasons (sport, league, year, type)
);
create index games_kickoff on games (kickoff, id);
create index games_live on games (status_state) where status_state = 'in';

create table leagues (
  id                 uuid primary key default gen_random_uuid(),
  name               text not null check (length(name) between 1 and 200),
  against_the_spread boolean not null,
  points_per_correct numeric not null check (points_per_correct >= 0),
  key_pick_bonus     numeric not null default 0 check (key_pick_bonus >= 0),
  push_points        numeric not null default 0 check (push_points >= 0),
  created_at         timestamptz not null default now()
);

-- A league's slate. The spread and the week are locked when the game is put on the slate.
create table league_games (
  league_id   uuid not null references leagues (id) on delete cascade,
  game_id     text not null references games (id),
  home_spread numeric, -- null: straight up
  tiebreaker  boolean not null default false,
  week        integer not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  primary key (league_id, game_id)
);
create index league_games_game on league_games (game_id);
create unique index league_games_one_tiebreaker on league_games (league_id, week) where tiebreaker;

-- Grading touches no indexed column, so it can update every pick in place (a HOT update:
-- no new entry in any of the five indexes) when its page has room for the new version.
-- fillfactor 45 leaves that room for all of a page's rows, at twice the table size: the
-- grading benchmark goes from ~40% HOT at fillfactor 70 to 100%, and about 3x faster.
create table picks (
  id              bigint generated always as identity primary key,
  league_id       uuid not null,
  user_id         text not null check (length(user_id) between 1 and 200),
  game_id         text not null,
  week            integer not null,
  team_id         text not null,
  key_pick        boolean not null default false,
  points_guess    integer check (points_guess >= 0),
  result          pick_result,
  points          numeric not null default 0,
  graded_revision integer,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (league_id, user_id, game_id),
  foreign key (league_id, game_id) references league_games (league_id, game_id) on delete cascade
) with (fillfactor = 45);
create index picks_game on picks (game_id);
create index picks_league_week on picks (league_id, week, user_id);
create unique index picks_one_key_pick on picks (league_id, user_id, week) where key_pick;

create table standings (
  league_id  uuid not null references leagues (id) on delete cascade,
  week       integer not null,
  user_id    text not null,
  wins       integer not null,
  losses     integer not null,
  pushes     integer not null,
  points     numeric not null,
  tiebreak   numeric,
  rank       integer not null,
  updated_at timestamptz not null default now(),
  primary key (league_id, week, user_id)
) with (fillfactor = 50); -- room for in-place (HOT) updates when a grade moves every member

-- Events to publish after commit; a row survives a crash between commit and publish.
create table outbox (
  id         bigint generated always as identity primary key,
  subject    text not null,
  msg_id     text not null,
  payload    jsonb not null,
  created_at timestamptz not null default now(),
  -- a publisher's lease on the row, so replicas flushing at once do not both publish it
  claimed_until timestamptz,
  sent_at    timestamptz
);
create index outbox_pending on outbox (id) where sent_at is null;
