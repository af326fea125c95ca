import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { buildGameDay, gameDayScript, startSimulator } from '@scores/espn-sim';
import { createGameDayLeague, GAME_DAY_MEMBERS } from '../game-day-league.js';
import { createSql } from '@scores/grader';
import { easternDate } from '@scores/service-kit';
import { loadAllConfigs, startAll } from '../all-in-one.js';
import { CliError } from '../nats.js';

/**
 * `pnpm demo`: the ESPN simulator replaying a scripted college Saturday at an
 * accelerated clock, every service pointed at it, and a demo league with picks, so
 * live scores, grading and standings happen on screen. Every variable of SPEC's table
 * is honoured; unset poll intervals default to a pace that suits the accelerated clock.
 */
const DEMO_LEAGUE = 'football/college-football';

export async function demo(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { speed: { type: 'string', default: process.env.DEMO_SPEED ?? '30' } } });
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1000) throw new CliError(`--speed must be a number in (0, 1000], got ${values.speed}`, 2);
  const simPort = Number(process.env.SIM_PORT ?? 0);
  if (!Number.isInteger(simPort) || simPort < 0 || simPort > 65535) throw new CliError(`SIM_PORT must be 0-65535, got ${process.env.SIM_PORT}`, 2);

  const env: Record<string, string | undefined> = { ...process.env };
  env.POLL_LIVE_S ??= '5';
  env.POLL_IDLE_S ??= '15';
  env.POLL_MIN_GAP_S ??= '2';
  env.LOG_LEVEL ??= 'warn';
  // the recorded game day is a college Saturday; a list without it is honoured (the demo
  // then has no games to show, and says so) rather than silently replaced
  env.ESPN_LEAGUES ??= DEMO_LEAGUE;
  const withGameDay = env.ESPN_LEAGUES.split(',').map((l) => l.trim()).includes(DEMO_LEAGUE);
  // unset: a key of the demo's own, printed below; set, even empty, as given (empty: write routes answer 401)
  const generatedKey = env.API_KEYS === undefined ? `demo-${randomBytes(9).toString('base64url')}` : undefined;
  if (generatedKey) env.API_KEYS = generatedKey;
  const configs = loadAllConfigs(env); // fail on bad variables before starting anything

  const sim = await startSimulator({ port: simPort });
  const day = easternDate(Date.now());
  sim.loadRecording(buildGameDay({ day }), { startAt: new Date() });
  sim.clock.run(speed);
  env.ESPN_BASE_URL = sim.baseUrl;

  await startAll(env);

  const host = env.HOST && env.HOST !== '0.0.0.0' ? env.HOST : 'localhost';
  const base = `http://${host}:${env.PORT ?? '3000'}`;
  if (!withGameDay) {
    console.log(`
scores demo: ESPN_LEAGUES=${env.ESPN_LEAGUES} leaves out ${DEMO_LEAGUE}, the league of the recorded game day:
the simulator has nothing else to replay, so there are no games and no demo league.
  live scoreboard   ${base}/live
Ctrl-C stops everything.`);
    return;
  }
  const script = gameDayScript(day);
  const sql = createSql(configs.grader.databaseUrl, { max: 2, applicationName: 'scores-demo' });
  try {
    const ids = script.map((g) => g.eventId);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from games where id in ${sql(ids)}`;
      if ((row?.n ?? 0) === ids.length) break;
      if (Date.now() > deadline) throw new CliError('the game day did not reach Postgres within a minute: is the grader running?', 1);
      await new Promise((r) => setTimeout(r, 250));
    }
    const league = await createGameDayLeague(sql, {
      day,
      league: { name: `Demo league ${day}`, againstTheSpread: true, pointsPerCorrect: 10, keyPickBonus: 5, pushPoints: 5 },
    });
    const picks = league.picks;
    console.log(`
scores demo: ${script.length} college games on ${day}, replayed at ${speed}x (kickoffs in ~${Math.round(30 / speed)} min, finals in ~${Math.round((5 * 60) / speed)} min)
  live scoreboard   ${base}/live
  league picks      ${base}/picks?league=${league.id}   (${GAME_DAY_MEMBERS.length} players, ${picks} picks)
  API               ${base}/api/games   ${base}/docs${generatedKey ? `\n  API key           ${generatedKey}   (Authorization: Bearer …)` : ''}
  ESPN simulator    ${sim.origin}/_sim/state
  events            pnpm scores tail     status: pnpm scores status
Ctrl-C stops everything.`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
