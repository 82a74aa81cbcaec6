import type { ResourceGroupSpec, ResourceSpec } from '@lut-llm/core';

/**
 * One HBM pseudo-channel as the kernel sees it: an AXI port of `bytesPerCycle` at the kernel
 * clock. DESIGN.md 1.4: the LUT-LLM kernel reads 256 bits (32 bytes) per channel per cycle.
 */
export const HBM_BYTES_PER_CYCLE_PER_CHANNEL = 32;

/**
 * Read latency of an HBM burst in kernel cycles, from request to first beat. 64 is the default
 * LATENCY of a Vitis HLS m_axi adapter, which is sized to cover the HBM controller + switch
 * round trip (on the order of 250 ns at 250 MHz); the paper does not give a figure.
 */
export const HBM_READ_LATENCY_CYCLES = 64;

/** How the V80's HBM channels are split among the accelerator's streams (DESIGN.md 1.4). */
export interface HbmChannelPlan {
  /** Weight indices and 2D LUTs of the linear layers: the decode bottleneck. */
  readonly weights: number;
  /** Activations into the design. */
  readonly input: number;
  /** Results out of the design. */
  readonly output: number;
  /** KV-cache reads (history prefetch) and writes (new K/V). */
  readonly kvRead: number;
  readonly kvWrite: number;
  /** Activation codebooks (centroids) of each linear op. */
  readonly centroids: number;
  /** RoPE sin/cos tables and norm weights. */
  readonly ropeNorm: number;
  /** LUT scales and zero points. */
  readonly scales: number;
}

export const V80_HBM_CHANNELS: HbmChannelPlan = {
  weights: 32,
  input: 4,
  output: 4,
  kvRead: 2,
  kvWrite: 2,
  centroids: 4,
  ropeNorm: 2,
  scales: 1,
};

export interface HbmConfig {
  readonly channels: HbmChannelPlan;
  readonly bytesPerCyclePerChannel: number;
  readonly readLatencyCycles: number;
}

export const V80_HBM: HbmConfig = {
  channels: V80_HBM_CHANNELS,
  bytesPerCyclePerChannel: HBM_BYTES_PER_CYCLE_PER_CHANNEL,
  readLatencyCycles: HBM_READ_LATENCY_CYCLES,
};

export type HbmStream = keyof HbmChannelPlan;

/**
 * The channels of one stream as a single shared resource of `channels x bytesPerCycle` bytes per
 * cycle. Data is striped across the group's channels (as the reference design lays out its
 * weight streams), so a request of N bytes takes ceil(N / (channels x 32)) cycles. Requesters
 * that share the group (e.g. several readers of the weight channels) contend for it.
 */
export function hbmChannelGroup(stream: HbmStream, cfg: HbmConfig = V80_HBM, name = `hbm.${stream}`): ResourceSpec {
  const channels = cfg.channels[stream];
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`HBM stream '${stream}' needs an integer >= 1 of channels, got ${channels}`);
  }
  return { name, unitsPerCycle: channels * cfg.bytesPerCyclePerChannel, unit: 'bytes', arbitration: { kind: 'round-robin' } };
}

/** Peak bytes per cycle of a stream's channel group. */
export function hbmPeakBytesPerCycle(stream: HbmStream, cfg: HbmConfig = V80_HBM): number {
  return cfg.channels[stream] * cfg.bytesPerCyclePerChannel;
}

/** Bytes per cycle -> GB/s at a kernel clock. */
export function bandwidthGBps(bytesPerCycle: number, clockMhz: number): number {
  return (bytesPerCycle * clockMhz * 1e6) / 1e9;
}

/** Cycles to stream `bytes` over `channels` channels, excluding the read latency. */
export function hbmTransferCycles(bytes: number, channels: number, bytesPerCyclePerChannel = HBM_BYTES_PER_CYCLE_PER_CHANNEL): number {
  return Math.ceil(bytes / (channels * bytesPerCyclePerChannel));
}

/**
 * Interleave of a stream that the as-built design spreads over several AXI ports: one 512-bit
 * beat (64 B). LUT-FPGA/LUT-LLM `qwen_block/qwen_block_decode_tb.cpp` packs each 32-float row
 * of the input and output as two 16-float (64 B) halves on the two buffers of an
 * `mmaps<vec_t<float, 16>, 2>`, so consecutive 64 B of a row alternate between the ports.
 */
export const HBM_PORT_INTERLEAVE_BYTES = 64;

/** Channels holding the KV cache: the K and V ports carry reads and writes alike ({@link kvCacheChannelGroup}), so kvRead + kvWrite. */
export function kvCacheChannels(channels: { readonly kvRead: number; readonly kvWrite: number }): number {
  return channels.kvRead + channels.kvWrite;
}

/**
 * The KV-cache channels as a group of `kvRead + kvWrite` channels of `bytesPerCycle` each, shared
 * by the history reads (prefetcher) and the new K/V writes: the as-built V80 block design
 * (LUT-FPGA/LUT-LLM `serpens32_none/arm_bd.tcl`) has four KV ports, `k_cache_buffer_0/1` and
 * `v_cache_buffer_0/1`, each on its own HBM NoC port, and no separate write port, so reads and
 * writes of K (V) go through the same two K (V) ports. The plan's "2 + 2" KV channels are K + V,
 * not read + write. Addresses are interleaved per 512-bit beat (`HBM_PORT_INTERLEAVE_BYTES`).
 */
export function kvCacheChannelGroup(cfg: HbmConfig = V80_HBM, name = 'hbm.kv'): ResourceGroupSpec {
  const channels = kvCacheChannels(cfg.channels);
  for (const s of ['kvRead', 'kvWrite'] as const) {
    if (!Number.isInteger(cfg.channels[s]) || cfg.channels[s] < 1) throw new RangeError(`HBM stream '${s}' needs an integer >= 1 of channels, got ${cfg.channels[s]}`);
  }
  return { name, channels, unitsPerCycle: cfg.bytesPerCyclePerChannel, interleaveBytes: HBM_PORT_INTERLEAVE_BYTES, unit: 'bytes', arbitration: { kind: 'round-robin' } };
}
