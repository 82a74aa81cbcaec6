// Small hand-computed values of every SFU kernel (exact in FP32 where possible) and the exact
// messages of the SFU's argument checks, through the package's public exports.
import type { SfuTokenMeta } from '@lut-llm/contracts';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SFU_PARAMS,
  layerNormFp32,
  qkRmsNormFp32,
  residualAddFp32,
  resolveSfuParams,
  rmsNormFp32,
  ropeFp32,
  sfu,
  sfuActor,
  sfuKernel,
  sfuPortWidth,
  sfuRowLength,
  siluExact,
  siluFp32,
  siluPwl9,
  softmaxFp32,
  statisticPasses,
  swigluFp32,
  validateSfuOp,
  type SfuOp,
} from './index.js';

const f32 = (...v: number[]) => Float32Array.from(v);
const arr = (a: Float32Array) => Array.from(a);
const HW = DEFAULT_SFU_PARAMS;
const M = (rows = 1, positionStart?: number): SfuTokenMeta => ({ rows, ...(positionStart !== undefined ? { positionStart } : {}) });
/** silu(1) = 1 / (1 + e^-1) = 0.7310585786300049; softmax of [1, 0] = [silu(1), 1 - silu(1)]. */
const SIGMOID_1 = 1 / (1 + Math.exp(-1));

describe('SFU kernels by hand', () => {
  it('RMSNorm: rows [2, -2] and [2, 2], eps 12: mean of squares 4, 1 / sqrt(4 + 12) = 1/4; weight [2, 4]', () => {
    expect(arr(rmsNormFp32(f32(2, -2, 2, 2), 2, 12))).toEqual([0.5, -0.5, 0.5, 0.5]);
    expect(arr(rmsNormFp32(f32(2, -2, 2, 2), 2, 12, f32(2, 4)))).toEqual([1, -2, 1, 2]);
    expect(arr(rmsNormFp32(f32(3), 1, 7))).toEqual([0.75]); // 3 / sqrt(9 + 7)
    // qk-norm: per head of 2, the weight shared by the heads
    expect(arr(qkRmsNormFp32(f32(2, -2, 2, 2), 2, 2, 12, f32(2, 4)))).toEqual([1, -2, 1, 2]);
    expect(arr(sfuKernel({ kind: 'qk-norm', heads: 2, headDim: 2, eps: 12, weight: f32(2, 4) }, HW, { in: f32(2, -2, 2, 2) }, M()))).toEqual([1, -2, 1, 2]);
    expect(arr(sfuKernel({ kind: 'rms-norm', width: 2, eps: 12 }, HW, { in: f32(2, -2, 2, 2) }, M(2)))).toEqual([0.5, -0.5, 0.5, 0.5]);
  });

  it('LayerNorm of [1, 3], eps 3: mean 2, variance 1, 1 / sqrt(1 + 3) = 1/2 -> [-1/2, 1/2]; x [2, 2] + [1, 0] -> [0, 2]', () => {
    for (const mode of ['one-pass', 'two-pass'] as const) {
      expect(arr(layerNormFp32(f32(1, 3), 2, 3, { mode }))).toEqual([-0.5, 0.5]);
      expect(arr(layerNormFp32(f32(1, 3), 2, 3, { mode, weight: f32(2, 2), bias: f32(1, 0) }))).toEqual([0, 1]);
      const hw = resolveSfuParams({ reduction: mode });
      expect(arr(sfuKernel({ kind: 'layer-norm', width: 2, eps: 3, weight: f32(2, 2), bias: f32(1, 0) }, hw, { in: f32(1, 3) }, M()))).toEqual([0, 1]);
      expect(arr(sfuKernel({ kind: 'layer-norm', width: 2, eps: 3, bias: f32(1, 0) }, hw, { in: f32(1, 3) }, M()))).toEqual([0.5, 0.5]);
      expect(arr(sfuKernel({ kind: 'layer-norm', width: 2, eps: 3, weight: f32(2, 2) }, hw, { in: f32(1, 3) }, M()))).toEqual([-1, 1]);
    }
  });

  it('RoPE: position 0 is the identity; position 1 rotates pair (i, i + h) by 1 x theta^(-2i / headDim)', () => {
    expect(arr(ropeFp32(f32(1, 2, 3, 4), 0, 1, 4))).toEqual([1, 2, 3, 4]);
    // theta 4, headDim 4: angles 1 and 4^(-1/2) = 1/2. x = [1, 1, 0, 0]: y = [cos 1, cos 1/2, sin 1, sin 1/2].
    const y = ropeFp32(f32(1, 1, 0, 0), 1, 1, 4, 4);
    const want = [Math.cos(1), Math.cos(0.5), Math.sin(1), Math.sin(0.5)];
    want.forEach((w, i) => expect(y[i]).toBeCloseTo(w, 6));
    // through the kernel: the op's theta and the token's positionStart (token 0 at position 1, token 1 at 2)
    const k = sfuKernel({ kind: 'rope', heads: 1, headDim: 4, theta: 4 }, HW, { in: f32(1, 1, 0, 0, 1, 1, 0, 0) }, M(2, 1));
    [Math.cos(1), Math.cos(0.5), Math.sin(1), Math.sin(0.5), Math.cos(2), Math.cos(1), Math.sin(2), Math.sin(1)].forEach((w, i) => expect(k[i]).toBeCloseTo(w, 6));
    // without positionStart the token starts at position 0
    expect(arr(sfuKernel({ kind: 'rope', heads: 1, headDim: 2 }, HW, { in: f32(5, 6) }, M()))).toEqual([5, 6]);
  });

  it('SiLU and SwiGLU: silu(1) = 1 / (1 + e^-1); the PWL variant is its own function', () => {
    expect(siluFp32(f32(1))[0]).toBeCloseTo(SIGMOID_1, 6);
    expect(siluFp32(f32(1), 'exact')[0]).toBe(Math.fround(siluExact(1)));
    expect(siluFp32(f32(1, -7, 6), 'pwl9')).toEqual(f32(siluPwl9(1), 0, 6));
    expect(siluPwl9(1)).not.toBe(Math.fround(siluExact(1)));
    expect(sfuKernel({ kind: 'silu', width: 1, silu: 'pwl9' }, HW, { in: f32(1) }, M())[0]).toBe(Math.fround(siluPwl9(1)));
    expect(sfuKernel({ kind: 'silu', width: 1, silu: 'exact' }, HW, { in: f32(1) }, M())[0]).toBeCloseTo(SIGMOID_1, 6);
    expect(swigluFp32(f32(1), f32(2))[0]).toBeCloseTo(2 * SIGMOID_1, 6);
    expect(() => swigluFp32(f32(1), f32(1, 2))).toThrow('swiglu: gate has 1 values but up has 2');
  });

  it('softmax: [1, 0] -> [s, 1 - s] (s = 1 / (1 + e^-1)) in both modes and any lane count; -Infinity entries get 0', () => {
    for (const mode of ['one-pass', 'two-pass'] as const) {
      for (const lanes of [1, 2, 16]) {
        const y = softmaxFp32(f32(1, 0, 0, 1), 2, { mode, lanes });
        [SIGMOID_1, 1 - SIGMOID_1, 1 - SIGMOID_1, SIGMOID_1].forEach((w, i) => expect(y[i]).toBeCloseTo(w, 6));
        expect(arr(softmaxFp32(f32(0, -Infinity, 0, 0), 4, { mode, lanes }))).toEqual([1 / 3, 0, 1 / 3, 1 / 3].map(Math.fround));
        expect(() => softmaxFp32(f32(0, 0, -Infinity, -Infinity), 2, { mode, lanes })).toThrow('softmax: row 1 is all -Infinity');
      }
      const k = sfuKernel({ kind: 'softmax', width: 2 }, resolveSfuParams({ reduction: mode, elementsPerCycle: 1 }), { in: f32(1, 0) }, M());
      expect(k[0]).toBeCloseTo(SIGMOID_1, 6);
    }
  });

  it('residual add', () => {
    expect(arr(residualAddFp32(f32(1, 2), f32(3, 4.5)))).toEqual([4, 6.5]);
    expect(arr(sfuKernel({ kind: 'residual-add', width: 2 }, HW, { in: f32(1, 2), residual: f32(3, 4.5) }, M()))).toEqual([4, 6.5]);
    expect(() => residualAddFp32(f32(1, 2), f32(3))).toThrow('residual add: input has 2 values but the residual has 1');
  });
});

describe('SFU kernel argument checks name the function, the field and the value', () => {
  it('row length, weight and bias lengths, eps', () => {
    expect(() => rmsNormFp32(f32(1), 0, 1)).toThrow('rmsNorm: row length must be an integer >= 1, got 0');
    expect(() => rmsNormFp32(f32(1), 0.5, 1)).toThrow('rmsNorm: row length must be an integer >= 1, got 0.5');
    expect(() => rmsNormFp32(f32(1, 2, 3), 2, 1)).toThrow('rmsNorm: input has 3 values, not a multiple of the row length 2');
    expect(() => rmsNormFp32(f32(1, 2), 2, 1, f32(1))).toThrow('rmsNorm: weight has 1 values, expected 2');
    expect(() => rmsNormFp32(f32(1, 2), 2, 0)).toThrow('rmsNorm: eps must be > 0, got 0');
    expect(() => rmsNormFp32(f32(1, 2), 2, NaN)).toThrow('rmsNorm: eps must be > 0, got NaN');
    expect(() => qkRmsNormFp32(f32(1, 2, 3), 2, 1, 1)).toThrow('qkRmsNorm: input has 3 values, not a multiple of heads x headDim = 2');
    expect(() => layerNormFp32(f32(1, 2), 2, 1, { weight: f32(1) })).toThrow('layerNorm: weight has 1 values, expected 2');
    expect(() => layerNormFp32(f32(1, 2), 2, 1, { bias: f32(1, 2, 3) })).toThrow('layerNorm: bias has 3 values, expected 2');
    expect(() => layerNormFp32(f32(1, 2), 2, 0)).toThrow('layerNorm: eps must be > 0, got 0');
    expect(() => layerNormFp32(f32(1, 2), 3, 1)).toThrow('layerNorm: input has 2 values, not a multiple of the row length 3');
    expect(() => softmaxFp32(f32(1, 2), 0)).toThrow('softmax: row length must be an integer >= 1, got 0');
  });

  it('RoPE: theta, heads, headDim, positionStart', () => {
    expect(() => ropeFp32(f32(1, 2), 0, 1, 2, 0)).toThrow('rope: theta must be a finite number > 0, got 0');
    expect(() => ropeFp32(f32(1, 2), 0, 1, 2, Infinity)).toThrow('rope: theta must be a finite number > 0, got Infinity');
    expect(() => ropeFp32(f32(1, 2), 0, 1, 2, -5)).toThrow('rope: theta must be a finite number > 0, got -5');
    expect(() => ropeFp32(f32(1, 2), 0, 1, 3)).toThrow('rope: headDim must be an even integer >= 2, got 3');
    expect(() => ropeFp32(f32(1, 2), 0, 0, 2)).toThrow('rope: heads must be an integer >= 1, got 0');
    expect(() => ropeFp32(f32(1, 2), 0, 1.5, 2)).toThrow('rope: heads must be an integer >= 1, got 1.5');
    expect(() => ropeFp32(f32(1, 2, 3), 0, 1, 2)).toThrow('rope: input has 3 values, not a multiple of heads x headDim = 2');
    expect(() => ropeFp32(f32(1, 2), -1, 1, 2)).toThrow('rope: positionStart must be an integer >= 0, got -1');
    expect(() => ropeFp32(f32(1, 2), 0.5, 1, 2)).toThrow('rope: positionStart must be an integer >= 0, got 0.5');
  });
});

describe('validateSfuOp and resolveSfuParams', () => {
  const bad = (op: unknown, who?: string) => () => validateSfuOp(op as SfuOp, who);
  it('each op constant, its message (default caller "sfu")', () => {
    expect(bad({ kind: 'gelu', width: 4 })).toThrow("sfu: unknown op 'gelu'");
    expect(bad({ kind: 'rms-norm', width: 0, eps: 1 }, 'me')).toThrow('me: rms-norm width must be an integer >= 1, got 0');
    expect(bad({ kind: 'softmax', width: 2.5 })).toThrow('sfu: softmax width must be an integer >= 1, got 2.5');
    expect(bad({ kind: 'qk-norm', heads: 0, headDim: 2, eps: 1 })).toThrow('sfu: qk-norm heads must be an integer >= 1, got 0');
    expect(bad({ kind: 'rope', heads: 1, headDim: -2 })).toThrow('sfu: rope headDim must be an integer >= 1, got -2');
    expect(bad({ kind: 'rms-norm', width: 2, eps: 0 })).toThrow('sfu: rms-norm eps must be > 0, got 0');
    expect(bad({ kind: 'layer-norm', width: 2, eps: -1 })).toThrow('sfu: layer-norm eps must be > 0, got -1');
    expect(bad({ kind: 'qk-norm', heads: 2, headDim: 2, eps: NaN })).toThrow('sfu: qk-norm eps must be > 0, got NaN');
    expect(bad({ kind: 'rms-norm', width: 2, eps: 1, weight: f32(1, 2, 3) })).toThrow('sfu: rms-norm weight has 3 values, expected 2');
    // qk-norm's weight is per head: headDim values
    expect(bad({ kind: 'qk-norm', heads: 2, headDim: 2, eps: 1, weight: f32(1, 2, 3, 4) })).toThrow('sfu: qk-norm weight has 4 values, expected 2');
    expect(bad({ kind: 'layer-norm', width: 2, eps: 1, bias: f32(1) })).toThrow('sfu: layer-norm bias has 1 values, expected 2');
    expect(bad({ kind: 'rope', heads: 1, headDim: 3 })).toThrow('sfu: rope headDim must be even, got 3');
    expect(bad({ kind: 'rope', heads: 1, headDim: 2, theta: 0 })).toThrow('sfu: rope theta must be a finite number > 0, got 0');
    expect(bad({ kind: 'rope', heads: 1, headDim: 2, theta: Infinity })).toThrow('sfu: rope theta must be a finite number > 0, got Infinity');
    expect(bad({ kind: 'silu', width: 2, silu: 'tanh' })).toThrow("sfu: silu silu must be 'exact' or 'pwl9', got 'tanh'");
    expect(bad({ kind: 'swiglu', width: 2, silu: undefined })).toThrow("sfu: swiglu silu must be 'exact' or 'pwl9', got 'undefined'");
  });

  it('valid ops pass: the smallest sizes, a weight of the right length, a per-head qk weight, a bias only on layer-norm', () => {
    for (const op of [
      { kind: 'rms-norm', width: 1, eps: 1e-30, weight: f32(1) },
      { kind: 'qk-norm', heads: 2, headDim: 2, eps: 1, weight: f32(1, 2) },
      { kind: 'layer-norm', width: 2, eps: 1, weight: f32(1, 2), bias: f32(0, 0) },
      // bias is a layer-norm field; on an rms-norm op it is not read
      { kind: 'rms-norm', width: 2, eps: 1, bias: f32(0) },
      { kind: 'rope', heads: 1, headDim: 2, theta: 10 },
      { kind: 'rope', heads: 1, headDim: 2 },
      { kind: 'silu', width: 1, silu: 'exact' },
      { kind: 'swiglu', width: 1, silu: 'pwl9' },
      { kind: 'residual-add', width: 1 },
      { kind: 'softmax', width: 1 },
    ]) {
      expect(bad(op)).not.toThrow();
    }
    expect(sfuRowLength({ kind: 'rope', heads: 3, headDim: 4 })).toBe(12);
    expect(sfuRowLength({ kind: 'qk-norm', heads: 2, headDim: 8, eps: 1 })).toBe(16);
    expect(sfuRowLength({ kind: 'softmax', width: 5 })).toBe(5);
  });

  it('parameters: unknown names, counts >= 1, latencies >= 0 (0 allowed), the reduction mode', () => {
    expect(() => resolveSfuParams({ lanes: 4 } as never)).toThrow("sfu: unknown parameter 'lanes'");
    expect(() => resolveSfuParams({ lanes: 4 } as never, 'me')).toThrow("me: unknown parameter 'lanes'");
    expect(() => resolveSfuParams({ elementsPerCycle: 0 })).toThrow('sfu: elementsPerCycle must be an integer >= 1, got 0');
    expect(() => resolveSfuParams({ rowsPerToken: 1.5 })).toThrow('sfu: rowsPerToken must be an integer >= 1, got 1.5');
    expect(() => resolveSfuParams({ expLatencyCycles: -1 })).toThrow('sfu: expLatencyCycles must be an integer >= 0, got -1');
    expect(() => resolveSfuParams({ compareLatencyCycles: 0.5 })).toThrow('sfu: compareLatencyCycles must be an integer >= 0, got 0.5');
    expect(() => resolveSfuParams({ reduction: 'three-pass' as never })).toThrow("sfu: reduction must be 'one-pass' or 'two-pass', got 'three-pass'");
    const zero = resolveSfuParams({ faddLatencyCycles: 0, fmulLatencyCycles: 0, expLatencyCycles: 0, divLatencyCycles: 0, rsqrtLatencyCycles: 0, compareLatencyCycles: 0, reduction: 'two-pass' });
    expect(zero).toEqual({ ...DEFAULT_SFU_PARAMS, faddLatencyCycles: 0, fmulLatencyCycles: 0, expLatencyCycles: 0, divLatencyCycles: 0, rsqrtLatencyCycles: 0, compareLatencyCycles: 0, reduction: 'two-pass' });
  });
});

describe('SFU operator and actor: token checks', () => {
  const op: SfuOp = { kind: 'residual-add', width: 2 };
  const run = async (rows: number, payload: Record<string, unknown>, rowsPerToken = 1) =>
    lastValueFrom(of({ meta: { rows }, payload: payload as Record<string, Float32Array> }).pipe(sfu({ ...resolveSfuParams({ rowsPerToken }), op }), toArray()));

  it('operator: rows within 1..rowsPerToken, a Float32Array of rows x width on every port', async () => {
    const [t] = await run(2, { in: f32(1, 2, 3, 4), residual: f32(1, 1, 1, 1) }, 2);
    expect(arr(t!.payload)).toEqual([2, 3, 4, 5]);
    await expect(run(0, { in: f32(1, 2), residual: f32(1, 2) })).rejects.toThrow('sfu operator: a token must carry 1..1 rows (rowsPerToken), got 0');
    await expect(run(2, { in: f32(1, 2), residual: f32(1, 2) })).rejects.toThrow('sfu operator: a token must carry 1..1 rows (rowsPerToken), got 2');
    await expect(run(1.5, { in: f32(1, 2), residual: f32(1, 2) }, 2)).rejects.toThrow('sfu operator: a token must carry 1..2 rows (rowsPerToken), got 1.5');
    await expect(run(1, { in: f32(1, 2), residual: [1, 2] })).rejects.toThrow("sfu operator: residual-add needs a Float32Array on port 'residual'");
    await expect(run(1, { in: f32(1, 2, 3), residual: f32(1, 2) })).rejects.toThrow("sfu operator: port 'in' has 3 values, expected 1 rows x 2");
  });

  /** Two sources (in, residual) -> residual-add actor -> sink; rows per token and payloads per port. */
  const graph = (rows: { in: number; residual: number }, payload?: { in: unknown; residual: unknown }) => {
    const p = { ...resolveSfuParams({ rowsPerToken: 2 }), op };
    const w = sfuPortWidth(p);
    const g = new GraphBuilder('sfu-checks');
    const ins = { in: g.stream('in', { depth: 1, widthBytes: w }), residual: g.stream('residual', { depth: 1, widthBytes: w }) };
    for (const port of ['in', 'residual'] as const) {
      g.invoke(sourceActor({ name: `src-${port}`, count: 1, widthBytes: w, meta: () => ({ rows: rows[port] }), ...(payload ? { payload: () => payload[port] } : {}) }), { out: { out: ins[port] } });
    }
    const out = g.stream('out', { depth: 1, widthBytes: w });
    g.invoke(sfuActor('add', p), { in: ins, out: { out } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: w }), { in: { in: out } });
    return g.build();
  };

  it('actor: rows in range and equal on every port; payloads checked in functional mode', () => {
    expect(() => runGraph(graph({ in: 3, residual: 3 }))).toThrow("sfu 'add': firing 0: a token must carry 1..2 rows (rowsPerToken), got 3");
    expect(() => runGraph(graph({ in: 0, residual: 0 }))).toThrow("sfu 'add': firing 0: a token must carry 1..2 rows (rowsPerToken), got 0");
    expect(() => runGraph(graph({ in: 2, residual: 1 }))).toThrow("sfu 'add': firing 0: port 'residual' carries 1 rows but 'in' carries 2");
    const r = runGraph(graph({ in: 1, residual: 1 }, { in: f32(1, 2), residual: f32(10, 20) }), { mode: 'functional' });
    expect(arr(r.sinks['sink']![0]!.payload as Float32Array)).toEqual([11, 22]);
    expect(() => runGraph(graph({ in: 1, residual: 1 }, { in: f32(1, 2), residual: [10, 20] }), { mode: 'functional' })).toThrow("sfu 'add': port 'residual' payload must be a Float32Array");
    expect(() => runGraph(graph({ in: 1, residual: 1 }, { in: f32(1, 2, 3), residual: f32(1, 2) }), { mode: 'functional' })).toThrow("sfu 'add': port 'in' payload has 3 values, expected 1 rows x 2");
  });
});

describe('statistic passes by hand (defaults: reduction tree (log2 16 + log2 4) x 4 = 24; add, mul 4; exp 16; div 12; rsqrt 16; compare 1)', () => {
  const two = resolveSfuParams({ reduction: 'two-pass' });
  it('norms, softmax in both modes; element-wise ops have none', () => {
    expect(statisticPasses({ kind: 'rms-norm', width: 8, eps: 1 }, HW)).toEqual([{ name: 'sum of squares', tailCycles: 24 + 4 + 4 + 16 }]);
    expect(statisticPasses({ kind: 'qk-norm', heads: 1, headDim: 8, eps: 1 }, HW)).toEqual([{ name: 'sum of squares', tailCycles: 48 }]);
    expect(statisticPasses({ kind: 'layer-norm', width: 8, eps: 1 }, HW)).toEqual([{ name: 'sum and sum of squares', tailCycles: 24 + 2 * 4 + 2 * 4 + 16 }]);
    expect(statisticPasses({ kind: 'layer-norm', width: 8, eps: 1 }, two)).toEqual([
      { name: 'mean', tailCycles: 24 + 4 },
      { name: 'variance', tailCycles: 24 + 4 + 4 + 16 },
    ]);
    expect(statisticPasses({ kind: 'softmax', width: 8 }, HW)).toEqual([{ name: 'online max and sum', tailCycles: 16 + 24 + 16 + 12 }]);
    // the max pass: a log2(16) = 4-level compare tree
    expect(statisticPasses({ kind: 'softmax', width: 8 }, two)).toEqual([
      { name: 'max', tailCycles: 4 * 1 },
      { name: 'exp and sum', tailCycles: 16 + 24 + 12 },
    ]);
    expect(statisticPasses({ kind: 'softmax', width: 8 }, resolveSfuParams({ reduction: 'two-pass', compareLatencyCycles: 3 }))[0]).toEqual({ name: 'max', tailCycles: 12 });
    expect(statisticPasses({ kind: 'silu', width: 8, silu: 'exact' }, HW)).toEqual([]);
    expect(statisticPasses({ kind: 'residual-add', width: 8 }, HW)).toEqual([]);
  });
});
