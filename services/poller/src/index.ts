export { createPollerService, startPoller, type PollTrigger } from './poller.js';
export { loadConfig, readPollerConfig, DEFAULT_USER_AGENT, type PollerConfig, type EspnConfig, type LeagueRef } from './config.js';
export { createEspnClient, scoreboardUrl, EspnRequestError, type EspnClient } from './espn/client.js';
export { parseScoreboard, parseSummary, parseTeams } from './espn/parse.js';
