import {
  centroidSearchStageOf,
  type BpcsuParams,
  type CentroidSearchImplementation,
} from '@lut-llm/centroid-search';
import { LINEAR_VARIANTS, stageRegistry, type LinearShape, type LinearVariant, type StagePlugin } from '@lut-llm/contracts';
import {
  DEFAULT_FP32_ACCUMULATOR_PARAMS,
  DEFAULT_INT32_ACCUMULATOR_PARAMS,
  resolveAccumulatorParams,
  type AccumulatorParams,
} from '@lut-llm/accumulator';
import { resolveDequantizerParams, type DequantizerParams } from '@lut-llm/dequantizer';
import {
  resolveLutPsum1dParams,
  resolveLutPsum2dParams,
  resolveWeightOnlyDspPsumParams,
  resolveWeightOnlyPsumParams,
  type LutPsum1dParams,
  type LutPsum2dParams,
  type WeightOnlyDspPsumParams,
  type WeightOnlyPsumParams,
} from '@lut-llm/lut-psum';
import { V80_HBM, type HbmChannelPlan, type HbmConfig, type HbmStream } from '@lut-llm/memory';
import { resolveVqConfig, type ActivationOnlyLinear, type QuantizedLinear, type VqConfig } from '@lut-llm/vq';
import { LutLinearError } from './errors.js';
import type { PlatformVq } from '../platform/schema.js';

/** The numerics a LUTLinear run depends on: the platform's VQ format (k-means fields are irrelevant here). */
export type LinearNumerics = PlatformVq;

/**
 * Depths (in tiles) of the LUTLinear streams. Defaults: the reference design's own stream
 * depths (`LUT_LINEAR_FIFO_DEPTHS`), read from the authors' TAPA code; a FIFO holds only tokens
 * written and not yet read (core's HLS FIFO semantics), so a producer's pipeline latency or
 * outstanding HBM reads need no extra depth. An explicit depth is used as given (e.g. to study
 * a shallower FIFO).
 */
export interface LutLinearFifoDepths {
  /** input-reader -> centroid search (or, weight-only, -> the matchers' register). */
  readonly activations: number;
  /** centroid-loader -> centroid search. */
  readonly centroids: number;
  /** centroid search -> the matchers' index register. */
  readonly activationIndices: number;
  /** weight-loader -> LUT PSum. */
  readonly weightTiles: number;
  /** scale-loader -> dequantizer. */
  readonly scales: number;
  /** LUT PSum -> accumulator. */
  readonly psums: number;
  /** accumulator -> dequantizer. */
  readonly accumulated: number;
  /** dequantizer (or, FP32 variants, accumulator) -> output-writer. */
  readonly outputs: number;
}

/** TAPA's default stream depth (`tapa::kStreamDefaultDepth` in rapidstream-tapa's tapa/base/stream.h). */
export const TAPA_DEFAULT_STREAM_DEPTH = 2;

/**
 * The reference design's stream depths, from LUT-FPGA/LUT-LLM qwen_block/qwen_block.h (commit
 * 1889687c), which declares the LUTLinear streams of every projection:
 * - activationIndices 16: `tapa::stream<ap_uint<8>, 16> qk_idx_fifo` (and v_, out_proj_, up_,
 *   gate_, down_idx_fifo): centroid search (ccu_fp32) -> memory matcher;
 * - activations 2: `tapa::stream<tapa::vec_t<float, 2>> qk_in_fifo` etc., no depth given;
 * - centroids 2: `qk_centroid_fifo` etc. (centroid_reader -> ccu_fp32), no depth given;
 * - weightTiles 2: `qk_lut_fifo` etc. (lut_reader -> memory matcher), no depth given;
 * - outputs 2: the matchers' output streams (`qk_rope_in_fifo`, `attn_out_fifo`,
 *   `down_out_fifo`) have no depth given (`v_out_fifo` and `up_out_fifo` are declared 16);
 * - scales, psums, accumulated 2: not streams in that code (the scale/zero reader of imm/imm.h
 *   writes a stream declared elsewhere; the partial sums and running sums live in the matcher's
 *   arrays), so TAPA's default.
 * The emulator's tokens are tiles where the HLS streams move 64-byte beats, so a depth of 2
 * tiles buffers at least what the hardware's stream does (the matcher's on-chip table array
 * holds the block being used, as the PSum actor's firing does).
 */
export const LUT_LINEAR_FIFO_DEPTHS: LutLinearFifoDepths = Object.freeze({
  activations: TAPA_DEFAULT_STREAM_DEPTH,
  centroids: TAPA_DEFAULT_STREAM_DEPTH,
  activationIndices: 16,
  weightTiles: TAPA_DEFAULT_STREAM_DEPTH,
  scales: TAPA_DEFAULT_STREAM_DEPTH,
  psums: TAPA_DEFAULT_STREAM_DEPTH,
  accumulated: TAPA_DEFAULT_STREAM_DEPTH,
  outputs: TAPA_DEFAULT_STREAM_DEPTH,
});

const FIFO_KEYS: readonly (keyof LutLinearFifoDepths)[] = ['activations', 'centroids', 'activationIndices', 'weightTiles', 'scales', 'psums', 'accumulated', 'outputs'];

/** Kernel clock of the first version of the paper (DESIGN.md 1.4; 250 MHz is the later build). */
export const DEFAULT_CLOCK_MHZ = 227;
/** Position lanes: 16 BPCSUs and 16 matchers (DESIGN.md 1.2). */
export const DEFAULT_POSITION_LANES = 16;
/** Output lanes per matcher: 512 (DESIGN.md 1.2). */
export const DEFAULT_OUTPUT_LANES = 512;

/**
 * How the weight-only variant computes (DESIGN.md 1.1): 'dsp-dequant' rebuilds each weight from
 * its codebook and multiplies on DSPs (the paper's weight-only VQ, the default); 'online-table'
 * builds c_w partial dot products per (position, group) per token and looks them up (the
 * T-MAC-style LUT alternate).
 */
export type WeightOnlyImplementation = 'dsp-dequant' | 'online-table';
export const WEIGHT_ONLY_IMPLEMENTATIONS: readonly WeightOnlyImplementation[] = Object.freeze(['dsp-dequant', 'online-table']);

/** Functional-mode data. Missing data is synthesized from `seed`. */
export interface LutLinearData {
  /** The co-quantized layer (co-quant and weight-only variants). */
  readonly layer?: QuantizedLinear;
  /** The activation-only layer (activation-only variant). */
  readonly activationOnly?: ActivationOnlyLinear;
  /** Activations x [T][D]. */
  readonly x: Float32Array;
}

export interface LutLinearOptions {
  /** M: out-features. */
  readonly outFeatures: number;
  /** D: in-features. */
  readonly inFeatures: number;
  /** T: tokens. Default 1 (GEMV, decode); > 1 is GEMM (prefill chunk). */
  readonly tokens?: number;
  /** Default 'co-quant'. */
  readonly variant?: LinearVariant;
  /** 'timing' (shapes only, fast) or 'functional' (real numbers). Default 'timing'. */
  readonly mode?: 'timing' | 'functional';
  /** Label of the op in token metadata. Default 'linear'. */
  readonly op?: string;
  /** Numerics; default vq's DEFAULT_VQ_CONFIG, or the data's layer configuration. */
  readonly numerics?: Partial<LinearNumerics>;
  /** HBM: channel counts per stream, bytes per cycle per channel, read latency. Default V80_HBM. */
  readonly hbm?: { readonly channels?: Partial<HbmChannelPlan>; readonly bytesPerCyclePerChannel?: number; readonly readLatencyCycles?: number };
  /** Kernel clock for times and GB/s. Default 227 MHz. */
  readonly clockMhz?: number;
  /** Position lanes (BPCSUs = matchers = positions per block). Default 16. */
  readonly positionLanes?: number;
  /** Output lanes per matcher (outputs per tile at most). Default 512. */
  readonly outputLanes?: number;
  /** Centroid search: implementation ('bpcsu' | 'single-chain' | 'full-tree') and parameters. */
  readonly centroidSearch?: { readonly implementation?: CentroidSearchImplementation; readonly params?: Partial<BpcsuParams> };
  /** LUT PSum parameters of each variant's implementation. */
  readonly lutPsum2d?: Partial<LutPsum2dParams>;
  readonly lutPsum1d?: Partial<LutPsum1dParams>;
  readonly weightOnlyPsum?: Partial<WeightOnlyPsumParams>;
  readonly weightOnlyDspPsum?: Partial<WeightOnlyDspPsumParams>;
  /** Weight-only variant: 'dsp-dequant' (default, the paper's) or 'online-table' (the LUT alternate). */
  readonly weightOnlyImplementation?: WeightOnlyImplementation;
  /** Accumulator hardware parameters (the schedule is derived from the shape). */
  readonly accumulator?: Partial<Omit<AccumulatorParams, 'blocks' | 'tilesPerBlock'>>;
  readonly dequantizer?: Partial<DequantizerParams>;
  /**
   * Plugin implementations (registered by any package) of the LUT PSum, the accumulator or the
   * dequantizer, by name with parameter overrides; they replace the variant's shipped stage.
   */
  readonly stagePlugins?: Readonly<Partial<Record<LinearPluginKind, { readonly implementation: string; readonly params?: Readonly<Record<string, unknown>> }>>>;
  readonly fifoDepths?: Partial<LutLinearFifoDepths>;
  /** Functional-mode data (synthesized from `seed` when omitted). */
  readonly data?: LutLinearData;
  /** Seed of synthesized data. Default 1. */
  readonly seed?: number;
  /** 'full' keeps every trace event in the report. Default 'summary'. */
  readonly trace?: 'summary' | 'full';
}

/** Everything resolved and validated. */
export interface LutLinearConfig {
  readonly variant: LinearVariant;
  readonly mode: 'timing' | 'functional';
  readonly op: string;
  readonly shape: LinearShape;
  readonly numerics: VqConfig;
  readonly hbm: HbmConfig;
  readonly clockMhz: number;
  readonly positionLanes: number;
  readonly outputLanes: number;
  readonly centroidSearchImplementation: CentroidSearchImplementation;
  readonly centroidSearch: BpcsuParams;
  readonly lutPsum2d: LutPsum2dParams;
  readonly lutPsum1d: LutPsum1dParams;
  readonly weightOnlyPsum: WeightOnlyPsumParams;
  readonly weightOnlyDspPsum: WeightOnlyDspPsumParams;
  readonly weightOnlyImplementation: WeightOnlyImplementation;
  /** Accumulator hardware parameters (schedule fields are placeholders until the graph is built). */
  readonly accumulator: AccumulatorParams;
  readonly dequantizer: DequantizerParams;
  /** Plugin stages chosen by `stagePlugins`: the registry entry and its resolved parameters (the schedule fields are set at install). */
  readonly stagePlugins: Readonly<Partial<Record<LinearPluginKind, { readonly plugin: StagePlugin<unknown>; readonly params: Readonly<Record<string, unknown>> }>>>;
  readonly fifoDepths: LutLinearFifoDepths;
  readonly trace: 'summary' | 'full';
  readonly seed: number;
}

/** LUTLinear stage kinds a plugin may replace (the centroid search has its own `centroidSearch.implementation`). */
export type LinearPluginKind = 'lut-psum' | 'accumulator' | 'dequantizer';

/**
 * Resolves the `stagePlugins` choices: each name against the registry, its overrides against its
 * schema, and (LUT PSum) the values the op pins (lanes, codebook sizes, table bits) on the keys
 * its parameters have, refusing a conflicting explicit value as the shipped matchers do.
 */
function resolveStagePlugins(opts: LutLinearOptions, pinned: Readonly<Record<string, unknown>>, variant: LinearVariant): LutLinearConfig['stagePlugins'] {
  const out: Partial<Record<LinearPluginKind, { plugin: StagePlugin<unknown>; params: Record<string, unknown> }>> = {};
  for (const [kind, choice] of Object.entries(opts.stagePlugins ?? {}) as [LinearPluginKind, { implementation: string; params?: Record<string, unknown> }][]) {
    if (!['lut-psum', 'accumulator', 'dequantizer'].includes(kind)) throw new LutLinearError(`stagePlugins.${kind}: not a LUTLinear stage a plugin may replace (lut-psum, accumulator, dequantizer)`);
    let plugin: StagePlugin<unknown>;
    let given: Record<string, unknown>;
    try {
      plugin = stageRegistry.get(kind, choice.implementation);
      given = stageRegistry.validateParams(kind, choice.implementation, choice.params ?? {}) as Record<string, unknown>;
    } catch (e) {
      throw new LutLinearError(`stagePlugins.${kind}: ${(e as Error).message}`, { cause: e });
    }
    for (const k of ['blocks', 'tilesPerBlock']) {
      if (given[k] !== undefined) throw new LutLinearError(`stagePlugins.${kind}.${k}: derived from the shape (the op's schedule); do not set it`);
    }
    const wants = plugin.hooks?.['variant'];
    if (kind === 'lut-psum' && wants !== variant) throw new LutLinearError(`stagePlugins.lut-psum: '${plugin.name}' computes the ${String(wants)} variant, the op runs ${variant}`);
    const defaults = plugin.resolve({}) as Record<string, unknown>;
    const pins: Record<string, unknown> = {};
    // As for the shipped matchers, the op pins the LUT PSum's lanes and codebook sizes (the accumulator and dequantizer have none).
    for (const [k, v] of Object.entries(kind === 'lut-psum' ? pinned : {})) {
      if (!Object.hasOwn(defaults, k)) continue;
      if (given[k] !== undefined && given[k] !== v) throw new LutLinearError(`stagePlugins.${kind}.${k} = ${String(given[k])} conflicts with ${sourceOf(k)} = ${String(v)}`);
      pins[k] = v;
    }
    try {
      out[kind] = { plugin, params: plugin.resolve({ ...given, ...pins }) as Record<string, unknown> };
    } catch (e) {
      throw new LutLinearError(`stagePlugins.${kind} (${plugin.name}): ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}

/** HBM streams each variant reads or writes. */
export function hbmStreamsOf(variant: LinearVariant): readonly HbmStream[] {
  switch (variant) {
    case 'co-quant':
      return ['input', 'centroids', 'weights', 'scales', 'output'];
    case 'weight-only':
      return ['input', 'weights', 'output'];
    case 'activation-only':
      return ['input', 'centroids', 'weights', 'output'];
  }
}

function positiveInt(what: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw new LutLinearError(`${what} must be an integer >= 1, got ${String(x)}`);
  return x;
}

/** Refuses an explicit stage parameter that conflicts with the value the run pins it to. */
function pin<T extends object>(stage: string, given: Partial<T> | undefined, field: keyof T & string, value: T[keyof T & string], source: string): void {
  const explicit = given?.[field];
  if (explicit !== undefined && explicit !== value) {
    throw new LutLinearError(`${stage}.${field} = ${String(explicit)} conflicts with ${source} = ${String(value)}`);
  }
}

function numericsOf(opts: LutLinearOptions, variant: LinearVariant): VqConfig {
  const fromData = variant === 'activation-only' ? opts.data?.activationOnly?.cfg : opts.data?.layer?.cfg;
  const base = resolveVqConfig(fromData ?? {});
  const n = opts.numerics ?? {};
  if (fromData) {
    for (const [k, v] of Object.entries(n)) {
      if (v !== undefined && (fromData as unknown as Record<string, unknown>)[k] !== v) {
        throw new LutLinearError(`numerics.${k} = ${String(v)} conflicts with the data's layer configuration (${k} = ${String((fromData as unknown as Record<string, unknown>)[k])})`);
      }
    }
    return base;
  }
  return resolveVqConfig({ ...n });
}

const OPTION_KEYS = [
  'outFeatures', 'inFeatures', 'tokens', 'variant', 'mode', 'op', 'numerics', 'hbm', 'clockMhz', 'positionLanes', 'outputLanes',
  'centroidSearch', 'lutPsum2d', 'lutPsum1d', 'weightOnlyPsum', 'weightOnlyDspPsum', 'weightOnlyImplementation', 'accumulator', 'dequantizer', 'stagePlugins', 'fifoDepths', 'data', 'seed', 'trace',
];
const HBM_KEYS = ['channels', 'bytesPerCyclePerChannel', 'readLatencyCycles'];

/** A misspelt option must fail, not silently fall back to a default. */
function rejectUnknown(what: string, o: object | undefined, known: readonly string[]): void {
  for (const k of Object.keys(o ?? {})) {
    if (!known.includes(k)) throw new LutLinearError(`${what}${k}: unknown option (known: ${known.join(', ')})`);
  }
}

/** Resolves and validates options; throws `LutLinearError` naming the culprit. */
export function resolveLutLinearConfig(opts: LutLinearOptions): LutLinearConfig {
  rejectUnknown('', opts, OPTION_KEYS);
  rejectUnknown('hbm.', opts.hbm, HBM_KEYS);
  rejectUnknown('hbm.channels.', opts.hbm?.channels, Object.keys(V80_HBM.channels));
  if (opts.trace !== undefined && opts.trace !== 'summary' && opts.trace !== 'full') throw new LutLinearError(`trace must be 'summary' or 'full', got '${String(opts.trace)}'`);
  if (opts.op !== undefined && (typeof opts.op !== 'string' || opts.op.length === 0)) throw new LutLinearError(`op must be a non-empty string, got ${JSON.stringify(opts.op)}`);
  const variant = opts.variant ?? 'co-quant';
  if (!LINEAR_VARIANTS.includes(variant)) throw new LutLinearError(`variant must be one of ${LINEAR_VARIANTS.join(', ')}, got '${String(variant)}'`);
  const mode = opts.mode ?? 'timing';
  if (mode !== 'timing' && mode !== 'functional') throw new LutLinearError(`mode must be 'timing' or 'functional', got '${String(mode)}'`);
  const M = positiveInt('outFeatures (M)', opts.outFeatures);
  const D = positiveInt('inFeatures (D)', opts.inFeatures);
  const T = positiveInt('tokens (T)', opts.tokens ?? 1);
  let numerics: VqConfig;
  try {
    numerics = numericsOf(opts, variant);
  } catch (e) {
    if (e instanceof LutLinearError) throw e;
    throw new LutLinearError(`numerics: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (D % numerics.v !== 0) throw new LutLinearError(`inFeatures D = ${D} is not divisible by the sub-vector length v = ${numerics.v}`);

  const channels: HbmChannelPlan = { ...V80_HBM.channels, ...(opts.hbm?.channels ?? {}) };
  for (const s of hbmStreamsOf(variant)) {
    if (!Number.isInteger(channels[s]) || channels[s] < 1) {
      throw new LutLinearError(`HBM stream '${s}' needs an integer >= 1 of channels, got ${String(channels[s])}`);
    }
  }
  const hbm: HbmConfig = {
    channels,
    bytesPerCyclePerChannel: positiveInt('hbm.bytesPerCyclePerChannel', opts.hbm?.bytesPerCyclePerChannel ?? V80_HBM.bytesPerCyclePerChannel),
    readLatencyCycles: opts.hbm?.readLatencyCycles ?? V80_HBM.readLatencyCycles,
  };
  if (!Number.isInteger(hbm.readLatencyCycles) || hbm.readLatencyCycles < 0) {
    throw new LutLinearError(`hbm.readLatencyCycles must be an integer >= 0, got ${String(hbm.readLatencyCycles)}`);
  }
  const clockMhz = opts.clockMhz ?? DEFAULT_CLOCK_MHZ;
  if (!(clockMhz > 0) || !Number.isFinite(clockMhz)) throw new LutLinearError(`clockMhz must be a positive number, got ${String(clockMhz)}`);
  const positionLanes = positiveInt('positionLanes', opts.positionLanes ?? DEFAULT_POSITION_LANES);
  const outputLanes = positiveInt('outputLanes', opts.outputLanes ?? DEFAULT_OUTPUT_LANES);

  const implementation = opts.centroidSearch?.implementation ?? 'bpcsu';
  const impl = centroidSearchStageOf(implementation);
  if (!impl) {
    throw new LutLinearError(`centroidSearch.implementation must be one of ${stageRegistry.names('centroid-search').join(', ')}, got '${String(implementation)}'`);
  }
  const wrap = <R>(what: string, f: () => R): R => {
    try {
      return f();
    } catch (e) {
      if (e instanceof LutLinearError) throw e;
      throw new LutLinearError(`${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  };
  const csGiven = opts.centroidSearch?.params ?? {};
  const cs: Partial<BpcsuParams> = {
    ...csGiven,
    ...pinAll('centroidSearch', csGiven, { lanes: positionLanes, centroids: numerics.cA, subvectorLength: numerics.v, distance: numerics.distance }),
    // A codebook smaller than the reference chain gets one chain of all its centroids.
    chainLength: csGiven.chainLength ?? Math.min(impl.defaults.chainLength, numerics.cA),
  };
  const centroidSearch = wrap('centroidSearch', () => impl.resolve(cs));

  const lutPsum2d = wrap('lutPsum2d', () =>
    resolveLutPsum2dParams({
      ...(opts.lutPsum2d ?? {}),
      ...pinAll('lutPsum2d', opts.lutPsum2d, {
        matchers: positionLanes,
        outputLanes,
        activationCentroids: numerics.cA,
        weightCentroids: numerics.cW,
        lutBits: numerics.lutBits,
      }),
    }),
  );
  const lutPsum1d = wrap('lutPsum1d', () =>
    resolveLutPsum1dParams({ ...(opts.lutPsum1d ?? {}), ...pinAll('lutPsum1d', opts.lutPsum1d, { matchers: positionLanes, outputLanes, activationCentroids: numerics.cA }) }),
  );
  const weightOnlyPsum = wrap('weightOnlyPsum', () =>
    resolveWeightOnlyPsumParams({
      ...(opts.weightOnlyPsum ?? {}),
      ...pinAll('weightOnlyPsum', opts.weightOnlyPsum, { matchers: positionLanes, outputLanes, weightCentroids: numerics.cW, subvectorLength: numerics.v }),
    }),
  );
  const weightOnlyDspPsum = wrap('weightOnlyDspPsum', () =>
    resolveWeightOnlyDspPsumParams({
      ...(opts.weightOnlyDspPsum ?? {}),
      ...pinAll('weightOnlyDspPsum', opts.weightOnlyDspPsum, { matchers: positionLanes, outputLanes, weightCentroids: numerics.cW, subvectorLength: numerics.v }),
    }),
  );
  const weightOnlyImplementation = opts.weightOnlyImplementation ?? 'dsp-dequant';
  if (!WEIGHT_ONLY_IMPLEMENTATIONS.includes(weightOnlyImplementation)) {
    throw new LutLinearError(`weightOnlyImplementation must be one of ${WEIGHT_ONLY_IMPLEMENTATIONS.join(', ')}, got '${String(weightOnlyImplementation)}'`);
  }
  const accDefaults = variant === 'co-quant' ? DEFAULT_INT32_ACCUMULATOR_PARAMS : DEFAULT_FP32_ACCUMULATOR_PARAMS;
  const accumulator = wrap('accumulator', () => {
    const given = (opts.accumulator ?? {}) as Partial<AccumulatorParams>;
    if ('blocks' in given || 'tilesPerBlock' in given) throw new LutLinearError('accumulator: blocks and tilesPerBlock are derived from the shape; do not set them');
    return resolveAccumulatorParams(given, accDefaults);
  });
  const dequantizer = wrap('dequantizer', () => resolveDequantizerParams(opts.dequantizer ?? {}));
  const stagePlugins = resolveStagePlugins(
    opts,
    { matchers: positionLanes, outputLanes, activationCentroids: numerics.cA, weightCentroids: numerics.cW, lutBits: numerics.lutBits, subvectorLength: numerics.v },
    variant,
  );

  const defaults = LUT_LINEAR_FIFO_DEPTHS;
  for (const k of Object.keys(opts.fifoDepths ?? {})) {
    if (!FIFO_KEYS.includes(k as keyof LutLinearFifoDepths)) throw new LutLinearError(`fifoDepths.${k}: unknown stream (known: ${FIFO_KEYS.join(', ')})`);
  }
  const fifoDepths: LutLinearFifoDepths = { ...defaults, ...stripUndefined(opts.fifoDepths ?? {}) };
  for (const [k, v] of Object.entries(fifoDepths)) {
    if (!Number.isInteger(v) || v < 1) throw new LutLinearError(`fifoDepths.${k} must be an integer >= 1 (a FIFO holds at least one tile), got ${String(v)}`);
  }
  const seed = opts.seed ?? 1;
  if (!Number.isInteger(seed)) throw new LutLinearError(`seed must be an integer, got ${String(seed)}`);
  return {
    variant,
    mode,
    op: opts.op ?? 'linear',
    shape: { outFeatures: M, inFeatures: D, tokens: T, v: numerics.v },
    numerics,
    hbm,
    clockMhz,
    positionLanes,
    outputLanes,
    centroidSearchImplementation: implementation,
    centroidSearch,
    lutPsum2d,
    lutPsum1d,
    weightOnlyPsum,
    weightOnlyDspPsum,
    weightOnlyImplementation,
    accumulator,
    dequantizer,
    stagePlugins,
    fifoDepths,
    trace: opts.trace ?? 'summary',
    seed,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Where a pinned value comes from, for the conflict message. */
function sourceOf(field: string): string {
  if (field === 'lanes' || field === 'matchers') return 'positionLanes';
  if (field === 'outputLanes') return 'outputLanes';
  return `numerics (${field})`;
}

/** The `values` fields, each checked against an explicit conflicting override in `given`. */
function pinAll<T extends object>(stage: string, given: Partial<T> | undefined, values: Partial<T>): Partial<T> {
  for (const [k, v] of Object.entries(values)) pin<T>(stage, given, k as keyof T & string, v as T[keyof T & string], sourceOf(k));
  return values;
}
