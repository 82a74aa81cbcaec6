import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { qwen3ConfigFromHf, validateQwen3Config, type Qwen3Config } from './config.js';
import { SafetensorsError, type SafetensorsTensorInfo } from './safetensors-format.js';
import { SafetensorsReader, type TensorSource } from './safetensors-reader.js';
import {
  checkLayerIndex,
  layerTensorShapes,
  QWEN3_LAYER_TENSORS,
  type Qwen3GlobalWeights,
  type Qwen3LayerTensorName,
  type Qwen3LayerWeights,
  type Qwen3WeightSource,
} from './weights.js';

/** Hugging Face tensor-name suffix of each layer tensor (after `model.layers.{i}.`). */
const HF_LAYER_SUFFIX: Readonly<Record<Qwen3LayerTensorName, string>> = {
  qProj: 'self_attn.q_proj.weight',
  kProj: 'self_attn.k_proj.weight',
  vProj: 'self_attn.v_proj.weight',
  oProj: 'self_attn.o_proj.weight',
  qNorm: 'self_attn.q_norm.weight',
  kNorm: 'self_attn.k_norm.weight',
  gateProj: 'mlp.gate_proj.weight',
  upProj: 'mlp.up_proj.weight',
  downProj: 'mlp.down_proj.weight',
  inputNorm: 'input_layernorm.weight',
  postAttnNorm: 'post_attention_layernorm.weight',
};

/** Hugging Face names of the global tensors. */
export const HF_GLOBAL_TENSOR_NAMES = Object.freeze({
  embedTokens: 'model.embed_tokens.weight',
  finalNorm: 'model.norm.weight',
  lmHead: 'lm_head.weight',
});

/** The Hugging Face name of a layer tensor, e.g. `model.layers.3.self_attn.q_proj.weight`. */
export function hfLayerTensorName(layer: number, tensor: Qwen3LayerTensorName): string {
  return `model.layers.${layer}.${HF_LAYER_SUFFIX[tensor]}`;
}

/**
 * Reads decoder layer `layer` from a checkpoint, checking every tensor's shape against `cfg`
 * (SHAPE_MISMATCH names the tensor, its shape and the expected one; MISSING_TENSOR names the
 * missing tensor). Attention biases are not read (Qwen3 has none).
 */
export function loadQwen3Layer(source: TensorSource, cfg: Qwen3Config, layer: number): Qwen3LayerWeights {
  validateQwen3Config(cfg);
  checkLayerIndex(cfg, layer);
  const shapes = layerTensorShapes(cfg);
  const out: Partial<Record<Qwen3LayerTensorName, Float32Array>> = {};
  for (const name of QWEN3_LAYER_TENSORS) out[name] = source.readFloat32(hfLayerTensorName(layer, name), shapes[name]);
  return out as Qwen3LayerWeights;
}

/**
 * Reads the embedding, final norm and (when the config is not tied) `lm_head.weight`. For a tied
 * config the LM head is the embedding array itself; a stored `lm_head.weight` is then ignored
 * (Transformers ties the two on load, and some Qwen3 checkpoints store the copy).
 */
export function loadQwen3Globals(source: TensorSource, cfg: Qwen3Config): Qwen3GlobalWeights {
  validateQwen3Config(cfg);
  const table = [cfg.vocab, cfg.hidden];
  const embedTokens = source.readFloat32(HF_GLOBAL_TENSOR_NAMES.embedTokens, table);
  const finalNorm = source.readFloat32(HF_GLOBAL_TENSOR_NAMES.finalNorm, [cfg.hidden]);
  const lmHead = cfg.tiedEmbeddings ? embedTokens : source.readFloat32(HF_GLOBAL_TENSOR_NAMES.lmHead, table);
  return { embedTokens, finalNorm, lmHead };
}

/** The weights of a safetensors checkpoint, read layer by layer on demand (layers are not cached). */
export class SafetensorsQwen3Weights implements Qwen3WeightSource {
  readonly config: Qwen3Config;
  readonly sourceId: string;
  private cachedGlobals: Qwen3GlobalWeights | undefined;

  constructor(
    readonly source: TensorSource,
    config: Qwen3Config,
  ) {
    this.config = validateQwen3Config(config);
    this.sourceId = `safetensors:${source.fingerprint}`;
  }

  layer(index: number): Qwen3LayerWeights {
    return loadQwen3Layer(this.source, this.config, index);
  }

  globals(): Qwen3GlobalWeights {
    this.cachedGlobals ??= loadQwen3Globals(this.source, this.config);
    return this.cachedGlobals;
  }
}

/**
 * A checkpoint split over several safetensors files, described by a Hugging Face
 * `model.safetensors.index.json` (`{ "weight_map": { tensorName: shardFileName } }`).
 * Shard headers are read when the index is opened.
 */
export class ShardedSafetensorsReader implements TensorSource {
  private readonly shards = new Map<string, SafetensorsReader>();
  private readonly weightMap = new Map<string, string>();
  readonly fingerprint: string;

  constructor(readonly label: string) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(label, 'utf8'));
    } catch (e) {
      throw new SafetensorsError('BAD_JSON', `${label}: cannot read safetensors index (${(e as Error).message})`);
    }
    const map = (json as { weight_map?: unknown } | null)?.weight_map;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      throw new SafetensorsError('BAD_HEADER', `${label}: index has no "weight_map" object`);
    }
    const dir = dirname(label);
    for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
      if (typeof file !== 'string' || file.includes('/') || file.includes('\\')) {
        throw new SafetensorsError('BAD_HEADER', `${label}: weight_map["${name}"] must be a file name in the same directory, got ${JSON.stringify(file)}`);
      }
      if (!this.shards.has(file)) this.shards.set(file, SafetensorsReader.open(join(dir, file)));
      this.weightMap.set(name, file);
    }
    for (const [name, file] of this.weightMap) {
      if (!this.shards.get(file)!.has(name)) {
        throw new SafetensorsError('MISSING_TENSOR', `${label}: index maps tensor "${name}" to ${file}, which does not contain it`);
      }
    }
    this.fingerprint = `sharded(${[...this.shards.values()].map((s) => s.fingerprint).sort().join(',')})`;
  }

  private shardOf(name: string): SafetensorsReader {
    const file = this.weightMap.get(name);
    if (file === undefined) {
      throw new SafetensorsError('MISSING_TENSOR', `${this.label}: tensor "${name}" is not in the checkpoint (${this.weightMap.size} tensors indexed)`);
    }
    return this.shards.get(file)!;
  }

  has(name: string): boolean {
    return this.weightMap.has(name);
  }

  info(name: string): SafetensorsTensorInfo {
    return this.shardOf(name).info(name);
  }

  tensorNames(): string[] {
    return [...this.weightMap.keys()];
  }

  readFloat32(name: string, expectedShape?: readonly number[]): Float32Array {
    return this.shardOf(name).readFloat32(name, expectedShape);
  }
}

/**
 * Opens a Hugging Face Qwen3 checkpoint directory: `config.json` plus either
 * `model.safetensors.index.json` (sharded) or `model.safetensors`. A path to a single
 * `.safetensors` file is also accepted when `config` is given.
 */
export function openQwen3Checkpoint(path: string, config?: Qwen3Config): SafetensorsQwen3Weights {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new SafetensorsError('IO', `${abs}: no such file or directory`);
  if (statSync(abs).isFile()) {
    if (config === undefined) throw new RangeError(`${abs}: a single safetensors file needs an explicit Qwen3 config`);
    return new SafetensorsQwen3Weights(SafetensorsReader.open(abs), config);
  }
  let cfg = config;
  if (cfg === undefined) {
    const cfgPath = join(abs, 'config.json');
    if (!existsSync(cfgPath)) throw new SafetensorsError('IO', `${abs}: no config.json (pass a Qwen3 config explicitly)`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(cfgPath, 'utf8'));
    } catch (e) {
      throw new SafetensorsError('BAD_JSON', `${cfgPath}: not valid JSON (${(e as Error).message})`);
    }
    cfg = qwen3ConfigFromHf(json, basename(abs));
  }
  const index = join(abs, 'model.safetensors.index.json');
  if (existsSync(index)) return new SafetensorsQwen3Weights(new ShardedSafetensorsReader(index), cfg);
  const single = join(abs, 'model.safetensors');
  if (existsSync(single)) return new SafetensorsQwen3Weights(SafetensorsReader.open(single), cfg);
  throw new SafetensorsError('IO', `${abs}: neither model.safetensors.index.json nor model.safetensors found`);
}
