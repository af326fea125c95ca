import { runServices } from '@scores/service-kit';
import { loadConfig } from './config.js';
import { createApiService } from './service.js';

// The api serves /healthz, /readyz and /metrics on its own PORT: no separate health server.
const config = loadConfig(process.env);
await runServices({ process: 'api', common: config.common, services: [createApiService(config)], healthServer: false });
