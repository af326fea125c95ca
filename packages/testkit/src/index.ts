export * from './env.js';
export * from './wait.js';
export * from './namespace.js';
export * from './nats.js';
export * from './database.js';
export * from './redis.js';
export * from './stream.js';
export * from './process.js';
