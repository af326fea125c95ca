import { loadConfig as loadApi, createApiService } from '@scores/api';
import { loadConfig as loadCacheWriter, createCacheWriterService } from '@scores/cache-writer';
import { loadConfig as loadGrader, createGraderService } from '@scores/grader';
import { loadConfig as loadPoller, createPollerService } from '@scores/poller';
import { loadConfig as loadScheduler, createSchedulerService } from '@scores/scheduler';
import { ConfigError, runServices, type ServiceDefinition } from '@scores/service-kit';

type Env = Record<string, string | undefined>;

/** Every service's config from one environment; one ConfigError naming every bad variable. */
export function loadAllConfigs(env: Env) {
  const problems: string[] = [];
  const read = <T>(load: (e: Env) => T): T | undefined => {
    try {
      return load(env);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) if (!problems.includes(p)) problems.push(p);
      return undefined;
    }
  };
  const scheduler = read(loadScheduler);
  const poller = read(loadPoller);
  const grader = read(loadGrader);
  const cacheWriter = read(loadCacheWriter);
  const api = read(loadApi);
  if (problems.length || !scheduler || !poller || !grader || !cacheWriter || !api) throw new ConfigError(problems);
  return { common: scheduler.common, scheduler, poller, grader, cacheWriter, api };
}

export function allServices(configs: ReturnType<typeof loadAllConfigs>): ServiceDefinition[] {
  return [
    // consumers first, so nothing the poller publishes at start-up waits for them
    createGraderService(configs.grader),
    createCacheWriterService(configs.cacheWriter),
    createApiService(configs.api),
    createPollerService(configs.poller),
    createSchedulerService(configs.scheduler),
  ];
}

/** `pnpm start`: every service in one process, configured from the environment. */
export async function startAll(env: Env = process.env) {
  const configs = loadAllConfigs(env);
  return runServices({ process: 'scores', common: configs.common, services: allServices(configs) });
}
