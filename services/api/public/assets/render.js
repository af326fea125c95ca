// HTML for the pages, as strings: the server renders the first paint with it (so the
// pages work without JavaScript) and the browser renders every update with the same
// code, so the two never disagree. Pure functions of their arguments: no DOM, no clock.
// Every value that comes from data goes through esc().

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value, escaped. */
export const esc = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]);

// ---- leagues and filters ---------------------------------------------------------------

const LEAGUE_NAMES = {
  'college-football': ['College football', 'NCAAF'],
  nfl: ['NFL', 'NFL'],
  nba: ['NBA', 'NBA'],
  wnba: ['WNBA', 'WNBA'],
  mlb: ['MLB', 'MLB'],
  nhl: ['NHL', 'NHL'],
  'mens-college-basketball': ["Men's college basketball", 'NCAAM'],
  'womens-college-basketball': ["Women's college basketball", 'NCAAW'],
  'usa.1': ['MLS', 'MLS'],
  'eng.1': ['Premier League', 'EPL'],
};

export const leagueKey = (game) => `${game.sport}/${game.league}`;

/** 'football/college-football' -> 'College football' (short: 'NCAAF'). */
export function leagueLabel(key, short = false) {
  const league = key.slice(key.indexOf('/') + 1);
  const known = LEAGUE_NAMES[league];
  if (known) return known[short ? 1 : 0];
  if (short) return league.toUpperCase();
  const words = league.replace(/[-_.]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Where a game goes on the scoreboard. Halftime and delays mid-game are 'in': live. */
export function groupOf(game) {
  if (game.status.state === 'in') return 'live';
  if (game.status.state === 'pre') return 'upcoming';
  return 'final';
}

export const GROUPS = [
  { id: 'live', title: 'Live', empty: 'No games in progress.' },
  { id: 'upcoming', title: 'Upcoming', empty: 'No games coming up.' },
  { id: 'final', title: 'Final', empty: 'No finished games.' },
];

const clip = (v) => String(v ?? '').trim().slice(0, 100);

/** The scoreboard's filters from a query string (URLSearchParams or anything with get()); the league in lower case, as /api/games matches it in any case. */
export function readFilter(params) {
  const live = params.get('live');
  return { league: clip(params.get('league')).toLowerCase(), team: clip(params.get('team')), live: live === '1' || live === 'true' || live === 'on' };
}

/** '?league=...&team=...&live=1', or '' with no filter. */
export function filterQuery(filter) {
  const parts = [];
  if (filter.league) parts.push(`league=${encodeURIComponent(filter.league)}`);
  if (filter.team) parts.push(`team=${encodeURIComponent(filter.team)}`);
  if (filter.live) parts.push('live=1');
  return parts.length ? `?${parts.join('&')}` : '';
}

/** What a filter looks at, from a game or (in the browser) from a card's data attributes. */
export function facetsOf(game) {
  const words = [];
  for (const t of [game.away, game.home]) words.push(t.abbreviation, t.name ?? '');
  return { league: leagueKey(game), state: game.status.state, search: words.join(' ').toLowerCase() };
}

export function matchesFilter(facets, filter) {
  if (filter.league && facets.league.toLowerCase() !== filter.league) return false;
  if (filter.live && facets.state !== 'in') return false;
  if (filter.team && !facets.search.includes(filter.team.toLowerCase())) return false;
  return true;
}

const kickoffMs = (g) => Date.parse(g.kickoff);

/** Live and upcoming: soonest first; final: most recent first. Ties by id, so the order is stable. */
export function compareGames(a, b) {
  const group = groupOf(a);
  const byTime = group === 'final' ? kickoffMs(b) - kickoffMs(a) : kickoffMs(a) - kickoffMs(b);
  return byTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// ---- one game --------------------------------------------------------------------------

const teamName = (t) => t.name ?? t.abbreviation ?? 'TBD';
const hasScores = (g) => g.status.state !== 'pre' && g.home.score !== null && g.away.score !== null;

/** -3.5 -> '-3.5', 3 -> '+3', 0 -> 'PK' */
export function formatSpread(n) {
  if (n === 0) return 'PK';
  return n > 0 ? `+${n}` : String(n);
}

/** The line as people say it: the favourite and its points ('MICH -3.5'), 'PK' for a pick'em. */
export function lineText(game, homeSpread) {
  if (homeSpread === null || homeSpread === undefined) return '';
  if (homeSpread === 0) return 'PK';
  return homeSpread < 0 ? `${game.home.abbreviation} ${formatSpread(homeSpread)}` : `${game.away.abbreviation} ${formatSpread(-homeSpread)}`;
}

function logo(team) {
  const initial = esc((team.abbreviation || '?').charAt(0));
  // only https: the page's CSP allows nothing else, and a logo is never worth a mixed-content warning
  const img = team.logo && /^https:\/\//i.test(team.logo) ? `<img src="${esc(team.logo)}" alt="" width="32" height="32" loading="lazy" decoding="async">` : '';
  return `<span class="logo${img ? '' : ' logo--missing'}" data-initial="${initial}" aria-hidden="true">${img}</span>`;
}

const PAUSED = new Set(['STATUS_HALFTIME', 'STATUS_END_PERIOD', 'STATUS_DELAYED']);

function teamLine(game, side) {
  const t = game[side];
  const classes = ['team', side];
  if (game.status.state === 'post' && t.winner === true) classes.push('winner');
  if (game.status.state === 'post' && t.winner === false) classes.push('loser');
  // nobody has the ball at halftime or between quarters, whatever the last situation said
  const poss = game.status.state === 'in' && game.possession === side && !PAUSED.has(game.status.name);
  const score = hasScores(game) ? esc(t.score) : '';
  return (
    `<li class="${classes.join(' ')}">${logo(t)}` +
    `<span class="abbr">${esc(t.abbreviation)}</span>` +
    `<span class="name">${esc(teamName(t))}</span>` +
    (poss ? '<span class="poss" title="Has the ball"><span class="visually-hidden">(has the ball)</span></span>' : '') +
    `<span class="score">${score}</span></li>`
  );
}

/** One game as an <article>; its data attributes let the page filter and diff it without the JSON. */
export function gameCard(game) {
  const id = esc(game.id);
  const facets = facetsOf(game);
  const state = game.status.state;
  const status =
    state === 'pre'
      ? `<time datetime="${esc(game.kickoff)}">${esc(game.status.shortDetail)}</time>`
      : `${state === 'in' ? '<span class="live-dot" aria-hidden="true"></span>' : ''}${esc(game.status.shortDetail)}`;
  const line = game.odds ? lineText(game, game.odds.homeSpread) || esc(game.odds.details ?? '') : '';
  const foot = [];
  if (line) foot.push(`<span class="line"><span class="visually-hidden">Line: </span>${esc(line)}</span>`);
  if (game.odds && game.odds.overUnder !== null) foot.push(`<span class="ou">O/U ${esc(game.odds.overUnder)}</span>`);
  if (game.broadcasts.length) foot.push(`<span class="tv"><span class="visually-hidden">On </span>${esc(game.broadcasts.join(', '))}</span>`);
  return (
    `<article class="game" id="game-${id}" aria-labelledby="game-${id}-title" data-id="${id}" data-rev="${esc(game.revision)}"` +
    ` data-state="${esc(state)}" data-kickoff="${esc(game.kickoff)}" data-league="${esc(facets.league)}" data-search="${esc(facets.search)}"` +
    ` data-away-score="${esc(game.away.score ?? '')}" data-home-score="${esc(game.home.score ?? '')}">` +
    `<h3 class="visually-hidden" id="game-${id}-title">${esc(teamName(game.away))} at ${esc(teamName(game.home))}</h3>` +
    `<p class="game-head"><span class="status">${status}</span><span class="league">${esc(leagueLabel(facets.league, true))}</span></p>` +
    `<ul class="teams">${teamLine(game, 'away')}${teamLine(game, 'home')}</ul>` +
    (foot.length ? `<p class="game-foot">${foot.join('')}</p>` : '') +
    `</article>`
  );
}

/** What a screen reader hears when a score changes: 'OSU 10, MICH 14 (4:12 - 3rd)'. */
export function scoreSentence(game) {
  const prefix = game.status.state === 'post' ? 'Final: ' : '';
  return `${prefix}${game.away.abbreviation} ${game.away.score ?? 0}, ${game.home.abbreviation} ${game.home.score ?? 0} (${game.status.shortDetail})`;
}

// ---- freshness -------------------------------------------------------------------------

/** 42_000 -> '42 s', 300_000 -> '5 min', ... */
export function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/** The stale banner's text, or '' when the data is fresh (meta.stale: the breaker is not closed). */
export function staleText(meta, nowMs) {
  if (!meta || !meta.stale) return '';
  if (!meta.lastSuccessAt) return 'Scores may be out of date — no successful update yet.';
  return `Scores may be out of date — last update ${ago(nowMs - Date.parse(meta.lastSuccessAt))} ago.`;
}

// ---- leagues: slate, picks, standings --------------------------------------------------

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

export function rulesText(league) {
  const parts = [league.againstTheSpread ? 'Against the spread' : 'Straight up', `${plural(league.pointsPerCorrect, 'point', 'points')} a correct pick`];
  if (league.keyPickBonus) parts.push(`key pick +${league.keyPickBonus}`);
  if (league.pushPoints) parts.push(`push ${plural(league.pushPoints, 'point', 'points')}`);
  return parts.join(' · ');
}

const matchup = (entry) => (entry.game ? `${entry.game.away.abbreviation} @ ${entry.game.home.abbreviation}` : entry.gameId);

function slateStatus(game) {
  if (!game) return 'Unknown';
  if (game.status.state === 'pre') return `<time datetime="${esc(game.kickoff)}">${esc(game.status.shortDetail)}</time>`;
  return esc(game.status.shortDetail);
}

/** The league's games with their locked lines: one row per game. */
export function slateTable(entries) {
  if (!entries.length) return '<p class="empty">No games on this slate yet.</p>';
  const rows = entries.map((e) => {
    const g = e.game;
    const line = e.homeSpread === null ? 'Straight up' : g ? lineText(g, e.homeSpread) : formatSpread(e.homeSpread);
    const score = g && hasScores(g) ? `${esc(g.away.score)}–${esc(g.home.score)}` : '';
    const tiebreak = e.tiebreaker ? ' <span class="badge" title="Tiebreaker: guess the total points">tiebreaker</span>' : '';
    return (
      `<tr id="slate-${esc(e.gameId)}" data-game-id="${esc(e.gameId)}" data-state="${esc(g ? g.status.state : '')}">` +
      `<td>${esc(e.week)}</td><th scope="row">${esc(matchup(e))}${tiebreak}</th>` +
      `<td>${slateStatus(g)}</td><td>${esc(line)}</td><td class="num">${score}</td></tr>`
    );
  });
  return (
    '<table class="slate"><thead><tr><th scope="col">Week</th><th scope="col">Game</th><th scope="col">Kickoff / status</th>' +
    `<th scope="col">Line</th><th scope="col" class="num">Score</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

const RESULT_TEXT = { win: 'win', loss: 'loss', push: 'push', void: 'void' };

function pickCell(pick, entry) {
  if (!pick) return '<td class="pick pick--none"><span class="visually-hidden">no pick</span></td>';
  const g = entry.game;
  const team = g ? (g.home.teamId === pick.teamId ? g.home.abbreviation : g.away.teamId === pick.teamId ? g.away.abbreviation : pick.teamId) : pick.teamId;
  const result = pick.result ? RESULT_TEXT[pick.result] ?? pick.result : 'pending';
  const key = pick.keyPick ? '<span class="key" title="Key pick">★<span class="visually-hidden"> key pick</span></span>' : '';
  const points = pick.result ? ` · ${esc(pick.points)}` : '';
  return `<td class="pick pick--${esc(result)}"><span class="team-pick">${esc(team)}</span>${key}<span class="result">${esc(result)}${points}</span></td>`;
}

/** Who picked what: a row per member, a column per slate game; each cell the pick, its result and points. */
export function picksTable(entries, picks, opts = {}) {
  const users = [...new Set(picks.map((p) => p.userId))].sort((a, b) => a.localeCompare(b));
  if (!entries.length || !users.length) return '<p class="empty">No picks yet.</p>';
  const byUserGame = new Map(picks.map((p) => [`${p.userId}\u0000${p.gameId}`, p]));
  const head = entries.map((e) => `<th scope="col">${esc(matchup(e))}</th>`).join('');
  const rows = users.map((u) => {
    const cells = entries.map((e) => pickCell(byUserGame.get(`${u}\u0000${e.gameId}`), e)).join('');
    const total = picks.filter((p) => p.userId === u).reduce((sum, p) => sum + p.points, 0);
    return `<tr${u === opts.user ? ' class="me"' : ''}><th scope="row">${esc(u)}</th>${cells}<td class="num">${esc(total)}</td></tr>`;
  });
  return (
    '<div class="scroll" tabindex="0" role="region" aria-labelledby="picks-title">' +
    `<table class="picks"><thead><tr><th scope="col">Player</th>${head}<th scope="col" class="num">Points</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></div>`
  );
}

/** Rank, member, wins-losses-pushes, points and the tiebreak distance. */
export function standingsTable(standings, opts = {}) {
  if (!standings.length) return '<p class="empty">No standings yet: they appear once picks are made.</p>';
  const rows = standings.map(
    (s) =>
      `<tr${s.userId === opts.user ? ' class="me"' : ''}><td class="num">${esc(s.rank)}</td><th scope="row">${esc(s.userId)}</th>` +
      `<td class="num">${esc(s.wins)}-${esc(s.losses)}-${esc(s.pushes)}</td><td class="num">${esc(s.points)}</td>` +
      `<td class="num">${s.tiebreak === null ? '—' : esc(s.tiebreak)}</td></tr>`,
  );
  return (
    '<table class="standings"><thead><tr><th scope="col" class="num">Rank</th><th scope="col">Player</th>' +
    '<th scope="col" class="num"><abbr title="wins-losses-pushes">W-L-P</abbr></th><th scope="col" class="num">Points</th>' +
    `<th scope="col" class="num">Tiebreak</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

// ---- the scoreboard ----------------------------------------------------------------------

/** '3' read as '3 games'. */
export const countText = (n) => `${n}<span class="visually-hidden"> ${n === 1 ? 'game' : 'games'}</span>`;

/** The three groups with the games that match the filter (the first paint; the page keeps them current). */
export function boardSections(games, filter) {
  return GROUPS.map(({ id, title, empty }) => {
    const shown = games.filter((g) => groupOf(g) === id && matchesFilter(facetsOf(g), filter)).sort(compareGames);
    return (
      `<section class="group" id="group-${id}" aria-labelledby="h-${id}">` +
      `<h2 id="h-${id}">${title} <span class="count">${countText(shown.length)}</span></h2>` +
      `<p class="empty"${shown.length ? ' hidden' : ''}>${empty}</p>` +
      `<div class="cards">${shown.map(gameCard).join('')}</div></section>`
    );
  }).join('');
}
