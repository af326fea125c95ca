import { runServices } from '@scores/service-kit';
import { loadConfig } from './config.js';
import { createPollerService } from './poller.js';

const config = loadConfig(process.env);
await runServices({ process: 'poller', common: config.common, services: [createPollerService(config)] });
