import { Compile } from 'typebox/compile';
import { afterEach, describe, expect, it } from 'vitest';
import type { GameWithRevision } from '@scores/contracts';
import type { LeagueGame, Pick, Standing } from '@scores/grader';
import { League } from '../src/http/schemas.js';
import { CONTENT_SECURITY_POLICY } from '../src/routes/pages.js';
import * as render from '../public/assets/render.js';
import { fakeLeagues, json, makeApp, NOW, type TestApp } from './helpers.js';
import { breaker, game, poll } from './fixtures.js';

const H = 3600_000;
const LEAGUE = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-0000000000ff';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

const get = (url: string, headers: Record<string, string> = {}) => t!.app.inject({ method: 'GET', url, headers });

const board = (): GameWithRevision[] => [
  game({ id: 'live1', kickoff: NOW - H, phase: 'in', home: { teamId: '130', abbreviation: 'MICH', score: 14 }, away: { teamId: '194', abbreviation: 'OSU', score: 10 } }),
  game({ id: 'soon', kickoff: NOW + 2 * H, league: 'nfl', home: { teamId: '1', abbreviation: 'ATL' }, away: { teamId: '2', abbreviation: 'BUF' }, homeSpread: 2.5 }),
  game({ id: 'done', kickoff: NOW - 5 * H, phase: 'final', home: { teamId: '61', abbreviation: 'UGA', score: 45 }, away: { teamId: '276', abbreviation: 'MRSH', score: 10 } }),
  game({ id: 'far', kickoff: NOW + 30 * 24 * H }),
];

/** The ids of the cards inside one group's section, in page order. */
function cardsIn(html: string, group: string): string[] {
  const start = html.indexOf(`id="group-${group}"`);
  const end = html.indexOf('</section>', start);
  return [...html.slice(start, end).matchAll(/<article class="game" id="game-([^"]+)"/g)].map((m) => m[1]!);
}

function expectPageHeaders(res: { headers: Record<string, unknown> }) {
  expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
}

describe('GET /live', () => {
  it('answers HTML with a CSP that allows only our own scripts, and the games grouped live, upcoming, final', async () => {
    t = await makeApp({ games: board() });
    const res = await get('/live');
    expect(res.statusCode).toBe(200);
    expectPageHeaders(res);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);

    const html = res.body;
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    for (const landmark of ['<header', '<main', '<nav', '<footer', 'role="search"']) expect(html).toContain(landmark);
    expect(html).toContain('id="announcer" aria-live="polite"');
    // no inline script and no inline style: the CSP would refuse them
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/);
    expect(cardsIn(html, 'live')).toEqual(['live1']);
    expect(cardsIn(html, 'upcoming')).toEqual(['soon']);
    expect(cardsIn(html, 'final')).toEqual(['done']);
    // a month away is outside the stream's default window, so outside the page's too
    expect(html).not.toContain('game-far');
    expect(html).toContain('<span class="abbr">MICH</span><span class="name">MICH team</span><span class="poss"');
    expect(html).toMatch(/<span class="score">14<\/span>/);
    expect(html).toContain('BUF -2.5');
    expect(html).toContain('id="stale" hidden');
  });

  it('answers the same with a trailing slash, to HEAD, and 304 to a matching If-None-Match', async () => {
    t = await makeApp({ games: board() });
    const a = await get('/live');
    const b = await get('/live/');
    expect(b.statusCode).toBe(200);
    expect(b.body).toBe(a.body);
    const head = await t.app.inject({ method: 'HEAD', url: '/live' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    const again = await get('/live', { 'if-none-match': String(a.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('renders the filters from the query: league, team and live only', async () => {
    t = await makeApp({ games: board() });
    const nfl = await get('/live?league=football%2Fnfl');
    expect(nfl.body).toContain('<option value="football/nfl" selected>NFL</option>');
    expect([...cardsIn(nfl.body, 'live'), ...cardsIn(nfl.body, 'upcoming'), ...cardsIn(nfl.body, 'final')]).toEqual(['soon']);
    // any case, as /api/games matches it
    const upper = await get('/live?league=Football%2FNFL');
    expect(upper.body).toContain('<option value="football/nfl" selected>NFL</option>');
    expect(upper.body.match(/<option value="football\/nfl"/g)).toHaveLength(1);
    expect([...cardsIn(upper.body, 'live'), ...cardsIn(upper.body, 'upcoming'), ...cardsIn(upper.body, 'final')]).toEqual(['soon']);

    const team = await get('/live?team=ohio');
    expect(team.body).toContain('value="ohio"');
    expect(cardsIn(team.body, 'live')).toEqual([]);
    const osu = await get('/live?team=osu');
    expect(cardsIn(osu.body, 'live')).toEqual(['live1']);

    const live = await get('/live?live=1');
    expect(live.body).toContain('name="live" id="f-live" value="1" checked');
    expect(cardsIn(live.body, 'upcoming')).toEqual([]);
    expect(cardsIn(live.body, 'live')).toEqual(['live1']);

    const none = await get('/live?team=nobody');
    expect(none.body).toContain('<p class="match-note" id="match-note">');
    expect((await get('/live')).body).toContain('<p class="match-note" id="match-note" hidden>');
  });

  it('shows the stale banner with the age of the last good data while the breaker is open', async () => {
    t = await makeApp({ games: board() });
    t.runtime.meta.onPoll(poll(NOW - 5 * 60_000, 1));
    t.runtime.meta.onBreaker(breaker('open', NOW - 60_000, 5), NOW);
    const res = await get('/live');
    expect(res.body).toContain('<div class="banner banner--stale" id="stale">Scores may be out of date — last update 5 min ago.</div>');
  });

  it('escapes what comes from ESPN: a team name cannot inject markup', async () => {
    const evil = game({ id: 'x1', kickoff: NOW - H, phase: 'in' });
    evil.home.name = '<img src=x onerror=alert(1)>"\'&';
    evil.home.logo = 'javascript:alert(1)';
    evil.away.logo = 'https://a.espncdn.com/i/teamlogos/ncaa/500/194.png" onload="alert(1)';
    t = await makeApp({ games: [evil] });
    const { body } = await get('/live?team=%3Cscript%3E');
    expect(body).toContain('value="&lt;script&gt;"');
    const all = (await get('/live')).body;
    expect(all).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(all).not.toContain('<img src=x');
    expect(all).not.toContain('javascript:');
    expect(all).toContain('src="https://a.espncdn.com/i/teamlogos/ncaa/500/194.png&quot; onload=&quot;alert(1)"');
  });
});

describe('assets', () => {
  it('serves every asset a page refers to with its type, an ETag and a long cache when versioned', async () => {
    t = await makeApp({ games: board() });
    const html = (await get('/live')).body + (await get('/picks')).body;
    const urls = [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!))];
    expect(urls.map((u) => u.replace(/\?v=[\w-]+$/, '')).sort()).toEqual(['/assets/app.css', '/assets/favicon.svg', '/assets/live.js', '/assets/picks.js']);
    const types: Record<string, string> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };
    for (const url of urls) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe(types[url.replace(/\?.*$/, '').split('.').pop()!]);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const etag = String(res.headers.etag);
      expect((await get(url, { 'if-none-match': etag })).statusCode).toBe(304);
      // without the version (or with an old one) it must be revalidated
      const bare = await get(url.replace(/\?.*$/, '?v=old'));
      expect(bare.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
      expect(bare.headers.etag).toBe(etag);
    }
  });

  it('versions module imports, so a cached page never pairs with an old renderer', async () => {
    t = await makeApp();
    const render = await get('/assets/render.js');
    const live = await get('/assets/live.js');
    const v = /from '\.\/render\.js\?v=([\w-]+)'/.exec(live.body)?.[1];
    expect(v).toBeDefined();
    expect((await get(`/assets/render.js?v=${v}`)).headers['cache-control']).toContain('immutable');
    expect(render.body).toContain('export function gameCard');
  });

  it('serves nothing else: unknown names, type declarations and paths outside the folder are 404 or 400', async () => {
    t = await makeApp();
    expect((await get('/assets/render.d.ts')).statusCode).toBe(404);
    expect((await get('/assets/nope.js')).statusCode).toBe(404);
    expect((await get('/assets/..%2F..%2Fsrc%2Fapp.ts')).statusCode).toBe(400);
    expect((await get('/assets/../package.json')).statusCode).toBe(404);
  });
});

describe('GET /picks', () => {
  const slate: LeagueGame[] = [
    { leagueId: LEAGUE, gameId: 'live1', homeSpread: -3.5, tiebreaker: false, week: 13 },
    { leagueId: LEAGUE, gameId: 'done', homeSpread: null, tiebreaker: true, week: 13 },
    { leagueId: LEAGUE, gameId: 'soon', homeSpread: 2.5, tiebreaker: false, week: 14 },
  ];
  const pick = (userId: string, gameId: string, teamId: string, result: Pick['result'], points: number, keyPick = false): Pick => ({
    id: `${userId}-${gameId}`,
    leagueId: LEAGUE,
    userId,
    gameId,
    teamId,
    keyPick,
    pointsGuess: null,
    week: 13,
    result,
    points,
    gradedRevision: result ? 1 : null,
    createdAt: new Date(NOW).toISOString(),
    updatedAt: new Date(NOW).toISOString(),
  });
  const picks = [pick('ann', 'done', '61', 'win', 2, true), pick('ann', 'live1', '130', null, 0), pick('bob', 'done', '276', 'loss', 0)];
  const standings: Standing[] = [
    { userId: 'ann', rank: 1, wins: 1, losses: 0, pushes: 0, points: 2, tiebreak: 3 },
    { userId: 'bob', rank: 2, wins: 0, losses: 1, pushes: 0, points: 0, tiebreak: null },
  ];
  const withLeague = () =>
    makeApp({
      games: board(),
      leagues: fakeLeagues({ listLeagueGames: async () => slate, listPicks: async () => picks, getStandings: async () => standings }),
    });

  it('asks for a league id with a form when none is given', async () => {
    t = await makeApp();
    const res = await get('/picks');
    expect(res.statusCode).toBe(200);
    expectPageHeaders(res);
    expect(res.body).toContain('<form class="league-form" action="/picks" method="get">');
    expect(res.body).toContain('name="league"');
    expect((await get('/picks/')).statusCode).toBe(200);
  });

  it("shows a league's standings, slate with locked lines, and picks with their results", async () => {
    t = await withLeague();
    const res = await get(`/picks?league=${LEAGUE}`);
    expect(res.statusCode).toBe(200);
    expectPageHeaders(res);
    const html = res.body;
    expect(html).toContain('<h1>Office</h1>');
    expect(html).toContain('Against the spread · 1 point a correct pick · key pick +1');
    expect(html).toContain(`data-league="${LEAGUE}" data-week="" data-user=""`);
    // slate: the locked line (not the game's current one), straight up, the tiebreaker
    expect(html).toContain('<th scope="row">OSU @ MICH</th>');
    expect(html).toContain('<td>MICH -3.5</td>');
    expect(html).toContain('<td>Straight up</td>');
    expect(html).toContain('<td>BUF -2.5</td>');
    expect(html).toContain('tiebreaker</span>');
    expect(html).toContain('<td class="num">10–14</td>');
    // standings
    expect(html).toContain('<td class="num">1</td><th scope="row">ann</th><td class="num">1-0-0</td><td class="num">2</td><td class="num">3</td>');
    // picks: results, points and the key pick
    expect(html).toContain('<td class="pick pick--win"><span class="team-pick">UGA</span><span class="key" title="Key pick">');
    expect(html).toContain('<span class="result">win · 2</span>');
    expect(html).toContain('<td class="pick pick--loss"><span class="team-pick">MRSH</span><span class="result">loss · 0</span>');
    expect(html).toContain('<td class="pick pick--pending"><span class="team-pick">MICH</span><span class="result">pending</span>');
    expect(html).toContain('<option value="13">Week 13</option><option value="14">Week 14</option>');
  });

  it('narrows to a week and a player, as the API does', async () => {
    t = await withLeague();
    const res = await get(`/picks?league=${LEAGUE}&week=14&user=ann`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<option value="14" selected>Week 14</option>');
    expect(res.body).toContain('<option value="ann" selected>ann</option>');
    expect(res.body).toContain('Standings <small>(week 14)</small>');
    expect(res.body).not.toContain('OSU @ MICH');
    expect(t.leagues.calls).toContainEqual(['listPicks', LEAGUE, { week: 14, userId: 'ann' }]);
    expect(t.leagues.calls).toContainEqual(['getStandings', LEAGUE, { week: 14 }]);
  });

  it('answers 404 with a clear message for an unknown league, 400 for a malformed id or week', async () => {
    t = await makeApp();
    const unknown = await get(`/picks?league=${OTHER}`);
    expect(unknown.statusCode).toBe(404);
    expectPageHeaders(unknown);
    expect(unknown.body).toContain(`There is no league ${OTHER}.`);
    expect(unknown.body).toContain('role="alert"');
    const bad = await get('/picks?league=%3Cb%3Eoffice');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('“&lt;b&gt;office” is not a league id');
    const week = await get(`/picks?league=${LEAGUE}&week=1.5`);
    expect(week.statusCode).toBe(400);
    expect(week.body).toContain('The week must be a whole number');
  });

  it('answers 503 with a page, not a stack trace, when the league store is away', async () => {
    t = await makeApp({
      leagues: fakeLeagues({
        getLeague: async () => {
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        },
      }),
    });
    const res = await get(`/picks?league=${LEAGUE}`);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).toContain('cannot be read right now');
    expect(res.body).not.toContain('ECONNREFUSED');
  });
});

describe('the league read routes the page uses', () => {
  it('GET /api/leagues/:id answers the league, 404 when unknown, 400 for a malformed id', async () => {
    t = await makeApp();
    const res = await get(`/api/leagues/${LEAGUE}`);
    expect(res.statusCode).toBe(200);
    expect(Compile(League).Check(json(res))).toBe(true);
    expect(res.headers.etag).toBeDefined();
    expect(json<{ error: { code: string } }>(await get(`/api/leagues/${OTHER}`)).error.code).toBe('LEAGUE_NOT_FOUND');
    expect((await get('/api/leagues/nope')).statusCode).toBe(400);
  });

  it('GET /api/leagues/:id/games answers the slate with each game as it stands now', async () => {
    t = await makeApp({
      games: board(),
      leagues: fakeLeagues({ listLeagueGames: async () => [{ leagueId: LEAGUE, gameId: 'live1', homeSpread: -3.5, tiebreaker: true, week: 13 }, { leagueId: LEAGUE, gameId: 'gone', homeSpread: null, tiebreaker: false, week: 13 }] }),
    });
    const res = await get(`/api/leagues/${LEAGUE}/games?week=13`);
    expect(res.statusCode).toBe(200);
    const body = json<{ games: { gameId: string; homeSpread: number | null; game: GameWithRevision | null }[] }>(res);
    expect(body.games[0]).toMatchObject({ leagueId: LEAGUE, gameId: 'live1', homeSpread: -3.5, tiebreaker: true, week: 13, game: { id: 'live1', revision: 1 } });
    expect(body.games[1]).toMatchObject({ gameId: 'gone', game: null });
    expect(t.leagues.calls).toContainEqual(['listLeagueGames', LEAGUE, { week: 13 }]);
    expect((await get(`/api/leagues/${LEAGUE}/games?week=x`)).statusCode).toBe(400);
    expect((await get(`/api/leagues/${LEAGUE}/games?weeks=1`)).statusCode).toBe(400);
    expect((await get(`/api/leagues/${OTHER}/games`)).statusCode).toBe(404);
  });
});

describe('render.js (shared by the server and the browser)', () => {
  it('says the line as people do: the favourite and its points', () => {
    const g = board()[0]!;
    expect(render.lineText(g, -3.5)).toBe('MICH -3.5');
    expect(render.lineText(g, 7)).toBe('OSU -7');
    expect(render.lineText(g, 0)).toBe('PK');
    expect(render.lineText(g, null)).toBe('');
  });

  it('filters by league, team (abbreviation or name, any case) and live', () => {
    const f = render.facetsOf(board()[0]!);
    const filter = (o: Partial<render.Filter>) => ({ league: '', team: '', live: false, ...o });
    expect(render.matchesFilter(f, filter({}))).toBe(true);
    expect(render.matchesFilter(f, filter({ league: 'football/college-football', team: 'mich', live: true }))).toBe(true);
    expect(render.matchesFilter(f, filter({ team: 'osu team' }))).toBe(true);
    expect(render.matchesFilter(f, filter({ league: 'football/nfl' }))).toBe(false);
    expect(render.matchesFilter(render.facetsOf(board()[1]!), filter({ live: true }))).toBe(false);
    expect(render.filterQuery(filter({ league: 'football/nfl', team: 'a b', live: true }))).toBe('?league=football%2Fnfl&team=a%20b&live=1');
    expect(render.readFilter(new URLSearchParams('live=true&team=%20MICH%20'))).toEqual({ league: '', team: 'MICH', live: true });
    expect(render.readFilter(new URLSearchParams('league=Football%2FNFL')).league).toBe('football/nfl');
    expect(render.matchesFilter({ ...f, league: 'Football/College-Football' }, filter({ league: 'football/college-football' }))).toBe(true);
  });

  it('says how old stale data is, and nothing while fresh', () => {
    const at = Date.parse('2026-11-28T18:00:00Z');
    expect(render.staleText({ stale: false, lastSuccessAt: null }, at)).toBe('');
    expect(render.staleText({ stale: true, lastSuccessAt: new Date(at - 42_000).toISOString() }, at)).toBe('Scores may be out of date — last update 42 s ago.');
    expect(render.staleText({ stale: true, lastSuccessAt: null }, at)).toBe('Scores may be out of date — no successful update yet.');
    expect(render.ago(3 * 3600_000)).toBe('3 h');
  });

  it('sorts live and upcoming games soonest first, finals most recent first', () => {
    const [a, b] = [game({ id: 'a', kickoff: NOW }), game({ id: 'b', kickoff: NOW + H })];
    expect([b, a].sort(render.compareGames).map((g) => g.id)).toEqual(['a', 'b']);
    const [c, d] = [game({ id: 'c', kickoff: NOW, phase: 'final' }), game({ id: 'd', kickoff: NOW + H, phase: 'final' })];
    expect([c, d].sort(render.compareGames).map((g) => g.id)).toEqual(['d', 'c']);
  });
});
