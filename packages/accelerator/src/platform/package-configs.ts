import type { HbmConfig, OnChipBudget } from '@lut-llm/memory';
import { resolveVqConfig, type VqConfig } from '@lut-llm/vq';
import type { PlatformConfig } from './schema.js';

/** The platform's HBM as @lut-llm/memory's `HbmConfig` (for `hbmChannelGroup`, `hbmTransferCycles`...). */
export function platformHbmConfig(cfg: PlatformConfig): HbmConfig {
  return {
    channels: { ...cfg.hbm.channels },
    bytesPerCyclePerChannel: cfg.hbm.bytesPerCyclePerChannel,
    readLatencyCycles: cfg.hbm.readLatencyCycles,
  };
}

/** The platform's on-chip budget as @lut-llm/memory's `OnChipBudget` (for `checkBudget`). */
export function platformOnChipBudget(cfg: PlatformConfig): OnChipBudget {
  return { ...cfg.onChip };
}

/**
 * A full @lut-llm/vq `VqConfig` with the platform's format fields; the calibration-only fields
 * (k-means iterations, seed) come from `calibration` or packages/vq's defaults.
 */
export function platformVqConfig(cfg: PlatformConfig, calibration: Partial<Pick<VqConfig, 'kmeansIters' | 'seed'>> = {}): VqConfig {
  return resolveVqConfig({ ...cfg.vq, ...calibration });
}
