import type { HbmChannelPlan, HbmEfficiency } from '@lut-llm/memory';
import { z } from 'zod';
import { MAX_CODEBOOK_SIZE, type VqConfig } from '@lut-llm/vq';

/**
 * The platform the accelerator runs on: clock, HBM channel plan, on-chip memory budget, board
 * power, the VQ format the tables are built in, data formats in HBM, stage parameters and FIFO
 * depths. Every field is a named parameter; the preset values and their sources are in
 * `presets.ts` (DESIGN.md 1.4 and 4). Validated by {@link PlatformConfigSchema}; nothing is ever
 * clamped: an out-of-range value is an error that names the field.
 */
export interface PlatformConfig {
  /** Human-readable name, printed in summaries (e.g. "AMD Alveo V80 @ 227 MHz"). */
  readonly name: string;
  /** Kernel clock in MHz; one emulator cycle is one period of this clock. */
  readonly clockMhz: number;
  readonly hbm: PlatformHbm;
  readonly onChip: PlatformOnChip;
  /**
   * Board power in watts used by the energy model (energy = board power x time). For the V80
   * preset this is the board's maximum, so the energy it gives is an upper bound.
   */
  readonly boardPowerWatts: number;
  readonly vq: PlatformVq;
  readonly dataFormats: PlatformDataFormats;
  /**
   * Per-stage parameter overrides: stage name -> parameter name -> value (finite number, string or
   * boolean). A stage reads its own keys and applies its defaults to the rest; the analytical
   * model reads the keys listed in `baselines/lut-llm-params.ts`.
   */
  readonly stages: Readonly<Record<string, Readonly<Record<string, StageParamValue>>>>;
  /** Depth (slots) of every FIFO without an override. Integer >= 1. */
  readonly fifoDepthDefault: number;
  /**
   * Limits the built design was compiled with (the V80 presets: the public build's config.h).
   * A request beyond them is refused unless the caller asks for a what-if. Absent: no limits.
   */
  readonly builtLimits?: PlatformBuiltLimits;
  /** FIFO name -> depth (integer >= 1), overriding `fifoDepthDefault`. */
  readonly fifoDepthOverrides: Readonly<Record<string, number>>;
}

/** HBM as the kernel sees it (DESIGN.md 1.4). Mirrors `HbmConfig` of @lut-llm/memory, plus the device peak. */
export interface PlatformHbm {
  /** Channels per stream; each is an AXI port of `bytesPerCyclePerChannel` bytes per kernel cycle. */
  readonly channels: PlatformHbmChannels;
  /** Bytes one channel moves per kernel cycle (256 bits = 32 bytes in the reference design). */
  readonly bytesPerCyclePerChannel: number;
  /** Cycles from a read request to its first beat. */
  readonly readLatencyCycles: number;
  /** The device's total HBM bandwidth in GB/s; the channel plan at the clock may not exceed it. */
  readonly devicePeakGBps: number;
  /**
   * Achieved bandwidth per channel (packages/memory `HbmEfficiency`: HBM port rate x measured
   * fraction, the kernel port caps it). Absent: every channel delivers its peak every cycle.
   */
  readonly efficiency?: HbmEfficiency;
}

/** Compile-time sizes of the built design (LUT-FPGA/LUT-LLM `config/config.h`). */
export interface PlatformBuiltLimits {
  /** Tokens one prefill call can take (MAX_SEQ_LEN = 128: the on-chip buffers hold 128 rows). */
  readonly maxSeqLen: number;
  /** Positions of K/V the on-chip K/V buffers hold (MAX_KV_LEN = 256). */
  readonly maxKvLen: number;
}

/** Channels per stream (integers >= 1): the `HbmChannelPlan` of @lut-llm/memory. */
export type PlatformHbmChannels = HbmChannelPlan;

/** On-chip budget in primitives: memories and DSP slices (same fields as `OnChipBudget` of @lut-llm/memory). */
export interface PlatformOnChip {
  readonly bram36: number;
  readonly uram288: number;
  readonly lutramLuts: number;
  readonly dsp58: number;
}

/**
 * The hardware-visible part of the VQ format (DESIGN.md 1.1): the fields of `VqConfig` of
 * @lut-llm/vq that shape tables, indices and the centroid search (the k-means fields are not).
 */
export type PlatformVq = Pick<VqConfig, 'v' | 'cA' | 'cW' | 'groupSize' | 'lutBits' | 'distance'>;

/** Sizes of the data the kernel moves through HBM besides tables and indices (integers >= 1). */
export interface PlatformDataFormats {
  /** Bytes per activation element read or written by the kernel (embedding rows, layer I/O, logits). */
  readonly activationBytesPerElement: number;
  /** Bytes per K or V element in the HBM KV-cache. */
  readonly kvBytesPerElement: number;
  /** Bytes per activation-centroid element (codebooks streamed over the centroid channels). */
  readonly centroidBytesPerElement: number;
  /** Bytes of table-dequantization parameters per weight group (scale + zero point). */
  readonly scaleBytesPerGroup: number;
  /** Bytes per RMSNorm weight element and RoPE sin/cos element (ropeNorm channels). */
  readonly ropeNormBytesPerElement: number;
}

/** A stage parameter value. */
export type StageParamValue = number | string | boolean;

/** A recursive partial of T, for platform files that override a few fields of a preset. */
export type DeepPartial<T> = T extends object ? { -readonly [K in keyof T]?: DeepPartial<T[K]> } : T;

// ---- field schemas; each message says what is expected, the loader appends what it got ----

function intAtLeast(min: number) {
  const error = `expected an integer >= ${min}`;
  return z.number({ error }).int({ error }).min(min, { error });
}

function intInRange(min: number, max: number) {
  const error = `expected an integer in ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function positiveFinite() {
  const error = 'expected a finite number > 0';
  return z.number({ error }).positive({ error });
}

function oneOf<const T extends readonly [string | number, ...(string | number)[]]>(values: T) {
  return z.literal(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

function object<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, { error: 'expected an object' });
}

const nonEmptyString = z.string({ error: 'expected a non-empty string' }).min(1, { error: 'expected a non-empty string' });

const stageParamValue = z.union([z.number(), z.string(), z.boolean()], {
  error: 'expected a finite number, a string or a boolean',
});

function record<V extends z.ZodType>(value: V) {
  return z.record(nonEmptyString, value, { error: 'expected an object' });
}

/** Zod schema of a complete {@link PlatformConfig}. Unknown fields are errors (typos must not pass silently). */
export const PlatformConfigSchema: z.ZodType<PlatformConfig> = object({
  name: nonEmptyString,
  clockMhz: positiveFinite(),
  hbm: object({
    channels: object({
      weights: intAtLeast(1),
      input: intAtLeast(1),
      output: intAtLeast(1),
      kvRead: intAtLeast(1),
      kvWrite: intAtLeast(1),
      centroids: intAtLeast(1),
      ropeNorm: intAtLeast(1),
      scales: intAtLeast(1),
    }),
    bytesPerCyclePerChannel: intAtLeast(1),
    readLatencyCycles: intAtLeast(0),
    devicePeakGBps: positiveFinite(),
    efficiency: object({
      portPeakGBps: positiveFinite(),
      sequentialFraction: z.number({ error: 'expected a number in (0, 1]' }).gt(0, { error: 'expected a number in (0, 1]' }).max(1, { error: 'expected a number in (0, 1]' }),
      burstBytes: intAtLeast(1),
      burstGapBeats: intAtLeast(0),
    }).optional(),
  }),
  onChip: object({
    bram36: intAtLeast(0),
    uram288: intAtLeast(0),
    lutramLuts: intAtLeast(0),
    dsp58: intAtLeast(0),
  }),
  boardPowerWatts: positiveFinite(),
  vq: object({
    v: oneOf([2, 4]),
    cA: intInRange(1, MAX_CODEBOOK_SIZE),
    cW: intInRange(1, MAX_CODEBOOK_SIZE),
    groupSize: intAtLeast(1),
    lutBits: oneOf([8, 4]),
    distance: oneOf(['chebyshev', 'l2sq']),
  }),
  dataFormats: object({
    activationBytesPerElement: intAtLeast(1),
    kvBytesPerElement: intAtLeast(1),
    centroidBytesPerElement: intAtLeast(1),
    scaleBytesPerGroup: intAtLeast(1),
    ropeNormBytesPerElement: intAtLeast(1),
  }),
  stages: record(record(stageParamValue)),
  fifoDepthDefault: intAtLeast(1),
  fifoDepthOverrides: record(intAtLeast(1)),
  builtLimits: object({ maxSeqLen: intAtLeast(1), maxKvLen: intAtLeast(1) }).optional(),
});
