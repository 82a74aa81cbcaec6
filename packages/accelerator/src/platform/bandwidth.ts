import { bandwidthGBps, kvCacheChannels } from '@lut-llm/memory';
import type { PlatformConfig, PlatformHbmChannels } from './schema.js';

/** An HBM stream of the channel plan. */
export type PlatformHbmStream = keyof PlatformHbmChannels;

/** The streams in the order summaries print them. */
export const PLATFORM_HBM_STREAMS: readonly PlatformHbmStream[] = [
  'weights', 'input', 'output', 'kvRead', 'kvWrite', 'centroids', 'ropeNorm', 'scales',
];

/** Bytes per kernel cycle of one stream's channel group: channels x bytesPerCyclePerChannel. */
export function streamBytesPerCycle(cfg: PlatformConfig, stream: PlatformHbmStream): number {
  return cfg.hbm.channels[stream] * cfg.hbm.bytesPerCyclePerChannel;
}

/**
 * Bytes per kernel cycle of the KV-cache channels: the as-built design's 2 K + 2 V ports carry
 * both the history reads and the new K/V writes (memory `kvCacheChannelGroup`), so reads alone
 * get all kvRead + kvWrite channels and writes share them.
 */
export function kvChannelBytesPerCycle(cfg: PlatformConfig): number {
  return kvCacheChannels(cfg.hbm.channels) * cfg.hbm.bytesPerCyclePerChannel;
}

/** GB/s (10^9 bytes per second) of one stream at the kernel clock: channels x bytes/cycle x clockMhz / 1000. */
export function streamGBps(cfg: PlatformConfig, stream: PlatformHbmStream): number {
  return bandwidthGBps(streamBytesPerCycle(cfg, stream), cfg.clockMhz);
}

/**
 * Peak weight (tables + indices) bandwidth in GB/s: weight channels x 32 B x clockMhz / 1000.
 * V80 at 227 MHz: 32 x 32 x 227 / 1000 = 232.448 GB/s (DESIGN.md 1.4: "about 232 GB/s").
 */
export function peakWeightBandwidthGBps(cfg: PlatformConfig): number {
  return streamGBps(cfg, 'weights');
}

/** Sum over all streams of the channel plan, in GB/s at the kernel clock. */
export function planBandwidthGBps(cfg: PlatformConfig): number {
  return PLATFORM_HBM_STREAMS.reduce((s, stream) => s + streamGBps(cfg, stream), 0);
}

/** Seconds of `cycles` kernel cycles at the platform clock. */
export function cyclesToSeconds(cfg: PlatformConfig, cycles: number): number {
  return cycles / (cfg.clockMhz * 1e6);
}
