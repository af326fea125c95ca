// A league's page: keeps the slate's scores current from /api/games/stream and, when a
// game on the slate goes final, refetches the picks and standings (debounced; again
// while the grader has not graded that game's picks yet).
import { slateTable, picksTable, standingsTable } from './render.js';

const $ = (id) => document.getElementById(id);
const slateEl = $('slate-table');
const picksEl = $('picks-table');
const standingsEl = $('standings-table');
const announcer = $('announcer');

// as the server understood the query
const { league: leagueId = '', week = '', user = '' } = $('content').dataset;
const DEBOUNCE_MS = 600;
const RETRY_MS = 1500;
const MAX_TRIES = 10;

/** the slate entries ({ gameId, homeSpread, tiebreaker, week, game }) in the slate's order */
let slate = [];
let picks = [];

const base = `/api/leagues/${encodeURIComponent(leagueId)}`;
const query = (q) => {
  const s = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== ''));
  return s.size ? `?${s}` : '';
};

async function getJson(url) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

// What each container was last given (the browser serializes innerHTML its own way, so
// that cannot be compared); null: the server's first paint. Answers whether it changed.
const rendered = new Map([slateEl, picksEl, standingsEl].map((el) => [el, null]));
function swap(el, html) {
  if (rendered.get(el) === html) return false;
  rendered.set(el, html);
  el.innerHTML = html;
  return true;
}

const renderSlate = () => swap(slateEl, slateTable(slate));

const isSettled = (g) => g && g.status.state === 'post';
/** A settled game whose picks the grader has not reached yet: worth asking again. */
const ungraded = () => picks.some((p) => p.result === null && isSettled(slate.find((e) => e.gameId === p.gameId)?.game));

let timer;
let tries = 0;
async function refresh() {
  try {
    const [p, s] = await Promise.all([getJson(`${base}/picks${query({ week, user })}`), getJson(`${base}/standings${query({ week })}`)]);
    picks = p.picks;
    const picksChanged = swap(picksEl, picksTable(slate, picks, { user }));
    const changed = swap(standingsEl, standingsTable(s.standings, { user })) || picksChanged;
    if (changed) announcer.textContent = 'Picks and standings updated.';
  } catch {
    // the next final (or the retry below) tries again
  }
  if (ungraded() && ++tries < MAX_TRIES) schedule(RETRY_MS);
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => void refresh(), ms);
}

function onGame(game) {
  const entry = slate.find((e) => e.gameId === game.id);
  if (!entry || (entry.game && entry.game.revision >= game.revision)) return;
  const wasSettled = isSettled(entry.game);
  entry.game = game;
  renderSlate();
  if (!wasSettled && isSettled(game)) {
    tries = 0;
    schedule(DEBOUNCE_MS);
  }
}

function connect() {
  const es = new EventSource('/api/games/stream');
  es.addEventListener('game', (e) => onGame(JSON.parse(e.data)));
  es.addEventListener('error', () => {
    // a refused stream (429, 503) is not retried by the browser itself
    if (es.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
  });
}

async function start() {
  try {
    const [s, p] = await Promise.all([getJson(`${base}/games${query({ week })}`), getJson(`${base}/picks${query({ week, user })}`)]);
    slate = s.games;
    picks = p.picks;
  } catch {
    return; // the server-rendered tables stand
  }
  renderSlate();
  connect();
  // a game went final just before the page was rendered: its grades are on their way
  if (ungraded()) schedule(RETRY_MS);
}

if (leagueId && slateEl) void start();
