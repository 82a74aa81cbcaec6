import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, resolveVqConfig } from '@lut-llm/vq';
import { tinyQwen3Config } from '../config.js';
import { rmsNorm } from '../ops/rms-norm.js';
import { Qwen3Reference } from '../reference.js';
import { SyntheticQwen3Weights } from '../synthetic-weights.js';
import { Qwen3Calibrator, syntheticCalibrationTokens } from './calibration.js';
import { quantizedLinearFactory } from './lut-linear-factory.js';
import { decodeQuantCacheFile, encodeQuantCacheFile, QuantCacheError } from './quant-cache-format.js';
import { quantCacheEntryDir, quantizeQwen3Model, type QuantizeProgress } from './quantize-model.js';

// Small enough that a whole-model quantization takes ~0.1 s (default vq config).
const cfg = tinyQwen3Config({ hidden: 64, intermediate: 128, heads: 2, kvHeads: 1, headDim: 32, vocab: 128 });
const src = new SyntheticQwen3Weights(cfg, 1);
const calib = syntheticCalibrationTokens(cfg, 1, 48, 7);
const dir = mkdtempSync(join(tmpdir(), 'lut-llm-quant-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Qwen3Calibrator', () => {
  it('records the FP32 inputs of each linear op; layer 0 qkv input is RMSNorm(embedding)', () => {
    const c = new Qwen3Calibrator(cfg, src.globals(), [[3, 4, 5], [9]]);
    expect(() => c.lmHeadInputs()).toThrow(/needs all 2 layers run first \(0 done\)/);
    const w0 = src.layer(0);
    const l0 = c.runLayer(w0);
    expect(l0.qkv.tokens).toBe(4);
    expect(l0.qkv.x.length).toBe(4 * 64);
    expect(l0.o.x.length).toBe(4 * 64); // heads * headDim = 64
    expect(l0.down.x.length).toBe(4 * 128);
    const emb = src.globals().embedTokens;
    const firstTokens = new Float32Array([...emb.subarray(3 * 64, 4 * 64), ...emb.subarray(4 * 64, 5 * 64), ...emb.subarray(5 * 64, 6 * 64), ...emb.subarray(9 * 64, 10 * 64)]);
    expect(Array.from(l0.qkv.x)).toEqual(Array.from(rmsNorm(firstTokens, w0.inputNorm, cfg.rmsNormEps)));
    expect(c.layer).toBe(1);
    c.runLayer(src.layer(1));
    expect(c.lmHeadInputs().tokens).toBe(4);
    expect(() => c.runLayer(src.layer(1))).toThrow(/all 2 layers have already been calibrated/);
  });
  it('rejects bad calibration tokens naming them', () => {
    expect(() => new Qwen3Calibrator(cfg, src.globals(), [[1, 2], [3, 128]])).toThrow(/calibration sequence 1, token 1: id 128 is out of range \[0, 128\)/);
    expect(() => new Qwen3Calibrator(cfg, src.globals(), [])).toThrow(/at least one token sequence/);
  });
});

describe('quantizeQwen3Model', () => {
  it('wires each op to its own weights and activations: near-lossless codebooks reproduce FP32 logits', () => {
    // With c_a >= calibration tokens every calibration activation is its own centroid, and c_w = 256
    // codebooks over 64..256 columns nearly memorise the weights; evaluated on the calibration
    // prompt, the LUT model then matches FP32 up to INT8 table rounding (a mis-wired op would not).
    const q = quantizeQwen3Model(src, { calibrationTokens: calib, vq: { cA: 256, cW: 256 } });
    const ref = new Qwen3Reference(src).prefillAllLogits(calib[0]!);
    const lut = new Qwen3Reference(src, { linearFactory: quantizedLinearFactory(q) }).prefillAllLogits(calib[0]!);
    expect(cosineSimilarity(ref, lut)).toBeGreaterThan(0.99);
  });

  it('paper defaults (W2A3) on synthetic i.i.d. weights: logits correlate, far from exact', () => {
    // Each synthetic linear has a relative L2 error of ~0.4-0.5 at 16 weight / 64 activation
    // centroids (i.i.d. Gaussian weights have no structure for VQ to exploit), so the model-level
    // cosine is ~0.6 here. The floor 0.4 only guards against a broken pipeline (cosine ~0).
    const q = quantizeQwen3Model(src, { calibrationTokens: calib });
    expect(q.layers.map((l) => [l.ops.qkv.outFeatures, l.ops.o.inFeatures, l.ops.gate_up.outFeatures, l.ops.down.inFeatures])).toEqual([
      [128, 64, 256, 128],
      [128, 64, 256, 128],
    ]);
    expect(q.lmHead?.outFeatures).toBe(128);
    expect(q.vq).toEqual(resolveVqConfig({}));
    const held = syntheticCalibrationTokens(cfg, 1, 32, 8)[0]!;
    const ref = new Qwen3Reference(src).prefillAllLogits(held);
    const lut = new Qwen3Reference(src, { linearFactory: quantizedLinearFactory(q) }).prefillAllLogits(held);
    const cos = cosineSimilarity(ref, lut);
    expect(cos).toBeGreaterThan(0.4);
    expect(cos).toBeLessThan(0.99);
    const noHead = quantizeQwen3Model(src, { calibrationTokens: calib, includeLmHead: false });
    expect(noHead.lmHead).toBeNull();
    expect(noHead.key).not.toBe(q.key);
  });

  it('caches on disk: the second run reads every entry and gives identical arrays', () => {
    const events: QuantizeProgress[] = [];
    const a = quantizeQwen3Model(src, { calibrationTokens: calib, cacheDir: dir, onProgress: (e) => events.push(e) });
    expect(events.map((e) => `${e.entry}:${e.fromCache}`)).toEqual(['layer 0:false', 'layer 1:false', 'lm_head:false']);
    const entryDir = quantCacheEntryDir(dir, a.key);
    expect(readdirSync(entryDir).sort()).toEqual(['layer-0000.lutq', 'layer-0001.lutq', 'lm_head.lutq', 'manifest.json']);
    expect(JSON.parse(readFileSync(join(entryDir, 'manifest.json'), 'utf8'))).toMatchObject({ key: a.key, sourceId: src.sourceId, config: { hidden: 64 } });
    events.length = 0;
    const b = quantizeQwen3Model(src, { calibrationTokens: calib, cacheDir: dir, onProgress: (e) => events.push(e) });
    expect(events.every((e) => e.fromCache)).toBe(true);
    expect(b.key).toBe(a.key);
    for (let l = 0; l < 2; l++) {
      for (const n of ['qkv', 'o', 'gate_up', 'down'] as const) {
        expect(Buffer.from(b.layers[l]!.ops[n].lut.buffer).equals(Buffer.from(a.layers[l]!.ops[n].lut.buffer))).toBe(true);
        expect(Array.from(b.layers[l]!.ops[n].actCodebooks)).toEqual(Array.from(a.layers[l]!.ops[n].actCodebooks));
        expect(Array.from(b.layers[l]!.ops[n].weightIndices)).toEqual(Array.from(a.layers[l]!.ops[n].weightIndices));
      }
    }
    expect(Array.from(b.lmHead!.lutScale)).toEqual(Array.from(a.lmHead!.lutScale));
  });

  it('keys change with the vq config, the calibration and the weights', () => {
    const base = quantizeQwen3Model(src, { calibrationTokens: calib, includeLmHead: false }).key;
    expect(quantizeQwen3Model(src, { calibrationTokens: calib, includeLmHead: false, vq: { lutBits: 4 } }).key).not.toBe(base);
    expect(quantizeQwen3Model(src, { calibrationTokens: [calib[0]!.slice(1)], includeLmHead: false }).key).not.toBe(base);
    expect(quantizeQwen3Model(new SyntheticQwen3Weights(cfg, 2), { calibrationTokens: calib, includeLmHead: false }).key).not.toBe(base);
  });

  it('needs a source id for a cache', () => {
    const anonymous = { config: cfg, layer: (i: number) => src.layer(i), globals: () => src.globals() };
    expect(() => quantizeQwen3Model(anonymous, { calibrationTokens: calib, cacheDir: dir })).toThrow(/needs a sourceId/);
  });
});

describe('corrupt cache files -> clear errors', () => {
  const q = quantizeQwen3Model(src, { calibrationTokens: calib, includeLmHead: false });
  const ops = (['qkv', 'o', 'gate_up', 'down'] as const).map((name) => ({ name, q: q.layers[0]!.ops[name] }));
  const good = encodeQuantCacheFile('k1', 'layer 0', ops);

  const errorOf = (bytes: Uint8Array, key = 'k1'): string => {
    try {
      decodeQuantCacheFile(bytes, 'f.lutq', key);
    } catch (e) {
      expect(e).toBeInstanceOf(QuantCacheError);
      return (e as Error).message;
    }
    return 'no error';
  };

  it('round-trips', () => {
    const back = decodeQuantCacheFile(good, 'f.lutq', 'k1', q.vq);
    expect(back.entry).toBe('layer 0');
    expect(back.ops.map((o) => o.name)).toEqual(['qkv', 'o', 'gate_up', 'down']);
    expect(Array.from(back.ops[2]!.q.lutZeroPoint)).toEqual(Array.from(ops[2]!.q.lutZeroPoint));
    // From a Node Buffer at a non-zero offset of a larger pool (as readFileSync may return).
    const pooled = Buffer.alloc(good.length + 13);
    pooled.set(good, 13);
    const fromBuffer = decodeQuantCacheFile(pooled.subarray(13), 'f.lutq', 'k1');
    for (let i = 0; i < 4; i++) {
      expect(Array.from(fromBuffer.ops[i]!.q.lut)).toEqual(Array.from(ops[i]!.q.lut));
      expect(Array.from(fromBuffer.ops[i]!.q.weightCodebooks)).toEqual(Array.from(ops[i]!.q.weightCodebooks));
    }
  });

  it('names each problem', () => {
    const flipped = good.slice();
    flipped[flipped.length - 3] ^= 0x55;
    expect(errorOf(flipped)).toMatch(/^f\.lutq: corrupt quantization cache file: payload checksum \(SHA-256\) mismatch; delete the file/);
    expect(errorOf(good.subarray(0, good.length - 100))).toMatch(/payload is \d+ bytes, header says \d+ \(truncated\?\)/);
    expect(errorOf(good.subarray(0, 10))).toMatch(/10 bytes, shorter than the 16-byte prefix \(truncated\)/);
    expect(errorOf(good.subarray(0, 40))).toMatch(/header length \d+ runs past the end of the file \(truncated\)/);
    const magic = good.slice();
    magic[0] = 0x58;
    expect(errorOf(magic)).toMatch(/not a LUT-LLM quantization cache file \(bad magic\)/);
    const version = good.slice();
    new DataView(version.buffer).setUint32(8, 99, true);
    expect(errorOf(version)).toMatch(/cache format version 99, this build reads version 1/);
    const json = good.slice();
    json[16] = 0x7d; // '}' where '{' was
    expect(errorOf(json)).toMatch(/header is not valid JSON/);
    expect(errorOf(good, 'k2')).toMatch(/cache key k1\.\.\. does not match the requested k2\.\.\. \(file from another model or configuration\)/);
    expect(() => decodeQuantCacheFile(good, 'f.lutq', 'k1', resolveVqConfig({ lutBits: 4 }))).toThrow(/op "qkv": vq config .* differs from the requested/);
  });

  it('a corrupt or misplaced file inside a cache directory stops quantizeQwen3Model with its path', () => {
    const cacheDir = join(dir, 'corrupt');
    const a = quantizeQwen3Model(src, { calibrationTokens: calib, cacheDir, includeLmHead: false });
    const entryDir = quantCacheEntryDir(cacheDir, a.key);
    const layer1 = join(entryDir, 'layer-0001.lutq');
    copyFileSync(join(entryDir, 'layer-0000.lutq'), layer1);
    expect(() => quantizeQwen3Model(src, { calibrationTokens: calib, cacheDir, includeLmHead: false })).toThrow(/layer-0001\.lutq: holds "layer 0" .* expected "layer 1"/);
    const bytes = readFileSync(layer1);
    writeFileSync(layer1, bytes.subarray(0, bytes.length - 1));
    expect(() => quantizeQwen3Model(src, { calibrationTokens: calib, cacheDir, includeLmHead: false })).toThrow(QuantCacheError);
    rmSync(layer1);
    const again = quantizeQwen3Model(src, { calibrationTokens: calib, cacheDir, includeLmHead: false }); // rebuilt after deletion
    expect(Array.from(again.layers[1]!.ops.down.lut)).toEqual(Array.from(a.layers[1]!.ops.down.lut));
  });
});
