export { startSimulator, SimulatorServer } from './server.js';
export type { Simulator, SimulatorOptions, LoadFixtureOptions, LoadRecordingOptions } from './server.js';
export { SimClock } from './clock.js';
export { SimError } from './errors.js';
export { fixtureDir, fixtureNames, readFixture, leagueTeams } from './fixtures.js';
export { statusPresets } from './status.js';
export type { StatusPresetName } from './status.js';
export { makeEvent, applyScore, applyStatus, shiftEvent, eventDay } from './events.js';
export type { MakeEventOptions, MakeEventTeam } from './events.js';
export { readRecording, writeSnapshot, writeRecording, snapshotFileName, parseSnapshotFileName } from './recording.js';
export { buildGameDay, busySaturday, gameDayScript, gameDayEventId } from './gameday.js';
export type { GameDayGame, GameRole, BusySaturdayOptions } from './gameday.js';
export { applyDrift, driftVariants } from './faults.js';
export { userAgentRefused } from './scoreboard.js';
export { easternDay, easternDates, shiftInstant } from './time.js';
export type {
  EspnEvent,
  EspnStatus,
  EspnStatusType,
  EspnCompetition,
  EspnCompetitor,
  EspnTeam,
  EspnScoreboard,
  Recording,
  Snapshot,
  Fault,
  FaultKind,
  Match,
  DriftVariant,
  RequestRecord,
} from './types.js';
export { seededRandom } from './random.js';
