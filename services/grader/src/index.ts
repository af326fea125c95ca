export { createGraderService, type GraderDeps } from './grader.js';
export { loadConfig, type GraderConfig } from './config.js';
export { GraderError, isTransientDbError, type GraderErrorCode } from './errors.js';

// the data layer (the api reuses it)
export { createSql, ensureDatabase, type SqlOptions } from './db/connect.js';
export { migrate, loadMigrations, type Migration } from './db/migrate.js';
export { getGame, listGames, type GameQuery, type GamePage } from './db/games.js';
export { createLeague, getLeague, listLeagueGames, putLeagueGame, type League, type LeagueGame } from './db/leagues.js';
export { upsertPick, listPicks, type Pick } from './db/picks.js';
export { getStandings, type Standing } from './db/standings.js';
export { NewLeague, LeagueGameInput, PickInput, isLeagueId } from './db/schemas.js';

// grading
export { applyGameChanged, applyGameChanges, type ApplyOutcome, type BatchOutcome } from './grading/apply.js';
export { gradeGamePicks, recomputeStandings, ungradeGamePicks, type GradeCounts } from './grading/sql.js';
export * from './grading/rules.js';
