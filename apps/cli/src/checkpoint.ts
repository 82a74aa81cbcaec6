import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  HF_GLOBAL_TENSOR_NAMES,
  QWEN3_LAYER_TENSORS,
  hfLayerTensorName,
  openQwen3Checkpoint,
  type Qwen3Config,
  type Qwen3GlobalWeights,
  type Qwen3LayerWeights,
  type Qwen3WeightSource,
} from '@lut-llm/model';
import { CliError } from './options.js';

/** Default directory of the quantization cache: $XDG_CACHE_HOME/lut-llm/quant, else ~/.cache/lut-llm/quant. */
export function defaultQuantCacheDir(): string {
  return join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'lut-llm', 'quant');
}

/** Throws naming the tensor when `data` holds a NaN or an infinity. */
function checkFinite(checkpoint: string, tensor: string, data: Float32Array): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      bad++;
      if (first < 0) first = i;
    }
  }
  if (bad > 0) {
    throw new CliError(`--checkpoint ${checkpoint}: tensor '${tensor}' has ${bad} non-finite value(s) of ${data.length} (the first, at element ${first}, is ${data[first]}); the emulator needs finite weights`);
  }
}

/**
 * A checkpoint's weights, each tensor checked for NaN and infinities as it is read: a non-finite
 * weight is reported with its Hugging Face tensor name, instead of surfacing layers later as
 * "softmax: every input is -Infinity".
 */
export class FiniteCheckedWeights implements Qwen3WeightSource {
  readonly config: Qwen3Config;
  readonly sourceId: string;
  private globalsChecked = false;

  constructor(
    private readonly inner: Qwen3WeightSource & { readonly sourceId: string },
    private readonly path: string,
  ) {
    this.config = inner.config;
    this.sourceId = inner.sourceId;
  }

  layer(index: number): Qwen3LayerWeights {
    const w = this.inner.layer(index);
    for (const n of QWEN3_LAYER_TENSORS) checkFinite(this.path, hfLayerTensorName(index, n), w[n]);
    return w;
  }

  globals(): Qwen3GlobalWeights {
    const g = this.inner.globals();
    if (!this.globalsChecked) {
      checkFinite(this.path, HF_GLOBAL_TENSOR_NAMES.embedTokens, g.embedTokens);
      checkFinite(this.path, HF_GLOBAL_TENSOR_NAMES.finalNorm, g.finalNorm);
      if (g.lmHead !== g.embedTokens) checkFinite(this.path, HF_GLOBAL_TENSOR_NAMES.lmHead, g.lmHead);
      this.globalsChecked = true;
    }
    return g;
  }
}

/**
 * `--checkpoint <folder>`: a Hugging Face Qwen3 folder (config.json and model.safetensors, or
 * model.safetensors.index.json and its shards), its tensors checked as they are read. Errors name
 * the flag and the file.
 */
export function openCheckpoint(path: string): FiniteCheckedWeights {
  try {
    return new FiniteCheckedWeights(openQwen3Checkpoint(path), path);
  } catch (e) {
    throw new CliError(`--checkpoint ${path}: ${(e as Error).message}`);
  }
}
