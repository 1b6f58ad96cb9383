export * from './schema.js';
export * from './load.js';
export { AXIS_CONFIG } from './defaults.js';
