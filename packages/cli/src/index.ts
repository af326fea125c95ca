// What other packages (tests, benchmarks) reuse of the CLI's wiring.
export { allServices, loadAllConfigs, startAll } from './all-in-one.js';
export { createGameDayLeague, GAME_DAY_MEMBERS, GAME_DAY_TIEBREAK_SLOT } from './game-day-league.js';
