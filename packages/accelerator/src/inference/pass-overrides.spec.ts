import { tinyQwen3Config } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig, type PlatformOverrides } from '../platform/index.js';
import { buildPassGraph } from './pass-graph.js';
import { runPassTiming, type PassReport } from './run.js';

/**
 * Platform overrides on the whole-model pass, each checked against a value derived by hand from
 * the hardware structure (not re-recorded from the emulator). Tiny model: hidden 256,
 * intermediate 512, 4 query heads and 2 KV heads of 64, one layer, on the default preset
 * (v80-int4-250: 250 MHz, so 32 B per HBM channel per cycle; FP32 activations; 4 input channels,
 * 2 KV read channels; HBM read latency 64 cycles).
 */
const model = tinyQwen3Config({ layers: 1 });
const H = model.hidden;
const platformWith = (over: PlatformOverrides = {}) => loadPlatformConfig({ preset: 'v80-int4-250', ...over });
const pass = (over: PlatformOverrides, phase: 'decode' | 'prefill' = 'decode', tokens = 1, history = 0): PassReport =>
  runPassTiming({ model, platform: platformWith(over), phase, tokens, history });
const busy = (r: PassReport, actor: string): number => {
  const a = r.summary.actors.find((x) => x.actor === actor);
  if (!a) throw new Error(`no actor ${actor}`);
  return a.busyCycles;
};

describe('embedding read: HBM latency and input channels', () => {
  // The embedding reader requests T x H x 4 B (FP32 rows) from the input channel group in one
  // firing: ceil(bytes / (channels x 32 B)) cycles of service, then the tile is readable one HBM
  // read latency later. Layer 0's fork (II 1, latency 0) takes it that cycle and writes the
  // layer-start marker at once, so embeddingCycles = ceil(T x H x 4 / (channels x 32)) + latency.
  const expected = (T: number, channels: number, latency: number) => Math.ceil((T * H * 4) / (channels * 32)) + latency;

  it('the preset: 1024 B over 4 x 32 B = 8 cycles, + 64 latency = 72 (decode); 4 tokens: 32 + 64 = 96', () => {
    const p = platformWith();
    expect(p.hbm.readLatencyCycles).toBe(64);
    expect(p.hbm.channels.input).toBe(4);
    expect(pass({}).embeddingCycles).toBe(expected(1, 4, 64));
    expect(pass({}, 'prefill', 4).embeddingCycles).toBe(expected(4, 4, 64));
    expect(expected(1, 4, 64)).toBe(72);
  });

  it('a read latency of +d moves the embedding span by exactly +d (one serial read)', () => {
    for (const d of [10, 37]) {
      const base = pass({});
      const slow = pass({ hbm: { readLatencyCycles: 64 + d } });
      expect(slow.embeddingCycles).toBe(expected(1, 4, 64 + d));
      expect(slow.embeddingCycles - base.embeddingCycles).toBe(d);
    }
    // Prefill of 4 tokens: the layer is look-up bound (every 16 positions' tiles are looked up
    // T = 4 times each while the next tiles stream), so the loaders' extra latency hides under
    // the look-ups and only the embedding read is exposed: layer and LM head spans unchanged.
    const pre = pass({}, 'prefill', 4);
    const preSlow = pass({ hbm: { readLatencyCycles: 74 } }, 'prefill', 4);
    expect(preSlow.embeddingCycles - pre.embeddingCycles).toBe(10);
    expect(preSlow.layerCycles).toEqual(pre.layerCycles);
    expect(preSlow.lmHeadCycles).toBe(pre.lmHeadCycles);
    expect(preSlow.cycles - pre.cycles).toBe(10);
  });

  it('fewer input channels lengthen the read by the derived service time', () => {
    // 2 channels: 1024 B / 64 B per cycle = 16 cycles (+8); 1 channel: 32 cycles (+24).
    expect(pass({ hbm: { channels: { input: 2 } } }).embeddingCycles).toBe(expected(1, 2, 64));
    expect(pass({ hbm: { channels: { input: 1 } } }).embeddingCycles).toBe(16 + 16 + 64);
    expect(pass({ hbm: { channels: { input: 1 } } }, 'prefill', 4).embeddingCycles).toBe(128 + 64);
  });
});

describe('SFU overrides reach every SFU op of the whole-model pass', () => {
  // Busy cycles of one firing = the SFU's initiation interval (packages/sfu cycle-model), derived
  // here by hand for a decode token (1 row) with 4-cycle adds and multiplies and a 16-cycle rsqrt:
  // - element-wise op over n elements at `lanes` per cycle: ceil(n / lanes);
  // - one-pass RMSNorm of rows of n: t = ceil(n / lanes), tree = (log2 lanes + log2 4) x 4,
  //   tail = tree + mul + add + rsqrt = tree + 24, period = max(t, ceil((t + tail) / 2)), II = rows x period.
  //   lanes 16, n 256: t 16, tree 24, tail 48, period max(16, 32) = 32.
  //   lanes 8,  n 256: t 32, tree 20, tail 44, period max(32, 38) = 38.
  //   qk-norm reduces each head (n = 64) separately: lanes 16: t 4, period max(4, 26) = 26; lanes 8:
  //   t 8, period max(8, 26) = 26; q: 4 heads = 104, k: 2 heads = 52 (tail-bound either way).
  // - RoPE: q 4 x 64 = 256 elements, k 128; residual adds 256; SwiGLU 512 (the intermediate).
  const hand = {
    16: { 'attn-norm': 32, 'ffn-norm': 32, 'final-norm': 32, 'q-norm': 104, 'k-norm': 52, 'q-rope': 16, 'k-rope': 8, residual1: 16, residual2: 16, swiglu: 32 },
    8: { 'attn-norm': 38, 'ffn-norm': 38, 'final-norm': 38, 'q-norm': 104, 'k-norm': 52, 'q-rope': 32, 'k-rope': 16, residual1: 32, residual2: 32, swiglu: 64 },
  } as const;
  const layerOps = new Set(['attn-norm', 'ffn-norm', 'q-norm', 'k-norm', 'q-rope', 'k-rope', 'residual1', 'residual2', 'swiglu']);
  const actorName = (op: string) => (layerOps.has(op) ? `L0.${op}` : op);

  for (const lanes of [16, 8] as const) {
    it(`elementsPerCycle ${lanes}: each SFU op is busy its derived II`, () => {
      const r = pass(lanes === 16 ? {} : { stages: { sfu: { elementsPerCycle: lanes } } });
      for (const [op, ii] of Object.entries(hand[lanes])) expect([op, busy(r, actorName(op))]).toEqual([op, ii]);
    });
  }

  it('an FP32 add latency override reaches the reductions (RMSNorm) and the element-wise ops keep their II', () => {
    // fadd 5: tree = (log2 16 + ceil(log2 5)) x 5 = (4 + 3) x 5 = 35, tail = 35 + 4 + 5 + 16 = 60,
    // period = max(16, ceil(76 / 2)) = 38 (was 32); the element-wise residual add is unchanged (16).
    const r = pass({ stages: { sfu: { faddLatencyCycles: 5 } } });
    expect(busy(r, 'L0.attn-norm')).toBe(38);
    expect(busy(r, 'final-norm')).toBe(38);
    expect(busy(r, 'L0.residual1')).toBe(16);
  });
});

describe('KV prefetch buffer and KV read channels', () => {
  it('the prefetcher -> attention stream holds exactly the configured bufferChunks', () => {
    for (const bufferChunks of [1, 2, 4]) {
      const pg = buildPassGraph({ model, platform: platformWith({ stages: { 'kv-prefetcher': { bufferChunks } } }), phase: 'decode', tokens: 1, history: 64 });
      expect(pg.graph.fifos.find((f) => f.name === 'kv-prefetcher.kv')?.depth).toBe(bufferChunks);
    }
    // The default: 4 chunks.
    const pg = buildPassGraph({ model, platform: platformWith(), phase: 'decode', tokens: 1, history: 64 });
    expect(pg.graph.fifos.find((f) => f.name === 'kv-prefetcher.kv')?.depth).toBe(4);
  });

  it('halving the KV read channels at a KV-bound history adds exactly the extra read time', () => {
    // History 64: 64 positions x (K + V) x 2 KV heads x 64 x 4 B = 65,536 B. The prefetcher starts at
    // cycle 0 and attention is already waiting when the first chunk lands (the buffer depth does not
    // change the pass: checked below), so attention ends a fixed time after the last chunk:
    // 2 channels: 65,536 / 64 = 1024 cycles; 1 channel: 65,536 / 32 = 2048; delta +1024.
    const kvBytes = 64 * 2 * model.kvHeads * model.headDim * 4;
    const two = pass({}, 'decode', 1, 64);
    const one = pass({ hbm: { channels: { kvRead: 1 } } }, 'decode', 1, 64);
    expect(one.cycles - two.cycles).toBe(kvBytes / 32 - kvBytes / 64);
    expect(one.cycles - two.cycles).toBe(1024);
    // KV-bound: attention consumes each chunk as it arrives, so a 1-chunk buffer costs nothing.
    expect(pass({ stages: { 'kv-prefetcher': { bufferChunks: 1 } } }, 'decode', 1, 64).cycles).toBe(two.cycles);
    // At history 0 there is no KV read: the channel count cannot matter.
    expect(pass({ hbm: { channels: { kvRead: 1 } } }).cycles).toBe(pass({}).cycles);
  });
});
