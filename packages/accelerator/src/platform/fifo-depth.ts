import type { PlatformConfig } from './schema.js';

/** Depth of the FIFO named `fifoName`: its override if the platform has one, else the default. */
export function fifoDepth(cfg: PlatformConfig, fifoName: string): number {
  return Object.hasOwn(cfg.fifoDepthOverrides, fifoName) ? cfg.fifoDepthOverrides[fifoName]! : cfg.fifoDepthDefault;
}
