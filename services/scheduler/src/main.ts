import { runServices } from '@scores/service-kit';
import { loadConfig } from './config.js';
import { createSchedulerService } from './scheduler.js';

const config = loadConfig(process.env);
await runServices({ process: 'scheduler', common: config.common, services: [createSchedulerService(config)] });
