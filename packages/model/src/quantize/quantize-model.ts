import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quantizeLinear, resolveVqConfig, type QuantizedLinear, type VqConfig } from '@lut-llm/vq';
import { validateQwen3Config, type Qwen3Config } from '../config.js';
import { layerLinearWeights } from '../fused-weights.js';
import { LAYER_LINEAR_NAMES, linearShapes } from '../shapes.js';
import { checkLayerIndex, type Qwen3LayerWeights, type Qwen3WeightSource } from '../weights.js';
import { checkCalibrationTokens, Qwen3Calibrator, type LayerCalibration, type LayerLinearName, type LinearCalibration } from './calibration.js';
import { decodeQuantCacheFile, encodeQuantCacheFile, QUANT_CACHE_FORMAT_VERSION, QuantCacheError } from './quant-cache-format.js';

/** The four co-quantized linear ops of one decoder layer. */
export interface QuantizedQwen3Layer {
  readonly layer: number;
  readonly ops: Readonly<Record<LayerLinearName, QuantizedLinear>>;
}

/** A whole model turned into codebooks, indices and 2D tables (packages/vq's QuantizedLinear). */
export interface QuantizedQwen3Model {
  readonly config: Qwen3Config;
  readonly vq: VqConfig;
  /** Cache key: SHA-256 (hex) of format version, config, weight source id, vq config and calibration tokens. */
  readonly key: string;
  readonly layers: readonly QuantizedQwen3Layer[];
  /** The LM head, or null when it was left in FP32 (includeLmHead: false). */
  readonly lmHead: QuantizedLinear | null;
}

/**
 * Co-quantizes one decoder layer's linear ops (fused as the accelerator runs them: qkv, o,
 * gate_up, down) with packages/vq's quantizeLinear, calibrating each op's activation codebooks on
 * `calibration`. Errors from vq are re-thrown with the layer and op named.
 */
export function quantizeModelLayer(
  cfg: Qwen3Config,
  weights: Qwen3LayerWeights,
  layer: number,
  calibration: LayerCalibration,
  vq: Partial<VqConfig> = {},
): QuantizedQwen3Layer {
  validateQwen3Config(cfg);
  checkLayerIndex(cfg, layer);
  const vqCfg = resolveVqConfig(vq);
  const lin = layerLinearWeights(cfg, weights, layer);
  const shapes = new Map(linearShapes(cfg).map((s) => [s.name, s]));
  const ops = {} as Record<LayerLinearName, QuantizedLinear>;
  for (const name of LAYER_LINEAR_NAMES) {
    const s = shapes.get(name)!;
    ops[name] = quantizeOne(`${cfg.name} layer ${layer} ${name}`, lin[name], s.outFeatures, s.inFeatures, calibration[name], vqCfg);
  }
  return { layer, ops };
}

/** Co-quantizes the LM head (hidden -> vocab) on final-normed calibration activations. */
export function quantizeLmHead(cfg: Qwen3Config, lmHead: Float32Array, calibration: LinearCalibration, vq: Partial<VqConfig> = {}): QuantizedLinear {
  validateQwen3Config(cfg);
  return quantizeOne(`${cfg.name} lm_head`, lmHead, cfg.vocab, cfg.hidden, calibration, resolveVqConfig(vq));
}

function quantizeOne(where: string, weight: Float32Array, M: number, D: number, cal: LinearCalibration, vq: VqConfig): QuantizedLinear {
  if (cal === undefined || cal.x.length !== cal.tokens * D) {
    throw new RangeError(`${where}: calibration activations must be [tokens][${D}], got ${cal?.x.length} values for ${cal?.tokens} tokens`);
  }
  try {
    return quantizeLinear(weight, M, D, cal.x, cal.tokens, vq);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
  }
}

export interface QuantizeModelOptions {
  /** Token sequences run through the FP32 model to calibrate activation codebooks (see syntheticCalibrationTokens). */
  readonly calibrationTokens: readonly (readonly number[])[];
  /** vq parameters (defaults: DESIGN.md 1.1, v 2, c_a 64, c_w 16, G 512, INT8 tables, Chebyshev). */
  readonly vq?: Partial<VqConfig>;
  /** Directory of the on-disk cache; each model/config gets a subdirectory named by its key. */
  readonly cacheDir?: string;
  /** Identifies the weights in the cache key; defaults to `source.sourceId` (required with cacheDir). */
  readonly sourceId?: string;
  /** Quantize the LM head too (default true); otherwise it stays FP32 (lmHead: null). */
  readonly includeLmHead?: boolean;
  /** Called after each layer (and the LM head) is ready. */
  readonly onProgress?: (event: QuantizeProgress) => void;
}

export interface QuantizeProgress {
  /** "layer 3" or "lm_head". */
  readonly entry: string;
  /** Entries done so far, of `total`. */
  readonly done: number;
  readonly total: number;
  readonly fromCache: boolean;
}

/**
 * The cache key of a quantization: SHA-256 over the cache format version, the model config, the
 * weight source id, the resolved vq config, the calibration tokens and whether the LM head is
 * quantized. Any change to one of them gives another key (another cache subdirectory).
 */
export function quantCacheKey(cfg: Qwen3Config, sourceId: string, vq: VqConfig, calibrationTokens: readonly (readonly number[])[], includeLmHead: boolean): string {
  const calib = createHash('sha256').update(JSON.stringify(calibrationTokens)).digest('hex');
  const material = JSON.stringify({ format: 'lut-llm-quant-cache', version: QUANT_CACHE_FORMAT_VERSION, config: cfg, sourceId, vq, calib, includeLmHead });
  return createHash('sha256').update(material).digest('hex');
}

/** Directory of one quantization inside `cacheDir`. */
export function quantCacheEntryDir(cacheDir: string, key: string): string {
  return join(cacheDir, `qwen3-${key.slice(0, 24)}`);
}

function entryFile(dir: string, entry: string): string {
  return join(dir, entry === 'lm_head' ? 'lm_head.lutq' : `layer-${entry.slice('layer '.length).padStart(4, '0')}.lutq`);
}

function writeAtomically(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/**
 * Quantizes a whole model layer by layer: weights are taken from `source` one layer at a time,
 * calibration activations come from the FP32 model (Qwen3Calibrator), and each layer's
 * QuantizedLinear ops are built with packages/vq. With `cacheDir`, every layer (and the LM head)
 * is stored as a checked binary file and reused by later calls with the same key; if every entry
 * is cached, no weights are read and no FP32 pass is run. A corrupt cache file is an error
 * (QuantCacheError naming the file), never silently rebuilt.
 *
 * Memory: the result holds every layer's tables and indices (about 1.5 bytes per weight with the
 * default INT8 tables: ~2.6 GB for Qwen3-1.7B with its LM head); intended for small configs, or
 * for filling the cache of a large one.
 */
export function quantizeQwen3Model(source: Qwen3WeightSource, options: QuantizeModelOptions): QuantizedQwen3Model {
  const cfg = validateQwen3Config(source.config);
  const vq = resolveVqConfig(options.vq ?? {});
  const includeLmHead = options.includeLmHead ?? true;
  checkCalibrationTokens(cfg, options.calibrationTokens);
  const sourceId = options.sourceId ?? source.sourceId;
  if (options.cacheDir !== undefined && sourceId === undefined) {
    throw new RangeError(`${cfg.name}: a quantization cache needs a sourceId (the weight source has none; pass options.sourceId)`);
  }
  const key = quantCacheKey(cfg, sourceId ?? 'uncached', vq, options.calibrationTokens, includeLmHead);
  const entries = [...Array.from({ length: cfg.layers }, (_, l) => `layer ${l}`), ...(includeLmHead ? ['lm_head'] : [])];
  const total = entries.length;
  const dir = options.cacheDir === undefined ? undefined : quantCacheEntryDir(options.cacheDir, key);
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    const manifest = join(dir, 'manifest.json');
    if (!existsSync(manifest)) {
      writeAtomically(manifest, new TextEncoder().encode(JSON.stringify({
        format: 'lut-llm-quant-cache', version: QUANT_CACHE_FORMAT_VERSION, key, config: cfg, sourceId, vq, includeLmHead,
        calibration: { sequences: options.calibrationTokens.length, tokens: options.calibrationTokens.reduce((s, q) => s + q.length, 0) },
      }, null, 2)));
    }
  }
  const load = (entry: string): QuantizedLinear[] | undefined => {
    if (dir === undefined) return undefined;
    const path = entryFile(dir, entry);
    if (!existsSync(path)) return undefined;
    const { entry: stored, ops } = decodeQuantCacheFile(readFileSync(path), path, key, vq);
    const expected = entry === 'lm_head' ? ['lm_head'] : [...LAYER_LINEAR_NAMES];
    if (stored !== entry || ops.map((o) => o.name).join() !== expected.join()) {
      throw new QuantCacheError(`${path}: holds "${stored}" with ops ${ops.map((o) => o.name).join(', ')}, expected "${entry}" with ${expected.join(', ')}; delete the file to rebuild it`);
    }
    return ops.map((o) => o.q);
  };
  const store = (entry: string, names: readonly string[], qs: readonly QuantizedLinear[]): void => {
    if (dir === undefined) return;
    writeAtomically(entryFile(dir, entry), encodeQuantCacheFile(key, entry, names.map((name, i) => ({ name, q: qs[i]! }))));
  };
  const toLayer = (layer: number, qs: readonly QuantizedLinear[]): QuantizedQwen3Layer => ({
    layer,
    ops: { qkv: qs[0]!, o: qs[1]!, gate_up: qs[2]!, down: qs[3]! },
  });

  // Fast path: everything cached.
  const cached = entries.map((e) => load(e));
  if (cached.every((c) => c !== undefined)) {
    const layers = cached.slice(0, cfg.layers).map((qs, l) => toLayer(l, qs!));
    entries.forEach((entry, i) => options.onProgress?.({ entry, done: i + 1, total, fromCache: true }));
    return { config: cfg, vq, key, layers, lmHead: includeLmHead ? cached[cfg.layers]![0]! : null };
  }

  const globals = source.globals();
  const calibrator = new Qwen3Calibrator(cfg, globals, options.calibrationTokens);
  const layers: QuantizedQwen3Layer[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const w = source.layer(l);
    const calibration = calibrator.runLayer(w); // always advances the FP32 hidden states
    const hit = cached[l];
    if (hit !== undefined) {
      layers.push(toLayer(l, hit));
    } else {
      const q = quantizeModelLayer(cfg, w, l, calibration, vq);
      store(`layer ${l}`, LAYER_LINEAR_NAMES, LAYER_LINEAR_NAMES.map((n) => q.ops[n]));
      layers.push(q);
    }
    options.onProgress?.({ entry: `layer ${l}`, done: l + 1, total, fromCache: hit !== undefined });
  }
  let lmHead: QuantizedLinear | null = null;
  if (includeLmHead) {
    const hit = cached[cfg.layers];
    if (hit !== undefined) {
      lmHead = hit[0]!;
    } else {
      lmHead = quantizeLmHead(cfg, globals.lmHead, calibrator.lmHeadInputs(), vq);
      store('lm_head', ['lm_head'], [lmHead]);
    }
    options.onProgress?.({ entry: 'lm_head', done: total, total, fromCache: hit !== undefined });
  }
  return { config: cfg, vq, key, layers, lmHead };
}
