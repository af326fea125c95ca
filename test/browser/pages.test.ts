/**
 * The pages in a real browser: Debian's chromium driven by playwright-core, against the
 * whole pipeline as `pnpm start` runs it (scheduler, poller, grader, cache-writer, api in
 * one process) polling the ESPN simulator. Scores move in the simulator and travel
 * poller -> NATS -> api -> SSE -> page; picks are graded by the real grader. Nothing is
 * fetched from the internet: every request off the api's origin (team logos) is refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statusPresets } from '@scores/espn-sim';
import { waitFor } from '@scores/testkit';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BOARD, launchChromium, PICKS, seedLeague, setGame, SLATE, startStack, type Stack } from './harness.js';

const groupOf = (id: string) => {
  const s = BOARD.find((g) => g.id === id)!.status().type.state;
  return s === 'in' ? 'live' : s === 'pre' ? 'upcoming' : 'final';
};

// The page functions below run in chromium, not in node. The repository compiles without
// the DOM library, so what they use is declared here, for this file alone.
interface El {
  id: string;
  tagName: string;
  className: string;
  hidden: boolean;
  isConnected: boolean;
  dataset: Record<string, string | undefined>;
  classList: { contains(name: string): boolean };
  parentElement: El | null;
  getBoundingClientRect(): { top: number };
  hasAttribute(name: string): boolean;
}
declare const document: { activeElement: El | null; getElementById(id: string): El | null; querySelector(selector: string): El | null };
declare const window: { marker?: number; changedAt?: number; flashed?: boolean };
declare function getComputedStyle(el: El): { color: string; backgroundColor: string; outlineStyle: string; outlineWidth: string };
declare class MutationObserver {
  constructor(callback: () => void);
  observe(target: El, options: { childList?: boolean; subtree?: boolean }): void;
}

describe('the /live and /picks pages in chromium, against scores start and the simulator', () => {
  let browser: Browser;
  let stack: Stack;
  let context: BrowserContext;
  /** console errors, uncaught exceptions and CSP refusals: there must be none */
  const problems: string[] = [];
  const refused = new Set<string>();

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startStack('pages');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.route(
      (url) => url.origin !== stack.base,
      (route) => {
        refused.add(route.request().url());
        return route.abort();
      },
    );
  }, 90_000);

  // Each open page holds an SSE connection, and chromium opens at most 6 per host over
  // HTTP/1.1: a test closes its pages, or the next page waits for a free connection.
  const pages: Page[] = [];
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function open(path: string, ctx: BrowserContext = context): Promise<Page> {
    const page = await ctx.newPage();
    pages.push(page);
    page.on('pageerror', (err) => problems.push(`${path}: uncaught ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // a refused logo is the network saying no, which the page handles
      if (msg.text().startsWith('Failed to load resource') && !msg.location().url.startsWith(stack.base)) return;
      problems.push(`${path}: ${msg.text()}`);
    });
    await page.goto(`${stack.base}${path}`);
    return page;
  }

  const visibleCards = (page: Page) => page.$$eval('article.game', (cards: El[]) => cards.filter((c) => !c.hidden).map((c) => c.id.slice(5)).sort());

  it('shows every game grouped live, upcoming and final, with scores, lines, possession, and initials for logos that cannot load', async () => {
    const page = await open('/live');
    await page.waitForSelector('#conn[data-state="open"]');
    for (const g of BOARD) {
      expect(await page.locator(`#group-${groupOf(g.id)} #game-${g.id}`).count(), g.id).toBe(1);
    }
    const card = page.locator('#game-9100001');
    await expect.poll(() => card.innerText()).toMatch(/4:12 - 3rd[\s\S]*MICH[\s\S]*17[\s\S]*OSU[\s\S]*24[\s\S]*OSU -3[\s\S]*O\/U 47\.5/);
    expect(await card.locator('.poss').count()).toBe(1);
    expect(await page.locator('#game-9100002 .poss').count()).toBe(0); // halftime: nobody has the ball
    expect(await page.locator('#h-live .count').innerText()).toMatch(/^2/);
    expect(await page.locator('#h-upcoming .count').innerText()).toMatch(/^4/);

    // every logo was refused: each leaves the team's initial, and no broken image is left on the page
    expect([...refused].some((u) => u.includes('espncdn.com'))).toBe(true);
    await expect.poll(() => page.locator('.logo img').count()).toBe(0);
    expect(await page.locator('.logo.logo--missing').count()).toBe(BOARD.length * 2);
    expect(await page.locator('#game-9100001 .away .logo').getAttribute('data-initial')).toBe('M');
    expect(problems).toEqual([]);
  });

  it('brings a score change to the open page within 2 s of it reaching the bus, flashing that card alone and announcing it', async () => {
    const page = await open('/live');
    await page.waitForSelector('#conn[data-state="open"]');
    await page.evaluate(() => {
      window.marker = 42;
      // when the card changes, and whether it was flagged for a highlight
      new MutationObserver(() => {
        const card = document.getElementById('game-9100001');
        if (card?.dataset.homeScore === '31' && window.changedAt === undefined) {
          window.changedAt = Date.now();
          window.flashed = card.classList.contains('flash');
        }
      }).observe(document.getElementById('group-live')!, { childList: true, subtree: true });
    });
    const untouched = await page.$('#game-9100002');

    setGame(stack.sim, '9100001', statusPresets.inProgress(3, '1:48'), { away: 17, home: 31 });
    const ev = await waitFor(() => stack.bus.find((e) => e.gameId === '9100001' && e.game.home.score === 31), { timeoutMs: 15_000, message: 'the poller did not publish the change' });
    await page.waitForFunction(() => window.changedAt !== undefined, undefined, { timeout: 5_000 });
    const changedAt = await page.evaluate(() => window.changedAt!);
    expect(changedAt - ev.seenAt).toBeLessThan(2_000);

    expect(await page.evaluate(() => window.marker)).toBe(42); // no reload
    expect(await page.evaluate(() => window.flashed)).toBe(true);
    expect(await page.locator('#game-9100001 .home .score').innerText()).toBe('31');
    expect(await page.locator('#game-9100001 .status').innerText()).toContain('1:48 - 3rd');
    expect(await untouched!.evaluate((el: El) => el.isConnected)).toBe(true); // the other cards were left alone
    await expect.poll(() => page.locator('#announcer').innerText()).toContain('MICH 17, OSU 31 (1:48 - 3rd)');
    expect(await page.locator('#announcer').getAttribute('aria-live')).toBe('polite');
    // the highlight fades
    await expect.poll(() => page.locator('#game-9100001.flash').count(), { timeout: 5_000 }).toBe(0);
    expect(problems).toEqual([]);
  });

  it('filters by league, team and live only, in the URL, and the server renders the same filters without JavaScript', async () => {
    const page = await open('/live');
    await page.waitForSelector('#conn[data-state="open"]');
    await page.selectOption('#f-league', 'football/nfl');
    expect(await visibleCards(page)).toEqual(['9200001', '9200002']);
    expect(new URL(page.url()).search).toBe('?league=football%2Fnfl');

    await page.selectOption('#f-league', '');
    await page.fill('#f-team', 'tenn');
    expect(await visibleCards(page)).toEqual(['9100005']);
    expect(await page.locator('#group-live .empty').isVisible()).toBe(true);

    await page.fill('#f-team', '');
    await page.check('#f-live');
    expect(await visibleCards(page)).toEqual(['9100001', '9100002']);
    expect(new URL(page.url()).search).toBe('?live=1');

    await page.fill('#f-team', 'nobody');
    expect(await page.locator('#match-note').isVisible()).toBe(true);

    // the URL is the state: reloading it shows the same
    await page.fill('#f-team', 'usc');
    await page.reload();
    expect(await page.locator('#f-live').isChecked()).toBe(true);
    expect(await page.inputValue('#f-team')).toBe('usc');
    expect(await visibleCards(page)).toEqual(['9100002']);

    const noJs = await browser.newContext({ javaScriptEnabled: false });
    try {
      const plain = await noJs.newPage();
      await plain.goto(`${stack.base}/live?league=football%2Fnfl`);
      expect(await visibleCards(plain)).toEqual(['9200001', '9200002']);
      await plain.goto(`${stack.base}/live`);
      expect(await plain.locator('article.game').count()).toBe(BOARD.length);
    } finally {
      await noJs.close();
    }
    expect(problems).toEqual([]);
  });

  it('is accessible: one h1, landmarks, alt on every image, a polite live region, visible keyboard focus, enough contrast', async () => {
    for (const path of ['/live', '/picks']) {
      const page = await open(path);
      expect(await page.locator('h1').count(), path).toBe(1);
      for (const role of ['banner', 'navigation', 'main', 'contentinfo'] as const) expect(await page.getByRole(role).count(), `${path} ${role}`).toBeGreaterThan(0);
      expect(await page.$$eval('img', (imgs: El[]) => imgs.filter((i) => !i.hasAttribute('alt')).length)).toBe(0);
      expect(await page.locator('[aria-live="polite"]').count()).toBeGreaterThan(0);
      expect(await page.getAttribute('html', 'lang')).toBe('en');

      // the first Tab lands on the skip link, which shows itself with a focus ring; Enter skips to main
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => {
        const el = document.activeElement!;
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        return { cls: el.className, outline: s.outlineStyle, width: parseFloat(s.outlineWidth), top: r.top };
      });
      expect(skip).toMatchObject({ cls: 'skip', outline: 'solid' });
      expect(skip.width).toBeGreaterThanOrEqual(2);
      expect(skip.top).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MAIN');
      // the next stop is a form control, with a visible ring too
      await page.keyboard.press('Tab');
      const control = await page.evaluate(() => {
        const el = document.activeElement!;
        return { tag: el.tagName, outline: getComputedStyle(el).outlineStyle };
      });
      expect(['SELECT', 'INPUT'], path).toContain(control.tag);
      expect(control.outline).toBe('solid');
    }

    const page = await open('/live');
    expect(await page.getByRole('search').count()).toBe(1);
    expect(await page.locator('h2').allInnerTexts()).toEqual([expect.stringMatching(/^Live/), expect.stringMatching(/^Upcoming/), expect.stringMatching(/^Final/)]);
    // WCAG AA: 4.5:1 for text, against the nearest opaque background
    const ratios = await page.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
      const lum = ([r, g, b]: number[]) => {
        const f = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
      };
      const background = (el: El | null): number[] => {
        for (; el; el = el.parentElement) {
          const c = rgb(getComputedStyle(el).backgroundColor);
          if (c.length === 3 || (c[3] ?? 0) > 0.9) return c.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const out: Record<string, number> = {};
      for (const sel of ['h1', '.team .abbr', '.team .name', '.team .score', '.game-head .status', '.game-head .league', '.game-foot', '.group .count', '#conn', 'label', 'button', 'footer.site']) {
        const el = document.querySelector(sel);
        if (!el) continue;
        const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
        out[sel] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      }
      return out;
    });
    expect(Object.keys(ratios).length).toBeGreaterThan(8);
    for (const [sel, ratio] of Object.entries(ratios)) expect(ratio, sel).toBeGreaterThanOrEqual(4.5);
    expect(problems).toEqual([]);
  });

  it("shows a league's slate, picks and standings, and updates them without a reload when a slate game goes final", async () => {
    const leagueId = await seedLeague(stack.base);
    const page = await open(`/picks?league=${leagueId}`);
    await page.evaluate(() => (window.marker = 7));
    expect(await page.locator('h1').innerText()).toBe('Saturday Pick’em');
    expect(await page.locator('.rules').innerText()).toBe('Against the spread · 10 points a correct pick · key pick +5 · push 5 points');

    const slateRows = await page.locator('#slate-table tbody tr').allInnerTexts();
    expect(slateRows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/^\d+ LSU @ TA&M .* TA&M -3$/),
      expect.stringMatching(/^\d+ AUB @ BAY .* AUB -2\.5$/),
      expect.stringMatching(/^\d+ FLA @ TENN TIEBREAKER .* TENN -11\.5$/i),
    ]);
    expect(await page.locator('#picks-table tbody tr').count()).toBe(Object.keys(PICKS).length);
    expect(await page.locator('#picks-table .pick--pending').count()).toBe(Object.keys(PICKS).length * SLATE.length);
    const cell = (user: string, col: number) => page.locator(`#picks-table tbody tr:has(th:text-is("${user}")) td`).nth(col);
    expect(await cell('ana', 0).innerText()).toMatch(/TA&M\s*★[\s\S]*pending/);

    // TA&M beats LSU by 7: covers -3. ana (key pick) and cy win; ben and dee lose
    setGame(stack.sim, '9100003', statusPresets.final(), { away: 20, home: 27 });
    await expect.poll(() => cell('ana', 0).innerText(), { timeout: 20_000 }).toMatch(/TA&M[\s\S]*win · 15/);
    expect(await cell('cy', 0).innerText()).toMatch(/win · 10/);
    expect(await cell('ben', 0).innerText()).toMatch(/loss · 0/);
    expect(await cell('dee', 0).innerText()).toMatch(/loss · 0/);
    await expect.poll(() => page.locator('#standings-table tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^1\s+ana\s+1-0-0\s+15/),
      expect.stringMatching(/^2\s+cy\s+1-0-0\s+10/),
      expect.stringMatching(/^[34]\s+(ben|dee)\s+0-1-0\s+0/),
      expect.stringMatching(/^[34]\s+(ben|dee)\s+0-1-0\s+0/),
    ]);
    expect(await page.locator('#slate-9100003').innerText()).toMatch(/Final[\s\S]*20–27/);
    expect(await page.evaluate(() => window.marker)).toBe(7);
    await expect.poll(() => page.locator('#announcer').innerText()).toBe('Picks and standings updated.');

    // one player's view, as the form asks for it (keyboard only)
    await page.selectOption('select[name="user"]', 'cy');
    await page.locator('button', { hasText: 'Show' }).press('Enter');
    await page.waitForURL(/user=cy/);
    expect(await page.locator('#picks-table tbody tr').count()).toBe(1);
    expect(await page.locator('#standings-table tr.me').innerText()).toMatch(/cy/);
    expect(problems).toEqual([]);
  });

  it('asks for a league id without one, and says so clearly for an unknown league', async () => {
    const page = await open('/picks');
    await page.fill('input[name="league"]', randomUUID());
    const [res] = await Promise.all([page.waitForResponse((r) => r.url().includes('/picks?league=')), page.press('input[name="league"]', 'Enter')]);
    expect(res.status()).toBe(404);
    expect(await page.getByRole('alert').innerText()).toMatch(/^There is no league [0-9a-f-]{36}\.$/);
    expect(await page.locator('h1').innerText()).toBe('League not found');
    // the failed request for the page is the browser's own console line, not the page's
    problems.splice(0, problems.length, ...problems.filter((p) => !p.includes('404')));
    expect(problems).toEqual([]);
  });

  it('shows the stale banner while the breaker is open, and hides it once ESPN answers again', async () => {
    const page = await open('/live');
    await page.waitForSelector('#conn[data-state="open"]');
    expect(await page.locator('#stale').isVisible()).toBe(false);
    await page.evaluate(() => (window.marker = 9));

    stack.sim.fault({ kind: 'status', status: 500, times: Infinity });
    await page.waitForSelector('#stale:not([hidden])', { timeout: 15_000 });
    expect(await page.locator('#stale').innerText()).toMatch(/^Scores may be out of date — last update \d+ (s|min) ago\.$/);
    await expect.poll(() => page.locator('#announcer').innerText()).toContain('Scores may be out of date');
    // the last good scores stay on the board meanwhile
    expect(await page.locator('#game-9100001 .home .score').innerText()).toBe('31');

    stack.sim.clearFaults();
    await page.waitForSelector('#stale[hidden]', { state: 'attached', timeout: 20_000 });
    await expect.poll(() => page.locator('#announcer').innerText()).toContain('Scores are up to date again');
    expect(await page.evaluate(() => window.marker)).toBe(9);
    expect(problems).toEqual([]);
  });
});
