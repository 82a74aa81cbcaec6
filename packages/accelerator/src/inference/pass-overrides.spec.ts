import { tinyQwen3Config } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig, type PlatformOverrides } from '../platform/index.js';
import { buildPassGraph } from './pass-graph.js';
import { runPassTiming, type PassReport } from './run.js';
import type { ActorStateEvent, GrantEvent } from '@lut-llm/core';

/**
 * Platform overrides on the whole-model pass, each checked against a value derived by hand from
 * the hardware structure (not re-recorded from the emulator). Tiny model: hidden 256,
 * intermediate 512, 4 query heads and 2 KV heads of 64, one layer, on the default preset
 * (v80-int4-250: 250 MHz, so 32 B per HBM channel per cycle; FP32 activations; 4 input channels,
 * 2 + 2 KV channels (K and V ports, one group shared by reads and writes); HBM read latency 64 cycles).
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

  it('halving the KV channels at a KV-bound history adds the extra read time and the wait behind the new K/V write', () => {
    // History 128: 2 chunks of 64 positions x (K + V) x 2 KV heads x 64 x 4 B = 65,536 B each,
    // 16 bursts of 4096 B dealt in 64 B beats over the group's channels. The prefetcher starts at
    // 0 and issues chunk 1 when chunk 0 has been served. The layer's new K/V (1 position, 1024 B)
    // are written when the join fires: W = 852, the cycle attention gets q (pass-derived.spec: the
    // join, the q mux and the writer's request take no cycle: 0-latency glue, same-cycle grants).
    // Attention's q firing (1 cycle) and chunk 0's (1 cycle) are done before chunk 1 lands; chunk
    // 1's firing then runs asBuilt(128) - 2 cycles, so the pass moves with chunk 1's arrival only.
    //  4 channels (2 + 2): chunk 0 [0, 512), chunk 1 [512, 1024); the write (256 B per channel)
    //    comes at W = 852 and waits for chunk 1: served [1024, 1032), held by the prefetcher.
    //    Chunk 1 readable at 1024 + 64.
    //  2 channels (1 + 1): chunk 0 [0, 1024); the write (512 B per channel) comes at W = 852, waits
    //    for chunk 0 and is served [1024, 1040), before chunk 1, which is requested at 1024 and
    //    waits 16 cycles behind it: [1040, 2064), readable at 2064 + 64.
    //  delta = 2064 - 1024 = 1024 (twice the read time of chunk 1) + 16 (the wait behind the write).
    const trace = (over: PlatformOverrides) => runPassTiming({ model, platform: platformWith(over), phase: 'decode', tokens: 1, history: 128 }, { trace: true });
    const four = trace({});
    const two = trace({ hbm: { channels: { kvRead: 1, kvWrite: 1 } } });
    expect(two.cycles - four.cycles).toBe(1024 + 16);
    const grants = (r: PassReport, actor: string) => r.events.filter((e): e is GrantEvent => e.kind === 'grant' && e.actor === actor && e.resource === 'hbm.kv[0]');
    const waits = (r: PassReport, actor: string) => r.events.filter((e): e is ActorStateEvent => e.kind === 'actor' && e.actor === actor && e.state === 'stalled-contention');
    // 4 channels: the writer waits for chunk 1, the prefetcher named as the holder.
    expect(grants(four, 'kv-prefetcher').map((x) => [x.startCycle, x.endCycle])).toEqual([[0, 512], [512, 1024]]);
    const w4 = grants(four, 'L0.kv-writer')[0]!;
    expect([w4.startCycle, w4.endCycle]).toEqual([1024, 1032]);
    expect(w4.requestCycle).toBe(852);
    expect(waits(four, 'L0.kv-writer')).toEqual([expect.objectContaining({ startCycle: w4.requestCycle, endCycle: 1024, heldBy: 'kv-prefetcher' })]);
    // 2 channels: chunk 1 waits for the write, the writer named as the holder.
    expect(grants(two, 'kv-prefetcher').map((x) => [x.startCycle, x.endCycle])).toEqual([[0, 1024], [1040, 2064]]);
    expect(grants(two, 'L0.kv-writer').map((x) => [x.startCycle, x.endCycle])).toEqual([[1024, 1040]]);
    expect(waits(two, 'kv-prefetcher')).toEqual([expect.objectContaining({ startCycle: 1024, endCycle: 1040, heldBy: 'L0.kv-writer' })]);
    expect(waits(two, 'L0.kv-writer')).toEqual([expect.objectContaining({ startCycle: 852, endCycle: 1024, heldBy: 'kv-prefetcher' })]);
    // Contention per channel: 4 channels, the writer's 1024 - 852 = 172 on each; 2 channels,
    // the writer's 172 and the prefetcher's 16 on each.
    const kvContention = (r: PassReport) => r.resources.filter((x) => x.resource.startsWith('hbm.kv[')).map((x) => x.contentionCycles);
    expect(kvContention(four)).toEqual([172, 172, 172, 172]);
    expect(kvContention(two)).toEqual([172 + 16, 172 + 16]);
    // KV-bound: attention consumes each chunk as it arrives, so a 1-chunk buffer costs nothing.
    expect(pass({ stages: { 'kv-prefetcher': { bufferChunks: 1 } } }, 'decode', 1, 128).cycles).toBe(four.cycles);
    // At history 0 there is no KV read: the channel count cannot matter.
    expect(pass({ hbm: { channels: { kvRead: 1, kvWrite: 1 } } }).cycles).toBe(pass({}).cycles);
  });
});
