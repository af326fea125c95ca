import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimError } from './errors.js';
import type { EspnScoreboard, EspnTeam } from './types.js';

/** Real ESPN responses, byte for byte (see fixtures/espn/SOURCES.md). */
export const fixtureDir: string = fileURLToPath(new URL('../fixtures/espn/', import.meta.url));

const stripJson = (name: string) => name.replace(/\.json$/, '');

/** Fixture names without `.json`, e.g. 'cfb-scoreboard-2022-wk3-live-halftime'. */
export function fixtureNames(): string[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.json'))
    .map(stripJson)
    .sort();
}

const texts = new Map<string, string>();

/** The parsed fixture (a fresh object on every call: callers may mutate it). */
export function readFixture(name: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are arbitrary ESPN JSON
  const key = stripJson(name);
  let text = texts.get(key);
  if (text === undefined) {
    if (!fixtureNames().includes(key)) {
      throw new SimError('unknown_fixture', `no fixture named ${JSON.stringify(name)}; known: ${fixtureNames().join(', ')}`);
    }
    text = readFileSync(join(fixtureDir, `${key}.json`), 'utf8');
    texts.set(key, text);
  }
  return JSON.parse(text);
}

export function readScoreboardFixture(name: string): EspnScoreboard {
  const body = readFixture(name) as Partial<EspnScoreboard>;
  if (!Array.isArray(body.events) || !Array.isArray(body.leagues)) {
    throw new SimError('not_a_scoreboard', `fixture ${name} is not a scoreboard (no events/leagues)`);
  }
  return body as EspnScoreboard;
}

const SPORT_BY_UID: Record<string, string> = { '20': 'football', '1': 'baseball', '40': 'basketball', '70': 'hockey', '600': 'soccer' };

/** 'sport/league' of a scoreboard, read from leagues[0] (uid s:<sport>~l:<league>, slug). */
export function leagueOf(body: EspnScoreboard): string | null {
  const l = body.leagues[0];
  if (!l) return null;
  const slug = typeof l.slug === 'string' ? l.slug : null;
  const sportId = typeof l.uid === 'string' ? /^s:(\d+)~/.exec(l.uid)?.[1] : undefined;
  const sport = sportId ? SPORT_BY_UID[sportId] : undefined;
  return slug && sport ? `${sport}/${slug}` : null;
}

/** Where each league's realistic defaults (leagues block, event template, teams) come from. */
export const LEAGUE_SOURCES: Record<string, { scoreboard: string; template: string; teams?: string }> = {
  'football/college-football': {
    scoreboard: 'cfb-scoreboard-2022-wk3-live-halftime',
    template: 'cfb-scoreboard-2025-wk1-sec-groups8-scheduled',
    teams: 'cfb-teams-limit1000',
  },
  'football/nfl': {
    scoreboard: 'nfl-scoreboard-2025-wk1-opener-final-rest-scheduled',
    template: 'nfl-scoreboard-2025-wk1-opener-final-rest-scheduled',
    teams: 'nfl-teams',
  },
  'baseball/mlb': {
    scoreboard: 'mlb-scoreboard-2025-06-06-final-suspended',
    template: 'mlb-scoreboard-2025-06-06-final-suspended',
  },
};

export interface TeamInfo {
  id: string;
  uid: string;
  location: string;
  name: string;
  abbreviation: string;
  displayName: string;
  shortDisplayName: string;
  color?: string;
  alternateColor?: string;
  logo?: string;
}

const teamCache = new Map<string, TeamInfo[]>();

/** The real team list of a league (771 college teams, 32 NFL teams), empty when unknown. */
export function leagueTeams(league: string): TeamInfo[] {
  const cached = teamCache.get(league);
  if (cached) return cached;
  const source = LEAGUE_SOURCES[league]?.teams;
  const teams: TeamInfo[] = [];
  if (source) {
    const body = readFixture(source) as { sports: { leagues: { teams: { team: EspnTeam & { logos?: { href: string }[] } }[] }[] }[] };
    for (const { team } of body.sports[0]?.leagues[0]?.teams ?? []) {
      teams.push({
        id: team.id,
        uid: team.uid ?? '',
        location: team.location ?? team.abbreviation,
        name: team.name ?? '',
        abbreviation: team.abbreviation,
        displayName: team.displayName ?? team.abbreviation,
        shortDisplayName: team.shortDisplayName ?? team.abbreviation,
        color: typeof team.color === 'string' ? team.color : undefined,
        alternateColor: typeof team.alternateColor === 'string' ? team.alternateColor : undefined,
        logo: team.logos?.[0]?.href,
      });
    }
  }
  teamCache.set(league, teams);
  return teams;
}
