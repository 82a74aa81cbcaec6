import { describe, expect, it } from 'vitest';
import { tinyQwen3Config, type Qwen3Config } from './config.js';
import { DenseLinear, type LinearFactory, type LinearSpec } from './linear.js';
import { Qwen3Reference } from './reference.js';
import { linearShapes } from './shapes.js';
import { SyntheticQwen3Weights } from './synthetic-weights.js';

const cfg = tinyQwen3Config();
const prompt = [5, 77, 300, 12, 12, 511, 0, 250, 33, 400];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function model(c: Qwen3Config = cfg, seed = 11, linearFactory?: LinearFactory): Qwen3Reference {
  return new Qwen3Reference(new SyntheticQwen3Weights(c, seed), linearFactory ? { linearFactory } : {});
}

describe('Qwen3Reference', () => {
  const full = model().prefillAllLogits(prompt); // [10][vocab]
  const V = cfg.vocab;

  it('produces finite, spread-out logits', () => {
    expect(full.length).toBe(prompt.length * V);
    let s = 0;
    let s2 = 0;
    for (const v of full) {
      expect(Number.isFinite(v)).toBe(true);
      s += v;
      s2 += v * v;
    }
    const std = Math.sqrt(s2 / full.length - (s / full.length) ** 2);
    expect(std).toBeGreaterThan(0.05); // not collapsed to a constant
  });

  it('prefill then decode equals one prefill of the longer sequence (KV cache), within 1e-5', () => {
    const m = model();
    const last7 = m.prefill(prompt.slice(0, 7));
    expect(maxAbsDiff(last7, full.subarray(6 * V, 7 * V))).toBeLessThan(1e-5);
    for (let t = 7; t < prompt.length; t++) {
      const logits = m.decode(prompt[t]!);
      expect(maxAbsDiff(logits, full.subarray(t * V, (t + 1) * V))).toBeLessThan(1e-5);
    }
    expect(m.position).toBe(prompt.length);
  });

  it('chunked prefill equals a single prefill', () => {
    const m = model();
    const a = m.prefillAllLogits(prompt.slice(0, 4));
    const b = m.prefillAllLogits(prompt.slice(4));
    expect(maxAbsDiff(a, full.subarray(0, 4 * V))).toBeLessThan(1e-5);
    expect(maxAbsDiff(b, full.subarray(4 * V))).toBeLessThan(1e-5);
  });

  it('is causal: changing a later token leaves earlier logits unchanged', () => {
    const changed = [...prompt];
    changed[6] = 1;
    const other = model().prefillAllLogits(changed);
    expect(maxAbsDiff(other.subarray(0, 6 * V), full.subarray(0, 6 * V))).toBe(0);
    expect(maxAbsDiff(other.subarray(6 * V, 7 * V), full.subarray(6 * V, 7 * V))).toBeGreaterThan(1e-3);
  });

  it('uses positions: the same token repeated gets different logits at different positions', () => {
    // prompt[3] and prompt[4] are both token 12.
    expect(maxAbsDiff(full.subarray(3 * V, 4 * V), full.subarray(4 * V, 5 * V))).toBeGreaterThan(1e-3);
  });

  it('reset starts a new sequence; the same seed gives bit-identical logits', () => {
    const m = model();
    const a = m.prefill(prompt);
    m.reset();
    expect(m.position).toBe(0);
    expect(Array.from(m.prefill(prompt))).toEqual(Array.from(a));
    expect(Array.from(a)).toEqual(Array.from(full.subarray(9 * V)));
    // Another seed is another model: the logits differ (the seed is not ignored).
    expect(Array.from(model(cfg, 12).prefill(prompt))).not.toEqual(Array.from(a));
  });

  it('supports q width != hidden, more query heads per KV head, and an untied LM head', () => {
    const odd = tinyQwen3Config({ hidden: 96, intermediate: 160, heads: 6, kvHeads: 2, headDim: 32, vocab: 64, tiedEmbeddings: false, layers: 1 });
    const m = model(odd, 3);
    const all = m.prefillAllLogits([1, 2, 3, 4]);
    const m2 = model(odd, 3);
    m2.prefill([1, 2, 3]);
    expect(maxAbsDiff(m2.decode(4), all.subarray(3 * 64))).toBeLessThan(1e-5);
  });

  it('calls the linear factory for every op with the linearShapes shapes, and runs them in order', () => {
    const calls: string[] = [];
    const specs: LinearSpec[] = [];
    const factory: LinearFactory = (spec) => {
      specs.push(spec);
      const dense = new DenseLinear(spec.weight, spec.outFeatures, spec.inFeatures);
      return {
        inFeatures: spec.inFeatures,
        outFeatures: spec.outFeatures,
        apply: (x, tokens) => {
          calls.push(`${spec.layer ?? '-'}:${spec.name}`);
          return dense.apply(x, tokens);
        },
      };
    };
    const m = model(cfg, 11, factory);
    const shapes = linearShapes(cfg);
    expect(specs.length).toBe(cfg.layers * 4 + 1);
    for (const s of specs) {
      const ref = shapes.find((x) => x.name === s.name)!;
      expect([s.inFeatures, s.outFeatures]).toEqual([ref.inFeatures, ref.outFeatures]);
      expect(s.weight.length).toBe(ref.weightCount);
    }
    const logits = m.prefill(prompt);
    expect(calls).toEqual(['0:qkv', '0:o', '0:gate_up', '0:down', '1:qkv', '1:o', '1:gate_up', '1:down', '-:lm_head']);
    expect(Array.from(logits)).toEqual(Array.from(full.subarray(9 * V))); // same numbers through the wrapper
  });

  it('a swapped-in linear changes the logits (the comparison hook works)', () => {
    const noisy: LinearFactory = (spec) => {
      const w = Float32Array.from(spec.weight, (v, i) => (spec.name === 'down' && i % 7 === 0 ? 0 : v));
      return new DenseLinear(w, spec.outFeatures, spec.inFeatures);
    };
    const logits = model(cfg, 11, noisy).prefill(prompt);
    const d = maxAbsDiff(logits, full.subarray(9 * V));
    expect(d).toBeGreaterThan(1e-4);
  });

  it('rejects bad tokens, empty input, overlong sequences and mis-shaped linears', () => {
    const m = model();
    expect(() => m.prefill([1, 512])).toThrow(/Qwen3-tiny: token id 512 at index 1 is out of range \[0, 512\)/);
    expect(() => m.prefill([])).toThrow(/no tokens to run/);
    expect(() => m.decode(1.5)).toThrow(/token id 1.5 at index 0/);
    const short = model(tinyQwen3Config({ maxPositionEmbeddings: 4, layers: 1 }));
    short.prefill([1, 2, 3]);
    short.decode(4);
    expect(() => short.decode(5)).toThrow(/positions up to 4 exceed maxPositionEmbeddings \(4\)/);
    const wrong: LinearFactory = (spec) => new DenseLinear(new Float32Array(spec.inFeatures * 3), 3, spec.inFeatures);
    expect(() => model(cfg, 1, wrong)).toThrow(/linear factory built layer 0 qkv as 256 -> 3, expected 256 -> 512/);
    const lying: LinearFactory = (spec) => ({ inFeatures: spec.inFeatures, outFeatures: spec.outFeatures, apply: () => new Float32Array(1) });
    expect(() => model(cfg, 1, lying).prefill([1])).toThrow(/qkv: linear op returned 1 values, expected tokens x outFeatures = 1 x 512/);
  });
});
