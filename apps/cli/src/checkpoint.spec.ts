import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HF_GLOBAL_TENSOR_NAMES,
  QWEN3_LAYER_TENSORS,
  SyntheticQwen3Weights,
  hfLayerTensorName,
  layerTensorShapes,
  tinyQwen3Config,
  writeSafetensorsFile,
  type SafetensorsTensorInput,
} from '@lut-llm/model';
import { runCli } from './cli.js';
import { bufferIo } from './progress.js';

const dir = mkdtempSync(join(tmpdir(), 'lut-llm-cli-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

// A small Qwen3 written as a Hugging Face folder: the tiny model's shapes, untied LM head.
const cfg = tinyQwen3Config({ tiedEmbeddings: false });
const hfConfig = {
  model_type: 'qwen3', hidden_size: cfg.hidden, intermediate_size: cfg.intermediate, num_hidden_layers: cfg.layers, num_attention_heads: cfg.heads,
  num_key_value_heads: cfg.kvHeads, head_dim: cfg.headDim, vocab_size: cfg.vocab, rope_theta: cfg.ropeTheta, rms_norm_eps: cfg.rmsNormEps,
  tie_word_embeddings: false, max_position_embeddings: cfg.maxPositionEmbeddings,
};

function hfTensors(seed: number): Record<string, SafetensorsTensorInput> {
  const src = new SyntheticQwen3Weights(cfg, seed);
  const g = src.globals();
  const out: Record<string, SafetensorsTensorInput> = {
    [HF_GLOBAL_TENSOR_NAMES.embedTokens]: { dtype: 'BF16', shape: [cfg.vocab, cfg.hidden], data: g.embedTokens },
    [HF_GLOBAL_TENSOR_NAMES.finalNorm]: { dtype: 'BF16', shape: [cfg.hidden], data: g.finalNorm },
    [HF_GLOBAL_TENSOR_NAMES.lmHead]: { dtype: 'BF16', shape: [cfg.vocab, cfg.hidden], data: g.lmHead },
  };
  const shapes = layerTensorShapes(cfg);
  for (let l = 0; l < cfg.layers; l++) {
    const w = src.layer(l);
    for (const n of QWEN3_LAYER_TENSORS) out[hfLayerTensorName(l, n)] = { dtype: 'BF16', shape: shapes[n], data: w[n] };
  }
  return out;
}

function writeCheckpoint(name: string, tensors: Record<string, SafetensorsTensorInput>, sharded: boolean): string {
  const ckpt = join(dir, name);
  mkdirSync(ckpt);
  writeFileSync(join(ckpt, 'config.json'), JSON.stringify(hfConfig));
  if (!sharded) {
    writeSafetensorsFile(join(ckpt, 'model.safetensors'), tensors);
    return ckpt;
  }
  const names = Object.keys(tensors);
  const half = Math.ceil(names.length / 2);
  const shards = [names.slice(0, half), names.slice(half)];
  const weightMap: Record<string, string> = {};
  shards.forEach((ns, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensorsFile(join(ckpt, file), Object.fromEntries(ns.map((n) => [n, tensors[n]!])));
    for (const n of ns) weightMap[n] = file;
  });
  writeFileSync(join(ckpt, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return ckpt;
}

describe('lut-llm run --mode functional --checkpoint <folder>', () => {
  const tensors = hfTensors(5);
  const single = writeCheckpoint('single', tensors, false);
  const sharded = writeCheckpoint('sharded', tensors, true);
  const cache = join(dir, 'quant-cache');
  const argv = (ckpt: string) => ['--mode', 'functional', '--checkpoint', ckpt, '--quant-cache', cache, '--prompt', '4', '--output', '2', '--silu', 'exact'];

  it('runs a Hugging Face folder: quantized into the cache on the first run, read from it on the next', async () => {
    const first = await cli(...argv(single));
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('LUT-LLM emulator, functional mode: single on AMD Alveo V80 public build (INT4 tables) @ 250 MHz');
    // 2 layers + the LM head: 3 cache entries, none there yet
    expect(first.stdout).toContain(`weights of the checkpoint ${single} (hidden 256, 2 layers, vocabulary 512), co-quantized (0 of 3 layer entries from the cache in ${cache})`);
    expect(first.stdout).toContain('<- this run: met'); // exact SiLU: the emulated pipeline matches the LUT reference
    expect(readdirSync(cache)).toHaveLength(1);
    const again = await cli(...argv(single));
    expect(again.stdout).toContain('co-quantized (3 of 3 layer entries from the cache');
    // the same logits: the generated tokens agree
    const ids = (s: string) => /generated token ids: (.*)/.exec(s)![1];
    expect(ids(again.stdout)).toBe(ids(first.stdout));
  });

  it('reads a sharded folder (model.safetensors.index.json) to the same result', async () => {
    const r = await cli(...argv(sharded));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<- this run: met');
    const one = await cli(...argv(single));
    expect(/generated token ids: (.*)/.exec(r.stdout)![1]).toBe(/generated token ids: (.*)/.exec(one.stdout)![1]);
  });

  it('reports a non-finite weight with its tensor name', async () => {
    const bad = { ...tensors };
    const name = hfLayerTensorName(1, 'downProj');
    const data = new Float32Array(bad[name]!.data as Float32Array);
    data[7] = Number.NaN;
    bad[name] = { ...bad[name]!, data };
    const ckpt = writeCheckpoint('nan', bad, false);
    const r = await cli('--mode', 'functional', '--checkpoint', ckpt, '--quant-cache', cache, '--prompt', '4', '--output', '2');
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe(`lut-llm: --checkpoint ${ckpt}: tensor 'model.layers.1.mlp.down_proj.weight' has 1 non-finite value(s) of ${data.length} (the first, at element 7, is NaN); the emulator needs finite weights`);
  });

  it.each([
    [['--checkpoint', join(dir, 'nowhere')], /^lut-llm: --checkpoint only applies to --mode functional/],
    [['--mode', 'functional', '--checkpoint', join(dir, 'nowhere')], /^lut-llm: --checkpoint .*nowhere: .*no such file or directory$/],
    [['--mode', 'functional', '--model', 'tiny', '--checkpoint', join(dir, 'single')], /^lut-llm: --checkpoint and --model: the model of a checkpoint is its config.json; give one of them$/],
  ])('%j', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });
});
