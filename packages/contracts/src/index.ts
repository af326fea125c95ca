export * from './game.js';
export * from './events.js';
export * from './admin.js';
export * from './subjects.js';
export * from './streams.js';
export * from './codec.js';
export { allSchemas } from './catalog.js';
export { renderPublishedFiles } from './render.js';
