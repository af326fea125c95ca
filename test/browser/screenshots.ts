/**
 * Screenshots of the two pages with data in them, after live updates, for the docs:
 *
 *   npx tsx test/browser/screenshots.ts        (from the repository root; NATS, Postgres and Redis running)
 *
 * Writes docs/screenshots/live.png and docs/screenshots/picks.png. Team logos are remote
 * URLs, refused here as a closed network would: the cards show their fallback.
 */
import { mkdirSync } from 'node:fs';
import { statusPresets } from '@scores/espn-sim';
import { repoRoot, waitFor } from '@scores/testkit';
import { launchChromium, seedLeague, setGame, startStack } from './harness.js';

const out = `${repoRoot}docs/screenshots`;
mkdirSync(out, { recursive: true });

const stack = await startStack('shots');
const browser = await launchChromium();
try {
  const leagueId = await seedLeague(stack.base);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', reducedMotion: 'reduce' });
  await context.route((url) => url.origin !== stack.base, (route) => route.abort());
  const page = await context.newPage();

  await page.goto(`${stack.base}/live`);
  await page.waitForSelector('#conn[data-state="open"]');
  // a touchdown while the page is open: the card updates in place and flashes
  setGame(stack.sim, '9100001', statusPresets.inProgress(3, '1:48'), { away: 17, home: 31 });
  await page.waitForSelector('#game-9100001.flash[data-home-score="31"]', { timeout: 15_000 });
  await page.screenshot({ path: `${out}/live.png`, fullPage: true });

  // two slate games go final; the league page refreshes its standings by itself
  const picks = await context.newPage();
  await picks.goto(`${stack.base}/picks?league=${leagueId}`);
  setGame(stack.sim, '9100003', statusPresets.final(), { away: 20, home: 27 });
  setGame(stack.sim, '9100004', statusPresets.final(), { away: 24, home: 21 });
  await waitFor(async () => (await picks.locator('#picks-table .pick--pending').count()) === 4, { timeoutMs: 20_000, message: 'the picks were not graded on the page' });
  await picks.screenshot({ path: `${out}/picks.png`, fullPage: true });
  process.stdout.write(`wrote ${out}/live.png and ${out}/picks.png\n`);
} finally {
  await browser.close();
  await stack.stop();
}
