// The live scoreboard: takes over the server-rendered cards and keeps them current from
// /api/games/stream. Only a card whose game changed is touched; filters hide cards
// without re-rendering them and are kept in the URL.
import { countText, facetsOf, filterQuery, gameCard, groupOf, compareGames, GROUPS, matchesFilter, readFilter, scoreSentence, staleText } from './render.js';

const $ = (id) => document.getElementById(id);
const STREAM = '/api/games/stream';
const FLASH_MS = 2500;

/** id -> the newest game seen from the stream */
const games = new Map();
const groups = Object.fromEntries(
  GROUPS.map(({ id }) => {
    const section = $(`group-${id}`);
    return [id, { cards: section.querySelector('.cards'), count: section.querySelector('.count'), empty: section.querySelector('.empty') }];
  }),
);
const form = $('filters');
const announcer = $('announcer');
const banner = $('stale');
const conn = $('conn');
const matchNote = $('match-note');
let filter = readFilter(new URLSearchParams(location.search));
let meta = null;

// ---- logos: a logo that cannot load (offline, blocked) leaves the team's initial --------

function watchLogos(root) {
  for (const img of root.querySelectorAll('.logo img')) {
    const missing = () => {
      img.parentElement.classList.add('logo--missing');
      img.remove();
    };
    if (img.complete && img.naturalWidth === 0) missing();
    else img.addEventListener('error', missing, { once: true });
  }
}

// ---- announcements: batched, so a burst of changes is one polite message ----------------

let pending = [];
let announceTimer;
function announce(text) {
  pending.push(text);
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    announcer.textContent = pending.join('. ');
    pending = [];
  }, 400);
}

// ---- cards --------------------------------------------------------------------------

const facetsOfCard = (el) => ({ league: el.dataset.league, state: el.dataset.state, search: el.dataset.search });
/** What compareGames needs, from a card: cards the stream has not re-sent yet sort too. */
const sortKeyOfCard = (el) => ({ id: el.dataset.id, kickoff: el.dataset.kickoff, status: { state: el.dataset.state } });

function updateCounts() {
  let total = 0;
  for (const g of Object.values(groups)) {
    let n = 0;
    for (const card of g.cards.children) if (!card.hidden) n++;
    total += n;
    const html = countText(n);
    if (g.count.innerHTML !== html) g.count.innerHTML = html;
    g.empty.hidden = n > 0;
  }
  matchNote.hidden = total > 0 || !(filter.league || filter.team || filter.live);
}

/** Inserts a card where its game sorts among its group's cards. */
function place(el, game) {
  const list = groups[groupOf(game)].cards;
  for (const other of list.children) {
    if (other !== el && compareGames(game, sortKeyOfCard(other)) < 0) {
      list.insertBefore(el, other);
      return;
    }
  }
  list.appendChild(el);
}

/** Whether a card still sorts between its neighbours (a kickoff can move: a delayed start). */
function inOrder(el, game) {
  const prev = el.previousElementSibling && sortKeyOfCard(el.previousElementSibling);
  const next = el.nextElementSibling && sortKeyOfCard(el.nextElementSibling);
  return (!prev || compareGames(prev, game) < 0) && (!next || compareGames(game, next) < 0);
}

function fromHtml(html) {
  const t = document.createElement('template');
  t.innerHTML = html;
  return t.content.firstElementChild;
}

function onGame(game) {
  const known = games.get(game.id);
  if (known && known.revision >= game.revision) return;
  games.set(game.id, game);
  const old = $(`game-${game.id}`);
  if (old && Number(old.dataset.rev) === game.revision && old.dataset.state === game.status.state) {
    // the server rendered this very revision: only make sure it sits where it sorts
    if (old.parentElement !== groups[groupOf(game)].cards) place(old, game);
    return;
  }
  const before = known ?? (old ? { away: old.dataset.awayScore, home: old.dataset.homeScore } : undefined);
  const el = fromHtml(gameCard(game));
  el.hidden = !matchesFilter(facetsOf(game), filter);
  watchLogos(el);
  if (old && old.parentElement === groups[groupOf(game)].cards) {
    old.replaceWith(el);
    if (!inOrder(el, game)) place(el, game);
  } else {
    old?.remove();
    place(el, game);
  }
  if (before) {
    const was = known ? [known.away.score, known.home.score] : [before.away, before.home].map((s) => (s === '' ? null : Number(s)));
    const scoreChanged = was[0] !== game.away.score || was[1] !== game.home.score;
    const wentFinal = known && known.status.state !== 'post' && game.status.state === 'post';
    if (scoreChanged && game.status.state !== 'pre') {
      el.classList.add('flash');
      setTimeout(() => el.classList.remove('flash'), FLASH_MS);
    }
    if ((scoreChanged || wentFinal) && !el.hidden) announce(scoreSentence(game));
  }
  updateCounts();
}

// ---- freshness ------------------------------------------------------------------------

function renderBanner() {
  if (!meta) return; // the server's banner stands until the stream says otherwise
  const text = staleText(meta, Date.now());
  if (banner.textContent !== text) banner.textContent = text;
  banner.hidden = text === '';
}

function onMeta(next) {
  const wasStale = meta?.stale ?? !banner.hidden;
  meta = next;
  renderBanner();
  if (meta.stale !== wasStale) announce(meta.stale ? 'Scores may be out of date' : 'Scores are up to date again');
}
setInterval(renderBanner, 10_000);

function setConn(state, text) {
  conn.dataset.state = state;
  if (conn.textContent !== text) conn.textContent = text;
}

// ---- the stream -----------------------------------------------------------------------

// EventSource reconnects by itself, sending Last-Event-ID. It gives up only when the server
// answers with an error (a 429 or 503): then a new one resumes from the last id it saw.
let lastEventId = '';
let retryMs = 1000;
function connect() {
  const url = lastEventId ? `${STREAM}?lastEventId=${encodeURIComponent(lastEventId)}` : STREAM;
  const es = new EventSource(url);
  es.addEventListener('open', () => {
    retryMs = 1000;
    setConn('open', 'Live updates on');
  });
  es.addEventListener('game', (e) => {
    if (e.lastEventId) lastEventId = e.lastEventId;
    onGame(JSON.parse(e.data));
  });
  es.addEventListener('meta', (e) => onMeta(JSON.parse(e.data)));
  es.addEventListener('error', () => {
    if (es.readyState === EventSource.CLOSED) {
      setConn('closed', 'Updates paused — retrying…');
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    } else {
      setConn('connecting', 'Reconnecting…');
    }
  });
}

// ---- filters --------------------------------------------------------------------------

function applyFilter() {
  filter = readFilter(new FormData(form));
  for (const g of Object.values(groups)) for (const card of g.cards.children) card.hidden = !matchesFilter(facetsOfCard(card), filter);
  updateCounts();
  history.replaceState(null, '', `${location.pathname}${filterQuery(filter)}`);
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  applyFilter();
});
form.addEventListener('input', applyFilter);
form.addEventListener('change', applyFilter);

watchLogos(document);
setConn('connecting', 'Connecting…');
connect();
