export * from './lut-linear/index.js';
