import { createLogger, runServices } from '@scores/service-kit';
import { loadConfig, type GraderConfig } from './config.js';
import { createGraderService } from './grader.js';

let cfg: GraderConfig;
try {
  cfg = loadConfig(process.env);
} catch (err) {
  createLogger({ service: 'grader', level: 'info' }).fatal({ err }, 'invalid configuration');
  process.exit(1);
}

await runServices({ process: 'grader', common: cfg.common, services: [createGraderService(cfg)] });
