import { Rng, deriveSeed } from '@lut-llm/vq';
import { kvWidth, validateQwen3Config, type Qwen3Config } from '../config.js';
import { decoderLayerForward } from '../decoder-layer.js';
import { layerLinearWeights } from '../fused-weights.js';
import { KvCache } from '../kv-cache.js';
import { DenseLinear, type LinearOp } from '../linear.js';
import { rmsNorm } from '../ops/rms-norm.js';
import { linearShapes, type LinearName } from '../shapes.js';
import { checkLayerWeights, type Qwen3GlobalWeights, type Qwen3LayerWeights } from '../weights.js';

/** The per-layer linear ops (all but the LM head). */
export type LayerLinearName = Exclude<LinearName, 'lm_head'>;

/** Calibration inputs of one linear op: `tokens` rows of `inFeatures` activations. */
export interface LinearCalibration {
  /** [tokens][inFeatures] */
  readonly x: Float32Array;
  readonly tokens: number;
}

/** Calibration inputs of a decoder layer's four linear ops. */
export type LayerCalibration = Readonly<Record<LayerLinearName, LinearCalibration>>;

/**
 * Seeded random token sequences for calibrating a model without a tokenizer or a data set
 * (synthetic weights have no language anyway). `sequences` sequences of `length` ids in [0, vocab).
 */
export function syntheticCalibrationTokens(cfg: Qwen3Config, sequences: number, length: number, seed: number): number[][] {
  validateQwen3Config(cfg);
  if (!Number.isInteger(sequences) || sequences <= 0) throw new RangeError(`calibration: sequences must be a positive integer, got ${sequences}`);
  if (!Number.isInteger(length) || length <= 0 || length > cfg.maxPositionEmbeddings) {
    throw new RangeError(`calibration: length must be an integer in [1, ${cfg.maxPositionEmbeddings}], got ${length}`);
  }
  return Array.from({ length: sequences }, (_, s) => {
    const rng = new Rng(deriveSeed(seed, 0xca1b, s));
    return Array.from({ length }, () => rng.int(cfg.vocab));
  });
}

/** Checks calibration sequences against a config; returns the total number of tokens. */
export function checkCalibrationTokens(cfg: Qwen3Config, sequences: readonly (readonly number[])[]): number {
  if (!Array.isArray(sequences) || sequences.length === 0) throw new RangeError(`${cfg.name}: calibration needs at least one token sequence`);
  let total = 0;
  sequences.forEach((seq: readonly number[], s: number) => {
    if (seq.length === 0) throw new RangeError(`${cfg.name}: calibration sequence ${s} is empty`);
    if (seq.length > cfg.maxPositionEmbeddings) {
      throw new RangeError(`${cfg.name}: calibration sequence ${s} has ${seq.length} tokens, more than maxPositionEmbeddings (${cfg.maxPositionEmbeddings})`);
    }
    seq.forEach((id: number, t: number) => {
      if (!Number.isInteger(id) || id < 0 || id >= cfg.vocab) {
        throw new RangeError(`${cfg.name}: calibration sequence ${s}, token ${t}: id ${id} is out of range [0, ${cfg.vocab})`);
      }
    });
    total += seq.length;
  });
  return total;
}

/** A dense linear that also keeps a copy of every input it is given. */
class RecordingLinear implements LinearOp {
  readonly inFeatures: number;
  readonly outFeatures: number;
  private readonly dense: DenseLinear;
  readonly inputs: Float32Array[] = [];
  tokens = 0;

  constructor(weight: Float32Array, outFeatures: number, inFeatures: number, label: string) {
    this.dense = new DenseLinear(weight, outFeatures, inFeatures, label);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
  }

  apply(x: Float32Array, tokens: number): Float32Array {
    this.inputs.push(x.slice());
    this.tokens += tokens;
    return this.dense.apply(x, tokens);
  }

  collected(): LinearCalibration {
    const x = new Float32Array(this.tokens * this.inFeatures);
    let pos = 0;
    for (const part of this.inputs) {
      x.set(part, pos);
      pos += part.length;
    }
    return { x, tokens: this.tokens };
  }
}

/**
 * Produces calibration activations layer by layer, as a post-training quantizer needs them,
 * without holding more than one layer's weights: the calibration sequences are run through the
 * FP32 model one decoder layer at a time (each sequence with its own causal attention), recording
 * the input of every linear op. Activations come from the FP32 model (quantization error of
 * earlier layers is not propagated), which is the usual per-layer PTQ calibration.
 */
export class Qwen3Calibrator {
  readonly config: Qwen3Config;
  readonly totalTokens: number;
  private readonly hidden: Float32Array[];
  private readonly lengths: number[];
  private nextLayer = 0;

  constructor(
    config: Qwen3Config,
    private readonly globals: Qwen3GlobalWeights,
    sequences: readonly (readonly number[])[],
  ) {
    this.config = validateQwen3Config(config);
    this.totalTokens = checkCalibrationTokens(this.config, sequences);
    const H = this.config.hidden;
    this.lengths = sequences.map((s) => s.length);
    this.hidden = sequences.map((seq) => {
      const x = new Float32Array(seq.length * H);
      seq.forEach((id, t) => x.set(globals.embedTokens.subarray(id * H, (id + 1) * H), t * H));
      return x;
    });
  }

  /** Index of the layer the next {@link runLayer} call must be given. */
  get layer(): number {
    return this.nextLayer;
  }

  /** Runs decoder layer {@link layer} (weights `w`) on every sequence; returns its linear inputs. */
  runLayer(w: Qwen3LayerWeights): LayerCalibration {
    const cfg = this.config;
    const l = this.nextLayer;
    if (l >= cfg.layers) throw new RangeError(`${cfg.name}: all ${cfg.layers} layers have already been calibrated`);
    checkLayerWeights(cfg, w, l);
    const shapes = new Map(linearShapes(cfg).map((s) => [s.name, s]));
    const lin = layerLinearWeights(cfg, w, l);
    const rec = (name: LayerLinearName): RecordingLinear => {
      const s = shapes.get(name)!;
      return new RecordingLinear(lin[name], s.outFeatures, s.inFeatures, `layer ${l} ${name}`);
    };
    const ops = { qkv: rec('qkv'), o: rec('o'), gateUp: rec('gate_up'), down: rec('down') };
    const layerOps = { ...ops, inputNorm: w.inputNorm, postAttnNorm: w.postAttnNorm, qNorm: w.qNorm, kNorm: w.kNorm };
    this.hidden.forEach((x, s) => decoderLayerForward(cfg, layerOps, x, this.lengths[s]!, new KvCache(kvWidth(cfg), this.lengths[s]!)));
    this.nextLayer++;
    return { qkv: ops.qkv.collected(), o: ops.o.collected(), gate_up: ops.gateUp.collected(), down: ops.down.collected() };
  }

  /** The LM head's inputs (final-normed hidden states); only after every layer has run. */
  lmHeadInputs(): LinearCalibration {
    const cfg = this.config;
    if (this.nextLayer !== cfg.layers) {
      throw new RangeError(`${cfg.name}: LM head calibration needs all ${cfg.layers} layers run first (${this.nextLayer} done)`);
    }
    const x = new Float32Array(this.totalTokens * cfg.hidden);
    let pos = 0;
    for (const h of this.hidden) {
      x.set(rmsNorm(h, this.globals.finalNorm, cfg.rmsNormEps), pos);
      pos += h.length;
    }
    return { x, tokens: this.totalTokens };
  }
}
