import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { sfuActor, sfuPortWidth, type SfuStageParams } from './actor.js';
import { reductionTreeCycles, sfuTokenCycles } from './cycle-model.js';
import type { SfuOp } from './ops.js';
import { DEFAULT_SFU_PARAMS, resolveSfuParams } from './params.js';

/**
 * SFU cycle counts derived by hand from the datapath (README "Cycle model"), never from the cost
 * functions the actor uses. Defaults: lanes 16, fadd 4, fmul 4, exp 16, div 12, rsqrt 16, compare 1.
 *
 *   reduction tree = (log2 16 + log2 4) x 4                       = (4 + 2) x 4 = 24
 *   RMS tail       = tree + mul + add + rsqrt                     = 24 + 4 + 4 + 16 = 48
 *   LayerNorm      two-pass: mean 24 + 4 = 28, variance 24 + 4 + 4 + 16 = 48;
 *                  one-pass: 24 + 2 x 4 + 2 x 4 + 16 = 56
 *   softmax        two-pass: max log2(16) x 1 = 4, exp and sum 16 + 24 + 12 = 52;
 *                  one-pass: 16 + 24 + 16 + 12 = 68
 *   output latency norms 2 mul = 8; LayerNorm 2 add + 2 mul = 16; softmax add + exp + mul = 24;
 *                  RoPE mul + add + ceil(64 / 16) = 12; SiLU exact exp + add + div = 32, PWL
 *                  compare + mul + add = 9; SwiGLU SiLU + mul; residual add 4.
 * One-pass rows start every period = max(t, ceil((t + tail) / 2)); latency = (R - 1) period + t + tail + t + out.
 * Two-pass: II = R x (sum over passes (t + tail) + t); latency = II + out. Element-wise: II = ceil(n / 16), latency = II + out.
 */
const hw = DEFAULT_SFU_PARAMS;
const twoPass = resolveSfuParams({ reduction: 'two-pass' });
const cycles = (op: SfuOp, p = hw, rows = 1) => {
  const c = sfuTokenCycles(op, p, rows);
  return [c.iiCycles, c.latencyCycles];
};

describe('SFU cycle model against hand-derived counts', () => {
  it('reduction tree: (4 + 2) x 4 = 24; with 8 lanes and a 3-cycle adder (3 + 2) x 3 = 15', () => {
    expect(reductionTreeCycles(hw)).toBe(24);
    expect(reductionTreeCycles(resolveSfuParams({ elementsPerCycle: 8, faddLatencyCycles: 3 }))).toBe(15);
  });

  it('RMSNorm 2048: t = 128; one-pass period max(128, ceil(176 / 2) = 88) = 128: II 128, latency 128 + 48 + 128 + 8 = 312', () => {
    const op: SfuOp = { kind: 'rms-norm', width: 2048, eps: 1e-6 };
    expect(cycles(op)).toEqual([128, 312]);
    // two-pass: (128 + 48) + 128 = 304, latency 304 + 8 = 312
    expect(cycles(op, twoPass)).toEqual([304, 312]);
    // 4 rows one-pass: II 4 x 128 = 512, latency 3 x 128 + 312 = 696
    expect(cycles(op, resolveSfuParams({ rowsPerToken: 4 }), 4)).toEqual([512, 696]);
  });

  it('q/k norm 16 heads x 128: t = 8, tail-bound period ceil((8 + 48) / 2) = 28: II 16 x 28 = 448, latency 15 x 28 + 8 + 48 + 8 + 8 = 492', () => {
    expect(cycles({ kind: 'qk-norm', heads: 16, headDim: 128, eps: 1e-6 })).toEqual([448, 492]);
    // two-pass: per head (8 + 48) + 8 = 64, 16 heads = 1024, latency 1024 + 8
    expect(cycles({ kind: 'qk-norm', heads: 16, headDim: 128, eps: 1e-6 }, twoPass)).toEqual([1024, 1032]);
  });

  it('LayerNorm 2048: one-pass period max(128, ceil(184 / 2) = 92) = 128, latency 128 + 56 + 128 + 16 = 328; two-pass (128 + 28) + (128 + 48) + 128 = 460, latency 476', () => {
    const op: SfuOp = { kind: 'layer-norm', width: 2048, eps: 1e-5 };
    expect(cycles(op)).toEqual([128, 328]);
    expect(cycles(op, twoPass)).toEqual([460, 476]);
  });

  it('softmax 100: t = ceil(100 / 16) = 7; one-pass period max(7, ceil(75 / 2) = 38) = 38, latency 7 + 68 + 7 + 24 = 106; two-pass (7 + 4) + (7 + 52) + 7 = 77, latency 101', () => {
    const op: SfuOp = { kind: 'softmax', width: 100 };
    expect(cycles(op)).toEqual([38, 106]);
    expect(cycles(op, twoPass)).toEqual([77, 101]);
  });

  it('element-wise: RoPE 16 x 128 II 128, latency 140; SiLU 6144 II 384, exact 416 / PWL 393; SwiGLU PWL 397; residual 2048 II 128, latency 132; 2 rows of SiLU II 768', () => {
    expect(cycles({ kind: 'rope', heads: 16, headDim: 128 })).toEqual([128, 140]);
    expect(cycles({ kind: 'silu', width: 6144, silu: 'exact' })).toEqual([384, 416]);
    expect(cycles({ kind: 'silu', width: 6144, silu: 'pwl9' })).toEqual([384, 393]);
    expect(cycles({ kind: 'swiglu', width: 6144, silu: 'pwl9' })).toEqual([384, 397]);
    expect(cycles({ kind: 'swiglu', width: 6144, silu: 'exact' })).toEqual([384, 420]);
    expect(cycles({ kind: 'residual-add', width: 2048 })).toEqual([128, 132]);
    expect(cycles({ kind: 'silu', width: 6144, silu: 'pwl9' }, resolveSfuParams({ rowsPerToken: 2 }), 2)).toEqual([768, 777]);
  });

  it('actor in a graph: three q/k-norm tokens from a source at cycles 0, 1, 2 are ready at 492, 940, 1388 (start every 448 cycles)', () => {
    const params: SfuStageParams = { ...hw, op: { kind: 'qk-norm', heads: 16, headDim: 128, eps: 1e-6 } };
    const w = sfuPortWidth(params);
    const g = new GraphBuilder('qk-norm-alone');
    const x = g.stream('x', { depth: 2, widthBytes: w });
    const y = g.stream('y', { depth: 2, widthBytes: w });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: w, meta: () => ({ rows: 1 }) }), { out: { out: x } });
    g.invoke(sfuActor('sfu', params), { in: { in: x }, out: { out: y } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: w }), { in: { in: y } });
    const r = runGraph(g.build());
    // Token k starts at 448 k (the datapath's II; the source is faster) and is ready 492 later.
    expect(r.sinks['sink']!.map((t) => t.readyCycle)).toEqual([492, 940, 1388]);
  });
});
