import { achievedBytesPerCyclePerChannel, type HbmConfig, type OnChipBudget } from '@lut-llm/memory';
import { resolveVqConfig, type VqConfig } from '@lut-llm/vq';
import type { PlatformConfig } from './schema.js';

/**
 * Bytes per kernel cycle one HBM channel achieves on the platform: the port width, or less when
 * `hbm.efficiency` says the HBM port delivers less (packages/memory `achievedBytesPerCyclePerChannel`).
 */
export function platformChannelBytesPerCycle(cfg: PlatformConfig): number {
  const e = cfg.hbm.efficiency;
  return e ? achievedBytesPerCyclePerChannel(cfg.hbm.bytesPerCyclePerChannel, cfg.clockMhz, e) : cfg.hbm.bytesPerCyclePerChannel;
}

/**
 * The platform's HBM as @lut-llm/memory's `HbmConfig` (for `hbmChannelGroup`, `hbmTransferCycles`...),
 * with the achieved bytes per channel per cycle ({@link platformChannelBytesPerCycle}): every HBM
 * stream of the pass graph is built from it.
 */
export function platformHbmConfig(cfg: PlatformConfig): HbmConfig {
  return {
    channels: { ...cfg.hbm.channels },
    bytesPerCyclePerChannel: platformChannelBytesPerCycle(cfg),
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
