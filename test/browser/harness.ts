/**
 * What the browser tests and the screenshot script share: the whole pipeline as
 * `pnpm start` runs it (one process, every service) against the ESPN simulator serving
 * a scripted board, a league made through the HTTP API, and Debian's chromium.
 */
import { existsSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { decode, GameChanged, subjects } from '@scores/contracts';
import { applyScore, applyStatus, leagueTeams, makeEvent, startSimulator, statusPresets, type EspnStatus, type Simulator } from '@scores/espn-sim';
import {
  connectTestNats,
  dropNamespace,
  dropRedisNamespace,
  freshDatabase,
  freshNamespace,
  startProcess,
  testEnv,
  testRedis,
  waitFor,
  type RunningProcess,
} from '@scores/testkit';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const API_KEY = 'browser-test-key-0123456789';

const CFB = 'football/college-football';
const NFL = 'football/nfl';
const H = 3600_000;

function team(league: string, abbreviation: string) {
  const t = leagueTeams(league).find((x) => x.abbreviation === abbreviation);
  if (!t) throw new Error(`no ${abbreviation} in the simulator's ${league} teams`);
  return { id: t.id, abbreviation };
}

export interface BoardGame {
  id: string;
  league: string;
  away: string;
  home: string;
  kickoffOffsetMs: number;
  status: () => EspnStatus;
  score?: { away: number; home: number };
  odds?: { details: string; overUnder: number; spread: number };
}

const at = (offset: number) => new Date(Date.now() + offset);

/** The board the simulator serves: a college Saturday and two NFL games. */
export const BOARD: BoardGame[] = [
  { id: '9100001', league: CFB, away: 'MICH', home: 'OSU', kickoffOffsetMs: -1.5 * H, status: () => statusPresets.inProgress(3, '4:12'), score: { away: 17, home: 24 }, odds: { details: 'OSU -3', overUnder: 47.5, spread: -3 } },
  { id: '9100002', league: CFB, away: 'ORE', home: 'USC', kickoffOffsetMs: -1 * H, status: () => statusPresets.halftime(), score: { away: 10, home: 7 }, odds: { details: 'USC -6.5', overUnder: 44.5, spread: -6.5 } },
  { id: '9100003', league: CFB, away: 'LSU', home: 'TA&M', kickoffOffsetMs: 2 * H, status: () => statusPresets.scheduled(at(2 * H)), odds: { details: 'TA&M -3', overUnder: 51.5, spread: -3 } },
  { id: '9100004', league: CFB, away: 'AUB', home: 'BAY', kickoffOffsetMs: 3 * H, status: () => statusPresets.scheduled(at(3 * H)), odds: { details: 'AUB -2.5', overUnder: 56.5, spread: 2.5 } },
  { id: '9100005', league: CFB, away: 'FLA', home: 'TENN', kickoffOffsetMs: 5 * H, status: () => statusPresets.scheduled(at(5 * H)), odds: { details: 'TENN -11.5', overUnder: 50.5, spread: -11.5 } },
  { id: '9100006', league: CFB, away: 'MRSH', home: 'UGA', kickoffOffsetMs: -4 * H, status: () => statusPresets.final(), score: { away: 10, home: 45 }, odds: { details: 'UGA -38.5', overUnder: 52.5, spread: -38.5 } },
  { id: '9200001', league: NFL, away: 'DAL', home: 'PHI', kickoffOffsetMs: 6 * H, status: () => statusPresets.scheduled(at(6 * H)), odds: { details: 'PHI -7', overUnder: 46.5, spread: -7 } },
  { id: '9200002', league: NFL, away: 'BUF', home: 'MIA', kickoffOffsetMs: -3.5 * H, status: () => statusPresets.final(), score: { away: 31, home: 21 } },
];

export const boardGame = (id: string): BoardGame => BOARD.find((g) => g.id === id)!;

function eventOf(g: BoardGame) {
  return makeEvent({
    id: g.id,
    league: g.league,
    date: at(g.kickoffOffsetMs),
    away: { ...team(g.league, g.away), ...(g.score ? { score: g.score.away } : {}) },
    home: { ...team(g.league, g.home), ...(g.score ? { score: g.score.home } : {}) },
    status: g.status(),
    ...(g.odds ? { odds: g.odds } : {}),
  });
}

export interface BusEvent {
  gameId: string;
  revision: number;
  game: GameChanged['game'];
  /** when this process saw it on NATS */
  seenAt: number;
}

export interface Stack {
  base: string;
  ns: string;
  sim: Simulator;
  app: RunningProcess;
  /** every game.changed seen on the bus */
  bus: BusEvent[];
  stop(): Promise<void>;
}

/** Simulator, fresh namespace and database, and `scores start` on a free port; resolves once every board game is served. */
export async function startStack(label = 'pages'): Promise<Stack> {
  const ns = freshNamespace(label);
  const sim = await startSimulator();
  for (const league of [CFB, NFL]) sim.setEvents(league, BOARD.filter((g) => g.league === league).map(eventOf));
  const db = await freshDatabase(label);
  const nc = await connectTestNats(`${label}-watch`);
  const bus: BusEvent[] = [];
  nc.subscribe(subjects.gameChangedFilter(ns), {
    callback: (_err, m) => {
      const e = decode(GameChanged, m.data);
      bus.push({ gameId: e.gameId, revision: e.revision, game: e.game, seenAt: Date.now() });
    },
  });
  const app = startProcess(['packages/cli/src/bin.ts', 'start'], {
    NAMESPACE: ns,
    NATS_URL: testEnv.natsUrl,
    DATABASE_URL: db.url,
    REDIS_URL: testEnv.redisUrl,
    ESPN_BASE_URL: sim.baseUrl,
    ESPN_LEAGUES: `${CFB},${NFL}`,
    // every poll a second apart, and one failed poll opens the breaker (for a second)
    POLL_LIVE_S: '1',
    POLL_IDLE_S: '2',
    POLL_MIN_GAP_S: '0',
    ESPN_RETRIES: '0',
    BREAKER_FAILURES: '1',
    BREAKER_OPEN_S: '1',
    API_KEYS: API_KEY,
    HEALTH_PORT: '0',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  const stop = async () => {
    await app.stop('SIGKILL');
    await sim.close();
    await dropNamespace(await jetstreamManager(nc), ns);
    await nc.drain();
    const redis = testRedis();
    await dropRedisNamespace(redis, ns);
    redis.disconnect();
    await db.drop();
  };
  try {
    const listening = await app.waitForLog((l) => l.msg === 'api listening', 30_000);
    const base = `http://127.0.0.1:${String(listening.port)}`;
    await waitFor(
      async () => {
        const res = await fetch(`${base}/api/games?from=2000-01-01&limit=500`);
        const body = (await res.json()) as { games: { id: string }[] };
        return BOARD.every((g) => body.games.some((x) => x.id === g.id));
      },
      { timeoutMs: 30_000, message: 'the board did not reach the api' },
    );
    return { base, ns, sim, app, bus, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** Moves a board game on in the simulator, status and score at once (the poller sees it on its next poll). */
export function setGame(sim: Simulator, id: string, status: EspnStatus, score: { away: number; home: number }): void {
  sim.updateEvent(id, (e) => {
    applyStatus(e, status);
    applyScore(e, score);
  });
}

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The pick'em players and what they pick (team abbreviations), key picks marked with a star. */
export const PICKS: Record<string, string[]> = {
  ana: ['TA&M*', 'AUB', 'TENN'],
  ben: ['LSU', 'BAY', 'TENN*'],
  cy: ['TA&M', 'BAY', 'FLA*'],
  dee: ['LSU*', 'AUB', 'FLA'],
};
export const SLATE = ['9100003', '9100004', '9100005'];

/** A league made through the HTTP API: the three upcoming college games (the last the tiebreaker) and everyone's picks. */
export async function seedLeague(base: string): Promise<string> {
  const league = await api<{ id: string }>(base, 'POST', '/api/leagues', { name: 'Saturday Pick’em', againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 5, pushPoints: 5 });
  for (const [i, gameId] of SLATE.entries()) {
    await api(base, 'PUT', `/api/leagues/${league.id}/games/${gameId}`, i === SLATE.length - 1 ? { tiebreaker: true } : {});
  }
  for (const [userId, picks] of Object.entries(PICKS)) {
    for (const [i, choice] of picks.entries()) {
      const g = boardGame(SLATE[i]!);
      const abbreviation = choice.replace('*', '');
      const teamId = team(g.league, abbreviation).id;
      const tiebreak = i === SLATE.length - 1 ? { pointsGuess: 40 + userId.length * 7 } : {};
      await api(base, 'POST', `/api/leagues/${league.id}/picks`, { userId, gameId: g.id, teamId, keyPick: choice.endsWith('*'), ...tiebreak });
    }
  }
  return league.id;
}

/** Debian's chromium, headless, with nothing that reaches the internet. Fails (never skips) without it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests drive Debian's chromium (apt-get install chromium; .ci/run installs it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
