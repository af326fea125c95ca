import { runServices } from '@scores/service-kit';
import { createCacheWriterService } from './cache-writer.js';
import { loadConfig } from './config.js';

const config = loadConfig(process.env);
await runServices({ process: 'cache-writer', common: config.common, services: [createCacheWriterService(config)] });
