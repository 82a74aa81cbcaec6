export * from './lut-linear/index.js';
export * from './platform/index.js';
export * from './baselines/index.js';
export * from './inference/index.js';
export * from './functional/index.js';
