import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HF_GLOBAL_TENSOR_NAMES, hfLayerTensorName, loadQwen3Globals, loadQwen3Layer, openQwen3Checkpoint, ShardedSafetensorsReader } from './checkpoint.js';
import { tinyQwen3Config, type Qwen3Config } from './config.js';
import { Qwen3Reference } from './reference.js';
import { SafetensorsError } from './safetensors-format.js';
import { SafetensorsReader } from './safetensors-reader.js';
import { encodeSafetensors, writeSafetensorsFile, type SafetensorsTensorInput } from './safetensors-writer.js';
import { SyntheticQwen3Weights } from './synthetic-weights.js';
import { layerTensorShapes, QWEN3_LAYER_TENSORS } from './weights.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cfg = tinyQwen3Config({ hidden: 64, intermediate: 96, heads: 4, kvHeads: 2, headDim: 32, vocab: 40, tiedEmbeddings: false });

/** All tensors of a synthetic model under Hugging Face names. */
function hfTensors(c: Qwen3Config, seed: number, dtype: 'F32' | 'BF16' | 'F16'): Record<string, SafetensorsTensorInput> {
  const src = new SyntheticQwen3Weights(c, seed);
  const g = src.globals();
  const out: Record<string, SafetensorsTensorInput> = {
    [HF_GLOBAL_TENSOR_NAMES.embedTokens]: { dtype, shape: [c.vocab, c.hidden], data: g.embedTokens },
    [HF_GLOBAL_TENSOR_NAMES.finalNorm]: { dtype, shape: [c.hidden], data: g.finalNorm },
  };
  if (!c.tiedEmbeddings) out[HF_GLOBAL_TENSOR_NAMES.lmHead] = { dtype, shape: [c.vocab, c.hidden], data: g.lmHead };
  const shapes = layerTensorShapes(c);
  for (let l = 0; l < c.layers; l++) {
    const w = src.layer(l);
    for (const n of QWEN3_LAYER_TENSORS) out[hfLayerTensorName(l, n)] = { dtype, shape: shapes[n], data: w[n] };
  }
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof SafetensorsError ? `${e.code}: ${e.message}` : `other: ${(e as Error).message}`;
  }
  return 'no error';
}

describe('loadQwen3Layer / loadQwen3Globals', () => {
  it('maps Hugging Face names: an F32 checkpoint gives exactly the synthetic weights and logits', () => {
    const path = join(dir, 'f32.safetensors');
    writeSafetensorsFile(path, hfTensors(cfg, 4, 'F32'));
    const reader = SafetensorsReader.open(path);
    const synth = new SyntheticQwen3Weights(cfg, 4);
    const layer1 = loadQwen3Layer(reader, cfg, 1);
    for (const n of QWEN3_LAYER_TENSORS) expect(Array.from(layer1[n])).toEqual(Array.from(synth.layer(1)[n]));
    const g = loadQwen3Globals(reader, cfg);
    expect(Array.from(g.lmHead)).toEqual(Array.from(synth.globals().lmHead));
    const ids = [1, 5, 9, 39];
    const a = new Qwen3Reference(openQwen3Checkpoint(path, cfg)).prefill(ids);
    const b = new Qwen3Reference(synth).prefill(ids);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('a BF16 checkpoint gives logits close to FP32 (weights rounded to 8 significant bits)', () => {
    const path = join(dir, 'bf16.safetensors');
    writeSafetensorsFile(path, hfTensors(cfg, 4, 'BF16'));
    const ids = [1, 5, 9, 39];
    const a = new Qwen3Reference(openQwen3Checkpoint(path, cfg)).prefill(ids);
    const b = new Qwen3Reference(new SyntheticQwen3Weights(cfg, 4)).prefill(ids);
    let num = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      num += (a[i]! - b[i]!) ** 2;
      den += b[i]! ** 2;
    }
    const rel = Math.sqrt(num / den);
    expect(rel).toBeGreaterThan(0); // it did round
    expect(rel).toBeLessThan(0.02);
  });

  it('tied configs use the embedding as LM head and ignore a stored lm_head.weight', () => {
    const tied = { ...cfg, tiedEmbeddings: true };
    const t = hfTensors(tied, 2, 'F32');
    t[HF_GLOBAL_TENSOR_NAMES.lmHead] = { dtype: 'F32', shape: [3], data: new Float32Array(3) }; // junk, never read
    const r = SafetensorsReader.fromBytes(encodeSafetensors(t));
    const g = loadQwen3Globals(r, tied);
    expect(g.lmHead).toBe(g.embedTokens);
  });

  it('names the missing tensor, and the tensor whose shape disagrees with the config', () => {
    const t = hfTensors(cfg, 1, 'F32');
    delete t['model.layers.1.self_attn.k_norm.weight'];
    const r = SafetensorsReader.fromBytes(encodeSafetensors(t), 'ckpt.safetensors');
    expect(() => loadQwen3Layer(r, cfg, 0)).not.toThrow();
    expect(codeOf(() => loadQwen3Layer(r, cfg, 1))).toMatch(/^MISSING_TENSOR: ckpt\.safetensors: tensor "model\.layers\.1\.self_attn\.k_norm\.weight" is not in the file/);
    // The same file read with a config whose head count differs: q_proj is 128 x 64, the config wants 192 x 64.
    const other = { ...cfg, heads: 6 };
    expect(codeOf(() => loadQwen3Layer(r, other, 0))).toBe(
      'SHAPE_MISMATCH: ckpt.safetensors: tensor "model.layers.0.self_attn.q_proj.weight" has shape [128, 64], expected [192, 64]',
    );
    const untiedMissing = hfTensors(cfg, 1, 'F32');
    delete untiedMissing['lm_head.weight'];
    expect(codeOf(() => loadQwen3Globals(SafetensorsReader.fromBytes(encodeSafetensors(untiedMissing)), cfg))).toMatch(/^MISSING_TENSOR: .*"lm_head\.weight"/);
    expect(() => loadQwen3Layer(r, cfg, 2)).toThrow(/layer index 2 is out of range \[0, 2\)/);
  });

  it('a tensor stored as an unsupported dtype names it', () => {
    const t = hfTensors(cfg, 1, 'F32');
    const bytes = encodeSafetensors(t);
    // Re-label one tensor's dtype in the header from F32 to I32 (same size, so offsets stay valid).
    const len = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + len));
    const name = 'model.layers.0.mlp.up_proj.weight';
    const idx = header.indexOf(`"${name}":{"dtype":"F32"`);
    expect(idx).toBeGreaterThan(0);
    const patched = header.replace(`"${name}":{"dtype":"F32"`, `"${name}":{"dtype":"I32"`);
    bytes.set(new TextEncoder().encode(patched), 8);
    const r = SafetensorsReader.fromBytes(bytes, 'patched.safetensors');
    expect(codeOf(() => loadQwen3Layer(r, cfg, 0))).toBe(
      `UNSUPPORTED_DTYPE: patched.safetensors: tensor "${name}" has dtype I32; supported dtypes are BF16, F16, F32`,
    );
  });
});

describe('checkpoint directories', () => {
  it('reads a sharded checkpoint with config.json and model.safetensors.index.json', () => {
    const ckpt = join(dir, 'sharded');
    mkdirSync(ckpt);
    const all = hfTensors(cfg, 6, 'BF16');
    const names = Object.keys(all);
    const shardA = Object.fromEntries(names.slice(0, 10).map((n) => [n, all[n]!]));
    const shardB = Object.fromEntries(names.slice(10).map((n) => [n, all[n]!]));
    writeSafetensorsFile(join(ckpt, 'model-00001-of-00002.safetensors'), shardA);
    writeSafetensorsFile(join(ckpt, 'model-00002-of-00002.safetensors'), shardB);
    const weightMap = Object.fromEntries([
      ...Object.keys(shardA).map((n) => [n, 'model-00001-of-00002.safetensors']),
      ...Object.keys(shardB).map((n) => [n, 'model-00002-of-00002.safetensors']),
    ]);
    writeFileSync(join(ckpt, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    writeFileSync(join(ckpt, 'config.json'), JSON.stringify({
      model_type: 'qwen3', hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2, num_attention_heads: 4,
      num_key_value_heads: 2, head_dim: 32, vocab_size: 40, rope_theta: 1e6, rms_norm_eps: 1e-6,
      tie_word_embeddings: false, max_position_embeddings: 2048,
    }));
    const w = openQwen3Checkpoint(ckpt);
    expect(w.config).toMatchObject({ name: 'sharded', hidden: 64, heads: 4, vocab: 40, tiedEmbeddings: false });
    expect(w.source).toBeInstanceOf(ShardedSafetensorsReader);
    const single = join(dir, 'single-bf16.safetensors');
    writeSafetensorsFile(single, all);
    const a = new Qwen3Reference(w).prefill([3, 4, 5]);
    const b = new Qwen3Reference(openQwen3Checkpoint(single, cfg)).prefill([3, 4, 5]);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('index pointing at a shard that lacks the tensor, and directories without weights, are errors', () => {
    const ckpt = join(dir, 'bad-index');
    mkdirSync(ckpt);
    writeSafetensorsFile(join(ckpt, 'a.safetensors'), { x: { dtype: 'F32', shape: [1], data: new Float32Array(1) } });
    writeFileSync(join(ckpt, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { y: 'a.safetensors' } }));
    expect(codeOf(() => new ShardedSafetensorsReader(join(ckpt, 'model.safetensors.index.json')))).toMatch(/^MISSING_TENSOR: .*index maps tensor "y" to a\.safetensors, which does not contain it/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(codeOf(() => openQwen3Checkpoint(empty))).toMatch(/^IO: .*empty: no config\.json/);
    expect(codeOf(() => openQwen3Checkpoint(empty, cfg))).toMatch(/^IO: .*neither model\.safetensors\.index\.json nor model\.safetensors found/);
  });
});
