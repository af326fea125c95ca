export { createSchedulerService, startScheduler } from './scheduler.js';
export { loadConfig, readSchedulerConfig, type SchedulerConfig } from './config.js';
export { decide, intervalFor, type Decision, type IntervalConfig, type WorldState } from './policy.js';
