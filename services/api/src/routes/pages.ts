import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GameWithRevision } from '@scores/contracts';
import { isLeagueId, type League as StoredLeague, type LeagueGame } from '@scores/grader';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  boardSections,
  esc,
  leagueKey,
  leagueLabel,
  picksTable,
  readFilter,
  rulesText,
  slateTable,
  staleText,
  standingsTable,
  type SlateEntry,
} from '../../public/assets/render.js';
import { matches, resolveFilter } from '../games/query.js';
import { etagOf, ifNoneMatchHits } from '../http/caching.js';
import { ApiError } from '../http/errors.js';
import { errorResponses, Game, League, LeagueGame as LeagueGameSchema, LeagueParams, StandingsQuery } from '../http/schemas.js';
import type { AppContext } from '../app.js';

/**
 * The two pages (`/live`, `/picks`), their assets, and the read routes the league page
 * needs. Pages are rendered on the server (they work without JavaScript) with the same
 * module the browser then renders updates with: public/assets/render.js.
 */

// services/api/public, from src/routes/ (tsx) or from dist/ (the bundle `pnpm build` makes)
const PUBLIC = [new URL('../../public/', import.meta.url), new URL('../public/', import.meta.url)].find((u) =>
  existsSync(new URL('live.html', u)),
)!;

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

// Scripts only from our own files (no inline script, no eval); logos are ESPN's https URLs.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  /** a hash of the body: URLs carrying it are cached for good */
  version: string;
}

const IMPORT = /from '\.\/([A-Za-z0-9_.-]+\.js)'/g;

/**
 * Every servable file of public/assets, read once. A module's imports of its siblings get
 * the sibling's version appended, so every URL a page loads is versioned and immutable.
 */
export function loadAssets(dir: URL = new URL('assets/', PUBLIC)): Map<string, Asset> {
  const raw = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const ext = name.slice(name.lastIndexOf('.') + 1);
    if (TYPES[ext] && !name.endsWith('.d.ts')) raw.set(name, readFileSync(new URL(name, dir), 'utf8'));
  }
  const assets = new Map<string, Asset>();
  const finish = (name: string, seen: Set<string>): Asset | undefined => {
    const done = assets.get(name);
    if (done || seen.has(name)) return done;
    const text = raw.get(name);
    if (text === undefined) return undefined;
    seen.add(name);
    const body = text.replace(IMPORT, (whole, dep: string) => {
      const a = finish(dep, seen);
      return a ? `from './${dep}?v=${a.version}'` : whole;
    });
    const buf = Buffer.from(body);
    const asset = { body: buf, type: TYPES[name.slice(name.lastIndexOf('.') + 1)]!, etag: etagOf(buf), version: createHash('sha256').update(buf).digest('base64url').slice(0, 12) };
    assets.set(name, asset);
    return asset;
  };
  for (const name of raw.keys()) finish(name, new Set());
  return assets;
}

/** A page template with `{{asset:NAME}}` resolved to versioned URLs; `{{key}}` filled per request. */
export function loadTemplate(name: string, assets: Map<string, Asset>): (values: Record<string, string>) => string {
  const text = readFileSync(new URL(name, PUBLIC), 'utf8').replace(/\{\{asset:([A-Za-z0-9_.-]+)\}\}/g, (_m, file: string) => {
    const a = assets.get(file);
    if (!a) throw new Error(`${name} refers to a missing asset ${file}`);
    return `/assets/${file}?v=${a.version}`;
  });
  return (values) => text.replace(/\{\{([A-Za-z]+)\}\}/g, (_m, key: string) => values[key] ?? '');
}

const queryOf = (req: FastifyRequest) => new URLSearchParams(req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '');

const easternTime = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', minute: '2-digit' });

const SlateEntrySchema = Type.Object({
  ...LeagueGameSchema.properties,
  game: Type.Union([Game, Type.Null()], { description: 'the game as /api/games has it; null if this replica has not seen it' }),
});

export const pageRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { snapshot, leagues } = ctx;
  const assets = loadAssets();
  const livePage = loadTemplate('live.html', assets);
  const picksPage = loadTemplate('picks.html', assets);

  const sendPage = (req: FastifyRequest, reply: FastifyReply, status: number, html: string) => {
    const body = Buffer.from(html);
    const etag = etagOf(body);
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('x-frame-options', 'DENY')
      // live data: always revalidate (a 304 when nothing changed)
      .header('cache-control', status === 200 ? 'no-cache' : 'no-store');
    if (status !== 200) return reply.send(body);
    reply.header('etag', etag);
    if (ifNoneMatchHits(req.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.send(body);
  };

  const slateOf = (entries: readonly LeagueGame[]): SlateEntry[] =>
    entries.map((e) => ({ gameId: e.gameId, homeSpread: e.homeSpread, tiebreaker: e.tiebreaker, week: e.week, game: snapshot.get(e.gameId)?.game ?? null }));

  // ---- assets --------------------------------------------------------------------------

  app.get(
    '/assets/:name',
    { schema: { hide: true, params: Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }) }) } },
    (req, reply) => {
      const asset = assets.get(req.params.name);
      if (!asset) throw new ApiError(404, 'NOT_FOUND', `no asset ${req.params.name}`);
      const versioned = (req.query as { v?: unknown }).v === asset.version;
      reply
        .header('content-type', asset.type)
        .header('x-content-type-options', 'nosniff')
        .header('etag', asset.etag)
        .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate');
      if (ifNoneMatchHits(req.headers['if-none-match'], asset.etag)) return reply.code(304).send();
      return reply.send(asset.body);
    },
  );

  // ---- /live -----------------------------------------------------------------------------

  app.get(
    '/live',
    { schema: { summary: 'The live scoreboard (HTML): every game, updating itself from /api/games/stream', tags: ['pages'], produces: ['text/html'] } },
    (req, reply) => {
      const filter = readFilter(queryOf(req));
      const today = ctx.today();
      const window = resolveFilter({});
      const games: GameWithRevision[] = [];
      for (const e of snapshot.entries()) if (matches(window, e, today)) games.push(e.game);

      // filter.league is lower case (matched in any case, as /api/games does)
      const keys = new Set(games.map(leagueKey));
      const known = [...keys].some((k) => k.toLowerCase() === filter.league);
      if (filter.league && !known) keys.add(filter.league);
      const options = [...keys]
        .sort((a, b) => leagueLabel(a).localeCompare(leagueLabel(b)))
        .map((k) => `<option value="${esc(k)}"${k.toLowerCase() === filter.league ? ' selected' : ''}>${esc(leagueLabel(k))}</option>`);

      const now = ctx.now();
      const meta = ctx.meta.current(snapshot.liveCount);
      const stale = staleText(meta, now);
      const sections = boardSections(games, filter);
      const filtered = Boolean(filter.league || filter.team || filter.live);
      return sendPage(
        req,
        reply,
        200,
        livePage({
          connState: 'static',
          connText: esc(`As of ${easternTime.format(now)} ET`),
          staleHidden: stale ? '' : ' hidden',
          staleText: esc(stale),
          leagueOptions: `<option value="">All leagues</option>${options.join('')}`,
          team: esc(filter.team),
          liveChecked: filter.live ? ' checked' : '',
          matchNoteHidden: filtered && !sections.includes('<article') ? '' : ' hidden',
          sections,
        }),
      );
    },
  );

  // ---- /picks ----------------------------------------------------------------------------

  const leagueForm = (value = '') =>
    '<form class="league-form" action="/picks" method="get">' +
    `<label>League id<input type="text" name="league" value="${esc(value)}" required maxlength="36" spellcheck="false" autocomplete="off" placeholder="e.g. 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b"></label>` +
    '<button type="submit">Show league</button></form>';

  const messagePage = (req: FastifyRequest, reply: FastifyReply, status: number, heading: string, message: string, value = '') =>
    sendPage(
      req,
      reply,
      status,
      picksPage({
        title: `${heading} — picks`,
        heading: esc(heading),
        rules: '',
        mainAttrs: '',
        main: `<p class="banner banner--error" role="alert">${esc(message)}</p>${leagueForm(value)}`,
      }),
    );

  app.get(
    '/picks',
    {
      schema: {
        summary: "A league's slate, picks and standings (HTML); `?league=<id>[&week=N][&user=U]`",
        tags: ['pages'],
        produces: ['text/html'],
      },
    },
    async (req, reply) => {
      const q = queryOf(req);
      const leagueId = (q.get('league') ?? '').trim();
      if (!leagueId) {
        return sendPage(
          req,
          reply,
          200,
          picksPage({
            title: 'League picks',
            heading: 'League picks',
            rules: 'Enter the id of a league to see its slate, picks and standings.',
            mainAttrs: '',
            main: leagueForm(),
          }),
        );
      }
      if (!isLeagueId(leagueId)) {
        return messagePage(req, reply, 400, 'Not a league id', `“${leagueId.slice(0, 100)}” is not a league id: ids look like 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b.`, leagueId.slice(0, 36));
      }
      const weekText = (q.get('week') ?? '').trim();
      const week = weekText === '' ? undefined : /^\d{1,4}$/.test(weekText) && Number(weekText) <= 1000 ? Number(weekText) : NaN;
      if (Number.isNaN(week)) return messagePage(req, reply, 400, 'Bad week', `The week must be a whole number from 0 to 1000, not “${weekText.slice(0, 20)}”.`, leagueId);
      const user = (q.get('user') ?? '').trim();
      if (user.length > 200) return messagePage(req, reply, 400, 'Bad player', 'A player name is at most 200 characters.', leagueId);

      let league: StoredLeague | null;
      let all: LeagueGame[];
      let picks: Awaited<ReturnType<typeof leagues.listPicks>>;
      let standings: Awaited<ReturnType<typeof leagues.getStandings>>;
      try {
        league = await leagues.getLeague(leagueId);
        if (!league) return messagePage(req, reply, 404, 'League not found', `There is no league ${leagueId}.`, leagueId);
        const weekOpt = week === undefined ? {} : { week };
        [all, picks, standings] = await Promise.all([
          leagues.listLeagueGames(leagueId, {}),
          leagues.listPicks(leagueId, { ...weekOpt, ...(user ? { userId: user } : {}) }),
          leagues.getStandings(leagueId, weekOpt),
        ]);
      } catch (err) {
        req.log.warn({ err, leagueId }, 'league page not rendered');
        return messagePage(req, reply.header('retry-after', '5'), 503, 'Try again shortly', 'The league’s picks cannot be read right now. Try again in a few seconds.', leagueId);
      }

      const slate = slateOf(week === undefined ? all : all.filter((e) => e.week === week));
      const weeks = [...new Set(all.map((e) => e.week))].sort((a, b) => a - b);
      const users = [...new Set([...standings.map((s) => s.userId), ...picks.map((p) => p.userId)])].sort((a, b) => a.localeCompare(b));
      const weekOptions = weeks.map((w) => `<option value="${w}"${w === week ? ' selected' : ''}>Week ${w}</option>`).join('');
      const userOptions = users.map((u) => `<option value="${esc(u)}"${u === user ? ' selected' : ''}>${esc(u)}</option>`).join('');
      const scope = week === undefined ? 'season' : `week ${week}`;
      const main =
        `<form class="league-form" action="/picks" method="get" aria-label="Choose a week and a player">` +
        `<input type="hidden" name="league" value="${esc(league.id)}">` +
        `<label>Week<select name="week"><option value="">Whole season</option>${weekOptions}</select></label>` +
        `<label>Player<select name="user"><option value="">Everyone</option>${userOptions}</select></label>` +
        '<button type="submit">Show</button></form>' +
        '<div class="columns">' +
        `<section class="panel" aria-labelledby="standings-title"><h2 id="standings-title">Standings <small>(${esc(scope)})</small></h2>` +
        `<div id="standings-table">${standingsTable(standings, { user })}</div></section>` +
        `<section class="panel" aria-labelledby="slate-title"><h2 id="slate-title">Slate</h2><div id="slate-table">${slateTable(slate)}</div></section>` +
        '</div>' +
        `<section class="panel" aria-labelledby="picks-title"><h2 id="picks-title">Picks</h2><div id="picks-table">${picksTable(slate, picks, { user })}</div></section>`;
      return sendPage(
        req,
        reply,
        200,
        picksPage({
          title: esc(`${league.name} — picks`),
          heading: esc(league.name),
          rules: esc(rulesText(league)),
          mainAttrs: ` data-league="${esc(league.id)}" data-week="${week ?? ''}" data-user="${esc(user)}"`,
          main,
        }),
      );
    },
  );

  // ---- what the league page reads ---------------------------------------------------------

  app.get(
    '/api/leagues/:leagueId',
    {
      schema: {
        summary: 'A league and its rules',
        tags: ['leagues'],
        params: LeagueParams,
        response: { 200: League, ...errorResponses(400, 404, 429, 503) },
      },
    },
    async (req, reply) => {
      const league = await leagues.getLeague(req.params.leagueId);
      if (!league) throw new ApiError(404, 'LEAGUE_NOT_FOUND', `no league ${req.params.leagueId}`);
      reply.header('cache-control', 'public, max-age=0, must-revalidate');
      return league;
    },
  );

  app.get(
    '/api/leagues/:leagueId/games',
    {
      schema: {
        summary: "The league's slate: each game with its locked line, and the game as it stands",
        tags: ['leagues'],
        params: LeagueParams,
        querystring: StandingsQuery,
        response: { 200: Type.Object({ games: Type.Array(SlateEntrySchema) }), ...errorResponses(400, 404, 429, 503) },
      },
    },
    async (req, reply) => {
      const { leagueId } = req.params;
      if (!(await leagues.getLeague(leagueId))) throw new ApiError(404, 'LEAGUE_NOT_FOUND', `no league ${leagueId}`);
      const entries = await leagues.listLeagueGames(leagueId, req.query.week === undefined ? {} : { week: req.query.week });
      reply.header('cache-control', 'public, max-age=0, must-revalidate');
      return { games: slateOf(entries).map((e) => ({ leagueId, ...e })) };
    },
  );
};
