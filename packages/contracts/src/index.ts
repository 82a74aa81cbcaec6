export type { StageImplementation } from './stage.js';
